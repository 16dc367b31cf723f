"""Hedgehog Learn reference backend: SSO (Cognito hosted UI + PKCE) and the DynamoDB progress store (SPEC §3–§5)."""

from __future__ import annotations

__version__ = "0.1.0"
