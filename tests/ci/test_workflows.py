"""What the workflows promise: the commands they run exist, the gate's outputs land where the artifact is
uploaded from, prod access is OIDC-only and read-only, the synthetic schedule, and zizmor's rules."""

from __future__ import annotations

import re
import shlex
import subprocess
from importlib import metadata
from pathlib import Path

import pytest
import yaml

from checks.vocabulary import ExitCode
from environments import load_environment
from reports.step_summary import ARTIFACT_NAME
from tests.ci.workflows import (
    NAMES,
    ROOT,
    gate_steps,
    make_targets,
    pytest_args,
    raw,
    run_lines,
    steps,
    workflow,
)

SHA_PIN = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")
OIDC_NAMES = ("release-gate", "synthetic")
OUTPUT_DIR = "verification-output"


@pytest.mark.parametrize("name", NAMES)
def test_actions_are_pinned_by_commit_sha_with_their_version(name: str) -> None:
    uses = [s["uses"] for s in steps(name) if "uses" in s]
    assert uses and all(SHA_PIN.match(u) for u in uses), uses
    for ref in uses:
        assert re.search(rf"uses: {re.escape(ref)} # v\d", raw(name)), f"{ref}: no `# vX` comment"


@pytest.mark.parametrize("name", NAMES)
def test_least_permissions(name: str) -> None:
    document = workflow(name)
    assert document["permissions"] == {}
    wanted = {"contents": "read", **({"id-token": "write"} if name in OIDC_NAMES else {})}
    assert all(job["permissions"] == wanted for job in document["jobs"].values())


@pytest.mark.parametrize("name", NAMES)
def test_checkout_keeps_no_credentials_and_run_blocks_expand_nothing(name: str) -> None:
    checkouts = [s for s in steps(name) if s.get("uses", "").startswith("actions/checkout@")]
    assert checkouts and all(s["with"]["persist-credentials"] is False for s in checkouts)
    # No `${{ }}` in a shell script (template injection): values reach `run:` through `env:` only.
    assert all("${{" not in s["run"] for s in steps(name) if "run" in s)


@pytest.mark.parametrize("name", NAMES)
def test_make_targets_and_scripts_exist(name: str) -> None:
    targets = make_targets()
    for line in run_lines(name):
        words = shlex.split(line)
        if words[0] == "make":
            assert set(words[1:]) <= targets, line
        elif words[0].startswith((".github/", ".venv/")):
            # .venv/bin/python is created by `make venv`, which the same block runs first.
            assert words[0].startswith(".venv/") or (ROOT / words[0]).is_file(), line


