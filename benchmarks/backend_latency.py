"""Backend latency benchmark: p50/p99 over 1,000 in-process calls each of GET /auth/me and POST /events/track.

Everything runs in this process: the real `create_app`, moto's in-process DynamoDB with the four tables, RS256
access tokens minted with a local key, and the JWKS served by a local stub transport. Target: p99 < 15 ms.

    .venv/bin/python benchmarks/backend_latency.py [--calls 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

import boto3
import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from hhl_backend.app import create_app
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
WARMUP_CALLS = 50
TABLES = ("users", "enrollments", "progress", "badges")


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


def _access_token(key: rsa.RSAPrivateKey) -> str:
    now = int(time.time())
    claims = {"sub": SUB, "iss": ISSUER, "client_id": CLIENT_ID, "token_use": "access", "iat": now, "exp": now + 3600}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": KID})


async def _measure(call: Callable[[], Any], calls: int) -> list[float]:
    """Per-call wall time in ms, after a warm-up (JWKS fetch, first-use imports, moto's lazy set-up)."""
    for _ in range(WARMUP_CALLS):
        await call()
    samples = []
    for _ in range(calls):
        started = time.perf_counter()
        response = await call()
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"unexpected {response.status_code} from {response.request.url.path}")
    return samples


def _percentile(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


async def _run(calls: int) -> dict[str, list[float]]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    settings = load_settings(_environment())
    tables = TableNames(
        settings.users_table, settings.enrollments_table, settings.progress_table, settings.badges_table
    )
    create_tables(boto3.client("dynamodb", region_name="us-west-2"), tables)
    app = create_app(settings, seams=Seams(http_transport=_jwks_stub(key)))
    app.state.store.upsert_user_profile(SUB, {"email": "bench@example.test", "name": "Bench"})
    headers = {"authorization": f"Bearer {_access_token(key)}", "content-type": "application/json"}
    event = json.dumps(
        {"eventName": "learning_module_started", "payload": {"module_slug": "fabric-operations-welcome"}}
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api.bench") as client:
        return {
            "GET /auth/me": await _measure(lambda: client.get("/auth/me", headers=headers), calls),
            "POST /events/track": await _measure(
                lambda: client.post("/events/track", content=event, headers=headers), calls
            ),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    args = parser.parse_args()
    # Never touch a real account or a sandbox: moto in-process, fake credentials.
    os.environ.pop("AWS_ENDPOINT_URL", None)
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-west-2")
    with mock_aws():
        results = asyncio.run(_run(args.calls))
    print(f"{'route':<20} {'calls':>6} {'p50 ms':>8} {'p99 ms':>8}  target p99 < {TARGET_P99_MS:g} ms")
    for route, samples in results.items():
        p50, p99 = _percentile(samples, 50), _percentile(samples, 99)
        verdict = "ok" if p99 < TARGET_P99_MS else "OVER"
        print(f"{route:<20} {len(samples):>6} {p50:>8.2f} {p99:>8.2f}  {verdict}")


if __name__ == "__main__":
    main()
