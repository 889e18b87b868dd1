"""The compute stack says what is live (seed: "Computo", "Load Balancer", "EventBridge")."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from tests.conftest import by_path, ref, resources
from tests.secret_scan import find_secrets


@pytest.fixture(scope="module")
def compute(stacks: dict[str, Any]) -> dict[str, Any]:
    return stacks["compute"]


def _remote(producer: str, output: str) -> str:
    return f"${{data.terraform_remote_state.{producer}.outputs.{output}}}"


def _container(compute: dict[str, Any], family: str) -> dict[str, Any]:
    (task,) = [
        t for t in resources(compute, "aws_ecs_task_definition").values() if t["family"] == family
    ]
    (container,) = json.loads(task["container_definitions"])
    return {"task": task, **container}


def _env(container: dict[str, Any]) -> dict[str, str]:
    return {e["name"]: e["value"] for e in container["environment"]}


def test_ecr_repositories(compute: dict[str, Any]) -> None:
    repos = resources(compute, "aws_ecr_repository").values()
    assert sorted(r["name"] for r in repos) == ["fluxion-backend", "fluxion-etl"]
    for repo in repos:
        assert repo["image_scanning_configuration"]["scan_on_push"] is True
        assert repo.get("force_delete") is not True
        assert repo["lifecycle"]["prevent_destroy"] is True
    for lifecycle in resources(compute, "aws_ecr_lifecycle_policy").values():
        (rule,) = json.loads(lifecycle["policy"])["rules"]
        assert rule["selection"]["countType"] == "imageCountMoreThan"
        assert rule["selection"]["countNumber"] >= 10
    assert len(resources(compute, "aws_ecr_lifecycle_policy")) == 2


def test_cluster_and_logs(compute: dict[str, Any]) -> None:
    cluster = by_path(compute, "aws_ecs_cluster", "cluster")
    assert cluster["name"] == "fluxion-cluster"
    assert cluster["setting"] == [{"name": "containerInsights", "value": "enhanced"}]
    groups = {
        g["name"]: g["retention_in_days"]
        for g in resources(compute, "aws_cloudwatch_log_group").values()
    }
    assert groups == {"/ecs/fluxion-backend": 7, "/ecs/fluxion-etl": 7}


def test_task_definitions_are_fargate_1vcpu_2gb(compute: dict[str, Any]) -> None:
    tasks = resources(compute, "aws_ecs_task_definition").values()
    assert sorted(t["family"] for t in tasks) == [
        "FluxionBackendTask",
        "FluxionETLTask",
        "FluxionETLTask-test",
        "FluxionVentasETLTask",
    ]
    for task in tasks:
        assert task["requires_compatibilities"] == ["FARGATE"]
        assert task["network_mode"] == "awsvpc"
        assert (task["cpu"], task["memory"]) == ("1024", "2048")
        # the identity stack's roles (people apply it): compute only passes them; in `adopt`
        # both outputs name the one live execution role
        output = "execution_role_arn" if "Backend" in task["family"] else "etl_execution_role_arn"
        assert task["execution_role_arn"] == _remote("identity", output)
        assert task["skip_destroy"] is True


def test_backend_container(compute: dict[str, Any]) -> None:
    backend = _container(compute, "FluxionBackendTask")
    assert backend["name"] == "backend"
    assert backend["image"].endswith(":latest")
    assert backend["portMappings"] == [{"containerPort": 8001, "protocol": "tcp"}]
    assert _env(backend) == {
        "ENVIRONMENT": "production",
        "POSTGRES_HOST": _remote("data", "replica_address"),
        "POSTGRES_HOST_PRIMARY": _remote("data", "primary_address"),
        "POSTGRES_PORT": _remote("data", "db_port"),
        "POSTGRES_DB": _remote("data", "db_name"),
        "UVICORN_WORKERS": "2",
    }
    secrets = {s["name"]: s["valueFrom"] for s in backend["secrets"]}
    # fluxion/postgres-credentials in `adopt`, the RDS-managed master secret in `hardened`
    assert secrets["POSTGRES_PASSWORD"] == _remote("data", "app_db_secret_arn") + ":password::"
    assert backend["task"]["task_role_arn"] == _remote("identity", "backend_task_role_arn")


@pytest.mark.parametrize(
    ("family", "mode"),
    [
        ("FluxionETLTask", "etl_inventario.py"),
        ("FluxionVentasETLTask", "etl_ventas_postgres.py"),
        ("FluxionETLTask-test", "etl_inventario.py"),
    ],
)
def test_etl_containers(compute: dict[str, Any], family: str, mode: str) -> None:
    etl = _container(compute, family)
    assert etl["name"] == "etl"
    env = _env(etl)
    assert env["ETL_MODE"] == mode
    assert env["ETL_ARGS"] == "--todas"
    assert env["POSTGRES_HOST"] == _remote("data", "primary_address")
    assert env["SQL_ODBC_DRIVER"] == "ODBC Driver 17 for SQL Server"
    assert env["VPN_GATEWAY_IP"] == "192.168.20.1"
    assert env["ETL_TIMEOUT"] == "7200"
    secrets = {s["name"]: s["valueFrom"] for s in etl["secrets"]}
    assert secrets["SENTRY_DSN"] == _remote("data", "sentry_dsn_parameter_arn")


def test_no_container_carries_a_literal_credential(compute: dict[str, Any]) -> None:
    credential_words = ("PASSWORD", "USER", "KEY", "SECRET", "TOKEN", "DSN")
    for task in resources(compute, "aws_ecs_task_definition").values():
        for container in json.loads(task["container_definitions"]):
            for var in container["environment"]:
                assert not any(w in var["name"] for w in credential_words), var
            for secret in container["secrets"]:
                assert secret["valueFrom"].startswith("${data.terraform_remote_state.data.")
            assert find_secrets({"c": container}) == []


def test_backend_service(compute: dict[str, Any]) -> None:
    service = by_path(compute, "aws_ecs_service", "backend_service/service")
    assert service["name"] == "fluxion-backend"
    assert service["desired_count"] == 2
    assert service["enable_execute_command"] is True
    assert service["health_check_grace_period_seconds"] == 120
    assert service["launch_type"] == "FARGATE"
    assert service["network_configuration"] == {
        "subnets": _remote("network", "private_subnet_ids"),
        "security_groups": [_remote("network", "backend_security_group_id")],
        "assign_public_ip": False,
    }
    assert service["load_balancer"] == [
        {
            "target_group_arn": ref(compute, "aws_lb_target_group", "lb/backend", "arn"),
            "container_name": "backend",
            "container_port": 8001,
        }
    ]
    assert service["deployment_circuit_breaker"] == {"enable": True, "rollback": True}
    family = ref(compute, "aws_ecs_task_definition", "backend_task/definition", "family")
    revision = ref(compute, "aws_ecs_task_definition", "backend_task/definition", "revision")
    assert service["task_definition"] == f"{family}:{revision}"  # as an import reads it


def test_alb(compute: dict[str, Any]) -> None:
    alb = by_path(compute, "aws_lb", "lb/alb")
    assert alb["name"] == "fluxion-alb"
    assert alb["internal"] is False
    assert alb["load_balancer_type"] == "application"
    assert alb["subnets"] == _remote("network", "public_subnet_ids")
    assert alb["security_groups"] == [_remote("network", "alb_security_group_id")]
    assert alb["idle_timeout"] == 300
    tg = by_path(compute, "aws_lb_target_group", "lb/backend")
    assert (tg["port"], tg["protocol"], tg["target_type"]) == (8001, "HTTP", "ip")
    assert tg["deregistration_delay"] == "30"
    assert tg["health_check"] == {
        "path": "/",
        "interval": 60,
        "healthy_threshold": 2,
        "unhealthy_threshold": 5,
    }
    listener = by_path(compute, "aws_lb_listener", "lb/http")
    assert (listener["port"], listener["protocol"]) == (80, "HTTP")
    target_group = ref(compute, "aws_lb_target_group", "lb/backend", "arn")
    assert listener["default_action"] == [{"type": "forward", "target_group_arn": target_group}]


RULES = {
    "fluxion-inventario-sync-30min": ("cron(0,30 10-23,0-2 * * ? *)", "ENABLED", "FluxionETLTask"),
    "fluxion-ventas-sync-30min": ("cron(0 10-23,0-2 * * ? *)", "ENABLED", "FluxionVentasETLTask"),
    "fluxion-ventas-recovery-daily": ("cron(0 7 * * ? *)", "ENABLED", "FluxionVentasETLTask"),
    "fluxion-abc-recalc-daily": ("cron(0 8 * * ? *)", "ENABLED", "FluxionETLTask"),
    "fluxion-productos-cache-refresh": ("cron(30 9,15,21,3 * * ? *)", "DISABLED", "FluxionETLTask"),
}


@pytest.mark.parametrize("name", sorted(RULES))
def test_eventbridge_rules(compute: dict[str, Any], name: str) -> None:
    schedule, state, family = RULES[name]
    ((rule_id, rule),) = [
        (k, r)
        for k, r in resources(compute, "aws_cloudwatch_event_rule").items()
        if r["name"] == name
    ]
    assert rule["schedule_expression"] == schedule
    assert rule["state"] == state
    assert "is_enabled" not in rule
    (target,) = [
        t
        for t in resources(compute, "aws_cloudwatch_event_target").values()
        if t["rule"] == f"${{aws_cloudwatch_event_rule.{rule_id}.name}}"
    ]
    assert target["arn"] == ref(compute, "aws_ecs_cluster", "cluster", "arn")
    assert target["role_arn"] == _remote("identity", "events_role_arn")
    ecs = target["ecs_target"]
    (task_id,) = [
        k for k, t in resources(compute, "aws_ecs_task_definition").items() if t["family"] == family
    ]
    assert ecs["task_definition_arn"] == f"${{aws_ecs_task_definition.{task_id}.arn}}"
    assert ecs["launch_type"] == "FARGATE"
    assert ecs["network_configuration"] == {
        "subnets": [_remote("network", "etl_subnet_id")],  # us-east-1b, away from WireGuard
        "security_groups": [_remote("network", "etl_security_group_id")],
        "assign_public_ip": False,
    }
    (override,) = json.loads(target["input"])["containerOverrides"]
    assert override["name"] == "etl" and override["command"][0] == "python"


def test_the_disabled_rule_stays_disabled(compute: dict[str, Any]) -> None:
    states = {
        r["name"]: r["state"] for r in resources(compute, "aws_cloudwatch_event_rule").values()
    }
    assert states["fluxion-productos-cache-refresh"] == "DISABLED"
    assert sum(s == "ENABLED" for s in states.values()) == 4


def test_compute_declares_no_role_or_policy(compute: dict[str, Any]) -> None:
    """Its apply role may write none: every workload role is the identity stack's."""
    assert not [t for t in compute["resource"] if t.startswith("aws_iam_")]


