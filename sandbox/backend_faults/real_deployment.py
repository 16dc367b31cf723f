"""Defective replacements reproducing documented weaknesses of the real deployment (SPEC §3 "Real deployment" notes).

Each is planted through one `Seams` field, so the harness meets the defect the way it would meet the real system:
a quiz that always passes (§3.12), IdP failures as 500s (§3.4), no silent refresh on the Jan-2026 stage (§3.6),
logout without revocation (§3.7), JSON labelled `text/plain` (§3.1) and no OIDC nonce (§3.4). `backend.no_payload_cap`
is the exception: a plausible regression of the §3.9 cap, not a documented real weakness.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx
from hhl_backend.auth.idp import IdpClient, IdpRejected
from hhl_backend.auth.session import TokenSet
from hhl_backend.auth.transaction import LoginTransaction
from hhl_backend.config import Settings
from hhl_backend.seams import Seams
from starlette.requests import Request

REAL_JSON_CONTENT_TYPE = "text/plain; charset=utf-8"


def always_pass(request: Request, quiz: Any, answers: dict[str, Any]) -> dict[str, Any]:
    """backend.quiz_always_passes: the real /quiz/grade answers full marks whatever was answered and stores nothing."""
    return {"score": 100, "pass": True}


def every_failure_is_500(exc: Exception) -> tuple[int, str]:
    """backend.idp_errors_500: a bogus code, a bad token and an IdP outage all end in one 500 (SPEC §3.4 real)."""
    return 500, "Authentication failed"


def no_nonce(txn: LoginTransaction) -> str | None:
    """backend.no_nonce: the transaction holds a nonce, but it is never sent to /oauth2/authorize nor checked."""
    return None


class NoRefreshIdpClient(IdpClient):
    """backend.no_silent_refresh: the Jan-2026 stage had no refresh path, so a learner whose access token expired
    went anonymous after an hour. Modelled as a refresh that never reaches the IdP and never succeeds."""

    def refresh(self, refresh_token: str) -> TokenSet:
        raise IdpRejected("this stage does not refresh sessions")


class NoRevocationIdpClient(IdpClient):
    """backend.no_revocation: logout clears the cookies but never calls /oauth2/revoke, so a copied refresh token
    keeps minting access tokens for its 30 days."""

    def revoke(self, refresh_token: str) -> bool:
        return False


# Fault name → the IdP client subclass that plants it; several combine by multiple inheritance.
IDP_CLIENT_DEFECTS: dict[str, type[IdpClient]] = {
    "backend.no_silent_refresh": NoRefreshIdpClient,
    "backend.no_revocation": NoRevocationIdpClient,
}


def defective_idp_client_factory(defects: tuple[type[IdpClient], ...]) -> Any:
    """An `idp_client_factory` building the hosted-UI client with every defect in `defects` planted."""
    cls = defects[0] if len(defects) == 1 else type("DefectiveIdpClient", defects, {})

    def factory(settings: Settings, http: httpx.Client) -> IdpClient:
        return cls(
            base_url=settings.cognito_base_url,
            client_id=settings.cognito_client_id,
            redirect_uri=settings.cognito_redirect_uri,
            timeout_s=settings.idp_timeout_s,
            http=http,
        )

    return factory


def apply(seams: Seams, faults: frozenset[str]) -> Seams:
    """`seams` with the real-deployment faults in `faults` planted; other names are ignored."""
    changes: dict[str, Any] = {}
    if "backend.quiz_always_passes" in faults:
        changes["quiz_grading"] = always_pass
    if "backend.idp_errors_500" in faults:
        changes["callback_failure"] = every_failure_is_500
    if "backend.no_payload_cap" in faults:
        changes["payload_cap_bytes"] = None
    idp_defects = tuple(cls for name, cls in IDP_CLIENT_DEFECTS.items() if name in faults)
    if idp_defects:
        changes["idp_client_factory"] = defective_idp_client_factory(idp_defects)
    if "backend.json_as_text_plain" in faults:
        changes["json_content_type"] = REAL_JSON_CONTENT_TYPE
    if "backend.no_nonce" in faults:
        changes["oidc_nonce"] = no_nonce
    return dataclasses.replace(seams, **changes) if changes else seams
