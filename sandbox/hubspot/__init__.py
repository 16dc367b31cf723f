"""HubSpot CRM stand-in: the contacts and contact-property endpoints of CRM v3 in memory, for the sandbox (SPEC §7).

Bearer-token auth, HubSpot's answer shapes and error envelope, property values validated as HubSpot does; faults and
the per-contact request ledger through the loopback-only hooks documented in `sandbox.hubspot.hooks`.
"""

from __future__ import annotations

from sandbox.hubspot.app import create_hubspot_app
from sandbox.hubspot.context import Clock, HubSpotContext

__all__ = ["Clock", "HubSpotContext", "create_hubspot_app"]
