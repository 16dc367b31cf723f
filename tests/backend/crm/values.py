"""The CRM consumer tests' fixed values (the HubSpot base URL, the learner) and the sleeper that records backoffs."""

from __future__ import annotations

HUBSPOT = "https://hubspot.example.test"
SUB = "learner-1"
EMAIL = "Ada@Example.test"


class Sleeper:
    """Records the waits instead of waiting; its clock advances by what was slept."""

    def __init__(self) -> None:
        self.waits: list[float] = []
        self.now = 1000.0

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now
