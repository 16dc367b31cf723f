"""Load generator ceiling: requests/s the load checks' engine (Locust FastHttpUser, one process and a master with
two local workers) reaches against one loopback endpoint, beside `wrk` (Debian package) on the same endpoint, and
the ratio. Median of `--runs` runs of `--seconds` each; timings on a shared 2-core machine are noisy, and the
endpoint shares the cores with the generator, so this is the ceiling of the whole loopback pair.

The endpoint is a minimal keep-alive HTTP/1.1 server (asyncio, in a child process) answering `200 {"ok":true}`:
cheap enough that the generator, not the server, is what runs out first. Load is bounded in count and time and
goes to 127.0.0.1 only.

    .venv/bin/python benchmarks/load_ceiling.py [--seconds 5] [--runs 3] [--concurrency 10]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO)]

from suites.load.plan import EngineSettings  # noqa: E402
from suites.load.runner import Call, run_load  # noqa: E402

ANSWER = b'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\n\r\n{"ok":true}'
MAX_REQUESTS_PER_S = 20_000  # bounds the engine's call list (the plan travels as JSON); reaching it is said


class _Endpoint(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:  # GETs without a body: one answer per header block
            _, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            self.transport.write(ANSWER)  # type: ignore[attr-defined]


def serve(port: int) -> None:
    async def main() -> None:
        server = await asyncio.get_running_loop().create_server(_Endpoint, "127.0.0.1", port)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def endpoint() -> Iterator[str]:
    port = _free_port()
    child = subprocess.Popen([sys.executable, __file__, "--serve", str(port)])
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the loopback endpoint did not start") from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        child.terminate()
        child.wait(timeout=10)


def wrk_rps(url: str, seconds: int, concurrency: int) -> float:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{concurrency}", f"-d{seconds}s", url + "/"],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 30,
    ).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not match:
        raise RuntimeError(f"no Requests/sec in wrk's output: {out!r}")
    return float(match.group(1))


def engine_rps(url: str, seconds: int, concurrency: int, workers: int) -> float:
    calls = [Call("ceiling", "GET", "/")] * (MAX_REQUESTS_PER_S * seconds)
    result = run_load(
        url,
        calls,
        concurrency=concurrency,
        cookies={},
        evidence=None,
        accept="ok",
        deadline_s=seconds,
        engine=EngineSettings(workers=workers),
    )
    summary = result.summary()
    if summary["all"]["failures"]:
        raise RuntimeError(f"the endpoint failed requests: {summary['all']['failure_kinds']}")
    if not result.not_sent:
        print(f"  (the engine sent all {len(calls)} calls: its ceiling is above this bound)", file=sys.stderr)
    return float(summary["all"]["count"]) / float(summary["elapsed_s"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)  # the endpoint's child process
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve)
        return 0
    if not 1 <= args.seconds <= 30 or not 1 <= args.runs <= 10 or not 1 <= args.concurrency <= 200:
        parser.error("bounds: --seconds 1..30, --runs 1..10, --concurrency 1..200")
    if shutil.which("wrk") is None:
        print("wrk is not installed (Debian: apt-get install -y wrk; `make bench` installs it)", file=sys.stderr)
        return 2
    generators = {
        "wrk (1 thread)": lambda url: wrk_rps(url, args.seconds, args.concurrency),
        "locust FastHttpUser, 1 process": lambda url: engine_rps(url, args.seconds, args.concurrency, 0),
        "locust FastHttpUser, master + 2 workers": lambda url: engine_rps(url, args.seconds, args.concurrency, 2),
    }
    medians: dict[str, float] = {}
    with endpoint() as url:
        for name, measure in generators.items():
            runs = [measure(url) for _ in range(args.runs)]
            medians[name] = statistics.median(runs)
            print(f"{name:42s} {medians[name]:9.0f} req/s  (runs: {', '.join(f'{r:.0f}' for r in runs)})")
    plain = medians["wrk (1 thread)"]
    print(f"concurrency {args.concurrency}, {args.seconds} s per run, median of {args.runs}, endpoint {url}")
    for name, rps in medians.items():
        if name != "wrk (1 thread)":
            print(f"ratio {name} / wrk: {rps / plain:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
