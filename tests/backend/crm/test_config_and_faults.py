"""crm/config.py (variables → CrmSettings, errors naming variables only) and the `crmsync.*` seams of
sandbox/backend_faults/crmsync.py (each replaces exactly one default; unknown names refused)."""

from __future__ import annotations

import dataclasses

import pytest
from hhl_backend.config import ConfigError
from hhl_backend.crm.config import DEFAULT_HUBSPOT_BASE_URL, load_crm_settings
from hhl_backend.crm.seams import CrmSeams

from sandbox.backend_faults.crmsync import APPLIERS, crm_seams_for_faults
from tests.backend.auth_fakes import base_env

TABLES = {
    "APP_STAGE": "local",
    "DYNAMODB_USERS_TABLE": "u",
    "DYNAMODB_ENROLLMENTS_TABLE": "e",
    "DYNAMODB_PROGRESS_TABLE": "p",
    "DYNAMODB_BADGES_TABLE": "b",
}


def test_minimal_configuration() -> None:
    settings = load_crm_settings(TABLES)
    assert settings.hubspot_base_url == DEFAULT_HUBSPOT_BASE_URL
    assert settings.token_parameter is None and settings.aws_endpoint_url is None
    assert settings.tables.users == "u" and settings.tables.badges == "b"


def test_full_configuration() -> None:
    settings = load_crm_settings(
        base_env(
            HUBSPOT_BASE_URL="http://127.0.0.1:8403/",
            HUBSPOT_TOKEN_PARAMETER="/hedgehog-learn/local/hubspot-token",
            AWS_ENDPOINT_URL="http://127.0.0.1:5000",
            LOG_LEVEL="debug",
        )
    )
    assert settings.hubspot_base_url == "http://127.0.0.1:8403"
    assert settings.token_parameter == "/hedgehog-learn/local/hubspot-token"
    assert settings.log_level == "DEBUG"


def test_bad_configuration_names_every_variable_and_no_value() -> None:
    with pytest.raises(ConfigError) as caught:
        load_crm_settings({"DYNAMODB_USERS_TABLE": "u", "HUBSPOT_BASE_URL": "ftp://secret-host", "LOG_LEVEL": "LOUD"})
    message = str(caught.value)
    for name in ("APP_STAGE", "DYNAMODB_BADGES_TABLE", "HUBSPOT_BASE_URL", "LOG_LEVEL"):
        assert name in message
    assert "secret-host" not in message


@pytest.mark.parametrize(
    ("fault", "fields"),
    [
        ("crmsync.shrink_sets", {"merge_set"}),
        ("crmsync.ignore_retry_after", {"retry.throttle_delay"}),
        ("crmsync.no_5xx_retry", {"retry.retryable_status"}),
        ("crmsync.empty_milestones_on_create", {"create_properties"}),
        ("crmsync.unregistered_property", {"outgoing_properties"}),
    ],
)
def test_each_fault_replaces_one_seam(fault: str, fields: set[str]) -> None:
    planted, correct = crm_seams_for_faults(frozenset({fault})), CrmSeams()
    changed = {f.name for f in dataclasses.fields(CrmSeams) if getattr(planted, f.name) != getattr(correct, f.name)}
    if changed == {"retry"}:
        changed = {
            f"retry.{f.name}"
            for f in dataclasses.fields(correct.retry)
            if getattr(planted.retry, f.name) != getattr(correct.retry, f.name)
        }
    assert changed == fields


def test_other_components_faults_are_ignored_and_unknown_crmsync_names_refused() -> None:
    assert crm_seams_for_faults(frozenset({"backend.read_modify_write", "provision.crm_no_dlq"})) == CrmSeams()
    with pytest.raises(ValueError, match=r"crmsync\.nope"):
        crm_seams_for_faults(frozenset({"crmsync.nope"}))
    assert len(APPLIERS) == 5


def test_faults_compose_on_a_base() -> None:
    base = CrmSeams()
    both = crm_seams_for_faults(frozenset({"crmsync.no_5xx_retry", "crmsync.ignore_retry_after"}), base)
    assert both.retry.retryable_status(500) is False and both.retry.throttle_delay("9", 0.5) == 0.5
