"""A curl-style HTTP client for the suites: redirects are results (never followed), every exchange is written to
the check's evidence as `NN-<METHOD>-<path>.txt` (curl command, request, status, headers, body ≤ 64 KiB,
redacted), cookies are carried explicitly, and bodies are parsed as JSON by content, not by Content-Type.

>>> api = HttpClient("http://localhost:8401", evidence=evidence)   # doctest: +SKIP
>>> r = api.get("/auth/me")
>>> r.status, r.json()["error"]
(401, 'Unauthorized: Missing access token')
"""

from __future__ import annotations

import json as jsonlib
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from checks.errors import CheckFailure, TargetUnreachable
from checks.evidence import Evidence
from checks.redaction import excerpt, redact_text, register_tokens
from checks.retry import NO_RETRY, RetryPolicy, send_with_retry

__all__ = ["HttpClient", "Response", "SetCookie", "parse_set_cookie", "parse_set_cookies"]

MAX_BODY_BYTES = 64 * 1024
BODY_EXCERPT_CHARS = 120  # of a body in a message
USER_AGENT = "hhl-rollout-harness/0.1"
_UNSET: Any = object()
DEFAULT_RETRY = RetryPolicy()
RUN_HEADER = "X-Hhl-Run"  # names the run to a local sandbox: each run gets its own emulated stage throttle
_RUN_HEADERS: dict[str, str] = {}


def name_the_run(run_id: str | None) -> None:
    """Kind local only: every HttpClient made from now on in this process sends `X-Hhl-Run: <run_id>`, so a
    sandbox shared by concurrent runs throttles each run in its own bucket (sandbox.compose.StagePerRun). None
    stops it."""
    _RUN_HEADERS.clear()
    if run_id:
        _RUN_HEADERS[RUN_HEADER] = run_id


_HTML_MARKERS = re.compile(r"(?i)<!doctype html|<html|<head|<body|hs-scripts|hubspot|hs_cos_wrapper")


@dataclass(frozen=True)
class SetCookie:
    """One Set-Cookie header: `attributes` has lower-cased names; flags (HttpOnly, Secure) map to ''."""

    name: str
    value: str
    attributes: dict[str, str] = field(default_factory=dict)

    def has(self, attribute: str) -> bool:
        return attribute.lower() in self.attributes

    def get(self, attribute: str) -> str | None:
        return self.attributes.get(attribute.lower())

    @property
    def max_age(self) -> int | None:
        value = self.get("max-age")
        return int(value) if value is not None and value.lstrip("-").isdigit() else None

    @property
    def clears(self) -> bool:
        """A clearing header: empty value and Max-Age=0 (or an expiry in the past, which we do not parse)."""
        return self.value in ("", '""') and (self.max_age is not None and self.max_age <= 0)


def parse_set_cookie(header: str) -> SetCookie:
    first, *attrs = header.split(";")
    name, _, value = first.partition("=")
    attributes = {}
    for attr in attrs:
        key, _, val = attr.strip().partition("=")
        if key:
            attributes[key.lower()] = val.strip()
    return SetCookie(name.strip(), value.strip(), attributes)


def parse_set_cookies(headers: list[str]) -> dict[str, SetCookie]:
    """name → SetCookie (the last header wins when a name repeats, as in a browser)."""
    return {cookie.name: cookie for cookie in map(parse_set_cookie, headers)}


class Response:
    """An httpx response with the assertions' helpers; `transcript` is the evidence file of the exchange."""

    def __init__(self, raw: httpx.Response, transcript: Path | None) -> None:
        self.raw = raw
        self.transcript = transcript
        self.status = raw.status_code
        self.headers = raw.headers
        self.method = raw.request.method
        self.url = str(raw.request.url)

    @property
    def text(self) -> str:
        return self.raw.text

    @property
    def content_type(self) -> str:
        """The media type alone, lower-cased (`application/json`), or ''."""
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def location(self) -> str | None:
        return self.headers.get("location")

    @property
    def set_cookies(self) -> dict[str, SetCookie]:
        return parse_set_cookies(self.headers.get_list("set-cookie"))

    @property
    def looks_like_html(self) -> bool:
        """HTML or CMS markers in the body: the base URL answers as a web page, not as the API."""
        return self.content_type == "text/html" or bool(_HTML_MARKERS.search(self.text[:4096]))

    def json_or_none(self) -> Any:
        try:
            return jsonlib.loads(self.raw.content)
        except ValueError:
            return None

    def json(self) -> Any:
        """The body parsed as JSON whatever the Content-Type (the real API sends text/plain); a non-JSON body is a
        failure naming the exchange, never a bare JSONDecodeError."""
        try:
            return jsonlib.loads(self.raw.content)
        except ValueError:
            raise CheckFailure(f"{self.method} {self.url}: body is not JSON: {self.describe()}") from None

    def describe(self) -> str:
        """One line for messages: status, content type and a body excerpt (redacted before it is cut)."""
        return f"{self.status} {self.content_type or 'no content type'} {excerpt(self.text, BODY_EXCERPT_CHARS)!r}"


