"""Another order for the project's tests (`--test-order`, tests/conftest.py): reversed, or shuffled by a seed that
every xdist worker shares, so they all collect the same list."""

from __future__ import annotations

import random
from typing import TypeVar

ORDERS = ("collected", "reverse", "shuffle")
T = TypeVar("T")


def reorder(items: list[T], order: str, seed: int) -> None:
    """Reorder `items` in place."""
    if order == "reverse":
        items.reverse()
    elif order == "shuffle":
        random.Random(seed).shuffle(items)
