"""Loader of the browser fixtures (`pages.browser_fixtures`), which override pytest-playwright's fixtures of the same
names (`browser_type_launch_args`, `browser_context_args`, `_artifacts_recorder`, ...).

pytest uses the fixture registered LAST among plugins. The gate is a `pytest11` entry point loaded before
pytest-playwright's, so the overrides are registered from `pytest_configure`, after every entry point (and before
the session's fixture manager reads the plugins, in registration order).
"""

from __future__ import annotations

import pytest

BROWSER_FIXTURES = "pages.browser_fixtures"


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin(BROWSER_FIXTURES):
        config.pluginmanager.import_plugin(BROWSER_FIXTURES)
