"""Typed, frozen configuration: one `EnvironmentConfig` per environment.

Everything that differs between environments (account, region, names, CIDRs, sizes) is a field
here; stacks and constructs receive these objects and never read the process environment.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from config.errors import ConfigError

_ACCOUNT_RE = re.compile(r"^\d{12}$")
_REGION_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
PROFILES = ("adopt", "hardened")
PROVIDER_PINS = ("estate", "bindings")


def cidr(name: str, value: str) -> ipaddress.IPv4Network:
    """Parse `value` as an IPv4 network, or raise a ConfigError naming `name`."""
    try:
        return ipaddress.IPv4Network(value, strict=True)
    except ValueError as err:
        raise ConfigError(f"{name}: {value!r} is not a valid IPv4 CIDR ({err})") from None


def _require_disjoint(nets: dict[str, ipaddress.IPv4Network]) -> None:
    items = list(nets.items())
    for i, (name_a, a) in enumerate(items):
        for name_b, b in items[i + 1 :]:
            if a.overlaps(b):
                raise ConfigError(f"{name_b}: {str(b)!r} overlaps {name_a} {str(a)!r}")


@dataclass(frozen=True, kw_only=True)
class NetworkConfig:
    """The VPC and the WireGuard bridge to La Granja (seed: "Red y Conectividad")."""

    vpc_name: str
    """Name tag of the VPC."""
    vpc_cidr: str
    public_subnets: tuple[tuple[str, str], ...]
    """(AZ, CIDR) pairs, in AWS CDK's allocation order (public subnets first, then private)."""
    private_subnets: tuple[tuple[str, str], ...]
    """(AZ, CIDR) pairs, one per AZ of `public_subnets`."""
    nat_az: str
    """The AZ of the single NAT gateway (cost saving: one NAT for both AZs)."""
    etl_az: str
    """ETL tasks run in this AZ's private subnet, away from the WireGuard bridge's AZ."""
    on_premises_cidr: str
    """La Granja's network, reached through the WireGuard bridge."""
    wireguard_az: str
    wireguard_private_ip: str
    """Fixed private address of the bridge, inside the private subnet of `wireguard_az`."""
    wireguard_tunnel_cidr: str
    wireguard_instance_type: str
    wireguard_secret_name: str
    """Secrets Manager name of the bridge's WireGuard configuration (read at boot)."""
    wireguard_source_dest_check: bool = False
    """Must stay False: the bridge forwards packets that are neither from nor to itself."""

    def __post_init__(self) -> None:
        vpc = cidr("vpc_cidr", self.vpc_cidr)
        named = {
            "vpc_cidr": vpc,
            "on_premises_cidr": cidr("on_premises_cidr", self.on_premises_cidr),
            "wireguard_tunnel_cidr": cidr("wireguard_tunnel_cidr", self.wireguard_tunnel_cidr),
        }
        _require_disjoint(named)
        subnets: dict[str, ipaddress.IPv4Network] = {}
        for role, pairs in (("public", self.public_subnets), ("private", self.private_subnets)):
            azs = [az for az, _ in pairs]
            if len(set(azs)) != len(azs):
                raise ConfigError(f"{role}_subnets: AZs {azs!r} repeat; one subnet per AZ")
            for az, value in pairs:
                net = cidr(f"{role}_subnets[{az}]", value)
                if not net.subnet_of(vpc):
                    raise ConfigError(
                        f"{role}_subnets[{az}]: {value!r} is outside the VPC {self.vpc_cidr}"
                    )
                subnets[f"{role}_subnets[{az}]"] = net
        _require_disjoint(subnets)
        for name in ("nat_az", "etl_az", "wireguard_az"):
            az = getattr(self, name)
            if az not in self.azs:
                raise ConfigError(f"{name}: {az!r} is not one of the VPC's AZs {self.azs!r}")
        try:
            ip = ipaddress.IPv4Address(self.wireguard_private_ip)
        except ValueError:
            raise ConfigError(
                f"wireguard_private_ip: {self.wireguard_private_ip!r} is not an IPv4 address"
            ) from None
        home = dict(self.private_subnets)[self.wireguard_az]
        if ip not in ipaddress.IPv4Network(home):
            raise ConfigError(
                f"wireguard_private_ip: {self.wireguard_private_ip!r} is outside its subnet "
                f"{home} (private, {self.wireguard_az})"
            )
        if self.wireguard_source_dest_check:
            raise ConfigError(
                "wireguard_source_dest_check: True; the route to "
                f"{self.on_premises_cidr} via the bridge needs it False (the instance forwards)"
            )

    @property
    def azs(self) -> tuple[str, ...]:
        """The VPC's AZs, in order."""
        return tuple(az for az, _ in self.public_subnets)

    def az_fields(self) -> list[tuple[str, str]]:
        """Every AZ this config names, with the field that names it."""
        named = [
            (f"{role}_subnets", az)
            for role in ("public", "private")
            for az, _ in getattr(self, f"{role}_subnets")
        ]
        return named + [(n, getattr(self, n)) for n in ("nat_az", "etl_az", "wireguard_az")]


