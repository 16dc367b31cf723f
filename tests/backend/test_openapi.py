"""openapi.yaml stays true: its paths/methods equal the app's routes and the template's route keys."""

from __future__ import annotations

from pathlib import Path

import yaml
from hhl_backend.gateway import gateway_config_from_template
from hhl_backend.routes import all_routes

ROOT = Path(__file__).resolve().parents[2]
SPEC = yaml.safe_load((ROOT / "backend" / "hhl_backend" / "openapi.yaml").read_text())
HTTP_METHODS = {"get", "post", "put", "patch", "delete", "options", "head"}


def _documented() -> set[tuple[str, str]]:
    return {(m.upper(), path) for path, item in SPEC["paths"].items() for m in item if m in HTTP_METHODS}


def test_openapi_matches_app_routes() -> None:
    served = {(m, r.path) for r in all_routes() for m in (r.methods or ()) if m != "HEAD"}
    assert _documented() == served


def test_openapi_matches_template_route_keys() -> None:
    config = gateway_config_from_template(ROOT / "backend" / "template.yaml", {"CorsOrigins": "http://localhost:8400"})
    assert _documented() == set(config.route_keys)
    assert len(config.route_keys) == 10


def test_openapi_references_resolve() -> None:
    text = (ROOT / "backend" / "hhl_backend" / "openapi.yaml").read_text()
    assert SPEC["openapi"].startswith("3.1")
    for ref in {line.split("'#/")[1].split("'")[0] for line in text.splitlines() if "'#/" in line}:
        node = SPEC
        for part in ref.split("/"):
            node = node[part]
