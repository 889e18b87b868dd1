"""The app: every stack of an environment built, the adoption's import blocks attached, and the
whole synthesized atomically with its `synth.json`.

`main.py` (the cdktf app command) reads its settings from the process environment and calls
`synth`; tests and tools call `build_app` and `synth` directly. Import blocks belong to the
adoption: a configuration with every hardening switch off. The adopted identities keep their
live names whatever the switches (the rollout comes after the adoption and renames nothing).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from config import ConfigError, EnvironmentConfig
from config.estate import ADOPTED_STACKS
from imports.adopt import StackAdoption, attach_all, report
from imports.inventory import Inventory
from runtime.engine import ENGINE
from runtime.engine.core import App, TerraformStack
from runtime.git import git_state
from stacks import STACK_CLASSES

ROOT = Path(__file__).resolve().parents[1]


def cdktf_context() -> dict[str, str]:
    """The feature flags of `cdktf.json`, so `python main.py` and `cdktf synth` agree."""
    return dict(json.loads((ROOT / "cdktf.json").read_text())["context"])


@dataclass
class Built:
    app: App
    adoptions: list[StackAdoption]


def build_app(env: EnvironmentConfig, outdir: Path, inventory: Inventory | None = None) -> Built:
    """Every stack of `env`, dependencies declared, and the inventory's import blocks."""
    app = App(outdir=str(outdir), context=cdktf_context(), stack_traces=False)
    live = inventory.live_names() if inventory is not None else {}
    built: dict[str, TerraformStack] = {}
    for name, stack_class, depends_on in STACK_CLASSES:
        if name not in env.stacks:  # a recovery builds no edge
            continue
        stack = stack_class(app, name, config=env, live=live)
        for producer in depends_on:
            stack.add_dependency(built[producer])
        built[name] = stack
    adoptions = []
    if inventory is not None and env.profile == "adopt":
        adoptions = attach_all({name: built[name] for name in ADOPTED_STACKS}, inventory)
    return Built(app, adoptions)


def stamp(
    env: EnvironmentConfig, adoptions: list[StackAdoption], inventory: Inventory | None
) -> dict[str, object]:
    """What `synth.json` says about an output folder (read by the deploy guard)."""
    commit, dirty = git_state()
    adopting = inventory is not None and env.profile == "adopt"
    return {
        "environment": env.name,
        "profile": env.profile,
        "hardening": list(env.hardening.on()),
        "engine": ENGINE.name,
        "provider_pins": env.provider_pins,
        "commit": commit,
        "dirty": dirty,
        "image_tag": env.compute.image_tag,
        "inventory_entries": len(inventory.entries) if inventory and adopting else 0,
        "adoption": {
            a.stack: {
                "imported": sorted(a.addresses[p] for p in a.imported),
                "missing": sorted(a.addresses[p] for p in a.addresses if p not in a.imported),
            }
            for a in adoptions
        },
    }


def synth(
    env: EnvironmentConfig,
    outdir: Path,
    inventory: Inventory | None = None,
    *,
    strict: bool = False,
) -> list[StackAdoption]:
    """Synthesize into a temporary sibling folder, then swap it in place of `outdir`: bad
    input never leaves a half-written output. With `strict`, a resource without an import
    block stops the synth (CI before adoption)."""
    outdir = outdir.resolve()
    outdir.parent.mkdir(parents=True, exist_ok=True)  # CDKTF_OUTDIR may name a new folder
    staging = Path(tempfile.mkdtemp(prefix=f".{outdir.name}-", dir=outdir.parent))
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)  # mkdtemp makes it 0700; the output is an ordinary folder
    try:
        built = build_app(env, staging, inventory)
        if strict and inventory is not None and any(a.missing for a in built.adoptions):
            raise ConfigError("strict imports: " + report(built.adoptions, inventory))
        built.app.synth()
        record = stamp(env, built.adoptions, inventory)
        (staging / "synth.json").write_text(json.dumps(record, indent=2) + "\n")
        if outdir.exists():
            shutil.rmtree(outdir)
        staging.rename(outdir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return built.adoptions
