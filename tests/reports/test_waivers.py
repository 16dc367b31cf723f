"""Waivers: valid ones turn findings into `waived`; expired, incomplete and preflight waivers are ignored loudly."""

from __future__ import annotations

from datetime import date

from reports import finish_run
from reports.results import CheckResult
from reports.waivers import apply_waivers

TODAY = date(2026, 3, 1)


def result(check_id: str, status: str) -> CheckResult:
    return CheckResult(
        id=check_id, area=check_id.split(".")[0], title="", severity="high", writes="none", status=status
    )


def waiver(check: str, expires: str = "2026-03-31", **extra: str) -> dict[str, str]:
    return {"check": check, "reason": "tracked in HHL-42", "owner": "ops@hedgehog.cloud", "expires": expires, **extra}


def test_valid_waiver_turns_failure_into_waived_with_the_waiver_attached() -> None:
    checks, notes = apply_waivers([result("api.me.silent_refresh", "failed")], [waiver("api.me.silent_refresh")], TODAY)
    assert checks[0].status == "waived" and notes == []
    assert checks[0].waiver == waiver("api.me.silent_refresh")


def test_waiver_expiring_today_still_applies_and_yesterday_does_not() -> None:
    checks, _ = apply_waivers([result("a.b.c", "warning")], [waiver("a.b.c", expires="2026-03-01")], TODAY)
    assert checks[0].status == "waived"
    checks, notes = apply_waivers([result("a.b.c", "warning")], [waiver("a.b.c", expires="2026-02-28")], TODAY)
    assert checks[0].status == "warning" and notes == ["waiver for a.b.c ignored: expired on 2026-02-28"]


def test_target_checks_cannot_be_waived() -> None:
    target = "api.target.gateway_fingerprint"
    checks, notes = apply_waivers([result(target, "failed")], [waiver(target)], TODAY)
    assert checks[0].status == "failed" and "cannot be waived" in notes[0]


def test_incomplete_or_malformed_waivers_are_ignored() -> None:
    incomplete = {"check": "a.b.c", "reason": "x", "expires": "2026-12-01"}
    malformed = waiver("a.b.c", expires="next week")
    checks, notes = apply_waivers([result("a.b.c", "failed")], [incomplete, malformed], TODAY)
    assert checks[0].status == "failed"
    assert notes == [
        "waiver for a.b.c ignored: missing owner",
        "waiver for a.b.c ignored: expires is not a YYYY-MM-DD date",
    ]


def test_waiver_never_touches_passed_error_or_blocked_checks_and_matches_parametrized_ids() -> None:
    checks = [result("a.b.c", s) for s in ("passed", "error", "blocked")]
    param = CheckResult(
        id="a.b.c[x]", check_id="a.b.c", area="a", title="", severity="high", writes="none", status="failed"
    )
    applied, _ = apply_waivers([*checks, param], [waiver("a.b.c")], TODAY)
    assert [c.status for c in applied] == ["passed", "error", "blocked", "waived"]


def test_finish_run_applies_waivers_and_reports_expired_ones(make_run) -> None:
    fx = make_run({"api.login.fresh_pkce": "failed", "api.callback.bad_state": "failed"})
    fx.environment["waivers"] = [
        waiver("api.login.fresh_pkce"),
        waiver("api.callback.bad_state", expires="2026-01-01"),
    ]
    outcome = finish_run(fx.run_dir, fx.run, fx.checks, environment=fx.environment, secrets=[])
    assert outcome.verdict == "NO-GO"  # the expired waiver leaves a high failure
    assert "blocking-failure" in outcome.reasons[0] and "api.callback.bad_state" in outcome.reasons[0]
    assert "api.login.fresh_pkce" not in outcome.reasons[0]
    assert "warning: waiver for api.callback.bad_state ignored: expired on 2026-01-01" in outcome.reasons
    final = (fx.run_dir / "FINAL-REPORT.md").read_text(encoding="utf-8")
    assert "`api.login.fresh_pkce`: tracked in HHL-42 (owner ops@hedgehog.cloud, expires 2026-03-31)" in final


def test_finish_run_waived_high_failure_goes_and_confirmation_lists_the_waiver(make_run) -> None:
    fx = make_run({"api.login.fresh_pkce": "failed"})
    fx.environment["waivers"] = [waiver("api.login.fresh_pkce")]
    outcome = finish_run(fx.run_dir, fx.run, fx.checks, environment=fx.environment, secrets=[])
    assert outcome.verdict == "GO" and outcome.exit_code == 0
    text = (fx.run_dir / "production-deployment-confirmation.md").read_text(encoding="utf-8")
    assert "`api.login.fresh_pkce`: tracked in HHL-42 (owner ops@hedgehog.cloud, expires 2026-03-31)" in text


def test_finish_run_target_waiver_is_ignored(make_run) -> None:
    fx = make_run({"api.target.gateway_fingerprint": "failed"})
    fx.environment["waivers"] = [waiver("api.target.gateway_fingerprint")]
    outcome = finish_run(fx.run_dir, fx.run, fx.checks, environment=fx.environment, secrets=[])
    assert outcome.verdict == "INCONCLUSIVE" and outcome.exit_code == 2