def test_published_outputs(compute: dict[str, Any]) -> None:
    out = {k: v["value"] for k, v in compute["output"].items()}
    assert out["alb_dns_name"] == ref(compute, "aws_lb", "lb/alb", "dns_name")
    assert out["alb_zone_id"] == ref(compute, "aws_lb", "lb/alb", "zone_id")
    assert out["cluster_name"] == ref(compute, "aws_ecs_cluster", "cluster", "name")
    assert out["service_name"] == ref(compute, "aws_ecs_service", "backend_service/service", "name")
    assert out["backend_repository_url"] == ref(
        compute, "aws_ecr_repository", "backend_repository/repository", "repository_url"
    )


def test_log_retention_must_be_a_cloudwatch_value() -> None:
    from config import ConfigError
    from config.environments import PRODUCTION

    with pytest.raises(
        ConfigError, match=r"compute.log_retention_days: 10 is not a CloudWatch retention"
    ):
        replace(PRODUCTION.compute, log_retention_days=10)
    assert replace(PRODUCTION.compute, log_retention_days=14).log_retention_days == 14


def _task(**environment: str) -> Any:
    from modules.fargate_task import FargateTaskProps

    return FargateTaskProps(
        family="FluxionBackendTask",
        container_name="backend",
        image="repo:latest",
        execution_role_arn="arn:aws:iam::611395766952:role/x",
        task_role_arn="arn:aws:iam::611395766952:role/y",
        log_group="/ecs/x",
        region="us-east-1",
        environment=environment,
    )


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"POSTGRES_PASSWORD": "hunter2hunter2"}, r"environment POSTGRES_PASSWORD holds a literal"),
        ({"SENTRY_DSN": "x"}, r"environment SENTRY_DSN holds a literal value and its name says"),
        (
            {"AWS_CREDS": "AKIAIOSFODNN7EXAMPLE"},
            r"environment AWS_CREDS: the value looks like an AWS access key",
        ),
        (
            {"BLOB": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
            r"environment BLOB: the value looks like an AWS secret access key",
        ),
        (
            {"DB_URL": "postgres://app:pw@db:5432/x"},
            r"environment DB_URL: the value looks like a URL with",
        ),
    ],
)
def test_literal_secrets_in_a_container_environment_are_refused(
    environment: dict[str, str], message: str
) -> None:
    from config import ConfigError

    with pytest.raises(ConfigError, match=rf"FluxionBackendTask: {message}"):
        _task(**environment)


def test_references_shas_and_reviewed_names_pass() -> None:
    from dataclasses import replace

    _task(POSTGRES_PASSWORD="${data.terraform_remote_state.data.outputs.x}")
    _task(IMAGE_SHA="0123456789abcdef0123456789abcdef01234567", POSTGRES_HOST="db.internal")
    reviewed = replace(
        _task(), environment={"TOKEN_TTL": "3600"}, not_secret=frozenset({"TOKEN_TTL"})
    )
    assert reviewed.environment == {"TOKEN_TTL": "3600"}
