"""Post-render count self-check (SPEC §11.3): re-parse every marked count table of the rendered Markdown and
compare each cell with the counts recomputed from results.json's checks. Any difference, or a document whose
footer names another results.json, means the documents cannot be trusted: INCONCLUSIVE."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from reports.counts import compute_counts

MARKER = re.compile(r"^<!-- count-table:(?P<key>[a-z_]+) -->$")
FOOTER = re.compile(r"^Run `(?P<run>[^`]+)` · results\.json sha256 `(?P<sha>[0-9a-f]{64})`$")


def parse_count_tables(markdown: str) -> list[tuple[str, list[list[str]]]]:
    """(key, rows of cells) for each table that follows a count-table marker; header and rule rows included."""
    lines = markdown.splitlines()
    tables = []
    for index, line in enumerate(lines):
        match = MARKER.match(line.strip())
        if not match:
            continue
        rows = []
        for row in lines[index + 1 :]:
            if not row.startswith("|"):
                break
            rows.append([cell.strip() for cell in row.strip().strip("|").split("|")])
        tables.append((match["key"], rows))
    return tables


def _to_int(cell: str) -> int | None:
    return int(cell) if cell.isdigit() else None


def _expected_rows(key: str, counts: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    if key == "by_status":
        return {status: {"count": n} for status, n in counts["by_status"].items()} | {
            "total": {"count": counts["total"]}
        }
    matrix = counts.get(key)
    if not isinstance(matrix, Mapping):
        raise KeyError(key)
    return {row: {**cells, "total": sum(cells.values())} for row, cells in matrix.items()}


def check_table(name: str, key: str, rows: list[list[str]], counts: Mapping[str, Any]) -> list[str]:
    try:
        expected = _expected_rows(key, counts)
    except KeyError:
        return [f"{name}: unknown count table {key}"]
    if len(rows) < 2:
        return [f"{name}: {key} table is empty"]
    header, body = rows[0], rows[2:]
    columns = ["count"] if key == "by_status" else header[1:]
    seen: dict[str, dict[str, int | None]] = {}
    for cells in body:
        label = cells[0].split()[-1] if cells and cells[0] else ""  # drop the status icon
        seen[label] = {col: _to_int(cell) for col, cell in zip(columns, cells[1:], strict=False)}
    problems = []
    if set(seen) != set(expected):
        problems.append(f"{name}: {key} rows {sorted(seen)} != {sorted(expected)}")
    for label, counts in expected.items():
        for column, n in counts.items():
            got = seen.get(label, {}).get(column)
            if got != n:
                problems.append(f"{name}: {key}[{label}][{column}] shows {got}, results.json counts {n}")
    return problems


def self_check(
    documents: Iterable[Path], checks: Sequence[Mapping[str, Any]], run_id: str, results_sha: str
) -> list[str]:
    """Problems found in the rendered documents (empty = every count table and footer agrees with results.json)."""
    counts = compute_counts(checks)
    problems = []
    for path in documents:
        text = path.read_text(encoding="utf-8")
        for key, rows in parse_count_tables(text):
            problems += check_table(path.name, key, rows, counts)
        footer = next((m for m in map(FOOTER.match, reversed(text.splitlines())) if m), None)
        if footer is None or footer["run"] != run_id or footer["sha"] != results_sha:
            problems.append(f"{path.name}: footer does not name run {run_id} and the current results.json sha256")
    return problems
