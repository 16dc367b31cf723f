"""A finding shows the evidence that failed: the transcript each differing key was judged on (not the first one of
the check), only the keys that differ, in full, and the failure screenshot of a browser check."""

from __future__ import annotations

from pathlib import Path

from reports import finish_run
from reports.context import diff_rows, failing_transcripts, failure_evidence

SITE = "http://localhost:8400"
CASES = {"absolute URL": "/learn", "protocol-relative": "//evil.com", "backslash": "/learn", "CR/LF": "/learn"}


def _probe_transcripts(run_dir: Path, check_id: str) -> list[str]:
    """Four login cases of five exchanges each, as security.login.open_redirect leaves them; one case leaks."""
    folder = run_dir / "evidence" / check_id
    folder.mkdir(parents=True, exist_ok=True)
    paths, n = [], 0
    for label, landing in CASES.items():
        for step in ("GET-auth-login", "GET-oauth2-authorize", "GET-login", "POST-login", "GET-auth-callback"):
            n += 1
            location = f"{SITE}{landing}" if step == "GET-auth-callback" else "http://127.0.0.1:8402/login"
            text = (
                f"# curl -sS -i -X GET 'http://localhost:8401/{step}'\n\n> GET /{step} HTTP/1.1\n> host: x\n>\n\n"
                f"< HTTP/1.1 302 Found\n< location: {location}\n< x-case: {label}\n<\n"
            )
            (folder / f"{n:02d}-{step}.txt").write_text(text, encoding="utf-8")
            paths.append(f"evidence/{check_id}/{n:02d}-{step}.txt")
    return paths


def _check(run_dir: Path) -> dict:
    cid = "security.login.open_redirect"
    return {
        "id": cid,
        "status": "failed",
        "expected": {label: f"{SITE}/learn" for label in CASES},
        "actual": {label: f"{SITE}{landing}" for label, landing in CASES.items()},
        "evidence": _probe_transcripts(run_dir, cid),
    }


def test_the_leaking_case_is_pointed_at_not_the_first_transcript(tmp_path: Path) -> None:
    check = _check(tmp_path)
    rows = diff_rows(check["expected"], check["actual"])
    assert [r["key"] for r in rows] == ["protocol-relative"]
    judged = failing_transcripts(tmp_path, check, rows)
    assert [j["path"].rsplit("/", 1)[-1] for j in judged] == ["10-GET-auth-callback.txt"]
    shown = failure_evidence(tmp_path, check)
    assert shown["diff"][0]["transcript"].endswith("10-GET-auth-callback.txt")
    assert "< location: http://localhost:8400//evil.com   ◀" in shown["excerpts"][0]["text"]
    assert "# curl" not in shown["excerpts"][0]["text"]


def test_diff_shows_whole_values_of_the_differing_keys_only() -> None:
    long_tail = "x" * 400
    expected = {"status": 200, "body": {"ok": True, "note": long_tail}, "same": "y" * 500}
    actual = {"status": 200, "body": {"ok": False, "note": long_tail}, "same": "y" * 500, "extra": 1}
    assert diff_rows(expected, actual) == [{"key": "body.ok", "expected": True, "actual": False}]


def test_without_a_matching_value_the_last_transcript_is_the_evidence(tmp_path: Path) -> None:
    check = _check(tmp_path)
    check["actual"] = {**check["expected"], "absolute URL": "nowhere-to-be-found"}
    judged = failing_transcripts(tmp_path, check, diff_rows(check["expected"], check["actual"]))
    assert judged == [{"key": "", "path": check["evidence"][-1], "why": "the last exchange before the failure"}]


def test_a_failed_browser_check_shows_its_failure_screenshot_and_the_notice_is_no_excerpt(make_run) -> None:
    fx = make_run({"e2e.login.full_flow": "failed"})
    folder = fx.run_dir / "evidence" / "e2e.login.full_flow"
    (folder / "failure-1.png").write_bytes(b"\x89PNG\r\n\x1a\nfail")
    (folder / "trace-SENSITIVE.txt").write_text("SENSITIVE: do not share\n", encoding="utf-8")
    check = next(c for c in fx.checks if c.id == "e2e.login.full_flow")
    check.evidence = sorted(p.relative_to(fx.run_dir).as_posix() for p in folder.iterdir())
    finish_run(fx.run_dir, fx.run, fx.checks, environment=fx.environment, secrets=[])
    summary = (fx.run_dir / "test-results-summary.md").read_text(encoding="utf-8")
    section = summary.split("### `e2e.login.full_flow`", 1)[1].split("## Warnings", 1)[0]
    assert '<img src="evidence/e2e.login.full_flow/failure-1.png"' in section
    assert "do not share" not in section
    final = (fx.run_dir / "FINAL-REPORT.md").read_text(encoding="utf-8")
    blockers = final.split("## Blockers", 1)[1].split("## Findings", 1)[0]
    assert "[the page at the failure](evidence/e2e.login.full_flow/failure-1.png)" in blockers
