"""The CI identity (state stack): who can assume what, and what an attacker holding it can do.

The documents are tested as data: trust conditions read from the synthesized JSON, and the
permission policies asked attacker questions through `tests/iam_eval.py`.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

import config
from config import CiConfig, ConfigError
from config.environments import PRODUCTION
from modules import ci_policies as cp
from tests.conftest import by_path, ref
from tests.iam_eval import decide

ISSUER = "token.actions.githubusercontent.com"
REPO = "repo:fluxion-ai/fluxion-infra"
ACCOUNT = "611395766952"
ROLES = {
    "ci/plan_role": (
        "fluxion-ci-plan",
        [f"{REPO}:pull_request", f"{REPO}:environment:drift"],  # pull requests, drift report
    ),
    "ci/apply_network": ("fluxion-ci-apply-network", f"{REPO}:environment:network"),
    "ci/apply_data": ("fluxion-ci-apply-data", f"{REPO}:environment:data"),
    "ci/apply_compute": ("fluxion-ci-apply-compute", f"{REPO}:environment:compute"),
    "ci/apply_edge": ("fluxion-ci-apply-edge", f"{REPO}:environment:edge"),
    "ci/release_role": ("fluxion-ci-release", f"{REPO}:environment:release"),
}
BOUNDARY = f"arn:aws:iam::{ACCOUNT}:policy/fluxion-workload-boundary"


def role_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:role/{name}"


@pytest.fixture(scope="module")
def state(stacks: dict[str, Any]) -> dict[str, Any]:
    return stacks["state"]


MANAGED = {"ci/plan_reads": "fluxion-ci-plan-reads", "ci/guardrail": "fluxion-ci-guardrail"}
ATTACHED = {
    path: (["ci/guardrail"] if path == "ci/release_role" else ["ci/plan_reads", "ci/guardrail"])
    for path in ROLES
}


def effective(state: dict[str, Any], path: str) -> dict[str, Any]:
    """A role's inline policy and the managed policies attached to it, as one document."""
    inline = json.loads(by_path(state, "aws_iam_role_policy", f"{path}_policy")["policy"])
    role_name = ref(state, "aws_iam_role", path, "name")
    attached = {
        a["policy_arn"]
        for a in state["resource"]["aws_iam_role_policy_attachment"].values()
        if a["role"] == role_name
    }
    statements = list(inline["Statement"])
    for managed in MANAGED:
        if ref(state, "aws_iam_policy", managed, "arn") in attached:
            body = by_path(state, "aws_iam_policy", managed)
            statements += json.loads(body["policy"])["Statement"]
    return {"Version": "2012-10-17", "Statement": statements}


