"""Runtime fault switches of the hosted-UI stand-in, set through the loopback-only `/__standin/faults` hook.

They let the harness's negative tests obtain defective IdP behaviour without a mint endpoint. JSON shape
(every key optional; POST replaces the whole set, DELETE clears it, GET shows it):

    {
      "token_endpoint": {"mode": "error", "status": 503}         # every POST /oauth2/token answers 5xx
                      | {"mode": "timeout", "delay_s": 7.5},     # answers normally after delay_s (0 < s <= 60)
      "id_token": ["wrong_nonce", "wrong_aud", "wrong_iss", "expired", "hs256"],
      "access_token": ["wrong_client_id", "wrong_iss", "expired", "hs256"]
    }

`expired` mints `exp` in the past; `hs256` signs with a random HMAC key under the active `kid` (an algorithm
confusion attempt the backend must refuse). Token switches apply to both grant types.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

IdTokenDefect = Literal["wrong_nonce", "wrong_aud", "wrong_iss", "expired", "hs256"]
AccessTokenDefect = Literal["wrong_client_id", "wrong_iss", "expired", "hs256"]


class TokenEndpointError(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    mode: Literal["error"]
    status: int = Field(default=503, ge=500, le=599)


class TokenEndpointTimeout(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    mode: Literal["timeout"]
    # The backend's IDP_TIMEOUT_S is 5 by default; the bound keeps a forgotten switch from hanging a test run.
    delay_s: float = Field(default=7.0, gt=0, le=60)


class FaultSwitches(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    token_endpoint: Annotated[TokenEndpointError | TokenEndpointTimeout, Field(discriminator="mode")] | None = None
    id_token: frozenset[IdTokenDefect] = frozenset()
    access_token: frozenset[AccessTokenDefect] = frozenset()

    def as_json(self) -> dict:
        data = self.model_dump(mode="json")
        # Sorted lists, so the hook's answer is stable and easy to compare in tests.
        data["id_token"] = sorted(self.id_token)
        data["access_token"] = sorted(self.access_token)
        return data


NO_FAULTS = FaultSwitches()
