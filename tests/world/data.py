"""The data step's part of the world: parameter groups, instances, secrets, buckets."""

from __future__ import annotations

import json
from typing import Any

from config import EnvironmentConfig
from config.estate import (
    LEGACY_BACKUP_SUFFIXES,
    PRIMARY,
    REPLICA,
    SECRETS,
    SENTRY_DSN,
    az_key,
    backup_bucket,
    legacy_backup_key,
)


def data(
    client: Any,
    env: EnvironmentConfig,
    subnets: dict[str, str],
    sgs: dict[str, str],
    ids: dict[str, str],
) -> None:
    rds = client("rds")
    for key in ("primary", "replica"):
        name = f"fluxionstackv2-{key}params-1abc"
        rds.create_db_parameter_group(
            DBParameterGroupName=name,
            DBParameterGroupFamily="postgres16",
            Description="Parameter group for postgres16",
        )
        ids[f"postgres/{key}_params"] = name
    rds.create_db_subnet_group(
        DBSubnetGroupName="fluxionstackv2-dbsubnets-1abc",
        DBSubnetGroupDescription="db",
        SubnetIds=[subnets[f"vpc/private_{az_key(az)}"] for az in env.network.azs],
    )
    ids["db_subnets"] = "fluxionstackv2-dbsubnets-1abc"
    rds.create_db_instance(
        DBInstanceIdentifier=PRIMARY,
        Engine="postgres",
        EngineVersion="16.3",
        DBInstanceClass="db.t3.medium",
        AllocatedStorage=100,
        MasterUsername=env.database.master_username,
        MasterUserPassword="emulator-only-1",
        DBSubnetGroupName=ids["db_subnets"],
        VpcSecurityGroupIds=[sgs["rds"]],
        DBParameterGroupName=ids["postgres/primary_params"],
    )
    rds.create_db_instance_read_replica(
        DBInstanceIdentifier=REPLICA,
        SourceDBInstanceIdentifier=PRIMARY,
        DBInstanceClass="db.t3.medium",
        DBParameterGroupName=ids["postgres/replica_params"],
    )
    ids["postgres/primary"], ids["postgres/replica"] = PRIMARY, REPLICA
    sm = client("secretsmanager")
    for key, name in SECRETS.items():
        ids[f"secrets/{key}"] = sm.create_secret(Name=name)["ARN"]
    client("ssm").put_parameter(Name=SENTRY_DSN, Type="SecureString", Value="emulator-placeholder")
    logs = client("logs")
    name = f"/aws/rds/instance/{PRIMARY}/postgresql"
    logs.create_log_group(logGroupName=name)
    logs.put_retention_policy(logGroupName=name, retentionInDays=7)
    ids["postgres_logs"] = name
    s3, account = client("s3"), env.account_id
    backups = backup_bucket(account)
    for name in (backups, *(backup_bucket(account, s) for s in LEGACY_BACKUP_SUFFIXES)):
        s3.create_bucket(Bucket=name)
    protect(s3, backups)
    s3.put_bucket_versioning(Bucket=backups, VersioningConfiguration={"Status": "Enabled"})
    ids.update(
        {
            "backups/bucket": backups,
            "backups/versioning": backups,
            "backups/public_access": backups,
            "backups/policy": backups,
            "backups/encryption": backups,
        }
        | {
            f"{legacy_backup_key(s)}/bucket": backup_bucket(account, s)
            for s in LEGACY_BACKUP_SUFFIXES
        }
    )


def protect(s3: Any, bucket: str) -> None:
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_policy(
        Bucket=bucket,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": f"arn:aws:s3:::{bucket}/*",
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    }
                ],
            }
        ),
    )
