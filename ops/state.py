"""`state-restore`: a stack's Terraform state back to one of its versions in the state bucket.

The state bucket is versioned (the `state` stack; `tests/test_stacks_backends_and_pins.py`
asserts it), so a state overwritten with an older or damaged copy, truncated, or deleted
(a delete marker) still has its good versions. Without `--version` the verb lists them
(newest first; read-only). With `--version <id>` it shows what changes (the current state's
serial, lineage and resource count against the chosen version's), asks, and copies that
version over the key: a new current version, nothing deleted, so the damage stays in the
history. It refuses a version that is not a Terraform state, a state that is locked (a
deploy may be running: `<key>.tflock`), and a version that is already current.
"""

from __future__ import annotations

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
    locks = ctx.runner.read(
        Call("s3", "list_objects_v2", {"Bucket": bucket, "Prefix": f"{key}.tflock"})
    )
    if (locks or {}).get("KeyCount"):
        raise OpsError(
            f"state-restore: s3://{bucket}/{key}.tflock: the state is locked (a deploy may be "
            "running): wait for it, or release a dead one first (terraform force-unlock)"
        )
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
