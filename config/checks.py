"""Table-style checks of configuration fields, in the manner of aws-cdk's `validate-props.ts`.

Each config class lists its one-field rules as data (`RULES`), and `validate(obj, section,
RULES)` runs them in order: the first failing rule raises a `ConfigError` naming the dotted
field, the value and what was expected. Rules that relate several fields (a subnet inside the
VPC, a maximum above a minimum) stay as code in the class's `__post_init__`, next to the table.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from config.errors import ConfigError


@dataclass(frozen=True)
class Rule:
    """One field's rule; `expected` renders what a valid value is, after the bad value."""

    field: str

    def expected(self, value: object) -> str | None:
        """None if `value` holds, else the text that follows it in the error."""
        raise NotImplementedError


@dataclass(frozen=True)
class Range(Rule):
    """An integer from `low` to `high`, both included, in `unit`."""

    low: int
    high: int
    unit: str

    def expected(self, value: object) -> str | None:
        ok = isinstance(value, int) and not isinstance(value, bool)
        if ok and self.low <= value <= self.high:  # type: ignore[operator]
            return None
        return f"must be {self.low}-{self.high} {self.unit}"


@dataclass(frozen=True)
class AtLeast(Rule):
    """An integer of at least `low` `unit`."""

    low: int
    unit: str

    def expected(self, value: object) -> str | None:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok and value >= self.low else f"must be at least {self.low}"  # type: ignore[operator]


@dataclass(frozen=True)
class Pattern(Rule):
    """A string matching `regex` entirely; `what` finishes the sentence ("is not ...")."""

    regex: str
    what: str

    def expected(self, value: object) -> str | None:
        return None if isinstance(value, str) and re.fullmatch(self.regex, value) else self.what


@dataclass(frozen=True)
class OneOf(Rule):
    """One of `choices`."""

    choices: tuple[object, ...]

    def expected(self, value: object) -> str | None:
        if value in self.choices:
            return None
        return f"is not one of {', '.join(map(str, self.choices))}"


@dataclass(frozen=True)
class Cidr(Rule):
    """An IPv4 network without host bits (`10.0.0.0/16`, never `10.0.0.1/16`)."""

    def expected(self, value: object) -> str | None:
        try:
            ipaddress.IPv4Network(str(value), strict=True)
        except ValueError as err:
            return f"is not a valid IPv4 CIDR ({err})"
        return None


@dataclass(frozen=True)
class IPv4(Rule):
    """An IPv4 address."""

    def expected(self, value: object) -> str | None:
        try:
            ipaddress.IPv4Address(str(value))
        except ValueError:
            return "is not an IPv4 address"
        return None


def validate(obj: object, section: str, rules: Iterable[Rule]) -> None:
    """Run `rules` on `obj`'s fields; the first failure raises, naming `section.field`."""
    for rule in rules:
        value = getattr(obj, rule.field)
        expected = rule.expected(value)
        if expected is not None:
            raise ConfigError.invalid(dotted(section, rule.field), value, expected)


def dotted(section: str, field: str) -> str:
    return f"{section}.{field}" if section else field


def network(field: str, value: str) -> ipaddress.IPv4Network:
    """Parse `value` as an IPv4 network (host bits refused), or raise naming `field`."""
    expected = Cidr(field).expected(value)
    if expected is not None:
        raise ConfigError.invalid(field, value, expected)
    return ipaddress.IPv4Network(value, strict=True)


def disjoint(nets: dict[str, ipaddress.IPv4Network]) -> None:
    """No two of the named networks overlap; the later one is named."""
    items = list(nets.items())
    for i, (name_a, a) in enumerate(items):
        for name_b, b in items[i + 1 :]:
            if a.overlaps(b):
                raise ConfigError.invalid(name_b, str(b), f"overlaps {name_a} {str(a)!r}")


def unique(field: str, values: Sequence[object], what: str) -> None:
    """Every value once; the error lists the repeated ones."""
    repeated = sorted({str(v) for v in values if values.count(v) > 1})
    if repeated:
        raise ConfigError(f"{field}: {what} {repeated!r} repeat", field=field, value=repeated)


LOG_RETENTIONS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
    2922, 3288, 3653,
)  # fmt: skip
"""The retention periods CloudWatch Logs accepts, in days."""


@dataclass(frozen=True)
class Retention(Rule):
    """A CloudWatch Logs retention period, in days."""

    def expected(self, value: object) -> str | None:
        if value in LOG_RETENTIONS:
            return None
        return f"is not a CloudWatch retention ({', '.join(map(str, LOG_RETENTIONS))})"
