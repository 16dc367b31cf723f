"""One user's contact sync (SPEC §7): recompute from DynamoDB → resolve the contact → remember its id → PATCH.

The contact is the stored `hubspotContactId`, else the one HubSpot finds by email, else a new one (a 409 on create
names the existing id). The never-shrink sets are unioned with the contact's current values. Several invocations
may sync one user at once (one event source mapping per table), so after its PATCH a sync re-reads DynamoDB and
patches again if the state moved meanwhile: the last PATCH to land is always one that was current when it landed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from hhl_backend.crm import registry
from hhl_backend.crm.hubspot import Contact, ContactExists, HubSpotClient, HubSpotError, RetryBudget
from hhl_backend.crm.projection import Projection, project
from hhl_backend.crm.seams import CrmSeams
from hhl_backend.logs import hash_email, log_event
from hhl_backend.store import Store, StoreError
from hhl_backend.store.keys import PROFILE_SK, user_pk

CONTACT_ID_ATTRIBUTE = "hubspotContactId"
MAX_PASSES = 3  # PATCHes per sync while concurrent writers keep moving the state; the next record syncs again


class SyncError(RuntimeError):
    """A user's sync failed for good in this invocation; its records go back as batch item failures."""


@dataclass(frozen=True)
class SyncResult:
    contact_id: str | None
    created: bool = False
    skipped: str | None = None
    patches: int = 0
    retries: int = 0


class ContactSync:
    def __init__(self, store: Store, client: HubSpotClient, seams: CrmSeams | None = None) -> None:
        self.store = store
        self.client = client
        self.seams = seams or CrmSeams()

    def sync_user(self, sub: str, *, deadline: float | None = None) -> SyncResult:
        """Bring `sub`'s contact up to date; raise SyncError when HubSpot or DynamoDB fails for good."""
        try:
            return self._sync(sub, self.client.new_budget(deadline))
        except HubSpotError as exc:
            raise SyncError(str(exc)) from exc
        except StoreError as exc:
            raise SyncError(str(exc)) from exc

    def _sync(self, sub: str, budget: RetryBudget) -> SyncResult:
        projection = project(self.store, sub)
        if projection.email is None and projection.contact_id is None:
            # Nothing to find or create a contact by: retrying cannot help (the PROFILE write will sync it).
            log_event("crm_sync_skipped", reason="no_email")
            return SyncResult(contact_id=None, skipped="no_email")
        contact, created = self._resolve(projection, budget)
        if projection.contact_id != contact.id:
            # Remembered before the PATCH: a PATCH that fails must not cost a second search (or create) next time.
            self._remember(sub, contact.id, stale=projection.contact_id)
        existing = {name: contact.properties.get(name) for name in registry.NEVER_SHRINK}
        patches = 0
        while True:
            sent = self._patch(contact.id, projection, existing, budget)
            patches += 1
            if patches >= MAX_PASSES:
                break
            latest = project(self.store, sub)
            if _same_state(latest, projection):
                break
            projection = latest
            existing = {name: sent.get(name, existing.get(name)) for name in registry.NEVER_SHRINK}
        log_event(
            "crm_sync_user",
            status="ok",
            learner=hash_email(projection.email or ""),
            new_contact=created,
            patches=patches,
            retries=budget.retries,
        )
        return SyncResult(contact_id=contact.id, created=created, patches=patches, retries=budget.retries)

    def _patch(
        self, contact_id: str, projection: Projection, existing: dict[str, Any], budget: RetryBudget
    ) -> dict[str, str]:
        values = dict(projection.values)
        for name, members in projection.sets.items():
            merged = self.seams.merge_set(existing.get(name), members)
            if merged:  # an empty set stays absent rather than ""
                values[name] = merged
        body = self.seams.outgoing_properties(values)
        self.client.update_contact(contact_id, body, budget)
        return body

    def _resolve(self, projection: Projection, budget: RetryBudget) -> tuple[Contact, bool]:
        """(the contact, whether this sync created it)."""
        wanted = registry.NEVER_SHRINK
        if projection.contact_id:
            contact = self.client.get_contact(projection.contact_id, wanted, budget)
            if contact is not None:
                return contact, False
            # The stored contact is gone (deleted or merged away in HubSpot): find or create it again.
        if projection.email is None:
            raise HubSpotError("resolve", 404, "OBJECT_NOT_FOUND")
        contact = self.client.search_by_email(projection.email, wanted, budget)
        if contact is not None:
            return contact, False
        try:
            return self.client.create_contact(self.seams.create_properties(projection.email), budget), True
        except ContactExists as exc:
            # Created meanwhile by a concurrent sync (search is only eventually consistent in HubSpot).
            found = self.client.get_contact(exc.existing_id, wanted, budget) if exc.existing_id else None
            found = found or self.client.search_by_email(projection.email, wanted, budget)
            if found is None:
                raise
            return found, False

    def _remember(self, sub: str, contact_id: str, *, stale: str | None) -> bool:
        """Store the contact id on PROFILE only if none is stored (or it is still the stale one we replaced):
        a conditional write that writes nothing otherwise. False = another sync got there first."""
        names = {"#c": CONTACT_ID_ATTRIBUTE}
        values: dict[str, Any] = {":id": {"S": contact_id}}
        condition = "attribute_exists(PK) AND attribute_not_exists(#c)"
        if stale is not None:
            condition = "attribute_exists(PK) AND #c = :stale"
            values[":stale"] = {"S": stale}
        try:
            self.store.db.client.update_item(
                TableName=self.store.tables.users,
                Key={"PK": {"S": user_pk(sub)}, "SK": {"S": PROFILE_SK}},
                UpdateExpression="SET #c = :id",
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise StoreError("UpdateItem on users failed (hubspotContactId)") from exc
        except BotoCoreError as exc:
            raise StoreError("UpdateItem on users failed (hubspotContactId)") from exc
        return True


def _same_state(latest: Projection, synced: Projection) -> bool:
    # The contact id moving (our own write, or a concurrent sync's) is not a change of what the contact shows.
    return replace(latest, contact_id=synced.contact_id) == synced
