"""Replaceable behaviours of the CRM sync consumer. Defaults are the correct implementations (SPEC §7).

The sandbox plants realistic `crmsync.*` defects by passing defective replacements here
(sandbox/backend_faults/crmsync.py), never by `if fault:` branches in the consumer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from hhl_backend.crm.hubspot import RetryPolicy
from hhl_backend.crm.values import create_payload, registry_only, union_set


@dataclass(frozen=True)
class CrmSeams:
    # HubSpot retries: which statuses, how long after a 429, jitter, sleep and clock (tests inject the last three).
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    # (the contact's current value, the current members) → the new `;`-joined value of a NEVER_SHRINK property.
    merge_set: Callable[[str | None, Iterable[str]], str] = union_set
    # email → the properties of a newly created contact.
    create_properties: Callable[[str], dict[str, str]] = create_payload
    # The projected values → the PATCH body actually sent.
    outgoing_properties: Callable[[Mapping[str, str]], dict[str, str]] = registry_only
