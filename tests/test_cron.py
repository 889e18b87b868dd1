"""Unix -> EventBridge cron translation and validation (negative and property tests)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from config import ConfigError
from config.cron import to_eventbridge, validate_eventbridge

SEED = {
    "0,30 10-23,0-2 * * *": "cron(0,30 10-23,0-2 * * ? *)",
    "0 10-23,0-2 * * *": "cron(0 10-23,0-2 * * ? *)",
    "0 7 * * *": "cron(0 7 * * ? *)",
    "0 8 * * *": "cron(0 8 * * ? *)",
    "30 9,15,21,3 * * *": "cron(30 9,15,21,3 * * ? *)",
}


@pytest.mark.parametrize(("unix", "expected"), sorted(SEED.items()))
def test_the_seed_schedules(unix: str, expected: str) -> None:
    assert to_eventbridge(unix) == expected


@pytest.mark.parametrize(
    ("unix", "expected"),
    [
        ("0 9 * * 1-5", "cron(0 9 ? * 2-6 *)"),  # Mon-Fri: Unix 1-5, EventBridge 2-6
        ("0 9 * * 0", "cron(0 9 ? * 1 *)"),  # Sunday
        ("0 9 * * 7", "cron(0 9 ? * 1 *)"),  # Sunday again
        ("0 9 * * 5-7", "cron(0 9 ? * 6,7,1 *)"),  # Fri-Sun wraps
        ("15 3 1 * *", "cron(15 3 1 * ? *)"),  # day of month kept, day of week '?'
        ("*/15 * * * *", "cron(*/15 * * * ? *)"),
    ],
)
def test_day_of_week_and_month(unix: str, expected: str) -> None:
    assert to_eventbridge(unix) == expected


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("cron(0 7 * * *)", r"EventBridge cron has 6 fields, found 5 \(Unix cron\?"),
        ("cron(0 7 * * * *)", r"exactly one of day-of-month \('\*'\) and day-of-week \('\*'\)"),
        ("cron(0 7 ? * ? *)", r"exactly one of day-of-month"),
        ("0 7 * * ? *", r"expected cron\(<6 fields>\)"),
        ("cron(60 7 * * ? *)", r"minute field '60' is outside 0-59"),
        ("cron(0 24 * * ? *)", r"hour field '24' is outside 0-23"),
        ("cron(0 7 ? * 0 *)", r"day-of-week field '0' is outside 1-7"),
        ("cron(0 7 * * ? 1900)", r"year field '1900' is outside 1970-2199"),
        ("cron(0 7-x * * ? *)", r"hour field '7-x' is malformed at '7-x'"),
        ("cron(0 9-7 * * ? *)", r"hour field '9-7' has a reversed range"),
        ("cron(*/0 7 * * ? *)", r"minute field '\*/0' has a zero step"),
    ],
)
def test_invalid_eventbridge_expressions(expression: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        validate_eventbridge(expression)


@pytest.mark.parametrize(
    ("unix", "message"),
    [
        ("0 7 * *", r"Unix cron has 5 fields, found 4"),
        ("cron(0 7 * * ? *)", r"already an EventBridge expression"),
        ("0 7 1 * 1", r"both day-of-month and day-of-week are restricted"),
        ("0 7 32 * *", r"day-of-month field '32' is outside 1-31"),
        ("0 7 * 13 *", r"month field '13' is outside 1-12"),
        ("0 7 * * 8", r"day-of-week field '8' is outside 0-7"),
        ("a 7 * * *", r"minute field 'a' is malformed"),
    ],
)
def test_invalid_unix_cron(unix: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        to_eventbridge(unix)


def _field(low: int, high: int) -> st.SearchStrategy[str]:
    number = st.integers(low, high)
    single = number.map(str)
    span = st.tuples(number, number).map(lambda t: f"{min(t)}-{max(t)}")
    step = st.tuples(st.sampled_from(["*"]), st.integers(1, high)).map(lambda t: f"{t[0]}/{t[1]}")
    item = st.one_of(single, span, step)
    return st.one_of(st.just("*"), st.lists(item, min_size=1, max_size=3).map(",".join))


unix_crons = st.tuples(
    _field(0, 59), _field(0, 23), _field(1, 31), _field(1, 12), _field(0, 6)
).filter(lambda f: f[2] == "*" or f[4] == "*")


@given(unix_crons)
def test_every_valid_unix_cron_translates_to_a_valid_expression(fields: tuple[str, ...]) -> None:
    expression = to_eventbridge(" ".join(fields))
    assert validate_eventbridge(expression) == expression
    body = expression[len("cron(") : -1].split()
    assert len(body) == 6 and body[5] == "*"
    assert body[:2] == list(fields[:2]) and body[3] == fields[3]
    assert (body[2] == "?") != (body[4] == "?")


def _days(eventbridge_dow: str) -> set[int]:
    """EventBridge day-of-week field -> set of days, Sunday = 0 (for comparison)."""
    days: set[int] = set()
    for item in eventbridge_dow.split(","):
        rng, _, step = item.partition("/")
        lo, hi = (1, 7) if rng == "*" else (int(rng.split("-")[0]), int(rng.split("-")[-1]))
        days |= {(d - 1) % 7 for d in range(lo, hi + 1, int(step or 1))}
    return days


def _unix_days(dow: str) -> set[int]:
    days: set[int] = set()
    for item in dow.split(","):
        rng, _, step = item.partition("/")
        lo, hi = (0, 6) if rng == "*" else (int(rng.split("-")[0]), int(rng.split("-")[-1]))
        days |= {d % 7 for d in range(lo, hi + 1, int(step or 1))}
    return days


@given(_field(0, 7).filter(lambda f: f != "*"))
def test_day_of_week_means_the_same_days(dow: str) -> None:
    body = to_eventbridge(f"0 0 * * {dow}")[len("cron(") : -1].split()
    assert _days(body[4]) == _unix_days(dow)


@given(st.text(min_size=1, max_size=30))
def test_garbage_is_rejected_or_valid(text: str) -> None:
    try:
        result = to_eventbridge(text)
    except ConfigError:
        return
    assert validate_eventbridge(result) == result
