"""Reading the project's GitHub workflows for the CI tests: each file, its jobs, steps and run commands."""

from __future__ import annotations

import re
import shlex
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
NAMES = ("pr-gate", "release-gate", "synthetic")


@cache
def workflow(name: str) -> dict[str, Any]:
    document = yaml.safe_load((WORKFLOWS / f"{name}.yml").read_text(encoding="utf-8"))
    # YAML 1.1 reads the bare key `on` as the boolean True.
    if True in document:
        document["on"] = document.pop(True)
    return document


def raw(name: str) -> str:
    return (WORKFLOWS / f"{name}.yml").read_text(encoding="utf-8")


def steps(name: str) -> list[dict[str, Any]]:
    return [step for job in workflow(name)["jobs"].values() for step in job["steps"]]


def run_lines(name: str) -> list[str]:
    """Every command line of every `run:` block, a leading `env -u NAME` left out."""
    lines = [line.strip() for s in steps(name) if "run" in s for line in s["run"].splitlines() if line.strip()]
    return [re.sub(r"^env (-u \S+ )+", "", line) for line in lines]


def gate_steps(name: str) -> list[dict[str, Any]]:
    """Steps that run the gate (`make verify` or `.github/scripts/gate.sh`)."""
    return [s for s in steps(name) if "run" in s and ("make verify" in s["run"] or "gate.sh" in s["run"])]


def pytest_args(line: str) -> list[str]:
    """The pytest arguments of a gate command line (`make verify` → the Makefile's own `--env local`)."""
    words = shlex.split(line)
    if words[:2] == ["make", "verify"]:
        return ["--env", "local"]
    assert words[0] == ".github/scripts/gate.sh", line
    return words[1:]


def make_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([A-Za-z][\w.-]*):(?!=)", text, flags=re.MULTILINE))
