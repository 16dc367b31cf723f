"""What the sandbox site is wired to: validated base URLs, the catalog and the site faults it plants."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

if TYPE_CHECKING:
    from hhl_backend.content import Catalog

# The site.* faults of the catalog (sandbox/faults.py) this package knows how to plant.
FAULT_API_PROXY_OFF = "site.api_proxy_off"
FAULT_AUTH_SCRIPT_MISSING = "site.auth_script_missing"
FAULT_LEGACY_AUTH_SCRIPT = "site.legacy_auth_script"
SITE_FAULTS = frozenset({FAULT_API_PROXY_OFF, FAULT_AUTH_SCRIPT_MISSING, FAULT_LEGACY_AUTH_SCRIPT})


class SiteConfigError(ValueError):
    """A create_site_app argument is unusable; the message names the argument and what was expected."""


def base_url(name: str, value: str) -> str:
    """An absolute http(s) origin (optionally with a path prefix), without the trailing slash."""
    if not isinstance(value, str):
        raise SiteConfigError(f"{name}: expected an absolute http(s) URL string, got {type(value).__name__}")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise SiteConfigError(f"{name}: expected an absolute http(s) URL without query or fragment, got {value!r}")
    return value.rstrip("/")


def site_faults(faults: frozenset[str]) -> frozenset[str]:
    """The site faults to plant. Other components' faults are ignored (the composition passes the whole set);
    an unknown `site.*` name is an error rather than a silently healthy site."""
    unknown = sorted(f for f in faults if f.startswith("site.") and f not in SITE_FAULTS)
    if unknown:
        raise SiteConfigError(f"faults: unknown site fault(s) {unknown}; known: {sorted(SITE_FAULTS)}")
    return frozenset(f for f in faults if f in SITE_FAULTS)


@dataclass(frozen=True)
class SiteConfig:
    site_base_url: str
    api_public_url: str
    api_upstream_url: str
    catalog: Catalog
    faults: frozenset[str]

    @property
    def me_url(self) -> str:
        return f"{self.api_public_url}/auth/me"

    @property
    def login_url(self) -> str:
        return f"{self.api_public_url}/auth/login"

    @property
    def logout_url(self) -> str:
        return f"{self.api_public_url}/auth/logout"

    def login_href(self, path_and_query: str) -> str:
        """`<login-url>?redirect_url=<urlencoded path+query>` (SPEC §8: the CTA and the nav's Sign In)."""
        return f"{self.login_url}?redirect_url={quote(path_and_query, safe='')}"

    @property
    def proxy_enabled(self) -> bool:
        return FAULT_API_PROXY_OFF not in self.faults

    @property
    def loads_auth_script(self) -> bool:
        return FAULT_AUTH_SCRIPT_MISSING not in self.faults

    @property
    def loads_legacy_script(self) -> bool:
        return FAULT_LEGACY_AUTH_SCRIPT in self.faults

    def pathway_of_course(self, course_slug: str) -> str | None:
        """The first catalog pathway listing the course (the module page's optional `hhl:pathway_slug`)."""
        return next((p.slug for p in self.catalog.pathways.values() if course_slug in p.courses), None)


def make_site_config(
    *,
    site_base_url: str,
    api_public_url: str,
    api_upstream_url: str,
    catalog: Catalog,
    faults: frozenset[str],
) -> SiteConfig:
    for attribute in ("courses", "pathways", "course_of_module"):
        if not hasattr(catalog, attribute):
            raise SiteConfigError(f"catalog: expected a hhl_backend.content.Catalog, missing {attribute!r}")
    return SiteConfig(
        site_base_url=base_url("site_base_url", site_base_url),
        api_public_url=base_url("api_public_url", api_public_url),
        api_upstream_url=base_url("api_upstream_url", api_upstream_url),
        catalog=catalog,
        faults=site_faults(frozenset(faults)),
    )
