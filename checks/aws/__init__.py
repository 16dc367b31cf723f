"""Read-only AWS infrastructure checks (SPEC §10 `infra.*`, `security.ops.*`, `security.iam.*`).

Data is collected once per service into an `InfraSnapshot`; each check is a small declarative rule judged against
it. A suite test is one line:

    >>> @pytest.mark.check("infra.dynamodb.pitr_enabled")  # doctest: +SKIP
    ... def test_pitr(infra, evidence):
    ...     verify(infra, "infra.dynamodb.pitr_enabled", evidence)
"""

from __future__ import annotations

from checks.aws import rules as _rules  # noqa: F401 - importing registers every rule in CHECKS
from checks.aws.model import CHECKS, Check, Finding, evaluate
from checks.aws.session import AwsAccessError, ReadOnlyAws, ReadOnlyViolation
from checks.aws.snapshot import InfraSnapshot, ServiceUnavailable
from checks.aws.verify import verify

__all__ = [
    "CHECKS",
    "AwsAccessError",
    "Check",
    "Finding",
    "InfraSnapshot",
    "ReadOnlyAws",
    "ReadOnlyViolation",
    "ServiceUnavailable",
    "evaluate",
    "verify",
]
