"""Synthesize with both engines and print how their output differs, per stack, grouped.

    python -m review.engine_diff [--profile adopt|hardened] [--pins estate|bindings] [--keep DIR]
    make engine-diff [PROFILE=hardened] [PINS=bindings]

Each engine synthesizes in its own locked environment (`.venv`, `engines/cdktn/.venv`: see
runtime/engine) into a temporary folder; then every stack's `cdk.tf.json` is compared leaf by
leaf. Each difference falls in one group, printed in this order:

- `provider pins`: `terraform.required_providers`: how the source address is spelled and, with
  `--pins bindings`, the provider versions each engine's bindings were generated for (by default
  both engines pin the versions the live estate runs, `config.estate.PROVIDER_VERSIONS`: the
  engine move and the provider upgrade are two changes);
- `engine metadata`: the `//` comments the engine writes (its version); Terraform ignores them;
- `attributes added or removed`: a resource, data source or block attribute only one engine
  writes (what a newer provider's bindings add, or a renamed argument: removed + added);
- `other values`: the same attribute with another value.

What each group means for a live estate is in docs/cdk-terrain.md, which explains the first two
and finds none of the last two for this project. Exit status 0; 1 when a difference falls in
one of the last two groups (a change to read before moving, listed above the summary); 2 when
an engine cannot synthesize (its environment missing: `make engines`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from config import PROFILES, PROVIDER_PINS
from config.errors import ConfigError
from runtime import cli
from runtime.engine import ENGINES
from runtime.synthesized import Synthesized

ROOT = Path(__file__).resolve().parents[1]
MISSING = object()
GROUPS = ("provider pins", "engine metadata", "attributes added or removed", "other values")
EXPLAINED = GROUPS[:2]
"""The groups docs/cdk-terrain.md explains for every resource; the others need reading."""


@dataclass(frozen=True)
class Difference:
    stack: str
    group: str
    path: str
    """Dotted path in the stack's JSON (`resource.aws_vpc.vpc_7A1B.tags.Name`)."""
    base: Any
    head: Any
    """The value in each engine's output; None when the leaf is missing there."""


def leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict) and value:
        for key, item in value.items():
            yield from leaves(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            yield from leaves(item, f"{path}[{index}]")
    else:
        yield path, value


def group_of(path: str, in_base: bool, in_head: bool) -> str:
    if path.startswith("terraform.required_providers."):
        return "provider pins"
    if path.startswith("//") or ".//." in path or path.endswith(".//"):
        return "engine metadata"
    if in_base != in_head:
        return "attributes added or removed"
    return "other values"


def compare(stack: str, base: dict[str, Any], head: dict[str, Any]) -> list[Difference]:
    """Every leaf that differs between two synthesized stacks, grouped."""
    left, right = dict(leaves(base)), dict(leaves(head))
    return [
        Difference(
            stack,
            group_of(path, path in left, path in right),
            path,
            left.get(path),
            right.get(path),
        )
        for path in sorted(left.keys() | right.keys())
        if left.get(path, MISSING) != right.get(path, MISSING)
    ]


def report(differences: list[Difference], base: str, head: str) -> str:
    lines = [f"{base} -> {head}: {len(differences)} differences"]
    for group in GROUPS:
        found = [d for d in differences if d.group == group]
        lines.append(f"{group}: {len(found)}")
        for d in found:
            lines.append(f"  {d.stack}: {d.path}: {json.dumps(d.base)} -> {json.dumps(d.head)}")
    return "\n".join(lines)


def synthesize(engine: str, out: Path, profile: str | None, pins: str) -> dict[str, dict[str, Any]]:
    python = ROOT / ENGINES[engine].python
    if not python.exists():
        raise ConfigError(f"engine {engine}: {python} is missing: run `make engines`")
    env = dict(os.environ, FLUXION_ENGINE=engine, FLUXION_PROFILE=profile or "",
               FLUXION_PROVIDER_PINS=pins, CDKTF_OUTDIR=str(out))  # fmt: skip
    proc = subprocess.run([str(python), "main.py"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=900)  # fmt: skip
    if proc.returncode != 0:
        tail = " | ".join(proc.stderr.strip().splitlines()[-3:])
        raise ConfigError(f"engine {engine}: synth failed (exit {proc.returncode}): {tail}")
    return Synthesized(out).stacks()


def main(argv: list[str] | None = None) -> int:
    parser = cli.command("python -m review.engine_diff", __doc__)
    parser.add_argument(
        "--profile",
        choices=PROFILES,
        default=os.environ.get("FLUXION_PROFILE") or None,
        help="a preset instead of the environment's own hardening switches",
    )
    parser.add_argument("--pins", default="estate", help="estate (default) or bindings")
    parser.add_argument("--keep", type=Path, help="synthesize into DIR/<engine> and keep it")
    args = parser.parse_args(argv)
    try:
        if args.pins not in PROVIDER_PINS:
            raise ConfigError(f"--pins: {args.pins!r} is not one of {', '.join(PROVIDER_PINS)}")
        with tempfile.TemporaryDirectory() as scratch:
            root = args.keep or Path(scratch)
            base = synthesize("cdktf", root / "cdktf", args.profile, args.pins)
            head = synthesize("cdktn", root / "cdktn", args.profile, args.pins)
    except ConfigError as err:
        return cli.one_line_error(err)
    differences = [d for s in sorted(base.keys() | head.keys())
                   for d in compare(s, base.get(s, {}), head.get(s, {}))]  # fmt: skip
    print(f"profile {args.profile or 'of the environment'}, provider pins: {args.pins}")
    print(report(differences, "cdktf", "cdktn"))
    unexplained = [d for d in differences if d.group not in EXPLAINED]
    if unexplained:
        print(f"{len(unexplained)} differences outside {' and '.join(EXPLAINED)}: read them "
              "before moving (docs/cdk-terrain.md)", file=sys.stderr)  # fmt: skip
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
