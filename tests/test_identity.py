"""The identity stack: every workload role, by exact name, with its own grants (and boundary).

Applied by people, never by a CI role (tests/test_ci_identity.py: every IAM write is denied to
CI). What each role may do is asked of the documents as an attacker would (`tests/iam_eval.py`).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

import config
from tests.conftest import by_path, ref
from tests.iam_eval import decide

ACCOUNT = "611395766952"
SECRET = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:fluxion/{{}}-AbCdEf"
ROLE_PATHS = {
    # construct path -> (name this project gives it, the service that assumes it)
    "wireguard/role": ("fluxion-production-bridge", "ec2.amazonaws.com"),
    "roles/execution": ("fluxion-production-execution", "ecs-tasks.amazonaws.com"),
    "roles/backend_task": ("fluxion-production-backend-task", "ecs-tasks.amazonaws.com"),
    "roles/etl_task": ("fluxion-production-etl-task", "ecs-tasks.amazonaws.com"),
    "roles/events": ("fluxion-production-events", "events.amazonaws.com"),
}
ESCALATIONS = ("iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:CreateUser",
               "sts:AssumeRole", "iam:UpdateAssumeRolePolicy")  # fmt: skip
CLUSTER = f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/fluxion-cluster"
HARDENED_ONLY = {
    "roles/etl_execution": ("fluxion-production-etl-execution", "ecs-tasks.amazonaws.com"),
    "flow_logs/role": ("fluxion-production-flow-logs", "vpc-flow-logs.amazonaws.com"),
}


def _policy(stack: dict[str, Any], path: str) -> dict[str, Any]:
    return dict(json.loads(by_path(stack, "aws_iam_role_policy", path)["policy"]))


@pytest.mark.parametrize("profile", ["adopt", "hardened"])
def test_every_workload_role_lives_here_by_exact_name(
    stacks: dict[str, Any], hardened: dict[str, Any], profile: str
) -> None:
    estate = stacks if profile == "adopt" else hardened
    expected = ROLE_PATHS | (HARDENED_ONLY if profile == "hardened" else {})
    roles = estate["identity"]["resource"]["aws_iam_role"]
    found = {body["//"]["metadata"]["path"].split("/", 1)[1]: body for body in roles.values()}
    assert set(found) == set(expected)
    for path, (name, service) in expected.items():
        assert found[path]["name"] == name, path
        assert "name_prefix" not in found[path], path
        (trust,) = json.loads(found[path]["assume_role_policy"])["Statement"]
        assert trust["Principal"] == {"Service": service}, path
    for stack, body in estate.items():
        if stack not in ("identity", "state"):
            assert not [t for t in body.get("resource", {}) if t.startswith("aws_iam_")], stack


def test_adopted_roles_keep_their_live_names(tmp_path: Any) -> None:
    """The inventory's live names (CloudFormation's) name the adopted roles: a new name on an
    imported role would replace it."""
    import app
    from runtime.engine.core import App
    from stacks.identity import IdentityStack

    live = {
        "roles/execution": "FluxionStackV2-TaskExecutionRole250D2532-1AB2C3D4E5F6",
        "wireguard/profile": "FluxionStackV2-WireGuardInstanceProfile-9Z8Y7X",
    }
    probe = App(outdir=str(tmp_path), context=app.cdktf_context(), stack_traces=False)
    IdentityStack(probe, "identity", config=config.load(), live=live)
    probe.synth()
    synthesized = json.loads((tmp_path / "stacks/identity/cdk.tf.json").read_text())
    execution = by_path(synthesized, "aws_iam_role", "roles/execution")
    assert execution["name"] == live["roles/execution"]
    assert (
        by_path(synthesized, "aws_iam_instance_profile", "wireguard/profile")["name"]
        == (live["wireguard/profile"])
    )
    assert by_path(synthesized, "aws_iam_role", "roles/events")["name"] == (
        "fluxion-production-events"
    )


def test_the_bridge_reads_only_its_secret_and_is_reached_by_ssm(stacks: dict[str, Any]) -> None:
    identity = stacks["identity"]
    attach = by_path(identity, "aws_iam_role_policy_attachment", "wireguard/ssm_core")
    assert attach["policy_arn"] == "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
    policy = _policy(identity, "wireguard/read_config")
    read = "secretsmanager:GetSecretValue"
    assert decide(policy, read, SECRET.format("wireguard-config")) == "allow"
    for other in ("production", "sql-credentials", "db-credentials", "postgres-credentials"):
        assert decide(policy, read, SECRET.format(other)) == "implicit", other
    profile = by_path(identity, "aws_iam_instance_profile", "wireguard/profile")
    assert profile["role"] == ref(identity, "aws_iam_role", "wireguard/role", "name")


def test_adopt_keeps_one_execution_role_that_reads_every_task_secret(
    stacks: dict[str, Any],
) -> None:
    """As live: one execution role for every family; its grants cover exactly the secrets the
    task definitions name (by the names the data stack gives them)."""
    policy = _policy(stacks["identity"], "roles/execution_policy")
    read = "secretsmanager:GetSecretValue"
    for name in ("postgres-credentials", "production", "db-credentials", "sql-credentials"):
        assert decide(policy, read, SECRET.format(name)) == "allow", name
    assert decide(policy, read, SECRET.format("wireguard-config")) == "implicit"
    dsn = f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/fluxion/etl/sentry-dsn"
    assert decide(policy, "ssm:GetParameters", dsn) == "allow"
    repo = f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/fluxion-backend"
    assert decide(policy, "ecr:BatchGetImage", repo) == "allow"
    logs = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/ecs/fluxion-etl:log-stream:x"
    assert decide(policy, "logs:PutLogEvents", logs) == "allow"


def test_events_runs_only_the_etl_tasks_and_passes_only_their_roles(
    stacks: dict[str, Any],
) -> None:
    policy = _policy(stacks["identity"], "roles/events_run_task")
    cluster = {"ecs:cluster": f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/fluxion-cluster"}
    task = f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/{{}}:7"
    assert decide(policy, "ecs:RunTask", task.format("FluxionETLTask"), cluster) == "allow"
    assert decide(policy, "ecs:RunTask", task.format("FluxionBackendTask"), cluster) == "implicit"
    other = {"ecs:cluster": f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/other"}
    assert decide(policy, "ecs:RunTask", task.format("FluxionETLTask"), other) == "implicit"
    ecs = {"iam:PassedToService": "ecs-tasks.amazonaws.com"}
    role = f"arn:aws:iam::{ACCOUNT}:role/{{}}"
    for name in ("fluxion-production-execution", "fluxion-production-etl-task"):
        assert decide(policy, "iam:PassRole", role.format(name), ecs) == "allow", name
    assert decide(policy, "iam:PassRole", role.format("fluxion-production-backend-task"), ecs) == (
        "implicit"
    )


def test_the_backend_task_role_allows_ecs_exec(stacks: dict[str, Any]) -> None:
    (statement,) = _policy(stacks["identity"], "roles/backend_exec")["Statement"]
    assert "ssmmessages:OpenDataChannel" in statement["Action"]


def _boundary(stack: dict[str, Any], key: str) -> dict[str, Any]:
    return dict(json.loads(by_path(stack, "aws_iam_policy", f"boundary_{key}")["policy"]))


def test_adopt_leaves_the_live_roles_without_a_boundary(stacks: dict[str, Any]) -> None:
    roles = stacks["identity"]["resource"]["aws_iam_role"].values()
    assert not [r for r in roles if r.get("permissions_boundary")]
    assert "aws_iam_policy" not in stacks["identity"]["resource"]


def test_hardened_gives_each_role_its_own_boundary(hardened: dict[str, Any]) -> None:
    """Finding 2's split: the bridge's boundary reads only its secret, each execution role's
    only its own; no boundary allows a role or policy write; only EventBridge's passes a role."""
    identity = hardened["identity"]
    keys = {}
    for body in identity["resource"]["aws_iam_role"].values():
        boundary = body["permissions_boundary"]
        assert boundary.startswith("${aws_iam_policy.boundary_"), body["name"]
        keys[body["name"]] = boundary.split(".")[1].removeprefix("boundary_")
    assert len(set(keys.values())) == len(keys) == 7
    read = "secretsmanager:GetSecretValue"
    bridge, backend, etl = (_boundary(identity, k) for k in ("bridge", "execution",
                                                             "etl_execution"))  # fmt: skip
    assert decide(bridge, read, SECRET.format("wireguard-config")) == "allow"
    assert decide(bridge, read, SECRET.format("production")) == "implicit"
    assert decide(backend, read, SECRET.format("postgres-app")) == "allow"
    assert decide(backend, read, SECRET.format("sql-credentials")) == "implicit"
    assert decide(etl, read, SECRET.format("sql-credentials")) == "allow"
    assert decide(etl, read, SECRET.format("production")) == "implicit"
    for key in keys.values():
        doc = _boundary(identity, key)
        for action in ESCALATIONS:
            assert decide(doc, action, "*") == "deny", (key, action)
        etl_task = f"arn:aws:iam::{ACCOUNT}:role/fluxion-production-etl-task"
        passes = decide(doc, "iam:PassRole", etl_task,
                        {"iam:PassedToService": "ecs-tasks.amazonaws.com"})  # fmt: skip
        assert passes == ("allow" if key == "events" else "implicit"), key


def test_each_boundary_leaves_its_role_what_it_uses(hardened: dict[str, Any]) -> None:
    """Every action a role's inline policy grants is inside that role's boundary."""
    identity, checked = hardened["identity"], 0
    by_role = {
        f"${{aws_iam_role.{name}.id}}": body["permissions_boundary"].split(".")[1]
        for name, body in identity["resource"]["aws_iam_role"].items()
    }
    for body in identity["resource"]["aws_iam_role_policy"].values():
        boundary = _boundary(identity, by_role[body["role"]].removeprefix("boundary_"))
        for statement in json.loads(body["policy"])["Statement"]:
            resources = statement["Resource"]
            for action in statement["Action"]:
                for arn in resources if isinstance(resources, list) else [resources]:
                    context = {
                        "iam:PassedToService": "ecs-tasks.amazonaws.com",
                        "ecs:cluster": CLUSTER,
                    }
                    assert decide(boundary, action, arn, context) == "allow", (action, arn)
                    checked += 1
    assert checked >= 20
