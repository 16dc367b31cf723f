"""Browser evidence (SPEC §11.1): numbered per-step screenshots, and the trace policy.

Screenshots are refused while a password input holds a value, so a typed password never reaches the evidence.
Every trace of a run, whichever option asked for it (ours, pytest-playwright's --tracing), is recorded per context
under one TracePolicy (local always; dev/prod only with --keep-traces) and kept (on failure; with --tracing on
always) only through `guard_trace`: the typed password never, cookie/token values and secrets redacted, the archive
scanned, mode 0600, a SENSITIVE note beside it, in the check's evidence (so the run's manifest lists it).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import BrowserContext, Page

from checks.evidence import Evidence
from checks.redaction import REDACTED, redact_cookie_pairs, redact_set_cookie, redact_text
from checks.secrets import registered_secrets

__all__ = [
    "SENSITIVE_NOTE_FILE",
    "ContextTracer",
    "GuardedTrace",
    "StepShots",
    "TracePolicy",
    "guard_trace",
    "has_typed_password",
    "redact_trace_text",
]

SENSITIVE_NOTE_FILE = "trace-SENSITIVE.txt"
SENSITIVE_NOTE = (
    "SENSITIVE: Playwright traces of the test user's session (pages, DOM snapshots, network). Cookie and token "
    "values, sensitive parameters and registered secrets were redacted and the archive scanned before it was kept; "
    "credentials were never typed while tracing was on. Do not share; delete after the investigation."
)


def has_typed_password(page: Page) -> bool:
    return bool(page.evaluate("() => [...document.querySelectorAll('input[type=password]')].some((i) => i.value)"))


class StepShots:
    """`shots(page, "course-anonymous")` → `evidence/<check>/01-course-anonymous.png`."""

    def __init__(self, evidence: Evidence) -> None:
        self.evidence = evidence
        self.count = 0

    def _path(self, step: str) -> Path:
        self.count += 1
        return self.evidence.path_for(f"{self.count:02d}-{step}.png")

    def __call__(self, page: Page, step: str) -> Path | None:
        if has_typed_password(page):
            return None  # never: SPEC §11.1
        path = self._path(step)
        page.screenshot(path=path)
        return path

    def save(self, step: str, png: bytes) -> Path:
        """A screenshot taken earlier (the shared sign-in's steps) under this check's numbering."""
        path = self._path(step)
        path.write_bytes(png)
        return path


@dataclass(frozen=True)
class TracePolicy:
    """The one policy for every Playwright trace of a run, whichever option asked for it.

    Recorded: locally always, on dev/prod only with --keep-traces (they hold the real test user's session).
    Kept: on failure; with pytest-playwright's `--tracing on` also on success (`retain-on-failure` = our default).
    Kept traces go through `guard_trace` into the check's evidence (never pytest-playwright's --output)."""

    env_kind: str
    keep_traces: bool = False
    tracing: str = "off"  # pytest-playwright's --tracing: off | on | retain-on-failure

    @property
    def records(self) -> bool:
        return self.env_kind == "local" or self.keep_traces

    def keeps(self, failed: bool) -> bool:
        return self.records and (failed or self.tracing == "on")

    @property
    def refused(self) -> str:
        """Why a requested --tracing is not honoured ("" when it is, or nothing was requested)."""
        if self.tracing != "off" and not self.records:
            return (
                f"--tracing {self.tracing} ignored on a {self.env_kind} env: traces hold the real test user's "
                "session; add --keep-traces to record them (kept as SENSITIVE evidence, tokens redacted)"
            )
        return ""


# Cookie and auth header objects as Playwright's trace stores them (HAR-like `{"name": ..., "value": ...}`).
_NAMED_VALUE = re.compile(
    r'(?P<pre>\{\s*"name"\s*:\s*"(?P<name>[^"]*)"\s*,\s*"value"\s*:\s*)"(?P<value>(?:[^"\\]|\\.)*)"'
)
_SESSIONISH = re.compile(r"(?i)^(hhl_.*|cognito|xsrf-token|cookie|set-cookie|authorization)$")
_LEFTOVER_JWT = re.compile(rb"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.")


def redact_trace_text(text: str) -> str:
    """A trace entry's text with cookie/auth values, JWTs, sensitive parameters and registered secrets removed."""

    def named(match: re.Match[str]) -> str:
        name, value = match.group("name"), match.group("value")
        if not _SESSIONISH.match(name) or not value:
            return match.group(0)
        lowered = name.lower()
        if lowered == "set-cookie":
            value = redact_set_cookie(value)
        elif lowered == "cookie":
            value = redact_cookie_pairs(value)
        else:
            value = REDACTED
        return f'{match.group("pre")}"{value}"'

    return redact_text(_NAMED_VALUE.sub(named, text))


@dataclass
class GuardedTrace:
    """What `guard_trace` did with one recorded trace: kept at `path`, or dropped and why."""

    path: Path | None
    dropped: str = ""


def guard_trace(source: Path, target: Path, *, forbidden: list[bytes], secrets: list[str]) -> GuardedTrace:
    """The one gate every kept trace passes: a trace holding a forbidden value (the typed password) is dropped;
    otherwise every text entry is redacted and the archive rewritten uncompressed (so the run's final redaction
    scan reads inside it), then scanned again: any registered secret or raw JWT left → dropped. Mode 0600."""
    with zipfile.ZipFile(source) as archive:
        entries = [(info.filename, archive.read(info)) for info in archive.infolist()]
    if any(value in data for _, data in entries for value in forbidden if value):
        return GuardedTrace(None, "it recorded the typed credential")
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as out:
        for name, data in entries:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                out.writestr(name, data)  # screenshots: pixels, no text to redact
                continue
            out.writestr(name, redact_trace_text(text).encode("utf-8"))
    os.chmod(target, 0o600)
    raw = target.read_bytes()
    needles = [
        *(v for v in forbidden if v),
        *(n for s in secrets if s for n in (s.encode(), quote(s, safe="").encode())),
    ]
    if any(n in raw for n in needles) or _LEFTOVER_JWT.search(raw):
        target.unlink()
        return GuardedTrace(None, "a secret survived redaction")
    return GuardedTrace(target)


class ContextTracer:
    """Records one context in chunks (so credential typing can be left out) and keeps them per the policy."""

    def __init__(self, policy: TracePolicy, title: str) -> None:
        self.policy = policy
        self.title = title
        self.chunks: list[Path] = []
        self._dir = Path(tempfile.mkdtemp(prefix="hhl-trace-"))  # outside the run directory
        self._context: BrowserContext | None = None
        self._recording = False
        self._forbidden: list[bytes] = []

    def forbid(self, value: str) -> None:
        """A value (the typed password) no kept trace may contain, even inside the zip: such a chunk is dropped."""
        self._forbidden += [value.encode(), quote(value, safe="").encode()]

    def start(self, context: BrowserContext) -> None:
        if not self.policy.records:
            return
        self._context = context
        self.resume()

    def resume(self) -> None:
        """Start a new segment. Each segment is a whole trace: Playwright flushes network records that finish
        while paused into the next chunk of the same trace, so a pause ends the trace rather than a chunk."""
        if self._context is not None and not self._recording:
            self._context.tracing.start(title=self.title, screenshots=True, snapshots=True)
            self._recording = True

    def pause(self) -> None:
        """End the current segment (e.g. before typing credentials)."""
        if self._context is not None and self._recording:
            path = self._dir / f"trace-{len(self.chunks) + 1}.zip"
            self._context.tracing.stop(path=path)
            self.chunks.append(path)
            self._recording = False

    def stop(self) -> None:
        """Before the context closes."""
        self.pause()
        self._context = None

    def finish(self, evidence: Evidence, *, failed: bool, prefix: str = "trace") -> list[Path]:
        """Keep the chunks as `<prefix>*.zip` in the evidence when the policy says so (each through
        `guard_trace`), with a SENSITIVE note beside them; always drop the temp copies."""
        self.stop()
        kept: list[Path] = []
        dropped: list[str] = []
        if self.policy.keeps(failed):
            for index, chunk in enumerate(self.chunks, start=1):
                name = f"{prefix}.zip" if len(self.chunks) == 1 else f"{prefix}-{index}.zip"
                result = guard_trace(
                    chunk, evidence.path_for(name), forbidden=self._forbidden, secrets=list(registered_secrets())
                )
                if result.path is None:
                    dropped.append(f"{name}: {result.dropped}")
                else:
                    kept.append(result.path)
            if kept or dropped:
                note = evidence.path_for(SENSITIVE_NOTE_FILE)
                lines = [SENSITIVE_NOTE, *(f"kept: {p.name}" for p in kept), *(f"not kept: {d}" for d in dropped)]
                note.write_text("\n".join(lines) + "\n", encoding="utf-8")
                os.chmod(note, 0o600)
        self.discard()
        return kept

    def discard(self) -> None:
        self.stop()
        shutil.rmtree(self._dir, ignore_errors=True)
