"""What the estate costs a month: per stack, per resource and per price component, read from
the synthesized Terraform (or from `terraform show -json` of a plan), and what a change adds.

    python -m review.cost estimate [--out cdktf.out | --plan STACK=plan.json ...] [--json F]
    python -m review.cost compare [--base REV|DIR] [--head REV|DIR] [--markdown F]

Prices come from the reviewed catalog (`review/prices.json`, `make cost-prices` refreshes it),
usage from the environment's `cost` entry (`config/environments.py`: the assumptions, printed
beside what they cost). A resource type the catalog neither prices nor lists as free is shown
as `not priced` and left out of the total, which says so.

`compare` synthesizes both sides (a git revision, `WORKTREE`, or a synthesized folder), prices
them with the head's usage and catalog (so the difference is what the code changes), prints
the difference per resource and stack, and is the pull request's cost gate: it exits 1 when
the monthly estimate rises by more than the environment's `pr_increase_allowed_usd`, unless
`review/cost-acknowledgements.json` has a reviewed entry for exactly that change (its
environment and both totals to the dollar, with the reason).
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import config
from config import ConfigError, EnvironmentConfig
from review import replacement_guard
from review.pricers import PRICERS, Catalog, Component, Context, Resource
from runtime import cli
from runtime.synthesized import Synthesized

ACKNOWLEDGED = Path(__file__).with_name("cost-acknowledgements.json")


def from_synth(outdir: Path) -> list[Resource]:
    """Every resource of every stack in a synthesized folder."""
    return [
        Resource(stack, rtype, f"{rtype}.{name}", values)
        for stack, doc in Synthesized(outdir).stacks().items()
        for rtype, named in doc.get("resource", {}).items()
        for name, values in named.items()
    ]


def from_plan(stack: str, plan: dict[str, Any]) -> list[Resource]:
    """The resources a plan leaves (`planned_values`): counts expanded, values known."""
    if "planned_values" not in plan:
        raise ConfigError(f"{stack}: not a `terraform show -json` plan (no planned_values)")
    found: list[Resource] = []
    modules = [plan["planned_values"].get("root_module", {})]
    while modules:
        module = modules.pop()
        modules += module.get("child_modules", [])
        found += [
            Resource(stack, r["type"], r["address"], r.get("values") or {})
            for r in module.get("resources", [])
            if r.get("mode", "managed") == "managed"
        ]
    return found


def estimate(
    resources: list[Resource], env: EnvironmentConfig, catalog: Catalog
) -> list[Component]:
    ctx = Context({(r.stack, r.address): r for r in resources}, env, catalog)
    out: list[Component] = []
    for r in sorted(resources, key=lambda x: (x.stack, x.address)):
        pricer = PRICERS.get(r.type)
        found = pricer(ctx, r) if pricer else []
        if found:
            out += found
        elif r.type in catalog.free or pricer:
            reason = catalog.free.get(r.type, "nothing billed with these values")
            out.append(Component(r.stack, r.address, r.type, "no charge", 0, "", 0.0, reason))
        else:
            out.append(Component(r.stack, r.address, r.type, "not priced", 0, "", None,
                                 "the catalog has no price for this type"))  # fmt: skip
    return out


def totals(components: Iterable[Component]) -> dict[str, float]:
    by_stack: dict[str, float] = defaultdict(float)
    for c in components:
        by_stack[c.stack] += c.monthly or 0.0
    return dict(sorted(by_stack.items()))


def _money(usd: float | None) -> str:
    return "not priced" if usd is None else f"{usd:,.2f}"


def render(components: list[Component], env: EnvironmentConfig, profile: str) -> str:
    lines = [f"monthly estimate: {env.name} ({profile}), USD, on-demand list prices", ""]
    for stack, total in totals(components).items():
        lines.append(f"== {stack}: {total:,.2f}")
        for c in (c for c in components if c.stack == stack and c.monthly != 0):
            price = f" x {c.usd_per_unit:g}" if c.usd_per_unit is not None else ""
            quantity = f"{c.quantity:,.1f} {c.unit}{price}" if c.unit else ""
            lines.append(f"  {c.address}  {c.name}  {quantity}  {_money(c.monthly)}"
                         + (f"  ({c.assumption})" if c.assumption else ""))  # fmt: skip
    unpriced = sorted({c.type for c in components if c.monthly is None})
    lines += ["", f"total: {sum(totals(components).values()):,.2f} USD a month"]
    if unpriced:
        lines.append(f"not priced (not in the total): {', '.join(unpriced)}")
    return "\n".join(lines)


def by_component(components: Iterable[Component]) -> dict[tuple[str, str, str], float]:
    out: dict[tuple[str, str, str], float] = defaultdict(float)
    for c in components:
        out[(c.stack, c.address, c.name)] += c.monthly or 0.0
    return out


def difference(
    base: list[Component], head: list[Component]
) -> list[tuple[str, str, str, float, float]]:
    """(stack, address, component, base USD, head USD) of every price component whose
    monthly cost changed (a resource added or removed is all of its components)."""
    old, new = by_component(base), by_component(head)
    return [
        (*key, old.get(key, 0.0), new.get(key, 0.0))
        for key in sorted(set(old) | set(new))
        if round(new.get(key, 0.0) - old.get(key, 0.0), 2) != 0
    ]


def render_difference(
    base: list[Component], head: list[Component], env: EnvironmentConfig, title: str
) -> str:
    old, new = totals(base), totals(head)
    lines = [f"#### Monthly cost: {title}", "", "| stack | before | after | change |",
             "|---|---:|---:|---:|"]  # fmt: skip
    for stack in sorted(set(old) | set(new)):
        a, b = old.get(stack, 0.0), new.get(stack, 0.0)
        lines.append(f"| {stack} | {a:,.2f} | {b:,.2f} | {b - a:+,.2f} |")
    a, b = sum(old.values()), sum(new.values())
    lines += [f"| **total** | {a:,.2f} | {b:,.2f} | **{b - a:+,.2f}** |", ""]
    changed = difference(base, head)
    lines += [f"- `{s}` {addr} {name}: {x:,.2f} -> {y:,.2f} ({y - x:+,.2f})"
              for s, addr, name, x, y in changed]  # fmt: skip
    if not changed:
        lines.append("No price component changes.")
    unpriced = sorted({c.type for c in head if c.monthly is None})
    if unpriced:
        lines.append(f"\nNot priced (in neither total): {', '.join(unpriced)}")
    return "\n".join(lines)


def gate(base: list[Component], head: list[Component], env: EnvironmentConfig,
         acknowledged: Path = ACKNOWLEDGED) -> str | None:  # fmt: skip
    """None when the change is within the budget or acknowledged; else the refusal."""
    a, b = sum(totals(base).values()), sum(totals(head).values())
    allowed = env.cost.pr_increase_allowed_usd
    if b - a <= allowed:
        return None
    for ack in json.loads(acknowledged.read_text()) if acknowledged.exists() else []:
        if (ack.get("environment"), ack.get("from_usd"), ack.get("to_usd")) == (
            env.name, round(a), round(b)) and len(str(ack.get("reason", ""))) >= 20:  # fmt: skip
            return None
    return (f"{env.name}: this change raises the monthly estimate by {b - a:,.2f} USD "
            f"({a:,.2f} -> {b:,.2f}), more than the {allowed} USD a pull request may add; "
            f"acknowledge it in {acknowledged.name}: "
            f'{{"environment": "{env.name}", "from_usd": {round(a)}, "to_usd": {round(b)}, '
            f'"reason": "..."}}')  # fmt: skip


def _side(where: str, profile: str | None, tmp: Path) -> Path:
    """A synthesized folder: `where` itself, or `where` (a revision or WORKTREE) synthesized."""
    if Path(where).is_dir():
        return Path(where)
    return replacement_guard.synthesize(where, profile, tmp / where.replace("/", "_"))


def _plans(items: list[str]) -> list[Resource]:
    """`STACK=FILE` items: each a `terraform show -json` of that stack's plan."""
    resources: list[Resource] = []
    for item in items:
        stack, _, path = item.partition("=")
        if not (stack and path and Path(path).is_file()):
            raise ConfigError.invalid("--plan", item, "must be STACK=<terraform show -json file>")
        resources += from_plan(stack, json.loads(Path(path).read_text()))
    return resources


