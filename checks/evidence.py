"""Per-check evidence: files under `<run_dir>/evidence/<check-id>/`, redacted before they are written, plus the
expected/actual values and warnings the plugin puts into the check's result.

>>> ev = Evidence(run_dir, "api.me.profile")          # doctest: +SKIP
>>> ev.attach_json("me", {"email": "a@b.c"})           # → evidence/api.me.profile/me.json, email hashed
"""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path
from typing import Any

from checks.redaction import redact_json, redact_text

__all__ = ["Evidence", "safe_name"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._\[\]-]+")
_UNSET: Any = object()


def safe_name(name: str) -> str:
    """A file-system safe name that still reads like the original (check ids keep their dots and brackets)."""
    return _UNSAFE.sub("-", name).strip("-.") or "unnamed"


class Evidence:
    """What one check leaves behind. Thread-safe numbering, because a check may fire requests concurrently."""

    def __init__(self, run_dir: Path, check_id: str) -> None:
        self.run_dir = run_dir
        self.check_id = check_id
        self.directory = run_dir / "evidence" / safe_name(check_id)
        self.expected: Any = None
        self.actual: Any = None
        self.recorded = False
        self.warnings: list[str] = []
        self.notes: list[str] = []
        self._sequence = 0
        self._lock = threading.Lock()

    def next_sequence(self) -> int:
        """The NN of the next `NN-<METHOD>-<path>.txt` transcript."""
        with self._lock:
            self._sequence += 1
            return self._sequence

    def path_for(self, filename: str) -> Path:
        """Where a binary artifact (screenshot, trace) goes. The caller writes it and must not put secrets in it:
        binary files cannot be redacted, only scanned at the end of the run."""
        self.directory.mkdir(parents=True, exist_ok=True)
        return self.directory / safe_name(filename)

    def attach_text(self, name: str, text: str) -> Path:
        path = self.path_for(name if Path(name).suffix else f"{name}.txt")
        path.write_text(redact_text(text), encoding="utf-8")
        return path

    def attach_json(self, name: str, obj: Any) -> Path:
        path = self.path_for(name if name.endswith(".json") else f"{name}.json")
        path.write_text(json.dumps(redact_json(obj), indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
        return path

    def record(self, *, expected: Any = _UNSET, actual: Any = _UNSET) -> None:
        """What the check judged; shown as expected vs actual for every finding. Call again to update."""
        if expected is not _UNSET:
            self.expected = redact_json(expected)
        if actual is not _UNSET:
            self.actual = redact_json(actual)
        self._merge_notes()
        self.recorded = True

    def note(self, message: str) -> None:
        """Record something worth reading that does not change the outcome: a `[reference]` clause the target
        words or does differently (SPEC §10), or a defect another check owns. Notes land in `actual["notes"]`
        (and `notes.txt`); unlike `warn`, a passing check stays `passed`."""
        text = redact_text(message)
        if text in self.notes:
            return
        self.notes.append(text)
        self._merge_notes()
        self.attach_text("notes.txt", "\n".join(self.notes) + "\n")

    def _merge_notes(self) -> None:
        if not self.notes:
            return
        if self.actual is None:
            self.actual = {}
        elif not isinstance(self.actual, dict):
            self.actual = {"value": self.actual}
        self.actual = {**self.actual, "notes": list(self.notes)}

    def warn(self, message: str) -> None:
        """Turn a pass into `warning` (e.g. account_id unset, an alarm in INSUFFICIENT_DATA)."""
        self.warnings.append(redact_text(message))

    def files(self) -> list[str]:
        """Evidence paths relative to the run directory (what results.json lists)."""
        if not self.directory.is_dir():
            return []
        return sorted(str(p.relative_to(self.run_dir)) for p in self.directory.rglob("*") if p.is_file())
