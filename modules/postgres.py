"""PostgreSQL primary + streaming read replica, each with its own parameter group.

Values are the live ones (seed: "Base de Datos"). Parameters are written in the engine's own
units (kB, 8 kB pages, ms), because RDS stores and returns them that way: writing "64MB" would
show as a change on every plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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

PRIMARY_PARAMETERS = {
    "work_mem": "65536",  # 64 MB in kB
    "maintenance_work_mem": "131072",  # 128 MB in kB
    "effective_cache_size": "393216",  # 3 GB in 8 kB pages
    "random_page_cost": "1.1",
    "max_parallel_workers": "4",
    "log_min_duration_statement": "1000",  # ms
}
REPLICA_EXTRA_PARAMETERS = {
    "max_standby_streaming_delay": "900000",  # 900 s in ms
    "max_standby_archive_delay": "900000",
    "hot_standby_feedback": "1",
}


@dataclass(frozen=True)
class PostgresProps:
    identifier: str
    """The primary's DB instance identifier (ForceNew)."""
    replica_identifier: str
    """The read replica's identifier (ForceNew)."""
    db_name: str
    """The database created on the primary (ForceNew)."""
    subnet_group_name: str
    """The DB subnet group both instances live in."""
    security_group_ids: list[str]
    """The instances' security groups."""
    master_username: str
    """Read back on import; a different value would replace the database (ForceNew)."""
    engine_major_version: str = "16"
    """Major only: RDS applies minor upgrades itself (live 16.3); a full version would diff.
    Default: 16."""
    instance_class: str = "db.t3.medium"
    """The primary's class. Default: db.t3.medium (as live)."""
    replica_instance_class: str = "db.t3.medium"
    """The replica's class. Default: db.t3.medium (as live)."""
    allocated_storage_gb: int = 100
    """The primary's storage in GiB. Default: 100 (as live)."""
    max_allocated_storage_gb: int = 500
    """Storage autoscaling ceiling in GiB. Default: 500 (as live)."""
    backup_retention_days: int = 7
    """Days of automated backups (at least 1: a replica needs them). Default: 7 (as live)."""
    backup_window: str = "03:00-04:00"
    """Daily backup window, UTC. Default: 03:00-04:00 (as live)."""
    maintenance_window: str = "sun:04:00-sun:05:00"
    """Weekly maintenance window, UTC. Default: Sunday 04:00-05:00 (as live)."""
    parameter_family: str = "postgres16"
    """Parameter group family; must match `engine_major_version`. Default: postgres16."""
    parameter_group_description: str = "Parameter group for postgres16"
    """ForceNew: must equal the live text (AWS CDK's default, `Parameter group for <family>`).
    Default: that text for postgres16."""
    copy_tags_to_snapshot: bool = False
    """Copy the instance's tags to its snapshots. Default: off (as live)."""
    performance_insights: bool = False
    """Performance Insights with the free 7-day retention, on both instances. Default: off
    (as live)."""
    manage_master_password: bool = False
    """Let RDS own the master password in a secret of its own (`master_user_secret`).
    Default: off (as live: the password is AWS CDK's generated secret)."""
    master_password: tuple[str, float] | None = None
    """(write-only password, its version) for creating the primary; ignored once it exists.
    Default: none (an adopted primary needs none)."""
    replica_deletion_protection: bool = False
    """Deletion protection on the replica (the primary always has it). Default: off (as
    live)."""
    replica_log_exports: bool = False
    """Export the replica's PostgreSQL log to CloudWatch. Default: off (as live)."""
    parameters: dict[str, str] = field(default_factory=lambda: dict(PRIMARY_PARAMETERS))
    """The primary's parameter group values. Default: the live ones (`PRIMARY_PARAMETERS`)."""
    replica_parameters: dict[str, str] = field(
        default_factory=lambda: PRIMARY_PARAMETERS | REPLICA_EXTRA_PARAMETERS
    )
    """The replica's parameter group values. Default: the primary's and
    `REPLICA_EXTRA_PARAMETERS` (as live)."""

    def __post_init__(self) -> None:
        if not self.parameter_family.endswith(self.engine_major_version):
            raise ConfigError(
                f"parameter_family: {self.parameter_family!r} does not match engine major "
                f"version {self.engine_major_version!r}"
            )
        if self.max_allocated_storage_gb < self.allocated_storage_gb:
            raise ConfigError(
                f"max_allocated_storage_gb: {self.max_allocated_storage_gb} is below "
                f"allocated_storage_gb {self.allocated_storage_gb}"
            )
        if self.manage_master_password and self.master_password is not None:
            raise ConfigError("master_password: give it or manage_master_password, not both")
        if self.backup_retention_days < 1:
            raise ConfigError(
                f"backup_retention_days: {self.backup_retention_days}; a replica needs backups"
            )


class PostgresWithReplica(Construct):
    def __init__(self, scope: Construct, id_: str, *, props: PostgresProps) -> None:
        super().__init__(scope, id_)
        primary_params = self._parameter_group("primary_params", props, props.parameters)
        replica_params = self._parameter_group("replica_params", props, props.replica_parameters)
        self.primary = self._primary(props, primary_params)
        self.replica = self._replica(props, replica_params)

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
            allocated_storage=props.allocated_storage_gb,
            max_allocated_storage=props.max_allocated_storage_gb,
            storage_type="gp3",
            storage_encrypted=True,
            multi_az=False,
            publicly_accessible=False,
            db_name=props.db_name,
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

    def _replica(self, props: PostgresProps, params: DbParameterGroup) -> DbInstance:
        """The read replica (the backend's reads), after the primary."""
        return DbInstance(
            self,
            "replica",
            identifier=props.replica_identifier,
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
            description=props.parameter_group_description,
            parameter=[
                DbParameterGroupParameter(
                    name=name,
                    value=value,
                    apply_method="pending-reboot" if name in STATIC_PARAMETERS else "immediate",
                )
                for name, value in sorted(values.items())
            ],
        )
