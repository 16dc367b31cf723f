"""Collection: every suite item is one catalog check. Validates the `check` marker, derives the catalog markers
(area, severity, writes, smoke) and the check id as a `-k` keyword, narrows to the scope, orders prerequisites
first, and applies the per-item policy before any fixture runs (not applicable, forbidden write, blocked)."""

from __future__ import annotations

from pathlib import Path

import pytest

from checks.catalog import CATALOG
from checks.errors import PreflightBlocked
from checks.plugin.policy import ensure_writes_allowed, not_applicable_reason
from checks.plugin.preflight import blockers, is_prerequisite, prerequisite_order, raise_if_blocked
from checks.plugin.state import ITEM_CHECK, ItemCheck, run_state

SUITES_DIR = "suites"
# The fixtures every signed-in check ends up requesting (directly or through `session` and the browser login).
CREDENTIAL_FIXTURES = ("test_user", "enrollment_user")


def is_suite_path(path: Path, rootpath: Path) -> bool:
    try:
        return path.resolve().relative_to(rootpath.resolve()).parts[0] == SUITES_DIR
    except (ValueError, IndexError):
        return False


def _is_suite_item(item: pytest.Item, rootpath: Path) -> bool:
    return is_suite_path(Path(item.path), rootpath)


def _check_id(item: pytest.Item) -> str | None:
    marks = list(item.iter_markers("check"))
    if len(marks) != 1:
        return None
    value = marks[0].args[0] if marks[0].args else marks[0].kwargs.get("id")
    return value if isinstance(value, str) else None


def _problem(item: pytest.Item) -> str | None:
    check_id = _check_id(item)
    if check_id is None:
        count = len(list(item.iter_markers("check")))
        return f'{item.nodeid}: expected exactly one @pytest.mark.check("<id>"), found {count}'
    if check_id not in CATALOG:
        return f"{item.nodeid}: check id {check_id!r} is not in checks/catalog.yaml"
    return None


def _needs_credentials(item: pytest.Item) -> bool:
    names = getattr(item, "fixturenames", ())
    return ITEM_CHECK in item.stash and any(name in names for name in CREDENTIAL_FIXTURES)


class CatalogMarkers:
    """Before `-k`/`-m` deselection: one catalog check per suite item, its markers and keywords, the scope."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        suite = [item for item in items if _is_suite_item(item, config.rootpath)]
        problems = [p for p in map(_problem, suite) if p]
        if problems:
            raise pytest.UsageError("suite tests without a valid check marker:\n  " + "\n  ".join(problems))
        for item in suite:
            spec = CATALOG[str(_check_id(item))]
            callspec = getattr(item, "callspec", None)
            result_id = f"{spec.id}[{callspec.id}]" if callspec else spec.id
            item.stash[ITEM_CHECK] = ItemCheck(spec, result_id, publishes=is_prerequisite(spec))
            item.add_marker(pytest.mark.area(name=spec.area))
            item.add_marker(pytest.mark.severity(level=spec.severity))
            item.add_marker(pytest.mark.writes(kind=spec.writes))
            if spec.smoke:
                item.add_marker(pytest.mark.smoke)
            # `-k security.cookies.flags` selects the check by the id every document uses.
            item.extra_keyword_matches.update({spec.id, result_id})
        if not suite:
            return
        run_state(config).active = True
        if run_state(config).scope == "smoke":
            outside = {item for item in suite if not item.stash[ITEM_CHECK].spec.smoke}
            if outside:
                config.hook.pytest_deselected(items=list(outside))
                items[:] = [item for item in items if item not in outside]
        # Prerequisites first already now, so that pytest's own fixture-scope grouping starts from that order.
        order_prerequisites_first(items)


def order_prerequisites_first(items: list[pytest.Item]) -> None:
    checked = [item for item in items if ITEM_CHECK in item.stash]
    if checked:
        ordered = prerequisite_order(checked, {item: item.stash[ITEM_CHECK].spec for item in checked})
        items[:] = ordered + [item for item in items if ITEM_CHECK not in item.stash]


class PrerequisiteOrder:
    """Prerequisites before their dependants after every other reordering, each item's blockers among the checks
    actually selected, and the per-item policy."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """Again after `--ff`, random order or fixture grouping: a dependant never waits for a later item."""
        order_prerequisites_first(items)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        checks = [item.stash[ITEM_CHECK] for item in session.items if ITEM_CHECK in item.stash]
        selected: dict[str, list[str]] = {}
        for check in checks:
            if check.publishes:
                selected.setdefault(check.spec.id, []).append(check.result_id)
        for check in checks:
            check.blocked_by = blockers(check.spec, selected)
        state = run_state(self.config)
        if state.credentials_error and not state.is_worker and any(map(_needs_credentials, session.items)):
            state.environment_errors.append(f"credentials: {state.credentials_error}")

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        """Before any fixture: not applicable → skipped; forbidden write → error; failed prerequisite → blocked."""
        check = item.stash.get(ITEM_CHECK, None)
        if check is None:
            return
        state = run_state(item.config)
        reason = not_applicable_reason(check.spec, state.base_env)
        if reason:
            pytest.skip(reason)
        ensure_writes_allowed(check.spec, state.base_env)
        if state.credentials_error and _needs_credentials(item):
            raise PreflightBlocked("credentials missing (see the environment error)")
        raise_if_blocked(state.shared_dir, check.blocked_by)
