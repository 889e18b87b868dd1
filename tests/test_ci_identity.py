"""The CI identity (state stack): who can assume what, and what an attacker holding it can do.

The documents are tested as data: trust conditions read from the synthesized JSON, and the
permission policies asked attacker questions through `tests/iam_eval.py`. What an attacker
tries is written here as literals (the actions of the public privilege-escalation catalogue,
the backup buckets' configuration calls), never read from the module under test.
"""

from __future__ import annotations

import inspect
import json
from typing import Any

import pytest

import config
from config import CiConfig, ConfigError
from config.environments import PRODUCTION
from policies import ci as cp
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
APPLY = ("network", "data", "compute", "edge")

# Rhino Security Labs, "AWS IAM Privilege Escalation - Methods and Mitigation" (the 21 methods
# also behind cloudsplaining's and parliament's escalation checks): the single IAM actions that
# each are a method, and the role writes that make a new principal.
ESCALATION_CATALOGUE = (
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:AttachUserPolicy",
    "iam:AttachGroupPolicy",
    "iam:AttachRolePolicy",
    "iam:PutUserPolicy",
    "iam:PutGroupPolicy",
    "iam:PutRolePolicy",
    "iam:AddUserToGroup",
    "iam:UpdateAssumeRolePolicy",
    "iam:CreateRole",
    "iam:CreateUser",
    "iam:DeleteRolePermissionsBoundary",
    "iam:PutRolePermissionsBoundary",
    "iam:CreateInstanceProfile",
    "iam:AddRoleToInstanceProfile",
    "iam:CreatePolicy",
    "iam:CreateOpenIDConnectProvider",
    "sts:AssumeRole",
    # credentials and trust beyond the 21 methods (cloudsplaining's credentials-exposure list,
    # AWS's "IAM actions that grant access": users' boundaries, identity providers)
    "iam:CreateServiceSpecificCredential",
    "iam:UpdateAccessKey",
    "iam:DeleteUserPermissionsBoundary",
    "iam:PutUserPermissionsBoundary",
    "iam:UpdateOpenIDConnectProviderThumbprint",
    "iam:AddClientIDToOpenIDConnectProvider",
    "iam:CreateSAMLProvider",
    "iam:UpdateSAMLProvider",
)
BACKUPS = [
    f"arn:aws:s3:::fluxion-backups{suffix}-{ACCOUNT}" for suffix in ("-v4", "", "-v2", "-v3")
]
OPENS_OR_EXPIRES_A_BUCKET = (
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutBucketOwnershipControls",
    "s3:PutBucketAcl",
    "s3:PutLifecycleConfiguration",
    "s3:PutEncryptionConfiguration",
    "s3:PutBucketVersioning",
)


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
    } <= set(state["output"])


def test_policies_fit_iam_quotas(state: dict[str, Any]) -> None:
    """Inline policies of a role: 10,240 characters; a managed policy: 6,144 (no spaces)."""
    for path in ROLES:
        text = by_path(state, "aws_iam_role_policy", f"{path}_policy")["policy"]
        assert len("".join(text.split())) <= 10240, path
    for path in MANAGED:
        text = by_path(state, "aws_iam_policy", path)["policy"]
        assert len("".join(text.split())) <= 6144, path


# --- the documents as data --------------------------------------------------------------------


def _allows(policy: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in policy["Statement"] if s["Effect"] == "Allow"]


def test_no_allowed_action_has_a_wildcard(policies: dict[str, dict[str, Any]]) -> None:
    """No waiver needed: every allowed action is written out."""
    for name, policy in policies.items():
        for statement in _allows(policy):
            assert "NotAction" not in statement, name
            starred = [a for a in statement["Action"] if "*" in a]
            assert not starred, f"{name}: {starred}"


UNSCOPABLE_WRITES = {
    "ecs:RegisterTaskDefinition",
    "ecs:DeregisterTaskDefinition",
    "ecr:GetAuthorizationToken",
    # What wafv2:PutLoggingConfiguration needs for a CloudWatch Logs destination (the edge's
    # web ACL, `hardened`): the service authorization reference gives these no resource type.
    "logs:CreateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:PutResourcePolicy",
}


def test_only_reads_and_unscopable_calls_are_granted_on_every_resource(
    policies: dict[str, dict[str, Any]],
) -> None:
    for name, policy in policies.items():
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


