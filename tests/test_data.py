"""The data stack says what is live (seed: "Base de Datos", "Secretos", inventory tables)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import config
from config import ConfigError
from modules.postgres import PostgresProps
from tests import seed
from tests.conftest import by_path, ref, resources


@pytest.fixture(scope="module")
def data(stacks: dict[str, Any]) -> dict[str, Any]:
    return stacks["data"]


def _remote(output: str) -> str:
    return f"${{data.terraform_remote_state.network.outputs.{output}}}"


def test_primary(data: dict[str, Any]) -> None:
    db = by_path(data, "aws_db_instance", "postgres/primary")
    expected = {
        "identifier": seed.PRIMARY["identifier"],
        "engine": "postgres",
        "engine_version": seed.PRIMARY["engine_major"],
        "instance_class": seed.PRIMARY["instance_class"],
        "allocated_storage": seed.PRIMARY["storage_gb"],
        "max_allocated_storage": seed.PRIMARY["max_storage_gb"],
        "storage_type": seed.PRIMARY["storage_type"],
        "storage_encrypted": seed.PRIMARY["encrypted"],
        "multi_az": seed.PRIMARY["multi_az"],
        "publicly_accessible": seed.PRIMARY["public"],
        "backup_retention_period": seed.PRIMARY["backup_retention_days"],
        "backup_window": seed.PRIMARY["backup_window"],
        "maintenance_window": seed.PRIMARY["maintenance_window"],
        "enabled_cloudwatch_logs_exports": seed.PRIMARY["log_exports"],
        "deletion_protection": seed.PRIMARY["deletion_protection"],
        "skip_final_snapshot": False,
        "db_name": "fluxion_production",
        "db_subnet_group_name": ref(data, "aws_db_subnet_group", "db_subnets", "name"),
        "vpc_security_group_ids": [_remote("rds_security_group_id")],
        "parameter_group_name": ref(
            data, "aws_db_parameter_group", "postgres/primary_params", "name"
        ),
    }
    assert {k: db.get(k) for k in expected} == expected
    assert db["final_snapshot_identifier"]
    assert db["lifecycle"]["prevent_destroy"] is True
    assert "password" not in db and "manage_master_user_password" not in db
    assert db["username"] == "postgres"


def test_a_new_primary_gets_its_password_from_an_ephemeral_variable(data: dict[str, Any]) -> None:
    """A fresh environment can create the primary; adopting the live one sends no password."""
    db = by_path(data, "aws_db_instance", "postgres/primary")
    assert db["password_wo"] == "${var.db_master_password}"
    assert db["password_wo_version"] == "${var.db_master_password_version}"
    assert db["lifecycle"]["ignore_changes"] == ["password_wo_version"]
    password = data["variable"]["db_master_password"]
    assert password["ephemeral"] is True and password["sensitive"] is True
    # null by default: planning the adopted database needs neither variable
    assert (
        password["default"] is None
        and data["variable"]["db_master_password_version"]["default"] is None
    )
    assert "default" in password


def test_replica(data: dict[str, Any]) -> None:
    replica = by_path(data, "aws_db_instance", "postgres/replica")
    assert replica["identifier"] == seed.REPLICA["identifier"]
    assert replica["replicate_source_db"] == seed.PRIMARY["identifier"]
    assert replica["instance_class"] == seed.REPLICA["instance_class"]
    assert replica["publicly_accessible"] is False
    assert replica["parameter_group_name"] == ref(
        data, "aws_db_parameter_group", "postgres/replica_params", "name"
    )
    assert replica["lifecycle"]["prevent_destroy"] is True
    assert "engine_version" not in replica, "a replica follows its source's version"


def _params(group: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {p["name"]: (p["value"], p["apply_method"]) for p in group["parameter"]}


def test_parameter_groups_in_engine_units(data: dict[str, Any]) -> None:
    primary = by_path(data, "aws_db_parameter_group", "postgres/primary_params")
    replica = by_path(data, "aws_db_parameter_group", "postgres/replica_params")
    assert primary["family"] == replica["family"] == "postgres16"
    expected = {k: seed.engine_units(k, v) for k, v in seed.PRIMARY_PARAMETERS.items()}
    extra = {k: seed.engine_units(k, v) for k, v in seed.REPLICA_EXTRA_PARAMETERS.items()}
    assert {k: v for k, (v, _) in _params(primary).items()} == expected
    assert {k: v for k, (v, _) in _params(replica).items()} == expected | extra
    # all of these are dynamic in RDS PostgreSQL 16: applied immediately
    assert {m for _, m in _params(replica).values()} == {"immediate"}


def test_engine_units_convert_as_postgresql_stores_them() -> None:
    assert seed.engine_units("work_mem", "64MB") == "65536"  # kB
    assert seed.engine_units("effective_cache_size", "3GB") == "393216"  # 8 kB pages
    assert seed.engine_units("max_standby_archive_delay", "900s") == "900000"  # ms
    assert seed.engine_units("hot_standby_feedback", "on") == "1"


def test_a_static_parameter_waits_for_a_reboot_in_the_synthesized_group() -> None:
    """RDS refuses `immediate` for static parameters: the construct sends `pending-reboot`."""
    from modules.postgres import PostgresWithReplica
    from runtime.engine.aws.provider import AwsProvider
    from runtime.engine.core import TerraformStack, Testing

    stack = TerraformStack(Testing.app(), "t")
    AwsProvider(stack, "aws", region="us-east-1")
    params = {"work_mem": "65536", "shared_buffers": "32768"}
    PostgresWithReplica(stack, "pg", props=PostgresProps(**BASE, parameters=params))
    doc = json.loads(Testing.synth(stack))
    groups = doc["resource"]["aws_db_parameter_group"]
    primary = next(g for key, g in groups.items() if "primary" in key)
    assert _params(primary) == {
        "work_mem": ("65536", "immediate"),
        "shared_buffers": ("32768", "pending-reboot"),
    }


def test_secret_containers_without_values(stacks: dict[str, Any], data: dict[str, Any]) -> None:
    secrets = resources(data, "aws_secretsmanager_secret").values()
    assert sorted(s["name"] for s in secrets) == [
        "fluxion/db-credentials",
        "fluxion/postgres-credentials",
        "fluxion/production",
        "fluxion/sql-credentials",
        "fluxion/wireguard-config",
    ]
    assert all(s["recovery_window_in_days"] >= 7 for s in secrets), "never 0"
    for stack in stacks.values():
        assert not resources(stack, "aws_secretsmanager_secret_version")


def test_rds_log_group(data: dict[str, Any]) -> None:
    group = by_path(data, "aws_cloudwatch_log_group", "postgres_logs")
    assert group["name"] == "/aws/rds/instance/fluxion-postgres-v2/postgresql"
    assert group["retention_in_days"] == 7


def test_the_sentry_parameter_stays_out_of_terraform(data: dict[str, Any]) -> None:
    """Importing a SecureString puts its value in the plan and state: it is referenced by ARN."""
    assert not resources(data, "aws_ssm_parameter")
    assert "ephemeral" not in data
    arn = data["output"]["sentry_dsn_parameter_arn"]["value"]
    assert arn == "arn:aws:ssm:us-east-1:611395766952:parameter/fluxion/etl/sentry-dsn"


def test_backup_bucket(data: dict[str, Any]) -> None:
    bucket = by_path(data, "aws_s3_bucket", "backups/bucket")
    assert bucket["bucket"] == "fluxion-backups-v4-611395766952"
    bucket_id = ref(data, "aws_s3_bucket", "backups/bucket", "id")
    versioning = by_path(data, "aws_s3_bucket_versioning", "backups/versioning")
    assert versioning["bucket"] == bucket_id
    assert versioning["versioning_configuration"]["status"] == "Enabled"
    block = by_path(data, "aws_s3_bucket_public_access_block", "backups/public_access")
    flags = ("block_public_acls", "block_public_policy", "ignore_public_acls")
    assert all(block[k] is True for k in (*flags, "restrict_public_buckets"))
    sse = by_path(data, "aws_s3_bucket_server_side_encryption_configuration", "backups/encryption")
    assert sse["rule"][0]["apply_server_side_encryption_by_default"]["sse_algorithm"]
    policy = json.loads(by_path(data, "aws_s3_bucket_policy", "backups/policy")["policy"])
    (deny,) = policy["Statement"]
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_legacy_buckets_are_kept_as_they_are(data: dict[str, Any]) -> None:
    names = {b["bucket"] for b in resources(data, "aws_s3_bucket").values()}
    legacy = {f"fluxion-backups{s}-611395766952" for s in ("", "-v2", "-v3")}
    assert legacy <= names
    legacy_paths = {
        b["//"]["metadata"]["path"].split("/")[1]
        for b in resources(data, "aws_s3_bucket").values()
        if b["bucket"] in legacy
    }
    assert len(legacy_paths) == 3
    for kind in (
        "aws_s3_bucket_policy",
        "aws_s3_bucket_versioning",
        "aws_s3_bucket_public_access_block",
    ):
        for body in resources(data, kind).values():
            assert body["//"]["metadata"]["path"].split("/")[1] not in legacy_paths


def test_nothing_stateful_can_be_force_destroyed(stacks: dict[str, Any]) -> None:
    for name, stack in stacks.items():
        for bucket in resources(stack, "aws_s3_bucket").values():
            assert bucket.get("force_destroy") is not True, name
            assert bucket["lifecycle"]["prevent_destroy"] is True, name


def test_bucket_names_follow_the_configured_account() -> None:
    from runtime.engine.core import App
    from stacks.data import DataStack

    other = replace(config.load(), account_id="123456789012")
    stack = DataStack(App(), "data", config=other)
    doc = stack.to_terraform()
    names = {b["bucket"] for b in doc["resource"]["aws_s3_bucket"].values()}
    assert names == {
        "fluxion-backups-v4-123456789012",
        "fluxion-backups-123456789012",
        "fluxion-backups-v2-123456789012",
        "fluxion-backups-v3-123456789012",
    }


def test_published_outputs(data: dict[str, Any]) -> None:
    out = {k: v["value"] for k, v in data["output"].items()}
    primary = "postgres/primary"
    assert out["primary_address"] == ref(data, "aws_db_instance", primary, "address")
    assert out["replica_address"] == ref(data, "aws_db_instance", "postgres/replica", "address")
    assert out["primary_endpoint"] == ref(data, "aws_db_instance", primary, "endpoint")
    assert out["db_port"] == ref(data, "aws_db_instance", primary, "port")
    assert out["backup_bucket_name"] == ref(data, "aws_s3_bucket", "backups/bucket", "bucket")


BASE: dict[str, Any] = {  # not production's: the construct takes every value from its caller
    "identifier": "a",
    "replica_identifier": "b",
    "db_name": "d",
    "subnet_group_name": "s",
    "security_group_ids": ["sg"],
    "master_username": "postgres",
    "engine_major_version": "15",
    "instance_class": "db.t4g.micro",
    "replica_instance_class": "db.t4g.micro",
    "allocated_storage_gib": 20,
    "max_allocated_storage_gib": 40,
    "backup_retention_days": 1,
    "backup_window": "01:00-02:00",
    "maintenance_window": "mon:03:00-mon:04:00",
    "replica_parameters": {},
}


def test_the_construct_takes_no_production_value(tmp_path: Path) -> None:
    from modules.postgres import PostgresWithReplica
    from runtime.engine.aws.provider import AwsProvider
    from runtime.engine.core import TerraformStack, Testing

    stack = TerraformStack(Testing.app(), "t")
    AwsProvider(stack, "aws", region="us-east-1")
    PostgresWithReplica(stack, "pg", props=PostgresProps(**BASE, parameters={}))
    doc = json.loads(Testing.synth(stack))
    (primary,) = [i for k, i in doc["resource"]["aws_db_instance"].items() if "primary" in k]
    assert (primary["engine_version"], primary["instance_class"]) == ("15", "db.t4g.micro")
    assert (primary["allocated_storage"], primary["backup_window"]) == (20, "01:00-02:00")
    families = {g["family"] for g in doc["resource"]["aws_db_parameter_group"].values()}
    assert families == {"postgres15"}


def test_a_password_and_rds_managing_it_are_refused_together() -> None:
    with pytest.raises(ConfigError, match=r"master_password: give it or manage_master_password"):
        PostgresProps(
            **BASE, parameters={}, manage_master_password=True, master_password=("x", 1.0)
        )
