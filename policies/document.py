"""IAM policy documents as plain data: the one builder of statements and documents.

No provider imports: the CI identity's documents (`policies/ci.py`) are built and
tested as data, and the constructs serialize the same dicts with `policy_json`.
"""

from __future__ import annotations

import json
from typing import Any

Statement = dict[str, Any]


def allow(
    actions: list[str], resources: list[str] | str, *, ordered: bool = False, **extra: Any
) -> Statement:
    """An Allow statement. Actions are sorted, so a document reads and diffs the same each
    time; `ordered=True` keeps them as given (a deployed document written in another order:
    IAM compares actions as a set, but a reordered string would still be a synthesized diff)."""
    return {
        "Effect": "Allow",
        "Action": list(actions) if ordered else sorted(actions),
        "Resource": resources,
        **extra,
    }


def deny(actions: list[str], resources: list[str] | str, **extra: Any) -> Statement:
    """A Deny statement (actions sorted)."""
    return {"Effect": "Deny", "Action": sorted(actions), "Resource": resources, **extra}


def document(*statements: Statement) -> dict[str, Any]:
    """A policy document (a dict: the construct serializes it)."""
    return {"Version": "2012-10-17", "Statement": list(statements)}


def policy_json(*statements: Statement) -> str:
    """A policy document as the JSON string IAM, S3 and the provider take."""
    return json.dumps(document(*statements))
