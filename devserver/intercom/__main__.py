"""CLI: python -m devserver.intercom --port 8089 --token T [--demo] [--timezone TZ] [--index-delay MIN:MAX]."""

from __future__ import annotations

import argparse
import threading

from devserver.intercom.demo import load_demo
from devserver.intercom.simulator import Simulator


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m devserver.intercom", description="Intercom API simulator")
    parser.add_argument("--port", type=int, default=8089)
    parser.add_argument("--token", default="sim-token")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--demo", action="store_true", help="load demo data")
    parser.add_argument("--timezone", default="UTC")
    parser.add_argument("--index-delay", default="0:0", help="search index delay range in seconds, MIN:MAX")
    parser.add_argument("--rate-limit", type=int, default=None, help="requests per 10-second window")
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
        load_demo(sim)
    print(f"Intercom simulator on {sim.base_url} (Ctrl-C stops)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()


if __name__ == "__main__":
    main()
