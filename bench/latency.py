"""Write -> readable latency of the webhook path and of the poll-only path, and the intake's answer time under load.

    .venv/bin/python -m bench.latency [--samples 30] [--poll-seconds 10] [--lag 1,5] [--lookback 30]
                                      [--rounds 10] [--concurrency 50]

Starts its own Azurite, two Intercom simulators and one app (devserver) on loopback, with two connections:
`webhook` has a client secret and its simulator sends every notification to the app's intake (no drops, no
duplicates, no delay: this measures the path, not Intercom's losses, which the polls cover); `poll-only` has no
secret and its simulator sends nothing. Both poll on the same POLL_SCHEDULE, and both simulators' search shows a write
after a uniform LAG. Intercom's real numbers (a 120 s schedule, minutes of search lag) would take minutes per
poll-only sample, so the schedule and lag are scaled down; the expected production poll-only latency
(schedule / 2 + lag) is printed beside the figures.

1. Latency: SAMPLES writes per path (a lead, a user or a conversation through the simulator's HTTP API, both paths
   at once), spread by a random 1.5-4.5 s gap so that they meet every phase of the poll schedule; each is timed from
   just before the write to the moment the bench reads its event from `GET /api/triggers/{name}` (followed through
   `Location` as Logic Apps does, every 50 ms while a sample is outstanding). The webhook path is split with the
   simulator's delivery log (publish -> the intake's 200) and the app's log (intake -> worker done).
2. Intake under load: ROUNDS rounds of CONCURRENCY signed notifications at once (threads), while the worker drains
   them; then the same with the throttle budget spent (THROTTLE_CALLS=1 per hour, checked with an action's 429).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from devserver.azurite import Azurite
from devserver.process import DevServerProcess
from intercom_sim import Simulator
from intercom_sim.notifications import envelope
from shared.notifications.signature import SIGNATURE_HEADER, sign
from shared.triggers.registry import TRIGGERS, of_interface

REPO = Path(__file__).resolve().parent.parent
TOKEN = "bench-latency-token"
SECRET = "bench-latency-client-secret"
INTAKE = "/api/intercom/webhooks"
POLLS = tuple(TRIGGERS[name].timer for name in of_interface(4))
KIND_TRIGGER = {"lead": "lead-created", "user": "user-created", "conversation": "conversation-started"}
KIND_TOPIC = {
    "lead": "contact.lead.created",
    "user": "contact.user.created",
    "conversation": "conversation.user.created",
}
WATCH_INTERVAL = 0.05
CANDIDATE_POLLING = (2.0, 0.5)  # seconds: maxPollingInterval values the estimate is also printed for
PICKUPS = 20
GAP = (1.5, 4.5)
TARGETS = {"webhook p50": 1.0, "webhook p95": 3.0, "intake p99": 1.0}
WORKER_LINE = re.compile(r"notification (\S+) topic=\S+ connection=\S+ logged=.* \((\d+) ms after intake\)")
RUN_LINE = re.compile(r"process_notification succeeded in (\d+) ms")
INTAKE_LINE = re.compile(rf"POST {INTAKE} 200 (\d+) ms")


# -- statistics ------------------------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))] if ordered else math.nan


def figures(values: list[float], quantiles: tuple[float, ...] = (0.5, 0.95)) -> str:
    """`p50 0.412 s, p95 0.733 s, max 0.901 s (n=30)`."""
    parts = [f"p{round(q * 100)} {percentile(values, q):.3f} s" for q in quantiles]
    return ", ".join([*parts, f"max {max(values, default=math.nan):.3f} s (n={len(values)})"])


def verdict(name: str, value: float) -> str:
    target = TARGETS[name]
    return f"{name} {value:.3f} s vs target <= {target:g} s: {'met' if value <= target else 'MISSED'}"


# -- the app and its two connections ---------------------------------------------------------------------------------


@dataclass
class Lane:
    """One connection of the app and the simulator behind it."""

    label: str
    connection: str
    sim: Simulator
    webhooks: bool


def app_env(storage: str, lanes: list[Lane], args: argparse.Namespace, **extra: str) -> dict[str, str]:
    env = {
        "AzureWebJobsStorage": storage,
        "INTERCOM_CONNECTIONS": ",".join(p.connection for p in lanes),
        "POLL_SCHEDULE": f"*/{args.poll_seconds} * * * * *",
        "POLL_LOOKBACK_SECONDS": str(args.lookback),
        "THROTTLE_CALLS": "1000",
        "THROTTLE_PERIOD_SECONDS": "60",
        **extra,
    }
    for p in lanes:
        env[f"INTERCOM_ACCESS_TOKEN__{p.connection}"] = TOKEN
        env[f"INTERCOM_BASE_URL__{p.connection}"] = p.sim.base_url
        if p.webhooks:
            env[f"INTERCOM_CLIENT_SECRET__{p.connection}"] = SECRET
    return env


@contextmanager
def simulators(lag: tuple[float, float]) -> Iterator[list[Lane]]:
    with Simulator(token=TOKEN, seed=1) as hooked, Simulator(token=TOKEN, seed=2) as polled:
        for sim in (hooked, polled):
            sim.configure(index_delay=lag)
        suffix = uuid.uuid4().hex[:8]
        yield [Lane("webhook", "wh" + suffix, hooked, True), Lane("poll-only", "po" + suffix, polled, False)]


def enable_webhooks(lane: Lane, app_url: str) -> None:
    lane.sim.configure(
        webhook_url=app_url + INTAKE,
        webhook_secret=SECRET,
        webhook_drop_rate=0.0,
        webhook_duplicate_rate=0.0,
        webhook_max_delay_seconds=0.0,
        webhook_retry_delay_seconds=1.0,
    )


# -- part 1: write -> readable ---------------------------------------------------------------------------------------


@dataclass
class Sample:
    lane: str
    kind: str
    object_id: str
    written: float
    seen: float | None = None

    @property
    def latency(self) -> float:
        assert self.seen is not None
        return self.seen - self.written


class Feed:
    """One polling trigger of one connection, followed through `Location` as Logic Apps does."""

    def __init__(self, http: httpx.Client, connection: str, trigger: str) -> None:
        self.http, self.headers = http, {"X-Intercom-Connection": connection}
        first = http.get(f"/api/triggers/{trigger}", headers=self.headers)
        if first.status_code != 202:
            raise RuntimeError(f"first poll of {trigger}: {first.status_code} {first.text}")
        self.location = first.headers["Location"]

    def read(self) -> list[str]:
        """Ids of the events logged since the last read."""
        answer = self.http.get(self.location, headers=self.headers)
        self.location = answer.headers["Location"]
        return [str(e["id"]) for e in answer.json()["value"]] if answer.status_code == 200 else []


class Watcher:
    """Reads the feeds that have outstanding samples every WATCH_INTERVAL and stamps when each sample shows up."""

    def __init__(self, http: httpx.Client, lanes: list[Lane]) -> None:
        self.feeds = {(p.label, kind): Feed(http, p.connection, t) for p in lanes for kind, t in KIND_TRIGGER.items()}
        self.samples: list[Sample] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="latency-watcher", daemon=True)

    def __enter__(self) -> Watcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def add(self, sample: Sample) -> None:
        with self._lock:
            self.samples.append(sample)

    def outstanding(self) -> list[Sample]:
        with self._lock:
            return [s for s in self.samples if s.seen is None]

    def _run(self) -> None:
        while not self._stop.wait(WATCH_INTERVAL):
            for feed_key in {(s.lane, s.kind) for s in self.outstanding()}:
                ids = set(self.feeds[feed_key].read())
                now = time.time()
                with self._lock:
                    for s in self.samples:
                        if (s.lane, s.kind) == feed_key and s.seen is None and s.object_id in ids:
                            s.seen = now


class Writer:
    """Intercom writes through the simulator's HTTP API: REST for contacts, the control API for a conversation."""

    def __init__(self, sim: Simulator) -> None:
        self.api = httpx.Client(base_url=sim.base_url, headers={"Authorization": f"Bearer {TOKEN}"}, trust_env=False)
        self.author = sim.add_contact("user", email=f"author-{uuid.uuid4().hex[:8]}@example.com", index=False)["id"]
        self.count = 0

    def close(self) -> None:
        self.api.close()

    def write(self, kind: str) -> str:
        self.count += 1
        tag = f"{uuid.uuid4().hex[:8]}-{self.count}"
        if kind == "conversation":
            body = {"contact_id": self.author, "body": f"<p>bench {tag}</p>"}
            answer = self.api.post("/_sim/conversations", json=body)
        else:
            answer = self.api.post("/contacts", json={"role": kind, "email": f"{kind}-{tag}@example.com"})
        answer.raise_for_status()
        return str(answer.json()["id"])


