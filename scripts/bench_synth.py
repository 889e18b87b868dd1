"""Benchmark: full project synth vs. an empty app importing both providers, stock and fast.

Measured in one run, each case in a fresh process (median of --repeat runs):
  full         `python main.py` (the fast loader), all five stacks
  stock_empty  an App with one empty stack, AwsProvider + CloudflareProvider, stock imports
  fast_empty   the same empty app with `runtime.provider_loader.install()` first
and, to show what each half of the loader buys, the same two with the Python half only
(`install(lazy_node_index=False)`: the jsii kernel's Node.js side compiles every submodule):
  full_py      `FLUXION_NODE_LAZY_INDEX=0 python main.py`
  fast_py_empty the empty app with `install(lazy_node_index=False)`
Peak RSS is each process's VmHWM (python and its node children), sampled from /proc.

Targets (2-core machine): full <= 0.30 x stock_empty, full <= 1.5 x fast_empty, peak RSS <= 1 GB.

With --kernel-profile, full and fast_empty run once more under Node's `--cpu-prof`, and the
script prints how much CPU the jsii kernel (the node process running jsii's lib/program.js)
spent working in each, leaving out its blocking reads of the request pipe (waits for Python).
The difference is the kernel work the project itself causes (constructing ~240 resources,
synthesis), which no loader can remove; the 1.5x target needs the project's whole share
(full - fast_empty, Python included) under half the fast empty app.
With --engines cdktf,cdktn the three first cases also run on CDK Terrain (runtime/engine), in
its own environment (`make engines`), interleaved with cdktf's, and print as
`full@cdktn`, `stock_empty@cdktn`, `fast_empty@cdktn` with their ratios to cdktf's; the
targets stay cdktf's (the engine the project ships with).
Usage: python scripts/bench_synth.py [--repeat N] [--check] [--kernel-profile] [--engines E,E]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EMPTY_APP = """
import os
import sys
if sys.argv[1] == "stock":
    assert "lazy_provider_index" not in os.environ.get("NODE_OPTIONS", "")
else:
    from runtime import provider_loader
    from runtime.engine import ENGINE
    provider_loader.install(ENGINE.provider_packages, lazy_node_index=sys.argv[1] == "fast")
