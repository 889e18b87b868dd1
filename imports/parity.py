"""Parity: the code's value of every live attribute the inventory records must be the live one.

So a first plan is a no-op by construction: a difference is found here, before anyone plans.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from imports.inventory import Inventory

INFORMATIONAL = frozenset({"revision", "target"})
"""Recorded for the reviewer; the code has no argument to compare them with."""


def _major(code: Any, live: Any) -> bool:
    return bool(str(live) == str(code) or str(live).startswith(f"{code}."))


def _json(code: Any, live: Any) -> bool:
    return bool(json.loads(code) == live)


def _unordered(code: Any, live: Any) -> bool:
    return sorted(map(json.dumps, code)) == sorted(map(json.dumps, live))


PROVIDER_DEFAULTS = {
    "copy_tags_to_snapshot": False,
    "deletion_protection": False,
    "performance_insights_enabled": False,
}
"""What an argument the code leaves unset means (the AWS provider's default)."""

COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "engine_version": _major,  # code pins the major (16), live reports 16.3
    "input": _json,  # the event target's command override, JSON text in the code
    "aliases": _unordered,
    "setting": _unordered,
}


def differences(stacks: dict[str, dict[str, Any]], inventory: Inventory) -> list[str]:
    """Every live attribute whose code value differs, or that the code does not set."""
    found = []
    for entry in inventory.entries:
        if not entry.live:
            continue
        body = _body(stacks[entry.stack], entry.type, entry.path)
        if body is None:
            found.append(f"{entry.where}: no such resource in the synthesized stack")
            continue
        for key, live in sorted(entry.live.items()):
            if key in INFORMATIONAL:
                continue
            if key not in body and key in PROVIDER_DEFAULTS:
                body[key] = PROVIDER_DEFAULTS[key]
            if key not in body:
                found.append(f"{entry.where}: live {key}={live!r}, the code does not set it")
            elif not COMPARE.get(key, _equal)(body[key], live):
                found.append(f"{entry.where}: {key} is {body[key]!r} in the code, {live!r} live")
    return found


def _equal(code: Any, live: Any) -> bool:
    return bool(code == live)


def _body(stack: dict[str, Any], kind: str, path: str) -> dict[str, Any] | None:
    for body in stack.get("resource", {}).get(kind, {}).values():
        if body["//"]["metadata"]["path"].split("/", 1)[1] == path:
            return dict(body)
    return None
