"""Time `python -m plan` per stack over several runs and report wall time and peak memory.

Usage: `python -m tools.benchmark_plan [--runs N] [--stacks dev prod]`. Each run is a fresh
process, so the numbers include Python start-up and importing the Pulumi SDKs.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(stack: str, runs: int) -> tuple[list[float], int]:
    """Run the plan `runs` times and return the wall times in seconds and the peak RSS in KiB."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "plan", "--stack", stack, "--out", str(ROOT / "build" / f"bench-{stack}.json")],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    # ru_maxrss of finished children is the largest peak among them, in KiB on Linux.
    return times, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.benchmark_plan", description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="runs per stack (default: 5)")
    parser.add_argument("--stacks", nargs="+", default=["dev", "prod"], help="stacks to plan (default: dev prod)")
    args = parser.parse_args(argv)
    print("| stack | runs | median s | min s | max s | peak RSS MiB |")
    print("| --- | --- | --- | --- | --- | --- |")
    for stack in args.stacks:
        times, peak = measure(stack, args.runs)
        print(f"| {stack} | {args.runs} | {statistics.median(times):.2f} | {min(times):.2f} | {max(times):.2f} "
              f"| {peak / 1024:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
