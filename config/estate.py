"""Names and tables of the live estate, shared by the stacks and the adoption resolver.

Plain data, no provider imports: the resolver (`python -m imports.resolve`) reads these
without loading the provider bindings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the config classes import nothing from here; the import is for types only
    from config.environment import EnvironmentConfig

STACKS = ("state", "identity", "network", "data", "compute", "edge", "monitoring")
"""Every stack, in deployment order. The one list: the app, the ordered deploy, the hand-over,
the inventory, the tests and the CI matrix (a test compares it) all read this."""
DEPENDS_ON: dict[str, tuple[str, ...]] = {
    "state": (),
    "identity": ("state",),
    "network": ("state", "identity"),
    "data": ("state", "network"),
    "compute": ("state", "identity", "network", "data"),
    "edge": ("state", "compute"),
    "monitoring": ("state", "network", "data", "compute"),
}
"""The stacks whose state each stack reads (its declared dependencies)."""
PEOPLE_STACKS = ("state", "identity", "monitoring")
"""Stacks only people apply (reviewed plan, their own credentials), never a CI role: `state`
(the state and log buckets, the CI identity), `identity` (every workload role, its boundary,
and in `hardened` the detection of identity and backup changes) and `monitoring` (the alarms,
the dashboard and the topic that tell the on-call). No CI credential can write an IAM role or
policy, nor silence an alarm (docs/ci-identity.md)."""
CI_STACKS = ("network", "data", "compute", "edge")
"""Stacks CI applies, each with its own apply role trusted from its own GitHub environment."""
NEW_STACKS = ("state", "monitoring")
"""Stacks the live estate has no part of: this project makes them (their first plan is
creates by design), and adoption never touches them."""
ADOPTED_STACKS = tuple(s for s in STACKS if s not in NEW_STACKS)
"""The stacks that hold the live estate, adopted by import."""
PLANNED_STACKS = STACKS[1:]
"""What a pull request plans and the drift report refreshes, with the plan role: every stack
but `state` (the CI identity: people plan and apply it)."""

CONTAINERS = ("backend", "etl")
"""The two images and their containers; each has its repository and log group."""
BACKEND_FAMILY = "FluxionBackendTask"
"""The backend's task definition family (the ETL families are in `ETL_TASKS`)."""
CI_ROLE_PREFIX = "fluxion-ci-"
"""Every CI identity (roles, managed policies) this project creates is named with it."""

SECRETS = {
    "postgres_credentials": "fluxion/postgres-credentials",
    "sql_credentials": "fluxion/sql-credentials",
    "wireguard_config": "fluxion/wireguard-config",
    "production": "fluxion/production",
    "db_credentials": "fluxion/db-credentials",
}
APP_DB_SECRET = "fluxion/postgres-app"
"""`hardened`: the backend's own PostgreSQL user (`{"username", "password"}`), created empty;
the value is set out of band (docs/operations.md, "Application database user")."""
PRIMARY = "fluxion-postgres-v2"
REPLICA = "fluxion-postgres-replica"
LEGACY_BACKUP_SUFFIXES = ("", "-v2", "-v3")
SENTRY_DSN = "/fluxion/etl/sentry-dsn"
PROVIDER_VERSIONS = {"aws": "5.100.0", "cloudflare": "5.14.0"}
"""The provider versions the live estate runs (the ones in its states and lock files). Every
stack pins these whichever engine synthesizes it, so moving from cdktf to CDK Terrain keeps the
provider, and upgrading the provider is a change of its own: edit these, or synthesize with
`provider_pins` = `bindings` to see what the engine's newer bindings would pin
(docs/cdk-terrain.md)."""
PROVIDER_MAX_RETRIES = 10
"""The AWS provider's attempts per API call (its `max_retries`). Its default, 25, with the SDK's
growing back-off, keeps a plan or an apply waiting about an hour on an error that does not go
away (measured: a CloudFront read answered HTTP 503 every time was still being retried after
7 minutes); with 10 that call fails after 53 s with the provider's message ("exceeded maximum
number of attempts, 10, ... StatusCode: 503"), while throttling that passes within about a
minute is still ridden out (docs/operations.md, "Faults")."""
WAF_LOG_GROUP_PREFIX = "aws-waf-logs"
"""WAF sends a web ACL's logs only to a log group whose name starts with this."""


LIVE_PREFIX = "fluxion"
"""What production's live names start with (`fluxion-postgres-v2`, `FluxionETLTask`)."""


