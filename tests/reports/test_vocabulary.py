"""One vocabulary (checks.vocabulary): every word list is its Literal's arguments, and every user imports it."""

from __future__ import annotations

from typing import get_args

import pytest

from checks import catalog, vocabulary
from checks.aws import model
from checks.vocabulary import ExitCode, base_id, is_preflight
from environments import models
from reports import counts, results, verdicts
from reports.results import CheckResult


def test_tuples_are_the_literal_arguments() -> None:
    assert vocabulary.AREAS == ("api", "e2e", "infra", "security", "crm", "load")
    assert vocabulary.SEVERITIES == ("critical", "high", "medium", "low")
    assert vocabulary.STATUSES == ("passed", "failed", "warning", "skipped", "blocked", "error", "waived")
    assert vocabulary.WRITES == ("none", "user", "fault") and vocabulary.SCOPES == ("all", "local", "real")
    assert vocabulary.RUN_SCOPES == ("full", "smoke")
    assert set(get_args(vocabulary.FindingStatus)) <= set(vocabulary.STATUSES)


def test_the_other_modules_use_the_same_objects() -> None:
    assert counts.AREAS is vocabulary.AREAS and models.AREAS is vocabulary.AREAS
    assert counts.SEVERITIES is vocabulary.SEVERITIES and results.STATUSES is vocabulary.STATUSES
    assert catalog._ALLOWED == {
        "severity": vocabulary.SEVERITIES,
        "writes": vocabulary.WRITES,
        "scope": vocabulary.SCOPES,
    }
    assert model.Status is vocabulary.FindingStatus
    assert verdicts.ExitCode is ExitCode


def test_exit_codes_keep_pytests_meanings_above_the_verdicts() -> None:
    assert [int(c) for c in ExitCode] == [0, 1, 2, 3, 4, 5]
    assert ExitCode.USAGE_ERROR == 4 and ExitCode.NO_TESTS == 5


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("api.me.invalid_tokens[expired]", "api.me.invalid_tokens"),
        ("api.me.profile", "api.me.profile"),
        ({"id": "a.b.c[x]"}, "a.b.c"),
        ({"id": "a.b.c[x]", "check_id": "a.b.c"}, "a.b.c"),
        (CheckResult(id="a.b.c[x]", area="a", title="", severity="low", writes="none", status="passed"), "a.b.c"),
    ],
)
def test_base_id(value, expected: str) -> None:
    assert base_id(value) == expected


def test_is_preflight() -> None:
    assert is_preflight("api.target.gateway_fingerprint") and is_preflight("infra.target.account_region[x]")
    assert not is_preflight("api.me.profile") and not is_preflight("security.target_like.x")
    assert all(spec.is_preflight == is_preflight(cid) for cid, spec in catalog.load_catalog().items())
