"""The `hardened` profile: each improvement, the gate on it, and no stateful replacement."""

from __future__ import annotations

import datetime
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import config
from config import ConfigError, Hardening
from review import security_gate as gate
from review.replacement_guard import acknowledgements, compare_outputs
from runtime.engine.core import App
from tests.conftest import by_path, ref, resources

HARD = config.load(profile="hardened")
HARDENED_SWITCHES = frozenset(HARD.hardening.on())


def _rules(stack: dict[str, Any], kind: str, group: str) -> list[dict[str, Any]]:
    sg = ref(stack, "aws_security_group", f"sg/{group}", "id")
    return [r for r in resources(stack, kind).values() if r["security_group_id"] == sg]


def test_alb_accepts_cloudfront_origins_only(hardened: dict[str, Any]) -> None:
    net = hardened["network"]
    (rule,) = _rules(net, "aws_vpc_security_group_ingress_rule", "alb")
    assert "cidr_ipv4" not in rule
    assert rule["prefix_list_id"] == "${data.aws_ec2_managed_prefix_list.cloudfront_origins.id}"
    prefix = net["data"]["aws_ec2_managed_prefix_list"]["cloudfront_origins"]
    assert prefix["name"] == "com.amazonaws.global.cloudfront.origin-facing"


def test_alb_protections(hardened: dict[str, Any]) -> None:
    alb = by_path(hardened["compute"], "aws_lb", "lb/alb")
    assert alb["enable_deletion_protection"] is True
    assert alb["drop_invalid_header_fields"] is True


def test_the_api_origin_cannot_be_reached_around_the_distribution(
    hardened: dict[str, Any], stacks: dict[str, Any]
) -> None:
    """Finding 9: an internal ALB in the private subnets, reached only through CloudFront's
    VPC origin over HTTPS; no shared token anywhere (no header, no variable, no state)."""
    alb = by_path(hardened["compute"], "aws_lb", "lb/alb")
    assert alb["internal"] is True
    assert alb["subnets"] == "${data.terraform_remote_state.network.outputs.private_subnet_ids}"
    assert by_path(stacks["compute"], "aws_lb", "lb/alb")["internal"] is False  # as live
    listener = by_path(hardened["compute"], "aws_lb_listener", "lb/https")
    assert listener["default_action"][0]["type"] == "forward"
    assert not resources(hardened["compute"], "aws_lb_listener_rule")
    assert "variable" not in hardened["compute"] and "variable" not in hardened["edge"]
    edge = hardened["edge"]
    (origin,) = by_path(edge, "aws_cloudfront_vpc_origin", "api/vpc_origin")[
        "vpc_origin_endpoint_config"
    ]
    assert origin["arn"] == "${data.terraform_remote_state.compute.outputs.alb_arn}"
    assert origin["origin_protocol_policy"] == "https-only"
    assert origin["origin_ssl_protocols"] == [{"items": ["TLSv1.2"], "quantity": 1}]
    (api,) = by_path(edge, "aws_cloudfront_distribution", "api/distribution")["origin"]
    assert api["vpc_origin_config"]["vpc_origin_id"] == ref(
        edge, "aws_cloudfront_vpc_origin", "api/vpc_origin", "id"
    )
    assert "custom_origin_config" not in api and "custom_header" not in api
    # its service-linked role is people's (an IAM write), in the identity stack
    slr = by_path(hardened["identity"], "aws_iam_service_linked_role", "vpc_origin_service_role")
    assert slr["aws_service_name"] == "vpcorigin.cloudfront.amazonaws.com"


def test_flow_logs_and_default_security_group(hardened: dict[str, Any]) -> None:
    net = hardened["network"]
    flow = by_path(net, "aws_flow_log", "flow_logs/flow_log")
    assert flow["traffic_type"] == "ALL"
    assert flow["vpc_id"] == ref(net, "aws_vpc", "vpc/vpc", "id")
    assert flow["log_destination"] == ref(net, "aws_cloudwatch_log_group", "flow_logs/logs", "arn")
    default = by_path(net, "aws_default_security_group", "default_sg")
    assert "ingress" not in default and "egress" not in default, "all rules stripped"