@dataclass(frozen=True)
class Names:
    """The names of one environment's resources that its config does not spell out.

    The constants above are production's live names. Another environment's are the same names
    with its `EnvironmentConfig.name_prefix` in place of `fluxion` (`fluxion-staging-postgres-v2`,
    `fluxion-staging/postgres-credentials`, `FluxionStagingETLTask`), so no name of one
    environment is another's, in the same account or not (`tests/test_environments.py`)."""

    prefix: str
    account_id: str

    def __call__(self, live: str) -> str:
        """Production's live name `live`, as this environment names it."""
        if self.prefix == LIVE_PREFIX:
            return live
        renamed = re.sub(r"(?<![A-Za-z])fluxion(?=[-/_])", self.prefix, live, count=1)
        return re.sub(r"^Fluxion", self.camel, renamed)

    @property
    def camel(self) -> str:
        """The prefix as task definition families spell it: `Fluxion`, `FluxionStaging`."""
        return "".join(part.capitalize() for part in self.prefix.split("-"))

    @cached_property
    def secrets(self) -> dict[str, str]:
        """Construct key -> secret name (`SECRETS`)."""
        return {key: self(name) for key, name in SECRETS.items()}

    @property
    def app_db_secret(self) -> str:
        return self(APP_DB_SECRET)

    @property
    def primary(self) -> str:
        return self(PRIMARY)

    @property
    def replica(self) -> str:
        return self(REPLICA)

    @property
    def sentry_dsn(self) -> str:
        return self(SENTRY_DSN)

    @property
    def ci_role_prefix(self) -> str:
        return self(CI_ROLE_PREFIX)

    @property
    def backend_family(self) -> str:
        return self(BACKEND_FAMILY)

    @cached_property
    def etl_tasks(self) -> dict[str, tuple[str, str]]:
        """`ETL_TASKS` with this environment's families."""
        return {key: (self(family), script) for key, (family, script) in ETL_TASKS.items()}

    def repository(self, container: str) -> str:
        """The ECR repository of a container of `CONTAINERS` (`fluxion-backend`)."""
        return self(repository_name(container))

    def log_group(self, container: str) -> str:
        """The log group of a container of `CONTAINERS` (`/ecs/fluxion-backend`)."""
        return self(log_group_name(container))

    def database_log_group(self, identifier: str) -> str:
        """An RDS instance's PostgreSQL log group (RDS names it)."""
        return f"/aws/rds/instance/{identifier}/postgresql"

    def backup_bucket(self, suffix: str = "-v4") -> str:
        """The managed backup bucket, or a legacy one (`LEGACY_BACKUP_SUFFIXES`)."""
        return self(backup_bucket(self.account_id, suffix))


# Construct keys derived from live names: the stacks build addresses with them and the
# resolver finds the same addresses with them, so they are defined once, here.
def az_key(az: str) -> str:
    """`us-east-1a` -> `us_east_1a`."""
    return az.replace("-", "_")


def schedule_key(rule_name: str) -> str:
    """`fluxion-abc-recalc-daily` -> `abc_recalc_daily`."""
    return rule_name.removeprefix("fluxion-").replace("-", "_")


def backup_bucket(account_id: str, suffix: str = "-v4") -> str:
    """A backup bucket's name: the managed `fluxion-backups-v4-<account>`, or a legacy one
    with a suffix of `LEGACY_BACKUP_SUFFIXES`."""
    return f"fluxion-backups{suffix}-{account_id}"


def backup_buckets(config: EnvironmentConfig) -> list[str]:
    """Every backup bucket of an environment: the managed one, then the legacy ones (when its
    `features.legacy_backups` keeps them)."""
    legacy = LEGACY_BACKUP_SUFFIXES if config.features.legacy_backups else ()
    return [config.names.backup_bucket()] + [config.names.backup_bucket(s) for s in legacy]


def site_buckets(config: EnvironmentConfig) -> list[str]:
    """The static sites' buckets of an environment."""
    return [site_bucket(site.bucket_prefix, config.account_id) for site in config.edge.sites]


def site_bucket(bucket_prefix: str, account_id: str) -> str:
    """A static site's bucket name: `<SiteConfig.bucket_prefix>-<account>`."""
    return f"{bucket_prefix}-{account_id}"


def repository_name(container: str) -> str:
    """The ECR repository of a container of `CONTAINERS`: `fluxion-backend`."""
    return f"fluxion-{container}"


def log_group_name(container: str) -> str:
    """The log group of a container of `CONTAINERS`: `/ecs/fluxion-backend`."""
    return f"/ecs/fluxion-{container}"


def flow_log_group_name(vpc_name: str) -> str:
    """`hardened`: the VPC's flow log group, `/vpc/fluxion-vpc/flow-logs`."""
    return f"/vpc/{vpc_name}/flow-logs"


def resource_prefix(environment: str) -> str:
    """What every resource this project adds is named with: `fluxion-production`."""
    return f"{LIVE_PREFIX}-{environment}"


def new_resource_name(environment: str, kind: str) -> str:
    """Name of a resource this project adds (no live counterpart): `fluxion-production-edge`."""
    return f"{resource_prefix(environment)}-{kind}"


def audit_trail_name(environment: str) -> str:
    """`hardened`: the CloudTrail trail of the detection rules (the log bucket lets it write)."""
    return new_resource_name(environment, "audit")


def legacy_backup_key(suffix: str) -> str:
    """The legacy backup bucket's construct key: `` -> `legacy_backups_v1`, `-v2` -> `..._v2`."""
    return f"legacy_backups{suffix.replace('-', '_')}" if suffix else "legacy_backups_v1"