@pytest.mark.parametrize("name", NAMES)
def test_gate_options_parse_and_outputs_land_in_the_uploaded_directory(name: str) -> None:
    (gate,) = gate_steps(name)
    args = pytest_args(gate["run"].strip())
    env_name = args[args.index("--env") + 1]
    assert load_environment(env_name).name == env_name
    if "-m" in args:
        assert args[args.index("-m") + 1] == "smoke"
    addopts = shlex.split(gate["env"]["PYTEST_ADDOPTS"])
    assert not any(a.startswith("--report-dir") for a in args + addopts), "the run dir must stay verification-output/"
    outputs = [a.split("=", 1)[1] for a in addopts if a.startswith(("--junitxml=", "--alluredir="))]
    assert len(outputs) == 2 and all(Path(o).parts[0] == OUTPUT_DIR for o in outputs)
    # `-p no:NAME` ignores an unknown NAME silently: it must be the annotate plugin's entry point.
    disabled = [addopts[i + 1].removeprefix("no:") for i, a in enumerate(addopts) if a == "-p"]
    plugins = {ep.name for ep in metadata.entry_points(group="pytest11")}
    assert disabled == ["pytest_github_actions_annotate_failures"] and set(disabled) <= plugins
    uploads = [s for s in steps(name) if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert [(u["with"]["name"], u["with"]["path"]) for u in uploads] == [(ARTIFACT_NAME, f"{OUTPUT_DIR}/")]
    assert "--report-dir" not in (ROOT / "Makefile").read_text(encoding="utf-8").split("verify:", 1)[1][:200]


def test_pr_gate_runs_verify_and_test_on_pull_requests() -> None:
    document = workflow("pr-gate")
    assert "pull_request" in document["on"] and "pull_request_target" not in document["on"]
    lines = run_lines("pr-gate")
    assert "make verify" in lines and "make test" in lines
    (upload,) = [s for s in steps("pr-gate") if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert upload["if"] == "${{ !cancelled() }}"  # a NO-GO's evidence is uploaded too


@pytest.mark.parametrize("name", OIDC_NAMES)
def test_prod_access_is_oidc_only_and_read_only(name: str) -> None:
    text = raw(name)
    for key in ("aws-access-key-id", "aws-secret-access-key", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        assert key not in text
    (job,) = workflow(name)["jobs"].values()
    assert job["environment"] == "prod"
    (assume,) = [s for s in job["steps"] if s.get("uses", "").startswith("aws-actions/configure-aws-credentials@")]
    prod = load_environment("prod")
    assert assume["with"]["role-to-assume"] == "${{ vars.HHL_AWS_ROLE_ARN }}"
    assert assume["with"]["aws-region"] == prod.region
    assert prod.allow_writes is False
    (gate,) = gate_steps(name)
    names = {"HHL_HUBSPOT_TOKEN"} | {
        v for u in yaml.safe_load((ROOT / "environments/prod.yaml").read_text())["test_users"] for v in u.values()
    }
    assert {k: v for k, v in gate["env"].items() if k != "PYTEST_ADDOPTS"} == {
        n: f"${{{{ secrets.{n} }}}}" for n in names
    }
    assert job["steps"].index(assume) < job["steps"].index(gate)


def test_synthetic_runs_the_smoke_scope_every_five_minutes() -> None:
    document = workflow("synthetic")
    assert document["on"]["schedule"] == [{"cron": "*/5 * * * *"}]
    (gate,) = gate_steps("synthetic")
    assert pytest_args(gate["run"].strip()) == ["--env", "prod", "-m", "smoke"]
    assert document["concurrency"]["cancel-in-progress"] is False  # a slow run is not killed by the next one
    (job,) = document["jobs"].values()
    assert job["timeout-minutes"] <= 15


@pytest.mark.parametrize(
    ("status", "word"),
    [(ExitCode.GO, "GO"), (ExitCode.NO_GO, "NO-GO"), (ExitCode.INCONCLUSIVE, "INCONCLUSIVE"), (4, "usage")],
)
def test_gate_script_fails_the_job_on_anything_but_go(tmp_path: Path, status: int, word: str) -> None:
    fake = tmp_path / ".venv" / "bin" / "pytest"
    fake.parent.mkdir(parents=True)
    fake.write_text(f'#!/bin/sh\necho "$@" > args.txt\nexit {int(status)}\n')
    fake.chmod(0o755)
    done = subprocess.run(
        [str(ROOT / ".github/scripts/gate.sh"), "--env", "prod", "-m", "smoke"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    assert done.returncode == status
    level = "notice" if status == 0 else "error"
    assert done.stdout.startswith(f"::{level} title=rollout gate::exit {int(status)}, {word}")
    assert (tmp_path / "args.txt").read_text().split() == ["--env", "prod", "-m", "smoke"]


def test_readme_exit_codes_are_the_gates() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "exits 0 on GO, 1 on NO-GO and 2 on INCONCLUSIVE" in readme
    assert (ExitCode.GO, ExitCode.NO_GO, ExitCode.INCONCLUSIVE) == (0, 1, 2)


def test_make_lint_lints_the_workflows() -> None:
    recipe = (ROOT / "Makefile").read_text(encoding="utf-8").split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert "zizmor --offline --strict-collection .github/workflows/" in recipe
    assert "$(ACTIONLINT) '.github/workflows/*.yml'" in recipe
    assert "shellcheck .github/scripts/*.sh" in recipe
