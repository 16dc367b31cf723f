"""The stand-in's in-memory contacts: numeric ids, case-insensitive email index, per-property value history."""

from __future__ import annotations

from dataclasses import dataclass, field

from sandbox.hubspot.definitions import ALWAYS_READ
from sandbox.hubspot.values import iso_ms

# Ids keep counting across resets, so an id cached before a reset answers 404, never another run's contact.
FIRST_ID = 101
SOURCE_TYPE = "INTEGRATION"  # what HubSpot records for writes by a private app


@dataclass
class Contact:
    id: int
    created_ms: int
    updated_ms: int
    values: dict[str, str] = field(default_factory=dict)
    # name → [(value, epoch ms)], oldest first (answers list the newest first, as HubSpot does)
    history: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    @property
    def email(self) -> str:
        return self.values.get("email", "")

    def all_values(self) -> dict[str, str]:
        """The stored values plus the three HubSpot computes (`hs_object_id`, `createdate`, `lastmodifieddate`)."""
        return {
            **self.values,
            "hs_object_id": str(self.id),
            "createdate": iso_ms(self.created_ms),
            "lastmodifieddate": iso_ms(self.updated_ms),
        }

    def set_values(self, values: dict[str, str], now_ms: int) -> bool:
        """Apply `values`; True when any value changed (only a change moves `lastmodifieddate` and the history)."""
        changed = False
        for name, value in values.items():
            if self.values.get(name) == value and name in self.history:
                continue
            self.values[name] = value
            self.history.setdefault(name, []).append((value, now_ms))
            changed = True
        if changed:
            self.updated_ms = now_ms
        return changed

    def render(self, names: list[str] | None = None, *, with_history: list[str] | None = None) -> dict:
        """HubSpot's SimplePublicObject: `names` requested (unset ones as null) plus the always-read ones, or every
        value when `names` is None."""
        values = self.all_values()
        properties = values if names is None else {name: values.get(name) for name in [*names, *ALWAYS_READ]}
        body: dict[str, object] = {
            "id": str(self.id),
            "properties": properties,
            "createdAt": iso_ms(self.created_ms),
            "updatedAt": iso_ms(self.updated_ms),
            "archived": False,
        }
        if with_history:
            body["propertiesWithHistory"] = {
                name: [
                    {"value": value, "timestamp": iso_ms(at), "sourceType": SOURCE_TYPE}
                    for value, at in reversed(self.history.get(name, []))
                ]
                for name in with_history
            }
        return body


class DuplicateEmail(Exception):
    def __init__(self, existing: Contact) -> None:
        super().__init__(f"Contact already exists. Existing ID: {existing.id}")
        self.existing = existing


class ContactStore:
    """Not locked itself: `HubSpotContext.lock` guards it (the event loop plus hooks from test threads)."""

    def __init__(self) -> None:
        self._next_id = FIRST_ID
        self._by_id: dict[int, Contact] = {}
        self._by_email: dict[str, int] = {}

    def reset(self) -> None:
        self._by_id.clear()
        self._by_email.clear()

    def all(self) -> list[Contact]:
        return [self._by_id[key] for key in sorted(self._by_id)]

    def get(self, contact_id: str) -> Contact | None:
        return self._by_id.get(int(contact_id)) if contact_id.isascii() and contact_id.isdigit() else None

    def by_email(self, email: str) -> Contact | None:
        found = self._by_email.get(email.strip().lower())
        return self._by_id.get(found) if found is not None else None

    def create(self, values: dict[str, str], now_ms: int) -> Contact:
        email = values.get("email", "").lower()
        if email and (existing := self.by_email(email)) is not None:
            raise DuplicateEmail(existing)
        contact = Contact(id=self._next_id, created_ms=now_ms, updated_ms=now_ms)
        self._next_id += 1
        contact.set_values(values, now_ms)
        self._by_id[contact.id] = contact
        if email:
            self._by_email[email] = contact.id
        return contact

    def update(self, contact: Contact, values: dict[str, str], now_ms: int) -> None:
        new_email = values.get("email", contact.email).lower()
        if new_email != contact.email:
            other = self.by_email(new_email) if new_email else None
            if other is not None and other.id != contact.id:
                raise DuplicateEmail(other)
            self._by_email.pop(contact.email, None)
            if new_email:
                self._by_email[new_email] = contact.id
        contact.set_values(values, now_ms)

    def delete(self, contact: Contact) -> None:
        self._by_id.pop(contact.id, None)
        self._by_email.pop(contact.email, None)
