"""Unix 5-field cron -> EventBridge 6-field `cron(...)`, and validation of the final form.

EventBridge differs from Unix cron in three ways that bite: a sixth field (year); exactly one
of day-of-month / day-of-week must be `?`; and day-of-week counts 1-7 from Sunday (Unix: 0-7,
both 0 and 7 are Sunday). The seed writes Unix cron; `to_eventbridge()` translates it.
"""

from __future__ import annotations

import re

from config.errors import ConfigError

_EXPR = re.compile(r"^cron\((?P<body>[^()]*)\)$")
# (name, low, high) for Unix and EventBridge fields
_UNIX = (
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day-of-month", 1, 31),
    ("month", 1, 12),
    ("day-of-week", 0, 7),
)
_EVENTBRIDGE = (
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day-of-month", 1, 31),
    ("month", 1, 12),
    ("day-of-week", 1, 7),
    ("year", 1970, 2199),
)
_ITEM = re.compile(r"^(?P<range>\*|\d+(?:-\d+)?)(?:/(?P<step>\d+))?$")


def _check_field(expr: str, name: str, value: str, low: int, high: int) -> None:
    for item in value.split(","):
        match = _ITEM.match(item)
        if not match:
            raise ConfigError(f"cron {expr!r}: {name} field {value!r} is malformed at {item!r}")
        if match["step"] is not None and int(match["step"]) == 0:
            raise ConfigError(f"cron {expr!r}: {name} field {value!r} has a zero step")
        if match["range"] == "*":
            continue
        bounds = [int(n) for n in match["range"].split("-")]
        if any(not low <= n <= high for n in bounds):
            raise ConfigError(f"cron {expr!r}: {name} field {value!r} is outside {low}-{high}")
        if len(bounds) == 2 and bounds[0] > bounds[1]:
            raise ConfigError(f"cron {expr!r}: {name} field {value!r} has a reversed range")


def _unix_dow_to_eventbridge(expr: str, value: str) -> str:
    if value == "*":
        return "?"

    def shift(match: re.Match[str]) -> str:
        return str(int(match.group()) % 7 + 1)  # Unix 0/7 = Sunday = EventBridge 1

    items = []
    for item in value.split(","):
        rng, _, step = item.partition("/")
        if "-" in rng and rng.split("-")[1] == "7":
            # Unix `a-7` ends on Sunday: in EventBridge that wraps, so spell it out.
            start = int(rng.split("-")[0])
            rng = ",".join(dict.fromkeys(str(d % 7 + 1) for d in range(start, 8)))
            if step:
                raise ConfigError(f"cron {expr!r}: day-of-week range ending in 7 with a step")
            items.append(rng)
            continue
        items.append(re.sub(r"\d+", shift, rng) + (f"/{step}" if step else ""))
    return ",".join(items)


def to_eventbridge(unix: str) -> str:
    """Translate a Unix 5-field cron line to EventBridge `cron(m h dom mon dow year)`."""
    fields = unix.split()
    if unix.startswith("cron("):
        raise ConfigError(f"cron {unix!r}: already an EventBridge expression, not Unix cron")
    if len(fields) != 5:
        raise ConfigError(f"cron {unix!r}: Unix cron has 5 fields, found {len(fields)}")
    for (name, low, high), value in zip(_UNIX, fields, strict=True):
        _check_field(unix, name, value, low, high)
    minute, hour, dom, month, dow = fields
    if dom != "*" and dow != "*":
        raise ConfigError(
            f"cron {unix!r}: both day-of-month and day-of-week are restricted; EventBridge "
            "allows only one"
        )
    eb_dow = _unix_dow_to_eventbridge(unix, dow)
    eb_dom = "?" if eb_dow != "?" else dom
    return validate_eventbridge(f"cron({minute} {hour} {eb_dom} {month} {eb_dow} *)")


def validate_eventbridge(expression: str) -> str:
    """Return `expression` if it is a valid 6-field EventBridge cron, else raise ConfigError."""
    match = _EXPR.match(expression)
    if not match:
        raise ConfigError(f"schedule {expression!r}: expected cron(<6 fields>)")
    fields = match["body"].split()
    if len(fields) != 6:
        raise ConfigError(
            f"schedule {expression!r}: EventBridge cron has 6 fields, found {len(fields)}"
            + (" (Unix cron? translate it with to_eventbridge)" if len(fields) == 5 else "")
        )
    dom, dow = fields[2], fields[4]
    if (dom == "?") == (dow == "?"):
        raise ConfigError(
            f"schedule {expression!r}: exactly one of day-of-month ({dom!r}) and "
            f"day-of-week ({dow!r}) must be '?'"
        )
    for (name, low, high), value in zip(_EVENTBRIDGE, fields, strict=True):
        if value != "?":
            _check_field(expression, name, value, low, high)
    return expression
