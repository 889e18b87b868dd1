"""`python -m ops alarms`: every alarm of the environment, its state and since when.

The alarms are `config.monitoring.alarms` (the monitoring stack makes one per row); one
`cloudwatch:DescribeAlarms` call by name prefix reads them, so the plan role can run it. Rows in
ALARM come first, each with what to run; an alarm the code defines that AWS does not have is
`missing` (the monitoring stack is not deployed, or someone deleted it), and one AWS has under
the environment's prefix that the code does not define is `not in the code`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from config.monitoring import alarm_prefix
from config.monitoring import alarms as defined
from ops.calls import Call

if TYPE_CHECKING:  # ops.verbs imports this module (status shows the alarms first)
    from ops.verbs import OpsContext

ORDER = ("ALARM", "missing", "INSUFFICIENT_DATA", "OK", "not in the code")
"""How the rows are sorted: what needs someone first."""


@dataclass(frozen=True)
class Row:
    name: str
    state: str
    since: datetime.datetime | None
    run: str
    """What to run (the alarm's `run`); empty for one the code does not define."""

    def line(self) -> str:
        when = f"since {self.since:%Y-%m-%d %H:%M} UTC" if self.since else ""
        todo = f"  run: {self.run}" if self.state == "ALARM" else ""
        return f"  {self.state:17} {when:26} {self.name}{todo}"


def read(ctx: OpsContext) -> list[Row] | None:
    """The environment's alarms, ALARM first; None in a dry run (no call made)."""
    prefix = alarm_prefix(ctx.config.name)
    found = ctx.runner.read(
        Call("cloudwatch", "describe_alarms", {"AlarmNamePrefix": prefix, "MaxRecords": 100})
    )
    if found is None:
        return None
    live = {a["AlarmName"]: a for a in found.get("MetricAlarms", [])}
    rows = []
    for alarm in defined(ctx.config):
        name = alarm.name(ctx.config.name)
        got: dict[str, Any] | None = live.pop(name, None)
        if got is None:
            rows.append(Row(name, "missing", None, "make deploy-stack STACK=monitoring"))
        else:
            rows.append(Row(name, got["StateValue"], _utc(got), alarm.run))
    rows += [Row(name, "not in the code", _utc(a), "") for name, a in sorted(live.items())]
    return sorted(rows, key=lambda r: ORDER.index(r.state))


def _utc(alarm: dict[str, Any]) -> datetime.datetime | None:
    when = alarm.get("StateTransitionedTimestamp") or alarm.get("StateUpdatedTimestamp")
    return when.astimezone(datetime.UTC) if isinstance(when, datetime.datetime) else None


def firing(rows: list[Row]) -> list[Row]:
    return [row for row in rows if row.state == "ALARM"]


def deployed(rows: list[Row]) -> bool:
    """Whether any alarm the code defines exists (the monitoring stack is deployed)."""
    return not all(row.state == "missing" for row in rows)


def problems(rows: list[Row]) -> list[str]:
    """What needs someone: each alarm in ALARM, and each the code defines that AWS lacks once
    the monitoring stack is deployed (an alarm deleted by hand). None deployed is not judged:
    monitoring is a stack of its own (a recovery may run before it)."""
    found = [f"alarm {row.name} in ALARM" for row in firing(rows)]
    if deployed(rows):
        found += [f"alarm {row.name} missing" for row in rows if row.state == "missing"]
    return found


def show(ctx: OpsContext) -> int:
    """Every alarm with its state and since when; exit 1 when one is in ALARM or missing."""
    rows = read(ctx)
    if rows is None:
        return 0
    for row in rows:
        ctx.say(row.line())
    counts = {state: sum(r.state == state for r in rows) for state in ORDER}
    ctx.say("alarms: " + ", ".join(f"{n} {state}" for state, n in counts.items() if n))
    return 1 if problems(rows) else 0
