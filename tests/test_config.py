"""Configuration is data; bad values stop with an error naming field and value."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import config
from config import ConfigError, EtlSchedule, SiteConfig
from config.monitoring import MonitoringConfig
from tests.conftest import ROOT

PROD = config.load()


def test_default_environment_is_the_seed_production() -> None:
    assert PROD.name == "production"
    assert PROD.account_id == "611395766952"
    assert PROD.region == "us-east-1"
    assert PROD.domain == "fluxionia.co"
    assert PROD.network.azs == ("us-east-1a", "us-east-1b")
    assert PROD.profile == "adopt"


def test_config_is_frozen() -> None:
    with pytest.raises(AttributeError):
        PROD.region = "eu-west-1"  # type: ignore[misc]


def test_unknown_environment_lists_the_valid_ones() -> None:
    valid = "production, production-recovery, staging, staging-recovery"
    with pytest.raises(ConfigError, match=rf"^environment: 'stagin' is unknown; valid: {valid}$"):
        config.load("stagin")


# --- one negative test per rule: (section, changes, the one line) ----------------------------
# Values are the kind of mistake an edit makes; messages name the dotted field and the value.

ENVIRONMENT_RULES = [
    ({"account_id": "61139576695"}, r"^account_id: '61139576695' must be exactly 12 digits$"),
    ({"region": "us-east"}, r"^region: 'us-east' is not an AWS region name$"),
    ({"provider_pins": "latest"}, r"^provider_pins: 'latest' is not one of estate, bindings$"),
    ({"name": "Prod!"}, r"^name: 'Prod!' must be lower-case letters, digits and '-'$"),
    ({"domain": "fluxionia"}, r"^domain: 'fluxionia' is not a domain name$"),
    ({"state_key_prefix": "/x"}, r"^state_key_prefix: '/x' is not an S3 key prefix$"),
    ({"state_noncurrent_days": 0}, r"^state_noncurrent_days: 0 must be 1-3650 days$"),
    ({"access_log_days": 4000}, r"^access_log_days: 4000 must be 1-3650 days$"),
    (
        {"name_prefix": "Fluxion"},
        r"^name_prefix: 'Fluxion' must be lower-case letters, digits and '-'$",
    ),
    (
        {"restore_snapshot": "rds:x y", "recovers": "production", "adopted": False},
        r"^restore_snapshot: 'rds:x y' is not a DB snapshot identifier or ARN$",
    ),
    # production's subnets are in us-east-1a/b: another region needs its own AZs
    (
        {"region": "eu-west-1"},
        r"^network.public_subnets: 'us-east-1a' is not an availability zone of eu-west-1$",
    ),
]
NETWORK_RULES = [
    ({"vpc_name": ""}, r"^network.vpc_name: '' is not a Name tag$"),
    ({"vpc_cidr": "10.0.0.0/33"}, r"^network.vpc_cidr: '10.0.0.0/33' is not a valid IPv4 CIDR"),
    (
        {"vpc_cidr": "10.0.0.1/16"},
        r"^network.vpc_cidr: '10.0.0.1/16' is not a valid IPv4 CIDR .*host bits",
    ),
    (
        {"on_premises_cidr": "10.0.128.0/17"},
        r"^network.on_premises_cidr: '10.0.128.0/17' overlaps network.vpc_cidr '10.0.0.0/16'$",
    ),
    (
        {"wireguard_tunnel_cidr": "192.168.7.1/32"},
        r"^network.wireguard_tunnel_cidr: '192.168.7.1/32' overlaps network.on_premises_cidr",
    ),
    (
        {"public_subnets": (("us-east-1a", "10.1.0.0/24"), ("us-east-1b", "10.0.1.0/24"))},
        r"^network.public_subnets\[us-east-1a\]: '10.1.0.0/24' is outside the VPC 10.0.0.0/16$",
    ),
    (
        {"private_subnets": (("us-east-1a", "10.0.2.0/24"), ("us-east-1b", "10.0.1.0/24"))},
        r"^network.private_subnets\[us-east-1b\]: '10.0.1.0/24' overlaps "
        r"network.public_subnets\[us-east-1b\]",
    ),
    (
        {"private_subnets": (("us-east-1a", "10.0.2.0/24"), ("us-east-1a", "10.0.3.0/24"))},
        r"^network.private_subnets: AZs .* repeat; one subnet per AZ$",
    ),
    (
        {"private_subnets": (("us-east-1a", "10.0.2.0/24"),)},
        r"^network.private_subnets: \['us-east-1a'\] must cover the public AZs",
    ),
    ({"etl_az": "us-east-1c"}, r"^network.etl_az: 'us-east-1c' is not one of the VPC's AZs"),
    (
        {"wireguard_private_ip": "10.0.3.251"},
        r"^network.wireguard_private_ip: '10.0.3.251' is outside its subnet 10.0.2.0/24",
    ),
    (
        {"wireguard_private_ip": "10.0.2.999"},
        r"^network.wireguard_private_ip: '10.0.2.999' is not an IPv4 address$",
    ),
    (
        {"wireguard_instance_type": "t3micro"},
        r"^network.wireguard_instance_type: 't3micro' is not an instance type$",
    ),
    (
        {"wireguard_secret_name": "fluxion wg"},
        r"^network.wireguard_secret_name: 'fluxion wg' is not a secret name$",
    ),
    (
        {"wireguard_source_dest_check": True},
        r"^network.wireguard_source_dest_check: True; the route to 192.168.0.0/16 via the bridge",
    ),
]
DATABASE_RULES = [
    ({"db_name": "1fluxion"}, r"^database.db_name: '1fluxion' must start with a letter"),
    ({"master_username": "rdsadmin"}, r"^database.master_username: 'rdsadmin' is reserved by RDS$"),
    ({"master_username": "pg-admin"}, r"^database.master_username: 'pg-admin' must start with"),
    (
        {"engine_major_version": "16.3"},
        r"^database.engine_major_version: '16.3' is not a PostgreSQL major",
    ),
    (
        {"instance_class": "t3.medium"},
        r"^database.instance_class: 't3.medium' is not a DB instance class$",
    ),
    (
        {"replica_instance_class": "db.t3"},
        r"^database.replica_instance_class: 'db.t3' is not a DB instance class$",
    ),
    ({"allocated_storage_gib": 10}, r"^database.allocated_storage_gib: 10 must be 20-65536 GiB"),
    (
        {"max_allocated_storage_gib": 50},
        r"^database.max_allocated_storage_gib: 50 is below allocated_storage_gib 100$",
    ),
    ({"backup_retention_days": 0}, r"^database.backup_retention_days: 0 must be 1-35 days"),
    ({"backup_window": "3:00-4:00"}, r"^database.backup_window: '3:00-4:00' is not hh:mm-hh:mm"),
    (
        {"maintenance_window": "sunday:04:00-sunday:05:00"},
        r"^database.maintenance_window: 'sunday:04:00-sunday:05:00' is not ddd:hh:mm-ddd:hh:mm",
    ),
    (
        {"log_retention_days": 10},
        r"^database.log_retention_days: 10 is not a CloudWatch retention \(1, 3, 5, 7, 14, ",
    ),
    (
        {"replica_extra_parameters": (("work_mem", "1"),)},
        r"^database.parameters: \['work_mem'\] are set twice",
    ),
]


def _schedule(
    name: str = "r", command: tuple[str, ...] = ("python", "x.py"), cron: str = "0 7 * * *"
) -> EtlSchedule:
    return EtlSchedule(name, cron, "FluxionETLTask", command)


COMPUTE_RULES = [
    (
        {"cluster_name": "fluxion cluster"},
        r"^compute.cluster_name: 'fluxion cluster' is not an ECS cluster name$",
    ),
    ({"service_name": ""}, r"^compute.service_name: '' is not an ECS service name$"),
    (
        {"alb_name": "fluxion-alb-" + "x" * 30},
        r"^compute.alb_name: 'fluxion-alb-x+' is not a load balancer name",
    ),
    ({"desired_count": 0}, r"^compute.desired_count: 0 must be at least 1$"),
    ({"max_desired_count": 1}, r"^compute.max_desired_count: 1 is below desired_count 2$"),
    (
        {"task_cpu_units": 1024, "task_memory_mib": 3000},
        r"^compute.task_cpu_units/task_memory_mib: '1024/3000' is not a Fargate size",
    ),
    ({"uvicorn_workers": 0}, r"^compute.uvicorn_workers: 0 must be 1-64 processes$"),
    ({"backend_port": 70000}, r"^compute.backend_port: 70000 must be 1-65535"),
    ({"health_check_grace_seconds": -1}, r"^compute.health_check_grace_seconds: -1 must be 0-"),
    (
        {"alb_idle_timeout_seconds": 0},
        r"^compute.alb_idle_timeout_seconds: 0 must be 1-4000 seconds$",
    ),
    ({"health_check_path": "health"}, r"^compute.health_check_path: 'health' is not a path$"),
    (
        {"health_check_interval_seconds": 1},
        r"^compute.health_check_interval_seconds: 1 must be 5-300",
    ),
    ({"healthy_threshold": 1}, r"^compute.healthy_threshold: 1 must be 2-10 checks$"),
    ({"unhealthy_threshold": 11}, r"^compute.unhealthy_threshold: 11 must be 2-10 checks$"),
    (
        {"deregistration_delay_seconds": 3601},
        r"^compute.deregistration_delay_seconds: 3601 must be 0-3600",
    ),
    ({"etl_timeout_seconds": 10}, r"^compute.etl_timeout_seconds: 10 must be 60-86400 seconds$"),
    ({"log_retention_days": 10}, r"^compute.log_retention_days: 10 is not a CloudWatch retention"),
    ({"image_tag": "v1:2"}, r"^compute.image_tag: 'v1:2' is not a Docker image tag$"),
    ({"image_tag": ""}, r"^compute.image_tag: '' is not a Docker image tag$"),
    ({"schedules": (_schedule("a"), _schedule("a"))}, r"^compute.schedules: rule names repeat in"),
    ({"schedules": (_schedule(command=()),)}, r"^compute.schedules\[r\].command: \(\) is empty$"),
    # cron is validated when the configuration loads, not at synth
    (
        {"schedules": (_schedule(cron="0 7 1 * 1"),)},
        r"^compute.schedules\[r\].unix_cron: cron '0 7 1 \* 1': both day-of-month and day-of-week",
    ),
    (
        {"schedules": (_schedule(cron="0 25 * * *"),)},
        r"^compute.schedules\[r\].unix_cron: cron '0 25",
    ),
]


def _site(key: str = "frontend", subdomain: str = "admin", bucket: str = "b-one") -> SiteConfig:
    return SiteConfig(key, subdomain, bucket)


EDGE_RULES = [
    ({"api_subdomain": "API"}, r"^edge.api_subdomain: 'API' is not one DNS label$"),
    (
        {"origin_read_timeout_seconds": 0},
        r"^edge.origin_read_timeout_seconds: 0 must be 1-180 seconds",
    ),
    (
        {"certificate_region": "eu-west-1"},
        r"^edge.certificate_region: 'eu-west-1' is not one of us-east-1$",
    ),
    (
        {"cloudflare_zone_id": "zone"},
        r"^edge.cloudflare_zone_id: 'zone' is not a Cloudflare zone ID$",
    ),
    (
        {"sites": (_site(), _site("docs", "admin", "b-two"))},
        r"^edge.sites \(subdomains\): \['admin'\] are shared by two distributions$",
    ),
    ({"proxied": ("shop",)}, r"^edge.proxied: \['shop'\] are not records of this stack$"),
    ({"sites": (_site(),)}, r"^edge.sites: \['frontend'\] has no site with key 'docs'"),
]
SITE_RULES = [
    ({"key": "Front"}, r"^edge.sites\[Front\].key: 'Front' is not a construct key"),
    ({"subdomain": "a.b"}, r"^edge.sites\[frontend\].subdomain: 'a.b' is not one DNS label$"),
    (
        {"bucket_prefix": "Fluxion"},
        r"^edge.sites\[frontend\].bucket_prefix: 'Fluxion' is not an S3",
    ),
]
CI_RULES = [
    ({"github_repository": "fluxion"}, r"^ci.github_repository: 'fluxion' is not owner/name$"),
    ({"app_repository": "a/b/c"}, r"^ci.app_repository: 'a/b/c' is not owner/name$"),
    (
        {"environment_prefix": "staging"},
        r"^ci.environment_prefix: 'staging' must be empty or lower-case and end in '-'$",
    ),
]
MONITORING_RULES = [
    ({"emails": ("on-call",)}, r"^monitoring.emails: 'on-call' is not an e-mail address$"),
    ({"alb_5xx_percent": 0}, r"^monitoring.alb_5xx_percent: 0 must be 1-100 %$"),
    ({"alb_min_requests": 0}, r"^monitoring.alb_min_requests: 0 must be 1-100000 requests$"),
    ({"primary_cpu_percent": 101}, r"^monitoring.primary_cpu_percent: 101 must be 1-100 %$"),
    ({"free_storage_percent": 60}, r"^monitoring.free_storage_percent: 60 must be 1-50 %$"),
    ({"db_connections": 0}, r"^monitoring.db_connections: 0 must be 1-5000 connections$"),
    ({"nat_dropped_packets": 0}, r"^monitoring.nat_dropped_packets: 0 must be 1-1000000 packets$"),
]
HARDENING_RULES = [
    (
        {"log_retention_days": 45},
        r"^hardening.log_retention_days: 45 is not a CloudWatch retention",
    ),
    ({"alert_emails": ("ops",)}, r"^hardening.alert_emails: 'ops' is not an e-mail address$"),
    ({"internal_origin": True}, r"^hardening.internal_origin: True needs https_origin on first"),
    ({"backend_app_db_user": True}, r"^hardening.backend_app_db_user: True needs app_db_secret on"),
    (
        {"managed_master_password": True, "app_db_secret": True},
        r"^hardening.managed_master_password: True needs backend_app_db_user on first",
    ),
    ({"waf_enforce": True}, r"^hardening.waf_enforce: True needs web_acl on first"),
]
COST_RULES = [
    ({"etl_minutes_per_run": 0}, r"^cost.etl_minutes_per_run: 0 must be 1-1440 minutes$"),
    ({"ecr_stored_gb": -1}, r"^cost.ecr_stored_gb: -1 must be 0-100000 GB$"),
    ({"nat_processed_gb_per_month": 10**6}, r"^cost.nat_processed_gb_per_month: 1000000 must"),
    ({"cloudfront_transfer_gb_per_month": -5}, r"^cost.cloudfront_transfer_gb_per_month: -5 "),
    ({"cloudfront_requests_thousands_per_month": 1.5}, r"^cost.cloudfront_requests_thousands"),
    ({"cdn_log_gb_per_month": "1"}, r"^cost.cdn_log_gb_per_month: '1' must be 0-100000 GB$"),
    ({"alb_lcu_hours_per_month": -1}, r"^cost.alb_lcu_hours_per_month: -1 must be 0-1000000 LCU"),
    ({"ebs_root_volume_gb": 0}, r"^cost.ebs_root_volume_gb: 0 must be 1-16384 GB$"),
    ({"pr_increase_allowed_usd": -10}, r"^cost.pr_increase_allowed_usd: -10 must be 0-100000 USD"),
    (
        {"log_ingested_gb_per_month": (("/ecs/a", 1), ("/ecs/a", 2))},
        r"^cost.log_ingested_gb_per_month: \['/ecs/a', '/ecs/a'\] names a resource twice$",
    ),
    ({"s3_stored_gb": (("b", -3),)}, r"^cost.s3_stored_gb\[b\]: -3 must be 0-100000 GB$"),
    (
        {"log_ingested_gb_per_month": (("/ecs/a", 10**6),)},
        r"^cost.log_ingested_gb_per_month\[/ecs/a\]: 1000000 must be 0-100000 GB$",
    ),
]
RULES = [
    *(("cost", c, m) for c, m in COST_RULES),
    *(("environment", c, m) for c, m in ENVIRONMENT_RULES),
    *(("network", c, m) for c, m in NETWORK_RULES),
    *(("database", c, m) for c, m in DATABASE_RULES),
    *(("compute", c, m) for c, m in COMPUTE_RULES),
    *(("edge", c, m) for c, m in EDGE_RULES),
    *(("site", c, m) for c, m in SITE_RULES),
    *(("ci", c, m) for c, m in CI_RULES),
    *(("hardening", c, m) for c, m in HARDENING_RULES),
    *(("monitoring", c, m) for c, m in MONITORING_RULES),
]


def _build(section: str, changes: dict[str, Any]) -> object:
    if section == "environment":
        return replace(PROD, **changes)
    if section == "site":
        return replace(PROD.edge.sites[0], **changes)
    return replace(getattr(PROD, section), **changes)


@pytest.mark.parametrize(("section", "changes", "message"), RULES)
def test_every_rule_refuses_in_one_line(
    section: str, changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        _build(section, changes)
    line = str(caught.value)
    assert "\n" not in line
    # the field rides on the error too, so callers never parse the message
    assert caught.value.field and line.startswith(caught.value.field)


def test_every_table_rule_has_its_negative_case() -> None:
    """Each field a `RULES` table checks is refused by one case above (what the rule says,
    not what the code does, is the expected line)."""
    tested = set()
    for section, changes, _ in RULES:
        assert isinstance(changes, dict)
        tested |= {(section, field) for field in changes}
    classes = {"network": config.NetworkConfig, "database": config.DatabaseConfig,
               "compute": config.ComputeConfig, "edge": config.EdgeConfig,
               "site": config.SiteConfig, "ci": config.CiConfig, "hardening": config.Hardening,
               "cost": config.CostConfig, "environment": config.EnvironmentConfig,
               "monitoring": MonitoringConfig}  # fmt: skip
    ruled = {(s, rule.field) for s, cls in classes.items() for rule in getattr(cls, "RULES", ())}
    assert ruled - tested == set()


def test_the_production_values_pass_every_rule() -> None:
    for section in ("network", "database", "compute", "edge", "ci", "hardening", "cost",
                    "monitoring"):  # fmt: skip
        assert _build(section, {}) == getattr(PROD, section)


def test_a_rule_names_the_field_the_value_and_what_was_expected() -> None:
    with pytest.raises(ConfigError) as caught:
        replace(PROD.compute, desired_count=0)
    assert (caught.value.field, caught.value.value, caught.value.expected) == (
        "compute.desired_count", 0, "must be at least 1",
    )  # fmt: skip


def test_an_unknown_profile_is_refused_when_loading() -> None:
    with pytest.raises(ConfigError, match=r"^profile: 'strict' is not one of adopt, hardened$"):
        config.load(profile="strict")


def test_every_az_the_network_names_must_be_in_the_region() -> None:
    network = replace(
        PROD.network,
        public_subnets=(("eu-west-1a", "10.0.0.0/24"), ("eu-west-1b", "10.0.1.0/24")),
        private_subnets=(("eu-west-1a", "10.0.2.0/24"), ("eu-west-1b", "10.0.3.0/24")),
        nat_az="eu-west-1a",
        etl_az="eu-west-1b",
        wireguard_az="eu-west-1a",
    )
    assert replace(PROD, region="eu-west-1", network=network).network.azs[0] == "eu-west-1a"
    with pytest.raises(ConfigError, match=r"network.public_subnets: 'eu-west-1a' is not an"):
        replace(PROD, network=network)  # still us-east-1


def test_state_bucket_derives_from_the_account() -> None:
    env = replace(PROD, name="x1", account_id="123456789012", state_bucket="")
    assert env.state_bucket == "fluxion-tfstate-123456789012"
    assert env.state_key("data") == "fluxion/x1/data.tfstate"


def test_bad_environment_exits_before_writing_anything(tmp_path: Path) -> None:
    out = tmp_path / "cdktf.out"
    env = dict(os.environ, FLUXION_ENV="stagin", CDKTF_OUTDIR=str(out))
    proc = subprocess.run(
        [sys.executable, "main.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 2
    assert "environment: 'stagin' is unknown; valid: production, " in proc.stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [], "no staging folder left behind"


def test_a_failing_synth_leaves_the_previous_output_intact(tmp_path: Path) -> None:
    import app

    out = tmp_path / "cdktf.out"
    out.mkdir()
    (out / "marker").write_text("previous synth")
    bad = replace(PROD, compute=replace(PROD.compute, schedules=(_schedule(),)))
    # bypass the frozen dataclass: a rule only the stack's cron translation catches
    object.__setattr__(bad.compute.schedules[0], "unix_cron", "0 7 1 * 1")
    with pytest.raises(ConfigError, match=r"both day-of-month and day-of-week are restricted"):
        app.synth(bad, out)
    assert (out / "marker").read_text() == "previous synth"
    assert [p.name for p in tmp_path.iterdir()] == ["cdktf.out"]


def test_the_shared_checks_name_the_field_and_the_values() -> None:
    """config/checks.py's helpers on their own (the classes run them at import time, where
    mutation testing cannot see them)."""
    from ipaddress import IPv4Network

    from config import checks

    checks.unique("f", ["a", "b"], "names")
    with pytest.raises(ConfigError, match=r"^f: names \['1', 'a'\] repeat$") as caught:
        checks.unique("f", ["a", 1, "b", "a", 1], "names")
    assert (caught.value.field, caught.value.value) == ("f", ["1", "a"])
    apart = {"x": IPv4Network("10.0.0.0/16"), "y": IPv4Network("10.1.0.0/16")}
    checks.disjoint(apart)
    with pytest.raises(ConfigError, match=r"^z: '10.1.2.0/24' overlaps y '10.1.0.0/16'$"):
        checks.disjoint(apart | {"z": IPv4Network("10.1.2.0/24")})
    assert checks.network("f", "10.0.0.0/16") == IPv4Network("10.0.0.0/16")
    with pytest.raises(ConfigError, match=r"^f: '10.0.0.1/16' is not a valid IPv4 CIDR \(10.0"):
        checks.network("f", "10.0.0.1/16")
    assert (checks.dotted("", "f"), checks.dotted("s", "f")) == ("f", "s.f")


def test_the_rule_types_hold_their_bounds_and_refuse_booleans() -> None:
    from config import checks

    days = checks.Range("f", 1, 5, "days")
    assert [days.expected(v) is None for v in (0, 1, 5, 6, True)] == [
        False, True, True, False, False,
    ]  # fmt: skip
    least = checks.AtLeast("f", 1, "tasks")
    assert [least.expected(v) is None for v in (0, 1, 10**6, True, "2")] == [
        False, True, True, False, False,
    ]  # fmt: skip
