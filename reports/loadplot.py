"""The load results as one picture: p50/p95/p99 (when recorded) and max latency per endpoint of every load check,
with the check's own p95 limit and the API latency alarm's threshold drawn across (SPEC §11.2 summary).

The figures come from what the load suites recorded (`evidence/<load check>/load-summary.json`, `by_label`), the
alarm from the CloudWatch describe snapshot (`evidence/_aws/cloudwatch.json`). The PNG is written into the run's
evidence before the manifest is built, so the gate verifies it like any other artifact."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PLOT_PATH = "evidence/_load/latency.png"
SUMMARY_NAME = "load-summary.json"
PERCENTILES = ("p50_ms", "p95_ms", "p99_ms", "max_ms")
LATENCY_METRICS = {("AWS/ApiGateway", "Latency"), ("AWS/ApiGateway", "IntegrationLatency"), ("AWS/Lambda", "Duration")}
_LIMIT = re.compile(r"[<≤]=?\s*(\d+(?:\.\d+)?)")


@dataclass
class Series:
    check_id: str
    status: str
    limit_ms: float | None
    endpoints: list[tuple[str, dict[str, float]]] = field(default_factory=list)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _limit(expected: Any) -> float | None:
    """The check's p95 limit from its recorded expectation (`{"p95_ms": "< 1000"}`)."""
    if isinstance(expected, Mapping):
        match = _LIMIT.search(str(expected.get("p95_ms", "")))
        return float(match.group(1)) if match else None
    return None


def load_series(run_dir: Path, checks: Sequence[Mapping[str, Any]]) -> list[Series]:
    series = []
    for check in checks:
        if not str(check.get("id", "")).startswith("load."):
            continue
        summary_rel = next((e for e in check.get("evidence") or [] if e.endswith("/" + SUMMARY_NAME)), None)
        summary = _read_json(run_dir / summary_rel) if summary_rel else None
        labels = (summary or {}).get("by_label") if isinstance(summary, Mapping) else None
        if not isinstance(labels, Mapping) or not labels:
            continue
        one = Series(str(check["id"]), str(check.get("status", "")), _limit(check.get("expected")))
        for label, stats in labels.items():
            if isinstance(stats, Mapping):
                values = {k: float(stats[k]) for k in PERCENTILES if isinstance(stats.get(k), int | float)}
                if values:
                    one.endpoints.append((str(label), values))
        if one.endpoints:
            series.append(one)
    return series


def latency_alarms(run_dir: Path) -> list[tuple[str, float]]:
    """(`name: statistic ≥ threshold`, threshold ms) of each latency alarm in the CloudWatch snapshot."""
    snapshot = _read_json(run_dir / "evidence" / "_aws" / "cloudwatch.json")
    alarms = (snapshot or {}).get("alarms") if isinstance(snapshot, Mapping) else None
    found = []
    for name, alarm in (alarms or {}).items():
        if not isinstance(alarm, Mapping) or (alarm.get("Namespace"), alarm.get("MetricName")) not in LATENCY_METRICS:
            continue
        threshold = alarm.get("Threshold")
        if isinstance(threshold, int | float):
            stat = alarm.get("ExtendedStatistic") or alarm.get("Statistic") or "?"
            found.append((f"alarm {name}: {alarm['MetricName']} {stat} ≥ {threshold:g} ms", float(threshold)))
    return found


def write_latency_plot(run_dir: Path, checks: Sequence[Mapping[str, Any]]) -> Path | None:
    """Draw the plot into `PLOT_PATH` (None when no load check recorded figures: nothing is written)."""
    series = load_series(run_dir, checks)
    if not series:
        return None
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    rows = [(s, label, values) for s in series for label, values in s.endpoints]
    fig, ax = plt.subplots(figsize=(10, 0.9 + 0.55 * len(rows) + 0.4 * len(series)))
    colours = {"p50_ms": "#4c78a8", "p95_ms": "#f58518", "p99_ms": "#e45756", "max_ms": "#bab0ac"}
    height = 0.8 / len(PERCENTILES)
    ticks, names = [], []
    y = 0.0
    group_spans = []
    for s in series:
        start = y
        for label, values in s.endpoints:
            for index, key in enumerate(PERCENTILES):
                if key in values:
                    ax.barh(
                        y + index * height,
                        values[key],
                        height=height,
                        color=colours[key],
                        label=key.removesuffix("_ms"),
                    )
                    ax.text(values[key], y + index * height, f" {values[key]:.0f}", va="center", fontsize=7)
            ticks.append(y + 0.4 - height / 2)
            names.append(f"{label}\n{s.check_id.removeprefix('load.')} ({s.status})")
            y += 1.0
        group_spans.append((s, start - 0.15, y - 0.25))
        y += 0.4
    for s, low, high in group_spans:
        ax.axhline(high + 0.2, color="#dddddd", linewidth=0.8)
        if s.limit_ms is not None:
            ax.vlines(s.limit_ms, low, high, colors="black", linestyles="dashed", linewidth=1.2)
            ax.text(s.limit_ms, high, f" {s.check_id} p95 limit {s.limit_ms:g} ms", fontsize=7, va="bottom")
    alarms = latency_alarms(run_dir)
    for text, threshold in alarms:
        ax.axvline(threshold, color="#d62728", linewidth=1.5)
        ax.text(threshold, -0.6, f" {text}", color="#d62728", fontsize=7, va="top")
    # Room on the right for the limit/alarm labels, whatever the measured values are.
    largest = max(
        [v for _, _, values in rows for v in values.values()]
        + [s.limit_ms for s in series if s.limit_ms is not None]
        + [threshold for _, threshold in alarms]
    )
    ax.set_xlim(0, largest * 1.45)
    ax.set_yticks(ticks, names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("latency (ms)")
    ax.set_title("Load checks: latency per endpoint (p50 / p95 / p99 where recorded / max)", fontsize=10)
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=False))
    ax.legend(unique.values(), unique.keys(), loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    path = run_dir / PLOT_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90, metadata={"Software": None})
    plt.close(fig)
    return path
