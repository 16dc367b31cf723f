"""HTTP client for the hosted UI's OAuth endpoints (token, revoke), with the 4xx-vs-outage split of SPEC §3.4 (D3)."""

from __future__ import annotations

from typing import Any

import httpx

from hhl_backend.auth.session import TokenSet

REVOKE_TIMEOUT_S = 2.0


class IdpRejected(Exception):
    """The IdP answered 4xx (bad code, verifier, grant): the user's request failed → 400."""


class IdpUnavailable(Exception):
    """Timeout, connection error, 5xx or a malformed answer: the IdP is at fault → 502."""


class IdpClient:
    def __init__(self, *, base_url: str, client_id: str, redirect_uri: str, timeout_s: float, http: httpx.Client):
        self._token_url = base_url + "/oauth2/token"
        self._revoke_url = base_url + "/oauth2/revoke"
        self._client_id = client_id
        self._redirect_uri = redirect_uri
        self._timeout_s = timeout_s
        self._http = http

    def _token_request(self, form: dict[str, str]) -> dict[str, Any]:
        try:
            response = self._http.post(self._token_url, data=form, timeout=self._timeout_s)
        except httpx.HTTPError as exc:
            raise IdpUnavailable(type(exc).__name__) from None
        if 400 <= response.status_code < 500:
            raise IdpRejected(f"token endpoint answered {response.status_code}")
        if response.status_code != 200:
            raise IdpUnavailable(f"token endpoint answered {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            raise IdpUnavailable("token endpoint answered non-JSON") from None
        if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            raise IdpUnavailable("token endpoint answered without an access token")
        return body

    def exchange_code(self, code: str, verifier: str) -> TokenSet:
        body = self._token_request(
            {
                "grant_type": "authorization_code",
                "client_id": self._client_id,
                "code": code,
                "redirect_uri": self._redirect_uri,
                "code_verifier": verifier,
            }
        )
        if not isinstance(body.get("id_token"), str):
            raise IdpUnavailable("token endpoint answered without an ID token")
        return TokenSet(
            access_token=body["access_token"], refresh_token=body.get("refresh_token"), id_token=body["id_token"]
        )

    def refresh(self, refresh_token: str) -> TokenSet:
        body = self._token_request(
            {"grant_type": "refresh_token", "client_id": self._client_id, "refresh_token": refresh_token}
        )
        new_refresh = body.get("refresh_token")
        return TokenSet(
            access_token=body["access_token"], refresh_token=new_refresh if isinstance(new_refresh, str) else None
        )

    def revoke(self, refresh_token: str) -> bool:
        """Best effort (SPEC §3.7): True when the IdP confirmed; every error is swallowed."""
        try:
            response = self._http.post(
                self._revoke_url, data={"token": refresh_token, "client_id": self._client_id}, timeout=REVOKE_TIMEOUT_S
            )
        except httpx.HTTPError:
            return False
        return response.status_code == 200
