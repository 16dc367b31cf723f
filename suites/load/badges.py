"""The user's badges per course, read from the badges table (SPEC §4.4) with the read-only `aws` session: the API
exposes no badge route, so "exactly one badge per course" can only be judged in the store.

>>> badge_counts(aws, "hedgehog-learn-badges-local", sub)   # doctest: +SKIP
{'course-authoring-101': 1}
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from checks.aws.session import ReadOnlyAws, describe_error
from checks.errors import HarnessError

__all__ = ["badge_counts"]


def badge_counts(aws: ReadOnlyAws, table: str, sub: str) -> dict[str, int]:
    """courseSlug → number of badge items of user `sub` (Query PK=USER#<sub>, SK begins_with BADGE#, consistent)."""
    client = aws.client("dynamodb")
    query: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :badge)",
        "ExpressionAttributeValues": {":pk": {"S": f"USER#{sub}"}, ":badge": {"S": "BADGE#"}},
        "ConsistentRead": True,
    }
    counts: Counter[str] = Counter()
    try:
        while True:
            page = client.query(**query)
            for item in page.get("Items", []):
                counts[item.get("metadata", {}).get("M", {}).get("courseSlug", {}).get("S", "?")] += 1
            if "LastEvaluatedKey" not in page:
                return dict(counts)
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    except (BotoCoreError, ClientError) as exc:
        # The store could not be read: the badge count is unknown, which is never a pass.
        raise HarnessError(f"badges table {table}: {describe_error(exc, getattr(aws, 'where', table))}") from None
