"""Cold start: `import function_app` in a fresh process, side by side with the bare imports of its packages.

    .venv/bin/python -m bench.cold_start [--runs 21] [--max-ratio 1.5]
    .venv/bin/python -m bench.cold_start --breakdown     # also each blueprint alone on top of the packages

Each run starts a new interpreter that times its imports (interpreter start-up, the same for both, is left out);
the app's own modules compile from source each time (PYTHONDONTWRITEBYTECODE=1), as from Azure's read-only
package without __pycache__. Imports are CPU-bound, so the figure is the process's CPU time (process_time): on a
shared machine wall time mostly measures the other processes (it is printed too). The two cases alternate. Prints
the median (and min, max) of each, the ratio of the medians, and the median of the paired ratios (app run / the
bare run before it): what the app's own modules (every blueprint, every pydantic model, the settings) add to the
packages any Functions app of this kind pays for. Exits 1 when the paired CPU ratio is above --max-ratio.
The bare case holds the packages of the list that the app uses (`azure.storage.queue` once it does), whether it
imports them at once or on a first call.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("azure.functions", "httpx", "pydantic", "azure.data.tables", "azure.storage.queue")


def _timed(imports: list[str]) -> str:
    lines = "".join(f"import {name}\n" for name in imports)
    return (
        "import time\ncpu, wall = time.process_time(), time.perf_counter()\n"
        f"{lines}print(time.process_time() - cpu, time.perf_counter() - wall)\n"
    )


def _run(code: str) -> tuple[float, float]:
    # As in Azure, where the package is read-only and ships no __pycache__: the app's modules compile from source
    # on every cold start; the packages' bytecode was written by pip.
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True, timeout=120
    )
    cpu, wall = done.stdout.strip().splitlines()[-1].split()
    return float(cpu), float(wall)


def app_packages() -> list[str]:
    """The PACKAGES the app uses: those loaded once function_app and every module of functions/ and shared/ are
    imported. Eager or lazy, the app pays for them by its first call; a package it does not use at all (yet) would
    flatter the ratio, so it is left out of the bare case."""
    code = (
        "import importlib, pkgutil, sys\nimport function_app, functions, shared\n"
        "for package in (functions, shared):\n"
        "    for module in pkgutil.walk_packages(package.__path__, package.__name__ + '.'):\n"
        "        importlib.import_module(module.name)\n"
        f"print(' '.join(n for n in {PACKAGES!r} if n in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    return done.stdout.split()


def measure(runs: int, packages: list[str]) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    bare, app = _timed(packages), _timed(["function_app"])
    _run(app)  # warm the file cache once, outside the figures
    _run(bare)
    bare_times, app_times = [], []
    for _ in range(runs):
        bare_times.append(_run(bare))
        app_times.append(_run(app))
    return bare_times, app_times


def breakdown(runs: int, packages: list[str]) -> dict[str, float]:
    """Each blueprint module of functions/ imported alone on top of the packages: its CPU ratio to the bare ones
    (what it imports at module level decides its share; modules shared by several count in each)."""
    blueprints = sorted(
        f"functions.{path.stem}"
        for path in (REPO / "functions").glob("*.py")
        if path.stem != "__init__" and "Blueprint()" in path.read_text()
    )
    cases = {name: _timed([*packages, name]) for name in blueprints}
    bare = _timed(packages)
    times: dict[str, list[float]] = {name: [] for name in ["", *cases]}
    for _ in range(runs):
        times[""].append(_run(bare)[0])
        for name, code in cases.items():
            times[name].append(_run(code)[0])
    return {name: _paired(times[name], times[""]) for name in cases}


def _row(name: str, times: list[float]) -> str:
    median = statistics.median(times) * 1000
    return f"{name:<26} {median:8.1f} {min(times) * 1000:8.1f} {max(times) * 1000:8.1f}"


def _paired(app: list[float], bare: list[float]) -> float:
    return statistics.median(a / b for a, b in zip(app, bare, strict=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cold_start", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--max-ratio", type=float, default=1.5)
    parser.add_argument("--breakdown", action="store_true", help="also time each blueprint module alone")
    args = parser.parse_args(argv)
    packages = app_packages()
    unused = [name for name in PACKAGES if name not in packages]
    bare, app = measure(args.runs, packages)
    print(f"{args.runs} fresh processes each; packages: {', '.join(packages)}; the app compiled from source")
    if unused:
        print(f"(not used by the app, so not in the bare case: {', '.join(unused)})")
    print(f"{'import':<26} {'median':>8} {'min':>8} {'max':>8}  (ms)")
    for kind, index in (("CPU", 0), ("wall", 1)):
        bare_times, app_times = [t[index] for t in bare], [t[index] for t in app]
        print(_row(f"bare packages, {kind}", bare_times))
        print(_row(f"function_app, {kind}", app_times))
    cpu_bare, cpu_app = [t[0] for t in bare], [t[0] for t in app]
    wall_bare, wall_app = [t[1] for t in bare], [t[1] for t in app]
    ratio = statistics.median(cpu_app) / statistics.median(cpu_bare)
    paired = _paired(cpu_app, cpu_bare)
    print(f"CPU: ratio of the medians {ratio:.2f}, median paired ratio {paired:.2f} (at most {args.max_ratio})")
    print(f"wall: median paired ratio {_paired(wall_app, wall_bare):.2f} (load on the machine shows here)")
    if args.breakdown:
        print("each blueprint alone on top of the packages (CPU, median paired ratio):")
        for name, share in breakdown(args.runs, packages).items():
            print(f"  {name:<28} {share:.2f}")
    return 0 if paired <= args.max_ratio else 1


if __name__ == "__main__":
    sys.exit(main())
