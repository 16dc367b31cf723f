"""`make test` (the CI's command) is two tiers that together run every directory of project tests: the unit tier
all of `tests` but the integration tier's directory, the integration tier that directory (a directory named by
neither is never run: tests/environments once was not)."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _test_recipe() -> list[str]:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    match = re.search(r"^test:.*?\n((?:\t.*\n)+)", makefile, re.M)
    assert match, "no `test:` target in the Makefile"
    return [line.strip() for line in match.group(1).splitlines()]


def test_the_two_tiers_run_every_directory_of_tests() -> None:
    unit, integration = _test_recipe()
    assert unit.startswith("$(PYTEST_UNIT) ") and unit.split()[1:] == ["tests", "--ignore=tests/integration"], unit
    assert integration.split()[1:] == ["tests/integration"], integration
    directories = {path.parent.relative_to(REPO / "tests").parts[0] for path in (REPO / "tests").glob("*/**/test_*.py")}
    assert "integration" in directories and len(directories) > 5
