"""The database's settings: RDS PostgreSQL, a primary and its streaming read replica."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from config.checks import AtLeast, Pattern, Range, Retention, Rule, validate
from config.errors import ConfigError

_IDENTIFIER = r"[A-Za-z][A-Za-z0-9_]{0,62}"
_DAY = r"(mon|tue|wed|thu|fri|sat|sun)"
_TIME = r"([01]\d|2[0-3]):[0-5]\d"


@dataclass(frozen=True, kw_only=True)
class DatabaseConfig:
    """RDS PostgreSQL (seed: "Base de Datos").

    Parameters are written in the engine's own units (kB, 8 kB pages, ms), because RDS stores
    and returns them that way: writing "64MB" would show as a change on every plan."""

    db_name: str
    """The database the instances serve (`DBName`; ForceNew on the primary)."""
    master_username: str
    """AWS CDK's generated-secret default for PostgreSQL. Read back on import and compared by
    the parity check (the resolver records `MasterUsername`): a different value would replace
    the database, which `prevent_destroy` and the plan gate stop."""
    engine_major_version: str
    """Major version only (e.g. `16`): RDS applies minor upgrades itself, so a full version
    would diff. The parameter groups' family is `postgres<major>`."""
    instance_class: str
    """The primary's DB instance class (e.g. `db.t3.medium`)."""
    replica_instance_class: str
    """The read replica's DB instance class."""
    allocated_storage_gib: int
    """The primary's storage, GiB (gp3)."""
    max_allocated_storage_gib: int
    """Storage autoscaling ceiling, GiB; at least `allocated_storage_gib`."""
    backup_retention_days: int
    """Days of automated backups, 1-35 (at least 1: a read replica needs them)."""
    backup_window: str
    """Daily backup window, UTC, `hh:mm-hh:mm`."""
    maintenance_window: str
    """Weekly maintenance window, UTC, `ddd:hh:mm-ddd:hh:mm`."""
    log_retention_days: int
    """Days CloudWatch keeps the instances' PostgreSQL logs (a CloudWatch retention value)."""
    parameters: tuple[tuple[str, str], ...]
    """The primary's parameter group values (name, value in the engine's units)."""
    replica_extra_parameters: tuple[tuple[str, str], ...]
    """Values the replica's parameter group adds to the primary's (standby delays, feedback)."""

    RULES: ClassVar[tuple[Rule, ...]] = (
        Pattern("db_name", _IDENTIFIER, "must start with a letter and hold 1-63 letters, "
                "digits or '_' (RDS PostgreSQL)"),
        Pattern("master_username", _IDENTIFIER, "must start with a letter and hold 1-63 "
                "letters, digits or '_' (RDS PostgreSQL)"),
        Pattern("engine_major_version", r"[1-9]\d?", "is not a PostgreSQL major version"),
        Pattern("instance_class", r"db\.[a-z0-9]+\.[a-z0-9]+", "is not a DB instance class"),
        Pattern("replica_instance_class", r"db\.[a-z0-9]+\.[a-z0-9]+",
                "is not a DB instance class"),
        Range("allocated_storage_gib", 20, 65536, "GiB (gp3)"),
        AtLeast("max_allocated_storage_gib", 20, "GiB"),
        Range("backup_retention_days", 1, 35, "days (a read replica needs backups)"),
        Pattern("backup_window", f"{_TIME}-{_TIME}", "is not hh:mm-hh:mm (UTC)"),
        Pattern("maintenance_window", f"{_DAY}:{_TIME}-{_DAY}:{_TIME}",
                "is not ddd:hh:mm-ddd:hh:mm (UTC)"),
        Retention("log_retention_days"),
    )  # fmt: skip

    def __post_init__(self) -> None:
        validate(self, "database", self.RULES)
        if self.master_username.lower().startswith("rds"):
            raise ConfigError.invalid(
                "database.master_username", self.master_username, "is reserved by RDS"
            )
        if self.max_allocated_storage_gib < self.allocated_storage_gib:
            raise ConfigError.invalid(
                "database.max_allocated_storage_gib",
                self.max_allocated_storage_gib,
                f"is below allocated_storage_gib {self.allocated_storage_gib}",
            )
        names = [name for name, _ in self.parameters + self.replica_extra_parameters]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ConfigError.invalid(
                "database.parameters", repeated, "are set twice (primary and replica extras)"
            )

    @property
    def parameter_family(self) -> str:
        """The parameter groups' family, e.g. `postgres16`."""
        return f"postgres{self.engine_major_version}"
