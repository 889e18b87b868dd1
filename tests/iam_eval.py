"""A small IAM evaluator for identity policies, to ask attacker questions of the CI documents.

It follows AWS's order for one identity policy: an explicit Deny wins, then an Allow, else the
implicit deny. Actions and resources match with IAM's wildcards (`*`, `?`, case-insensitive
actions), `NotAction`/`NotResource` invert, and conditions are checked against the context the
question gives: a key the request does not carry fails an Allow's condition and does not
trigger a Deny's (as in AWS). Operators: String(Not)Equals, StringLike, ArnEquals, ArnLike.
It is not AWS's evaluator: tests ask it only what these documents use.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Any


def _match(pattern: str, value: str, *, case: bool) -> bool:
    regex = fnmatch.translate(pattern)
    return re.match(regex, value, 0 if case else re.IGNORECASE) is not None


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _condition(statement: dict[str, Any], context: dict[str, str]) -> bool:
    for operator, pairs in statement.get("Condition", {}).items():
        for key, expected in pairs.items():
            if key not in context:
                return False
            actual = context[key]
            values = _as_list(expected)
            if operator in ("StringEquals", "ArnEquals"):
                ok = actual in values
            elif operator in ("StringLike", "ArnLike"):
                ok = any(_match(v, actual, case=True) for v in values)
            elif operator == "StringNotEquals":
                ok = actual not in values
            else:
                raise ValueError(f"operator {operator} not supported by this evaluator")
            if not ok:
                return False
    return True


def _applies(statement: dict[str, Any], action: str, resource: str) -> bool:
    if "Action" in statement:
        acts = any(_match(p, action, case=False) for p in _as_list(statement["Action"]))
    else:
        acts = not any(_match(p, action, case=False) for p in _as_list(statement["NotAction"]))
    if "Resource" in statement:
        res = any(_match(p, resource, case=True) for p in _as_list(statement["Resource"]))
    else:
        res = not any(_match(p, resource, case=True) for p in _as_list(statement["NotResource"]))
    return acts and res


def decide(
    policy: dict[str, Any], action: str, resource: str, context: dict[str, str] | None = None
) -> str:
    """`deny` (explicit), `allow`, or `implicit` (nothing allows it)."""
    context = context or {}
    statements = _as_list(policy["Statement"])
    for s in statements:
        conditions_hold = not s.get("Condition") or _condition(s, context)
        if s["Effect"] == "Deny" and _applies(s, action, resource) and conditions_hold:
            return "deny"
    for s in statements:
        if s["Effect"] == "Allow" and _applies(s, action, resource) and _condition(s, context):
            return "allow"
    return "implicit"
