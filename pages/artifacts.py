"""Browser evidence (SPEC §11.1): numbered per-step screenshots, and the trace policy.

Screenshots are refused while a password input holds a value, so a typed password never reaches the evidence.
Traces are recorded per context and kept only when the check failed, and only where the policy allows (local
always; dev/prod only with --keep-traces). A kept trace is a restricted artifact (it holds raw cookies): mode 0600
plus a RESTRICTED note beside it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import BrowserContext, Page

from checks.evidence import Evidence

__all__ = ["ContextTracer", "StepShots", "TracePolicy", "has_typed_password"]

RESTRICTED_NOTE = (
    "RESTRICTED: Playwright traces hold raw cookies and session tokens of the test user. Do not share; delete after "
    "the investigation. Credentials were never typed while tracing was on.\n"
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
    """Whether contexts are traced and whether a trace is kept. `delegated`: pytest-playwright's own `--tracing`
    is on, so it records the contexts it creates (into --output) and ours stays out of the way."""

    env_kind: str
    keep_traces: bool = False
    delegated: bool = False

    @property
    def records(self) -> bool:
        return not self.delegated and (self.env_kind == "local" or self.keep_traces)

    def keeps(self, failed: bool) -> bool:
        return failed and self.records


class ContextTracer:
    """Records one context in chunks (so credential typing can be left out) and keeps them on failure."""

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

    def _leaks(self, chunk: Path) -> bool:
        with zipfile.ZipFile(chunk) as archive:
            return any(any(v in archive.read(n) for v in self._forbidden) for n in archive.namelist())

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

    def finish(self, evidence: Evidence, *, failed: bool) -> list[Path]:
        """Keep the chunks as `trace*.zip` in the evidence when the policy says so; always drop the temp copies."""
        self.stop()
        kept: list[Path] = []
        if self.policy.keeps(failed):
            for index, chunk in enumerate(self.chunks, start=1):
                if self._forbidden and self._leaks(chunk):
                    continue  # safety net behind pause(): never keep a trace holding the credential
                name = "trace.zip" if len(self.chunks) == 1 else f"trace-{index}.zip"
                target = evidence.path_for(name)
                shutil.copyfile(chunk, target)
                os.chmod(target, 0o600)
                kept.append(target)
            if kept:
                note = evidence.path_for("trace-RESTRICTED.txt")
                note.write_text(RESTRICTED_NOTE, encoding="utf-8")
        self.discard()
        return kept

    def discard(self) -> None:
        self.stop()
        shutil.rmtree(self._dir, ignore_errors=True)
