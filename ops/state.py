"""The state verbs: `state-restore`, `state-unlock`, `state-untaint` (docs/operations.md).

**`state-restore`**: a stack's Terraform state back to one of its versions in the state bucket.

The state bucket is versioned (the `state` stack; `tests/test_stacks_backends_and_pins.py`
asserts it), so a state overwritten with an older or damaged copy, truncated, or deleted
(a delete marker) still has its good versions. Without `--version` the verb lists them
(newest first; read-only). With `--version <id>` it shows what changes (the current state's
serial, lineage and resource count against the chosen version's), asks, and copies that
version over the key: a new current version, nothing deleted, so the damage stays in the
history. It refuses a version that is not a Terraform state, a state that is locked (a
deploy may be running: `<key>.tflock`), and a version that is already current.

**`state-unlock`**: what `terraform force-unlock <ID>` does for the S3 lockfile (`use_lockfile`:
the lock is the object `<key>.tflock`), for a lock whose run is known to be dead (a lost runner,
a killed process). Without `--lock-id` it shows the holder (read-only). With it, the ID must be
the lock's (a new run's lock is never removed by mistake); it asks, then records who unlocked
(the caller's ARN, the lock it removed, when) as `<key>.unlocks/<time>.json` beside the state,
and deletes the lock object.

**`state-untaint`**: what `terraform untaint <address>` does. A run interrupted while it created
a resource leaves that resource tainted (the next plan replaces it; for a database with
`prevent_destroy` the plan fails). Once the resource is checked healthy in AWS, this writes the
state back without the taint (serial + 1, same lineage; the bucket keeps the tainted version:
`state-restore` undoes it). It asks first and refuses a locked state or an address that is not
tainted.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any

from ops.calls import Call
from ops.errors import OpsError
from ops.verbs import OpsContext


@dataclass(frozen=True)
class Version:
    """One entry of the state object's history."""

    id: str
    modified: str
    size: int
    current: bool
    deleted: bool
    """A delete marker: the object was deleted then."""

    def line(self) -> str:
        what = "delete marker" if self.deleted else f"{self.size} bytes"
        return f"{self.id}  {self.modified}  {what}{'  (current)' if self.current else ''}"


def history(listed: dict[str, Any], key: str) -> list[Version]:
    """The versions and delete markers of exactly `key`, newest first (the current one at
    the top)."""
    rows = [
        Version(
            v["VersionId"],
            str(v["LastModified"]),
            int(v.get("Size", 0)),
            bool(v["IsLatest"]),
            deleted,
        )
        for field, deleted in (("Versions", False), ("DeleteMarkers", True))
        for v in listed.get(field, [])
        if v["Key"] == key
    ]
    # the current one first, then by time; S3 lists each kind newest first and its times have
    # whole seconds, so ties keep that order (a stable sort)
    return sorted(rows, key=lambda v: (v.current, v.modified), reverse=True)


def describe(body: bytes | None) -> str:
    """A state's serial, lineage and resource count; raises when it is not a Terraform state."""
    try:
        state = json.loads(body or b"")
        serial, lineage = state["serial"], state["lineage"]
        resources = len(state.get("resources", []))
    except (ValueError, KeyError, TypeError):
        raise ValueError("not a Terraform state (truncated or damaged)") from None
    return f"serial {serial}, lineage {lineage}, {resources} resources"


def state_restore(ctx: OpsContext, stack: str, version: str | None) -> int:
    """List `stack`'s state versions, or restore `version` (asks first)."""
    bucket, key = ctx.config.state_bucket, ctx.config.state_key(stack)
    listed = ctx.runner.read(Call("s3", "list_object_versions", {"Bucket": bucket, "Prefix": key}))
    if listed is None:  # a dry run reads nothing
        ctx.say("dry run: no call made (the versions are listed by the read above)")
        return 0
    versions = history(listed, key)
    if not versions:
        raise OpsError(f"state-restore: s3://{bucket}/{key} has no version: is {stack} deployed?")
    ctx.say(f"s3://{bucket}/{key}, newest first:")
    for row in versions:
        ctx.say(f"  {row.line()}")
    if version is None:
        ctx.say(f"restore one: python -m ops state-restore {stack} --version <id>")
        return 0
    return _restore(ctx, bucket, key, versions, version)


def _restore(ctx: OpsContext, bucket: str, key: str, versions: list[Version], version: str) -> int:
    chosen = next((v for v in versions if v.id == version and not v.deleted), None)
    if chosen is None:
        raise OpsError(
            f"state-restore: --version {version!r} is not a version of s3://{bucket}/{key}"
        )
    if chosen.current:
        ctx.say(f"{version} is already the current state: nothing to restore")
        return 0
    _unlocked(ctx, bucket, key, "state-restore")
    try:
        restored = describe(_body(ctx, bucket, key, version))
    except ValueError as err:
        raise OpsError(f"state-restore: version {version} is {err}: pick another") from None
    now = versions[0]
    try:
        current = "deleted" if now.deleted else describe(_body(ctx, bucket, key, now.id))
    except ValueError as err:
        current = str(err)
    ctx.say(f"current: {current}")
    ctx.say(f"restored: {restored} (version {version}, {chosen.modified})")
    copy = Call(
        "s3",
        "copy_object",
        {"Bucket": bucket, "Key": key,
         "CopySource": {"Bucket": bucket, "Key": key, "VersionId": version}},
    )  # fmt: skip
    if not ctx.runner.change([copy], f"restore version {version} as the current state of {key}?"):
        return 0
    ctx.say(
        f"restored: s3://{bucket}/{key} is version {version}'s copy; the damaged versions stay "
        "in the history. Next: plan the stack and compare it with the plan before the damage"
    )
    return 0


