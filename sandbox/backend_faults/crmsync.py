"""Defective replacements for the CRM sync consumer's seams: the `crmsync.*` faults (SPEC §7, §10).

Each is a mistake a HubSpot integration really makes: writing the current enrollments over the contact's value
(the set shrinks), a generic retry that treats 429 like any error (Retry-After ignored), retrying only rate limits
(a 5xx fails the user at once), creating contacts with every milestone initialised to `""` (HubSpot rejects empty
dates and numbers), and a PATCH that still carries the seed's legacy `total_enrollments` (not a defined property).
`crm_seams_for_faults` ignores the other components' faults; an unknown `crmsync.*` name is an error.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping

from hhl_backend.crm import registry
from hhl_backend.crm.seams import CrmSeams
from hhl_backend.crm.values import SET_SEPARATOR, create_payload, registry_only, split_set

PREFIX = "crmsync."
LEGACY_COUNT = "total_enrollments"  # the seed rollout's property name; none of its names exists (SPEC §7)


def overwrite_set(existing: str | None, current: Iterable[str]) -> str:
    """crmsync.shrink_sets: the value is what DynamoDB holds now; whatever the contact had is dropped."""
    return SET_SEPARATOR.join(sorted({c for c in current if c}))


def retry_after_ignored(header: str | None, backoff: float) -> float:
    """crmsync.ignore_retry_after: a 429 waits the ordinary jittered backoff, whatever Retry-After says."""
    return backoff


def rate_limits_only(status: int) -> bool:
    """crmsync.no_5xx_retry: only 429 is retried; a 5xx is final on the first answer."""
    return status == 429


def create_with_empty_milestones(email: str) -> dict[str, str]:
    """crmsync.empty_milestones_on_create: every milestone property initialised to `""` on create."""
    milestones = {p.name: "" for p in registry.PROPERTIES if p.group == registry.MILESTONES_GROUP}
    return {**create_payload(email), **milestones}


def with_legacy_count(properties: Mapping[str, str]) -> dict[str, str]:
    """crmsync.unregistered_property: the registry body plus the seed's `total_enrollments` count."""
    body = registry_only(properties)
    body[LEGACY_COUNT] = str(len(split_set(properties.get("hhl_enrolled_courses"))))
    return body


def _shrink(seams: CrmSeams) -> CrmSeams:
    return dataclasses.replace(seams, merge_set=overwrite_set)


def _ignore_retry_after(seams: CrmSeams) -> CrmSeams:
    return dataclasses.replace(seams, retry=dataclasses.replace(seams.retry, throttle_delay=retry_after_ignored))


def _no_5xx_retry(seams: CrmSeams) -> CrmSeams:
    return dataclasses.replace(seams, retry=dataclasses.replace(seams.retry, retryable_status=rate_limits_only))


def _empty_milestones(seams: CrmSeams) -> CrmSeams:
    return dataclasses.replace(seams, create_properties=create_with_empty_milestones)


def _unregistered(seams: CrmSeams) -> CrmSeams:
    return dataclasses.replace(seams, outgoing_properties=with_legacy_count)


APPLIERS: dict[str, Callable[[CrmSeams], CrmSeams]] = {
    "crmsync.shrink_sets": _shrink,
    "crmsync.ignore_retry_after": _ignore_retry_after,
    "crmsync.no_5xx_retry": _no_5xx_retry,
    "crmsync.empty_milestones_on_create": _empty_milestones,
    "crmsync.unregistered_property": _unregistered,
}


def crm_seams_for_faults(faults: frozenset[str], base: CrmSeams | None = None) -> CrmSeams:
    """`base` (default: the correct CrmSeams) with every `crmsync.*` fault in `faults` planted."""
    unknown = sorted(f for f in faults if f.startswith(PREFIX) and f not in APPLIERS)
    if unknown:
        raise ValueError(f"unknown crmsync fault(s): {', '.join(unknown)}")
    seams = base if base is not None else CrmSeams()
    for name in sorted(faults & APPLIERS.keys()):
        seams = APPLIERS[name](seams)
    return seams
