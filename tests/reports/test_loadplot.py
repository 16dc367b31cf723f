"""The load latency plot: drawn from the load suites' recorded figures, in the run's evidence (so the manifest and
the gate cover it) and embedded in the summary; absent when no load check recorded figures."""

from __future__ import annotations

import json

from reports import finish_run
from reports.loadplot import PLOT_PATH, latency_alarms, load_series

SUMMARY = {
    "by_label": {
        "auth/me": {"count": 60, "p50_ms": 40.0, "p95_ms": 120.5, "max_ms": 300.0},
        "progress/read": {"count": 60, "p50_ms": 90.0, "p95_ms": 250.0, "p99_ms": 400.0, "max_ms": 410.0},
    }
}


def _with_load_figures(fx) -> None:
    check = next(c for c in fx.checks if c.id == "load.api.read_latency")
    path = fx.run_dir / "evidence" / check.id / "load-summary.json"
    path.write_text(json.dumps(SUMMARY), encoding="utf-8")
    check.evidence = [*check.evidence, path.relative_to(fx.run_dir).as_posix()]
    check.expected = {"p95_ms": "< 1000"}
    cloudwatch = fx.run_dir / "evidence" / "_aws" / "cloudwatch.json"
    data = json.loads(cloudwatch.read_text(encoding="utf-8"))
    data["alarms"]["lat"] = {
        "Namespace": "AWS/ApiGateway",
        "MetricName": "Latency",
        "Statistic": "Average",
        "Threshold": 1000.0,
    }
    cloudwatch.write_text(json.dumps(data), encoding="utf-8")


def test_plot_is_drawn_listed_and_embedded(make_run) -> None:
    fx = make_run()
    _with_load_figures(fx)
    checks = [c.to_json() for c in fx.checks]
    series = load_series(fx.run_dir, checks)
    assert [(s.check_id, s.limit_ms, [label for label, _ in s.endpoints]) for s in series] == [
        ("load.api.read_latency", 1000.0, ["auth/me", "progress/read"])
    ]
    assert latency_alarms(fx.run_dir) == [("alarm lat: Latency Average ≥ 1000 ms", 1000.0)]
    finish_run(fx.run_dir, fx.run, fx.checks, environment=fx.environment, secrets=[])
    plot = fx.run_dir / PLOT_PATH
    assert plot.read_bytes().startswith(b"\x89PNG")
    results = json.loads((fx.run_dir / "results.json").read_text(encoding="utf-8"))
    assert PLOT_PATH in {a["path"] for a in results["artifacts"]}
    summary = (fx.run_dir / "test-results-summary.md").read_text(encoding="utf-8")
    assert f"![Load checks: latency per endpoint]({PLOT_PATH})" in summary


def test_no_figures_no_plot(make_run) -> None:
    fx = make_run()
    finish_run(fx.run_dir, fx.run, fx.checks, environment=fx.environment, secrets=[])
    assert not (fx.run_dir / PLOT_PATH).exists()
    assert "![Load checks" not in (fx.run_dir / "test-results-summary.md").read_text(encoding="utf-8")
