"""Replacement guard: what a change does to each stack's resources, and whether it loses one.

    python -m review.replacement_guard                      # merge base vs working tree
    python -m review.replacement_guard --base v1 --head v2  # two git revisions
    python -m review.replacement_guard --base-profile adopt --head-profile hardened

Synthesizes both sides in fresh processes (git revisions from `git archive`, never touching
the working tree or `cdktf.out/`), then prints per stack the added, removed and changed
resources (changed: which attributes). Fails when a stateful resource (RDS, S3, secrets, ECR,
CloudFront, the WireGuard instance, the ECS cluster) would be removed or change address,
unless a `moved` block in the new code covers it. A replacement the team has decided on (a
ForceNew change of a stateful resource) is listed in `review/replacements.json` with its reason,
rollout step and the hardening switch that makes it: when the head turns that switch on and
the base had it off (the rollout step that replaces it), the guard reports it as acknowledged
instead of failing; anywhere else it still fails.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from config import PROFILES, ConfigError, Hardening
from review.stateful import FORCE_NEW, STATEFUL_TYPES
from runtime import cli
from runtime.synthesized import Synthesized

ROOT = Path(__file__).resolve().parents[1]
WORKTREE = "WORKTREE"
ACKNOWLEDGED = Path(__file__).with_name("replacements.json")


@dataclass(frozen=True)
class Acknowledgement:
    """A reviewed replacement: `address` in `stack` may be replaced for `arguments` only, by
    the change that turns `switch` on."""

    stack: str
    address: str
    arguments: frozenset[str]
    reason: str
    rollout: str
    switch: str


def load_acknowledgements(path: Path = ACKNOWLEDGED) -> list[Acknowledgement]:
    acks = [
        Acknowledgement(
            e["stack"],
            e["address"],
            frozenset(e["arguments"]),
            e["reason"],
            e["rollout"],
            e["switch"],
        )
        for e in json.loads(path.read_text())
    ]
    for ack in acks:
        if ack.switch not in Hardening.switches():
            raise ConfigError.invalid(
                f"{path.name}: {ack.address}: switch", ack.switch, "is not a hardening switch"
            )
    return acks


@dataclass
class StackDiff:
    stack: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)
    moved: dict[str, str] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)


def resources(stack: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """address -> body without cdktf's metadata."""
    return {
        f"{kind}.{name}": {k: v for k, v in body.items() if k != "//"}
        for kind, items in stack.get("resource", {}).items()
        for name, body in items.items()
    }


def compare(
    stack: str,
    old: dict[str, Any],
    new: dict[str, Any],
    acknowledged: Sequence[Acknowledgement] = (),
) -> StackDiff:
    before, after = resources(old), resources(new)
    diff = StackDiff(stack)
    diff.moved = {m["from"]: m["to"] for m in new.get("moved", [])}
    diff.added = sorted(set(after) - set(before))
    diff.removed = sorted(set(before) - set(after))
    for address in sorted(set(before) & set(after)):
        keys = sorted(
            k
            for k in before[address].keys() | after[address].keys()
            if before[address].get(k) != after[address].get(k)
        )
        if keys:
            diff.changed[address] = keys
            kind = address.split(".", 1)[0]
            ignored = set(after[address].get("lifecycle", {}).get("ignore_changes", []))
            forced = sorted(set(keys) & (FORCE_NEW.get(kind, set()) - ignored))
            ack = next((a for a in acknowledged if (a.stack, a.address) == (stack, address)), None)
            if forced and ack and set(forced) <= ack.arguments:
                diff.acknowledged.append(
                    f"stateful {address} is replaced (changes {', '.join(forced)}): "
                    f"acknowledged, {ack.rollout}"
                )
            elif forced:
                diff.violations.append(
                    f"stateful {address} would be replaced (changes {', '.join(forced)})"
                )
    for address in diff.removed:
        kind = address.split(".", 1)[0]
        if kind not in STATEFUL_TYPES:
            continue
        target = diff.moved.get(address)
        if target is None:
            diff.violations.append(f"stateful {address} would be destroyed (no `moved` block)")
        elif target not in after:
            diff.violations.append(f"stateful {address} moves to {target}, which does not exist")
    return diff


