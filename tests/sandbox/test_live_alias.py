"""sandbox/live_alias.py: the version behind `live` decides the faults; an alias move is seen within the TTL."""

from __future__ import annotations

from typing import Any

from sandbox.live_alias import FAULTS_VARIABLE, LATEST, LiveAliasResolver, version_faults


class FakeLambda:
    class exceptions:
        class ResourceNotFoundException(Exception):
            pass

    def __init__(self) -> None:
        self.alias: str | None = "2"
        self.variables = {"1": {}, "2": {FAULTS_VARIABLE: "backend.a, backend.b"}, LATEST: {}}
        self.config_calls = 0

    def get_alias(self, **_: Any) -> dict[str, str]:
        if self.alias is None:
            raise self.exceptions.ResourceNotFoundException()
        return {"FunctionVersion": self.alias}

    def get_function_configuration(self, *, Qualifier: str, **_: Any) -> dict[str, Any]:
        self.config_calls += 1
        return {"Environment": {"Variables": self.variables[Qualifier]}}


def test_faults_follow_the_alias_within_the_ttl() -> None:
    now = [0.0]
    fake = FakeLambda()
    resolver = LiveAliasResolver(fake, "fn", ttl_s=1.0, clock=lambda: now[0])
    assert resolver.cached_faults() is None
    assert resolver.faults() == {"backend.a", "backend.b"}
    fake.alias = "1"
    now[0] = 0.5
    assert resolver.cached_faults() == {"backend.a", "backend.b"}  # within the bound: the old answer, no I/O
    assert resolver.faults() == {"backend.a", "backend.b"}
    now[0] = 1.5
    assert resolver.cached_faults() is None
    assert resolver.faults() == frozenset()
    calls = fake.config_calls
    fake.alias = "2"
    now[0] = 3.0
    assert resolver.faults() == {"backend.a", "backend.b"}
    assert fake.config_calls == calls  # a published version's configuration is read once


def test_without_an_alias_latest_is_served_and_re_read() -> None:
    now = [0.0]
    fake = FakeLambda()
    fake.alias = None
    resolver = LiveAliasResolver(fake, "fn", ttl_s=1.0, clock=lambda: now[0])
    assert resolver.faults() == frozenset()
    fake.variables[LATEST] = {FAULTS_VARIABLE: "backend.c"}
    now[0] = 2.0
    assert resolver.faults() == {"backend.c"}


def test_version_faults_parses_the_variable() -> None:
    assert version_faults(None) == frozenset()
    assert version_faults({FAULTS_VARIABLE: " backend.a ,,backend.b "}) == {"backend.a", "backend.b"}
