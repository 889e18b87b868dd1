"""Ordered deploy and destroy of the synthesized stacks with the pinned cdktf CLI.

    python -m review.deploy deploy [--auto-approve] [--dry-run]
    python -m review.deploy destroy --confirm production [--dry-run]

Deploys one stack at a time in dependency order (from the manifest: state -> network -> data
-> compute -> edge); destroys in reverse, only with `--confirm <environment name>`. Refuses to
run on a dirty git tree (what is deployed must be a commit) or when a stack is not synthesized.
Uses `--skip-synth`: it deploys exactly the `cdktf.out/` that was reviewed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from graphlib import TopologicalSorter
from pathlib import Path

from config import ConfigError

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = ("state", "network", "data", "compute", "edge")


def order(outdir: Path) -> list[str]:
    """Stacks in dependency order, from the synthesized manifest; every stack must be there."""
    manifest_path = outdir / "manifest.json"
    if not manifest_path.exists():
        raise ConfigError(f"{outdir} has no manifest.json: run `make synth` first")
    stacks = json.loads(manifest_path.read_text())["stacks"]
    missing = [s for s in EXPECTED if s not in stacks]
    missing += [n for n, s in stacks.items() if not (outdir / s["synthesizedStackPath"]).exists()]
    if missing:
        raise ConfigError(f"stacks not synthesized: {sorted(set(missing))}; run `make synth`")
    graph = {name: set(s["dependencies"]) for name, s in stacks.items()}
    return list(TopologicalSorter(graph).static_order())


def require_clean_tree(root: Path) -> None:
    status = subprocess.run(
        ["git", "-C", str(root), "status", "--porcelain"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if status.strip():
        changed = ", ".join(line[3:] for line in status.splitlines()[:5])
        raise ConfigError(f"the git tree is dirty ({changed}...): commit or stash first")


def commands(action: str, stacks: list[str], *, auto_approve: bool) -> list[list[str]]:
    sequence = stacks if action == "deploy" else list(reversed(stacks))
    extra = ["--auto-approve"] if auto_approve else []
    return [
        ["npx", "--no-install", "cdktf", action, stack, "--skip-synth", *extra]
        for stack in sequence
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m review.deploy", description=__doc__)
    parser.add_argument("action", choices=("deploy", "destroy"))
    parser.add_argument("--out", type=Path, default=ROOT / "cdktf.out")
    parser.add_argument("--environment", default="production")
    parser.add_argument("--confirm", help="destroy only: the environment's name, typed out")
    parser.add_argument("--auto-approve", action="store_true")
    parser.add_argument("--dry-run", action="store_true", help="print the commands only")
    args = parser.parse_args(argv)
    try:
        if args.action == "destroy" and args.confirm != args.environment:
            raise ConfigError(
                f"destroy needs --confirm {args.environment} (got {args.confirm!r}); "
                "stateful resources also carry prevent_destroy"
            )
        require_clean_tree(ROOT)
        plan = commands(args.action, order(args.out), auto_approve=args.auto_approve)
    except ConfigError as err:
        print(f"refused: {err}", file=sys.stderr)
        return 2
    for command in plan:
        print("$ " + " ".join(command), flush=True)
        if not args.dry_run and subprocess.run(command, cwd=ROOT).returncode != 0:
            print(f"stopped: {command[3]} {command[4]} failed", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
