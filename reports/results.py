"""The run's result model (SPEC §11.1): what the pytest plugin records and every report is rendered from."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from checks.vocabulary import STATUSES as STATUSES  # re-exported: reports.STATUSES
from checks.vocabulary import Area, RunScope, Severity, Status, Writes


@dataclass
class CheckResult:
    """One test item's outcome. `id` is the check id, with `[param]` appended for parametrized checks."""

    id: str
    area: Area | str  # an unknown area is counted in its own row, never dropped
    title: str
    severity: Severity
    writes: Writes
    status: Status  # waived is set by the verdict engine, not by the plugin
    known: bool = False  # matches a Real-deployment note for the env's profile
    waiver: dict[str, Any] | None = None
    started_at: str = ""  # ISO-8601 UTC
    duration_ms: int = 0
    expected: Any = None
    actual: Any = None
    message: str = ""  # already redacted
    evidence: list[str] = field(default_factory=list)  # paths relative to the run directory
    nodeid: str = ""
    check_id: str = ""  # the catalog id without the parameter suffix

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RunInfo:
    id: str
    env: str
    profile: str
    started_at: str
    finished_at: str = ""
    harness_version: str = ""
    backend_version: str = ""
    template_sha256: str = ""
    # Run identity read from the target (checks/run_identity.py), filled by the plugin:
    lambda_version: str = ""  # the version behind lambda_alias, or "$LATEST" (lambda_alias "")
    lambda_alias: str = ""
    code_sha256: str = ""  # that version's CodeSha256 (base64, as AWS reports it)
    identity_notes: list[str] = field(default_factory=list)  # what could not be read, and what the values mean
    targets: dict[str, Any] = field(default_factory=dict)  # site, api, hosted_ui, region, stack
    scope: RunScope = "full"  # full | smoke: the catalog reference set the verdict is judged against
    interrupted: str = ""  # why the run was cut short (SIGINT, SIGTERM, -x/--maxfail, a crash); "" = ran to the end
    verdict: str = ""
    verdict_reasons: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
