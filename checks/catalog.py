"""The check catalog (checks/catalog.yaml): id → severity, write class, applicability, remediation.

>>> CATALOG["api.target.gateway_fingerprint"].severity
'critical'
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from checks.vocabulary import SCOPES, SEVERITIES, WRITES, Scope, Severity, Writes, is_preflight

CATALOG_FILE = Path(__file__).with_name("catalog.yaml")

# What a failed preflight blocks (SPEC §10): every check that touches the base it proves, by id prefix.
# api: everything that calls the API base (the security probes and the load suite included); infra: everything
# that reads the AWS account (security.logs reads the log group, so it depends on both).
BLOCKED_BY_AREA: dict[str, tuple[str, ...]] = {
    "api": (
        "api",
        "security.login",
        "security.auth",
        "security.cookies",
        "security.cors",
        "security.data",
        "security.logout",
        "security.headers",
        "security.cache",
        "security.logs",
        "load",
    ),
    "e2e": ("e2e",),
    "infra": ("infra", "security.ops", "security.iam", "security.logs", "load.alarms_quiet_after"),
    "crm": ("crm",),
}


class CatalogError(Exception):
    """checks/catalog.yaml is malformed; the message names the entry and the field."""


@dataclass(frozen=True)
class CheckSpec:
    id: str
    area: str
    severity: Severity
    writes: Writes
    scope: Scope
    expectation: str = ""
    title: str = ""
    remediation: str = ""
    known_profiles: tuple[str, ...] = ()
    known_note: str = ""
    smoke: bool = False  # in the post-deploy / post-rollback smoke scope (`-m smoke`, `--scope smoke`)
    requires: tuple[str, ...] = ()  # declared prerequisites: a failed one blocks this check, as a preflight does

    @property
    def is_preflight(self) -> bool:
        return is_preflight(self.id)

    @property
    def display_title(self) -> str:
        return self.title or self.id

    def applies_to(self, kind: str) -> bool:
        """`local` checks need the sandbox, `real` ones need AWS; `all` run everywhere."""
        return self.scope == "all" or (self.scope == "local") == (kind == "local")

    def blocks(self, other: CheckSpec) -> bool:
        """Whether this preflight failing blocks `other` (a check of a dependent area, or a later preflight of
        the same area: a CMS answering the API base fails the gateway probe and blocks the /auth/me probe)."""
        if not self.is_preflight or other.id == self.id:
            return False
        scopes = BLOCKED_BY_AREA.get(self.area, (self.area,))
        return any(other.id == s or other.id.startswith(s + ".") for s in scopes)


_ALLOWED = {
    "severity": SEVERITIES,
    "writes": WRITES,
    "scope": SCOPES,
}


def _spec(entry: object, index: int) -> CheckSpec:
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
        raise CatalogError(f"{CATALOG_FILE}: checks[{index}]: expected a mapping with a string `id`")
    for key, allowed in _ALLOWED.items():
        if entry.get(key) not in allowed:
            got = entry.get(key)
            raise CatalogError(f"{CATALOG_FILE}: {entry['id']}.{key}: expected one of {allowed}, got {got!r}")
    if entry["id"].split(".", 1)[0] != entry.get("area"):
        got = entry.get("area")
        raise CatalogError(f"{CATALOG_FILE}: {entry['id']}.area: expected the id's first part, got {got!r}")
    return CheckSpec(
        id=entry["id"],
        area=entry["area"],
        severity=entry["severity"],
        writes=entry["writes"],
        scope=entry["scope"],
        expectation=str(entry.get("expectation") or ""),
        title=str(entry.get("title") or ""),
        remediation=str(entry.get("remediation") or ""),
        known_profiles=tuple(entry.get("known_profiles") or ()),
        known_note=str(entry.get("known_note") or ""),
        smoke=entry.get("smoke") is True,
        requires=tuple(entry.get("requires") or ()),
    )


# libyaml's parser when PyYAML has it: every harness process parses the catalog (~0.25 s in pure Python, ~0.03 s in C).
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def load_catalog(path: Path = CATALOG_FILE) -> dict[str, CheckSpec]:
    """Parse and validate the catalog, in file order (preflights run in that order)."""
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
    entries = data.get("checks") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise CatalogError(f"{path}: expected a top-level `checks:` list")
    specs = [_spec(entry, i) for i, entry in enumerate(entries)]
    catalog = {spec.id: spec for spec in specs}
    if len(catalog) != len(specs):
        raise CatalogError(f"{path}: duplicate check ids")
    for spec in specs:
        unknown = [r for r in spec.requires if r not in catalog or r == spec.id]
        if unknown:
            raise CatalogError(f"{path}: {spec.id}.requires: not other catalog ids: {', '.join(unknown)}")
    _reject_cycles(catalog, path)
    return catalog


def _reject_cycles(catalog: dict[str, CheckSpec], path: Path) -> None:
    """A `requires` cycle would make each check wait for the other until the bound: refuse it up front."""
    state: dict[str, str] = {}

    def visit(check_id: str, trail: tuple[str, ...]) -> None:
        if state.get(check_id) == "done":
            return
        if state.get(check_id) == "open":
            raise CatalogError(f"{path}: requires cycle: {' -> '.join((*trail, check_id))}")
        state[check_id] = "open"
        for required in catalog[check_id].requires:
            visit(required, (*trail, check_id))
        state[check_id] = "done"

    for check_id in catalog:
        visit(check_id, ())


CATALOG: dict[str, CheckSpec] = load_catalog()
