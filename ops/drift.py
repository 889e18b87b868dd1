"""Drift: what changed behind Terraform's back, from Terraform's own refresh-only plan.

For each stack: `terraform plan -refresh-only -detailed-exitcode` (exit 2: the live estate
differs from the state), then `show -json` of that plan. Each entry of `resource_drift` becomes
rows of (stack, resource, attribute, in code, live, known since). "In code" is the state's
value: what the last apply of the code wrote. "Known since" comes from the previous report
(`--known`, a JSON file the scheduled workflow carries from run to run); a new row is known
since this run. Nothing is applied: a refresh-only plan that is not applied changes nothing.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from runtime import terraform
from runtime.synthesized import Synthesized

PLAN_FILE = "drift.tfplan"


@dataclass(frozen=True)
class Row:
    stack: str
    resource: str
    attribute: str
    in_code: str
    live: str
    since: str = ""

    @property
    def key(self) -> str:
        return f"{self.stack} {self.resource} {self.attribute}"


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out |= _flatten(item, f"{prefix}.{key}" if prefix else key)
        return out
    if isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
        out = {}
        for i, item in enumerate(value):
            out |= _flatten(item, f"{prefix}[{i}]")
        return out
    return {prefix: value}


def _show(value: Any) -> str:
    return json.dumps(value) if not isinstance(value, str) else value


def rows(stack: str, plan: dict[str, Any]) -> list[Row]:
    """The drifted attributes of one stack's refresh-only plan (`show -json`)."""
    found = []
    for drift in plan.get("resource_drift", []):
        change = drift["change"]
        if change["actions"] == ["delete"]:
            found.append(Row(stack, drift["address"], "(the resource)", "exists", "deleted"))
            continue
        before, after = _flatten(change.get("before") or {}), _flatten(change.get("after") or {})
        for attribute in sorted(set(before) | set(after)):
            if before.get(attribute) != after.get(attribute):
                found.append(
                    Row(
                        stack,
                        drift["address"],
                        attribute,
                        _show(before.get(attribute)),
                        _show(after.get(attribute)),
                    )
                )
    return found


def refresh_only(
    outdir: Path, stack: str, extra_env: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Terraform's refresh-only plan of one synthesized stack, as `show -json`
    (`-detailed-exitcode`: 0 no drift, 2 drift; anything else fails)."""
    cwd = Synthesized(outdir).stack_dir(stack)
    shown = terraform.saved_plan(
        cwd, PLAN_FILE, extra_env, "-refresh-only", "-detailed-exitcode", ok=(0, 2)
    )
    return dict(json.loads(shown))


def with_history(found: list[Row], known_path: Path | None, now: str) -> list[Row]:
    """Each row with the time it was first reported (from `known_path`, else `now`); the file
    is rewritten with the rows still drifting."""
    known: dict[str, str] = {}
    if known_path is not None and known_path.exists():
        known = {r["key"]: r["since"] for r in json.loads(known_path.read_text())}
    dated = [Row(**(asdict(r) | {"since": known.get(r.key, now)})) for r in found]
    if known_path is not None:
        known_path.write_text(
            json.dumps([{"key": r.key, "since": r.since} for r in dated], indent=1) + "\n"
        )
    return dated


def table(found: list[Row]) -> str:
    """The guide's drift table, as Markdown (job summary, artifact, terminal)."""
    if not found:
        return "No drift: every stack's live resources match its state.\n"
    lines = [
        "| stack | resource | attribute | in code | live | known since |",
        "|---|---|---|---|---|---|",
    ]
    for r in found:
        cells = [r.stack, f"`{r.resource}`", f"`{r.attribute}`", r.in_code, r.live, r.since]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def now_utc() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
