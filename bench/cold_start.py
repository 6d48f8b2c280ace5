"""Cold start: `import function_app` in a fresh process, side by side with the bare imports of its packages.

    .venv/bin/python -m bench.cold_start [--runs 21] [--max-ratio 1.5]

Each run starts a new interpreter that times its imports with perf_counter (interpreter start-up, the same for
both, is left out); the app's own modules compile from source each time (PYTHONDONTWRITEBYTECODE=1), as from
Azure's read-only package without __pycache__. The two cases alternate, so each app run has a bare run beside it
under the same load (the machine may be busy). Prints the median (and min, max) of each, the ratio of the medians,
and the median of the paired ratios (app run / the bare run before it), the figure load spikes disturb least:
what the app's own modules (every blueprint, every pydantic model, the settings) add to the packages any
Functions app of this kind pays for. Exits 1 when the paired ratio is above --max-ratio. `azure.storage.queue` is
counted when it is installed.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("azure.functions", "httpx", "pydantic", "azure.data.tables", "azure.storage.queue")


def _timed(imports: list[str]) -> str:
    lines = "".join(f"import {name}\n" for name in imports)
    return f"import time\nstart = time.perf_counter()\n{lines}print(time.perf_counter() - start)\n"


def _run(code: str) -> float:
    # As in Azure, where the package is read-only and ships no __pycache__: the app's modules compile from source
    # on every cold start; the packages' bytecode was written by pip.
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True, timeout=120
    )
    return float(done.stdout.strip().splitlines()[-1])


def measure(runs: int) -> tuple[list[float], list[float], list[str]]:
    packages = [name for name in PACKAGES if importlib.util.find_spec(name) is not None]
    bare, app = _timed(packages), _timed(["function_app"])
    _run(app)  # warm the file cache once, outside the figures
    _run(bare)
    bare_times, app_times = [], []
    for _ in range(runs):
        bare_times.append(_run(bare))
        app_times.append(_run(app))
    return bare_times, app_times, packages


def _row(name: str, times: list[float]) -> str:
    median = statistics.median(times) * 1000
    return f"{name:<22} {median:8.1f} {min(times) * 1000:8.1f} {max(times) * 1000:8.1f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cold_start", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--max-ratio", type=float, default=1.5)
    args = parser.parse_args(argv)
    bare, app, packages = measure(args.runs)
    ratio = statistics.median(app) / statistics.median(bare)
    print(f"{args.runs} fresh processes each; packages: {', '.join(packages)}")
    print(f"{'import':<22} {'median':>8} {'min':>8} {'max':>8}  (ms)")
    paired = statistics.median(a / b for a, b in zip(app, bare, strict=True))
    print(_row("bare packages", bare))
    print(_row("function_app", app))
    print(f"ratio of the medians   {ratio:8.2f}")
    print(f"median paired ratio    {paired:8.2f}  (at most {args.max_ratio})")
    return 0 if paired <= args.max_ratio else 1


if __name__ == "__main__":
    sys.exit(main())
