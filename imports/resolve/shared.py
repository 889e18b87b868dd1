"""Resolver helpers more than one step uses (log groups, buckets, IAM roles).

Steps import these from here, never from each other: each step module is one part of the
estate, and the order of `STEPS` is the only coupling between them.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from imports.resolve.context import ResolveContext


def role_entries(
    ctx: ResolveContext,
    stack: str,
    path: str,
    role: str,
    *,
    inline_paths: list[str],
    attached: dict[str, str] | None = None,
) -> None:
    """The role, its inline policy (when exactly as many as the code has) and attachments."""
    iam = ctx.client("iam")
    try:
        names = iam.list_role_policies(RoleName=role)["PolicyNames"]
    except ClientError as err:  # e.g. a target still naming a role someone deleted
        ctx.gap(f"{stack}: {path}: role {role}: {err.response['Error']['Code']}; not adopted")
        return
    ctx.add(stack, path, "aws_iam_role", role, "iam role of the resource that uses it")
    if len(names) == len(inline_paths) == 1:
        ctx.add(
            stack,
            inline_paths[0],
            "aws_iam_role_policy",
            f"{role}:{names[0]}",
            "iam.list_role_policies",
        )
    elif inline_paths:
        ctx.note(
            f"{stack}: role {role} has inline policies {names!r}; the code has "
            f"{inline_paths!r}: map them by hand"
        )
    for policy in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]:
        target = (attached or {}).get(policy["PolicyName"])
        if target:
            ctx.add(
                stack,
                target,
                "aws_iam_role_policy_attachment",
                f"{role}/{policy['PolicyArn']}",
                "iam.list_attached_role_policies",
            )


def log_group(ctx: ResolveContext, stack: str, path: str, name: str) -> None:
    groups = ctx.client("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    for group in groups:
        if group["logGroupName"] == name:
            ctx.add(
                stack,
                path,
                "aws_cloudwatch_log_group",
                name,
                "logs.describe_log_groups",
                retention_in_days=group.get("retentionInDays"),
            )
            return
    ctx.note(f"{stack}: log group {name} does not exist")


def bucket(
    ctx: ResolveContext, stack: str, key: str, name: str, *, managed: bool, policy_path: str = ""
) -> None:
    """The bucket (construct `key`) and, if `managed`, each setting resource that exists live.

    `policy_path` is the bucket policy's construct path (default `<key>/policy`).
    """
    s3 = ctx.client("s3")
    try:
        s3.head_bucket(Bucket=name)
    except ClientError as err:
        ctx.note(f"{stack}: bucket {name}: {err.response['Error']['Code']}")
        return
    ctx.add(stack, f"{key}/bucket", "aws_s3_bucket", name, "s3.head_bucket")
    if not managed:
        return
    checks: list[tuple[str, str, Any]] = [
        ("public_access", "aws_s3_bucket_public_access_block", s3.get_public_access_block),
        (
            "encryption",
            "aws_s3_bucket_server_side_encryption_configuration",
            s3.get_bucket_encryption,
        ),
        ("policy", "aws_s3_bucket_policy", s3.get_bucket_policy),
    ]
    for suffix, kind, call in checks:
        try:
            call(Bucket=name)
        except ClientError:
            ctx.note(f"{stack}: bucket {name} has no {suffix} configuration yet (will be created)")
            continue
        path = (policy_path or f"{key}/policy") if suffix == "policy" else f"{key}/{suffix}"
        ctx.add(stack, path, kind, name, f"s3.{call.__name__}")
    status = s3.get_bucket_versioning(Bucket=name).get("Status")
    if status and stack == "data":  # only the data stack manages versioning
        ctx.add(
            stack,
            f"{key}/versioning",
            "aws_s3_bucket_versioning",
            name,
            "s3.get_bucket_versioning",
            versioning_configuration={"status": status},
        )
