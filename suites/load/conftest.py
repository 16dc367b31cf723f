"""Fixtures of the load suite (the API suite's `signed_in` and `site`, the run's shared rate budget, where the load
engine runs) and its one ordering rule: the checks that must come after all other traffic run last."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from checks.evidence import Evidence
from checks.login import SignedInSession
from checks.plugin.sandbox import measuring_alone as sandbox_measuring_alone
from environments import Environment
from suites.api.fixtures import signed_in, site
from suites.api.helpers import ACCESS_COOKIE
from suites.load.pacing import Pacer
from suites.load.plan import EngineSettings

__all__ = ["load_cookies", "load_engine", "pacer", "signed_in", "site"]

# A third of the stage's burst and 80 % of its rate (SPEC §6: 200 / 100 per s): the load never trips the throttle
# by itself, with room left for the rest of the run's traffic.
PACER_BURST = 60
PACER_RATE = 80.0

# load.throttling empties the stage's token bucket (anything right after it would be throttled), and
# load.alarms_quiet_after observes the alarms after all the load: both go to the end of the session, in this order.
# Under xdist every load check is in one group (`hhl-load`, checks.users), so "the end" is the end of the process
# that ran all the load (needs --dist loadgroup).
RUN_LAST = ("load.throttling", "load.alarms_quiet_after")


@pytest.fixture(autouse=True)
def measuring_alone(env: Environment, evidence: Evidence) -> Iterator[None]:
    """[local] Runs sharing one sandbox (`--sandbox-state`) take turns for their load checks: measured while another
    run loads the same sandbox, a latency is not the target's (checks.plugin.sandbox.measuring_alone)."""
    sandbox = getattr(env, "sandbox", None)
    with sandbox_measuring_alone(Path(sandbox.state_file) if sandbox else None) as waited:
        if waited >= 1:
            evidence.note(f"waited {waited:.0f} s for another run's load checks on the same sandbox")
        yield


@pytest.fixture(scope="session")
def pacer() -> Pacer:
    return Pacer(PACER_BURST, PACER_RATE)


@pytest.fixture(scope="session")
def load_engine(env: Environment) -> EngineSettings:
    """The env file's `load` section: one Locust process (workers 0) or a master with workers (docs/LOAD.md)."""
    section = env.load
    return EngineSettings(
        workers=section.workers,
        external_workers=section.external_workers,
        master_bind_host=section.master_bind_host,
        master_port=section.master_port,
        worker_connect_timeout_s=section.worker_connect_timeout_s,
    )


@pytest.fixture
def load_cookies(signed_in: SignedInSession) -> dict[str, str]:
    """The session's access cookie, as the site's pages send it to the data routes."""
    return {ACCESS_COOKIE: signed_in.access_token}


def _check_id(item: pytest.Item) -> str | None:
    marker = item.get_closest_marker("check")
    return marker.args[0] if marker and marker.args else None


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """After the harness's preflight ordering: move RUN_LAST checks to the end (stable otherwise)."""

    def rank(item: pytest.Item) -> int:
        check = _check_id(item)
        return RUN_LAST.index(check) + 1 if check in RUN_LAST else 0

    items.sort(key=rank)
