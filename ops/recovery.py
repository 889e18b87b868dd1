"""The recovery rehearsal's verbs: a snapshot to the recovery region, and what came back.

The runbook (docs/environments.md, "Recovery"): `snapshot-copy` in the environment that is
lost (or rehearsed), then `FLUXION_ENV=<env>-recovery FLUXION_RESTORE_SNAPSHOT=<arn> make
synth deploy` builds `state`, `identity`, `network`, `data` (the primary created from the
snapshot) and `compute` in the recovery region (a recovery synthesizes no `edge`), then
`recovery-status` in the recovery environment.
"""

from __future__ import annotations

from typing import Any

from ops.calls import Call
from ops.errors import OpsError
from ops.verbs import OpsContext, instance_id, wait_for_snapshot
from ops.verbs import status as estate_status


def newest_snapshot(snapshots: list[dict[str, Any]]) -> dict[str, Any]:
    """The newest available snapshot (manual or automated): what a recovery restores."""
    available = [s for s in snapshots if s.get("Status") == "available"]
    if not available:
        raise OpsError(
            "snapshot-copy: the primary has no available snapshot (python -m ops snapshot-db)"
        )
    return max(
        available, key=lambda s: (s.get("SnapshotCreateTime") or "", s["DBSnapshotIdentifier"])
    )


def copy_name(snapshot_id: str) -> str:
    """The copy's identifier: `recovery-` and the source's (an automated one's `rds:` dropped)."""
    return "recovery-" + snapshot_id.removeprefix("rds:").replace(":", "-")


def snapshot_copy(
    ctx: OpsContext, to_region: str, snapshot: str | None, kms_key: str, wait_seconds: float
) -> int:
    """Copy the primary's newest available snapshot (or `snapshot`) to `to_region`; waits, then
    prints the copy's ARN and the command that builds the recovery environment from it."""
    if to_region == ctx.config.region:
        raise OpsError(f"snapshot-copy: --to-region {to_region} is {ctx.config.name}'s own region")
    primary = ctx.config.names.primary
    listed = ctx.runner.read(
        Call("rds", "describe_db_snapshots", {"DBInstanceIdentifier": primary})
    )
    if listed is None:  # a dry run reads nothing, so there is no snapshot to name
        ctx.say(
            f"dry run: no call made (rds.copy_db_snapshot of the newest snapshot to {to_region})"
        )
        return 0
    found = listed.get("DBSnapshots", [])
    source = (
        next((s for s in found if s["DBSnapshotIdentifier"] == snapshot), None)
        if snapshot
        else newest_snapshot(found)
    )
    if source is None:
        raise OpsError(f"snapshot-copy: --snapshot {snapshot!r} is not a snapshot of {primary}")
    target = copy_name(source["DBSnapshotIdentifier"])
    copy = Call(
        "rds",
        "copy_db_snapshot",
        {
            "SourceDBSnapshotIdentifier": source["DBSnapshotArn"],
            "TargetDBSnapshotIdentifier": target,
            "KmsKeyId": kms_key,
            "SourceRegion": ctx.config.region,
            "CopyTags": True,
        },
        region=to_region,
    )
    if not ctx.runner.change(
        [copy], f"copy {source['DBSnapshotIdentifier']} to {to_region} as {target}?"
    ):
        return 0
    copied = wait_for_snapshot(ctx, target, wait_seconds, 15, region=to_region)
    ctx.say(f"copied: {copied['DBSnapshotArn']} ({copied['Status']})")
    ctx.say(
        f"next: FLUXION_ENV={ctx.config.name}-recovery "
        f"FLUXION_RESTORE_SNAPSHOT={copied['DBSnapshotArn']} make synth deploy"
    )
    return 0 if copied["Status"] == "available" else 1


def status(ctx: OpsContext) -> int:
    """A recovery environment's health: `status` (exit 1 when unhealthy), after its primary."""
    if not ctx.config.recovers:
        raise OpsError(f"recovery-status: {ctx.config.name} is not a recovery environment")
    primary = instance_id(ctx.outputs.get("data", "primary_address"))
    ctx.say(f"{ctx.config.name} recovers {ctx.config.recovers} in {ctx.config.region}")
    found = ctx.runner.read(Call("rds", "describe_db_instances", {"DBInstanceIdentifier": primary}))
    for row in (found or {}).get("DBInstances", []):
        ctx.say(f"{primary}: {row.get('DBInstanceStatus')}, database {row.get('DBName')}")
    return estate_status(ctx)
