"""Wiring only: the rollout gate's plugins. Logic lives in checks/plugin/ (options, hooks, fixtures)."""

from __future__ import annotations

from checks.plugin import PLUGINS

pytest_plugins = [
    *PLUGINS,
    "checks.aws.fixtures",  # `aws` and `infra` (infra engineer)
    "pages.fixtures",  # browser fixtures of the e2e suite (page objects in pages/)
]
