"""Configuration is data; bad values stop with an error naming field and value."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

import config
from config import ConfigError, EtlSchedule
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
    with pytest.raises(ConfigError, match=r"environment: 'staging' is unknown; valid: production"):
        config.load("staging")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("account_id", "61139576695", r"account_id: '61139576695' must be exactly 12 digits"),
        ("region", "us-east", r"region: 'us-east' is not an AWS region name"),
        ("profile", "strict", r"profile: 'strict' is not one of adopt"),
        ("provider_pins", "latest", r"provider_pins: 'latest' is not one of estate, bindings"),
        ("name", "Prod!", r"name: 'Prod!' must be"),
        # production's subnets are in us-east-1a/b: another region needs its own AZs
        (
            "region",
            "eu-west-1",
            r"network.public_subnets: 'us-east-1a' is not an availability "
            r"zone of eu-west-1",
        ),
    ],
)
def test_environment_fields_are_validated(field: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        replace(PROD, **{field: value})  # type: ignore[arg-type]


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


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"db_name": "1fluxion"}, r"database.db_name: '1fluxion' must start with a letter"),
        ({"master_username": "rdsadmin"}, r"database.master_username: 'rdsadmin' is reserved"),
    ],
)
def test_database_rules(changes: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        replace(PROD.database, **changes)


def test_state_bucket_derives_from_the_account() -> None:
    env = replace(PROD, name="x1", account_id="123456789012", state_bucket="")
    assert env.state_bucket == "fluxion-tfstate-123456789012"
    assert env.state_key("data") == "fluxion/x1/data.tfstate"


def test_bad_environment_exits_before_writing_anything(tmp_path: Path) -> None:
    out = tmp_path / "cdktf.out"
    env = dict(os.environ, FLUXION_ENV="staging", CDKTF_OUTDIR=str(out))
    proc = subprocess.run(
        [sys.executable, "main.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 2
    assert "environment: 'staging' is unknown; valid: production" in proc.stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [], "no staging folder left behind"


def test_a_failing_synth_leaves_the_previous_output_intact(tmp_path: Path) -> None:
    import main

    out = tmp_path / "cdktf.out"
    out.mkdir()
    (out / "marker").write_text("previous synth")
    bad = replace(PROD, compute=replace(PROD.compute, schedules=(_schedule(),)))
    # bypass the frozen dataclass: a rule only the stack's cron translation catches
    object.__setattr__(bad.compute.schedules[0], "unix_cron", "0 7 1 * 1")
    with pytest.raises(ConfigError, match=r"both day-of-month and day-of-week are restricted"):
        main.synth(bad, out)
    assert (out / "marker").read_text() == "previous synth"
    assert [p.name for p in tmp_path.iterdir()] == ["cdktf.out"]


# --- network rules (one negative test each) -------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"vpc_cidr": "10.0.0.0/33"}, r"vpc_cidr: '10.0.0.0/33' is not a valid IPv4 CIDR"),
        (
            {"on_premises_cidr": "10.0.128.0/17"},
            r"on_premises_cidr: '10.0.128.0/17' overlaps vpc_cidr '10.0.0.0/16'",
        ),
        (
            {"wireguard_tunnel_cidr": "192.168.7.1/32"},
            r"wireguard_tunnel_cidr: '192.168.7.1/32' overlaps on_premises_cidr",
        ),
        (
            {"public_subnets": (("us-east-1a", "10.1.0.0/24"), ("us-east-1b", "10.0.1.0/24"))},
            r"public_subnets\[us-east-1a\]: '10.1.0.0/24' is outside the VPC 10.0.0.0/16",
        ),
        (
            {"private_subnets": (("us-east-1a", "10.0.2.0/24"), ("us-east-1b", "10.0.1.0/24"))},
            r"private_subnets\[us-east-1b\]: '10.0.1.0/24' overlaps public_subnets\[us-east-1b\]",
        ),
        (
            {"private_subnets": (("us-east-1a", "10.0.2.0/24"), ("us-east-1a", "10.0.3.0/24"))},
            r"private_subnets: AZs .* repeat",
        ),
        ({"etl_az": "us-east-1c"}, r"etl_az: 'us-east-1c' is not one of the VPC's AZs"),
        (
            {"wireguard_private_ip": "10.0.3.251"},
            r"wireguard_private_ip: '10.0.3.251' is outside its subnet 10.0.2.0/24",
        ),
        ({"wireguard_private_ip": "10.0.2.999"}, r"wireguard_private_ip: '10.0.2.999' is not"),
        (
            {"wireguard_source_dest_check": True},
            r"wireguard_source_dest_check: True; the route to 192.168.0.0/16 via the bridge",
        ),
    ],
)
def test_network_rules(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        replace(PROD.network, **changes)  # type: ignore[arg-type]


# --- compute rules ---------------------------------------------------------------------------


def _schedule(name: str = "r", command: tuple[str, ...] = ("python", "x.py")) -> EtlSchedule:
    return EtlSchedule(name, "0 7 * * *", "FluxionETLTask", command)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"schedules": (_schedule("a"), _schedule("a"))}, r"schedules: rule names repeat"),
        ({"schedules": (_schedule(command=()),)}, r"schedules\[r\]: command is empty"),
        ({"task_cpu": 1024, "task_memory": 3000}, r"task_cpu/task_memory: 1024/3000 is not"),
        ({"desired_count": 0}, r"desired_count: 0 must be at least 1"),
        ({"max_desired_count": 1}, r"compute.max_desired_count: 1 is below desired_count 2"),
        ({"image_tag": "v1:2"}, r"compute.image_tag: 'v1:2' is not a Docker image tag"),
        ({"image_tag": ""}, r"compute.image_tag: '' is not a Docker image tag"),
    ],
)
def test_compute_rules(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        replace(PROD.compute, **changes)  # type: ignore[arg-type]


def test_a_bad_schedule_stops_before_synthesis(tmp_path: Path) -> None:
    import main

    bad = replace(PROD, compute=replace(PROD.compute, schedules=(_schedule(),)))
    object.__setattr__(bad.compute.schedules[0], "unix_cron", "0 7 1 * 1")
    with pytest.raises(ConfigError, match=r"both day-of-month and day-of-week are restricted"):
        main.synth(bad, tmp_path / "cdktf.out")
    assert list(tmp_path.iterdir()) == []
