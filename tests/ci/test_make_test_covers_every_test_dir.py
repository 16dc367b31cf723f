"""`make test` (the CI's command) runs every directory of project tests: a directory it does not name is never run
(tests/environments once was not)."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _test_recipe() -> str:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    match = re.search(r"^test:.*?\n((?:\t.*\n)+)", makefile, re.M)
    assert match, "no `test:` target in the Makefile"
    return match.group(1)


def test_every_directory_of_tests_is_named_by_make_test() -> None:
    named = set(re.findall(r"\btests/([a-z_]+)\b", _test_recipe()))
    with_tests = {path.parent.relative_to(REPO / "tests").parts[0] for path in (REPO / "tests").glob("*/**/test_*.py")}
    assert with_tests - named == set(), f"make test never runs: {sorted(with_tests - named)}"
