"""Where the proof loop's time goes: `make test` warm and `make e2e`, measured as whole runs.

    python scripts/bench_loop.py [--test-runs 3] [--e2e]      # make bench-loop

`make test` is run once to warm (installs, caches), then `--test-runs` times; the wall-clock
minimum, median and maximum are printed, with the ten slowest tests of the last run (pytest's
`--durations`) and the `terraform validate` step (the setup of its fixture). With `--e2e`,
`make e2e` is run once and its phase table (`.tools/e2e/phases.json`, written by every e2e run)
printed. Figures, not verdicts: nothing here fails on a slow run (timed tests would be flaky);
the README and docs/tests.md quote them with the machine they came from.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PHASES = ROOT / ".tools" / "e2e" / "phases.json"
DURATION = re.compile(r"^\s*([\d.]+)s (call|setup|teardown)\s+(\S+)", re.M)


def timed(command: list[str]) -> tuple[float, str]:
    started = time.monotonic()
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=os.environ)
    seconds = time.monotonic() - started
    if proc.returncode != 0:
        sys.exit(f"error: {' '.join(command)} failed (exit {proc.returncode}):\n"
                 f"{(proc.stdout + proc.stderr)[-2000:]}")  # fmt: skip
    return seconds, proc.stdout + proc.stderr


def test_figures(runs: int) -> str:
    print("make test (warming up)", flush=True)
    timed(["make", "--no-print-directory", "test"])
    walls, output = [], ""
    for i in range(runs):
        seconds, output = timed(["make", "--no-print-directory", "test"])
        walls.append(seconds)
        print(f"make test, warm run {i + 1}: {seconds:.0f} s", flush=True)
    slowest = DURATION.findall(output)[:10]
    validate = [s for s, when, test in DURATION.findall(output)
                if when == "setup" and "test_terraform_validate" in test]  # fmt: skip
    lines = [
        f"make test, warm ({runs} runs): min {min(walls):.0f} s, median "
        f"{statistics.median(walls):.0f} s, max {max(walls):.0f} s",
        "",
        "| slowest tests (last run) | seconds |",
        "|---|---:|",
        *(f"| `{test}` ({when}) | {float(s):.1f} |" for s, when, test in slowest),
        "",
        f"terraform validate (the fixture's setup): "
        f"{max(map(float, validate)) if validate else 0:.1f} s",
    ]
    return "\n".join(lines)


def e2e_figures() -> str:
    print("make e2e", flush=True)
    seconds, _ = timed(["make", "--no-print-directory", "e2e"])
    phases = json.loads(PHASES.read_text())
    total = phases["total_seconds"]
    rows = [f"| {p['name']} | {p['seconds']:.0f} | {100 * p['seconds'] / total:.0f}% |"
            for p in phases["phases"]]  # fmt: skip
    return "\n".join([
        f"make e2e: {seconds:.0f} s wall (the run itself {total:.0f} s)",
        "", "| phase | seconds | share |", "|---|---:|---:|", *rows,
    ])  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench_loop.py", description=__doc__)
    parser.add_argument("--test-runs", type=int, default=3)
    parser.add_argument("--e2e", action="store_true", help="also run make e2e (about 15 min)")
    args = parser.parse_args(argv)
    print(f"machine: {os.cpu_count()} cores; {os.uname().machine}", flush=True)
    report = [test_figures(args.test_runs)] if args.test_runs else []
    if args.e2e:
        report.append(e2e_figures())
    print("\n\n".join(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