def compare_outputs(
    old_dir: Path, new_dir: Path, acknowledged: list[Acknowledgement] | None = None
) -> list[StackDiff]:
    """Every stack compared; `acknowledged` (None: none) turns the replacements it lists
    into reports."""
    old, new = Synthesized(old_dir).stacks(), Synthesized(new_dir).stacks()
    return [
        compare(name, old.get(name, {}), new.get(name, {}), acknowledged or [])
        for name in sorted(old.keys() | new.keys())
    ]


def report(diffs: list[StackDiff]) -> str:
    lines = []
    for d in diffs:
        lines.append(f"{d.stack}: +{len(d.added)} -{len(d.removed)} ~{len(d.changed)}")
        lines.extend(f"  + {a}" for a in d.added)
        lines.extend(
            f"  - {r}" + (f" (moved to {d.moved[r]})" if r in d.moved else "") for r in d.removed
        )
        lines.extend(f"  ~ {a}: {', '.join(keys)}" for a, keys in d.changed.items())
        lines.extend(f"  ! {v}" for v in d.violations)
        lines.extend(f"  = {a}" for a in d.acknowledged)
    return "\n".join(lines)


def synthesize(rev: str, profile: str | None, workdir: Path) -> Path:
    """Synthesize `rev` (a git revision or WORKTREE) with `profile` into `workdir`/out."""
    source = ROOT
    workdir.mkdir(parents=True, exist_ok=True)
    if rev != WORKTREE:
        fetched = subprocess.run(["git", "-C", str(ROOT), "archive", rev], capture_output=True)
        if fetched.returncode != 0:
            raise ConfigError(f"revision {rev!r} is not in this repository (git archive failed)")
        archive = fetched.stdout
        source = workdir / "src"
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(source, filter="data")
    out = workdir / "out"
    env = dict(os.environ, CDKTF_OUTDIR=str(out))
    env.pop("FLUXION_PROFILE", None)
    if profile:
        env["FLUXION_PROFILE"] = profile
    proc = subprocess.run(
        [sys.executable, "main.py"], cwd=source, env=env, capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise SystemExit(f"synth of {rev} ({profile or 'default profile'}) failed:\n{proc.stderr}")
    return out


def acknowledgements(old: Path, new: Path) -> list[Acknowledgement]:
    """The reviewed replacements of the switches this change turns on, nothing else (a later
    change of the same argument fails again)."""
    turned_on = Synthesized(new).switches - Synthesized(old).switches
    return [ack for ack in load_acknowledgements() if ack.switch in turned_on]


def merge_base() -> str:
    for upstream in ("origin/main", "main"):
        proc = subprocess.run(
            ["git", "-C", str(ROOT), "merge-base", "HEAD", upstream], capture_output=True, text=True
        )
        if proc.returncode == 0:
            return proc.stdout.strip()
    return "HEAD"


def main(argv: list[str] | None = None) -> int:
    parser = cli.command("python -m review.replacement_guard", __doc__)
    parser.add_argument("--base", help="git revision (default: merge base with main)")
    parser.add_argument("--head", default=WORKTREE, help="git revision (default: working tree)")
    parser.add_argument("--base-profile", choices=PROFILES)
    parser.add_argument("--head-profile", choices=PROFILES)
    args = cli.parse(parser, argv)
    base = args.base or merge_base()
    try:
        with tempfile.TemporaryDirectory(prefix="guard-") as tmp:
            old = synthesize(base, args.base_profile, Path(tmp) / "base")
            new = synthesize(args.head, args.head_profile, Path(tmp) / "head")
            acks = acknowledgements(old, new)
            diffs = compare_outputs(old, new, acks)
    except ConfigError as err:
        return cli.one_line_error(err)
    print(
        f"replacement guard: {base} ({args.base_profile or 'default'}) -> "
        f"{args.head} ({args.head_profile or 'default'})"
    )
    print(report(diffs))
    violations = sum(len(d.violations) for d in diffs)
    print(f"{violations} stateful resource(s) lost" if violations else "no stateful resource lost")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
