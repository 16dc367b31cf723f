"""The pytest plugin that turns a pytest session into the rollout gate: options, sandbox launch for `local`,
check markers from the catalog, preflight ordering and blocking, one CheckResult per item (merged across xdist
workers), secret scrubbing of every report, and the verdict at session end.

Wiring (root conftest.py): `pytest_plugins = [*checks.plugin.PLUGINS, ...]`. Hooks live in `hooks.py`,
fixtures in `fixtures.py`, and everything else in small modules beside them.
"""

from __future__ import annotations

PLUGINS = ["checks.plugin.hooks", "checks.plugin.fixtures"]
