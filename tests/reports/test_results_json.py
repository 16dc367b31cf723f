"""results.json (SPEC §11.1): shape, counts taken from outcomes, manifest coverage, environment, baseline diff."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from reports import finish_run
from reports.manifest import DOCUMENT_NAMES, sha256_file
from reports.results import STATUSES

RUN_KEYS = {
    "id", "env", "profile", "started_at", "finished_at", "harness_version", "backend_version",
    "template_sha256", "targets", "verdict", "verdict_reasons",
}  # fmt: skip
CHECK_KEYS = {
    "id", "area", "title", "severity", "writes", "status", "known", "waiver", "started_at",
    "duration_ms", "expected", "actual", "message", "evidence",
}  # fmt: skip


def load(outcome) -> dict:
    return json.loads(outcome.results_path.read_text(encoding="utf-8"))


def test_shape(make_run) -> None:
    fx = make_run({"api.me.profile": "failed"})
    results = load(finish_run(fx.run_dir, fx.run, fx.checks, environment=fx.environment, secrets=[]))
    assert {"run", "checks", "counts", "artifacts", "environment", "versions", "baseline"} <= results.keys()
    assert results["run"].keys() >= RUN_KEYS
    assert all(c.keys() >= CHECK_KEYS for c in results["checks"])
    assert results["run"]["verdict"] == "NO-GO" and results["run"]["verdict_reasons"]
    assert {"by_status", "by_area_status", "by_severity_status"} <= results["counts"].keys()
    assert set(results["versions"]) == {"python", "pytest", "playwright", "boto3", "moto", "chromium"}
    assert results["environment"]["function_name"] == "hedgehog-learn-local-api"


def test_counts_are_counted_from_outcomes(make_run) -> None:
    overrides = {"api.me.profile": "failed", "e2e.auth.identity": "error", "load.throttling": "blocked"}
    fx = make_run(overrides)
    results = load(finish_run(fx.run_dir, fx.run, fx.checks, environment=fx.environment, secrets=[]))
    statuses = Counter(c.status for c in fx.checks)
    assert results["counts"]["by_status"] == {s: statuses.get(s, 0) for s in STATUSES}
    assert results["counts"]["total"] == len(fx.checks)
    api = Counter(c.status for c in fx.checks if c.area == "api")
    assert results["counts"]["by_area_status"]["api"] == {s: api.get(s, 0) for s in STATUSES}
    crit = Counter(c.status for c in fx.checks if c.severity == "critical")
    assert results["counts"]["by_severity_status"]["critical"] == {s: crit.get(s, 0) for s in STATUSES}
    assert list(results["counts"]["by_area_status"]) == ["api", "e2e", "infra", "security", "crm", "load"]


def test_manifest_lists_every_file_except_results_and_documents(make_run) -> None:
    fx = make_run()
    outcome = finish_run(fx.run_dir, fx.run, fx.checks, environment=fx.environment, secrets=[])
    artifacts = {a["path"]: a for a in load(outcome)["artifacts"]}
    on_disk = {p.relative_to(fx.run_dir).as_posix() for p in fx.run_dir.rglob("*") if p.is_file()}
    assert set(artifacts) == on_disk - {"results.json", "manifest.json", *DOCUMENT_NAMES}
    png = "evidence/e2e.login.full_flow/01-login-page.png"
    assert artifacts[png]["sha256"] == sha256_file(fx.run_dir / png)
    assert artifacts[png]["bytes"] == (fx.run_dir / png).stat().st_size


def test_evidence_listed_but_never_saved_is_inconclusive(make_run) -> None:
    fx = make_run()
    fx.checks[0].evidence.append("evidence/api.target.gateway_fingerprint/02-GET-missing.txt")
    outcome = finish_run(fx.run_dir, fx.run, fx.checks, environment=fx.environment, secrets=[])
    assert outcome.verdict == "INCONCLUSIVE" and outcome.exit_code == 2
    assert any("02-GET-missing.txt missing" in r for r in outcome.reasons)


def test_invalid_results_are_one_clear_error(make_run) -> None:
    fx = make_run()
    fx.checks[0].status = "green"
    fx.checks.append(fx.checks[1])
    with pytest.raises(ValueError, match=r"status 'green'.*recorded twice"):
        finish_run(fx.run_dir, fx.run, fx.checks, environment=fx.environment, secrets=[])


def test_baseline_diff_new_failures_and_fixed(make_run) -> None:
    before = make_run({"api.me.profile": "failed", "security.headers": "failed"})
    finish_run(before.run_dir, before.run, before.checks, environment=before.environment, secrets=[])
    now = make_run({"security.headers": "failed", "api.callback.success": "error"})
    outcome = finish_run(
        now.run_dir, now.run, now.checks, environment=now.environment, secrets=[], baseline_dir=before.run_dir
    )
    baseline = load(outcome)["baseline"]
    assert baseline["new_failures"] == ["api.callback.success"] and baseline["fixed"] == ["api.me.profile"]
    section = (now.run_dir / "FINAL-REPORT.md").read_text(encoding="utf-8").split("## Changes vs baseline", 1)[1]
    assert "New failures: `api.callback.success`" in section and "Fixed: `api.me.profile`" in section


def test_unreadable_baseline_is_one_clear_error(make_run, tmp_path) -> None:
    fx = make_run()
    with pytest.raises(ValueError, match=r"baseline .* not a readable results\.json"):
        finish_run(fx.run_dir, fx.run, fx.checks, environment=fx.environment, secrets=[], baseline_dir=tmp_path)


def test_step_summary_written_when_set(make_run, tmp_path, monkeypatch) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    fx = make_run({"api.me.profile": "failed", "security.headers": "warning"})
    finish_run(fx.run_dir, fx.run, fx.checks, environment=fx.environment, secrets=[])
    text = summary.read_text(encoding="utf-8")
    assert "## Rollout verification: NO-GO (local)" in text
    assert "| ❌ failed | 1 |" in text and "| ⚠️ warning | 2 |" in text
    assert text.index("`api.me.profile` (critical)") < text.index("`security.headers` (low)")