@pytest.mark.parametrize("path", sorted(ROLES))
def test_no_ci_credential_can_mint_a_principal_or_write_a_policy(
    policies: dict[str, dict[str, Any]], path: str
) -> None:
    """Finding 2: a trust policy has no IAM condition, so a role write would hand the account
    to anyone. Every catalogued method is denied, on any resource, whatever the context."""
    policy = policies[path]
    any_role = {"iam:PermissionsBoundary": f"arn:aws:iam::{ACCOUNT}:policy/anything"}
    for action in ESCALATION_CATALOGUE:
        for resource in ("*", role_arn("fluxion-production-execution"), role_arn("x")):
            assert decide(policy, action, resource, any_role) == "deny", (action, resource)


@pytest.mark.parametrize("path", sorted(ROLES))
def test_no_ci_credential_can_open_or_expire_a_backup(
    policies: dict[str, dict[str, Any]], path: str
) -> None:
    """Finding 3: the backup buckets are SSE-S3; their policy, access block, ownership,
    encryption, versioning and lifecycle are denied to every CI role, as are their objects."""
    for bucket in BACKUPS:
        for action in OPENS_OR_EXPIRES_A_BUCKET:
            assert decide(policies[path], action, bucket) == "deny", (action, bucket)
        assert decide(policies[path], "s3:GetObject", f"{bucket}/2026/pos.sql.gz") == "deny"


@pytest.mark.parametrize("path", sorted(ROLES))
def test_no_ci_credential_can_set_a_secret_value(
    policies: dict[str, dict[str, Any]], path: str
) -> None:
    """Finding 6: UpdateSecret takes a SecretString too; values are set by people."""
    endpoint = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:fluxion/wireguard-config-AbCdEf"
    for action in ("secretsmanager:UpdateSecret", "secretsmanager:PutSecretValue",
                   "secretsmanager:RestoreSecret", "secretsmanager:GetSecretValue"):  # fmt: skip
        assert decide(policies[path], action, endpoint) == "deny", action


def test_the_data_role_keeps_rds_s_own_master_secret(policies: dict[str, dict[str, Any]]) -> None:
    """`hardened`: RDS manages the primary's password in `rds!db-<id>` with the caller's
    permissions; that secret is not one of the project's values."""
    managed = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:rds!db-1234-AbCdEf"
    assert decide(policies["ci/apply_data"], "secretsmanager:PutSecretValue", managed) == "allow"


PASSES = {
    # (role name, service) -> the one apply role that may pass it (no role passed by two)
    ("fluxion-production-bridge", "ec2.amazonaws.com"): "network",
    ("fluxion-production-flow-logs", "vpc-flow-logs.amazonaws.com"): "network",
    ("fluxion-production-execution", "ecs-tasks.amazonaws.com"): "compute",
    ("fluxion-production-etl-execution", "ecs-tasks.amazonaws.com"): "compute",
    ("fluxion-production-backend-task", "ecs-tasks.amazonaws.com"): "compute",
    ("fluxion-production-etl-task", "ecs-tasks.amazonaws.com"): "compute",
    ("fluxion-production-events", "events.amazonaws.com"): "compute",
}


@pytest.mark.parametrize(("role", "service"), sorted(PASSES))
def test_each_workload_role_is_passed_by_one_stack_to_one_service(
    policies: dict[str, dict[str, Any]], role: str, service: str
) -> None:
    """Findings 4 and 5: exact names, one owner, one service; never a pattern, never a role
    of the CloudFormation stack (no boundary) by prefix, never to another service."""
    for stack in APPLY:
        policy = policies[f"ci/apply_{stack}"]
        passing = {"iam:PassedToService": service}
        expected = "allow" if PASSES[(role, service)] == stack else "implicit"
        assert decide(policy, "iam:PassRole", role_arn(role), passing) == expected, stack
        ec2 = {"iam:PassedToService": "ec2.amazonaws.com"}
        if service != "ec2.amazonaws.com":
            assert decide(policy, "iam:PassRole", role_arn(role), ec2) == "implicit", stack
        for other in ("FluxionStackV2-ExecutionRole9A1B", "fluxion-production-x", "admin"):
            assert decide(policy, "iam:PassRole", role_arn(other), passing) == "implicit", other


def test_every_pass_role_names_exact_roles_and_a_service(
    policies: dict[str, dict[str, Any]],
) -> None:
    passing = [
        (name, s)
        for name, policy in policies.items()
        for s in _allows(policy)
        if "iam:PassRole" in s["Action"]
    ]
    assert {name for name, _ in passing} == {"ci/apply_network", "ci/apply_compute"}
    for name, statement in passing:
        assert statement["Action"] == ["iam:PassRole"], name
        assert not [r for r in statement["Resource"] if "*" in r or "?" in r], name
        assert "iam:PassedToService" in statement["Condition"]["StringEquals"], name


