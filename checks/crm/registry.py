"""The SPEC §7 property registry, as the harness reads it: a re-export of `hhl_backend.crm.registry`.

The registry is contract data ("checks and checklists read only this list"), so this adapter is the one place the
harness imports backend code (crm-interfaces); the checks and the rollout checklist read names and types here.

>>> "hhl_enrolled_courses" in names()
True
"""

from __future__ import annotations

from hhl_backend.crm import registry as _source
from hhl_backend.crm.registry import *  # noqa: F403 (the adapter is the registry's public names, nothing more)

__all__ = list(_source.__all__)
