"""A child process of the multi-process throttle test: acquire grants until a time, print their instants as JSON.

Run as `python -m tests.intercom.throttle_worker CONN_STRING CONNECTION CALLS PERIOD UNTIL` from the repo root.
"""

from __future__ import annotations

import json
import sys
import time

from shared.intercom.deadline import Deadline
from shared.intercom.errors import BudgetExhausted
from shared.intercom.throttle import TableLimiter


def main(argv: list[str]) -> None:
    conn, name, calls, period, until = argv[0], argv[1], int(argv[2]), float(argv[3]), float(argv[4])
    limiter = TableLimiter(conn, name, calls, period)
    grants: list[float] = []
    while time.time() < until:
        try:
            limiter.acquire(Deadline.after(until - time.time()))
        except BudgetExhausted:
            break
        grants.append(limiter.last_used_at)  # the instant the limiter let the call go
    stats = limiter.stats
    print(json.dumps({"grants": grants, "conflicts": stats.conflicts, "writes": stats.writes, "fast": stats.fast}))


if __name__ == "__main__":
    main(sys.argv[1:])
