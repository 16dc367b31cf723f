"""Pure logic of the page objects and fixtures: launch options, URLs, trace policy, API readers, cookie rules."""

from __future__ import annotations

import zipfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from checks.errors import CheckFailure
from checks.evidence import Evidence
from pages import SiteUrls, StateMismatch, enrolled_course_slugs, fail_if, find_module_progress
from pages.api import ApiRead
from pages.artifacts import SENSITIVE_NOTE_FILE, ContextTracer, TracePolicy, guard_trace
from pages.browser_fixtures import CHROMIUM_ARGS, chromium_override
from pages.session import cookie_problems


def test_chromium_override_prefers_playwrights_own_browser(tmp_path: Path) -> None:
    own = tmp_path / "chrome"
    own.write_text("")
    assert chromium_override(str(own), {}) == {}


def test_chromium_override_uses_hhl_chromium_even_when_playwrights_exists(tmp_path: Path) -> None:
    own, system = tmp_path / "chrome", tmp_path / "chromium"
    own.write_text("")
    system.write_text("")
    options = chromium_override(str(own), {"HHL_CHROMIUM": str(system)})
    assert options == {"executable_path": str(system), "args": list(CHROMIUM_ARGS)}


def test_chromium_override_falls_back_to_debian_chromium(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    debian = tmp_path / "debian-chromium"
    debian.write_text("")
    monkeypatch.setattr("pages.browser_fixtures.DEBIAN_CHROMIUM", str(debian))
    assert chromium_override(str(tmp_path / "missing"), {})["executable_path"] == str(debian)


def test_chromium_override_without_any_browser_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(pytest.UsageError, match="HHL_CHROMIUM"):
        chromium_override(str(tmp_path / "missing"), {"HHL_CHROMIUM": str(tmp_path / "nope")})


def test_site_urls_cache_buster_only_on_aws() -> None:
    assert SiteUrls("http://localhost:8400").course("c") == "http://localhost:8400/learn/courses/c"
    busted = SiteUrls("https://hedgehog.cloud/", cache_bust=True).page("/learn/my-learning?x=1")
    parts = urlsplit(busted)
    assert parts.path == "/learn/my-learning"
    query = parse_qs(parts.query)
    assert query["x"] == ["1"] and query["hsCacheBuster"][0].isdigit() and len(query["hsCacheBuster"][0]) == 13


@pytest.mark.parametrize(
    ("kind", "keep", "tracing", "records", "keeps_passed", "refused"),
    [
        ("local", False, "off", True, False, False),
        ("aws", False, "off", False, False, False),
        ("aws", True, "off", True, False, False),
        ("local", False, "on", True, True, False),  # --tracing on: kept on success too, through our guard
        ("local", False, "retain-on-failure", True, False, False),
        ("aws", False, "on", False, False, True),  # dev/prod traces need --keep-traces, whatever asked
        ("aws", True, "on", True, True, False),
    ],
)
def test_trace_policy(kind: str, keep: bool, tracing: str, records: bool, keeps_passed: bool, refused: bool) -> None:
    policy = TracePolicy(kind, keep_traces=keep, tracing=tracing)
    assert policy.records is records
    assert policy.keeps(failed=True) is records
    assert policy.keeps(failed=False) is keeps_passed
    assert bool(policy.refused) is refused


def test_find_module_progress_anywhere_in_the_hierarchy() -> None:
    row = {"started": True, "completed": False}
    body = {"mode": "authenticated", "progress": {"p": {"courses": {"c": {"modules": {"m1": row}}}}}}
    assert find_module_progress(ApiRead("u", 200, body), "m1") == row
    assert find_module_progress(ApiRead("u", 200, body), "m2") is None
    assert find_module_progress(ApiRead("u", 200, {"mode": "anonymous"}), "m1") is None
    assert find_module_progress(ApiRead("u", 404, None), "m1") is None


def test_enrolled_course_slugs() -> None:
    body = {"enrollments": {"courses": [{"slug": "a"}, {"slug": "b"}], "pathways": [{"slug": "p"}]}}
    assert enrolled_course_slugs(ApiRead("u", 200, body)) == ["a", "b"]
    assert enrolled_course_slugs(ApiRead("u", 401, {"error": "Unauthorized"})) == []


HEALTHY = [
    {"name": "hhl_access_token", "httpOnly": True, "secure": True, "sameSite": "Strict", "path": "/"},
    {"name": "hhl_refresh_token", "httpOnly": True, "secure": True, "sameSite": "Strict", "path": "/auth"},
]


def test_cookie_rules_pass_on_spec_cookies() -> None:
    assert cookie_problems(HEALTHY, ["_ga"]) == []


@pytest.mark.parametrize(
    ("cookies", "visible", "expected"),
    [
        ([{**HEALTHY[0], "httpOnly": False}, HEALTHY[1]], ["hhl_access_token"], "document.cookie exposes"),
        ([{**HEALTHY[0], "sameSite": "Lax"}, HEALTHY[1]], [], "hhl_access_token has {'sameSite': 'Lax'}"),
        ([HEALTHY[0], {**HEALTHY[1], "path": "/"}], [], "hhl_refresh_token has {'path': '/'}"),
        ([HEALTHY[0]], [], "no hhl_refresh_token cookie"),
    ],
)
def test_cookie_rules_fail_on_defects(cookies: list[dict], visible: list[str], expected: str) -> None:
    assert any(expected in problem for problem in cookie_problems(cookies, visible))


def test_fail_if_and_state_mismatch_messages() -> None:
    fail_if([])
    with pytest.raises(CheckFailure, match="a; b"):
        fail_if(["a", "b"])
    message = str(StateMismatch("button#hhl-enroll-button (signed-in CTA)", "#hhl-enroll-login 'Sign in'", url="u"))
    expected = "expected button#hhl-enroll-button (signed-in CTA) but the page shows #hhl-enroll-login 'Sign in'"
    assert message == f"{expected} (u)"


def test_tracer_never_keeps_a_chunk_holding_the_forbidden_credential(tmp_path: Path) -> None:
    tracer = ContextTracer(TracePolicy("local"), title="t")
    tracer.forbid("s3cret pass")
    for index, body in enumerate([b"clean", b"password=s3cret%20pass"], start=1):
        chunk = tmp_path / f"chunk-{index}.zip"
        with zipfile.ZipFile(chunk, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("trace.network", body)
        tracer.chunks.append(chunk)
    kept = tracer.finish(Evidence(tmp_path / "run", "e2e.login.full_flow"), failed=True)
    assert [path.name for path in kept] == ["trace-1.zip"]
    assert oct(kept[0].stat().st_mode & 0o777) == "0o600"


JWT = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ1c2VyLTEiLCJ0b2tlbl91c2UiOiJhY2Nlc3MifQ.c2lnbmF0dXJlLXBhcnQ"


def _trace(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def test_guard_redacts_a_planted_token_and_keeps_the_trace_readable(tmp_path: Path) -> None:
    network = (
        '{"request":{"headers":[{"name":"Cookie","value":"hhl_access_token='
        + JWT
        + '; hhl_refresh_token=opaque-r3fresh"}],'
        '"cookies":[{"name":"hhl_refresh_token","value":"opaque-r3fresh"}]},"note":"plain ' + JWT + '"}\n'
    )
    source = _trace(tmp_path / "chunk.zip", {"trace.network": network.encode(), "shot.jpeg": b"\xff\xd8\xff binary"})
    kept = guard_trace(source, tmp_path / "ev" / "trace.zip", forbidden=[], secrets=["opaque-r3fresh"])
    assert kept.path is not None and kept.dropped == ""
    raw = kept.path.read_bytes()  # stored, not deflated: the run's final byte scan sees inside
    assert b"eyJ" not in raw and b"opaque-r3fresh" not in raw
    with zipfile.ZipFile(kept.path) as archive:
        assert archive.read("shot.jpeg") == b"\xff\xd8\xff binary"
        text = archive.read("trace.network").decode()
    assert '"name":"Cookie","value":"hhl_access_token=[REDACTED]' in text
    assert oct(kept.path.stat().st_mode & 0o777) == "0o600"


def test_guard_drops_a_trace_a_secret_survives_in(tmp_path: Path) -> None:
    # A secret the text rules cannot see (inside a binary entry) is still found by the final scan of the archive.
    source = _trace(tmp_path / "chunk.zip", {"blob.bin": b"\xff\xfe live-secret-value \xff"})
    result = guard_trace(source, tmp_path / "ev" / "trace.zip", forbidden=[], secrets=["live-secret-value"])
    assert result.path is None and "survived" in result.dropped
    assert not (tmp_path / "ev" / "trace.zip").exists()


def test_tracer_keeps_passed_traces_under_tracing_on_with_a_sensitive_note(tmp_path: Path) -> None:
    tracer = ContextTracer(TracePolicy("local", tracing="on"), title="t")
    tracer.chunks.append(_trace(tmp_path / "c.zip", {"trace.trace": b'{"type":"before"}'}))
    evidence = Evidence(tmp_path / "run", "e2e.anon.pages")
    kept = tracer.finish(evidence, failed=False)
    assert [p.name for p in kept] == ["trace.zip"]
    assert sorted(evidence.files()) == [
        "evidence/e2e.anon.pages/trace-SENSITIVE.txt",
        "evidence/e2e.anon.pages/trace.zip",
    ]
    assert (evidence.directory / SENSITIVE_NOTE_FILE).read_text().startswith("SENSITIVE")


def test_tracing_on_never_writes_pytest_playwrights_own_trace(pytester: pytest.Pytester) -> None:
    """`--tracing on` goes through our recorder (pages.browser_fixtures._artifacts_recorder): pytest-playwright's own
    recorder would write `test-results/<test>/trace.zip`, unguarded, outside the run directory."""
    pytester.makepyfile(
        test_one="""
        from pages.browser_fixtures import GuardedArtifactsRecorder

        def test_page(page, _artifacts_recorder):
            assert isinstance(_artifacts_recorder, GuardedArtifactsRecorder)
            page.set_content("<h1>hi</h1>")
        """
    )
    result = pytester.runpytest_subprocess("--tracing", "on", "-p", "no:randomly", "-p", "no:xdist")
    result.assert_outcomes(passed=1)
    assert not list(pytester.path.rglob("trace*.zip"))