def measure_latency(
    watcher: Watcher, writers: dict[str, Writer], args: argparse.Namespace, note: Callable[[str], None]
) -> None:
    rng = random.Random(args.seed)
    kinds = list(KIND_TRIGGER)
    for n in range(args.samples):
        kind = kinds[n % len(kinds)]
        for label, writer in writers.items():
            written = time.time()
            watcher.add(Sample(label, kind, writer.write(kind), written))
        if (n + 1) % 10 == 0:
            note(f"  {n + 1}/{args.samples} writes per path")
        time.sleep(rng.uniform(*GAP))
    deadline = time.monotonic() + args.poll_seconds * 2 + args.lag[1] + 15
    while watcher.outstanding() and time.monotonic() < deadline:
        time.sleep(0.2)


@dataclass
class Split:
    """The webhook path of one sample, in seconds: write -> publish -> intake's 200 -> worker done -> read."""

    publish_to_200: list[float] = field(default_factory=list)
    after_200: list[float] = field(default_factory=list)
    intake_to_worker_done: list[float] = field(default_factory=list)


def webhook_split(sim: Simulator, samples: list[Sample], log: str) -> Split:
    after_intake = {m.group(1): int(m.group(2)) / 1000 for m in WORKER_LINE.finditer(log)}
    deliveries = {(d.topic, d.object_id): d for d in sim.webhook_deliveries()}
    split = Split()
    for s in samples:
        d = deliveries.get((KIND_TOPIC[s.kind], s.object_id))
        ok = [a.at for a in d.attempts if a.status == 200] if d else []
        if d is None or not ok or s.seen is None:
            continue
        split.publish_to_200.append(ok[0] - d.published_at)
        split.after_200.append(s.seen - ok[0])
        if d.id in after_intake:
            split.intake_to_worker_done.append(after_intake[d.id])
    return split


