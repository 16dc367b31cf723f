"""Backend latency benchmark: GET /auth/me and POST /events/track in-process, against one raw DynamoDB UpdateItem.

Everything runs in this process: the real `create_app`, served as the Lambda serves it (one request at a time,
blocking work inline: hhl_backend.blocking; `--served-by asgi-server` measures the sandbox's way, Starlette's
threadpool), moto's in-process DynamoDB with the four tables, RS256 access tokens minted with a local key, and the
JWKS served by a local stub transport. Each repetition times `--calls` calls of each, round-robin (one call of
each in turn, so that a slow spell of a shared machine hits them all alike):
- raw UpdateItem: the store's own boto3 client, three SET clauses on one existing item of the progress table (the
  floor any DynamoDB write pays here: botocore, moto's dispatch, the expression, the stream record);
- GET /auth/me and POST /events/track (`learning_module_started`, a re-send: one learner, one module);
- the same event from a new learner each call ("new"): every item is created, the dearest case.
Printed: p50/p99 wall time and p50 CPU time per operation (median over the repetitions), and the ratio event p50 /
raw p50 computed per repetition, median, for wall time (the target) and CPU time (steadier on a shared machine,
where a 20 ms call waits for a core more often than a 2 ms one). Targets: route p99 < 15 ms; ratio <= 4 (issue 13,
"Event write cost").

    .venv/bin/python benchmarks/backend_latency.py [--calls 1000] [--repetitions 5] [--served-by lambda|asgi-server]

Prints figures; asserts nothing (timings on a shared machine are noisy).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from hhl_backend.app import create_app
from hhl_backend.blocking import serve_one_request_at_a_time
from hhl_backend.config import load_settings
from hhl_backend.seams import Seams
from hhl_backend.store import TableNames
from hhl_backend.store.schema import create_tables
from moto import mock_aws

ISSUER = "https://idp.bench.invalid/us-west-2_BENCH"
CLIENT_ID = "bench-client"
KID = "bench-kid"
SUB = "bench-user"
TARGET_P99_MS = 15.0
TARGET_RATIO = 4.0
WARMUP_CALLS = 50
TABLES = ("users", "enrollments", "progress", "badges")
RAW = "raw UpdateItem"
EVENT = "POST /events/track"
FIRST_EVENT = "POST /events/track, new"
ME = "GET /auth/me"


def _environment() -> dict[str, str]:
    stage = "local"
    return {
        "APP_STAGE": stage,
        "SITE_BASE_URL": "http://localhost:8400",
        "AUTH_COOKIE_SECRET": base64.b64encode(os.urandom(32)).decode(),
        "COGNITO_USER_POOL_ID": "us-west-2_BENCH",
        "COGNITO_CLIENT_ID": CLIENT_ID,
        "COGNITO_DOMAIN": "http://127.0.0.1:8402",
        "COGNITO_REDIRECT_URI": "http://localhost:8401/auth/callback",
        "COGNITO_ISSUER": ISSUER,
        # Request log lines would flood the terminal; the formatting cost is not what is measured here.
        "LOG_LEVEL": "WARNING",
        **{f"DYNAMODB_{t.upper()}_TABLE": f"hedgehog-learn-{t}-{stage}" for t in TABLES},
    }


def _jwks_stub(key: rsa.RSAPrivateKey) -> httpx.MockTransport:
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    body = {"keys": [{**jwk, "kid": KID, "alg": "RS256", "use": "sig"}]}

    def handle(request: httpx.Request) -> httpx.Response:
        if str(request.url) == ISSUER + "/.well-known/jwks.json":
            return httpx.Response(200, json=body)
        return httpx.Response(404, json={"message": "Not Found"})

    return httpx.MockTransport(handle)


def _access_token(key: rsa.RSAPrivateKey, sub: str = SUB) -> str:
    now = int(time.time())
    claims = {"sub": sub, "iss": ISSUER, "client_id": CLIENT_ID, "token_use": "access", "iat": now, "exp": now + 3600}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": KID})


def _raw_update(client: Any, table: str) -> Callable[[], Awaitable[None]]:
    """One UpdateItem with three SET clauses on one existing item, like the event's writes on a re-send."""

    async def call() -> None:
        client.update_item(
            TableName=table,
            Key={"PK": {"S": "RAW#bench"}, "SK": {"S": "RAW"}},
            UpdateExpression="SET #a = :a, #b = :b, #c = :c",
            ExpressionAttributeNames={"#a": "a", "#b": "b", "#c": "c"},
            ExpressionAttributeValues={":a": {"S": "1"}, ":b": {"S": "2"}, ":c": {"BOOL": True}},
        )

    return call


