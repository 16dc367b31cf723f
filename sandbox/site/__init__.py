"""The sandbox learning site (SPEC §8): the DOM contract the harness's page objects drive, the auth script,
and a pass-through to the API so that it is reachable through the site origin too.

    >>> from hhl_backend.content import load_catalog
    >>> app = create_site_app(site_base_url="http://localhost:8400", api_public_url="http://localhost:8401",
    ...     api_upstream_url="http://127.0.0.1:8401", catalog=load_catalog())
"""

from __future__ import annotations

from sandbox.site.app import create_site_app
from sandbox.site.config import SITE_FAULTS, SiteConfigError

__all__ = ["SITE_FAULTS", "SiteConfigError", "create_site_app"]