def report_latency(
    lanes: list[Lane], samples: list[Sample], log: str, args: argparse.Namespace, note: Callable[[str], None]
) -> None:
    lo, hi = args.lag
    note("")
    note("== 1. Intercom write -> event readable in the polling trigger ==")
    note(
        f"scaled schedule: POLL_SCHEDULE every {args.poll_seconds} s, search lag uniform {lo:g}-{hi:g} s, "
        f"POLL_LOOKBACK_SECONDS {args.lookback}; bench reads the trigger every {WATCH_INTERVAL * 1000:.0f} ms"
    )
    latencies: dict[str, list[float]] = {}
    for p in lanes:
        mine = [s for s in samples if s.lane == p.label]
        seen = [s.latency for s in mine if s.seen is not None]
        latencies[p.label] = seen
        missing = len(mine) - len(seen)
        note(f"{p.label:>9}: {figures(seen)}" + (f"; {missing} never readable" if missing else ""))
        for kind in KIND_TRIGGER:
            of_kind = [s.latency for s in mine if s.kind == kind and s.seen is not None]
            note(f"{'':>11}{kind:<12} {figures(of_kind)}")
    hooked, polled = latencies["webhook"], latencies["poll-only"]
    if hooked and polled:
        ratio = percentile(polled, 0.5) / percentile(hooked, 0.5)
        note(f"poll-only p50 / webhook p50 = {ratio:.1f}x (scaled schedule)")
    mean_lag = (lo + hi) / 2
    note(f"expected poll-only, scaled: schedule/2 + mean lag = {args.poll_seconds / 2:g} + {mean_lag:g} s")
    for lag in args.production_lag:
        minutes = (args.production_schedule / 2 + lag) / 60
        note(
            f"expected poll-only in production: {args.production_schedule}/2 + {lag} s search lag = "
            f"{minutes:.1f} min (webhook path: unchanged by the schedule and the lag)"
        )
    split = webhook_split(lanes[0].sim, [s for s in samples if s.lane == "webhook"], log)
    note("webhook path split:")
    note(f"  simulator publish -> intake's 200 (sender + intake): {figures(split.publish_to_200)}")
    note(f"  intake's 200 -> readable by the bench:               {figures(split.after_200)}")
    note(f"  intake -> worker done (app log, queue wait + run):    {figures(split.intake_to_worker_done)}")
    report_app_log(log, note)
    report_azure_estimate(hooked, note)
    for name, q in (("webhook p50", 0.5), ("webhook p95", 0.95)):
        note("target: " + verdict(name, percentile(hooked, q)))


