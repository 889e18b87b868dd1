"""The environments this project deploys, with every value of their estate.

Production's values are the seed's live inventory (the DevOps guide's tables, verified with the
AWS CLI); the types and the rules they must satisfy are one module per domain
(`config/network.py`, `config/database.py`, ...). A new environment is one more
`EnvironmentConfig` here, usually `replace(PRODUCTION, ...)`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from config.ci import CiConfig
from config.compute import ComputeConfig, EtlSchedule
from config.cost import CostConfig
from config.database import DatabaseConfig
from config.edge import EdgeConfig, SiteConfig
from config.environment import EnvironmentConfig
from config.errors import ConfigError
from config.features import Features
from config.hardening import Hardening
from config.network import NetworkConfig

# Commands: only the inventario one is in the seed (its runbook). The other overrides are
# this team's best reading of the rule's purpose and MUST be replaced by the live targets'
# `Input` (`aws events list-targets-by-rule`) before adoption, or the first plan updates them.
ETL_SCHEDULES = (
    EtlSchedule(
        "fluxion-inventario-sync-30min",
        "0,30 10-23,0-2 * * *",
        "FluxionETLTask",
        ("python", "etl_inventario.py", "--todas"),
    ),
    # Runs hourly despite its name (the live rule's cron says so).
    EtlSchedule(
        "fluxion-ventas-sync-30min",
        "0 10-23,0-2 * * *",
        "FluxionVentasETLTask",
        ("python", "etl_ventas_postgres.py"),
    ),
    EtlSchedule(
        "fluxion-ventas-recovery-daily",
        "0 7 * * *",
        "FluxionVentasETLTask",
        ("python", "etl_ventas_postgres.py", "--recovery"),
    ),
    EtlSchedule(
        "fluxion-abc-recalc-daily",
        "0 8 * * *",
        "FluxionETLTask",
        ("python", "etl_inventario.py", "--abc"),
    ),
    # DISABLED live (manual override, drift table): it must stay disabled.
    EtlSchedule(
        "fluxion-productos-cache-refresh",
        "30 9,15,21,3 * * *",
        "FluxionETLTask",
        ("python", "etl_inventario.py", "--productos-cache"),
        enabled=False,
    ),
)

PRODUCTION = EnvironmentConfig(
    name="production",
    adopted=True,
    name_prefix="fluxion",  # the live names
    account_id="611395766952",
    region="us-east-1",
    domain="fluxionia.co",
    cloudformation_stack="FluxionStackV2",
    network=NetworkConfig(
        vpc_name="fluxion-vpc",
        vpc_cidr="10.0.0.0/16",
        public_subnets=(("us-east-1a", "10.0.0.0/24"), ("us-east-1b", "10.0.1.0/24")),
        private_subnets=(("us-east-1a", "10.0.2.0/24"), ("us-east-1b", "10.0.3.0/24")),
        nat_az="us-east-1a",
        etl_az="us-east-1b",
        on_premises_cidr="192.168.0.0/16",
        wireguard_az="us-east-1a",
        wireguard_private_ip="10.0.2.251",
        wireguard_tunnel_cidr="10.32.0.24/32",
        wireguard_instance_type="t3.micro",
        wireguard_secret_name="fluxion/wireguard-config",
    ),
    database=DatabaseConfig(
        db_name="fluxion_production",
        master_username="postgres",
        engine_major_version="16",  # live 16.3: RDS applies minor upgrades
        instance_class="db.t3.medium",
        replica_instance_class="db.t3.medium",
        allocated_storage_gib=100,
        max_allocated_storage_gib=500,
        backup_retention_days=7,
        backup_window="03:00-04:00",
        maintenance_window="sun:04:00-sun:05:00",
        log_retention_days=7,
        parameters=(  # "Parametros Optimizados", in the engine's units
            ("work_mem", "65536"),  # 64 MB in kB
            ("maintenance_work_mem", "131072"),  # 128 MB in kB
            ("effective_cache_size", "393216"),  # 3 GB in 8 kB pages
            ("random_page_cost", "1.1"),
            ("max_parallel_workers", "4"),
            ("log_min_duration_statement", "1000"),  # ms
        ),
        replica_extra_parameters=(  # "Parametros Read Replica (adicionales)"
            ("max_standby_streaming_delay", "900000"),  # 900 s in ms
            ("max_standby_archive_delay", "900000"),
            ("hot_standby_feedback", "1"),
        ),
    ),
    compute=ComputeConfig(
        cluster_name="fluxion-cluster",
        service_name="fluxion-backend",
        alb_name="fluxion-alb",
        desired_count=2,
        max_desired_count=6,
        task_cpu_units=1024,
        task_memory_mib=2048,
        uvicorn_workers=2,
        backend_port=8001,
        health_check_grace_seconds=120,
        alb_idle_timeout_seconds=300,
        health_check_path="/",
        health_check_interval_seconds=60,
        healthy_threshold=2,
        unhealthy_threshold=5,
        deregistration_delay_seconds=30,
        vpn_gateway_ip="192.168.20.1",
        etl_timeout_seconds=7200,
        log_retention_days=7,
        image_tag="latest",
        schedules=ETL_SCHEDULES,
    ),
    edge=EdgeConfig(
        sites=(
            SiteConfig("frontend", "admin", "fluxion-frontend-v4", spa_routing=True),
            SiteConfig("docs", "docs", "fluxion-docs"),
        ),
        api_subdomain="api",
        origin_read_timeout_seconds=60,
    ),
    ci=CiConfig(
        github_repository="fluxion-ai/fluxion-infra",
    ),
    # The guide's cost table ("Costos Estimados") where it gives a figure: ~10 minutes per
    # ETL run, ~5 GB of logs a month. The rest is this team's estimate of a low-traffic
    # estate (docs/cost.md compares the result with the guide's ~250 USD line by line).
    cost=CostConfig(
        etl_minutes_per_run=10,
        log_ingested_gb_per_month=(
            ("/ecs/fluxion-backend", 3),
            ("/ecs/fluxion-etl", 1),
            ("/aws/rds/instance/fluxion-postgres-v2/postgresql", 1),
            # hardened only: the replica's log export, VPC flow logs, the web ACL's logs
            ("/aws/rds/instance/fluxion-postgres-replica/postgresql", 1),
            ("/vpc/fluxion-vpc/flow-logs", 10),
            ("aws-waf-logs-fluxion-production-edge", 2),
        ),
        s3_stored_gb=(
            ("fluxion-frontend-v4-611395766952", 1),
            ("fluxion-docs-611395766952", 1),
            ("fluxion-backups-611395766952", 40),
            ("fluxion-backups-v2-611395766952", 20),
            ("fluxion-backups-v3-611395766952", 20),
            ("fluxion-backups-v4-611395766952", 40),
            ("fluxion-tfstate-611395766952", 1),
            ("fluxion-logs-611395766952", 5),
        ),
        ecr_stored_gb=10,
        nat_processed_gb_per_month=50,
        cloudfront_transfer_gb_per_month=50,
        cloudfront_requests_thousands_per_month=2_000,
        cdn_log_gb_per_month=1,
        alb_lcu_hours_per_month=365,
        ebs_root_volume_gb=8,
        pr_increase_allowed_usd=25,
    ),
)

STAGING_ACCOUNT = "730335291745"
STAGING = EnvironmentConfig(
    name="staging",
    # Its own account: no role, bucket policy or trust of one environment names the other's
    # (tests/test_environments.py). Built fresh and hardened from day one, `waf_enforce` too.
    account_id=STAGING_ACCOUNT,
    region="us-east-1",
    domain="staging.fluxionia.co",
    cloudformation_stack="",  # nothing to adopt
    features=Features(bridge=False, replica=False, legacy_backups=False),
    hardening=replace(Hardening().preset("hardened"), waf_enforce=True),
    network=replace(
        PRODUCTION.network,
        vpc_name="fluxion-staging-vpc",
        vpc_cidr="10.1.0.0/16",
        public_subnets=(("us-east-1a", "10.1.0.0/24"), ("us-east-1b", "10.1.1.0/24")),
        private_subnets=(("us-east-1a", "10.1.2.0/24"), ("us-east-1b", "10.1.3.0/24")),
        wireguard_private_ip="10.1.2.251",
        wireguard_secret_name="fluxion-staging/wireguard-config",
    ),
    database=replace(
        PRODUCTION.database,
        db_name="fluxion_staging",
        instance_class="db.t4g.micro",
        replica_instance_class="db.t4g.micro",
        allocated_storage_gib=20,
        max_allocated_storage_gib=50,
        backup_retention_days=3,
    ),
    compute=replace(
        PRODUCTION.compute,
        cluster_name="fluxion-staging-cluster",
        service_name="fluxion-staging-backend",
        alb_name="fluxion-staging-alb",
        desired_count=1,
        max_desired_count=2,
        task_cpu_units=512,
        task_memory_mib=1024,
        uvicorn_workers=1,
        # immutable images from day one: a tag, never `latest`; the app pipeline's release
        # sets it to the commit it pushed (docs/ci-identity.md)
        image_tag="initial",
    ),
    edge=replace(
        PRODUCTION.edge,
        sites=(
            SiteConfig("frontend", "admin", "fluxion-staging-frontend", spa_routing=True),
            SiteConfig("docs", "docs", "fluxion-staging-docs"),
        ),
    ),
    ci=replace(PRODUCTION.ci, environment_prefix="staging-"),
    cost=replace(
        PRODUCTION.cost,
        log_ingested_gb_per_month=(),
        s3_stored_gb=(),
        ecr_stored_gb=2,
        nat_processed_gb_per_month=5,
        cloudfront_transfer_gb_per_month=1,
        cloudfront_requests_thousands_per_month=50,
        alb_lcu_hours_per_month=73,
        pr_increase_allowed_usd=10,
    ),
)


def recovery_of(env: EnvironmentConfig, region: str, vpc_cidr: str) -> EnvironmentConfig:
    """The environment that rebuilds `env` in `region` from a database snapshot: same account,
    code and sizes, its own names, state bucket and VPC; no bridge, no replica, no legacy
    buckets (the first hours need the API and the ETL back, not the extras), none of the
    account's one-of-a-kind resources (its environment owns them: no CI identity, since
    people run a recovery) and no edge (the DNS cut-over is a runbook step). The snapshot
    comes when synthesizing: FLUXION_RESTORE_SNAPSHOT (docs/environments.md, "Recovery")."""
    net = env.network
    azs = [f"{region}a", f"{region}b"]
    base = ".".join(vpc_cidr.split(".")[:2])  # a /16: public .0 and .1, private .2 and .3
    cidrs = [f"{base}.{i}.0/24" for i in range(4)]
    name = f"{env.name}-recovery"
    return replace(
        env,
        name=name,
        adopted=False,
        name_prefix=f"fluxion-{name}",
        region=region,
        cloudformation_stack="",
        recovers=env.name,
        restore_snapshot=PLACEHOLDER_SNAPSHOT,
        state_bucket="",
        log_bucket="",
        features=Features(bridge=False, replica=False, legacy_backups=False, owns_account=False),
        # hardened, but the API's origin stays the ALB's own (no edge to put in front of it
        # until the DNS is decided: the runbook's last step)
        hardening=replace(
            env.hardening.preset("hardened"), https_origin=False, internal_origin=False
        ),
        network=replace(
            net,
            vpc_name=f"fluxion-{name}-vpc",
            vpc_cidr=vpc_cidr,
            public_subnets=tuple(zip(azs, cidrs[:2], strict=True)),
            private_subnets=tuple(zip(azs, cidrs[2:], strict=True)),
            nat_az=azs[0],
            etl_az=azs[1],
            wireguard_az=azs[0],
            wireguard_private_ip=f"{base}.2.251",
            wireguard_secret_name=f"fluxion-{name}/wireguard-config",
        ),
        compute=replace(
            env.compute,
            cluster_name=f"fluxion-{name}-cluster",
            service_name=f"fluxion-{name}-backend",
            alb_name=f"fluxion-{name}-alb"[:32],
        ),
        edge=replace(
            env.edge,
            sites=tuple(
                replace(
                    site,
                    bucket_prefix=site.bucket_prefix.replace("fluxion-", f"fluxion-{name}-", 1),
                )
                for site in env.edge.sites
            ),
        ),
    )


PLACEHOLDER_SNAPSHOT = "snapshot-to-restore"
"""What a recovery environment's `restore_snapshot` is until FLUXION_RESTORE_SNAPSHOT names the
real one: `load` refuses to synthesize with it."""

ENVIRONMENTS: dict[str, EnvironmentConfig] = {
    env.name: env
    for env in (
        PRODUCTION,
        STAGING,
        recovery_of(PRODUCTION, "us-west-2", "10.10.0.0/16"),
        recovery_of(STAGING, "us-west-2", "10.11.0.0/16"),
    )
}
DEFAULT_ENVIRONMENT = PRODUCTION.name
"""The environment a command works on when neither `--environment` nor FLUXION_ENV says."""


def load(
    name: str = DEFAULT_ENVIRONMENT,
    *,
    profile: str | None = None,
    provider_pins: str | None = None,
    restore_snapshot: str | None = None,
) -> EnvironmentConfig:
    """The named environment's config: its own hardening switches, or a profile's preset
    (`adopt`: all off, `hardened`: all on), optionally with other provider pins, and for a
    recovery environment the snapshot it restores (`PLACEHOLDER_SNAPSHOT` until given:
    `from_environ`, which synthesis uses, refuses to go on without it)."""
    try:
        env = ENVIRONMENTS[name]
    except KeyError:
        valid = ", ".join(sorted(ENVIRONMENTS))
        raise ConfigError.invalid("environment", name, f"is unknown; valid: {valid}") from None
    if restore_snapshot:  # checked by the environment: only a recovery one restores
        env = replace(env, restore_snapshot=restore_snapshot)
    if profile is not None:
        env = replace(env, hardening=env.hardening.preset(profile))
    return env if provider_pins is None else replace(env, provider_pins=provider_pins)


SETTINGS = {
    "environment": "FLUXION_ENV",
    "profile": "FLUXION_PROFILE",
    "provider_pins": "FLUXION_PROVIDER_PINS",
    "restore_snapshot": "FLUXION_RESTORE_SNAPSHOT",
}
"""The configuration fields a process's environment chooses, and the variable each comes from
(`main.py`, `make cdktf`'s guard)."""


def from_environ(environ: Mapping[str, str]) -> EnvironmentConfig:
    """`load` with the FLUXION_* settings; a bad setting's error names the variable. A recovery
    environment needs FLUXION_RESTORE_SNAPSHOT here: this is what synthesis reads."""
    try:
        env = load(
            environ.get(SETTINGS["environment"]) or DEFAULT_ENVIRONMENT,
            profile=environ.get(SETTINGS["profile"]) or None,
            provider_pins=environ.get(SETTINGS["provider_pins"]) or None,
            restore_snapshot=environ.get(SETTINGS["restore_snapshot"]) or None,
        )
        if env.restore_snapshot == PLACEHOLDER_SNAPSHOT:
            raise ConfigError.invalid(
                "restore_snapshot",
                "",
                f"is empty; {env.name} recovers {env.recovers}: name the snapshot to restore "
                "(`python -m ops snapshot-copy` prints it)",
            )
        return env
    except ConfigError as err:
        variable = SETTINGS.get(err.field, "")
        raise err.came_from(variable) if variable in environ else err from None
