"""sandbox/backend_faults/__init__.py: `PLANTINGS`, the one table of the catalog's backend/gateway faults, and
`seams_for_faults` (unknown names refused, faults on one seam composed)."""

from __future__ import annotations

import pytest

from sandbox.backend_faults import PLANTINGS, real_deployment, seams_for_faults
from sandbox.faults import FAULTS


def test_unknown_fault_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"no\.such"):
        seams_for_faults(frozenset({"no.such"}))


def test_every_backend_and_gateway_fault_has_one_planting() -> None:
    """The one table (sandbox/backend_faults.PLANTINGS) covers the catalog's backend/gateway faults; the one planted
    through the backend's own settings instead (COOKIE_DOMAIN, sandbox/compose.py) is named here."""
    through_settings = {"backend.cookie_domain"}
    catalog = {f.name for f in FAULTS.values() if f.component in ("backend", "gateway")}
    assert catalog - through_settings == set(PLANTINGS)


def test_two_faults_on_one_seam_compose() -> None:
    seams = seams_for_faults(frozenset({"backend.no_silent_refresh", "backend.no_revocation"}))
    both = {real_deployment.NoRefreshIdpClient, real_deployment.NoRevocationIdpClient}
    assert set(seams.idp_client_factory.defects) == both
    policy = seams_for_faults(frozenset({"backend.cookie_samesite_lax", "backend.cookie_not_httponly"})).cookie_policy
    access = policy("hhl_access_token")
    assert (access.same_site, access.http_only) == ("lax", False)
