"""Integrity: count self-check, manifest tamper, redaction scan, and the gate CLI's exit statuses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reports import finish_run, render
from reports.gate import main as gate_main
from reports.gate import run_gate

SECRET = "tok-LIVE-3f9a1c77e0b24d5e"  # a fake live session token the redaction scan must find


def finished(make_run, overrides=None):
    fx = make_run(overrides)
    return fx, finish_run(fx.run_dir, fx.run, fx.checks, environment=fx.environment, secrets=[SECRET])


def test_count_tables_in_documents_equal_counts_from_outcomes(make_run) -> None:
    from reports.selfcheck import parse_count_tables

    fx, _ = finished(make_run, {"api.me.profile": "failed", "load.throttling": "blocked"})
    summary = (fx.run_dir / "test-results-summary.md").read_text(encoding="utf-8")
    [(key, rows)] = parse_count_tables(summary)
    table = {row[0].split()[-1]: int(row[1]) for row in rows[2:]}
    assert key == "by_status" and table["failed"] == 1 and table["blocked"] == 1
    assert table["passed"] == sum(1 for c in fx.checks if c.status == "passed") and table["total"] == len(fx.checks)
    final = (fx.run_dir / "FINAL-REPORT.md").read_text(encoding="utf-8")
    assert [k for k, _ in parse_count_tables(final)] == ["by_area_status", "by_severity_status"]


def test_tampered_count_table_at_render_time_makes_the_run_inconclusive(make_run, monkeypatch) -> None:
    real = render.render_documents
    calls = []

    def tampering(run_dir: Path, secrets=()):
        paths = real(run_dir, secrets)
        if not calls:  # only the first render lies; the re-render must carry the reason
            doc = run_dir / "test-results-summary.md"
            text = doc.read_text(encoding="utf-8")
            doc.write_text(text.replace("| ❌ failed | 0 |", "| ❌ failed | 3 |"), encoding="utf-8")
        calls.append(run_dir)
        return paths

    monkeypatch.setattr("reports.finish.render_documents", tampering)
    fx, outcome = finished(make_run)
    assert outcome.verdict == "INCONCLUSIVE" and outcome.exit_code == 2 and len(calls) == 2
    assert any("count-self-check" in r and "[failed][count] shows 3" in r for r in outcome.reasons)
    assert not (fx.run_dir / "production-deployment-confirmation.md").exists()
    assert "count-self-check" in (fx.run_dir / "FINAL-REPORT.md").read_text(encoding="utf-8")


def test_gate_accepts_an_untouched_run(make_run) -> None:
    fx, outcome = finished(make_run)
    result = run_gate(fx.run_dir)
    assert outcome.verdict == result.verdict == "GO" and result.exit_code == 0


def test_gate_catches_an_edited_document_count(make_run) -> None:
    fx, _ = finished(make_run, {"api.me.profile": "failed"})
    doc = fx.run_dir / "FINAL-REPORT.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("| api | ", "| api | 9"), encoding="utf-8")
    result = run_gate(fx.run_dir)
    assert result.exit_code == 2 and "count-self-check" in result.reasons[0]


@pytest.mark.parametrize("tamper", ["modify", "delete", "add"])
def test_gate_catches_manifest_tampering(make_run, tamper: str) -> None:
    fx, _ = finished(make_run)
    transcript = fx.run_dir / "evidence/api.me.profile/01-GET-auth-me.txt"
    if tamper == "modify":
        transcript.write_text("HTTP/1.1 200 OK\n", encoding="utf-8")
    elif tamper == "delete":
        transcript.unlink()
    else:
        (fx.run_dir / "evidence/late.txt").write_text("added afterwards", encoding="utf-8")
    result = run_gate(fx.run_dir)
    assert result.verdict == "INCONCLUSIVE" and result.exit_code == 2
    assert "manifest" in result.reasons[0]


@pytest.mark.parametrize("tamper", ["edit", "delete"])
def test_gate_catches_a_manifest_json_that_no_longer_matches_results(make_run, tamper: str) -> None:
    fx, _ = finished(make_run)
    path = fx.run_dir / "manifest.json"
    if tamper == "edit":
        path.write_text(path.read_text(encoding="utf-8").replace('"bytes": ', '"bytes": 1', 1), encoding="utf-8")
    else:
        path.unlink()
    result = run_gate(fx.run_dir)
    assert result.exit_code == 2 and "manifest" in result.reasons[0]
    assert ("differs from results.json artifacts" if tamper == "edit" else "manifest.json missing") in result.reasons[0]


def test_gate_catches_an_edited_verdict(make_run) -> None:
    fx, _ = finished(make_run, {"api.me.profile": "failed"})
    path = fx.run_dir / "results.json"
    results = json.loads(path.read_text(encoding="utf-8"))
    results["run"]["verdict"] = "GO"
    path.write_text(json.dumps(results), encoding="utf-8")
    result = run_gate(fx.run_dir)
    assert result.exit_code == 2
    assert result.reasons[0] == "gate: recorded verdict GO contradicts the outcomes (NO-GO)"


def test_gate_catches_a_flipped_status_through_the_counts(make_run) -> None:
    fx, _ = finished(make_run, {"api.me.profile": "failed"})
    path = fx.run_dir / "results.json"
    results = json.loads(path.read_text(encoding="utf-8"))
    next(c for c in results["checks"] if c["id"] == "api.me.profile")["status"] = "passed"
    path.write_text(json.dumps(results), encoding="utf-8")
    assert run_gate(fx.run_dir).exit_code == 2


def test_gate_on_a_directory_without_results(tmp_path: Path, capsys) -> None:
    assert gate_main([str(tmp_path)]) == 2
    assert "does not exist: not a run directory" in capsys.readouterr().out


@pytest.mark.parametrize(("overrides", "code"), [({}, 0), ({"api.me.profile": "failed"}, 1)])
def test_gate_cli_exit_status_and_one_line(make_run, overrides, code) -> None:
    fx, outcome = finished(make_run, overrides)
    done = subprocess.run(
        [sys.executable, "-m", "reports.gate", str(fx.run_dir)], capture_output=True, text=True, check=False
    )
    assert done.returncode == code == outcome.exit_code
    assert done.stdout.count("\n") == 1 and done.stdout.startswith(f"{outcome.verdict} {fx.run.id}: ")


def test_render_cli_rerenders_identically(make_run) -> None:
    fx, outcome = finished(make_run, {"api.me.profile": "failed"})
    before = {p.name: p.read_text(encoding="utf-8") for p in outcome.documents}
    for p in outcome.documents:
        p.unlink()
    done = subprocess.run(
        [sys.executable, "-m", "reports.render", str(fx.run_dir)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert {name: (fx.run_dir / name).read_text(encoding="utf-8") for name in before} == before
    assert run_gate(fx.run_dir).exit_code == 1


def test_redaction_scan_finds_a_planted_secret_and_never_prints_it(make_run, capsys, tmp_path, monkeypatch) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    fx = make_run()
    leaked = fx.run_dir / "evidence/api.me.profile/02-GET-progress-read.txt"
    leaked.write_text(f"GET /progress/read\nCookie: hhl_access_token={SECRET}\n", encoding="utf-8")
    fx.checks[4].message = f"token {SECRET} was rejected"  # also leaked into a result field
    outcome = finish_run(fx.run_dir, fx.run, fx.checks, environment=fx.environment, secrets=[SECRET, ""])
    assert outcome.verdict == "INCONCLUSIVE" and outcome.exit_code == 2
    reasons = " ".join(outcome.reasons)
    assert "evidence/api.me.profile/02-GET-progress-read.txt contains a live secret" in reasons
    assert "api.me.profile carried a live secret (masked)" in reasons
    written = [p for p in fx.run_dir.rglob("*") if p.is_file() and p != leaked]
    assert all(SECRET not in p.read_text(encoding="utf-8", errors="replace") for p in written)
    assert SECRET not in summary.read_text(encoding="utf-8")
    gate_main([str(fx.run_dir)])
    captured = capsys.readouterr()
    assert SECRET not in captured.out + captured.err + reasons


def test_url_encoded_secret_is_found(make_run) -> None:
    fx = make_run()
    secret = "p@ss word/1"
    (fx.run_dir / "evidence/api.me.profile/03.txt").write_text("password=p%40ss%20word%2F1", encoding="utf-8")
    outcome = finish_run(fx.run_dir, fx.run, fx.checks, environment=fx.environment, secrets=[secret])
    assert outcome.verdict == "INCONCLUSIVE" and any("03.txt contains a live secret" in r for r in outcome.reasons)