def test_the_ci_roles_pass_the_adopted_roles_by_their_live_names() -> None:
    """After `make resolve`, the inventory's live names (CloudFormation's) are what the apply
    roles may pass, and nothing else of that stack's."""
    live = {"roles/execution": "FluxionStackV2-TaskExecutionRole250D2532-1AB2C3D4E5F6"}
    row = cp.GRANTS["compute"]
    doc = cp.apply_policy(config.load(), row, live)
    ecs = {"iam:PassedToService": "ecs-tasks.amazonaws.com"}
    assert decide(doc, "iam:PassRole", role_arn(live["roles/execution"]), ecs) == "allow"
    assert decide(doc, "iam:PassRole", role_arn("fluxion-production-execution"), ecs) == (
        "implicit"
    )
    assert decide(doc, "iam:PassRole", role_arn("FluxionStackV2-Other-1"), ecs) == "implicit"


def test_the_apply_policy_is_one_loop_over_the_table() -> None:
    """One row per stack; the policy builder never asks which stack it builds."""
    source = inspect.getsource(cp.apply_policy)
    assert "stack ==" not in source and "stack !=" not in source
    assert [row.stack for row in cp.APPLY] == list(APPLY)


@pytest.mark.parametrize("path", sorted(ROLES))
def test_every_ci_role_carries_the_guardrail(
    policies: dict[str, dict[str, Any]], path: str
) -> None:
    policy = policies[path]
    for action in (
        "iam:CreateUser", "iam:CreateAccessKey", "iam:UpdateAssumeRolePolicy",
        "iam:DeleteRolePermissionsBoundary", "iam:CreateOpenIDConnectProvider", "sts:AssumeRole",
        "secretsmanager:GetSecretValue", "ssm:SendCommand", "ssm:StartSession",
        "ecs:ExecuteCommand", "ecs:RunTask", "ec2-instance-connect:SendSSHPublicKey",
        "ec2:CreateSnapshot", "rds:CreateDBSnapshot", "rds:StartExportTask", "kms:Decrypt",
        "logs:GetLogEvents",
    ):  # fmt: skip
        assert decide(policy, action, "*") == "deny", action


# --- attacker questions -----------------------------------------------------------------------

SECRET = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:fluxion/production-AbCdEf"
BACKUP_OBJECT = f"arn:aws:s3:::fluxion-backups-v4-{ACCOUNT}/2026/11/27/pos.sql.gz"
STATE = f"arn:aws:s3:::fluxion-tfstate-{ACCOUNT}/fluxion/production"
PRIMARY = f"arn:aws:rds:us-east-1:{ACCOUNT}:db:fluxion-postgres-v2"


@pytest.mark.parametrize("path", sorted(ROLES))
def test_no_ci_role_can_change_the_ci_identity(
    policies: dict[str, dict[str, Any]], path: str
) -> None:
    policy = policies[path]
    for own in [name for name, _ in ROLES.values()]:
        for action in ("iam:AttachRolePolicy", "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy",
                       "iam:DeleteRole", "iam:TagRole", "iam:PassRole"):  # fmt: skip
            assert decide(policy, action, role_arn(own)) == "deny", (own, action)
    guardrail = f"arn:aws:iam::{ACCOUNT}:policy/fluxion-ci-guardrail"
    for action in ("iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicy"):
        assert decide(policy, action, guardrail) == "deny"
    provider = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{ISSUER}"
    assert decide(policy, "iam:UpdateOpenIDConnectProviderThumbprint", provider) == "deny"


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
    assert decide(plan, "s3:PutObject", f"{STATE}/identity.tfstate.tflock") == "allow"
    assert decide(plan, "s3:PutObject", f"{STATE}/data.tfstate") == "implicit"
    assert decide(plan, "rds:DescribeDBInstances", PRIMARY) == "allow"
    assert decide(plan, "rds:ModifyDBInstance", PRIMARY) == "implicit"
    ami = "arn:aws:ssm:us-east-1::parameter/aws/service/ami-amazon-linux-latest/al2023-ami"
    assert decide(plan, "ssm:GetParameter", ami) == "allow"
    bridge = f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-0fc333b96e4237200"
    # finding 8: its boot script is a plan read (Terraform reads user_data): the key must not
    # be in it, hence `python -m ops bridge-key-check` and the rotation runbook
    assert decide(plan, "ec2:DescribeInstanceAttribute", bridge) == "allow"


