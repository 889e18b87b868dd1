"""One deployment environment: its account, region and domain, and each domain's settings."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar

from config.checks import OneOf, Pattern, Range, Rule, validate
from config.ci import CiConfig
from config.compute import ComputeConfig
from config.cost import CostConfig
from config.database import DatabaseConfig
from config.edge import EdgeConfig
from config.errors import ConfigError
from config.estate import LIVE_PREFIX, STACKS, Names
from config.features import Features
from config.hardening import Hardening
from config.monitoring import MonitoringConfig
from config.network import NetworkConfig

PROVIDER_PINS = ("estate", "bindings")
_SNAPSHOT = r"((arn:aws:rds:[a-z0-9-]+:\d{12}:snapshot:)?[a-zA-Z][a-zA-Z0-9-:]{0,254})?"


@dataclass(frozen=True, kw_only=True)
class EnvironmentConfig:
    """One deployment environment. `name` keys state files; `hardening` holds the switches.

    Every value of the estate is given in `config/environments.py`; defaults here are the
    project's own choices (the state layout, the hardening settings)."""

    name: str
    """Lower-case letters, digits and '-': part of state keys and of new resources' names."""
    account_id: str
    """The AWS account (12 digits)."""
    region: str
    """The AWS region of everything but CloudFront's certificate and web ACL (us-east-1)."""
    domain: str
    """The public domain (Cloudflare zone); every host is one label under it (`edge` checks
    the labels), so the wildcard certificate `*.<domain>` covers them all."""
    cloudformation_stack: str
    """The AWS CDK stack the estate is adopted from (the hand-over and the resolver read it)."""
    network: NetworkConfig
    """The VPC, its subnets and the WireGuard bridge (`config/network.py`)."""
    database: DatabaseConfig
    """RDS PostgreSQL, primary and replica (`config/database.py`)."""
    compute: ComputeConfig
    """ECS, the ALB and the ETL schedules (`config/compute.py`)."""
    edge: EdgeConfig
    """Certificate, distributions and DNS records (`config/edge.py`)."""
    ci: CiConfig
    """Who may assume the CI roles (`config/ci.py`)."""
    cost: CostConfig
    """Usage figures behind the cost estimate and the pull requests' cost budget
    (`config/cost.py`, `make cost`)."""
    monitoring: MonitoringConfig = field(default_factory=MonitoringConfig)
    """The alarms' chosen thresholds and who hears of them (`config/monitoring.py`)."""
    hardening: Hardening = field(default_factory=Hardening)
    """The hardening switches (default: all off, as live) and their settings."""
    adopted: bool = False
    """True: the estate exists and is adopted (import blocks from `imports/inventory/`, the
    `adopt` profile mirrors it). False: built fresh by this code, hardened from day one; no
    inventory is read and the `adopt` profile is refused (it would rebuild the live estate's
    weaknesses)."""
    features: Features = field(default_factory=Features)
    """Parts the environment may leave off (`config/features.py`; default: all on)."""
    name_prefix: str = ""
    """What its resources' names start with where config does not spell a name out
    (`config.estate.Names`): production's live `fluxion`; default `fluxion-<name>`."""
    recovers: str = ""
    """For a recovery environment: the environment it rebuilds from a database snapshot
    (docs/environments.md, "Recovery"); empty for any other."""
    restore_snapshot: str = ""
    """A recovery environment's source: the DB snapshot (ARN, or identifier in `region`) its
    primary is created from. Given when synthesizing (FLUXION_RESTORE_SNAPSHOT), never stored."""
    provider_pins: str = "estate"
    """`estate` pins every provider to the version the live estate runs
    (`config.estate.PROVIDER_VERSIONS`), whatever the engine's bindings were generated for;
    `bindings` leaves the engine's own pin (CDK Terrain: hashicorp/aws 6.69.1), which is the
    provider upgrade, a change of its own (docs/cdk-terrain.md)."""
    state_bucket: str = ""
    """S3 bucket holding every workload stack's state; default `fluxion-tfstate-<account>`."""
    state_key_prefix: str = "fluxion"
    """First part of every state key (`<prefix>/<environment>/<stack>.tfstate`)."""
    state_noncurrent_days: int = 90
    """Days a replaced state version is kept (the bucket is versioned: each apply adds one)."""
    log_bucket: str = ""
    """S3 bucket receiving access logs (the state bucket's; with the hardening switches, the
    ALB's, the distributions' and the audit trail's); created by the `state` stack. Default
    `fluxion-logs-<account>`."""
    access_log_days: int = 90
    """Days an access log object is kept in `log_bucket`."""
    state_migrated: bool = False
    """False while the `state` stack's own state is the local bootstrap file; True once it has
    been migrated into the bucket it created (docs/ci-identity.md, "Bootstrap")."""

    RULES: ClassVar[tuple[Rule, ...]] = (
        Pattern("name", r"[a-z][a-z0-9-]{1,30}", "must be lower-case letters, digits and '-'"),
        Pattern("account_id", r"\d{12}", "must be exactly 12 digits"),
        Pattern("region", r"[a-z]{2}(-[a-z]+)+-\d", "is not an AWS region name"),
        Pattern("domain", r"([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}",
                "is not a domain name"),
        OneOf("provider_pins", PROVIDER_PINS),
        Pattern("name_prefix", r"[a-z][a-z0-9-]{1,40}",
                "must be lower-case letters, digits and '-'"),
        Pattern("restore_snapshot", _SNAPSHOT, "is not a DB snapshot identifier or ARN"),
        Pattern("state_key_prefix", r"[a-z0-9][a-z0-9/_-]{0,99}", "is not an S3 key prefix"),
        Range("state_noncurrent_days", 1, 3650, "days"),
        Range("access_log_days", 1, 3650, "days"),
    )  # fmt: skip

    def __post_init__(self) -> None:
        if not self.name_prefix:
            object.__setattr__(self, "name_prefix", f"{LIVE_PREFIX}-{self.name}")
        validate(self, "", self.RULES)
        self._check_kind()
        for az_field, az in self.network.az_fields():
            if not re.fullmatch(re.escape(self.region) + "[a-z]", az):
                raise ConfigError.invalid(
                    f"network.{az_field}", az, f"is not an availability zone of {self.region}"
                )
        if not self.state_bucket:
            object.__setattr__(
                self, "state_bucket", self.names(f"fluxion-tfstate-{self.account_id}")
            )
        if not self.log_bucket:
            object.__setattr__(self, "log_bucket", self.names(f"fluxion-logs-{self.account_id}"))

    @property
    def stacks(self) -> tuple[str, ...]:
        """The stacks this environment builds, in order: all of them, but a recovery builds
        no `edge` (its DNS would be the recovered environment's names)."""
        return tuple(s for s in STACKS if not (self.recovers and s == "edge"))

    def _check_kind(self) -> None:
        """An adopted environment is not a recovery one; only a recovery one restores, and it
        must know from what; nothing built fresh runs the `adopt` profile."""
        if self.recovers and self.adopted:
            raise ConfigError.invalid(
                "recovers", self.recovers, "an adopted environment recovers nothing"
            )
        if self.restore_snapshot and not self.recovers:
            raise ConfigError.invalid(
                "restore_snapshot",
                self.restore_snapshot,
                f"only a recovery environment restores; {self.name} is not one",
            )
        if self.recovers and not self.restore_snapshot:
            raise ConfigError.invalid(
                "restore_snapshot",
                "",
                f"is empty; {self.name} recovers {self.recovers}: name the snapshot to restore "
                "(FLUXION_RESTORE_SNAPSHOT; `python -m ops snapshot-copy` prints it)",
            )
        if not self.adopted and self.hardening.profile == "adopt":
            raise ConfigError.invalid(
                "profile",
                "adopt",
                f"{self.name} is built fresh, hardened from day one; "
                "`adopt` mirrors an adopted estate",
            )

    @property
    def names(self) -> Names:
        """The names config does not spell out (`config.estate.Names`)."""
        return Names(self.name_prefix, self.account_id)

    @property
    def profile(self) -> str:
        """`adopt` (every hardening switch off), `hardened` (all on) or `rollout` (between)."""
        return self.hardening.profile

    def log_retention(self, live_days: int) -> int:
        """`live_days`, or the hardening retention with the `log_retention` switch."""
        return self.hardening.log_retention_days if self.hardening.log_retention else live_days

    def state_key(self, stack: str) -> str:
        """The S3 key of `stack`'s state, e.g. `fluxion/production/network.tfstate`."""
        return f"{self.state_key_prefix}/{self.name}/{stack}.tfstate"