from runtime.engine.core import App, TerraformStack
from runtime.engine.aws.provider import AwsProvider
from runtime.engine.cloudflare.provider import CloudflareProvider
app = App(outdir=sys.argv[2])
stack = TerraformStack(app, "empty")
AwsProvider(stack, "aws", region="us-east-1")
CloudflareProvider(stack, "cloudflare")
app.synth()
"""
TARGETS = {"full/stock_empty": 0.30, "full/fast_empty": 1.5}
INFORMATION = ("full_py/stock_empty", "full_py/fast_py_empty", "full_py/full")
RSS_LIMIT_MB = 1024


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        current = todo.pop()
        found.add(current)
        todo.extend(children.get(current, []))
    return found


def _hwm_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and the highest peak RSS (MB) of the process tree."""
    peaks: dict[int, float] = {}
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            for pid in _descendants(proc.pid):
                peaks[pid] = max(peaks.get(pid, 0.0), _hwm_mb(pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err.decode()}")
    return elapsed, max(peaks.values(), default=0.0)


def kernel_busy_seconds(profile_dir: Path) -> float:
    """Seconds the jsii kernel worked, from the `--cpu-prof` profiles written into `profile_dir`.

    Node writes one profile per process (the jsii-runtime wrapper and the kernel); the kernel's
    is the one with frames from `lib/program.js`. Samples in the native `read` are its blocking
    reads of requests, time spent waiting for Python, and are left out; a file read is left out
    too, so this is a lower bound of the kernel's work.
    """
    kernels = []
    for path in sorted(profile_dir.glob("*.cpuprofile")):
        profile = json.loads(path.read_text())
        frames = {node["id"]: node["callFrame"] for node in profile["nodes"]}
        if not any(f["url"].endswith("/lib/program.js") for f in frames.values()):
            continue
        busy = 0
        for node_id, delta in zip(profile["samples"], profile["timeDeltas"], strict=True):
            frame = frames[node_id]
            if not (frame["functionName"] in ("read", "(idle)") and not frame["url"]):
                busy += delta
        kernels.append(busy / 1e6)
    if len(kernels) != 1:
        raise SystemExit(f"{profile_dir}: expected one jsii kernel profile, found {len(kernels)}")
    return kernels[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--kernel-profile", action="store_true", help="also measure the jsii kernel's CPU time"
    )
    parser.add_argument(
        "--engines", default="cdktf", help="cdktf,cdktn: CDK Terrain's cases side by side"
    )
    args = parser.parse_args()
    others = [e for e in args.engines.split(",") if e != "cdktf"]
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(ROOT)
    sys.path.insert(0, str(ROOT))
    from runtime.provider_loader import without_lazy_index

    env["NODE_OPTIONS"] = without_lazy_index(env.get("NODE_OPTIONS", ""))  # each case decides
    with tempfile.TemporaryDirectory() as tmp:
        cases = {
            "full": [sys.executable, "main.py"],
            "stock_empty": [sys.executable, "-c", EMPTY_APP, "stock", f"{tmp}/stock"],
            "fast_empty": [sys.executable, "-c", EMPTY_APP, "fast", f"{tmp}/fast"],
            "full_py": [sys.executable, "main.py"],
            "fast_py_empty": [sys.executable, "-c", EMPTY_APP, "fast_py", f"{tmp}/fast_py"],
        }
        only = {"full_py": {"FLUXION_NODE_LAZY_INDEX": "0"}}
        from runtime.engine import ENGINES

        for engine in others:
            python = str(ROOT / ENGINES[engine].python)
            for name in ("full", "stock_empty", "fast_empty"):
                cmd = [python, *cases[name][1:]]
                if name != "full":
                    cmd[-1] = f"{cmd[-1]}@{engine}"
                cases[f"{name}@{engine}"] = cmd
                only[f"{name}@{engine}"] = {
                    "FLUXION_ENGINE": engine,
                    "PATH": f"{Path(python).parent}{os.pathsep}{env['PATH']}",
                }

        def case_env(name: str, **extra: str) -> dict[str, str]:
            return dict(env, CDKTF_OUTDIR=f"{tmp}/{name}-out", **only.get(name, {}), **extra)

        times: dict[str, list[float]] = {name: [] for name in cases}
        rss: dict[str, float] = {}
        for round_ in range(1, args.repeat + 1):
            for name, cmd in cases.items():
                # progress on stderr: a stock case alone takes 20-30 s
                print(f"run {round_}/{args.repeat}: {name}...", end="", file=sys.stderr, flush=True)
                elapsed, peak = run(cmd, case_env(name))
                print(f" {elapsed:.1f} s", file=sys.stderr, flush=True)
                times[name].append(elapsed)
                rss[name] = max(rss.get(name, 0.0), peak)
        kernel = {}
        if args.kernel_profile:
            for name in ("full", "fast_empty"):
                print(f"kernel profile: {name}...", file=sys.stderr, flush=True)
                prof = Path(tmp, f"{name}-cpuprof")
                options = f"{env['NODE_OPTIONS']} --cpu-prof --cpu-prof-dir={prof}".strip()
                run(cases[name], case_env(name, NODE_OPTIONS=options))
                kernel[name] = kernel_busy_seconds(prof)
    median = {name: statistics.median(values) for name, values in times.items()}
    print(
        f"machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}"
    )
    for name in cases:
        print(f"{name:14s} {median[name]:7.2f} s   peak RSS {rss[name]:7.1f} MB")
    ok = True
    for ratio, limit in TARGETS.items():
        num, den = ratio.split("/")
        value = median[num] / median[den]
        ok &= value <= limit
        print(
            f"{ratio:18s} {value:5.2f}x (target <= {limit}x) {'ok' if value <= limit else 'MISSED'}"
        )
    engine_ratios = [f"{n}@{e}/{n}" for e in others for n in ("full", "stock_empty", "fast_empty")]
    for ratio in (*INFORMATION, *engine_ratios):
        num, den = ratio.split("/")
        print(f"{ratio:18s} {median[num] / median[den]:5.2f}x (for information)")
    if kernel:
        share = median["full"] - median["fast_empty"]
        limit = TARGETS["full/fast_empty"]
        print(
            f"jsii kernel CPU  full {kernel['full']:.2f} s, fast_empty {kernel['fast_empty']:.2f} s"
            f": the project's own kernel work is {kernel['full'] - kernel['fast_empty']:.2f} s"
        )
        print(
            f"project's share  {share:.2f} s (full - fast_empty); {limit}x allows "
            f"{(limit - 1) * median['fast_empty']:.2f} s"
        )
    peak = max(rss.values())
    ok &= peak <= RSS_LIMIT_MB
    verdict = "ok" if peak <= RSS_LIMIT_MB else "MISSED"
    print(f"peak RSS {peak:.0f} MB (target <= {RSS_LIMIT_MB} MB) {verdict}")
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
