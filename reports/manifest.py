"""The artifact manifest (SPEC §11.1 `artifacts`): every file of the run directory with its size and sha256.

Excluded: `results.json` (it holds the manifest), `manifest.json` (the same list as a file of its own, which
FINAL-REPORT points to instead of listing hundreds of rows) and the rendered documents (they embed the sha256 of
results.json, so they are rendered after it). Everything else under the run directory, evidence included, is listed
and re-verified by the gate: a file that vanished or changed afterwards makes the run INCONCLUSIVE, and so does a
`manifest.json` that is missing or differs from results.json's `artifacts`."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

RESULTS_NAME = "results.json"
MANIFEST_NAME = "manifest.json"
DOCUMENT_NAMES = (
    "test-results-summary.md",
    "aws-deployment-verification.md",
    "rollout-checklist.md",
    "rollback-procedures.md",
    "production-deployment-confirmation.md",
    "FINAL-REPORT.md",
)
EXCLUDED = frozenset((RESULTS_NAME, MANIFEST_NAME, *DOCUMENT_NAMES))


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def run_files(run_dir: Path) -> list[Path]:
    """Files of the run directory covered by the manifest, sorted by relative path."""
    return sorted(
        (p for p in run_dir.rglob("*") if p.is_file() and p.relative_to(run_dir).as_posix() not in EXCLUDED),
        key=lambda p: p.relative_to(run_dir).as_posix(),
    )


def build_manifest(run_dir: Path) -> list[dict[str, Any]]:
    return [
        {"path": p.relative_to(run_dir).as_posix(), "bytes": p.stat().st_size, "sha256": sha256_file(p)}
        for p in run_files(run_dir)
    ]


def missing_evidence(checks: Iterable[Mapping[str, Any]], run_dir: Path) -> list[str]:
    """Evidence paths a check claims but that do not exist (logs "delivered" but never saved, SPEC §12)."""
    return [
        f"{check['id']}: {rel} missing"
        for check in checks
        for rel in check.get("evidence") or []
        if not (run_dir / rel).is_file()
    ]


def verify_manifest(run_dir: Path, artifacts: Iterable[Mapping[str, Any]]) -> list[str]:
    """Problems found re-hashing the recorded artifacts; files added since are reported too (nothing unlisted)."""
    problems: list[str] = []
    listed: set[str] = set()
    for entry in artifacts:
        rel = str(entry.get("path", ""))
        listed.add(rel)
        path = run_dir / rel
        if not rel or ".." in Path(rel).parts or not path.is_file():
            problems.append(f"{rel or '<empty path>'} missing")
        elif path.stat().st_size != entry.get("bytes") or sha256_file(path) != entry.get("sha256"):
            problems.append(f"{rel} changed (sha256 differs)")
    problems += [
        f"{p.relative_to(run_dir).as_posix()} not in the manifest"
        for p in run_files(run_dir)
        if p.relative_to(run_dir).as_posix() not in listed
    ]
    return problems


def manifest_document(run_id: str, artifacts: list[dict[str, Any]]) -> dict[str, Any]:
    """What `manifest.json` holds: the run, a total and the very list results.json records as `artifacts`."""
    return {
        "run_id": run_id,
        "files": len(artifacts),
        "bytes": sum(int(a.get("bytes") or 0) for a in artifacts),
        "artifacts": artifacts,
    }


def write_manifest_file(run_dir: Path, run_id: str, artifacts: list[dict[str, Any]]) -> Path:
    path = run_dir / MANIFEST_NAME
    text = json.dumps(manifest_document(run_id, artifacts), indent=1, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def verify_manifest_file(run_dir: Path, run_id: str, artifacts: list[dict[str, Any]]) -> list[str]:
    """`manifest.json` must exist and say exactly what results.json's `artifacts` says (the hashes themselves are
    re-verified against the files by `verify_manifest`)."""
    path = run_dir / MANIFEST_NAME
    try:
        recorded = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return [f"{MANIFEST_NAME} missing"]
    except ValueError:
        return [f"{MANIFEST_NAME} is not valid JSON"]
    if recorded != manifest_document(run_id, list(artifacts)):
        return [f"{MANIFEST_NAME} differs from results.json artifacts"]
    return []
