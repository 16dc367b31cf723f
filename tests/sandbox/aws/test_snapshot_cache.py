"""The snapshot key: everything that goes into provisioning changes it; this run's secrets and ports do not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sandbox.aws.cognito import TestUser
from sandbox.aws.moto_snapshot import SnapshotError
from sandbox.aws.snapshot_cache import RunValues, cache_root, prune, slot_for, snapshot_key


def _inputs(tmp_path: Path, *, port: int = 40001, secret: str = "s" * 44, **changes: Any) -> dict[str, Any]:
    package = tmp_path / "hhl_backend-1.zip"
    if not package.exists():
        package.write_bytes(b"package one")
    site = f"localhost:{port}"
    run = RunValues({"cookie_secret": secret, "password_0": f"Hh1-{secret}", "site": site})
    inputs: dict[str, Any] = {
        "template_text": "Resources: {}\n",
        "code_zip": package,
        "region": "us-west-2",
        "stage": "local",
        "parameters": {"SiteBaseUrl": f"http://{site}", "AuthCookieSecret": secret},
        "users": [TestUser("learner@example.com", f"Hh1-{secret}")],
        "faults": [],
        "with_crm_token": True,
        "run": run,
    }
    return inputs | changes


def test_this_runs_ports_and_secrets_do_not_change_the_key(tmp_path: Path) -> None:
    first = snapshot_key(**_inputs(tmp_path))
    assert snapshot_key(**_inputs(tmp_path, port=51234, secret="t" * 44)) == first


@pytest.mark.parametrize(
    "change",
    [
        {"template_text": "Resources: {Table: {}}\n"},
        {"faults": ["provision.no_pitr"]},
        {"faults": ["client.drop_callback_url"]},
        {"stage": "dev"},
        {"with_crm_token": False},
    ],
)
def test_what_goes_into_provisioning_changes_the_key(tmp_path: Path, change: dict[str, Any]) -> None:
    assert snapshot_key(**_inputs(tmp_path, **change)) != snapshot_key(**_inputs(tmp_path))


def test_the_package_content_changes_the_key(tmp_path: Path) -> None:
    before = snapshot_key(**_inputs(tmp_path))
    (tmp_path / "hhl_backend-1.zip").write_bytes(b"package two, same name")
    assert snapshot_key(**_inputs(tmp_path)) != before


def test_faults_that_provision_nothing_share_the_key(tmp_path: Path) -> None:
    assert snapshot_key(**_inputs(tmp_path, faults=["backend.cookie_domain", "site.api_proxy_off"])) == snapshot_key(
        **_inputs(tmp_path)
    )


def test_snapshots_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HHL_SANDBOX_SNAPSHOTS", "0")
    assert cache_root() is None
    inputs = _inputs(tmp_path)
    assert slot_for(inputs.pop("code_zip"), inputs.pop("run"), **inputs) is None


def test_run_values_round_trip_through_placeholders() -> None:
    run = RunValues({"site": "localhost:40001", "cookie_secret": "abc"})
    assert (
        run.neutral("http://localhost:40001/?k=abc") == "http://@@hhl-snapshot:site@@/?k=@@hhl-snapshot:cookie_secret@@"
    )
    with pytest.raises(ValueError, match="non-empty"):
        RunValues({"crm_token": ""})


def test_prune_keeps_the_newest_slots(tmp_path: Path) -> None:
    import os

    for age, name in enumerate(["newest", "middle", "oldest"]):
        (tmp_path / name).mkdir()
        os.utime(tmp_path / name, (1_000_000 - age, 1_000_000 - age))
    prune(tmp_path, keep=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["middle", "newest"]


def test_a_slot_is_whole_and_the_first_save_of_a_key_stays(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HHL_SANDBOX_CACHE_DIR", str(tmp_path / "cache"))
    inputs = _inputs(tmp_path)
    slot = slot_for(inputs.pop("code_zip"), inputs.pop("run"), **inputs)
    assert slot is not None and not slot.ready()

    def moto_writes(content: bytes) -> Any:
        return lambda path: path.write_bytes(content)

    slot.save({"user_pool_id": "pool-first", "secret": "s" * 44}, moto_writes(b"first"))
    slot.save({"user_pool_id": "pool-second"}, moto_writes(b"second"))  # a concurrent start, same key
    assert slot.ready() and slot.moto_file.read_bytes() == b"first"
    assert slot.load_provisioned() == {"user_pool_id": "pool-first", "secret": "s" * 44}  # this run's value back
    assert b"s" * 44 not in slot.provisioned_file.read_bytes()
    assert [path.name for path in (tmp_path / "cache").iterdir()] == [slot.directory.name]  # no staging left


def test_a_failed_save_leaves_no_slot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HHL_SANDBOX_CACHE_DIR", str(tmp_path / "cache"))
    inputs = _inputs(tmp_path)
    slot = slot_for(inputs.pop("code_zip"), inputs.pop("run"), **inputs)
    assert slot is not None

    def moto_refuses(path: Path) -> None:
        raise SnapshotError("not picklable")

    with pytest.raises(SnapshotError):
        slot.save({"user_pool_id": "pool"}, moto_refuses)
    assert not slot.ready() and list((tmp_path / "cache").iterdir()) == []