def test_wireguard_egress_is_narrowed(hardened: dict[str, Any]) -> None:
    rules = _rules(hardened["network"], "aws_vpc_security_group_egress_rule", "wireguard")
    assert sorted((r["ip_protocol"], r["from_port"], r["cidr_ipv4"]) for r in rules) == [
        ("tcp", 443, "0.0.0.0/0"),
        ("udp", 51820, "0.0.0.0/0"),
    ]
    assert all(r.get("description") for r in rules)


def test_rds_protections(hardened: dict[str, Any]) -> None:
    data = hardened["data"]
    primary = by_path(data, "aws_db_instance", "postgres/primary")
    replica = by_path(data, "aws_db_instance", "postgres/replica")
    for db in (primary, replica):
        assert db["copy_tags_to_snapshot"] is True
        assert db["performance_insights_enabled"] is True
        assert db["performance_insights_retention_period"] == 7  # the free tier
    assert replica["deletion_protection"] is True
    assert replica["enabled_cloudwatch_logs_exports"] == ["postgresql"]
    assert primary["manage_master_user_password"] is True
    assert "password_wo" not in primary and "db_master_password" not in data.get("variable", {})
    # the replica waits for its log group; Terraform wants plain addresses in depends_on
    logs = ref(data, "aws_cloudwatch_log_group", "replica_logs", "x")[2:-3]
    assert replica["depends_on"] == [
        ref(data, "aws_db_instance", "postgres/primary", "x")[2:-3],
        logs,
    ]


def test_the_backend_has_its_own_database_user_created_empty(
    hardened: dict[str, Any], stacks: dict[str, Any]
) -> None:
    """Not the master: the backend reads `fluxion/postgres-app`, a container with no value in
    code (no secret version anywhere); the master's password stays in RDS's own secret."""
    data = hardened["data"]
    app = by_path(data, "aws_secretsmanager_secret", "secrets/app_db")
    assert app["name"] == "fluxion/postgres-app"
    assert data["output"]["app_db_secret_arn"]["value"] == ref(
        data, "aws_secretsmanager_secret", "secrets/app_db", "arn"
    )
    assert not resources(data, "aws_secretsmanager_secret_version")
    master = ref(data, "aws_db_instance", "postgres/primary", "master_user_secret")
    assert master[2:-1] not in json.dumps(data["output"])
    # adopt: as live, the backend logs in with the credentials secret; no new container
    assert "secrets/app_db" not in json.dumps(stacks["data"])
    assert stacks["data"]["output"]["app_db_secret_arn"]["value"] == ref(
        stacks["data"], "aws_secretsmanager_secret", "secrets/postgres_credentials", "arn"
    )


def test_ecr_immutable_and_read_only_containers(hardened: dict[str, Any]) -> None:
    """Immutable tags (the release sets `compute.image_tag`; `make deploy` refuses `latest`,
    tests/test_deploy.py), and a read-only root with `/tmp` on task-scoped storage."""
    compute = hardened["compute"]
    assert {
        r["image_tag_mutability"] for r in resources(compute, "aws_ecr_repository").values()
    } == {"IMMUTABLE"}
    tasks = resources(compute, "aws_ecs_task_definition").values()
    assert len(tasks) == 4
    for task in tasks:
        (container,) = json.loads(task["container_definitions"])
        assert container["image"].endswith(":latest")  # config.compute.image_tag's default
        assert container["readonlyRootFilesystem"] is True
        assert container["mountPoints"] == [
            {"sourceVolume": "scratch-tmp", "containerPath": "/tmp", "readOnly": False}
        ]
        assert task["volume"] == [{"name": "scratch-tmp"}]


def test_security_headers_on_every_distribution(hardened: dict[str, Any]) -> None:
    edge = hardened["edge"]
    policy = edge["data"]["aws_cloudfront_response_headers_policy"]["security_headers"]
    assert policy["name"] == "Managed-SecurityHeadersPolicy"
    dists = resources(edge, "aws_cloudfront_distribution").values()
    assert len(dists) == 3
    for dist in dists:
        assert dist["default_cache_behavior"]["response_headers_policy_id"] == (
            "${data.aws_cloudfront_response_headers_policy.security_headers.id}"
        )


