"""The one secret registry: every secret the run resolves (test password, HubSpot token, session tokens) is
registered here once, and every sink (evidence, messages, JUnit, Allure, reports) scrubs what it holds."""

from __future__ import annotations

import threading
from collections.abc import Iterable

__all__ = ["MIN_SECRET_LENGTH", "REGISTRY", "SecretRegistry", "register_secret", "registered_secrets"]

# Shorter strings would redact innocent text (and cannot be secrets worth the name).
MIN_SECRET_LENGTH = 6


class SecretRegistry:
    """A process-wide set of secret strings. Thread-safe, because HTTP checks may run concurrently."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()

    def register(self, value: str | None) -> None:
        if value and len(value) >= MIN_SECRET_LENGTH:
            with self._lock:
                self._values.add(value)

    def register_all(self, values: Iterable[str | None]) -> None:
        for value in values:
            self.register(value)

    def values(self) -> tuple[str, ...]:
        """Longest first, so that a secret containing another is replaced whole."""
        with self._lock:
            return tuple(sorted(self._values, key=len, reverse=True))

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


REGISTRY = SecretRegistry()


def register_secret(value: str | None) -> None:
    REGISTRY.register(value)


def registered_secrets() -> tuple[str, ...]:
    return REGISTRY.values()