def _slug(path: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-")
    return slug[:60] or "root"


def _curl(request: httpx.Request) -> str:
    parts = ["curl", "-sS", "-i", "-X", request.method, str(request.url)]
    for name, value in request.headers.multi_items():
        if name.lower() not in ("host", "content-length", "accept-encoding", "connection", "user-agent"):
            parts += ["-H", f"{name}: {value}"]
    if request.content:
        parts += ["--data-raw", request.content.decode("utf-8", "replace")]
    return shlex.join(parts)


def _request_text(request: httpx.Request) -> list[str]:
    target = request.url.raw_path.decode("ascii", "replace")
    lines = [f"> {request.method} {target} HTTP/1.1"]
    lines += [f"> {name}: {value}" for name, value in request.headers.multi_items()]
    lines.append(">")
    if request.content:
        lines.append(request.content.decode("utf-8", "replace"))
    return lines


def _response_text(response: httpx.Response) -> list[str]:
    lines = [f"< HTTP/1.1 {response.status_code} {response.reason_phrase}"]
    lines += [f"< {name}: {value}" for name, value in response.headers.multi_items()]
    lines.append("<")
    body = response.content[:MAX_BODY_BYTES].decode("utf-8", "replace")
    if len(response.content) > MAX_BODY_BYTES:
        body += f"\n[... truncated: {len(response.content) - MAX_BODY_BYTES} more bytes]"
    lines.append(body)
    return lines


class HttpClient:
    """Requests to `base_url` (absolute URLs go elsewhere unchanged). `cookies` are sent on every request, as a
    browser would on localhost: Python cookie jars drop Secure cookies over http://, so they are carried by hand."""

    def __init__(
        self,
        base_url: str,
        *,
        evidence: Evidence | None = None,
        timeout: float = 10.0,
        cookies: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.retry = retry  # None: checks.retry's default, off for load checks (see retry_policy)
        self.evidence = evidence
        self.cookies: dict[str, str] = dict(cookies or {})
        self.headers = {"User-Agent": USER_AGENT, **_RUN_HEADERS, **(headers or {})}
        # trust_env off: a proxy from the environment would change what "the target answered" means.
        self._client = httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False)

    def url(self, path_or_url: str) -> str:
        if path_or_url.startswith(("http://", "https://")):
            return path_or_url
        return f"{self.base_url}/{path_or_url.lstrip('/')}"

    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        cookies: Mapping[str, str] | None = None,
        json: Any = _UNSET,
        data: Mapping[str, Any] | None = None,
        content: str | bytes | None = None,
    ) -> Response:
        all_headers = {**self.headers, **(headers or {})}
        jar = {**self.cookies, **(cookies or {})}
        if jar:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
        request = httpx.Request(
            method.upper(),
            self.url(path_or_url),
            params=params,
            headers=all_headers,
            json=None if json is _UNSET else json,
            data=data,
            content=content,
        )
        note = self.evidence.note if self.evidence is not None else None
        return send_with_retry(lambda: self._send(request), self.retry_policy(), note=note)

    def retry_policy(self) -> RetryPolicy:
        """Transient answers (429, gateway 502-504) are retried (checks.retry), except in load checks, which
        measure throttling and latency: a client recording into a `load.*` check's evidence never retries."""
        if self.retry is not None:
            return self.retry
        if self.evidence is not None and self.evidence.check_id.startswith("load."):
            return NO_RETRY
        return DEFAULT_RETRY

    def _send(self, request: httpx.Request) -> Response:
        """One exchange, transcribed (each retry of a request is one more call)."""
        try:
            raw = self._client.send(request)
        except httpx.TransportError as exc:
            reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            self._write(request, None, f"! {reason}")
            raise TargetUnreachable(str(request.url), redact_text(reason)) from None
        # Any token that crossed the wire is a secret from now on, wherever a message may cut it.
        sent = request.content.decode("utf-8", "replace") if request.content else None
        register_tokens(str(request.url), *request.headers.values(), sent, *raw.headers.values(), raw.text)
        return Response(raw, self._write(request, raw, None))

    def get(self, path_or_url: str, **kwargs: Any) -> Response:
        return self.request("GET", path_or_url, **kwargs)

    def post(self, path_or_url: str, **kwargs: Any) -> Response:
        return self.request("POST", path_or_url, **kwargs)

    def options(self, path_or_url: str, **kwargs: Any) -> Response:
        return self.request("OPTIONS", path_or_url, **kwargs)

    def carry(self, response: Response) -> None:
        """Keep the cookies a response set (and drop the ones it cleared), for the next requests."""
        for name, cookie in response.set_cookies.items():
            if cookie.value not in ("", '""') and not cookie.clears:
                self.cookies[name] = cookie.value
            else:
                self.cookies.pop(name, None)

    def _write(self, request: httpx.Request, raw: httpx.Response | None, error: str | None) -> Path | None:
        if self.evidence is None:
            return None
        number = self.evidence.next_sequence()
        name = f"{number:02d}-{request.method}-{_slug(urlsplit(str(request.url)).path)}.txt"
        lines = [f"# {_curl(request)}", "", *_request_text(request), ""]
        lines += _response_text(raw) if raw is not None else [error or ""]
        return self.evidence.attach_text(name, "\n".join(lines) + "\n")

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
