"""Several processes hammer one connection through the throttled client; prints whether the budget held and its cost.

    .venv/bin/python -m bench.throttle [--processes 4] [--calls 10] [--period 5] [--seconds 30]
    .venv/bin/python -m bench.throttle --calls 100 --period 10 --burst 5 --gap 1   # budget free: the fast path

Starts its own Azurite and Intercom simulator on loopback. Prints: calls made, the most calls in any sliding
window of PERIOD (must be <= CALLS), utilisation (calls made / calls the budget allows in the run), upstream 429s
(goal 0), and the limiter's added latency per call (time inside acquire minus the time it slept waiting for budget:
storage round trips and lost races) at p50/p99, as a ratio to a bare call to the simulator measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
from pydantic import SecretStr

from devserver.azurite import Azurite
from intercom_sim import Simulator
from shared.errors import Throttled
from shared.intercom.client import IntercomClient
from shared.intercom.deadline import Deadline
from shared.intercom.throttle import TableLimiter
from shared.settings import Connection

REPO = Path(__file__).resolve().parent.parent
TOKEN = "bench-token"
PATH = "/contacts"


class RecordingTransport(httpx.BaseTransport):
    """Notes when each request leaves and what status came back (the bench's view of the upstream)."""

    def __init__(self) -> None:
        self._inner = httpx.HTTPTransport()
        self.sent: list[float] = []
        self.statuses: list[int] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(time.time())
        response = self._inner.handle_request(request)
        self.statuses.append(response.status_code)
        return response

    def close(self) -> None:
        self._inner.close()


def worker(args: argparse.Namespace) -> None:
    """One process: call as fast as the budget allows from `start` to `end`; print what happened as JSON."""
    connection = Connection(
        name=args.connection, access_token=SecretStr(TOKEN), base_url=args.base_url, api_version="2.16"
    )
    limiter = TableLimiter(args.storage, args.connection, args.calls, args.period)
    limiter.prepare()
    transport = RecordingTransport()
    timed = TimedLimiter(limiter)
    client = IntercomClient(connection, timed, transport=transport)
    exhausted = 0
    time.sleep(max(0.0, args.start - time.time()))
    sent_in_burst = 0
    while time.time() < args.end:
        if args.burst and sent_in_burst >= args.burst:
            time.sleep(max(0.0, min(args.gap, args.end - time.time())))
            sent_in_burst = 0
            continue
        try:
            client.get(PATH, params={"per_page": 1}, deadline=Deadline.after(min(8.0, args.end - time.time())))
            sent_in_burst += 1
        except Throttled as exc:
            exhausted += 1
            time.sleep(max(0.0, min(exc.retry_after, args.end - time.time())))
    added, busy = timed.added, timed.busy
    stats = limiter.stats
    print(
        json.dumps(
            {
                "sent": transport.sent,
                "statuses": transport.statuses,
                "added": added,
                "busy": busy,
                "exhausted": exhausted,
                "writes": stats.writes,
                "reads": stats.reads,
                "conflicts": stats.conflicts,
                "fast": stats.fast,
            }
        )
    )


class TimedLimiter:
    """Measures what the limiter adds to each call.

    `added`: from the later of (the call to acquire, the instant the budget opened for it) to acquire's return;
    waiting for budget that was genuinely spent is not the limiter's cost, the storage round trips and lost races
    on the way to a free slot are. `busy`: time inside acquire less the time it slept (storage work, even when it
    overlapped a wait that was due anyway).
    """

    def __init__(self, inner: TableLimiter) -> None:
        self.inner = inner
        self.added: list[float] = []
        self.busy: list[float] = []

    def acquire(self, deadline: Deadline) -> None:
        slept, called, started = self.inner.stats.slept, time.time(), time.perf_counter()
        self.inner.acquire(deadline)
        done = time.time()
        self.busy.append(time.perf_counter() - started - (self.inner.stats.slept - slept))
        self.added.append(max(0.0, done - max(called, self.inner.last_grant_start)))


def bare_latencies(base_url: str, count: int) -> list[float]:
    """Plain GETs to the simulator with a pooled httpx client: the cost the limiter is compared with."""
    headers = {"Authorization": f"Bearer {TOKEN}", "Intercom-Version": "2.16", "Accept": "application/json"}
    out: list[float] = []
    with httpx.Client(base_url=base_url, headers=headers, timeout=10) as http:
        for _ in range(count):
            started = time.perf_counter()
            http.get(PATH, params={"per_page": 1})
            out.append(time.perf_counter() - started)
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def max_in_window(instants: list[float], period: float) -> int:
    times, best, first = sorted(instants), 0, 0
    for last, t in enumerate(times):
        while t - times[first] >= period:
            first += 1
        best = max(best, last - first + 1)
    return best


def _simulator(rate_limit_per_10s: int) -> Simulator:
    sim = Simulator(token=TOKEN, port=0).start()
    sim.configure(rate_limit_per_10s=rate_limit_per_10s)
    return sim


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--period", type=float, default=5.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--burst", type=int, default=0, help="calls per burst (0: call continuously), like a poll")
    parser.add_argument("--gap", type=float, default=1.0, help="seconds between bursts")
    parser.add_argument("--bare", type=int, default=200, help="bare calls measured for the latency baseline")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    for hidden in ("--storage", "--connection", "--base-url"):
        parser.add_argument(hidden, help=argparse.SUPPRESS)
    for hidden in ("--start", "--end"):
        parser.add_argument(hidden, type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return

    # Intercom's limit is per fixed 10 s window; ours allows at most this many in any 10 s, so it should never bite.
    upstream_limit = args.calls * math.ceil(10 / args.period)
    with Azurite() as azurite:
        sim, bare_sim = _simulator(upstream_limit), _simulator(10**6)
        try:
            bare = bare_latencies(bare_sim.base_url, args.bare)
            connection = "bench" + uuid.uuid4().hex[:8]
            start = time.time() + 3.0  # let every process import and connect first
            end = start + args.seconds
            command = [sys.executable, "-m", "bench.throttle", "--worker", "--storage", azurite.connection_string]
            command += ["--connection", connection, "--base-url", sim.base_url, "--calls", str(args.calls)]
            command += ["--period", str(args.period), "--start", str(start), "--end", str(end)]
            command += ["--burst", str(args.burst), "--gap", str(args.gap)]
            children = [
                subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, text=True) for _ in range(args.processes)
            ]
            results = [json.loads(child.communicate(timeout=args.seconds + 120)[0]) for child in children]
        finally:
            sim.stop()
            bare_sim.stop()

    sent = [t for r in results for t in r["sent"]]
    statuses = [s for r in results for s in r["statuses"]]
    added = [a for r in results for a in r["added"]]
    busy = [a for r in results for a in r["busy"]]
    allowed = args.calls * math.ceil(args.seconds / args.period)
    p50_bare, p99_bare = percentile(bare, 0.5), percentile(bare, 0.99)
    p50_added, p99_added = percentile(added, 0.5), percentile(added, 0.99)
    print(f"budget: {args.calls} calls per {args.period:g} s; {args.processes} processes for {args.seconds:g} s")
    print(f"calls made: {len(sent)} (calls per process: {[len(r['sent']) for r in results]})")
    print(f"max calls in any {args.period:g} s window: {max_in_window(sent, args.period)} (budget {args.calls})")
    print(f"utilisation: {len(sent)}/{allowed} = {len(sent) / allowed:.3f}")
    print(f"upstream 429s: {statuses.count(429)} (Intercom limit configured: {upstream_limit} per 10 s)")
    print(f"bare call: p50 {p50_bare * 1000:.2f} ms, p99 {p99_bare * 1000:.2f} ms ({len(bare)} calls)")
    print(
        f"limiter added latency: p50 {p50_added * 1000:.2f} ms ({p50_added / p50_bare:.2f}x bare), "
        f"p99 {p99_added * 1000:.2f} ms ({p99_added / p99_bare:.2f}x bare), "
        f"mean {statistics.fmean(added) * 1000:.2f} ms"
    )
    print(
        f"limiter storage work per call (overlapping waits): p50 {percentile(busy, 0.5) * 1000:.2f} ms, "
        f"p99 {percentile(busy, 0.99) * 1000:.2f} ms"
    )
    storage = {k: sum(r[k] for r in results) for k in ("writes", "reads", "conflicts", "fast", "exhausted")}
    print(f"storage: {storage}")


if __name__ == "__main__":
    main()