@pytest.fixture(scope="module")
def policies(state: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Role path -> everything it is allowed and denied, from the synthesized state stack."""
    return {path: effective(state, path) for path in ROLES}


@pytest.mark.parametrize("path", sorted(ROLES))
def test_attached_policies(state: dict[str, Any], path: str) -> None:
    role_name = ref(state, "aws_iam_role", path, "name")
    attached = sorted(
        a["policy_arn"]
        for a in state["resource"]["aws_iam_role_policy_attachment"].values()
        if a["role"] == role_name
    )
    assert attached == sorted(ref(state, "aws_iam_policy", m, "arn") for m in ATTACHED[path])
    for managed, name in MANAGED.items():
        assert by_path(state, "aws_iam_policy", managed)["name"] == name


@pytest.fixture(scope="module")
def boundary(state: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads(by_path(state, "aws_iam_policy", "ci/boundary")["policy"]))


def test_oidc_provider(state: dict[str, Any]) -> None:
    provider = by_path(state, "aws_iam_openid_connect_provider", "ci/provider")
    assert provider["url"] == f"https://{ISSUER}"
    assert provider["client_id_list"] == ["sts.amazonaws.com"]


@pytest.mark.parametrize("path", sorted(ROLES))
def test_each_role_trusts_exactly_one_kind_of_run(state: dict[str, Any], path: str) -> None:
    name, subject = ROLES[path]
    role = by_path(state, "aws_iam_role", path)
    assert role["name"] == name
    assert role["max_session_duration"] == 3600
    (trust,) = json.loads(role["assume_role_policy"])["Statement"]
    assert trust["Principal"] == {
        "Federated": ref(state, "aws_iam_openid_connect_provider", "ci/provider", "arn")
    }
    assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert trust["Condition"] == {
        "StringEquals": {f"{ISSUER}:aud": "sts.amazonaws.com", f"{ISSUER}:sub": subject}
    }


def test_only_the_data_environment_can_change_the_data_stack(state: dict[str, Any]) -> None:
    """No branch, no pull request, no other environment: the `data` environment's approval
    is the only way to the data stack's writes, and it is enforced by IAM's trust."""
    subjects = {
        path: json.loads(by_path(state, "aws_iam_role", path)["assume_role_policy"])["Statement"][
            0
        ]["Condition"]["StringEquals"][f"{ISSUER}:sub"]
        for path in ROLES
    }
    each = {p: s if isinstance(s, list) else [s] for p, s in subjects.items()}
    writers = [p for p, subs in each.items() if any("environment:data" in s for s in subs)]
    assert writers == ["ci/apply_data"]
    assert not any("ref:refs/heads" in s or "*" in s for subs in each.values() for s in subs)


def test_no_static_keys_and_every_arn_is_published(state: dict[str, Any]) -> None:
    assert "aws_iam_access_key" not in state["resource"]
    assert "aws_iam_user" not in state["resource"]
    attached = [
        a["policy_arn"] for a in state["resource"]["aws_iam_role_policy_attachment"].values()
    ]
    assert not [arn for arn in attached if arn.startswith("arn:aws:iam::aws:")]  # ReadOnlyAccess
    assert {
        "ci_plan_role_arn",
        "ci_apply_network_role_arn",
        "ci_apply_data_role_arn",
        "ci_apply_compute_role_arn",
        "ci_apply_edge_role_arn",
        "ci_release_role_arn",
        "workload_boundary_arn",
    } <= set(state["output"])


def test_policies_fit_iam_quotas(state: dict[str, Any]) -> None:
    """Inline policies of a role: 10,240 characters; a managed policy: 6,144 (no spaces)."""
    for path in ROLES:
        text = by_path(state, "aws_iam_role_policy", f"{path}_policy")["policy"]
        assert len("".join(text.split())) <= 10240, path
    for path in ("ci/boundary", *MANAGED):
        text = by_path(state, "aws_iam_policy", path)["policy"]
        assert len("".join(text.split())) <= 6144, path


# --- the documents as data --------------------------------------------------------------------


def _allows(policy: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in policy["Statement"] if s["Effect"] == "Allow"]


def test_no_allowed_action_has_a_wildcard(
    policies: dict[str, dict[str, Any]], boundary: dict[str, Any]
) -> None:
    """No waiver needed: every allowed action is written out."""
    for name, policy in [*policies.items(), ("boundary", boundary)]:
        for statement in _allows(policy):
            assert "NotAction" not in statement, name
            starred = [a for a in statement["Action"] if "*" in a]
            assert not starred, f"{name}: {starred}"


UNSCOPABLE_WRITES = {
    "ecs:RegisterTaskDefinition",
    "ecs:DeregisterTaskDefinition",
    "ecr:GetAuthorizationToken",
    *cp.SSM_AGENT,
    # What wafv2:PutLoggingConfiguration needs for a CloudWatch Logs destination (the edge's
    # web ACL, `hardened`): the service authorization reference gives these no resource type.
    "logs:CreateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:PutResourcePolicy",
}


def test_only_reads_and_unscopable_calls_are_granted_on_every_resource(
    policies: dict[str, dict[str, Any]], boundary: dict[str, Any]
) -> None:
    for name, policy in [*policies.items(), ("boundary", boundary)]:
        for statement in _allows(policy):
            if statement["Resource"] != "*":
                continue
            writes = [
                a
                for a in statement["Action"]
                if not a.split(":")[1].startswith(("Describe", "List", "Get"))
                and a not in UNSCOPABLE_WRITES
            ]
            assert not writes, f"{name}: {writes} on *"


def test_every_pass_role_names_roles_and_a_service(
    policies: dict[str, dict[str, Any]], boundary: dict[str, Any]
) -> None:
    passing = [
        (name, s)
        for name, policy in [*policies.items(), ("boundary", boundary)]
        for s in _allows(policy)
        if "iam:PassRole" in s["Action"]
    ]
    assert {name for name, _ in passing} == {
        "ci/apply_network",
        "ci/apply_compute",
        "boundary",
    }
    for name, statement in passing:
        assert statement["Action"] == ["iam:PassRole"], name
        assert "*" not in statement["Resource"], name
        assert "iam:PassedToService" in statement["Condition"]["StringEquals"], name


@pytest.mark.parametrize("path", sorted(ROLES))
def test_every_ci_role_carries_the_guardrail(
    policies: dict[str, dict[str, Any]], path: str
) -> None:
    policy = policies[path]
    for action in [*cp.ESCALATION, *cp.DATA_READS]:
        assert decide(policy, action, "*") == "deny", action


def test_the_boundary_denies_every_escalation_and_the_ci_identity(
    boundary: dict[str, Any],
) -> None:
    for action in cp.ESCALATION:
        assert decide(boundary, action, "*") == "deny", action
    for target in (role_arn("fluxion-ci-apply-data"), BOUNDARY):
        assert decide(boundary, "iam:PutRolePolicy", target) == "deny"


def test_the_boundary_leaves_the_workloads_what_they_use(
    boundary: dict[str, Any], hardened: dict[str, dict[str, Any]]
) -> None:
    """Every action a workload role's inline policy grants is inside the boundary."""
    checked = 0
    for stack in ("network", "compute"):
        for name, resource in hardened[stack]["resource"]["aws_iam_role_policy"].items():
            for statement in json.loads(resource["policy"])["Statement"]:
                for action in statement["Action"]:
                    resources = statement["Resource"]
                    for arn in resources if isinstance(resources, list) else [resources]:
                        context = {"iam:PassedToService": "ecs-tasks.amazonaws.com"}
                        context["ecs:cluster"] = f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/"
                        context["ecs:cluster"] += "fluxion-cluster"
                        # a reference to another resource: ask with a name the stack uses
                        concrete = _example_arn(action) if "${" in arn else arn
                        verdict = decide(boundary, action, concrete, context)
                        assert verdict == "allow", f"{stack}/{name}: {action} on {arn}"
                        checked += 1
    assert checked >= 15


def _example_arn(action: str) -> str:
    service = action.split(":")[0]
    return {
        "ecr": f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/fluxion-backend",
        "logs": f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/ecs/fluxion-backend:*",
        "iam": role_arn("FluxionStackV2-ExecutionRole9A1B"),
        "secretsmanager": f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:fluxion/x-AbCdEf",
        "ssm": f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/fluxion/etl/sentry-dsn",
    }[service]


# --- attacker questions -----------------------------------------------------------------------

SECRET = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:fluxion/production-AbCdEf"
BACKUP_OBJECT = f"arn:aws:s3:::fluxion-backups-v4-{ACCOUNT}/2026/11/27/pos.sql.gz"
STATE = f"arn:aws:s3:::fluxion-tfstate-{ACCOUNT}/fluxion/production"
PRIMARY = f"arn:aws:rds:us-east-1:{ACCOUNT}:db:fluxion-postgres-v2"


@pytest.mark.parametrize("path", sorted(ROLES))
def test_no_ci_role_can_grant_itself_more(policies: dict[str, dict[str, Any]], path: str) -> None:
    policy = policies[path]
    with_boundary = {"iam:PermissionsBoundary": BOUNDARY}
    for own in [name for name, _ in ROLES.values()]:
        for action in (
            "iam:AttachRolePolicy",
            "iam:PutRolePolicy",
            "iam:UpdateAssumeRolePolicy",
            "iam:DeleteRolePermissionsBoundary",
            "iam:PassRole",
        ):
            assert decide(policy, action, role_arn(own), with_boundary) == "deny", (own, action)
    for action in ("iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicy"):
        assert decide(policy, action, BOUNDARY) == "deny"
    provider = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{ISSUER}"
    assert decide(policy, "iam:UpdateOpenIDConnectProviderThumbprint", provider) == "deny"
    assert decide(policy, "sts:AssumeRole", role_arn("FluxionStackV2-ExecutionRole9A1B")) == "deny"
    for action in ("iam:CreateUser", "iam:CreateAccessKey", "iam:AttachUserPolicy"):
        assert decide(policy, action, f"arn:aws:iam::{ACCOUNT}:user/x") == "deny"


@pytest.mark.parametrize("path", sorted(ROLES))
def test_no_ci_role_reads_secrets_data_or_runs_commands(
    policies: dict[str, dict[str, Any]], path: str
) -> None:
    policy = policies[path]
    assert decide(policy, "secretsmanager:GetSecretValue", SECRET) == "deny"
    assert decide(policy, "secretsmanager:PutResourcePolicy", SECRET) == "deny"
    assert decide(policy, "s3:GetObject", BACKUP_OBJECT) == "deny"
    param = f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/fluxion/etl/sentry-dsn"
    assert decide(policy, "ssm:GetParameter", param) == "deny"
    instance = f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-0fc333b96e4237200"
    for action in ("ssm:SendCommand", "ssm:StartSession", "ec2:CreateSnapshot"):
        assert decide(policy, action, instance) == "deny", action
    task = f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/FluxionBackendTask:30"
    assert decide(policy, "ecs:RunTask", task) == "deny"
    assert decide(policy, "rds:CreateDBSnapshot", PRIMARY) == "deny"


def test_the_plan_role_reads_states_and_writes_only_lock_files(
    policies: dict[str, dict[str, Any]],
) -> None:
    plan = policies["ci/plan_role"]
    assert decide(plan, "s3:GetObject", f"{STATE}/data.tfstate") == "allow"
    assert decide(plan, "s3:PutObject", f"{STATE}/data.tfstate.tflock") == "allow"
    assert decide(plan, "s3:PutObject", f"{STATE}/data.tfstate") == "implicit"
    assert decide(plan, "rds:DescribeDBInstances", PRIMARY) == "allow"
    assert decide(plan, "rds:ModifyDBInstance", PRIMARY) == "implicit"
    ami = "arn:aws:ssm:us-east-1::parameter/aws/service/ami-amazon-linux-latest/al2023-ami"
    assert decide(plan, "ssm:GetParameter", ami) == "allow"


CASES = [
    # (action, resource, context, stack whose apply role may do it)
    ("rds:ModifyDBInstance", PRIMARY, {}, "data"),
    ("s3:PutBucketPolicy", f"arn:aws:s3:::fluxion-backups-v4-{ACCOUNT}", {}, "data"),
    ("s3:PutBucketPolicy", f"arn:aws:s3:::fluxion-frontend-v4-{ACCOUNT}", {}, "edge"),
    ("ec2:CreateRoute", f"arn:aws:ec2:us-east-1:{ACCOUNT}:route-table/rtb-1", {}, "network"),
    ("ecs:UpdateService", f"arn:aws:ecs:us-east-1:{ACCOUNT}:service/fluxion-cluster/x", {},
     "compute"),
    ("cloudfront:UpdateDistribution", f"arn:aws:cloudfront::{ACCOUNT}:distribution/E1", {},
     "edge"),
    ("iam:CreateRole", role_arn("fluxion-compute-exec"),
     {"iam:PermissionsBoundary": BOUNDARY}, "compute"),
    ("iam:PassRole", role_arn("FluxionStackV2-ExecutionRole9A1B"),
     {"iam:PassedToService": "ecs-tasks.amazonaws.com"}, "compute"),
    ("iam:PassRole", role_arn("fluxion-network-bridge"),
     {"iam:PassedToService": "ec2.amazonaws.com"}, "network"),
    ("s3:PutObject", f"{STATE}/compute.tfstate", {}, "compute"),
]  # fmt: skip


@pytest.mark.parametrize(("action", "resource", "context", "owner"), CASES)
def test_each_write_belongs_to_one_stack(
    policies: dict[str, dict[str, Any]],
    action: str,
    resource: str,
    context: dict[str, str],
    owner: str,
) -> None:
    for stack in cp.APPLIED_BY_CI:
        verdict = decide(policies[f"ci/apply_{stack}"], action, resource, context)
        assert verdict == ("allow" if stack == owner else "implicit"), stack
    assert decide(policies["ci/plan_role"], action, resource, context) != "allow"


def test_role_writes_need_the_boundary_and_the_right_service(
    policies: dict[str, dict[str, Any]],
) -> None:
    compute = policies["ci/apply_compute"]
    new_role = role_arn("fluxion-compute-exec")
    for action in cp.ROLE_WRITES_WITH_BOUNDARY:
        assert decide(compute, action, new_role) == "implicit", action  # no boundary
        other = {"iam:PermissionsBoundary": f"arn:aws:iam::{ACCOUNT}:policy/Admin"}
        assert decide(compute, action, new_role, other) == "implicit", action
    admin = {"iam:PassedToService": "ec2.amazonaws.com"}  # an instance running as the role
    assert decide(compute, "iam:PassRole", new_role, admin) == "implicit"
    assert decide(compute, "iam:CreateRole", role_arn("someone-else")) == "implicit"


def test_deleting_stateful_data_is_left_to_people(policies: dict[str, dict[str, Any]]) -> None:
    data = policies["ci/apply_data"]
    assert decide(data, "rds:DeleteDBInstance", PRIMARY) == "implicit"
    assert decide(data, "s3:DeleteBucket", f"arn:aws:s3:::fluxion-backups-v4-{ACCOUNT}") == (
        "implicit"
    )
    assert decide(data, "s3:DeleteObject", BACKUP_OBJECT) == "implicit"
    assert decide(data, "secretsmanager:DeleteSecret", SECRET) == "implicit"


def test_the_release_role_ships_images_and_sites_only(
    policies: dict[str, dict[str, Any]],
) -> None:
    release = policies["ci/release_role"]
    repo = f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/fluxion-backend"
    assert decide(release, "ecr:PutImage", repo) == "allow"
    site = f"arn:aws:s3:::fluxion-frontend-v4-{ACCOUNT}/index.html"
    assert decide(release, "s3:PutObject", site) == "allow"
    assert decide(release, "s3:PutObject", f"{BACKUP_OBJECT}") == "implicit"
    assert decide(release, "ecr:DeleteRepository", repo) == "implicit"
    assert decide(release, "ecs:RegisterTaskDefinition", "*") == "implicit"
    exec_role = role_arn("FluxionStackV2-ExecutionRole9A1B")
    passing = {"iam:PassedToService": "ecs-tasks.amazonaws.com"}
    assert decide(release, "iam:PassRole", exec_role, passing) == "implicit"
    assert decide(release, "s3:GetObject", f"{STATE}/data.tfstate") == "implicit"
    assert decide(release, "s3:GetObject", f"{STATE}/compute.tfstate") == "allow"


# --- configuration ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"github_repository": "fluxion"}, r"github_repository: 'fluxion' is not owner/name"),
        ({"app_repository": "a b/c"}, r"app_repository: 'a b/c' is not owner/name"),
        ({"adopted_name_prefix": "Fluxion Stack"}, r"adopted_name_prefix: 'Fluxion Stack'"),
    ],
)
def test_ci_rules(changes: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        replace(PRODUCTION.ci, **changes)


def test_the_app_repository_defaults_to_this_one() -> None:
    ci = CiConfig(github_repository="fluxion-ai/fluxion-infra", adopted_name_prefix="X-")
    assert ci.app_repository == "fluxion-ai/fluxion-infra"
    assert replace(ci, app_repository="fluxion-ai/app").app_repository == "fluxion-ai/app"


def test_roles_terraform_creates_are_named_for_their_stack(
    stacks: dict[str, dict[str, Any]], hardened: dict[str, dict[str, Any]]
) -> None:
    """Not in the inventory -> created here -> `fluxion-<stack>-` (the only new names the
    stack's apply role may write); the live names of adopted roles are kept (a prefix on an
    imported role would replace it: the e2e adoption plans them with no change)."""
    for profile in (stacks, hardened):
        for stack in ("network", "compute"):
            for kind in ("aws_iam_role", "aws_iam_instance_profile"):
                for name, body in profile[stack]["resource"].get(kind, {}).items():
                    assert body["name_prefix"] == f"fluxion-{stack}-", name
                    assert "name" not in body, name


def test_name_new_identities_leaves_adopted_ones_alone() -> None:
    from imports.adopt import name_new_identities
    from runtime.engine.core import App
    from stacks.network import NetworkStack

    stack = NetworkStack(App(), "network", config=config.load())
    named = name_new_identities(stack, {"wireguard/role"})
    assert named == ["wireguard/profile"]


def test_hardened_workload_roles_carry_the_boundary(
    stacks: dict[str, dict[str, Any]], hardened: dict[str, dict[str, Any]]
) -> None:
    for stack in ("network", "compute"):
        hardened_roles = hardened[stack]["resource"]["aws_iam_role"].values()
        assert {r["permissions_boundary"] for r in hardened_roles} == {BOUNDARY}
        adopt_roles = stacks[stack]["resource"]["aws_iam_role"].values()
        assert not [r for r in adopt_roles if "permissions_boundary" in r]  # as live


def test_no_statement_inverts_its_action_or_resource(
    policies: dict[str, dict[str, Any]], boundary: dict[str, Any]
) -> None:
    """Named actions and resources only: a reader (and moto, which reads a NotResource Deny
    as an Allow) can check each statement against a list."""
    for name, policy in [*policies.items(), ("boundary", boundary)]:
        for statement in policy["Statement"]:
            assert not {"NotAction", "NotResource"} & set(statement), name