def test_log_retention_is_raised_and_configurable(hardened: dict[str, Any]) -> None:
    groups = [
        g for s in hardened.values() for g in resources(s, "aws_cloudwatch_log_group").values()
    ]
    assert len(groups) == 6  # ECS x2, RDS primary and replica, flow logs, the web ACL's
    assert {g["retention_in_days"] for g in groups} == {30}
    from stacks.compute import ComputeStack

    env = replace(HARD, hardening=replace(HARD.hardening, log_retention_days=90))
    doc = ComputeStack(App(), "compute", config=env).to_terraform()
    assert {
        g["retention_in_days"] for g in doc["resource"]["aws_cloudwatch_log_group"].values()
    } == {90}
    with pytest.raises(ConfigError, match=r"log_retention_days: 45 is not a CloudWatch retention"):
        Hardening(log_retention_days=45)


def test_backups_that_cannot_be_rebuilt_are_versioned(hardened: dict[str, Any]) -> None:
    data = hardened["data"]
    versioned = {
        ref(data, "aws_s3_bucket", f"{key}/bucket", "id")
        for key in ("backups", "legacy_backups_v1", "legacy_backups_v2", "legacy_backups_v3")
    }
    buckets = {
        v["bucket"]
        for v in resources(data, "aws_s3_bucket_versioning").values()
        if v["versioning_configuration"]["status"] == "Enabled"
    }
    assert versioned <= buckets
    edge_versioning = resources(hardened["edge"], "aws_s3_bucket_versioning")
    assert not edge_versioning, "site buckets are rebuilt from git by the pipeline"


def test_no_import_blocks_in_hardened(hardened: dict[str, Any]) -> None:
    assert not [s for s in hardened.values() if "import" in s]


def test_the_gate_passes_on_hardened(hardened_dir: Path) -> None:
    reports, stacks = gate.scan(hardened_dir)
    result = gate.evaluate(
        reports, stacks, gate.load_waivers(), HARDENED_SWITCHES, datetime.date(2026, 11, 28),
        gate.audit(stacks),
    )  # fmt: skip
    assert result.checks_run > 300 and result.parsing_errors == []
    assert result.unwaived == [] and result.stale == []
    assert not result.failed
    # hardening fixed these: their adopt waivers do not apply to hardened any more
    fixed = {
        "CKV2_AWS_11",
        "CKV2_AWS_12",
        "CKV2_AWS_32",
        "CKV2_AWS_6",  # the legacy backup buckets' public access block
        "CKV2_AWS_60",
        "CKV2_AWS_69",  # rds.force_ssl
        "CKV_AWS_129",
        "CKV_AWS_131",
        "CKV_AWS_150",
        "CKV_AWS_293",
        "CKV_AWS_353",
        "CKV_AWS_51",
    }
    assert not {check for check, _ in result.findings} & fixed


def test_every_waiver_says_why_who_and_when() -> None:
    waivers = gate.load_waivers()
    scoped = {name for w in waivers for name, _ in w.when}
    assert scoped and scoped <= set(Hardening.switches())
    for w in waivers:
        assert len(w.reason) > 40 and w.owner and w.review_by > datetime.date(2026, 11, 28)


def test_adopt_to_hardened_replaces_no_stateful_resource(
    synth_dir: Path, hardened_dir: Path
) -> None:
    """Nothing stateful is lost but the one reviewed replacement (the bridge's encrypted root
    volume, review/replacements.json; tests/test_hardened_edge_and_logs.py pins it)."""
    diffs = {
        d.stack: d
        for d in compare_outputs(synth_dir, hardened_dir, acknowledgements(synth_dir, hardened_dir))
    }
    assert [v for d in diffs.values() for v in d.violations] == []
    assert diffs["data"].changed, "hardened is a reviewable change, not a no-op"
    removed = [r for d in diffs.values() for r in d.removed]
    # rules only: the bridge's open egress and its ingress from the whole VPC (now: ETL only),
    # the ALB's port 80 from CloudFront (now: 443)
    assert sorted(removed) == [
        "aws_vpc_security_group_egress_rule.sg_wireguard_out_all_E896B893",
        "aws_vpc_security_group_ingress_rule.sg_alb_in_http_63BF2935",
        "aws_vpc_security_group_ingress_rule.sg_wireguard_in_vpc_642EE8AF",
    ]


LEGACY = ("legacy_backups_v1", "legacy_backups_v2", "legacy_backups_v3")


