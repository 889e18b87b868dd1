"""The adoption inventory: which live resource each construct adopts, and how we know its ID.

Two reviewed JSON files per environment, same format:
  imports/inventory/<env>.json  from the seed's CLI-verified tables (hand-maintained)
  imports/resolved/<env>.json   written by `python -m imports.resolve` (read-only AWS calls)
Each entry names the stack, the construct path below it, the Terraform type, the import `id`
(or a data-source `lookup` that Terraform evaluates at plan time), its `source`, and the `live`
attributes recorded for parity. Loading validates every ID and merges the files; where both
give an ID or a live value they must agree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from config import ConfigError, EnvironmentConfig
from config.estate import ADOPTED_STACKS
from imports.ids import validate_id

ROOT = Path(__file__).resolve().parent
"""`state` is the bootstrap: created new, never adopted."""
LOOKUP_TYPES = frozenset({"aws_lb", "aws_lb_listener", "aws_acm_certificate",
                          "aws_secretsmanager_secret"})  # fmt: skip
NAMED_IDENTITIES = frozenset({"aws_iam_role", "aws_iam_instance_profile"})
_ENTRY_KEYS = {"stack", "path", "type", "id", "lookup", "source", "live"}


@dataclass(frozen=True)
class Lookup:
    """A data source whose attribute is the import ID. Args starting with `@` name another
    entry's path in the same stack and stand for that entry's import ID."""

    data: str
    args: dict[str, Any]
    attribute: str


@dataclass(frozen=True)
class Entry:
    stack: str
    path: str
    type: str
    source: str
    id: str | None = None
    lookup: Lookup | None = None
    live: dict[str, Any] = field(default_factory=dict)

    @property
    def where(self) -> str:
        return f"{self.stack}/{self.path} ({self.type})"


@dataclass(frozen=True)
class Inventory:
    environment: str
    entries: tuple[Entry, ...] = ()
    files: tuple[str, ...] = ()

    def for_stack(self, stack: str) -> dict[str, Entry]:
        return {e.path: e for e in self.entries if e.stack == stack}

    def live_names(self) -> dict[str, str]:
        """The adopted workload identities' live names (`identity` construct path -> name):
        an IAM role's or instance profile's import ID is its name."""
        return {
            e.path: e.id
            for e in self.entries
            if e.stack == "identity" and e.type in NAMED_IDENTITIES and e.id
        }


def resolved_path(env_name: str, root: Path = ROOT) -> Path:
    return root / "resolved" / f"{env_name}.json"


def load(env: EnvironmentConfig, root: Path = ROOT) -> Inventory:
    """Both files of `env` (either may be missing, not both), validated and merged.

    An environment with nothing to adopt says so: its `inventory/<env>.json` holds
    `"nothing_to_adopt": "<why>"` and no resources. No file at all, or files that list no
    resources without saying so, is an error (a deleted or emptied file must not quietly turn
    the adoption into "create everything").
    """
    merged: dict[tuple[str, str], Entry] = {}
    files = []
    declared_empty = False
    seed, resolved = root / "inventory" / f"{env.name}.json", resolved_path(env.name, root)
    if not seed.exists() and not resolved.exists():
        raise ConfigError(
            f"inventory: {seed} is missing; an environment with nothing to adopt says so with "
            '{"nothing_to_adopt": "<why>"} in that file'
        )
    for path in (seed, resolved):
        if not path.exists():
            continue
        files.append(_shown(path, root))
        doc = _read(path)
        declared_empty |= bool(doc.get("nothing_to_adopt"))
        for entry in parse(doc, env, origin=path.name):
            key = (entry.stack, entry.path)
            merged[key] = _merge(merged[key], entry) if key in merged else entry
    if declared_empty and merged:
        raise ConfigError(f"inventory: {seed.name} says nothing_to_adopt, yet lists resources")
    if not merged and not declared_empty:
        raise ConfigError(
            f"inventory: {', '.join(files)} list no resources; if nothing is to be adopted, "
            f'say so in {seed.name} with "nothing_to_adopt": "<why>"'
        )
    _require_unique_ids(merged.values())
    return Inventory(env.name, tuple(merged.values()), tuple(files))


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def _read(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise ConfigError(
            f"inventory: {path}: not valid JSON ({err.msg} at line {err.lineno}, column "
            f"{err.colno})"
        ) from None
    if not isinstance(doc, dict):
        raise ConfigError(f"inventory: {path}: expected an object, got {type(doc).__name__}")
    return doc


def parse(doc: dict[str, Any], env: EnvironmentConfig, *, origin: str) -> list[Entry]:
    """Validated entries of one inventory document."""
    checks: tuple[tuple[str, str], ...] = (("account_id", env.account_id), ("region", env.region))
    if "environment" in doc:
        checks += (("environment", env.name),)
    for key, expected in checks:
        if doc.get(key) != expected:
            raise ConfigError(f"{origin}: {key} {doc.get(key)!r} is not the config's {expected!r}")
    resources = doc.get("resources", [])
    if not isinstance(resources, list):
        raise ConfigError(f"{origin}: resources must be a list, got {type(resources).__name__}")
    entries, seen = [], set()
    for i, raw in enumerate(resources):
        entry = _entry(raw, f"{origin}: resources[{i}]", env)
        if (entry.stack, entry.path) in seen:
            raise ConfigError(f"{origin}: {entry.where} is listed twice")
        seen.add((entry.stack, entry.path))
        entries.append(entry)
    return entries


def _entry(raw: dict[str, Any], where: str, env: EnvironmentConfig) -> Entry:
    unknown = set(raw) - _ENTRY_KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown fields {sorted(unknown)!r}")
    for name in ("stack", "path", "type", "source"):
        if not isinstance(raw.get(name), str) or not raw[name]:
            raise ConfigError(f"{where}: field {name!r} is required, got {raw.get(name)!r}")
    if raw["stack"] not in ADOPTED_STACKS:
        raise ConfigError(f"{where}: stack {raw['stack']!r} is not one of {ADOPTED_STACKS}")
    where = f"{where} {raw['stack']}/{raw['path']}"
    if ("id" in raw) == ("lookup" in raw):
        raise ConfigError(f"{where}: give exactly one of 'id' and 'lookup'")
    lookup = None
    if "lookup" in raw:
        spec = raw["lookup"]
        if spec.get("data") not in LOOKUP_TYPES:
            raise ConfigError(
                f"{where}: lookup data {spec.get('data')!r} is not one of {sorted(LOOKUP_TYPES)}"
            )
        lookup = Lookup(spec["data"], dict(spec.get("args", {})), spec.get("attribute", "arn"))
    else:
        validate_id(where, raw["type"], raw["id"], account=env.account_id, region=env.region)
    live = raw.get("live", {})
    if not isinstance(live, dict):
        raise ConfigError(f"{where}: live must be an object, got {live!r}")
    return Entry(raw["stack"], raw["path"], raw["type"], raw["source"], raw.get("id"), lookup, live)


def _merge(first: Entry, second: Entry) -> Entry:
    if first.type != second.type:
        raise ConfigError(f"{first.where}: type differs between files ({second.type})")
    if first.id and second.id and first.id != second.id:
        raise ConfigError(
            f"{first.where}: the files disagree on the ID ({first.id!r} vs {second.id!r}); "
            "review which one is live"
        )
    for key in first.live.keys() & second.live.keys():
        if first.live[key] != second.live[key]:
            raise ConfigError(
                f"{first.where}: live {key} differs between files "
                f"({first.live[key]!r} vs {second.live[key]!r})"
            )
    # an ID (resolved, reviewed) wins over a plan-time lookup
    chosen = first if first.id or not second.id else second
    return Entry(
        first.stack, first.path, first.type,
        source=f"{first.source}; {second.source}",
        id=chosen.id, lookup=chosen.lookup if not chosen.id else None,
        live=first.live | second.live,
    )  # fmt: skip


def _require_unique_ids(entries: Any) -> None:
    seen: dict[tuple[str, str], str] = {}
    for entry in entries:
        if entry.id is None:
            continue
        key = (entry.type, entry.id)
        if key in seen:
            raise ConfigError(
                f"{entry.where}: import id {entry.id!r} is already imported by {seen[key]}"
            )
        seen[key] = entry.where