@dataclass(frozen=True)
class EtlSchedule:
    """One EventBridge rule that runs an ETL task definition (seed: "EventBridge Rules")."""

    name: str
    unix_cron: str
    """As the seed writes it (Unix, UTC); translated to EventBridge form at synth."""
    task: str
    """Task definition family the rule runs."""
    command: tuple[str, ...]
    """Container command override for the `etl` container."""
    enabled: bool = True


@dataclass(frozen=True, kw_only=True)
class DatabaseConfig:
    """RDS PostgreSQL (seed: "Base de Datos")."""

    db_name: str
    """The database the instances serve (`DBName`; ForceNew on the primary)."""
    master_username: str
    """AWS CDK's generated-secret default for PostgreSQL. Read back on import and compared by
    the parity check (the resolver records `MasterUsername`): a different value would replace
    the database, which `prevent_destroy` and the plan gate stop."""

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,62}", self.db_name):
            raise ConfigError(
                f"database.db_name: {self.db_name!r} must start with a letter and hold 1-63 "
                "letters, digits or '_' (RDS PostgreSQL)"
            )
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,62}", self.master_username):
            raise ConfigError(
                f"database.master_username: {self.master_username!r} must start with a letter "
                "and hold 1-63 letters, digits or '_' (RDS PostgreSQL)"
            )
        if self.master_username.lower().startswith("rds"):
            raise ConfigError(
                f"database.master_username: {self.master_username!r} is reserved by RDS"
            )


@dataclass(frozen=True, kw_only=True)
class ComputeConfig:
    """ECS, ALB and schedules (seed: "Computo (ECS Fargate)", "Load Balancer")."""

    cluster_name: str
    service_name: str
    """The backend's ECS service."""
    alb_name: str
    desired_count: int
    """Backend tasks the service keeps running."""
    max_desired_count: int
    """The most tasks `python -m ops scale-backend` may ask for (a temporary scale-up; the next
    deploy of compute returns to `desired_count`)."""
    task_cpu: int
    """CPU units of every task (1024 = 1 vCPU); with `task_memory`, a Fargate size."""
    task_memory: int
    """MiB of every task."""
    uvicorn_workers: int
    """Worker processes per backend container."""
    vpn_gateway_ip: str
    """La Granja's gateway, reached by the ETL through the WireGuard bridge."""
    etl_timeout_seconds: int
    log_retention_days: int
    image_tag: str
    """Tag of the backend and ETL images the task definitions run. `adopt`: `latest`, as live
    (the seed's pipeline pushes `:latest` and forces a new deployment). `hardened`: the commit
    SHA the app pipeline pushed (its repositories are immutable, so `latest` can be pushed only
    once): a release is a reviewed change of this value, and `make deploy` refuses `latest`."""
    schedules: tuple[EtlSchedule, ...]

    def __post_init__(self) -> None:
        names = [s.name for s in self.schedules]
        if len(set(names)) != len(names):
            raise ConfigError(f"schedules: rule names repeat in {names!r}")
        for schedule in self.schedules:
            if not schedule.command:
                raise ConfigError(f"schedules[{schedule.name}]: command is empty")
        check_retention("compute.log_retention_days", self.log_retention_days)
        if (self.task_cpu, self.task_memory) not in _FARGATE_SIZES:
            raise ConfigError(
                f"task_cpu/task_memory: {self.task_cpu}/{self.task_memory} is not a Fargate size"
            )
        if self.desired_count < 1:
            raise ConfigError(f"desired_count: {self.desired_count} must be at least 1")
        if self.max_desired_count < self.desired_count:
            raise ConfigError(
                f"compute.max_desired_count: {self.max_desired_count} is below desired_count "
                f"{self.desired_count}"
            )
        if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}", self.image_tag):
            raise ConfigError(f"compute.image_tag: {self.image_tag!r} is not a Docker image tag")


@dataclass(frozen=True)
class SiteConfig:
    """A static site: private bucket + OAC + CloudFront distribution + Cloudflare record."""

    key: str
    """Stable construct key (`frontend`, `docs`): part of the resources' addresses."""
    subdomain: str
    bucket_prefix: str
    """The bucket is `<bucket_prefix>-<account id>`."""
    spa_routing: bool = False
    """Serve /index.html (200) for 403/404, for client-side routing (React Router)."""


