"""The GitHub Actions job summary: verdict, counts and top findings, appended to `$GITHUB_STEP_SUMMARY` if set."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from reports.redaction import scrub_text
from reports.status import icon
from reports.verdicts import label

ENV_VAR = "GITHUB_STEP_SUMMARY"
TOP_FINDINGS = 10
_SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def summary_markdown(results: Mapping[str, Any]) -> str:
    run, counts = results["run"], results["counts"]
    verdict = label(str(run["verdict"]), str(run.get("scope") or "full"))
    lines = [f"## Rollout verification: {verdict} ({run['env']})", "", f"Run `{run['id']}`", ""]
    if run.get("partial"):
        lines += [f"**{run['partial']['line']}**", ""]
    lines += [f"- {reason}" for reason in run.get("verdict_reasons", [])]
    lines += ["", "| Status | Count |", "|---|---|"]
    lines += [f"| {icon(s)} {s} | {n} |" for s, n in counts["by_status"].items()]
    findings = sorted(
        (c for c in results["checks"] if c["status"] in ("failed", "error", "warning")),
        key=lambda c: (_SEVERITY_RANK.get(c["severity"], 9), c["id"]),
    )
    if findings:
        lines += ["", "Top findings:", ""]
        lines += [f"- {icon(c['status'])} `{c['id']}` ({c['severity']})" for c in findings[:TOP_FINDINGS]]
    return "\n".join(lines) + "\n"


def write_step_summary(results: Mapping[str, Any], secrets: Sequence[str] = ()) -> Path | None:
    target = os.environ.get(ENV_VAR)
    if not target:
        return None
    path = Path(target)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(scrub_text(summary_markdown(results), secrets))
    return path
