"""Page-object tests run on static HTML in a real browser: no environment, no sandbox."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(scope="session")
def browser_context_args() -> dict[str, Any]:
    """Overrides pages.browser_fixtures' version, which needs an environment (and so a sandbox)."""
    return {}
