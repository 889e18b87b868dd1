"""PostgreSQL primary + streaming read replica, each with its own parameter group.

Every value comes from the caller (`config.DatabaseConfig` holds the live ones). Parameters
are written in the engine's own units (kB, 8 kB pages, ms), because RDS stores and returns them
that way: writing "64MB" would show as a change on every plan.
"""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from config import ConfigError
from runtime.engine.aws.db_instance import DbInstance
from runtime.engine.aws.db_parameter_group import DbParameterGroup, DbParameterGroupParameter
from runtime.engine.core import TerraformResourceLifecycle

# Parameters RDS applies only after a reboot; AWS rejects apply_method "immediate" for them.
STATIC_PARAMETERS = frozenset(
    {
        "max_connections",
        "max_worker_processes",
        "shared_buffers",
        "shared_preload_libraries",
        "max_wal_senders",
        "max_replication_slots",
        "wal_buffers",
        "huge_pages",
    }
)


@dataclass(frozen=True)
class PostgresProps:
    identifier: str
    """The primary's DB instance identifier (ForceNew)."""
    replica_identifier: str | None
    """The read replica's identifier (ForceNew); None: no replica (`features.replica` off)."""
    db_name: str
    """The database created on the primary (ForceNew)."""
    subnet_group_name: str
    """The DB subnet group both instances live in."""
    security_group_ids: list[str]
    """The instances' security groups."""
    master_username: str
    """Read back on import; a different value would replace the database (ForceNew)."""
    engine_major_version: str
    """Major only (e.g. `16`): RDS applies minor upgrades itself; a full version would diff.
    The parameter groups' family is `postgres<major>`, their description AWS CDK's default
    (`Parameter group for <family>`, ForceNew: it must equal the live text)."""
    instance_class: str
    """The primary's DB instance class."""
    replica_instance_class: str
    """The replica's DB instance class."""
    allocated_storage_gib: int
    """The primary's storage, GiB (gp3)."""
    max_allocated_storage_gib: int
    """Storage autoscaling ceiling, GiB."""
    backup_retention_days: int
    """Days of automated backups (at least 1: a replica needs them)."""
    backup_window: str
    """Daily backup window, UTC (`hh:mm-hh:mm`)."""
    maintenance_window: str
    """Weekly maintenance window, UTC (`ddd:hh:mm-ddd:hh:mm`)."""
    parameters: dict[str, str]
    """The primary's parameter group values, in the engine's units."""
    replica_parameters: dict[str, str]
    """The replica's parameter group values."""
    copy_tags_to_snapshot: bool = False
    """Copy the instance's tags to its snapshots. Default: off (the provider's default)."""
    performance_insights: bool = False
    """Performance Insights with the free 7-day retention, on both instances. Default: off."""
    manage_master_password: bool = False
    """Let RDS own the master password in a secret of its own (`master_user_secret`).
    Default: off (the password is the caller's)."""
    master_password: tuple[str, float] | None = None
    """(write-only password, its version) for creating the primary; ignored once it exists.
    Default: none (an adopted primary needs none)."""
    replica_deletion_protection: bool = False
    """Deletion protection on the replica (the primary always has it). Default: off."""
    replica_log_exports: bool = False
    """Export the replica's PostgreSQL log to CloudWatch. Default: off."""

    snapshot_identifier: str | None = None
    """Create the primary from this DB snapshot (a recovery environment); its data, database
    name and master user come from the snapshot. Default: none (an empty database)."""

    def __post_init__(self) -> None:
        if self.manage_master_password and self.master_password is not None:
            raise ConfigError("master_password: give it or manage_master_password, not both")

    @property
    def parameter_family(self) -> str:
        return f"postgres{self.engine_major_version}"


