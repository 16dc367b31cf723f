"""How infra collection + evaluation time grows with unrelated DynamoDB tables in the account (moto).

The collectors describe only the env's four tables, so 400 tables should cost about what 4 do (target: < 3x).
Run: `.venv/bin/python benchmarks/infra_scaling.py`. Prints one line per table count, then the ratio.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "backend")]

from checks.aws import CHECKS, evaluate  # noqa: E402
from checks.aws.session import ReadOnlyAws  # noqa: E402
from checks.aws.snapshot import InfraSnapshot  # noqa: E402
from sandbox.aws.moto_server import start_moto  # noqa: E402
from sandbox.aws.provision import provision  # noqa: E402
from tests.checks.aws.conftest import REGION, TEMPLATE, env_for, parameters, ship_log_line  # noqa: E402

TOTALS = (4, 40, 400)
REPEATS = 5


def one_run(url: str, env: object) -> float:
    started = time.perf_counter()
    snapshot = InfraSnapshot(ReadOnlyAws(region=REGION, endpoint_url=url), env)
    try:
        for check_id in CHECKS:
            evaluate(snapshot, check_id)
    finally:
        snapshot.close()
    return time.perf_counter() - started


def main() -> int:
    moto = start_moto(0)
    try:
        provisioned = provision(TEMPLATE, endpoint_url=moto.url, region=REGION, stage="local", parameters=parameters())
        env = env_for(provisioned, endpoint=moto.url)
        ship_log_line(moto.url, provisioned.log_group)
        ddb = boto3.client(
            "dynamodb", region_name=REGION, endpoint_url=moto.url, aws_access_key_id="t", aws_secret_access_key="t"
        )
        existing = 4
        medians: dict[int, float] = {}
        for total in TOTALS:
            for i in range(existing, total):
                ddb.create_table(
                    TableName=f"unrelated-{i:04d}",
                    KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}],
                    AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}],
                    BillingMode="PAY_PER_REQUEST",
                )
            existing = total
            one_run(moto.url, env)  # warm-up: client creation, moto's lazy imports
            times = [one_run(moto.url, env) for _ in range(REPEATS)]
            medians[total] = statistics.median(times)
            print(
                f"{total:4d} tables: median {medians[total] * 1000:7.1f} ms over {REPEATS} runs "
                f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}), {len(CHECKS)} checks"
            )
        ratio = medians[TOTALS[-1]] / medians[TOTALS[0]]
        print(f"ratio {TOTALS[-1]}/{TOTALS[0]} tables: {ratio:.2f}x (target < 3x): {'OK' if ratio < 3 else 'OVER'}")
        return 0 if ratio < 3 else 1
    finally:
        moto.stop()


if __name__ == "__main__":
    raise SystemExit(main())
