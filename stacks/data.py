"""data: everything that cannot be rebuilt (database, secrets, backups)."""

from __future__ import annotations

from collections.abc import Mapping

from constructs import Construct

from config import EnvironmentConfig
from config.estate import LEGACY_BACKUP_SUFFIXES, SECRETS, legacy_backup_key
from modules.postgres import PostgresProps, PostgresWithReplica
from modules.private_bucket import PrivateBucket, PrivateBucketProps
from modules.secret_containers import SecretContainers, SecretContainersProps
from policies.arns import Arns
from runtime.engine.aws.cloudwatch_log_group import CloudwatchLogGroup
from runtime.engine.aws.db_subnet_group import DbSubnetGroup
from runtime.engine.core import TerraformVariable, Token
from stacks.base import FluxionStack
from stacks.contract import DataOutputs, NetworkOutputs, publish, read, remote_state

FORCE_SSL = {"rds.force_ssl": "1"}
"""`force_ssl`: both instances refuse connections without TLS (dynamic: applied at once).
The drivers' default `sslmode=prefer` already negotiates TLS with RDS; check before rollout."""

MASTER_PASSWORD_VARIABLE = "db_master_password"
MASTER_PASSWORD_VERSION_VARIABLE = "db_master_password_version"


class DataStack(FluxionStack):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: EnvironmentConfig,
        live: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id_, config=config, live=live)
        network = read(NetworkOutputs, remote_state(self, config, "network"))
        subnets = DbSubnetGroup(self, "db_subnets", subnet_ids=network.private_subnet_ids)
        # app_db_secret: the backend's own database user, no longer the master (empty container)
        app_db = {"app_db": config.names.app_db_secret} if config.hardening.app_db_secret else {}
        names = config.names.secrets | app_db
        secrets = SecretContainers(self, "secrets", props=SecretContainersProps(names=names))
        db = self._database(subnets, network)
        self._database_logs(db)
        backups = self._backups()
        # Without a replica (`features.replica` off) the backend reads from the primary.
        reads = db.replica or db.primary
        self.outputs = DataOutputs(
            db_subnet_group_name=subnets.name,
            **{f"{key}_secret_arn": secrets.arns[key] for key in SECRETS},
            primary_endpoint=db.primary.endpoint,
            primary_address=db.primary.address,
            replica_endpoint=reads.endpoint,
            replica_address=reads.address,
            db_port=db.primary.port,
            db_name=db.primary.db_name,
            sentry_dsn_parameter_arn=Arns(config).sentry_dsn,
            # the secret the backend logs in with: the application user's with
            # `backend_app_db_user`, else the master's (as live)
            app_db_secret_arn=secrets.arns[
                "app_db" if config.hardening.backend_app_db_user else "postgres_credentials"
            ],
            backup_bucket_name=backups.bucket.bucket,
            primary_identifier=db.primary.identifier,
            replica_identifier=reads.identifier,
        )
        publish(self, self.outputs, config)

    def _database(self, subnets: DbSubnetGroup, network: NetworkOutputs) -> PostgresWithReplica:
        """The primary and its read replica (`prevent_destroy`, the plan gate guards them)."""
        database, switch = self.config.database, self.config.hardening
        force_ssl = FORCE_SSL if switch.force_ssl else {}
        return PostgresWithReplica(
            self,
            "postgres",
            props=PostgresProps(
                identifier=self.config.names.primary,
                replica_identifier=self.config.names.replica
                if self.config.features.replica
                else None,
                snapshot_identifier=self.config.restore_snapshot or None,
                db_name=database.db_name,
                subnet_group_name=subnets.name,
                security_group_ids=[network.rds_security_group_id],
                engine_major_version=database.engine_major_version,
                instance_class=database.instance_class,
                replica_instance_class=database.replica_instance_class,
                allocated_storage_gib=database.allocated_storage_gib,
                max_allocated_storage_gib=database.max_allocated_storage_gib,
                backup_retention_days=database.backup_retention_days,
                backup_window=database.backup_window,
                maintenance_window=database.maintenance_window,
                copy_tags_to_snapshot=switch.copy_tags_to_snapshot,
                performance_insights=switch.performance_insights,
                master_username=database.master_username,
                manage_master_password=switch.managed_master_password,
                master_password=(
                    None
                    if switch.managed_master_password or self.config.restore_snapshot
                    else self._master_password()
                ),
                replica_deletion_protection=switch.deletion_protection,
                replica_log_exports=switch.replica_log_export,
                parameters=dict(database.parameters) | force_ssl,
                replica_parameters=(
                    dict(database.parameters) | dict(database.replica_extra_parameters) | force_ssl
                ),
            ),
        )

    def _database_logs(self, db: PostgresWithReplica) -> None:
        """The instances' PostgreSQL log groups, managed for their retention."""
        # Created by RDS when log export was turned on; managed here for its retention.
        CloudwatchLogGroup(
            self,
            "postgres_logs",
            name=self.config.names.database_log_group(self.config.names.primary),
            retention_in_days=self.config.log_retention(self.config.database.log_retention_days),
        )
        if not self.config.hardening.replica_log_export or db.replica is None:
            return
        # Created before the replica starts exporting, so RDS does not create it first.
        replica_logs = CloudwatchLogGroup(
            self,
            "replica_logs",
            name=self.config.names.database_log_group(self.config.names.replica),
            retention_in_days=self.config.log_retention(self.config.database.log_retention_days),
        )
        # A plain address: `fqn` renders "${...}", which Terraform rejects in depends_on.
        logs = f"{replica_logs.terraform_resource_type}.{replica_logs.friendly_unique_id}"
        db.replica.depends_on = [*(db.replica.depends_on or []), logs]

    def _backups(self) -> PrivateBucket:
        """The managed backup bucket, and the legacy ones adopted as they are."""
        names = self.config.names
        backups = PrivateBucket(
            self,
            "backups",
            props=PrivateBucketProps(
                name=names.backup_bucket(), versioned=True, **self.fresh_bucket_settings()
            ),
        )
        for suffix in LEGACY_BACKUP_SUFFIXES if self.config.features.legacy_backups else ():
            PrivateBucket(
                self,
                legacy_backup_key(suffix),
                props=PrivateBucketProps(
                    name=names.backup_bucket(suffix),
                    # off: as live (no settings); on: public access block, SSE and a TLS-only
                    # policy, as the managed bucket has, and versions (old backups cannot be
                    # rebuilt either)
                    manage_settings=self.config.hardening.legacy_backups_locked,
                    versioned=self.config.hardening.legacy_backups_locked,
                ),
            )
        return backups

    def _master_password(self) -> tuple[str, float]:
        """The master password for a *new* primary, from an ephemeral input variable.

        `adopt` mirrors the live database, whose password AWS CDK put in
        fluxion/postgres-credentials; Terraform never reads or stores it. Creating a primary
        (a fresh environment, a restore) needs one, so `TF_VAR_db_master_password` (ephemeral:
        never in a plan or state) feeds the write-only `password_wo`, with
        `TF_VAR_db_master_password_version=1`. Both default to null: adopting or planning the
        existing database sends no password. After creation the password is rotated in the
        secret, not here (the version is ignored after create). Put the same value in
        fluxion/postgres-credentials for the application.
        """
        password = TerraformVariable(
            self,
            MASTER_PASSWORD_VARIABLE,
            type="string",
            sensitive=True,
            nullable=True,
            description="Master password for a new primary only (TF_VAR_db_master_password)",
        )
        password.add_override("ephemeral", True)  # cdktf 0.21's TerraformVariable lacks it
        version = TerraformVariable(
            self,
            MASTER_PASSWORD_VERSION_VARIABLE,
            type="number",
            nullable=True,
            description="1 with db_master_password when creating a primary; null otherwise",
        )
        for variable in (password, version):  # an explicit null default: not required
            variable.add_override("default", Token.null_value())
        return password.string_value, version.number_value