@dataclass
class Samples:
    """Per-call wall and CPU time (ms) of one operation in one repetition."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


async def _timed(call: Callable[[], Awaitable[Any]], samples: Samples) -> None:
    """One call, its wall and CPU time appended to `samples`.

    CPU time is the process's (every thread: with `--served-by asgi-server` the route's work runs in Starlette's
    threadpool); on a shared machine it shows the work done when the wall clock also shows the waiting for a core."""
    wall, cpu = time.perf_counter(), time.process_time()
    response = await call()
    samples.cpu.append((time.process_time() - cpu) * 1000)
    samples.wall.append((time.perf_counter() - wall) * 1000)
    if response is not None and response.status_code != 200:
        raise SystemExit(f"unexpected {response.status_code} from {response.request.url.path}")


async def _measure(operations: dict[str, Callable[[], Awaitable[Any]]], calls: int, warmup: int) -> dict[str, Samples]:
    """Per-call times of every operation, round-robin (one call of each in turn, so that a slow spell of a shared
    machine lands on all of them alike), after `warmup` rounds (JWKS fetch, first-use imports, moto's set-up)."""
    for _ in range(warmup):
        for call in operations.values():
            await call()
    samples = {name: Samples() for name in operations}
    for _ in range(calls):
        for name, call in operations.items():
            await _timed(call, samples[name])
    return samples


def _percentile(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


async def _run(calls: int, repetitions: int, served_by: str) -> list[dict[str, Samples]]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    settings = load_settings(_environment())
    tables = TableNames(
        settings.users_table, settings.enrollments_table, settings.progress_table, settings.badges_table
    )
    create_tables(boto3.client("dynamodb", region_name="us-west-2"), tables)
    app = create_app(settings, seams=Seams(http_transport=_jwks_stub(key)))
    if served_by == "lambda":
        serve_one_request_at_a_time(app)
    store = app.state.store
    store.upsert_user_profile(SUB, {"email": "bench@example.test", "name": "Bench"})
    headers = {"authorization": f"Bearer {_access_token(key)}", "content-type": "application/json"}
    event = json.dumps(
        {"eventName": "learning_module_started", "payload": {"module_slug": "fabric-operations-welcome"}}
    )
    # Minted before timing: one learner per call of the "new" operation, warm-ups included.
    firsts = iter([_access_token(key, f"bench-new-{i}") for i in range(WARMUP_CALLS + repetitions * (calls + 5))])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api.bench") as client:
        operations: dict[str, Callable[[], Awaitable[Any]]] = {
            RAW: _raw_update(store.db.client, tables.progress),
            ME: lambda: client.get("/auth/me", headers=headers),
            EVENT: lambda: client.post("/events/track", content=event, headers=headers),
            FIRST_EVENT: lambda: client.post(
                "/events/track", content=event, headers={**headers, "authorization": f"Bearer {next(firsts)}"}
            ),
        }
        runs = []
        for repetition in range(repetitions):
            warmup = WARMUP_CALLS if repetition == 0 else 5
            runs.append(await _measure(operations, calls, warmup))
        return runs


def _median_percentile(runs: list[dict[str, Samples]], name: str, clock: str, q: int) -> float:
    return statistics.median(_percentile(getattr(run[name], clock), q) for run in runs)


def _ratios(runs: list[dict[str, Samples]], clock: str) -> list[float]:
    """Event p50 / raw p50, one per repetition."""
    return [_percentile(getattr(run[EVENT], clock), 50) / _percentile(getattr(run[RAW], clock), 50) for run in runs]


def _report(runs: list[dict[str, Samples]]) -> None:
    header = f"{'operation':<24} {'calls':>6} {'p50 ms':>8} {'p99 ms':>8} {'cpu p50':>8}"
    print(f"{header}  (wall clock unless marked cpu; median of {len(runs)} repetitions)")
    for name in runs[0]:
        p50, p99 = (_median_percentile(runs, name, "wall", q) for q in (50, 99))
        cpu = _median_percentile(runs, name, "cpu", 50)
        verdict = "" if name == RAW else ("ok" if p99 < TARGET_P99_MS else "OVER") + f" (p99 < {TARGET_P99_MS:g})"
        print(f"{name:<24} {len(runs[0][name].wall):>6} {p50:>8.2f} {p99:>8.2f} {cpu:>8.2f}  {verdict}")
    for clock in ("wall", "cpu"):
        ratios = _ratios(runs, clock)
        ratio = statistics.median(ratios)
        verdict = "ok" if ratio <= TARGET_RATIO else "OVER"
        each = ", ".join(f"{r:.2f}" for r in ratios)
        target = f"target <= {TARGET_RATIO:g}x; each: {each}"
        print(f"ratio event p50 / raw p50 ({clock}): {ratio:.2f}x  {verdict} ({target})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000, help="timed calls per operation and repetition")
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument(
        "--served-by", choices=("lambda", "asgi-server"), default="lambda", help="how the app runs its blocking work"
    )
    args = parser.parse_args()
    if args.calls < 2 or args.repetitions < 1:
        parser.error("--calls must be at least 2 and --repetitions at least 1")
    # Never touch a real account or a sandbox: moto in-process, fake credentials.
    os.environ.pop("AWS_ENDPOINT_URL", None)
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-west-2")
    with mock_aws():
        runs = asyncio.run(_run(args.calls, args.repetitions, args.served_by))
    print(f"served by: {args.served_by}")
    _report(runs)


if __name__ == "__main__":
    main()
