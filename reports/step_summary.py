"""GitHub Actions output: the job summary (verdict, counts, findings with their evidence), appended to
`$GITHUB_STEP_SUMMARY` if set, and the workflow-command annotations (`::error title=<check id>::...`) the gate
prints when `GITHUB_ACTIONS=true`. Both are scrubbed of every live secret before they leave the process.

Evidence paths are given as they lie in the uploaded artifact (`ARTIFACT_NAME`, the contents of
`verification-output/`): `<run-id>/<path relative to the run directory>`."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from reports.context import diff_rows
from reports.redaction import scrub_text
from reports.status import icon
from reports.verdicts import label

ENV_VAR = "GITHUB_STEP_SUMMARY"
ARTIFACT_NAME = "verification-output"  # the name every workflow in .github/workflows uploads the run under
TOP_FINDINGS = 10  # GitHub shows at most 10 error (and 10 warning) annotations per step
ONE_LINER_CHARS = 160
_SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}
_FINDING_STATUSES = ("failed", "error", "warning")
# Workflow commands: the message escapes %, CR and LF; a property value also ':' and ','.
_DATA_ESCAPES = (("%", "%25"), ("\r", "%0D"), ("\n", "%0A"))
_PROPERTY_ESCAPES = (*_DATA_ESCAPES, (":", "%3A"), (",", "%2C"))


def _cut(text: str, limit: int = ONE_LINER_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _show(value: Any) -> str:
    if isinstance(value, str) or not isinstance(value, int | float | bool | list | dict | None):
        return str(value)  # a string as is, and diff_rows' "(absent)" marker unquoted
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def one_liner(check: Mapping[str, Any]) -> str:
    """Expected vs actual of the first differing key (`status: expected 401, got 500 (+2 more)`), else the message."""
    rows = diff_rows(check.get("expected"), check.get("actual"))
    if rows:
        first = rows[0]
        more = f" (+{len(rows) - 1} more)" if len(rows) > 1 else ""
        return _cut(f"{first['key']}: expected {_show(first['expected'])}, got {_show(first['actual'])}{more}")
    message = str(check.get("message") or "").strip()
    return _cut(message.splitlines()[0]) if message else str(check.get("status", ""))


def evidence_path(check: Mapping[str, Any], run_name: str) -> str:
    """The check's evidence file in the artifact: its failure screenshot if any, else its first file; "" if none."""
    files = [str(f) for f in check.get("evidence") or []]
    if not files:
        return ""
    failure = [f for f in files if "failure" in f.rsplit("/", 1)[-1]]
    return f"{run_name}/{(failure or files)[0]}"


def findings(checks: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Failed, error and warning checks, most severe first."""
    found = (c for c in checks if c.get("status") in _FINDING_STATUSES)
    return sorted(found, key=lambda c: (_SEVERITY_RANK.get(str(c.get("severity")), 9), str(c.get("id"))))


def workflow_run_url(environ: Mapping[str, str]) -> str:
    """This workflow run's page (its Artifacts section holds the evidence), or "" outside GitHub Actions."""
    parts = [environ.get(k, "") for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")]
    return f"{parts[0]}/{parts[1]}/actions/runs/{parts[2]}" if all(parts) else ""


def _md(text: str) -> str:
    return text.replace("`", "'").replace("|", "\\|")


def summary_markdown(results: Mapping[str, Any], run_url: str = "") -> str:
    run, counts = results["run"], results["counts"]
    verdict = label(str(run["verdict"]), str(run.get("scope") or "full"))
    lines = [f"## Rollout verification: {verdict} ({run['env']})", "", f"Run `{run['id']}`", ""]
    if run.get("partial"):
        lines += [f"**{run['partial']['line']}**", ""]
    lines += [f"- {reason}" for reason in run.get("verdict_reasons", [])]
    lines += ["", "| Status | Count |", "|---|---|"]
    lines += [f"| {icon(s)} {s} | {n} |" for s, n in counts["by_status"].items()]
    found = findings(results["checks"])
    if found:
        where = f"[this workflow run]({run_url})" if run_url else "this workflow run"
        lines += ["", f"Top findings (evidence: artifact `{ARTIFACT_NAME}` of {where}):", ""]
        for check in found[:TOP_FINDINGS]:
            path = evidence_path(check, str(run["id"]))
            lines.append(
                f"- {icon(str(check['status']))} `{check['id']}` ({check['severity']}): "
                f"{_md(one_liner(check))}" + (f" — evidence `{_md(path)}`" if path else "")
            )
        if len(found) > TOP_FINDINGS:
            lines.append(f"- … and {len(found) - TOP_FINDINGS} more in `{run['id']}/FINAL-REPORT.md`")
    return "\n".join(lines) + "\n"


def write_step_summary(results: Mapping[str, Any], secrets: Sequence[str] = ()) -> Path | None:
    target = os.environ.get(ENV_VAR)
    if not target:
        return None
    path = Path(target)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(scrub_text(summary_markdown(results, workflow_run_url(os.environ)), secrets))
    return path


def _command(level: str, message: str, secrets: Sequence[str], **properties: str) -> str:
    """One workflow command, scrubbed before it is escaped (escaping could split a secret's raw form)."""

    def escape(text: str, escapes: tuple[tuple[str, str], ...]) -> str:
        text = scrub_text(text, secrets)
        for raw, escaped in escapes:
            text = text.replace(raw, escaped)
        return text

    props = ",".join(f"{k}={escape(v, _PROPERTY_ESCAPES)}" for k, v in properties.items() if v)
    return (
        f"::{level} {props}::{escape(message, _DATA_ESCAPES)}"
        if props
        else f"::{level}::{escape(message, _DATA_ESCAPES)}"
    )


def _suite_file(check: Mapping[str, Any]) -> str:
    """The suite file of the check's test item (annotations then also show in a pull request's diff)."""
    path = str(check.get("nodeid") or "").split("::", 1)[0]
    return path if path.endswith(".py") and not Path(path).is_absolute() else ""


def annotation_lines(
    checks: Sequence[Mapping[str, Any]],
    run_name: str,
    secrets: Sequence[str],
    verdict: str = "",
    reasons: Sequence[str] = (),
) -> list[str]:
    """The verdict (error unless GO), then one annotation per finding, most severe first, titled by its check id."""
    found = findings(checks)
    lines = []
    if verdict:
        more = f" (+{len(found) - TOP_FINDINGS} findings not annotated)" if len(found) > TOP_FINDINGS else ""
        text = verdict + (": " + "; ".join(_cut(r) for r in reasons) if reasons else "") + more
        lines.append(_command("notice" if verdict == "GO" else "error", text, secrets, title="Rollout verdict"))
    for check in found[:TOP_FINDINGS]:
        path = evidence_path(check, run_name)
        message = f"{check['severity']} {check['status']}: {one_liner(check)}"
        if path:
            message += f" — evidence: {path} (artifact {ARTIFACT_NAME})"
        level = "warning" if check["status"] == "warning" else "error"
        lines.append(_command(level, message, secrets, file=_suite_file(check), title=str(check["id"])))
    return lines


def run_annotations(
    run_dir: Path,
    fallback_checks: Sequence[Mapping[str, Any]],
    secrets: Sequence[str],
    verdict: str = "",
    reasons: Sequence[str] = (),
) -> list[str]:
    """Annotations for a finished run: from its results.json (waivers applied, scrubbed) when it was written,
    else from the plugin's own results."""
    checks: Sequence[Mapping[str, Any]] = fallback_checks
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        checks = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))["checks"]
    return annotation_lines(checks, run_dir.name, secrets, verdict, reasons)
