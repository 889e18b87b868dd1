"""data: everything that cannot be rebuilt (database, secrets, backups)."""

from __future__ import annotations

from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.db_subnet_group import DbSubnetGroup
from cdktf_cdktf_provider_aws.ssm_parameter import SsmParameter
from constructs import Construct

from config import EnvironmentConfig
from config.estate import (
    LEGACY_BACKUP_SUFFIXES,
    PRIMARY,
    REPLICA,
    SECRETS,
    SENTRY_DSN,
    legacy_backup_key,
)
from modules.postgres import PostgresProps, PostgresWithReplica
from modules.private_bucket import PrivateBucket, PrivateBucketProps
from modules.secret_containers import SecretContainers
from stacks.base import FluxionStack
from stacks.contract import DataOutputs, NetworkOutputs, publish, read, remote_state

SENTRY_EPHEMERAL = "sentry_dsn_current"


class DataStack(FluxionStack):
    def __init__(self, scope: Construct, id_: str, *, config: EnvironmentConfig) -> None:
        super().__init__(scope, id_, config=config)
        hardened = config.hardened
        network = read(NetworkOutputs, remote_state(self, config, "network"))
        subnets = DbSubnetGroup(self, "db_subnets", subnet_ids=network.private_subnet_ids)
        secrets = SecretContainers(self, "secrets", names=SECRETS)
        db = PostgresWithReplica(
            self,
            "postgres",
            props=PostgresProps(
                identifier=PRIMARY,
                replica_identifier=REPLICA,
                db_name="fluxion_production",
                subnet_group_name=subnets.name,
                security_group_ids=[network.rds_security_group_id],
                copy_tags_to_snapshot=hardened,
                performance_insights=hardened,
                manage_master_password=hardened,
                replica_deletion_protection=hardened,
                replica_log_exports=hardened,
            ),
        )
        # Created by RDS when log export was turned on; managed here for its retention.
        CloudwatchLogGroup(
            self,
            "postgres_logs",
            name=f"/aws/rds/instance/{PRIMARY}/postgresql",
            retention_in_days=config.log_retention(7),
        )
        if hardened:
            # Created before the replica starts exporting, so RDS does not create it first.
            replica_logs = CloudwatchLogGroup(
                self,
                "replica_logs",
                name=f"/aws/rds/instance/{REPLICA}/postgresql",
                retention_in_days=config.log_retention(7),
            )
            db.replica.depends_on = [db.primary.fqn, replica_logs.fqn]
        sentry = self._sentry_parameter()
        backups = PrivateBucket(
            self,
            "backups",
            props=PrivateBucketProps(
                name=f"fluxion-backups-v4-{config.account_id}", versioned=True
            ),
        )
        for suffix in LEGACY_BACKUP_SUFFIXES:
            PrivateBucket(
                self,
                legacy_backup_key(suffix),
                props=PrivateBucketProps(
                    name=f"fluxion-backups{suffix}-{config.account_id}",
                    manage_settings=False,
                    versioned=hardened,  # old backups cannot be rebuilt either
                ),
            )
        self.outputs = DataOutputs(
            db_subnet_group_name=subnets.name,
            **{f"{key}_secret_arn": arn for key, arn in secrets.arns.items()},
            primary_endpoint=db.primary.endpoint,
            primary_address=db.primary.address,
            replica_endpoint=db.replica.endpoint,
            replica_address=db.replica.address,
            db_port=db.primary.port,
            db_name=db.primary.db_name,
            sentry_dsn_parameter_arn=sentry.arn,
            # hardened: RDS owns the master password in its own secret (same JSON keys)
            app_db_secret_arn=(
                db.primary.master_user_secret.get(0).secret_arn
                if hardened
                else secrets.arns["postgres_credentials"]
            ),
            backup_bucket_name=backups.bucket.bucket,
        )
        publish(self, self.outputs)

    def _sentry_parameter(self) -> SsmParameter:
        """/fluxion/etl/sentry-dsn, adopted without its value ever entering state or plans.

        `value_wo` is write-only: Terraform never stores it. It is fed every run from an
        ephemeral read of the parameter itself, so the provider always sees a write-only value
        (and never falls back to storing `value`), and with `value_wo_version` fixed Terraform
        never writes it either: the DSN is changed only with `aws ssm put-parameter`.
        cdktf 0.21 has no ephemeral-resource construct, hence the override.
        """
        self.add_override(
            f"ephemeral.aws_ssm_parameter.{SENTRY_EPHEMERAL}",
            {"name": SENTRY_DSN, "with_decryption": True},
        )
        return SsmParameter(
            self,
            "sentry_dsn_parameter",
            name=SENTRY_DSN,
            type="SecureString",
            value_wo=f"${{ephemeral.aws_ssm_parameter.{SENTRY_EPHEMERAL}.value}}",
            value_wo_version=1,
        )
