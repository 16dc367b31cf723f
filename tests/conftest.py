"""Project-test order: `--test-order reverse|shuffle` runs the collected tests in another order, to prove that no test
depends on another having run first (pytest-randomly is not a dependency; this is the part of it we need)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from tests.ordering import ORDERS, reorder


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("hhl-tests", "project tests")
    group.addoption(
        "--test-order",
        dest="hhl_test_order",
        choices=ORDERS,
        default="collected",
        help="run the project's tests in collection order (default), reversed, or shuffled (--test-order-seed)",
    )
    group.addoption(
        "--test-order-seed",
        dest="hhl_test_order_seed",
        type=int,
        default=None,
        help="seed of --test-order shuffle (default: a new one, printed in the header); xdist workers share it",
    )


def pytest_configure(config: pytest.Config) -> None:
    # Every xdist worker must collect the same order: the controller picks the seed, the workers inherit it.
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None and "hhl_test_order_seed" in workerinput:
        config.option.hhl_test_order_seed = workerinput["hhl_test_order_seed"]
    elif config.option.hhl_test_order_seed is None:
        config.option.hhl_test_order_seed = random.randrange(1_000_000)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:  # xdist's WorkerController
    node.workerinput["hhl_test_order_seed"] = node.config.option.hhl_test_order_seed


def pytest_report_header(config: pytest.Config) -> str | None:
    order = config.option.hhl_test_order
    if order == "shuffle":
        return f"test order: shuffle (--test-order-seed {config.option.hhl_test_order_seed})"
    return None if order == "collected" else f"test order: {order}"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Applied after every other reordering (the integration tier's scheduling order included)."""
    reorder(items, config.option.hhl_test_order, config.option.hhl_test_order_seed)