def report_app_log(log: str, note: Callable[[str], None]) -> None:
    runs = [int(m.group(1)) / 1000 for m in RUN_LINE.finditer(log)]
    intakes = [int(m.group(1)) / 1000 for m in INTAKE_LINE.finditer(log)]
    note(f"  intake handling in the app (request log):           {figures(intakes)}")
    note(f"  worker run (process_notification, app log):          {figures(runs)}")


def host_polling_interval() -> float:
    """host.json's `extensions.queues.maxPollingInterval` in seconds (the host's default: 1 minute)."""
    queues = json.loads((REPO / "host.json").read_text())["extensions"].get("queues", {})
    hours, minutes, seconds = queues.get("maxPollingInterval", "00:01:00").split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def report_azure_estimate(latencies: list[float], note: Callable[[str], None]) -> None:
    """The devserver polls an idle queue at most every 0.2 s; the host backs off to maxPollingInterval, so a
    notification that finds the queue idle waits up to that long for pickup. Each sample is combined with PICKUPS
    evenly spread waits in [0, interval] (a deterministic uniform); slightly pessimistic: the local wait stays in."""
    configured = host_polling_interval()
    for interval in sorted({configured, *CANDIDATE_POLLING}, reverse=True):
        waits = [(k + 0.5) / PICKUPS * interval for k in range(PICKUPS)]
        estimate = [s + w for s in latencies for w in waits]
        which = "host.json" if interval == configured else "candidate"
        note(
            f"  estimate in Azure, maxPollingInterval {interval:g} s ({which}, {86_400 / interval:,.0f} queue "
            f"polls/day/instance when idle): {figures(estimate)}"
        )


# -- part 2: the intake under load ----------------------------------------------------------------------------------


class Notifier:
    """Signed notifications like Intercom's: a real lead's item under a fresh id each time, so each is a new event."""

    def __init__(self, sim: Simulator) -> None:
        self.item = sim.add_contact("lead", email=f"load-{uuid.uuid4().hex[:8]}@example.com", index=False)

    def body(self) -> bytes:
        item = {**self.item, "id": uuid.uuid4().hex[:24]}
        now = int(time.time())
        return json.dumps(envelope(f"notif_{uuid.uuid4()}", "contact.lead.created", item, now, 1, now)).encode()


def one_round(http: httpx.Client, bodies: list[bytes]) -> list[tuple[int, float]]:
    """POST every body at once (one thread each, released together); (status, seconds) per request."""
    gate = threading.Barrier(len(bodies))

    def post(body: bytes) -> tuple[int, float]:
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, SECRET)}
        gate.wait()
        started = time.perf_counter()
        status = http.post(INTAKE, content=body, headers=headers).status_code
        return status, time.perf_counter() - started

    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(post, bodies))


def worker_succeeded(http: httpx.Client) -> int:
    return int(http.get("/admin/functions/process_notification").json().get("succeeded", 0))


def wait_for_worker(http: httpx.Client, count: int, timeout: float = 120.0) -> float:
    """Seconds until the worker has run `count` messages successfully in all (or `timeout` passed)."""
    started = time.perf_counter()
    while worker_succeeded(http) < count and time.perf_counter() - started < timeout:
        time.sleep(0.1)
    return time.perf_counter() - started


def load(server: DevServerProcess, notifier: Notifier, args: argparse.Namespace, label: str) -> list[str]:
    """Rounds of concurrent notifications (after one warm-up round); lines to print."""
    limits = httpx.Limits(max_connections=args.concurrency, max_keepalive_connections=args.concurrency)
    with httpx.Client(base_url=server.base_url, timeout=30, limits=limits, trust_env=False) as http:
        baseline = worker_succeeded(http) + args.concurrency
        one_round(http, [notifier.body() for _ in range(args.concurrency)])  # warm-up: connections, caches
        wait_for_worker(http, baseline)
        mark = len(server.log_text())
        rounds: list[list[tuple[int, float]]] = []
        started = time.perf_counter()
        for _ in range(args.rounds):
            rounds.append(one_round(http, [notifier.body() for _ in range(args.concurrency)]))
        sent = time.perf_counter()
        answers = [a for r in rounds for a in r]
        drained = wait_for_worker(http, baseline + len(answers))
        processed = worker_succeeded(http) - baseline
    seconds = [t for status, t in answers if status == 200]
    in_app = [int(m.group(1)) / 1000 for m in INTAKE_LINE.finditer(server.log_text()[mark:])]
    slowest = " ".join(f"{max(t for _, t in r):.2f}" for r in rounds)
    refused = len(answers) - len(seconds)
    return [
        f"{label}: {len(answers)} notifications in {args.rounds} rounds of {args.concurrency} "
        f"({sent - started:.1f} s, after a warm-up round; {refused} not 200; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)",
        f"  200 answers (client): {figures(seconds, (0.5, 0.95, 0.99))}",
        f"  in the app (request log): {figures(in_app, (0.5, 0.95, 0.99))}",
        f"  slowest answer per round: {slowest} s",
        f"  worker: {processed}/{len(answers)} processed {drained:.1f} s after the last answer "
        f"(it ran during the rounds)",
        "  target: " + verdict("intake p99", percentile(seconds, 0.99)),
    ]