# Task definition id -> (family, ETL_MODE); FluxionETLTask-test was made by hand live.
ETL_TASKS = {
    "etl_task": ("FluxionETLTask", "etl_inventario.py"),
    "ventas_etl_task": ("FluxionVentasETLTask", "etl_ventas_postgres.py"),
    "etl_test_task": ("FluxionETLTask-test", "etl_inventario.py"),
}


ANYWHERE = "0.0.0.0/0"
VPC = "vpc"  # stands for the VPC's CIDR in the table below
CLOUDFRONT = "cloudfront"  # stands for CloudFront's origin-facing managed prefix list


@dataclass(frozen=True)
class Rule:
    """One rule. `peer`: another group's role, `VPC`, `CLOUDFRONT` or a CIDR.
    `port` None = all traffic (any protocol)."""

    key: str
    peer: str
    port: int | None = None
    protocol: str = "tcp"
    description: str | None = None
    """Only for rules that do not exist live (a live rule's description is the live one)."""


@dataclass(frozen=True)
class GroupSpec:
    description: str
    ingress: tuple[Rule, ...] = ()
    egress: tuple[Rule, ...] = ()


def groups(config: EnvironmentConfig) -> dict[str, GroupSpec]:
    """The seed's "Security Groups" table, and what the hardening switches change in it.

    Descriptions are ForceNew on aws_security_group: they must equal the live ones (the
    adoption inventory checks them), so the switches change rules, never a group:
    `https_origin` opens HTTPS from CloudFront's origin-facing prefix list to the ALB (one rule:
    the list weighs ~55 rules against the group's quota of 60) and `internal_origin` closes
    :80 to the internet; `bridge_from_etl_only` lets only the ETL tasks reach the WireGuard
    bridge (live it accepts the whole VPC, so the internet-facing backend could reach the
    stores) and `bridge_egress_narrowed` keeps its egress to the tunnel (UDP 51820) and HTTPS
    (SSM, Secrets Manager, packages)."""
    port, switch, bridge = config.compute.backend_port, config.hardening, config.features.bridge
    alb_ingress: tuple[Rule, ...] = () if switch.internal_origin else (Rule("http", ANYWHERE, 80),)
    if switch.https_origin:
        alb_ingress += (Rule("https", CLOUDFRONT, 443, "tcp", "HTTPS from CloudFront"),)
    bridge_ingress = (
        (Rule("etl", "etl", None, "tcp", "ETL tasks to La Granja (SQL Server)"),)
        if switch.bridge_from_etl_only
        else (Rule("vpc", VPC),)
    )
    bridge_egress = (
        (
            Rule("tunnel", ANYWHERE, 51820, "udp", "WireGuard tunnel to La Granja"),
            Rule("https", ANYWHERE, 443, "tcp", "SSM, Secrets Manager, package updates"),
        )
        if switch.bridge_egress_narrowed
        else (Rule("all", ANYWHERE),)
    )
    specs = {
        "alb": GroupSpec(
            "Security group for the Fluxion ALB",
            ingress=alb_ingress,
            egress=(Rule("backend", "backend", port),),
        ),
        "backend": GroupSpec(
            "Security group for the Fluxion backend tasks",
            ingress=(Rule("alb", "alb", port),),
            egress=(Rule("rds", "rds", 5432), Rule("all", ANYWHERE)),
        ),
        "etl": GroupSpec(
            "Security group for the Fluxion ETL tasks",
            egress=(Rule("rds", "rds", 5432), Rule("all", ANYWHERE)),
        ),
        "wireguard": GroupSpec(
            "Security group for the WireGuard bridge", ingress=bridge_ingress, egress=bridge_egress
        ),
        "rds": GroupSpec(
            "Security group for the Fluxion RDS instances",
            ingress=(
                Rule("backend", "backend", 5432),
                Rule("etl", "etl", 5432),
                *((Rule("wireguard", "wireguard", 5432),) if bridge else ()),
            ),
        ),
    }
    if not bridge:  # no bridge (`features.bridge` off): no group of its own either
        del specs["wireguard"]
    return specs if config.adopted else {role: _described(role, s) for role, s in specs.items()}


def _described(role: str, spec: GroupSpec) -> GroupSpec:
    """Every rule with a description (an environment built fresh has no live text to keep)."""

    def text(rule: Rule, way: str) -> Rule:
        peer = {ANYWHERE: "anywhere", VPC: "the VPC", CLOUDFRONT: "CloudFront"}.get(
            rule.peer, rule.peer
        )
        what = "all traffic" if rule.port is None else f"{rule.protocol}/{rule.port}"
        return replace(rule, description=rule.description or f"{role} {way} {peer}: {what}")

    return replace(
        spec,
        ingress=tuple(text(r, "from") for r in spec.ingress),
        egress=tuple(text(r, "to") for r in spec.egress),
    )
