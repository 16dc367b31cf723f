"""The function: infra.lambda.config, infra.lambda.env_vars, infra.lambda.alias_live, infra.lambda.rollback_ready."""

from __future__ import annotations

from checks.aws.model import Judgement, View, rule
from checks.aws.rules.expected import REQUIRED_ENV_VARS

DEFAULT_ALIAS = "live"


@rule("infra.lambda.config", "lambda")
def config(view: View, j: Judgement) -> None:
    """Runtime and handler as the env expects; State Active; LastUpdateStatus Successful. Memory and timeout are
    security.ops.explicit_memory_timeout's property (one root cause, one red check): shown here, never failed."""
    fn = view.item("lambda", "function")
    expected = view.env.expected
    j.expect("Runtime", expected.runtime, fn.get("Runtime"))
    if getattr(expected, "handler", None):
        j.expect("Handler", expected.handler, fn.get("Handler"))
    sizing = {"MemorySize": fn.get("MemorySize"), "Timeout": fn.get("Timeout")}
    j.actual.update(sizing)
    if sizing != {"MemorySize": expected.memory_mb, "Timeout": expected.timeout_s}:
        j.note(
            f"memory/timeout {sizing} differ from env expected {expected.memory_mb}/{expected.timeout_s}: "
            "security.ops.explicit_memory_timeout's concern"
        )
    j.expect("State", "Active", fn.get("State"))
    j.expect("LastUpdateStatus", "Successful", fn.get("LastUpdateStatus"))


@rule("infra.lambda.env_vars", "lambda")
def env_vars(view: View, j: Judgement) -> None:
    """Every required variable present and non-empty (names only); ENABLE_TEST_BYPASS absent or not true."""
    summary = view.item("lambda", "function").get("Environment") or {}
    names = set(summary.get("names", []))
    missing = sorted(set(REQUIRED_ENV_VARS) - names)
    empty = sorted(set(REQUIRED_ENV_VARS) & set(summary.get("empty", [])))
    j.expect("missing required variables", [], missing)
    j.expect("empty required variables", [], empty)
    j.expect("ENABLE_TEST_BYPASS is true", False, bool(summary.get("test_bypass_enabled")))
    j.actual["variable names"] = sorted(names)


@rule("infra.lambda.alias_live", "lambda", "apigatewayv2")
def alias_live(view: View, j: Judgement) -> None:
    """Alias `live` points at a published version and the API integration targets the alias ARN."""
    alias_name = view.env.alias or DEFAULT_ALIAS
    aliases = view.item("lambda", "aliases")
    alias = next((a for a in aliases if a.get("Name") == alias_name), None)
    j.expected["alias"] = f"{alias_name} → a published version"
    if alias is None:
        j.actual["alias"] = sorted(a.get("Name") for a in aliases)
        j.fail(f"function has no alias {alias_name!r} (aliases: {j.actual['alias'] or 'none'})")
        return
    version = alias.get("FunctionVersion")
    published = view.item("lambda", "versions")
    j.actual["alias"] = f"{alias_name} → {version}"
    if version == "$LATEST" or version not in published:
        j.fail(f"alias {alias_name} points at {version}, not a published version (published: {published})")
    alias_arn = alias.get("AliasArn")
    integrations = view.item("apigatewayv2", "integrations")
    uris = [i.get("IntegrationUri") for i in integrations]
    j.expect(
        "integration targets",
        [alias_arn],
        sorted({str(u) for u in uris}),
        # A Lambda proxy URI is the (qualified) ARN or the .../functions/<arn>/invocations form.
        ok=bool(uris) and all(u and (u == alias_arn or f"functions/{alias_arn}/" in u) for u in uris),
    )


def _version_number(version: object) -> int | None:
    return int(str(version)) if str(version).isdigit() else None


@rule("infra.lambda.rollback_ready", "lambda", "apigatewayv2")
def rollback_ready(view: View, j: Judgement) -> None:
    """Rollback is one alias move: `live` on a published version, an older published version to move it back to,
    and the API integration on the alias (so moving it changes what answers)."""
    alias_name = view.env.alias or DEFAULT_ALIAS
    alias = next((a for a in view.item("lambda", "aliases") if a.get("Name") == alias_name), None)
    published = sorted(n for n in (_version_number(v) for v in view.item("lambda", "versions")) if n is not None)
    live = _version_number(alias.get("FunctionVersion")) if alias else None
    j.expected["rollback target"] = f"a published version older than the one behind {alias_name}"
    j.actual["published versions"] = [str(n) for n in published]
    if alias is None or live is None or live not in published:
        j.actual[alias_name] = alias.get("FunctionVersion") if alias else None
        j.fail(f"alias {alias_name} is not on a published version: nothing to roll back from")
        return
    older = [n for n in published if n < live]
    j.actual[alias_name] = str(live)
    j.actual["rollback target"] = str(older[-1]) if older else None
    if not older:
        j.fail(f"{alias_name} is on version {live} and no older published version exists: nothing to roll back to")
    alias_arn = alias.get("AliasArn")
    uris = [str(i.get("IntegrationUri")) for i in view.item("apigatewayv2", "integrations")]
    j.expect(
        "integration targets",
        [alias_arn],
        sorted(set(uris)),
        ok=bool(uris) and all(u == alias_arn or f"functions/{alias_arn}/" in u for u in uris),
    )