def spend_budget(server: DevServerProcess, connection: str) -> list[int]:
    """Actions until one answers 429: the connection's budget is spent (the statuses seen)."""
    statuses: list[int] = []
    with httpx.Client(base_url=server.base_url, timeout=30, trust_env=False) as http:
        while not statuses or (statuses[-1] != 429 and len(statuses) < 5):
            answer = http.get("/api/leads", params={"per_page": 1}, headers={"X-Intercom-Connection": connection})
            statuses.append(answer.status_code)
    return statuses


# -- main ------------------------------------------------------------------------------------------------------------


def start_app(env: dict[str, str]) -> DevServerProcess:
    server = DevServerProcess(env).start()
    for name in POLLS:  # every trigger has its checkpoint before the first write
        server.run_function(name)
    return server


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=30, help="writes per path")
    parser.add_argument("--poll-seconds", type=int, default=10, help="POLL_SCHEDULE period (divides 60)")
    parser.add_argument("--lag", default="1,5", help="search lag range in seconds: LOW,HIGH")
    parser.add_argument("--lookback", type=int, default=30, help="POLL_LOOKBACK_SECONDS")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--production-schedule", type=int, default=120, help="seconds, for the expectation")
    parser.add_argument("--production-lag", default="60,300", help="search lags (s) for the expectation")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.poll_seconds < 1 or 60 % args.poll_seconds:
        parser.error("--poll-seconds must divide 60")
    args.lag = tuple(float(x) for x in args.lag.split(","))
    args.production_lag = [int(x) for x in args.production_lag.split(",")]
    if len(args.lag) != 2 or not 0 <= args.lag[0] <= args.lag[1] < args.lookback:
        parser.error("--lag must be LOW,HIGH with 0 <= LOW <= HIGH < --lookback")
    return args


def main() -> None:
    args = parse_args()
    note = print
    with Azurite() as azurite, simulators(args.lag) as lanes:
        storage = azurite.connection_string
        hooked = lanes[0]
        notifier = Notifier(hooked.sim)
        server = start_app(app_env(storage, lanes, args))
        try:
            enable_webhooks(hooked, server.base_url)
            writers = {p.label: Writer(p.sim) for p in lanes}
            with (
                httpx.Client(base_url=server.base_url, timeout=30, trust_env=False) as http,
                Watcher(http, lanes) as watcher,
            ):
                note(f"part 1: {args.samples} writes per path, one every {GAP[0]:g}-{GAP[1]:g} s")
                warm = Sample("webhook", "lead", writers["webhook"].write("lead"), time.time())
                watcher.add(warm)  # the first notification reads GET /me: not a sample
                measure_latency(watcher, writers, args, note)
                samples = [s for s in watcher.samples if s is not warm]
            for writer in writers.values():
                writer.close()
            report_latency(lanes, samples, server.log_text(), args, note)
            note("")
            note("== 2. Intake answer time under load (the worker draining the queue at the same time) ==")
            lines = load(server, notifier, args, "budget free")
        except BaseException:
            note(f"the app's log ends:\n{server.log_tail(60)}")
            raise
        finally:
            server.stop()
        spent_env = app_env(storage, lanes, args, THROTTLE_CALLS="1", THROTTLE_PERIOD_SECONDS="3600")
        with DevServerProcess(spent_env) as spent:
            statuses = spend_budget(spent, hooked.connection)
            lines += load(spent, notifier, args, f"budget spent (THROTTLE_CALLS=1 per hour; actions: {statuses})")
        for line in lines:
            note(line)


if __name__ == "__main__":
    main()
