"""Render the six documents of SPEC §11.2 from a run directory's results.json (never from in-memory objects).

Usage: `python -m reports.render <run_dir>` re-renders the documents of an existing run."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context

from reports.context import build_context, load_results
from reports.manifest import DOCUMENT_NAMES
from reports.redaction import scrub_text
from reports.status import badge, icon
from reports.verdicts import GO

TEMPLATES = Path(__file__).with_name("templates")
CONFIRMATION = "production-deployment-confirmation.md"
INLINE_MAX = 300


def _cell(value: Any) -> str:
    """A Markdown table cell: `–` for nothing, pipes escaped, one line."""
    if value is None or value == "":
        return "–"
    return str(value).replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _inline(value: Any) -> str:
    """Expected/actual/message values on one line, JSON for structures, bounded so a body never floods a page."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, ensure_ascii=False)
    text = text.replace("\r", " ").replace("\n", " ").replace("`", "'")
    return text if len(text) <= INLINE_MAX else text[: INLINE_MAX - 1] + "…"


def _ms(value: Any) -> str:
    ms = int(value or 0)
    return f"{ms} ms" if ms < 1000 else f"{ms / 1000:.1f} s"


@pass_context
def _badge(context: Any, check_id: str | None) -> str:
    return badge(context["checks"], check_id)


def _duration_s(run: dict[str, Any]) -> str:
    try:
        start = datetime.fromisoformat(str(run["started_at"]).replace("Z", "+00:00"))
        end = datetime.fromisoformat(str(run["finished_at"]).replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return "unknown"
    return f"{(end - start).total_seconds():.1f}"


def jinja_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # Markdown, not HTML; cells are escaped by the `cell` filter
    )
    env.filters.update(cell=_cell, inline=_inline, ms=_ms, icon=icon, badge=_badge)
    return env


def writes_confirmation(verdict: str, scope: str = "full", partial: Any = None) -> bool:
    """The confirmation exists only on GO of a complete, uninterrupted full-scope run (SPEC §11.2, §11.3).

    A smoke-scope GO is a post-deploy/post-rollback sanity check, not a verification of the deployment: it gets
    `GO (smoke scope)` and exit 0, but never the document a launch team signs off production with."""
    return verdict == GO and (scope or "full") == "full" and not partial


def documents_for(verdict: str, scope: str = "full", partial: Any = None) -> tuple[str, ...]:
    confirm = writes_confirmation(verdict, scope, partial)
    return tuple(name for name in DOCUMENT_NAMES if name != CONFIRMATION or confirm)


def render_documents(run_dir: Path, secrets: Sequence[str] = ()) -> list[Path]:
    """Render every document for the recorded verdict; a stale confirmation from an earlier render is removed."""
    results, sha = load_results(run_dir)
    context = build_context(run_dir, results, sha)
    context["duration_s"] = _duration_s(results["run"])
    env = jinja_environment()
    written = []
    run = results["run"]
    names = documents_for(run.get("verdict", ""), run.get("scope") or "full", run.get("partial"))
    for name in names:
        text = env.get_template(f"{name}.j2").render(context)
        path = run_dir / name
        path.write_text(scrub_text(text, secrets), encoding="utf-8")
        written.append(path)
    if CONFIRMATION not in names:
        (run_dir / CONFIRMATION).unlink(missing_ok=True)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m reports.render <run_dir>", file=sys.stderr)
        return 2
    try:
        paths = render_documents(Path(args[0]))
    except ValueError as exc:
        print(f"render: {exc}", file=sys.stderr)
        return 2
    print(f"rendered {len(paths)} documents into {args[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
