"""RDS instances with their subnet and parameter groups, secrets, SSM, log group, buckets."""

from __future__ import annotations

from botocore.exceptions import ClientError

from config.estate import (
    LEGACY_BACKUP_SUFFIXES,
    PRIMARY,
    REPLICA,
    SECRETS,
    SENTRY_DSN,
    backup_bucket,
    legacy_backup_key,
)
from imports.resolve.context import ResolveContext
from imports.resolve.shared import bucket, log_group


def resolve(ctx: ResolveContext) -> None:
    rds = ctx.client("rds")
    for path, identifier in (("postgres/primary", PRIMARY), ("postgres/replica", REPLICA)):
        try:
            (db,) = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"]
        except ClientError as err:
            ctx.gap(f"data: {identifier}: {err.response['Error']['Code']}")
            continue
        live = {
            "instance_class": db["DBInstanceClass"],
            "copy_tags_to_snapshot": db.get("CopyTagsToSnapshot", False),
            "deletion_protection": db.get("DeletionProtection", False),
        }
        if path == "postgres/primary":  # a replica follows its source's version and user
            live["engine_version"] = db["EngineVersion"]
            live["username"] = db.get("MasterUsername")
        ctx.add("data", path, "aws_db_instance", identifier, "rds.describe_db_instances", **live)
        groups = [g["DBParameterGroupName"] for g in db.get("DBParameterGroups", [])]
        if len(groups) == 1:
            ctx.add(
                "data",
                f"{path}_params",
                "aws_db_parameter_group",
                groups[0],
                f"rds.describe_db_instances {identifier} DBParameterGroups",
            )
        sgs = [g["VpcSecurityGroupId"] for g in db.get("VpcSecurityGroups", [])]
        if len(sgs) == 1:
            ctx.facts.setdefault("security_groups", {})["rds"] = sgs[0]
        if path == "postgres/primary" and db.get("DBSubnetGroup"):
            ctx.add(
                "data",
                "db_subnets",
                "aws_db_subnet_group",
                db["DBSubnetGroup"]["DBSubnetGroupName"],
                f"rds.describe_db_instances {identifier} DBSubnetGroup",
            )
    _secrets(ctx)
    ssm = ctx.client("ssm")
    params = ssm.describe_parameters(
        ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": [SENTRY_DSN]}]
    )["Parameters"]
    # Out of band by design (stacks/data.py): checked for, never adopted, its value never read.
    if not params:
        ctx.note(f"data: {SENTRY_DSN}: missing; the ETL tasks need it (aws ssm put-parameter)")
    log_group(ctx, "data", "postgres_logs", f"/aws/rds/instance/{PRIMARY}/postgresql")
    account = ctx.env.account_id
    bucket(ctx, "data", "backups", backup_bucket(account), managed=True)
    for suffix in LEGACY_BACKUP_SUFFIXES:
        key = legacy_backup_key(suffix)
        bucket(ctx, "data", key, backup_bucket(account, suffix), managed=False)


def _secrets(ctx: ResolveContext) -> None:
    sm = ctx.client("secretsmanager")
    for key, name in SECRETS.items():
        try:
            secret = sm.describe_secret(SecretId=name)  # metadata only, never the value
        except ClientError as err:
            ctx.note(f"data: secret {name}: {err.response['Error']['Code']}")
            continue
        ctx.facts.setdefault("secret_arns", {})[name] = secret["ARN"]
        ctx.add(
            "data",
            f"secrets/{key}",
            "aws_secretsmanager_secret",
            secret["ARN"],
            "secretsmanager.describe_secret",
            name=name,
        )
