"""The benchmark's reading of the jsii kernel's CPU profile (`bench_synth.py --kernel-profile`)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

_SPEC = importlib.util.spec_from_file_location(
    "bench_synth", Path(__file__).resolve().parents[1] / "scripts" / "bench_synth.py"
)
assert _SPEC is not None and _SPEC.loader is not None
bench = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(bench)


def _profile(folder: Path, name: str, script: str, samples: list[tuple[str, str, int]]) -> None:
    """A `--cpu-prof` file: one node per (function, url), `samples` as (function, url, µs)."""
    frames = sorted({(fn, url) for fn, url, _ in samples} | {("(root)", ""), ("main", script)})
    nodes = [
        {"id": i + 1, "callFrame": {"functionName": fn, "url": url, "lineNumber": 0}}
        for i, (fn, url) in enumerate(frames)
    ]
    ids = {frame: i + 1 for i, frame in enumerate(frames)}
    body = {
        "nodes": nodes,
        "samples": [ids[(fn, url)] for fn, url, _ in samples],
        "timeDeltas": [delta for _, _, delta in samples],
    }
    (folder / name).write_text(json.dumps(body))


KERNEL = "file:///tmp/x/lib/program.js"
WRAPPER = "file:///tmp/x/bin/jsii-runtime.js"


def test_counts_the_kernel_work_and_leaves_out_its_waits(tmp_path: Path) -> None:
    _profile(tmp_path, "a.cpuprofile", WRAPPER, [("relay", WRAPPER, 900_000)])
    _profile(
        tmp_path,
        "b.cpuprofile",
        KERNEL,
        [
            ("create", KERNEL, 250_000),
            ("read", "", 700_000),  # blocked on the request pipe
            ("(idle)", "", 50_000),
            ("(garbage collector)", "", 40_000),
            ("read", KERNEL, 10_000),  # the kernel's own JS function named read: work
            ("wrapSafe", "node:internal/modules/cjs/loader", 100_000),
        ],
    )
    assert bench.kernel_busy_seconds(tmp_path) == pytest.approx(0.4)


@pytest.mark.parametrize("kernels", [0, 2])
def test_wants_exactly_one_kernel_profile(tmp_path: Path, kernels: int) -> None:
    _profile(tmp_path, "wrapper.cpuprofile", WRAPPER, [("relay", WRAPPER, 1_000)])
    for i in range(kernels):
        _profile(tmp_path, f"k{i}.cpuprofile", KERNEL, [("create", KERNEL, 1_000)])
    with pytest.raises(SystemExit, match=f"found {kernels}"):
        bench.kernel_busy_seconds(tmp_path)