CASES = [
    # (action, resource, context, stack whose apply role may do it)
    ("rds:ModifyDBInstance", PRIMARY, {}, "data"),
    ("s3:PutBucketPolicy", f"arn:aws:s3:::fluxion-frontend-v4-{ACCOUNT}", {}, "edge"),
    ("ec2:CreateRoute", f"arn:aws:ec2:us-east-1:{ACCOUNT}:route-table/rtb-1", {}, "network"),
    ("ecs:UpdateService", f"arn:aws:ecs:us-east-1:{ACCOUNT}:service/fluxion-cluster/x", {},
     "compute"),
    ("cloudfront:UpdateDistribution", f"arn:aws:cloudfront::{ACCOUNT}:distribution/E1", {},
     "edge"),
    ("cloudfront:CreateVpcOrigin", f"arn:aws:cloudfront::{ACCOUNT}:vpcorigin/vo_1", {}, "edge"),
    ("iam:PassRole", role_arn("fluxion-production-execution"),
     {"iam:PassedToService": "ecs-tasks.amazonaws.com"}, "compute"),
    ("iam:PassRole", role_arn("fluxion-production-bridge"),
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
    for stack in APPLY:
        verdict = decide(policies[f"ci/apply_{stack}"], action, resource, context)
        assert verdict == ("allow" if stack == owner else "implicit"), stack
    assert decide(policies["ci/plan_role"], action, resource, context) != "allow"


def test_no_apply_role_writes_the_people_stacks_state(
    policies: dict[str, dict[str, Any]],
) -> None:
    for stack in APPLY:
        for people in ("state", "identity"):
            state = f"{STATE}/{people}.tfstate"
            verdict = decide(policies[f"ci/apply_{stack}"], "s3:PutObject", state)
            assert verdict == "implicit", (stack, people)


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
    exec_role = role_arn("fluxion-production-execution")
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
    ],
)
def test_ci_rules(changes: dict[str, str], message: str) -> None:
    from dataclasses import replace

    with pytest.raises(ConfigError, match=message):
        replace(PRODUCTION.ci, **changes)


def test_the_app_repository_defaults_to_this_one() -> None:
    from dataclasses import replace

    ci = CiConfig(github_repository="fluxion-ai/fluxion-infra")
    assert ci.app_repository == "fluxion-ai/fluxion-infra"
    assert replace(ci, app_repository="fluxion-ai/app").app_repository == "fluxion-ai/app"


def test_no_statement_inverts_its_action_or_resource(
    policies: dict[str, dict[str, Any]],
) -> None:
    """Named actions and resources only: a reader (and moto, which reads a NotResource Deny
    as an Allow) can check each statement against a list."""
    for name, policy in policies.items():
        for statement in policy["Statement"]:
            assert not {"NotAction", "NotResource"} & set(statement), name


RULE_WRITES = ("events:PutRule", "events:DisableRule", "events:DeleteRule",
               "events:RemoveTargets", "events:PutTargets")  # fmt: skip
SILENCES = {
    f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:fluxion-production-primary-cpu": (
        "cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:SetAlarmState",
        "cloudwatch:DisableAlarmActions", "cloudwatch:PutAlarmMuteRule"),
    f"arn:aws:events:us-east-1:{ACCOUNT}:rule/fluxion-production-etl-failures": RULE_WRITES,
    f"arn:aws:events:us-east-1:{ACCOUNT}:rule/fluxion-production-detect-foreign-images": (
        RULE_WRITES),
    f"arn:aws:sns:us-east-1:{ACCOUNT}:fluxion-production-alarms": (
        "sns:SetTopicAttributes", "sns:DeleteTopic", "sns:Subscribe"),
    "*": ("sns:Unsubscribe", "sns:SetSubscriptionAttributes"),  # no resource type in IAM
    f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab": (
        "kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy"),
    f"arn:aws:cloudwatch::{ACCOUNT}:dashboard/fluxion-production": ("cloudwatch:DeleteDashboards",),
}  # fmt: skip
"""What would silence the on-call: an alarm forced, muted, disabled or deleted, the ETL failure
rule or a detection rule dropped (compute writes every rule named `fluxion-*`: only the
guardrail stops these), the topic cut from its subscribers, its key disabled."""


@pytest.mark.parametrize("path", sorted(ROLES))
def test_no_ci_credential_can_silence_the_monitoring(
    policies: dict[str, dict[str, Any]], path: str
) -> None:
    for arn, actions in SILENCES.items():
        for action in actions:
            assert decide(policies[path], action, arn) == "deny", (action, arn)


def test_the_compute_role_still_writes_its_own_schedules(
    policies: dict[str, dict[str, Any]],
) -> None:
    """The control: the Deny above is about monitoring's names, not every rule."""
    schedule = f"arn:aws:events:us-east-1:{ACCOUNT}:rule/fluxion-inventario-sync-30min"
    assert decide(policies["ci/apply_compute"], "events:PutRule", schedule) == "allow"