class PostgresWithReplica(Construct):
    def __init__(self, scope: Construct, id_: str, *, props: PostgresProps) -> None:
        super().__init__(scope, id_)
        primary_params = self._parameter_group("primary_params", props, props.parameters)
        self.primary = self._primary(props, primary_params)
        self.replica: DbInstance | None = None
        if props.replica_identifier:
            replica_params = self._parameter_group(
                "replica_params", props, props.replica_parameters
            )
            self.replica = self._replica(props, props.replica_identifier, replica_params)

    def _primary(self, props: PostgresProps, params: DbParameterGroup) -> DbInstance:
        """The primary: encrypted, private, deletion-protected, its password write-only."""
        password, password_version = props.master_password or (None, None)
        return DbInstance(
            self,
            "primary",
            identifier=props.identifier,
            engine="postgres",
            engine_version=props.engine_major_version,
            instance_class=props.instance_class,
            allocated_storage=props.allocated_storage_gib,
            max_allocated_storage=props.max_allocated_storage_gib,
            storage_type="gp3",
            storage_encrypted=True,
            multi_az=False,
            publicly_accessible=False,
            db_name=None if props.snapshot_identifier else props.db_name,
            snapshot_identifier=props.snapshot_identifier,
            db_subnet_group_name=props.subnet_group_name,
            vpc_security_group_ids=props.security_group_ids,
            parameter_group_name=params.name,
            backup_retention_period=props.backup_retention_days,
            backup_window=props.backup_window,
            maintenance_window=props.maintenance_window,
            enabled_cloudwatch_logs_exports=["postgresql"],
            deletion_protection=True,
            auto_minor_version_upgrade=True,  # AWS CDK's default, live; stated for the scanner
            # unset (None) = the provider's default, which is the live value in `adopt`
            copy_tags_to_snapshot=props.copy_tags_to_snapshot or None,
            performance_insights_enabled=props.performance_insights or None,
            performance_insights_retention_period=7 if props.performance_insights else None,
            username=props.master_username,
            manage_master_user_password=props.manage_master_password or None,
            password_wo=password,
            password_wo_version=password_version,
            skip_final_snapshot=False,
            final_snapshot_identifier=f"{props.identifier}-final",
            # Neither the live password (fluxion/postgres-credentials) nor a new one is ever in
            # this config or the state: `password_wo` is write-only, used when creating.
            lifecycle=TerraformResourceLifecycle(
                prevent_destroy=True,
                ignore_changes=["password_wo_version"] if password_version else None,
            ),
        )

    def _replica(
        self, props: PostgresProps, identifier: str, params: DbParameterGroup
    ) -> DbInstance:
        """The read replica (the backend's reads), after the primary."""
        return DbInstance(
            self,
            "replica",
            identifier=identifier,
            replicate_source_db=props.identifier,
            instance_class=props.replica_instance_class,
            storage_encrypted=True,
            publicly_accessible=False,
            vpc_security_group_ids=props.security_group_ids,
            parameter_group_name=params.name,
            auto_minor_version_upgrade=True,
            copy_tags_to_snapshot=props.copy_tags_to_snapshot or None,
            performance_insights_enabled=props.performance_insights or None,
            performance_insights_retention_period=7 if props.performance_insights else None,
            deletion_protection=props.replica_deletion_protection or None,
            enabled_cloudwatch_logs_exports=["postgresql"] if props.replica_log_exports else None,
            # AWS takes no final snapshot of a read replica (it holds no data of its own).
            skip_final_snapshot=True,
            lifecycle=TerraformResourceLifecycle(prevent_destroy=True),
            depends_on=[self.primary],
        )

    def _parameter_group(
        self, id_: str, props: PostgresProps, values: dict[str, str]
    ) -> DbParameterGroup:
        return DbParameterGroup(
            self,
            id_,
            family=props.parameter_family,
            description=f"Parameter group for {props.parameter_family}",
            parameter=[
                DbParameterGroupParameter(
                    name=name,
                    value=value,
                    apply_method="pending-reboot" if name in STATIC_PARAMETERS else "immediate",
                )
                for name, value in sorted(values.items())
            ],
        )
