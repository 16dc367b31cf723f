"""Command-line options of the gate (`pytest --env NAME ...`)."""

from __future__ import annotations

import pytest

from checks.vocabulary import RUN_SCOPES
from sandbox.faults import FAULTS, PROFILES, unknown_faults

# What `--sandbox-fault` accepts: an unknown (or not yet built) fault is a usage error before anything starts.
PLANTABLE_FAULTS = sorted(name for name in (*FAULTS, *PROFILES) if not unknown_faults([name]))


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("hhl", "Hedgehog Learn rollout gate")
    group.addoption(
        "--env",
        dest="hhl_env",
        default="local",
        metavar="NAME|PATH",
        help="environment to verify: local, dev, prod or the path of an env file (default: local)",
    )
    group.addoption(
        "--sandbox-state",
        dest="hhl_sandbox_state",
        default=None,
        metavar="PATH",
        help="local only: use the already running sandbox described by this state file instead of starting one",
    )
    group.addoption(
        "--sandbox-fault",
        dest="hhl_sandbox_faults",
        action="append",
        default=[],
        metavar="NAME",
        choices=PLANTABLE_FAULTS,
        help="local only: start the sandbox with this fault planted (repeatable; see `python -m sandbox faults`)",
    )
    group.addoption(
        "--report-dir",
        dest="hhl_report_dir",
        default=None,
        metavar="DIR",
        help="run directory (default: verification-output/<run-id>/)",
    )
    group.addoption(
        "--baseline",
        dest="hhl_baseline",
        default=None,
        metavar="DIR",
        help="an earlier run directory to compare with in FINAL-REPORT.md",
    )
    group.addoption(
        "--scope",
        dest="hhl_scope",
        choices=RUN_SCOPES,
        default=None,
        help="reference set the verdict is judged against: full (default) or smoke, the catalog's post-deploy "
        "subset (`-m smoke` implies it)",
    )
    group.addoption(
        "--keep-traces",
        dest="hhl_keep_traces",
        action="store_true",
        default=False,
        help="keep Playwright traces on dev/prod too (SENSITIVE: they hold raw cookies)",
    )
