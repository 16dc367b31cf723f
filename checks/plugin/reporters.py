"""JUnit XML and Allure carry the same facts as results.json: check id, severity, area, status (a warning is not a
pass), known, and the evidence. The plugin `Reporters()` (this module as a plugin registers one per config) reads the
`hhl_result` payload `checks/plugin/results.py` puts on each item's teardown report, so both reporters see the
check's final, scrubbed result and never compute one of their own.

JUnit (controller side, where pytest's LogXML runs): `<properties>` `hhl.check_id`, `hhl.severity`, `hhl.area`,
`hhl.status`, `hhl.known`, `hhl.evidence` (one per file) and, for a non-passing check, a `<system-out>` naming the
status, message and evidence. Counts stay equal to results.json: failures + errors = failed + error.

Allure (in the process that ran the item, where allure-pytest writes its result): labels `check_id`, `severity`
(Allure's blocker/critical/normal/minor/trivial), `hhl_severity`, `hhl_status`, `area`, `known`, the evidence files
as attachments of a non-passing check, and the status mapping warning → `broken` (with the warning as its message),
blocked → `skipped`; the rest keep allure-pytest's status (failed → failed, error → broken)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

ALLURE_SEVERITY = {"critical": "blocker", "high": "critical", "medium": "normal", "low": "minor", "info": "trivial"}
_ATTACH_MAX = 40  # evidence files attached to one Allure result (a 35-case check stays readable)


def _payload(report: pytest.TestReport) -> dict[str, Any] | None:
    payload = getattr(report, "hhl_result", None)
    if report.when != "teardown" or not isinstance(payload, dict):
        return None
    result = payload.get("result")
    return result if isinstance(result, dict) else None


def junit_properties(result: dict[str, Any]) -> list[tuple[str, str]]:
    props = [
        ("hhl.check_id", str(result.get("check_id") or result["id"])),
        ("hhl.result_id", str(result["id"])),
        ("hhl.severity", str(result["severity"])),
        ("hhl.area", str(result["area"])),
        ("hhl.status", str(result["status"])),
        ("hhl.known", "true" if result.get("known") else "false"),
    ]
    if result.get("waiver"):
        props.append(("hhl.waiver", str(result["waiver"].get("reason", ""))))
    props += [("hhl.evidence", str(path)) for path in result.get("evidence") or []]
    return props


def status_text(result: dict[str, Any]) -> str:
    """The system-out of a non-passing check: what results.json says about it, in a few lines."""
    lines = [f"[hhl] {result['id']}: {result['status']} ({result['severity']})"]
    if result.get("message"):
        lines.append(f"[hhl] message: {result['message']}")
    evidence = result.get("evidence") or []
    if evidence:
        lines.append(f"[hhl] evidence: {len(evidence)} file(s) under evidence/{result['id']}/")
    return "\n".join(lines) + "\n"


def _attachment_order(run_dir: Path | None, result: dict[str, Any]) -> list[str]:
    """The evidence with what the failed assertion judged first (the transcripts the summary points at,
    screenshots), then the rest in order."""
    evidence = list(result.get("evidence") or [])
    if run_dir is None:
        return evidence
    from reports.context import diff_rows, failing_transcripts

    try:
        judged = [
            j["path"]
            for j in failing_transcripts(run_dir, result, diff_rows(result.get("expected"), result.get("actual")))
        ]
    except OSError:
        judged = []
    shots = sorted((e for e in evidence if e.endswith(".png")), key=lambda e: "failure" not in e)
    first = list(dict.fromkeys([*judged, *shots]))
    return first + [e for e in evidence if e not in first]


class Reporters:
    """Registered once per process; each hook does nothing when its reporter is not active."""

    def __init__(self) -> None:
        self.config: pytest.Config | None = None
        self.run_dir: Path | None = None
        self._allure_done: set[str] = set()

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        result = _payload(report)
        if result is None:
            return
        self._junit(report, result)
        self._allure(report, result)

    # JUnit: runs before LogXML's own logreport (tryfirst), which copies user_properties at teardown.
    def _junit(self, report: pytest.TestReport, result: dict[str, Any]) -> None:
        if self.config is None:
            return
        from _pytest.junitxml import xml_key

        xml = self.config.stash.get(xml_key, None)
        if xml is None:
            return
        report.user_properties = [*list(report.user_properties), *junit_properties(result)]
        if result["status"] == "passed":
            return
        node = xml.node_reporter(report)
        out = ET.Element("system-out")
        out.text = status_text(result)
        node.nodes.append(out)  # not `append`: that would count a stat

    def _allure(self, report: pytest.TestReport, result: dict[str, Any]) -> None:
        config = self.config
        listener = config.pluginmanager.get_plugin("allure_listener") if config is not None else None
        if listener is None or report.nodeid in self._allure_done:
            return
        uuid = listener._cache.get(report.nodeid)
        test_result = listener.allure_logger.get_test(uuid) if uuid else None
        if test_result is None:
            return
        self._allure_done.add(report.nodeid)
        from allure_commons.model2 import Label, Status, StatusDetails
        from allure_commons.types import AttachmentType, LabelType

        status = str(result["status"])
        test_result.labels = [label for label in test_result.labels if label.name != LabelType.SEVERITY]
        test_result.labels += [
            Label(name="check_id", value=str(result.get("check_id") or result["id"])),
            Label(name=LabelType.SEVERITY, value=ALLURE_SEVERITY.get(str(result["severity"]), "normal")),
            Label(name="hhl_severity", value=str(result["severity"])),
            Label(name="hhl_status", value=status),
            Label(name="area", value=str(result["area"])),
            Label(name="known", value="true" if result.get("known") else "false"),
        ]
        if status == "warning":
            test_result.status = Status.BROKEN
            test_result.statusDetails = StatusDetails(message=f"warning: {result.get('message', '')}")
        elif status == "blocked":
            test_result.status = Status.SKIPPED
            test_result.statusDetails = StatusDetails(message=f"blocked: {result.get('message', '')}")
        elif status == "waived":
            test_result.statusDetails = StatusDetails(message=f"waived: {result.get('message', '')}")
        if status == "passed":
            return
        listener.allure_logger.attach_data(
            uuid4(),
            json.dumps(
                {k: result.get(k) for k in ("id", "status", "severity", "message", "expected", "actual")},
                indent=2,
                default=str,
            ),
            name="results.json entry",
            attachment_type=AttachmentType.JSON,
            extension="json",
            parent_uuid=uuid,
        )
        for rel in _attachment_order(self.run_dir, result)[:_ATTACH_MAX]:
            path = self.run_dir / rel if self.run_dir else None
            if path is None or not path.is_file() or path.suffix == ".zip":  # traces stay in the run directory
                continue
            kind = {".png": AttachmentType.PNG, ".json": AttachmentType.JSON}.get(path.suffix, AttachmentType.TEXT)
            listener.allure_logger.attach_file(
                uuid4(), str(path), name=rel, attachment_type=kind, extension=path.suffix.lstrip("."), parent_uuid=uuid
            )

    def pytest_configure(self, config: pytest.Config) -> None:
        self.config = config

    @pytest.hookimpl(trylast=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        from checks.plugin.state import run_state

        try:
            self.run_dir = Path(run_state(session.config).run_dir)
        except Exception:  # no run state (not a harness session): nothing to attach from
            self.run_dir = None


def pytest_configure(config: pytest.Config) -> None:
    """Loaded as a module plugin (`pytest_plugins` / `-p checks.plugin.reporters`): one Reporters per config."""
    if not config.pluginmanager.has_plugin("hhl-reporters"):
        reporters = Reporters()
        config.pluginmanager.register(reporters, "hhl-reporters")
