"""The final redaction scan (SPEC §11.1) and scrubbing of the texts the renderer itself writes.

A secret is never echoed: findings name the file (or field) only. Each secret is searched raw and URL-encoded,
because transcripts store query strings and cookies in encoded form."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

MASK = "[REDACTED]"


def _needles(secrets: Sequence[str]) -> list[bytes]:
    forms = {form for s in secrets if s for form in (s, quote(s, safe=""))}
    return sorted((f.encode("utf-8") for f in forms), key=len, reverse=True)


def scan_files(paths: Iterable[Path], root: Path, secrets: Sequence[str]) -> list[str]:
    """Relative paths of files containing any secret (binary files included: a PNG or a trace can leak too)."""
    needles = _needles(secrets)
    if not needles:
        return []
    hits = []
    for path in paths:
        data = path.read_bytes()
        if any(needle in data for needle in needles):
            hits.append(f"{path.relative_to(root).as_posix()} contains a live secret")
    return hits


def scan_run_dir(run_dir: Path, secrets: Sequence[str]) -> list[str]:
    return scan_files(sorted(p for p in run_dir.rglob("*") if p.is_file()), run_dir, secrets)


def scrub_text(text: str, secrets: Sequence[str]) -> str:
    for needle in _needles(secrets):
        text = text.replace(needle.decode("utf-8"), MASK)
    return text


def scrub_value(value: Any, secrets: Sequence[str]) -> Any:
    """Deep copy of a JSON-like value with every secret masked (keys too)."""
    if isinstance(value, str):
        return scrub_text(value, secrets)
    if isinstance(value, dict):
        return {scrub_text(str(k), secrets): scrub_value(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_value(v, secrets) for v in value]
    return value


def contains_secret(value: Any, secrets: Sequence[str]) -> bool:
    return scrub_value(value, secrets) != value
