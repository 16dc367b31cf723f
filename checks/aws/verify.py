"""The one call a suite test makes: evaluate a check, hand expected/actual and the judged snapshot sections to the
evidence recorder, and turn the Finding into the test's outcome (warning via `evidence.warn`, failure via
AssertionError with the rule's precise message)."""

from __future__ import annotations

from checks.aws.model import Finding, SnapshotLike, evaluate
from checks.errors import CheckFailure
from checks.evidence import Evidence

__all__ = ["verify"]


def verify(infra: SnapshotLike, check_id: str, evidence: Evidence) -> Finding:
    """Evaluate `check_id` against the snapshot and record it on `evidence`.

    >>> def test_pitr(infra: InfraSnapshot, evidence: Evidence) -> None:  # doctest: +SKIP
    ...     verify(infra, "infra.dynamodb.pitr_enabled", evidence)
    """
    finding = evaluate(infra, check_id)
    evidence.record(expected=finding.expected, actual=finding.actual)
    for service in finding.evidence:
        evidence.attach_json(f"aws-{service}", infra.get(service))
    if finding.status == "warning":
        evidence.warn(finding.message)
    elif finding.status == "failed":
        raise CheckFailure(f"{check_id}: {finding.message}")
    return finding
