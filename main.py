"""The cdktf app command: reads its settings from the process environment, synthesizes (`app`).

Environment (read here and nowhere else):
  FLUXION_ENV      environment name (default: production; staging, production-recovery, ...)
  FLUXION_RESTORE_SNAPSHOT  a recovery environment's DB snapshot (docs/environments.md)
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
                   (default: imports/); an empty folder synthesizes a fresh environment;
                   an environment built fresh (`adopted` False) reads none
  FLUXION_STOCK_PROVIDER_IMPORT=1  import the providers the stock, slow way (tests, benchmark)
  FLUXION_NODE_LAZY_INDEX=0  fast loader on the Python side only (benchmark; a safety valve)

Next to cdktf's manifest, `synth.json` records what was synthesized (environment, profile and
hardening switches, engine, git commit and whether the tree was dirty, and per adopted stack
the addresses with and without an import block); `python -m deploy` refuses output that
differs from what was reviewed. Bad input is one line and exit 2, and never leaves a
half-written `cdktf.out/` (`app.synth` swaps a finished folder in).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from runtime import cli, provider_loader

if not provider_loader.use_locked_node():
    sys.exit("error: node: not found; run `make synth` (Node.js comes with the locked venv)")
cli.debug_from_argv(sys.argv)  # `python main.py --debug`: tracebacks for expected errors too
try:  # FLUXION_ENGINE, then the configuration (it validates itself on import): one line each
    from runtime.engine import ENGINE

    # Before the first jsii import (the engine's core is one).
    if os.environ.get("FLUXION_STOCK_PROVIDER_IMPORT") == "1":
        provider_loader.set_lazy_index(False)  # not even one inherited from the parent process
    else:
        lazy = os.environ.get("FLUXION_NODE_LAZY_INDEX") != "0"
        provider_loader.install(ENGINE.provider_packages, lazy_node_index=lazy)
    import config
    from app import synth
    from imports.adopt import report, summary
    from imports.inventory import load as load_inventory
except ValueError as err:
    if type(err).__module__ != "config.errors":
        raise
    sys.exit(cli.one_line_error(err))

ROOT = Path(__file__).resolve().parent


def main() -> int:
    env = config.from_environ(os.environ)
    root = os.environ.get("FLUXION_INVENTORY_ROOT")
    if root and not Path(root).is_dir():
        raise config.ConfigError.invalid("FLUXION_INVENTORY_ROOT", root, "is not a folder")
    if not env.adopted:  # built fresh: nothing to import, whatever the inventory folder holds
        inventory = None
    else:
        inventory = load_inventory(env, Path(root)) if root else load_inventory(env)
    out = Path(os.environ.get("CDKTF_OUTDIR", ROOT / "cdktf.out"))
    adoptions = synth(env, out, inventory, strict=os.environ.get("FLUXION_STRICT_IMPORTS") == "1")
    if inventory is not None and env.profile == "adopt":  # import blocks belong to adoption
        detailed = os.environ.get("FLUXION_ADOPTION_REPORT") == "1"
        print(report(adoptions, inventory) if detailed else summary(adoptions))
    return 0


if __name__ == "__main__":
    sys.exit(cli.run(main))
