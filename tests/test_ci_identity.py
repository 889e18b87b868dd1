"""GitHub OIDC identity in the state stack: two roles, trust limited to this repository."""

from __future__ import annotations

import json
from typing import Any

import pytest

from config import CiConfig, ConfigError
from tests.conftest import by_path, ref

ISSUER = "token.actions.githubusercontent.com"


@pytest.fixture(scope="module")
def state(stacks: dict[str, Any]) -> dict[str, Any]:
    return stacks["state"]


def _trust(state: dict[str, Any], path: str) -> dict[str, Any]:
    (statement,) = json.loads(by_path(state, "aws_iam_role", path)["assume_role_policy"])[
        "Statement"
    ]
    return dict(statement)


def test_oidc_provider(state: dict[str, Any]) -> None:
    provider = by_path(state, "aws_iam_openid_connect_provider", "ci/provider")
    assert provider["url"] == f"https://{ISSUER}"
    assert provider["client_id_list"] == ["sts.amazonaws.com"]


def test_plan_role_trusts_pull_requests_and_main_of_this_repo(state: dict[str, Any]) -> None:
    trust = _trust(state, "ci/plan_role")
    assert trust["Principal"] == {
        "Federated": ref(state, "aws_iam_openid_connect_provider", "ci/provider", "arn")
    }
    assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert trust["Condition"]["StringEquals"] == {
        f"{ISSUER}:aud": "sts.amazonaws.com",
        f"{ISSUER}:sub": [
            "repo:fluxion-ai/fluxion-infra:pull_request",
            "repo:fluxion-ai/fluxion-infra:ref:refs/heads/main",
        ],
    }
    attach = by_path(state, "aws_iam_role_policy_attachment", "ci/plan_read_only")
    assert attach["policy_arn"] == "arn:aws:iam::aws:policy/ReadOnlyAccess"
    lock = json.loads(by_path(state, "aws_iam_role_policy", "ci/plan_state_lock")["policy"])
    writes = [s for s in lock["Statement"] if "s3:PutObject" in s["Action"]]
    assert writes[0]["Resource"] == "arn:aws:s3:::fluxion-tfstate-611395766952/fluxion/*.tflock"


def test_deploy_role_trusts_main_and_the_protected_environment_only(state: dict[str, Any]) -> None:
    subjects = _trust(state, "ci/deploy_role")["Condition"]["StringEquals"][f"{ISSUER}:sub"]
    assert subjects == [
        "repo:fluxion-ai/fluxion-infra:ref:refs/heads/main",
        "repo:fluxion-ai/fluxion-infra:environment:production-data",
    ]
    assert not any("pull_request" in s or "*" in s for s in subjects)


def test_deploy_role_cannot_read_secrets_or_touch_the_ci_identity(state: dict[str, Any]) -> None:
    policy = json.loads(by_path(state, "aws_iam_role_policy", "ci/deploy_policy")["policy"])
    denies = [s for s in policy["Statement"] if s["Effect"] == "Deny"]
    assert "secretsmanager:GetSecretValue" in denies[0]["Action"]
    assert (
        ref(state, "aws_iam_openid_connect_provider", "ci/provider", "arn") in denies[1]["Resource"]
    )
    allows = {a for s in policy["Statement"] if s["Effect"] == "Allow" for a in s["Action"]}
    assert {"rds:*", "cloudfront:*", "ecs:*"} <= allows
    assert not {"iam:CreateUser", "iam:CreateAccessKey", "iam:*"} & allows


def test_no_static_keys_anywhere(state: dict[str, Any]) -> None:
    assert "aws_iam_access_key" not in state["resource"]
    assert "aws_iam_user" not in state["resource"]
    assert {"ci_plan_role_arn", "ci_deploy_role_arn"} <= set(state["output"])


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"github_repository": "fluxion"}, r"github_repository: 'fluxion' is not owner/name"),
        ({"deploy_branch": "main branch"}, r"deploy_branch: 'main branch' is not a branch name"),
    ],
)
def test_ci_rules(changes: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        CiConfig(**changes)
