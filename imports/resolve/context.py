"""Shared state of one resolver run: clients, findings, facts other steps need, and notes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from config import EnvironmentConfig


@dataclass
class ResolveContext:
    env: EnvironmentConfig
    client: Callable[[str], Any]
    """boto3 client factory: `client("ec2")` (read-only calls only)."""
    entries: list[dict[str, Any]] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    """Values one step finds and another needs (e.g. security group IDs by role)."""
    notes: list[str] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)
    """What should have been found but could not be: the output is then incomplete."""

    def add(self, stack: str, path: str, kind: str, id_: str, source: str, **live: Any) -> None:
        entry: dict[str, Any] = {
            "stack": stack,
            "path": path,
            "type": kind,
            "id": id_,
            "source": f"resolver: {source}",
        }
        if live:
            entry["live"] = live
        self.entries.append(entry)

    def note(self, message: str) -> None:
        self.notes.append(message)

    def gap(self, message: str) -> None:
        """A note that leaves the output incomplete (the exit status says so)."""
        self.notes.append(message)
        self.gaps.append(message)


def tags(described: dict[str, Any]) -> dict[str, Any]:
    """`{"tags": {...}}` for parity when the resource carries user tags (AWS's own `aws:*` tags
    are not managed by Terraform); empty when it carries none."""
    user = {
        t["Key"]: t["Value"] for t in described.get("Tags", []) if not t["Key"].startswith("aws:")
    }
    return {"tags": user} if user else {}


def name_from_arn(arn: str) -> str:
    """`arn:aws:iam::1:role/path/Name` -> `Name`."""
    return arn.rsplit("/", 1)[-1]
