"""The harness's CRM side (SPEC §7): the property registry adapter, a read-only HubSpot reader and the sandbox
stand-in's loopback hooks."""

__all__ = ["registry"]