def _environment(outdir: Path) -> tuple[EnvironmentConfig, str]:
    stamp = Synthesized(outdir).stamp
    return config.load(stamp.get("environment", config.DEFAULT_ENVIRONMENT)), str(
        stamp.get("profile", "")
    )


def _estimate_command(args: Any, catalog: Catalog) -> int:
    env, profile = _environment(args.out)
    resources = _plans(args.plan) if args.plan else from_synth(args.out)
    components = estimate(resources, env, catalog)
    print(render(components, env, profile))
    if args.json:
        rows = [asdict(c) | {"monthly": c.monthly} for c in components]
        document = {"environment": env.name, "profile": profile, "totals": totals(components),
                    "components": rows}  # fmt: skip
        args.json.write_text(json.dumps(document, indent=2) + "\n")
    return 0


def _compare_command(args: Any, catalog: Catalog) -> int:
    with tempfile.TemporaryDirectory(prefix="cost-") as tmp:
        base_where = args.base or replacement_guard.merge_base()
        head_dir = _side(args.head, args.head_profile, Path(tmp))
        env, profile = _environment(head_dir)
        head = estimate(_plans(args.head_plan) if args.head_plan else from_synth(head_dir),
                        env, catalog)  # fmt: skip
        if args.base_plan:
            base_resources = _plans(args.base_plan)
        else:
            base_resources = from_synth(_side(base_where, args.base_profile, Path(tmp)))
        base = estimate(base_resources, env, catalog)
    text = render_difference(base, head, env, f"{env.name} ({profile})")
    print(text)
    refused = gate(base, head, env)
    if args.markdown:
        args.markdown.write_text(text + (f"\n\n**Cost gate:** {refused}\n" if refused else "\n"))
    if refused:
        print(f"refused: {refused}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = cli.command("python -m review.cost", __doc__)
    parser.add_argument("action", choices=("estimate", "compare"))
    parser.add_argument("--out", type=Path, default=Path("cdktf.out"))
    parser.add_argument("--plan", action="append", metavar="STACK=FILE")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--base", help="compare: a revision or folder (default: merge base)")
    parser.add_argument("--head", default=replacement_guard.WORKTREE)
    parser.add_argument("--base-profile", choices=config.PROFILES)
    parser.add_argument("--head-profile", choices=config.PROFILES)
    parser.add_argument("--base-plan", action="append", metavar="STACK=FILE")
    parser.add_argument("--head-plan", action="append", metavar="STACK=FILE")
    parser.add_argument("--markdown", type=Path, help="compare: the table for the PR comment")
    args = cli.parse(parser, argv)
    try:
        catalog = Catalog.load()
        if args.action == "estimate":
            return _estimate_command(args, catalog)
        return _compare_command(args, catalog)
    except ConfigError as err:
        return cli.one_line_error(err)


if __name__ == "__main__":
    sys.exit(main())
