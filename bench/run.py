"""Run every benchmark (`bench/bench_*.py`), each in its own process, and print its figures.

Usage: `make bench`, or `python bench/run.py [name ...]` to run some of them (e.g. `deputies`).
Benchmarks print figures and ratios; they never fail on timing. The exit status is non-zero
only when a benchmark crashes.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    wanted = set(argv)
    scripts = sorted(
        p for p in HERE.glob("bench_*.py") if not wanted or p.stem.removeprefix("bench_") in wanted
    )
    if not scripts:
        print("没有找到基准测试（bench/bench_*.py）", file=sys.stderr)
        return 1
    failed = []
    for script in scripts:
        print(f"=== {script.stem} ===", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(script)], cwd=HERE.parent, check=False)
        print(
            f"--- {script.stem}: {time.perf_counter() - started:.1f} s, exit {result.returncode}\n",
            flush=True,
        )
        if result.returncode:
            failed.append(script.stem)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
