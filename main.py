"""Builds the config, creates the stacks, synthesizes. Nothing else.

Environment (read here and nowhere else):
  FLUXION_ENV      environment name (default: production)
  FLUXION_PROFILE  adopt (default; mirrors the live estate)
  FLUXION_ENGINE   cdktf (default) or cdktn, CDK Terrain (read by runtime/engine, which every
                   module imports the engine and the providers through)
  FLUXION_PROVIDER_PINS  estate (default: every provider pinned to the version the live estate
                   runs, config.estate.PROVIDER_VERSIONS, whatever the engine) or bindings (the
                   engine's own pins: CDK Terrain's are the provider upgrade)
  CDKTF_OUTDIR     output folder (default: cdktf.out; the cdktf CLI sets it)
  FLUXION_STRICT_IMPORTS=1  fail when a resource has no import block (CI before adoption)
  FLUXION_ADOPTION_REPORT=1  print the full adoption report (default: one line per stack)
  FLUXION_INVENTORY_ROOT  folder holding inventory/<env>.json and resolved/<env>.json
                   (default: imports/); an empty folder synthesizes a fresh environment
  FLUXION_STOCK_PROVIDER_IMPORT=1  import the providers the stock, slow way (tests, benchmark)
  FLUXION_NODE_LAZY_INDEX=0  fast loader on the Python side only (benchmark; a safety valve)

Next to cdktf's manifest, `synth.json` records what was synthesized (environment, profile,
engine, git commit and whether the tree was dirty, and per adopted stack the addresses with and
without an import block); `python -m deploy` refuses output that differs from what was reviewed.

Synthesis goes to a temporary sibling folder that replaces the output folder only once every
stack has synthesized, so bad input never leaves a half-written `cdktf.out/`.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from runtime import provider_loader

if not provider_loader.use_locked_node():
    sys.exit("error: node: not found; run `make synth` (Node.js comes with the locked venv)")

try:  # the configuration validates itself on import: an edited value that does not hold
    from config.errors import debug_from_argv, one_line_error

    debug_from_argv(sys.argv)  # `python main.py --debug`: tracebacks for expected errors too
    from runtime.engine import ENGINE  # FLUXION_ENGINE: an unknown name stops here, in one line

    # Before the first jsii import (the engine's core below is one).
    if os.environ.get("FLUXION_STOCK_PROVIDER_IMPORT") == "1":
        provider_loader.set_lazy_index(False)  # not even one inherited from the parent process
    else:
        provider_loader.install(
            ENGINE.provider_packages,
            lazy_node_index=os.environ.get("FLUXION_NODE_LAZY_INDEX") != "0",
        )
    import config  # stops here, in one line (ConfigError is a ValueError of config.errors)
    from config.estate import ADOPTED_STACKS
    from imports.adopt import StackAdoption, attach_all, report, summary
    from imports.inventory import Inventory
    from imports.inventory import load as load_inventory
    from review.provenance import git_state
    from runtime.engine.core import App, TerraformStack
    from stacks import STACKS
except ValueError as err:
    if type(err).__module__ != "config.errors":
        raise
    from config.errors import one_line_error

    sys.exit(one_line_error(err))

ROOT = Path(__file__).resolve().parent


def cdktf_context() -> dict[str, str]:
    """The feature flags of `cdktf.json`, so `python main.py` and `cdktf synth` agree."""
    return dict(json.loads((ROOT / "cdktf.json").read_text())["context"])


@dataclass
class Built:
    app: App
    adoptions: list[StackAdoption]


def build_app(
    env: config.EnvironmentConfig, outdir: Path, inventory: Inventory | None = None
) -> Built:
    """Every stack of `env`, dependencies declared, and the inventory's import blocks.

    Import blocks belong to the adoption: a configuration with every hardening switch off.
    The adopted identities keep their live names whatever the switches (the rollout comes
    after the adoption and has no import blocks, but renames nothing)."""
    app = App(outdir=str(outdir), context=cdktf_context(), stack_traces=False)
    live = inventory.live_names() if inventory is not None else {}
    built: dict[str, TerraformStack] = {}
    for name, stack_class, depends_on in STACKS:
        stack = stack_class(app, name, config=env, live=live)
        for producer in depends_on:
            stack.add_dependency(built[producer])
        built[name] = stack
    adoptions = []
    if inventory is not None and env.profile == "adopt":
        adoptions = attach_all({name: built[name] for name in ADOPTED_STACKS}, inventory)
    return Built(app, adoptions)


def stamp(
    env: config.EnvironmentConfig, adoptions: list[StackAdoption], inventory: Inventory | None
) -> dict[str, object]:
    """What `synth.json` says about an output folder (read by the deploy guard)."""
    commit, dirty = git_state()
    return {
        "environment": env.name,
        "profile": env.profile,
        "hardening": list(env.hardening.on()),
        "engine": ENGINE.name,
        "provider_pins": env.provider_pins,
        "commit": commit,
        "dirty": dirty,
        "image_tag": env.compute.image_tag,
        "inventory_entries": (
            len(inventory.entries) if inventory and env.profile == "adopt" else 0
        ),
        "adoption": {
            a.stack: {
                "imported": sorted(a.addresses[p] for p in a.imported),
                "missing": sorted(a.addresses[p] for p in a.addresses if p not in a.imported),
            }
            for a in adoptions
        },
    }


def synth(
    env: config.EnvironmentConfig,
    outdir: Path,
    inventory: Inventory | None = None,
    *,
    strict: bool = False,
) -> list[StackAdoption]:
    """Synthesize into a temporary folder, then swap it in place of `outdir`.

    With `strict`, a resource without an import block stops the synth (CI before adoption).
    """
    outdir = outdir.resolve()
    staging = Path(tempfile.mkdtemp(prefix=f".{outdir.name}-", dir=outdir.parent))
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)  # mkdtemp makes it 0700; the output is an ordinary folder
    try:
        built = build_app(env, staging, inventory)
        if strict and inventory is not None and any(a.missing for a in built.adoptions):
            raise config.ConfigError("strict imports: " + report(built.adoptions, inventory))
        built.app.synth()
        record = stamp(env, built.adoptions, inventory)
        (staging / "synth.json").write_text(json.dumps(record, indent=2) + "\n")
        if outdir.exists():
            shutil.rmtree(outdir)
        staging.rename(outdir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return built.adoptions


SETTINGS = {
    "environment": "FLUXION_ENV",
    "profile": "FLUXION_PROFILE",
    "provider_pins": "FLUXION_PROVIDER_PINS",
}
"""The configuration fields the environment chooses, and the variable each comes from."""


def load_config(environ: Mapping[str, str]) -> config.EnvironmentConfig:
    """The environment's config; a bad setting's error names the variable it came from."""
    try:
        return config.load(
            environ.get("FLUXION_ENV") or config.DEFAULT_ENVIRONMENT,
            profile=environ.get("FLUXION_PROFILE") or None,
            provider_pins=environ.get("FLUXION_PROVIDER_PINS") or None,
        )
    except config.ConfigError as err:
        field = str(err).partition(":")[0]
        if field in SETTINGS and SETTINGS[field] in environ:
            raise config.ConfigError(f"{SETTINGS[field]}: {err}") from err
        raise


def main() -> int:
    try:
        env = load_config(os.environ)
        # Import blocks belong to the adoption, which uses `adopt`; `hardened` comes after it
        # and reads the inventory only to keep the adopted roles' live names.
        root = os.environ.get("FLUXION_INVENTORY_ROOT")
        if root and not Path(root).is_dir():
            raise config.ConfigError(f"FLUXION_INVENTORY_ROOT: {root!r} is not a folder")
        inventory = load_inventory(env, Path(root)) if root else load_inventory(env)
        adoptions = synth(
            env,
            Path(os.environ.get("CDKTF_OUTDIR", ROOT / "cdktf.out")),
            inventory,
            strict=os.environ.get("FLUXION_STRICT_IMPORTS") == "1",
        )
    except config.ConfigError as err:
        return one_line_error(err)
    if inventory is not None and env.profile == "adopt":
        detailed = os.environ.get("FLUXION_ADOPTION_REPORT") == "1"
        print(report(adoptions, inventory) if detailed else summary(adoptions))
    return 0


if __name__ == "__main__":
    sys.exit(main())
