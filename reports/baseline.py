"""Changes against a baseline run (`--baseline DIR`): which checks newly fail and which were fixed."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from reports.manifest import RESULTS_NAME, sha256_file

BAD_STATUSES = ("failed", "error")


def _statuses(checks: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    return {str(c["id"]): str(c["status"]) for c in checks}


def compare_to_baseline(checks: Sequence[Mapping[str, Any]], baseline_dir: Path) -> dict[str, Any]:
    """`new_failures`: bad now, not bad in the baseline; `fixed`: bad in the baseline, passed now.
    An unreadable baseline is one clear error rather than a silently empty comparison."""
    path = baseline_dir / RESULTS_NAME
    try:
        baseline = json.loads(path.read_text(encoding="utf-8"))
        before = _statuses(baseline["checks"])
        run_id = str(baseline["run"]["id"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"baseline {path} is not a readable results.json: {exc}") from exc
    now = _statuses(checks)
    return {
        "run_id": run_id,
        "results_sha256": sha256_file(path),
        "new_failures": sorted(i for i, s in now.items() if s in BAD_STATUSES and before.get(i) not in BAD_STATUSES),
        "fixed": sorted(i for i, s in now.items() if s == "passed" and before.get(i) in BAD_STATUSES),
    }