@dataclass(frozen=True, kw_only=True)
class EdgeConfig:
    """Certificate, distributions and DNS (seed: "CDN y Almacenamiento")."""

    sites: tuple[SiteConfig, ...]
    """The static sites; the edge contract publishes outputs for `CONTRACT_SITES`."""
    api_subdomain: str
    origin_read_timeout_seconds: int
    """How long CloudFront waits for the ALB's response (CloudFront: 1-60 without a quota
    increase)."""
    certificate_region: str = "us-east-1"
    """CloudFront accepts certificates from us-east-1 only (an AWS fact, not a choice)."""
    cloudflare_zone_id: str = ""
    """Cloudflare zone ID; empty = look the zone up by the domain name."""
    proxied: tuple[str, ...] = ()
    """Subdomains whose Cloudflare record is proxied (orange cloud); default DNS-only."""

    def __post_init__(self) -> None:
        if self.certificate_region != "us-east-1":
            raise ConfigError(
                f"certificate_region: {self.certificate_region!r}; CloudFront only accepts "
                "certificates from 'us-east-1'"
            )
        for kind, values in (
            ("site keys", [s.key for s in self.sites]),
            ("subdomains", [s.subdomain for s in self.sites] + [self.api_subdomain]),
            ("site buckets", [s.bucket_prefix for s in self.sites]),
        ):
            repeated = sorted({v for v in values if values.count(v) > 1})
            if repeated:
                raise ConfigError(f"sites: {kind} {repeated!r} are shared by two distributions")
        unknown = set(self.proxied) - {s.subdomain for s in self.sites} - {self.api_subdomain}
        if unknown:
            raise ConfigError(f"proxied: {sorted(unknown)!r} are not records of this stack")
        missing = [key for key in CONTRACT_SITES if key not in {s.key for s in self.sites}]
        if missing:
            raise ConfigError(
                f"edge.sites: no site with key {missing[0]!r}; the edge stack publishes its "
                "outputs to the app pipeline (stacks/contract.py EdgeOutputs)"
            )
        if not 1 <= self.origin_read_timeout_seconds <= 180:
            raise ConfigError(
                f"edge.origin_read_timeout_seconds: {self.origin_read_timeout_seconds} is "
                "outside CloudFront's 1-180"
            )


CONTRACT_SITES = ("frontend", "docs")
"""Sites the edge contract publishes outputs for (`frontend_*`, `docs_*`): every environment
has them; more sites may be added."""


