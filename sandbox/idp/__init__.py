"""Hosted-UI stand-in: a small real OIDC provider in place of the Cognito hosted UI in the sandbox (SPEC §9).

Pool and client settings are read from moto on every request; tokens are RS256-signed with the stand-in's
own key. Test hooks (loopback only) are documented in `sandbox.idp.hooks` and `sandbox.idp.switches`.
"""

from __future__ import annotations

from sandbox.idp.app import create_idp_app
from sandbox.idp.context import CSRF_COOKIE, SESSION_COOKIE
from sandbox.idp.keys import generate_signing_key
from sandbox.idp.switches import FaultSwitches

__all__ = ["CSRF_COOKIE", "SESSION_COOKIE", "FaultSwitches", "create_idp_app", "generate_signing_key"]
