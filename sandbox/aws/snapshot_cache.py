"""Provisioned-state snapshots on disk: provision once per input, restore on every later sandbox start.

A slot is keyed by everything that goes into provisioning: the template text, the Lambda package's content, the
provisioning code (sandbox/aws/*.py and sandbox/compose.py), moto's and Python's versions, the parameters and test
users (with every run-specific value replaced by a placeholder), and the faults that change what is provisioned.
A change in any of them is another key, so a snapshot is never stale. A slot holds moto's state (moto.pickle,
written by the moto process) and the provisioner's result (provisioned.pickle); both carry placeholders, never
this run's secrets.

Run-specific values are the secrets (cookie secret, test users' passwords, CRM token) and the loopback host:port
pairs of this sandbox's servers: each start fills in its own (RunValues).

`HHL_SANDBOX_SNAPSHOTS=0` turns snapshots off; `HHL_SANDBOX_CACHE_DIR` moves them (default: <repo>/.cache/hhl-sandbox).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from sandbox.aws import moto_snapshot
from sandbox.aws.cognito import TestUser

__all__ = ["RunValues", "SnapshotSlot", "slot_for"]

FORMAT = 1  # bump when the slot layout or the placeholder scheme changes
KEEP_SLOTS = 64  # newest slots kept: every fault combination of the integration tier (each ≈160 KB, no package copy)
PROVISIONING_FAULT_PREFIXES = ("provision.", "client.", "gateway.", "crm.")
CODE_DIR = Path(__file__).resolve().parent  # sandbox/aws: the provisioning code
REPO_ROOT = CODE_DIR.parents[1]
COMPOSE = REPO_ROOT / "sandbox" / "compose.py"  # what it is called with, and when the snapshot is taken
CODE_BLOB = "code"  # the blob name of the Lambda package inside moto's state


def cache_root() -> Path | None:
    if os.environ.get("HHL_SANDBOX_SNAPSHOTS", "1") == "0":
        return None
    configured = os.environ.get("HHL_SANDBOX_CACHE_DIR")
    return Path(configured) if configured else REPO_ROOT / ".cache" / "hhl-sandbox"


@dataclass(frozen=True)
class RunValues:
    """This sandbox's own values, by name (e.g. `cookie_secret`, `site`); never written anywhere."""

    values: Mapping[str, str]

    def __post_init__(self) -> None:
        if any(not value for value in self.values.values()):
            raise ValueError("run values must be non-empty strings")

    @staticmethod
    def placeholder(name: str) -> str:
        return f"@@hhl-snapshot:{name}@@"

    def to_placeholders(self) -> dict[str, str]:
        return {value: self.placeholder(name) for name, value in self.values.items()}

    def from_placeholders(self) -> dict[str, str]:
        return {self.placeholder(name): value for name, value in self.values.items()}

    def neutral(self, text: str) -> str:
        """`text` with this run's values replaced by placeholders (longest first), for the key."""
        for value, placeholder in sorted(self.to_placeholders().items(), key=lambda item: -len(item[0])):
            text = text.replace(value, placeholder)
        return text


def _file_digest(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _code_digest() -> str:
    digest = hashlib.sha256()
    for source in [*sorted(CODE_DIR.glob("*.py")), COMPOSE]:
        digest.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    return digest.hexdigest()


def snapshot_key(
    *,
    template_text: str,
    code_zip: Path,
    region: str,
    stage: str,
    parameters: Mapping[str, str],
    users: Sequence[TestUser],
    faults: Iterable[str],
    with_crm_token: bool,
    run: RunValues,
) -> str:
    inputs = {
        "format": FORMAT,
        "python": sys.version,
        "moto": metadata.version("moto"),
        "code": _code_digest(),
        "template": hashlib.sha256(template_text.encode()).hexdigest(),
        "package": [code_zip.name, _file_digest(code_zip)],
        "region": region,
        "stage": stage,
        "parameters": {name: run.neutral(value) for name, value in sorted(parameters.items())},
        "users": [[run.neutral(u.username), u.given_name, u.family_name, run.neutral(u.password)] for u in users],
        "faults": sorted(name for name in faults if name.startswith(PROVISIONING_FAULT_PREFIXES)),
        "crm_token": with_crm_token,
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class SnapshotSlot:
    directory: Path
    run: RunValues
    code_zip: Path

    @property
    def moto_file(self) -> Path:
        return self.directory / "moto.pickle"

    @property
    def provisioned_file(self) -> Path:
        return self.directory / "provisioned.pickle"

    def ready(self) -> bool:
        return self.moto_file.is_file() and self.provisioned_file.is_file()

    def load_provisioned(self) -> Any:
        """The provisioner's result saved with the moto state, with this run's values in."""
        return moto_snapshot.loads(self.provisioned_file.read_bytes(), self.run.from_placeholders())

    def save(self, provisioned: Any, save_moto: Callable[[Path], object]) -> None:
        """Write both halves into a staging directory, then move it into place in one rename: a reader sees a
        whole slot or none, and of two starts saving the same key at once the first one's slot stays (the two
        hold different ids, so halves from both must never mix). `save_moto(path)` has moto write its state."""
        staging = self.directory.with_name(f".{self.directory.name}.{os.getpid()}.{threading.get_ident()}")
        try:
            moto_snapshot.write_atomically(
                staging / self.provisioned_file.name, moto_snapshot.dumps(provisioned, self.run.to_placeholders())
            )
            save_moto(staging / self.moto_file.name)
            with contextlib.suppress(OSError):  # another start saved this key first: its slot stays
                staging.rename(self.directory)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def discard(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)

    def touch(self) -> None:
        """Mark as recently used (pruning keeps the newest)."""
        os.utime(self.directory)


def slot_for(code_zip: Path, run: RunValues, **inputs: Any) -> SnapshotSlot | None:
    """The slot for these provisioning inputs (see `snapshot_key`), or None when snapshots are off."""
    root = cache_root()
    if root is None:
        return None
    key = snapshot_key(code_zip=code_zip, run=run, **inputs)
    return SnapshotSlot(root / key, run, code_zip)


def prune(root: Path, keep: int = KEEP_SLOTS) -> None:
    """Remove all but the `keep` most recently used slots."""
    try:
        slots = [path for path in root.iterdir() if path.is_dir() and not path.name.startswith(".")]  # not staging
        slots.sort(key=lambda path: path.stat().st_mtime, reverse=True)
    except OSError:
        return
    for stale in slots[keep:]:
        shutil.rmtree(stale, ignore_errors=True)
