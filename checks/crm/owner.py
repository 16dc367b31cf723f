"""What the HubSpot reader and the stand-in hooks client share: they own one `HttpClient` and close it."""

from __future__ import annotations

from typing import Self

from checks.http import HttpClient


class ClientOwner:
    http: HttpClient

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
