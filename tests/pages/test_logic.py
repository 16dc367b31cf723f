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
from pages.artifacts import ContextTracer, TracePolicy
from pages.fixtures import CHROMIUM_ARGS, chromium_override
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
    monkeypatch.setattr("pages.fixtures.DEBIAN_CHROMIUM", str(debian))
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
    ("kind", "keep", "delegated", "records"),
    [
        ("local", False, False, True),
        ("aws", False, False, False),
        ("aws", True, False, True),
        ("local", False, True, False),
    ],
)
def test_trace_policy(kind: str, keep: bool, delegated: bool, records: bool) -> None:
    policy = TracePolicy(kind, keep_traces=keep, delegated=delegated)
    assert policy.records is records
    assert policy.keeps(failed=True) is records
    assert policy.keeps(failed=False) is False


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
