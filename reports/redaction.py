"""The final redaction scan (SPEC §11.1) and scrubbing of the texts the renderer itself writes.

A secret is never echoed: findings name the file (or field) only. Each secret is searched raw and URL-encoded,
because transcripts store query strings and cookies in encoded form; a secret of 12 characters or more is also
searched by its first 12 (a message cut after them still leaks), and every file is searched for the start of a JWT
(`eyJ…`, base64url for `{"`), which the redaction rules replace whole or cut, so none may survive."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from checks.redaction import jwt_fragments

__all__ = [
    "JWT_PREFIX_LENGTH",
    "MASK",
    "PREFIX_LENGTH",
    "contains_secret",
    "scan_files",
    "scan_run_dir",
    "scrub_text",
    "scrub_value",
    "token_fragments",
]

MASK = "[REDACTED]"
PREFIX_LENGTH = 12
# The start of a JWT (header `{"alg"…` or any base64url JSON) of 8+ characters, as checks.redaction recognises it.
JWT_PREFIX_LENGTH = 8


def _jwt_count(data: bytes) -> int:
    # latin-1 maps every byte to one character, so binary files (PNG, zip) are searched byte for byte.
    return len(jwt_fragments(data.decode("latin-1"), JWT_PREFIX_LENGTH)) if b"eyJ" in data else 0


def _forms(secret: str) -> set[str]:
    forms = {secret, quote(secret, safe="")}
    if len(secret) >= PREFIX_LENGTH:
        forms |= {secret[:PREFIX_LENGTH], quote(secret[:PREFIX_LENGTH], safe="")}
    return forms


def _needles(secrets: Sequence[str]) -> list[bytes]:
    forms = {form for s in secrets if s for form in _forms(s)}
    return sorted((f.encode("utf-8") for f in forms), key=len, reverse=True)


def _file_findings(data: bytes, needles: list[bytes]) -> list[str]:
    found = []
    if any(needle in data for needle in needles):
        found.append("contains a live secret (or its first 12 characters)")
    jwts = _jwt_count(data)
    if jwts:
        found.append(f"contains {jwts} JWT fragment(s) (a live secret: a token's header or payload)")
    return found


def scan_files(paths: Iterable[Path], root: Path, secrets: Sequence[str]) -> list[str]:
    """Findings per file (binary files included: a PNG or a trace can leak too): a live secret, the first
    PREFIX_LENGTH characters of one, or the start of a JWT. Each finding says "live secret" and names no value."""
    needles = _needles(secrets)
    hits = []
    for path in paths:
        rel = path.relative_to(root).as_posix()
        hits += [f"{rel} {finding}" for finding in _file_findings(path.read_bytes(), needles)]
    return hits


def scan_run_dir(run_dir: Path, secrets: Sequence[str]) -> list[str]:
    return scan_files(sorted(p for p in run_dir.rglob("*") if p.is_file()), run_dir, secrets)


def token_fragments(run_dir: Path) -> list[str]:
    """`<relative path>: N JWT fragment(s)` for every file of a finished run directory holding the start of a JWT
    (complete or cut short); empty when clean. Needs no secrets, so it can judge any run directory afterwards."""
    hits = []
    for path in sorted(p for p in Path(run_dir).rglob("*") if p.is_file()):
        count = _jwt_count(path.read_bytes())
        if count:
            hits.append(f"{path.relative_to(run_dir).as_posix()}: {count} JWT fragment(s)")
    return hits


def scrub_text(text: str, secrets: Sequence[str]) -> str:
    for needle in _needles(secrets):
        text = text.replace(needle.decode("utf-8"), MASK)
    if "eyJ" not in text:
        return text
    for piece in sorted(set(jwt_fragments(text, JWT_PREFIX_LENGTH)), key=len, reverse=True):
        text = text.replace(piece, MASK)
    return text


def scrub_value(value: Any, secrets: Sequence[str]) -> Any:
    """Deep copy of a JSON-like value with every secret (and JWT fragment) masked (keys too)."""
    if isinstance(value, str):
        return scrub_text(value, secrets)
    if isinstance(value, dict):
        return {scrub_text(str(k), secrets): scrub_value(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_value(v, secrets) for v in value]
    return value


def contains_secret(value: Any, secrets: Sequence[str]) -> bool:
    return scrub_value(value, secrets) != value
