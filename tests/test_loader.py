"""The fast provider loader: same bytes as the stock import, a fraction of the modules."""

from __future__ import annotations

import importlib.util
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

from runtime import provider_loader
from runtime.engine import ENGINE
from tests.conftest import ROOT, STACK_NAMES


def _synth(out: Path, *, stock: bool) -> subprocess.CompletedProcess[str]:
    """`python main.py` in a fresh process; the Node.js hook reports to `<out>.lazy.<pid>.json`.

    The environment is the test session's, whose NODE_OPTIONS already carry the hook (conftest
    installs the loader): the stock run must take it out itself.
    """
    env = dict(
        os.environ,
        CDKTF_OUTDIR=str(out),
        FLUXION_STOCK_PROVIDER_IMPORT=str(int(stock)),
        FLUXION_LAZY_INDEX_REPORT=f"{out}.lazy",
    )
    proc = subprocess.run(
        [sys.executable, "main.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
    )
    assert proc.returncode == 0, proc.stderr
    return proc


def _lazy_reports(out: Path) -> list[dict[str, dict[str, int]]]:
    return [json.loads(p.read_text()) for p in out.parent.glob(f"{out.name}.lazy.*.json")]


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_fast_and_stock_imports_synthesize_identical_bytes(tmp_path: Path) -> None:
    fast = _synth(tmp_path / "fast", stock=False)
    stock = _synth(tmp_path / "stock", stock=True)
    fast_tree, stock_tree = _tree(tmp_path / "fast"), _tree(tmp_path / "stock")
    assert {f"stacks/{name}/cdk.tf.json" for name in STACK_NAMES} | {"manifest.json"} <= set(
        fast_tree
    )
    assert fast_tree == stock_tree
    # ...and the comparison is between the two loaders: the fast run's jsii kernel compiled a
    # few of the providers' submodules, the stock run's all of them (it wrote no report).
    assert _lazy_reports(tmp_path / "stock") == []
    [report] = _lazy_reports(tmp_path / "fast")
    scope = ENGINE.node_scope
    assert set(report) == {f"{scope}/provider-aws", f"{scope}/provider-cloudflare"}
    aws = report[f"{scope}/provider-aws"]
    assert aws["exports"] > 2000
    assert 10 < aws["loaded"] < aws["exports"] / 20
    for proc in (fast, stock):  # Node.js from the lockfile is a supported LTS: no banner
        assert "end-of-life" not in proc.stderr.lower()
        assert "untested" not in proc.stderr.lower()


def test_fast_loader_imports_only_the_used_submodules() -> None:
    aws = ENGINE.providers["aws"]
    package = importlib.util.find_spec(aws)
    assert package is not None and package.submodule_search_locations
    available = [m.name for m in pkgutil.iter_modules(package.submodule_search_locations)]
    loaded = [m for m in provider_loader.loaded_submodules(aws) if "." not in m and m != "_jsii"]
    assert len(available) > 2000
    assert "vpc" in loaded  # the project's code did import what it uses...
    assert len(loaded) < len(available) / 20  # ...and not the ~2,200 others


def test_install_refuses_a_missing_package() -> None:
    try:
        provider_loader.install(("no_such_provider_pkg",))
    except ModuleNotFoundError as err:
        assert "no_such_provider_pkg" in str(err)
    else:
        raise AssertionError("install() accepted a package that is not installed")
