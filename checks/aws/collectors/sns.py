"""SNS: the alarm topic and its subscriptions (protocol and confirmation only; endpoints are e-mail addresses)."""

from __future__ import annotations

from checks.aws.collectors._util import pages, pick
from checks.aws.schema import SnsData, Topic
from checks.aws.snapshot import CollectContext


def topic_arn(configured: str, region: str, account: str | None) -> str | None:
    """The env may give the ARN or the bare topic name."""
    if configured.startswith("arn:"):
        return configured
    return f"arn:aws:sns:{region}:{account}:{configured}" if account else None


def collect(ctx: CollectContext) -> SnsData:
    configured = ctx.env.sns_topic
    if not configured:
        return {"configured": None, "topic": None, "subscriptions": []}
    arn = topic_arn(configured, ctx.aws.region, ctx.snapshot.get("sts").get("account"))
    if arn is None:
        ctx.errors["topic"] = "topic ARN unknown: the account could not be determined (sts)"
        return {"configured": configured, "topic": None, "subscriptions": []}
    sns = ctx.client("sns")
    attributes = ctx.attempt("topic", lambda: sns.get_topic_attributes(TopicArn=arn)["Attributes"])
    subscriptions = ctx.attempt(
        "subscriptions", lambda: pages(sns, "list_subscriptions_by_topic", "Subscriptions", TopicArn=arn)
    )
    return {
        "configured": configured,
        "topic": {**pick(attributes, Topic), "TopicArn": arn} if attributes is not None else None,
        "subscriptions": [
            {
                "Protocol": s.get("Protocol"),
                "confirmed": s.get("SubscriptionArn", "PendingConfirmation") not in ("PendingConfirmation", "Deleted"),
            }
            for s in subscriptions or []
        ],
    }