def test_legacy_backups_get_an_access_block_encryption_and_a_tls_only_policy(
    hardened: dict[str, Any], stacks: dict[str, Any]
) -> None:
    data = hardened["data"]
    for key in LEGACY:
        bucket = ref(data, "aws_s3_bucket", f"{key}/bucket", "id")
        block = by_path(data, "aws_s3_bucket_public_access_block", f"{key}/public_access")
        assert block["bucket"] == bucket
        assert all(
            block[flag] is True
            for flag in (
                "block_public_acls",
                "block_public_policy",
                "ignore_public_acls",
                "restrict_public_buckets",
            )
        )
        (statement,) = json.loads(by_path(data, "aws_s3_bucket_policy", f"{key}/policy")["policy"])[
            "Statement"
        ]
        assert statement["Effect"] == "Deny"
        assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        encryption = by_path(
            data, "aws_s3_bucket_server_side_encryption_configuration", f"{key}/encryption"
        )
        rule = encryption["rule"][0]["apply_server_side_encryption_by_default"]
        assert rule == {"sse_algorithm": "AES256"}
    # adopt leaves them as they are live: nothing but the bucket
    live = stacks["data"]
    assert not [
        r
        for kind in ("aws_s3_bucket_public_access_block", "aws_s3_bucket_policy")
        for r in resources(live, kind).values()
        if any(key in json.dumps(r) for key in LEGACY)
    ]


def _parameters(stack: dict[str, Any], path: str) -> dict[str, tuple[str, str]]:
    group = by_path(stack, "aws_db_parameter_group", path)
    return {p["name"]: (p["value"], p["apply_method"]) for p in group["parameter"]}


def test_both_databases_refuse_connections_without_tls(
    hardened: dict[str, Any], stacks: dict[str, Any]
) -> None:
    for path in ("postgres/primary_params", "postgres/replica_params"):
        assert _parameters(hardened["data"], path)["rds.force_ssl"] == ("1", "immediate")
        assert "rds.force_ssl" not in _parameters(stacks["data"], path)  # as live


def test_only_the_etl_tasks_reach_the_bridge(
    hardened: dict[str, Any], stacks: dict[str, Any]
) -> None:
    net = hardened["network"]
    (rule,) = _rules(net, "aws_vpc_security_group_ingress_rule", "wireguard")
    assert rule["referenced_security_group_id"] == ref(net, "aws_security_group", "sg/etl", "id")
    assert rule["ip_protocol"] == "-1" and "cidr_ipv4" not in rule
    assert rule["description"]
    (live,) = _rules(stacks["network"], "aws_vpc_security_group_ingress_rule", "wireguard")
    assert live["cidr_ipv4"] == "10.0.0.0/16"  # the whole VPC, backend included


def _secrets_readable(compute: dict[str, Any], policy_path: str) -> set[str]:
    policy = json.loads(by_path(compute, "aws_iam_role_policy", policy_path)["policy"])
    return {
        arn
        for s in policy["Statement"]
        if s["Action"] == ["secretsmanager:GetSecretValue"]
        for arn in s["Resource"]
    }


def test_each_task_family_reads_only_its_own_secrets(
    hardened: dict[str, Any], stacks: dict[str, Any]
) -> None:
    identity, compute = hardened["identity"], hardened["compute"]
    secret = "arn:aws:secretsmanager:us-east-1:611395766952:secret:fluxion/{}-??????"
    assert _secrets_readable(identity, "roles/execution_policy") == {
        secret.format("postgres-app"),
        secret.format("production"),
    }
    assert _secrets_readable(identity, "roles/etl_execution_policy") == {
        secret.format("db-credentials"),
        secret.format("sql-credentials"),
    }
    identity_output = "${{data.terraform_remote_state.identity.outputs.{}}}".format
    for path in ("backend_task", "etl_task", "ventas_etl_task", "etl_test_task"):
        task = by_path(compute, "aws_ecs_task_definition", f"{path}/definition")
        role = "execution_role_arn" if path == "backend_task" else "etl_execution_role_arn"
        assert task["execution_role_arn"] == identity_output(role), path
    # EventBridge runs ETL tasks only: it passes the ETL execution role, not the backend's
    events = json.loads(by_path(identity, "aws_iam_role_policy", "roles/events_run_task")["policy"])
    passed = next(s for s in events["Statement"] if s["Action"] == ["iam:PassRole"])
    role = "arn:aws:iam::611395766952:role/fluxion-production-{}"
    assert role.format("execution") not in passed["Resource"]
    assert role.format("etl-execution") in passed["Resource"]
    # adopt: one execution role reads all four, as live
    assert len(_secrets_readable(stacks["identity"], "roles/execution_policy")) == 4
