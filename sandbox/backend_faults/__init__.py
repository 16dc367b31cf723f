"""Seams with sandbox faults planted: `seams_for_faults(faults)` → the backend/gateway `Seams` for `--fault` names.

`PLANTINGS` is the one table of how each backend/gateway fault of the catalog (sandbox/faults.py) is planted: the
seam fields it replaces, computed from the seams planted so far (so that two faults on one seam compose: both
cookie weakenings, both IdP-client defects, an email identity over a legacy one). The modules hold the defective
behaviours themselves: `auth` (cookies, state, redirects, callback), `real_deployment` (SPEC §3's "Real deployment"
weaknesses), `hygiene` (JWKS refetch, logs, Cache-Control), `validation` (an input answered with a 500), `data`
(identity and the store), `gateway` (CORS). Faults of other components (site, idp, provision...) are planted
elsewhere; a name the catalog does not know is an error.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from hhl_backend.seams import Seams
from starlette.routing import Route

from sandbox.backend_faults import auth, data, gateway, hygiene, real_deployment, validation
from sandbox.faults import FAULTS

Planting = Callable[[Seams], dict[str, Any]]  # the seams planted so far → the fields this fault replaces

# In planting order: a fault that wraps a seam (email_identity) comes after one that replaces it.
PLANTINGS: dict[str, Planting] = {
    "backend.cookie_samesite_lax": lambda s: {
        "cookie_policy": auth.weaken_session_cookies(s.cookie_policy, same_site="lax")
    },
    "backend.cookie_not_httponly": lambda s: {
        "cookie_policy": auth.weaken_session_cookies(s.cookie_policy, http_only=False)
    },
    "backend.state_as_jwt": lambda s: {"transaction_codec": auth.jwt_state_codec},
    "backend.open_redirect": lambda s: {"redirect_sanitiser": auth.leading_slash_sanitiser},
    "backend.relative_callback_location": lambda s: {"callback_location": auth.relative_location},
    "backend.test_bypass": lambda s: {"test_bypass": auth.mock_code_bypass},
    "gateway.cors_wildcard": lambda s: {"cors_origin_allowed": gateway.any_origin},
    "backend.quiz_always_passes": lambda s: {"quiz_grading": real_deployment.always_pass},
    "backend.idp_errors_500": lambda s: {"callback_failure": real_deployment.every_failure_is_500},
    "backend.no_payload_cap": lambda s: {"payload_cap_bytes": None},
    "backend.no_silent_refresh": lambda s: {
        "idp_client_factory": real_deployment.with_idp_defect(s.idp_client_factory, real_deployment.NoRefreshIdpClient)
    },
    "backend.no_revocation": lambda s: {
        "idp_client_factory": real_deployment.with_idp_defect(
            s.idp_client_factory, real_deployment.NoRevocationIdpClient
        )
    },
    "backend.json_as_text_plain": lambda s: {"json_content_type": real_deployment.REAL_JSON_CONTENT_TYPE},
    "backend.no_nonce": lambda s: {"oidc_nonce": real_deployment.no_nonce},
    "backend.data_ignores_session": lambda s: {"identity_resolver": real_deployment.legacy_bearer_identity},
    "backend.email_only_login": lambda s: {
        "extra_routes": (*s.extra_routes, Route("/auth/login", real_deployment.email_only_login, methods=["POST"]))
    },
    "backend.backslash_redirect": lambda s: {"redirect_sanitiser": real_deployment.backslash_blind_sanitiser},
    "backend.no_nosniff": lambda s: {"nosniff": False},
    "backend.jwks_no_refetch": lambda s: {"jwks_cache_factory": hygiene.no_refetch_jwks_cache},
    "backend.logs_secrets": lambda s: {"auth_log_fields": hygiene.verbose_auth_log_fields},
    "backend.auth_no_store_missing": lambda s: {"cache_control": hygiene.without_no_store_on_auth(s.cache_control)},
    "backend.unhashable_event_name": lambda s: {"track_event_parser": validation.parse_event_looking_up_first},
    "backend.email_identity": lambda s: {"identity_resolver": data.email_identity(s.identity_resolver)},
    "backend.read_modify_write": lambda s: {"store_factory": data.read_modify_write_store},
}


def seams_for_faults(faults: frozenset[str], base: Seams | None = None) -> Seams:
    """`base` (default: the correct Seams) with every backend/gateway fault in `faults` planted."""
    unknown = sorted(set(faults) - set(FAULTS))
    if unknown:
        raise ValueError(f"unknown fault(s): {', '.join(unknown)}")
    seams = base if base is not None else Seams()
    for name, plant in PLANTINGS.items():
        if name in faults:
            seams = dataclasses.replace(seams, **plant(seams))
    return seams


__all__ = ["PLANTINGS", "Planting", "seams_for_faults"]
