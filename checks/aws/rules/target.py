"""Target identity and stack state: infra.target.account_region, infra.cfn.stack_status."""

from __future__ import annotations

from checks.aws.model import Judgement, View, rule

GOOD_STACK_STATES = ("CREATE_COMPLETE", "UPDATE_COMPLETE")


@rule("infra.target.account_region", "sts", "cloudformation")
def account_region(view: View, j: Judgement) -> None:
    """The credentials' account and the stack's region are the env's, and the stack exists."""
    env = view.env
    account = view.item("sts", "account", "identity")
    if env.account_id is None:
        j.actual["account"] = account
        j.warn(f"env account_id is null: cannot prove the target account (credentials belong to {account})")
    else:
        j.expect("account", str(env.account_id), account)
    stack = view.item("cloudformation", "stack")
    # StackId = arn:aws:cloudformation:<region>:<account>:stack/<name>/<uuid>: the stack's own region and account.
    arn_parts = str(stack.get("StackId", "")).split(":")
    j.expect("region", env.region, arn_parts[3] if len(arn_parts) > 4 else None)
    j.expect("stack account", account, arn_parts[4] if len(arn_parts) > 4 else None)
    j.expect("stack", env.stack_name, stack.get("StackName"))


@rule("infra.cfn.stack_status", "cloudformation")
def stack_status(view: View, j: Judgement) -> None:
    """CREATE_COMPLETE or UPDATE_COMPLETE; on real targets the last recorded drift status is IN_SYNC."""
    stack = view.item("cloudformation", "stack")
    status = stack.get("StackStatus")
    j.expect("StackStatus", list(GOOD_STACK_STATES), status, ok=status in GOOD_STACK_STATES)
    drift = (stack.get("DriftInformation") or {}).get("StackDriftStatus")
    j.actual["drift"] = drift
    if view.env.kind != "aws":
        j.note("drift not judged locally (moto has no drift detection)")
        return
    j.expected["drift"] = "IN_SYNC"
    # Detecting drift is a write (DetectStackDrift); we read the last recorded result only.
    if drift in (None, "NOT_CHECKED", "UNKNOWN"):
        j.warn(f"drift never detected (status {drift}); run `aws cloudformation detect-stack-drift` before the rollout")
    elif drift != "IN_SYNC":
        j.fail(f"stack drift {drift} (last checked {stack['DriftInformation'].get('LastCheckTimestamp')})")
