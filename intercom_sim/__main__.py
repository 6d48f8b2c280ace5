"""CLI: python -m intercom_sim --port 8089 --token T [--demo] [--timezone TZ] [--index-delay MIN:MAX] ...

`--webhook-secret` defaults to the environment's INTERCOM_CLIENT_SECRET (kept off the command line that way).
"""

from __future__ import annotations

import argparse
import os
import threading
from typing import Any

from intercom_sim.config import WEBHOOK_SHAPES, WEBHOOK_TOPICS
from intercom_sim.demo import load_demo
from intercom_sim.simulator import Simulator


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m intercom_sim", description="Intercom API simulator")
    parser.add_argument("--port", type=int, default=8089)
    parser.add_argument("--token", default="sim-token")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--demo", action="store_true", help="load demo data")
    parser.add_argument("--timezone", default="UTC")
    parser.add_argument("--index-delay", default="0:0", help="search index delay range in seconds, MIN:MAX")
    parser.add_argument("--rate-limit", type=int, default=None, help="requests per 10-second window")
    _webhook_arguments(parser)
    args = parser.parse_args(argv)
    low, _, high = args.index_delay.partition(":")
    sim = Simulator(args.token, port=args.port, seed=args.seed)
    sim.configure(
        timezone=args.timezone,
        index_delay=(float(low), float(high or low)),
        rate_limit_per_10s=args.rate_limit,
    )
    sim.start()
    if args.demo:
        load_demo(sim)  # before webhooks are on: demo data is history, not news
    sim.configure(**_webhook_settings(args))
    print(f"Intercom simulator on {sim.base_url} (Ctrl-C stops)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()


def _webhook_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("webhooks (docs/simulator.md)")
    group.add_argument("--webhook-url", default=None, help="loopback URL to send notifications to (default: off)")
    secret = os.environ.get("INTERCOM_CLIENT_SECRET")
    group.add_argument("--webhook-secret", default=secret, help="default: $INTERCOM_CLIENT_SECRET")
    group.add_argument("--webhook-topics", default=",".join(WEBHOOK_TOPICS), help="comma-separated topics")
    group.add_argument("--webhook-drop-rate", type=float, default=0.0)
    group.add_argument("--webhook-duplicate-rate", type=float, default=0.0)
    group.add_argument("--webhook-max-delay", type=float, default=0.0, help="seconds; each send waits [0, max]")
    group.add_argument("--webhook-retry-delay", type=float, default=60.0, help="seconds before the one resend")
    group.add_argument("--webhook-shapes", choices=WEBHOOK_SHAPES, default="2026", help="item shapes (docs)")
    group.add_argument("--webhook-timestamps", choices=("iso", "unix"), help="older form: unix = classic shapes")
    group.add_argument("--webhook-no-signed-up", action="store_true", help="no contact.lead.signed_up on conversion")


def _webhook_settings(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "webhook_url": args.webhook_url,
        "webhook_secret": args.webhook_secret,
        "webhook_topics": tuple(t for t in args.webhook_topics.split(",") if t),
        "webhook_drop_rate": args.webhook_drop_rate,
        "webhook_duplicate_rate": args.webhook_duplicate_rate,
        "webhook_max_delay_seconds": args.webhook_max_delay,
        "webhook_retry_delay_seconds": args.webhook_retry_delay,
        "webhook_shapes": "classic" if args.webhook_timestamps == "unix" else args.webhook_shapes,
        "webhook_signed_up_on_conversion": not args.webhook_no_signed_up,
    }


if __name__ == "__main__":
    main()
