"""checks.retry through HttpClient: transient answers (429, gateway 502-504) are retried with a bound, every
attempt stays in the evidence, and one that persists is TargetUnavailable (`error`), never a failure."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from checks.errors import CLEAR_ERRORS, CheckFailure, HarnessError, TargetUnavailable
from checks.evidence import Evidence
from checks.http import HttpClient
from checks.retry import NO_RETRY, RetryPolicy, is_transient, parse_retry_after, send_with_retry

FAST = RetryPolicy(base_delay_s=0.001, max_delay_s=0.01)


def _client(tmp_path: Path, answers: list[httpx.Response], check_id: str = "api.me.profile", **kwargs) -> HttpClient:
    """An HttpClient whose target answers `answers` in turn (the last one repeats)."""
    queue: Iterator[httpx.Response] = iter(answers)
    last: list[httpx.Response] = []

    def handler(request: httpx.Request) -> httpx.Response:
        answer = next(queue, None) or last[-1]
        last.append(answer)
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)

    client = HttpClient("http://target.test", evidence=Evidence(tmp_path, check_id), **kwargs)
    client._client = httpx.Client(transport=httpx.MockTransport(handler), follow_redirects=False)
    return client


def _transcripts(client: HttpClient) -> list[str]:
    assert client.evidence is not None
    return sorted(p for p in client.evidence.files() if p.endswith("-GET-auth-me.txt"))


def test_429_with_retry_after_then_200_passes_with_both_attempts_transcribed(tmp_path: Path) -> None:
    answers = [
        httpx.Response(429, headers={"Retry-After": "0"}, json={"message": "Too Many Requests"}),
        httpx.Response(200, json={"ok": True}),
    ]
    with _client(tmp_path, answers, retry=FAST) as client:
        response = client.get("/auth/me")
        assert response.status == 200 and response.json() == {"ok": True}
        files = _transcripts(client)
        assert [Path(f).name for f in files] == ["01-GET-auth-me.txt", "02-GET-auth-me.txt"]
        assert "< HTTP/1.1 429" in (tmp_path / files[0]).read_text()
        assert "< HTTP/1.1 200" in (tmp_path / files[1]).read_text()
        assert client.evidence is not None
        assert any("answered 429 (transient: throttled); retry 1 of 2" in n for n in client.evidence.notes)


def test_retry_after_is_honoured_and_capped() -> None:
    waits: list[float] = []
    answers = iter([_FakeAnswer(429, {"retry-after": "2"}), _FakeAnswer(429, {"retry-after": "60"}), _ok()])
    result = send_with_retry(lambda: next(answers), RetryPolicy(max_delay_s=4.0), sleep=waits.append)
    assert result.status == 200
    assert waits == [2.0, 4.0]  # as asked, then capped


def test_backoff_is_jittered_exponential_and_the_total_wait_bounded() -> None:
    waits: list[float] = []
    policy = RetryPolicy(tries=6, base_delay_s=1.0, max_delay_s=4.0, total_wait_s=10.0, rng=random.Random(7))
    with pytest.raises(TargetUnavailable):
        send_with_retry(lambda: _FakeAnswer(503, {}, body=None), policy, sleep=waits.append)
    assert 0.5 <= waits[0] < 1.5 and 1.0 <= waits[1] < 3.0  # base × 2^(n-1) × [0.5, 1.5)
    assert sum(waits) <= 10.0 + 1e-9 and all(w <= 4.0 for w in waits)


def test_persistent_503_is_target_unavailable_an_error_not_a_failure(tmp_path: Path) -> None:
    answers = [httpx.Response(503, json={"message": "Service Unavailable"})]
    with _client(tmp_path, answers, retry=FAST) as client, pytest.raises(TargetUnavailable) as caught:
        client.get("/auth/me")
    assert isinstance(caught.value, HarnessError) and not isinstance(caught.value, CheckFailure)
    assert isinstance(caught.value, CLEAR_ERRORS)
    message = str(caught.value)
    assert message.startswith("target unavailable: http://target.test/auth/me")
    assert "503, 503, 503 in 3 tries" in message
    assert len(_transcripts(client)) == 3  # every attempt is evidence


def test_application_5xx_is_the_targets_answer_not_retried(tmp_path: Path) -> None:
    # The backend's own 502 (SPEC §3.9 envelope): a result for the check to judge, e.g. idp.jwks_unreachable.
    answers = [httpx.Response(502, json={"error": "Identity provider unavailable"})]
    with _client(tmp_path, answers, retry=FAST) as client:
        assert client.get("/auth/me").status == 502
        assert len(_transcripts(client)) == 1


@pytest.mark.parametrize("status", [400, 401, 404, 500])
def test_other_statuses_are_never_retried(tmp_path: Path, status: int) -> None:
    with _client(tmp_path, [httpx.Response(status, json={"message": "x"})], retry=FAST) as client:
        assert client.get("/auth/me").status == status
        assert len(_transcripts(client)) == 1


def test_load_checks_see_the_429_itself(tmp_path: Path) -> None:
    answers = [httpx.Response(429, json={"message": "Too Many Requests"}), httpx.Response(200, json={})]
    with _client(tmp_path, answers, check_id="load.throttling") as client:
        assert client.retry_policy() is NO_RETRY
        assert client.get("/auth/me").status == 429
    with _client(tmp_path / "b", answers, check_id="api.me.profile", retry=NO_RETRY) as client:
        assert client.get("/auth/me").status == 429  # the constructor flag, for clients without evidence


def test_retry_after_forms() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # a date in the past: now
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


class _FakeAnswer:
    def __init__(self, status: int, headers: dict[str, str], body: object = None) -> None:
        self.status, self.headers, self._body = status, headers, body
        self.method, self.url = "GET", "http://target.test/x"

    def json_or_none(self) -> object:
        return self._body

    def describe(self) -> str:
        return f"{self.status}"


def _ok() -> _FakeAnswer:
    return _FakeAnswer(200, {})


def test_is_transient_reads_the_body() -> None:
    policy = RetryPolicy()
    assert is_transient(_FakeAnswer(429, {}, {"error": "x"}), policy)  # a throttle whatever the body
    assert is_transient(_FakeAnswer(504, {}, None), policy)  # an HTML or empty gateway page
    assert not is_transient(_FakeAnswer(503, {}, {"error": "server_error"}), policy)
