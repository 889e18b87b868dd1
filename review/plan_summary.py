"""Summarize `terraform show -json` plans for review, and gate the adoption plan.

    python -m review.plan_summary network=plans/network.json data=plans/data.json ...
    python -m review.plan_summary --adoption network=plans/network.json   # exit 1 unless
        every change is an import, and an import's update touches only state-only
        arguments (review/plan_gate.py): nothing would call AWS

Reads Terraform's documented JSON plan format: `resource_changes[].change.actions` and
`change.importing`. Note `terraform plan -detailed-exitcode` cannot tell an import-only plan
(exit 2) from one that changes things (also exit 2): this command can.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from review.plan_gate import gate
from review.stateful import STATEFUL_TYPES
from runtime import cli

COLUMNS = ("import", "add", "change", "replace", "destroy", "forget", "no-op")


@dataclass
class StackSummary:
    stack: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COLUMNS, 0))
    flags: list[str] = field(default_factory=list)


def classify(actions: list[str]) -> str:
    """Terraform's action list -> one review category."""
    if actions in (["delete", "create"], ["create", "delete"]):
        return "replace"
    single = {
        "create": "add",
        "update": "change",
        "delete": "destroy",
        "no-op": "no-op",
        "read": "no-op",
        "forget": "forget",  # removed from state, left in AWS (a `removed` block)
    }
    if len(actions) != 1 or actions[0] not in single:
        raise ValueError(f"unknown Terraform actions {actions!r}")
    return single[actions[0]]


def summarize(stack: str, plan: dict[str, Any], *, adoption: bool = False) -> StackSummary:
    if "resource_changes" not in plan and "format_version" not in plan:
        raise ValueError(f"{stack}: not a `terraform show -json` plan")
    summary = StackSummary(stack)
    for rc in plan.get("resource_changes", []):
        if rc.get("mode") == "data":
            continue
        change = rc["change"]
        kind = classify(change["actions"])
        importing = change.get("importing") is not None
        if importing:
            summary.counts["import"] += 1
        if kind != "no-op" or not importing:
            summary.counts[kind] += 1
        address, rtype = rc["address"], rc["type"]
        if kind in ("replace", "destroy") and rtype in STATEFUL_TYPES:
            summary.flags.append(f"{kind.upper()} of stateful {address}")
        if importing and kind != "no-op":
            summary.flags.append(f"adopted {address} would also {kind} ({change['actions']})")
        elif adoption and not importing and kind != "no-op":
            summary.flags.append(f"adoption plan would {kind} {address}")
    return summary


def table(summaries: list[StackSummary]) -> str:
    header = f"{'stack':10s}" + "".join(f"{c:>9s}" for c in COLUMNS)
    rows = [header, "-" * len(header)]
    for s in summaries:
        rows.append(f"{s.stack:10s}" + "".join(f"{s.counts[c]:9d}" for c in COLUMNS))
    for s in summaries:
        rows.extend(f"! {s.stack}: {flag}" for flag in s.flags)
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = cli.command("python -m review.plan_summary", __doc__)
    parser.add_argument("plans", nargs="+", metavar="STACK=PLAN.json")
    parser.add_argument(
        "--adoption",
        action="store_true",
        help="fail unless the plan only imports (0 add/change/destroy)",
    )
    args = cli.parse(parser, argv)
    summaries, verdicts = [], []
    for item in args.plans:
        stack, _, path = item.rpartition("=")
        stack = stack or Path(path).stem
        try:
            plan = json.loads(Path(path).read_text())
            summaries.append(summarize(stack, plan, adoption=args.adoption))
            if args.adoption:
                verdicts.append(gate(stack, plan))
        except (OSError, ValueError, KeyError) as err:
            return cli.one_line_error(err, message=f"{path}: {err}")
    print(table(summaries))
    if not args.adoption:
        return 1 if any(s.flags for s in summaries) else 0
    for verdict in verdicts:
        print("\n".join(verdict.lines()))
    imports = sum(s.counts["import"] for s in summaries)
    other = sum(s.counts[c] for s in summaries for c in ("add", "change", "replace", "destroy"))
    print(f"adoption: {imports} to import, {other} other changes")
    return 1 if imports == 0 or not all(v.passed for v in verdicts) else 0


if __name__ == "__main__":
    sys.exit(main())
