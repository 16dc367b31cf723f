"""Seams with sandbox faults planted: `seams_for_faults(faults)` → the backend/gateway `Seams` for `--fault` names.

Faults for other components (site, idp, provision...) are ignored here; unknown names are an error.
`real_deployment.py` reproduces SPEC §3's "Real deployment" weaknesses; `hygiene.py` the JWKS-refetch, log and
Cache-Control ones; `validation.py` an input the event parser answers with a 500. The data half's faults live in
`data.py` (written alongside the data routes) and are applied when present.
"""

from __future__ import annotations

import importlib
import importlib.util

from hhl_backend.seams import Seams

from sandbox.backend_faults import auth, gateway, hygiene, real_deployment, validation
from sandbox.faults import FAULTS


def seams_for_faults(faults: frozenset[str], base: Seams | None = None) -> Seams:
    """`base` (default: the correct Seams) with every backend/gateway fault in `faults` planted."""
    unknown = sorted(set(faults) - set(FAULTS))
    if unknown:
        raise ValueError(f"unknown fault(s): {', '.join(unknown)}")
    seams = base if base is not None else Seams()
    appliers = [auth.apply, gateway.apply, real_deployment.apply, hygiene.apply, validation.apply]
    # The data half's module may not exist yet in a partial checkout; its absence must not break the auth faults.
    if importlib.util.find_spec("sandbox.backend_faults.data") is not None:
        appliers.append(importlib.import_module("sandbox.backend_faults.data").apply)
    for apply in appliers:
        seams = apply(seams, frozenset(faults))
    return seams


__all__ = ["seams_for_faults"]