def check_alias(alias: str, domain: str) -> str:
    """`alias` if the wildcard certificate `*.domain` covers it (exactly one more label)."""
    label, _, parent = alias.partition(".")
    if parent != domain or not re.fullmatch(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?", label):
        raise ConfigError(f"alias: {alias!r} is outside the certificate's domain '*.{domain}'")
    return alias


_FARGATE_SIZES = {(256, 512), (512, 1024), (1024, 2048), (1024, 4096), (2048, 4096)}


@dataclass(frozen=True, kw_only=True)
class CiConfig:
    """Who may assume the CI roles (GitHub OIDC, no static keys). docs/ci-identity.md."""

    github_repository: str
    """`owner/name` of this repository on GitHub: the only one the infrastructure roles trust.
    Each stack's apply role trusts `repo:<this>:environment:<stack>` and nothing else; the
    plan role trusts this repository's pull requests."""
    app_repository: str = ""
    """`owner/name` of the application repository whose `release` environment may assume the
    release role; empty = `github_repository` (a monorepo)."""

    def __post_init__(self) -> None:
        if not self.app_repository:
            object.__setattr__(self, "app_repository", self.github_repository)
        for name in ("github_repository", "app_repository"):
            value = getattr(self, name)
            if not re.fullmatch(r"[A-Za-z0-9-]+/[A-Za-z0-9._-]+", value):
                raise ConfigError(f"{name}: {value!r} is not owner/name")


@dataclass(frozen=True)
class Hardening:
    """Settings of the `hardened` profile (ignored by `adopt`, which mirrors the live estate)."""

    log_retention_days: int = 30
    """Retention of every managed log group (live: 7). A CloudWatch-accepted value."""
    waf_enforce: bool = False
    """Let the distributions' web ACL block what its AWS managed rule groups match. Off: they
    count only, until a week of matches has been reviewed (docs/profiles.md)."""
    alert_emails: tuple[str, ...] = ()
    """Who the security alerts topic e-mails (the detection rules: identity writes, backup
    bucket changes, user data, foreign images, secret values); each address confirms once.
    Default: none (subscribe later: the topic is there)."""

    def __post_init__(self) -> None:
        check_retention("hardening.log_retention_days", self.log_retention_days)
        for email in self.alert_emails:
            if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", email):
                raise ConfigError(f"hardening.alert_emails: {email!r} is not an e-mail address")


def check_retention(field_name: str, days: int) -> None:
    """CloudWatch Logs accepts only its fixed list of retention periods."""
    if days not in _LOG_RETENTIONS:
        raise ConfigError(
            f"{field_name}: {days} is not a CloudWatch retention "
            f"({', '.join(map(str, sorted(_LOG_RETENTIONS)))})"
        )


_LOG_RETENTIONS = {
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
}


@dataclass(frozen=True, kw_only=True)
class EnvironmentConfig:
    """One deployment environment. `name` keys state files; `profile` selects adopt/hardened.

    Every value of the estate is given in `config/environments.py`; defaults here are the
    project's own choices (the profile, the state layout, the hardening settings)."""

    name: str
    account_id: str
    region: str
    domain: str
    cloudformation_stack: str
    """The AWS CDK stack the estate is adopted from (the hand-over and the resolver read it)."""
    network: NetworkConfig
    database: DatabaseConfig
    compute: ComputeConfig
    edge: EdgeConfig
    ci: CiConfig
    profile: str = "adopt"
    """`adopt` mirrors the live estate; `hardened` layers the reviewed improvements on top."""
    hardening: Hardening = field(default_factory=Hardening)
    provider_pins: str = "estate"
    """`estate` pins every provider to the version the live estate runs
    (`config.estate.PROVIDER_VERSIONS`), whatever the engine's bindings were generated for;
    `bindings` leaves the engine's own pin (CDK Terrain: hashicorp/aws 6.69.1), which is the
    provider upgrade, a change of its own (docs/cdk-terrain.md)."""
    state_bucket: str = ""
    """S3 bucket holding every workload stack's state; default `fluxion-tfstate-<account>`."""
    state_key_prefix: str = "fluxion"
    state_noncurrent_days: int = 90
    """Days a replaced state version is kept (the bucket is versioned: each apply adds one)."""
    log_bucket: str = ""
    """S3 bucket receiving access logs (state bucket; `hardened`: the ALB and the
    distributions); created by the `state` stack. Default `fluxion-logs-<account>`."""
    access_log_days: int = 90
    """Days an access log object is kept in `log_bucket`."""
    state_migrated: bool = False
    """False while the `state` stack's own state is the local bootstrap file; True once it has
    been migrated into the bucket it created (docs/ci-identity.md, "Bootstrap")."""

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[a-z][a-z0-9-]{1,30}", self.name):
            raise ConfigError(f"name: {self.name!r} must be lower-case letters, digits and '-'")
        if not _ACCOUNT_RE.match(self.account_id):
            raise ConfigError(f"account_id: {self.account_id!r} must be exactly 12 digits")
        if not _REGION_RE.match(self.region):
            raise ConfigError(f"region: {self.region!r} is not an AWS region name")
        for az_field, az in self.network.az_fields():
            if not re.fullmatch(re.escape(self.region) + r"[a-z]", az):
                raise ConfigError(
                    f"network.{az_field}: {az!r} is not an availability zone of {self.region}"
                )
        if self.profile not in PROFILES:
            raise ConfigError(f"profile: {self.profile!r} is not one of {', '.join(PROFILES)}")
        if self.provider_pins not in PROVIDER_PINS:
            raise ConfigError(
                f"provider_pins: {self.provider_pins!r} is not one of {', '.join(PROVIDER_PINS)}"
            )
        for subdomain in [s.subdomain for s in self.edge.sites] + [self.edge.api_subdomain]:
            check_alias(f"{subdomain}.{self.domain}", self.domain)
        if not self.state_bucket:
            object.__setattr__(self, "state_bucket", f"fluxion-tfstate-{self.account_id}")
        if not self.log_bucket:
            object.__setattr__(self, "log_bucket", f"fluxion-logs-{self.account_id}")
        for days_field in ("state_noncurrent_days", "access_log_days"):
            days = getattr(self, days_field)
            if not 1 <= days <= 3650:
                raise ConfigError(f"{days_field}: {days} must be 1-3650 days")

    @property
    def hardened(self) -> bool:
        return self.profile == "hardened"

    def log_retention(self, live_days: int) -> int:
        """`live_days` in `adopt`; the hardening retention in `hardened`."""
        return self.hardening.log_retention_days if self.hardened else live_days

    def state_key(self, stack: str) -> str:
        """The S3 key of `stack`'s state, e.g. `fluxion/production/network.tfstate`."""
        return f"{self.state_key_prefix}/{self.name}/{stack}.tfstate"
