"""Create the registry's HubSpot contact properties (SPEC §7): the `learning_milestones` group, then each property.

    HHL_HUBSPOT_TOKEN=... python -m hhl_backend.crm.provision_properties [--base-url URL]

A 409 means it exists already, so re-runs are safe. Exit 0 when everything exists afterwards, 1 otherwise; the
summary names properties and statuses only, never the token.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

import httpx

from hhl_backend.crm import registry
from hhl_backend.crm.config import DEFAULT_HUBSPOT_BASE_URL
from hhl_backend.crm.hubspot import HubSpotClient, HubSpotError

TOKEN_VARIABLE = "HHL_HUBSPOT_TOKEN"


@dataclass
class Summary:
    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (name, "status category")

    @property
    def ok(self) -> bool:
        return not self.failed

    def lines(self) -> list[str]:
        out = [f"created  {name}" for name in self.created]
        out += [f"exists   {name}" for name in self.existing]
        out += [f"FAILED   {name}: {reason}" for name, reason in self.failed]
        out.append(f"{len(self.created)} created, {len(self.existing)} already existed, {len(self.failed)} failed")
        return out


def _record(summary: Summary, label: str, create: Callable[[], bool]) -> None:
    try:
        (summary.created if create() else summary.existing).append(label)
    except HubSpotError as exc:
        summary.failed.append((label, f"{exc.status if exc.status is not None else 'network'} {exc.category}".strip()))


def provision(client: HubSpotClient) -> Summary:
    """The milestones group first (its properties need it), then every registry property."""
    summary = Summary()
    group = f"group {registry.MILESTONES_GROUP}"
    _record(
        summary, group, lambda: client.create_property_group(registry.MILESTONES_GROUP, registry.MILESTONES_GROUP_LABEL)
    )
    for prop in registry.PROPERTIES:
        _record(summary, prop.name, partial(client.create_property, prop.definition()))
    return summary


def main(argv: Sequence[str] | None = None, *, http: httpx.Client | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--base-url",
        default=os.environ.get("HUBSPOT_BASE_URL") or DEFAULT_HUBSPOT_BASE_URL,
        help=f"HubSpot API base URL (default: $HUBSPOT_BASE_URL or {DEFAULT_HUBSPOT_BASE_URL})",
    )
    args = parser.parse_args(argv)
    token = os.environ.get(TOKEN_VARIABLE, "").strip()
    if not token:
        print(f"provisioning failed: {TOKEN_VARIABLE} is not set", file=sys.stderr)
        return 1
    client = HubSpotClient(args.base_url, token, http=http)
    summary = provision(client)
    for line in summary.lines():
        print(line)
    return 0 if summary.ok else 1


if __name__ == "__main__":
    sys.exit(main())
