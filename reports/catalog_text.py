"""Read-only view of `checks/catalog.yaml` for the reports: title, scope, severity and remediation per check id."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

CATALOG_PATH = Path(__file__).resolve().parents[1] / "checks" / "catalog.yaml"


@dataclass(frozen=True)
class CatalogEntry:
    id: str
    area: str
    title: str
    severity: str
    scope: str  # all | local | real
    remediation: str


@lru_cache(maxsize=4)
def load_catalog(path: Path = CATALOG_PATH) -> dict[str, CatalogEntry]:
    """Entries keyed by check id. An unreadable catalog is an error: remediation text must not vanish silently."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RuntimeError(f"check catalog {path} cannot be read: {exc}") from exc
    entries: dict[str, CatalogEntry] = {}
    for raw in (data or {}).get("checks", []):
        entries[raw["id"]] = CatalogEntry(
            id=raw["id"],
            area=raw.get("area", raw["id"].split(".", 1)[0]),
            title=raw.get("title") or raw["id"],
            severity=raw.get("severity", ""),
            scope=raw.get("scope", "all"),
            remediation=(raw.get("remediation") or "").strip(),
        )
    return entries