def _body(ctx: OpsContext, bucket: str, key: str, version: str) -> bytes | None:
    got = ctx.runner.read(
        Call("s3", "get_object", {"Bucket": bucket, "Key": key, "VersionId": version})
    )
    return None if got is None else bytes(got["Body"].read())


def _unlocked(ctx: OpsContext, bucket: str, key: str, verb: str) -> None:
    """Refuse when `key` is locked (a run may be writing it)."""
    locks = ctx.runner.read(
        Call("s3", "list_objects_v2", {"Bucket": bucket, "Prefix": f"{key}.tflock"})
    )
    if (locks or {}).get("KeyCount"):
        raise OpsError(
            f"{verb}: s3://{bucket}/{key}.tflock: the state is locked (a deploy may be "
            "running): wait for it, or release a dead one first (python -m ops state-unlock)"
        )


def state_unlock(ctx: OpsContext, stack: str, lock_id: str | None) -> int:
    """Show `stack`'s lock holder; with the lock's own ID, remove it (asks, records who)."""
    bucket, key = ctx.config.state_bucket, ctx.config.state_key(stack)
    lock_key = f"{key}.tflock"
    listed = ctx.runner.read(Call("s3", "list_objects_v2", {"Bucket": bucket, "Prefix": lock_key}))
    if listed is None:
        ctx.say("dry run: no call made")
        return 0
    if not listed.get("KeyCount"):
        ctx.say(f"s3://{bucket}/{lock_key}: not locked: nothing to unlock")
        return 0
    got = ctx.runner.read(Call("s3", "get_object", {"Bucket": bucket, "Key": lock_key}))
    try:
        lock = json.loads(got["Body"].read())
        holder = f"{lock['Who']} since {lock['Created']} ({lock['Operation']}, lock {lock['ID']})"
    except (ValueError, KeyError, TypeError):
        raise OpsError(f"state-unlock: s3://{bucket}/{lock_key} is not a Terraform lock") from None
    ctx.say(f"locked by {holder}")
    if lock_id is None:
        ctx.say(
            "only once that run is known to be dead (its runner gone, its process killed): "
            f"python -m ops state-unlock {stack} --lock-id {lock['ID']}"
        )
        return 0
    if lock_id != lock["ID"]:
        raise OpsError(
            f"state-unlock: --lock-id {lock_id!r} is not the lock's ({lock['ID']}): another run "
            "holds it now; check it before unlocking"
        )
    return _unlock(ctx, bucket, key, lock)


def _unlock(ctx: OpsContext, bucket: str, key: str, lock: dict[str, Any]) -> int:
    caller = ctx.runner.read(Call("sts", "get_caller_identity", {}))
    now = ctx.now().astimezone(datetime.UTC).strftime("%Y-%m-%dT%H%M%SZ")
    record = {"unlocked_by": (caller or {}).get("Arn", "unknown"), "at": now, "lock": lock}
    calls = [
        Call("s3", "put_object", {"Bucket": bucket, "Key": f"{key}.unlocks/{now}.json",
                                  "Body": json.dumps(record, sort_keys=True)}),
        Call("s3", "delete_object", {"Bucket": bucket, "Key": f"{key}.tflock"}),
    ]  # fmt: skip
    if not ctx.runner.change(calls, f"remove lock {lock['ID']} of {key} (its run is dead)?"):
        return 0
    ctx.say(
        f"unlocked: {key} (recorded in s3://{bucket}/{key}.unlocks/{now}.json); next: plan "
        "the stack again (a run killed mid-apply may have left resources it had not recorded)"
    )
    return 0


def state_untaint(ctx: OpsContext, stack: str, addresses: list[str]) -> int:
    """Remove the taint of `addresses` in `stack`'s state (asks; the old version stays)."""
    bucket, key = ctx.config.state_bucket, ctx.config.state_key(stack)
    _unlocked(ctx, bucket, key, "state-untaint")
    got = ctx.runner.read(Call("s3", "get_object", {"Bucket": bucket, "Key": key}))
    if got is None:
        ctx.say("dry run: no call made")
        return 0
    state = json.loads(got["Body"].read())
    instances = {
        address: [
            instance
            for resource in state.get("resources", [])
            if resource.get("mode") == "managed"
            and f"{resource['type']}.{resource['name']}" == address
            for instance in resource.get("instances", [])
            if instance.get("status") == "tainted"
        ]
        for address in addresses
    }
    if clean := [address for address, found in instances.items() if not found]:
        raise OpsError(f"state-untaint: {', '.join(clean)} not tainted in s3://{bucket}/{key}")
    for address, found in instances.items():
        for instance in found:
            ctx.say(f"{address}: tainted, id {instance.get('attributes', {}).get('id')}")
            del instance["status"]
    state["serial"] += 1
    put = Call(
        "s3", "put_object",
        {"Bucket": bucket, "Key": key, "Body": json.dumps(state, indent=2).encode(),
         "ContentType": "application/json"},
        redacted=("Body",),
    )  # fmt: skip
    if not ctx.runner.change([put], "untaint them (checked healthy in AWS first)?"):
        return 0
    ctx.say(f"untainted: {', '.join(addresses)} (serial {state['serial']}); next: plan {stack}")
    return 0
