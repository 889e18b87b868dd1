"""Changes only people apply: what no CI apply role may do, said of a plan (plain data).

The guardrail (`policies.ci.guardrail`) denies these calls to every CI role, so a CI apply of
a plan holding one of these changes would stop half-way with AccessDenied. The reviewed-plan
apply (`deploy/reviewed_plan.py`) refuses such a plan before anything runs, naming each
change and the command a person runs instead; the pull request's summary says so too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from config.estate import PEOPLE_STACKS

BACKUP_BUCKET_TYPES = (
    "aws_s3_bucket",
    "aws_s3_bucket_acl",
    "aws_s3_bucket_lifecycle_configuration",
    "aws_s3_bucket_logging",
    "aws_s3_bucket_ownership_controls",
    "aws_s3_bucket_policy",
    "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_server_side_encryption_configuration",
    "aws_s3_bucket_versioning",
)
TAGS = frozenset({"tags", "tags_all"})


@dataclass(frozen=True)
class PeopleOnly:
    stack: str
    types: tuple[str, ...]
    actions: frozenset[str]
    """Plan actions (`create`, `update`, `delete`) that need a person."""
    why: str
    tags_are_fine: bool = False
    """An update that changes only tags is CI's (tagging is granted)."""


PEOPLE_ONLY = (
    PeopleOnly(
        "data",
        BACKUP_BUCKET_TYPES,
        frozenset({"create", "update", "delete"}),
        "a backup bucket: its policy, access block, ownership, encryption, versioning or "
        "lifecycle can open the backups to another account or expire them",
    ),
    PeopleOnly(
        "data",
        ("aws_secretsmanager_secret",),
        frozenset({"update"}),
        "a secret's settings: UpdateSecret also sets the value, which only people do",
        tags_are_fine=True,
    ),
)
"""Per CI stack, the changes its apply role is denied. Stacks in `PEOPLE_STACKS` (`state`,
`identity`) are people's as a whole."""


def _changed(change: dict[str, Any]) -> set[str]:
    before, after = change.get("before") or {}, change.get("after") or {}
    unknown = change.get("after_unknown") or {}
    return {k for k in set(before) | set(after) if before.get(k) != after.get(k) or k in unknown}


def needs_people(stack: str, resource_changes: Iterable[dict[str, Any]]) -> list[str]:
    """`<address>: <action> (<why>)` for every change of a plan of `stack` that only a person
    may apply; empty when CI may apply all of it."""
    found = []
    rules = [rule for rule in PEOPLE_ONLY if rule.stack == stack]
    for rc in resource_changes:
        if rc.get("mode") != "managed":
            continue
        actions = set(rc["change"]["actions"]) - {"no-op", "read"}
        if not actions:
            continue
        if stack in PEOPLE_STACKS:
            found.append(f"{rc['address']}: {'/'.join(sorted(actions))} (the {stack} stack)")
            continue
        for rule in rules:
            hit = actions & rule.actions
            if rc["type"] not in rule.types or not hit:
                continue
            if hit == {"update"} and rule.tags_are_fine and _changed(rc["change"]) <= TAGS:
                continue
            found.append(f"{rc['address']}: {'/'.join(sorted(hit))} ({rule.why})")
    return found
