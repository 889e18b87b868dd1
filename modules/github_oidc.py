"""GitHub Actions' identity in AWS: the OIDC provider and two roles, no static keys.

- plan: read-only (AWS managed ReadOnlyAccess) plus writing the state lock files; trusted by
  pull requests and by `main`.
- deploy: what the stacks manage; trusted by `main` and by the protected environment of the data
  stack only. It can neither read secret values nor touch the CI identity itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.iam_openid_connect_provider import IamOpenidConnectProvider
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from constructs import Construct

from modules.iam import inline_policy, statement

ISSUER = "token.actions.githubusercontent.com"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
# Services whose resources the stacks create and update.
MANAGED_SERVICES = (
    "ec2",
    "elasticloadbalancing",
    "rds",
    "ecs",
    "ecr",
    "logs",
    "events",
    "cloudfront",
    "acm",
    "secretsmanager",
    "ssm",
    "s3",
)
SECRET_VALUES = [
    "secretsmanager:GetSecretValue",
    "secretsmanager:PutSecretValue",
    "secretsmanager:UpdateSecretVersionStage",
]


@dataclass(frozen=True)
class GithubOidcProps:
    repository: str
    deploy_branch: str
    protected_environment: str
    account_id: str
    state_bucket: str
    state_key_prefix: str
    parameter_prefix: str = "/fluxion/"


class GithubOidc(Construct):
    def __init__(self, scope: Construct, id_: str, *, props: GithubOidcProps) -> None:
        super().__init__(scope, id_)
        self.provider = IamOpenidConnectProvider(
            self, "provider", url=f"https://{ISSUER}", client_id_list=["sts.amazonaws.com"]
        )
        repo = f"repo:{props.repository}"
        main_ref = f"{repo}:ref:refs/heads/{props.deploy_branch}"
        self.plan_role = self._role("plan_role", [f"{repo}:pull_request", main_ref])
        IamRolePolicyAttachment(
            self, "plan_read_only", role=self.plan_role.name, policy_arn=READ_ONLY
        )
        state = f"arn:aws:s3:::{props.state_bucket}"
        inline_policy(
            self,
            "plan_state_lock",
            self.plan_role,
            statement(["s3:ListBucket"], state),
            statement(["s3:GetObject"], f"{state}/{props.state_key_prefix}/*"),
            # native S3 locking writes and deletes `<key>.tflock` next to each state file
            statement(
                ["s3:PutObject", "s3:DeleteObject"], f"{state}/{props.state_key_prefix}/*.tflock"
            ),
        )
        self.deploy_role = self._role(
            "deploy_role", [main_ref, f"{repo}:environment:{props.protected_environment}"]
        )
        account = props.account_id
        ci_arns = [f"arn:aws:iam::{account}:role/{name}" for name in ("*ci-plan*", "*ci-deploy*")]
        inline_policy(
            self,
            "deploy_policy",
            self.deploy_role,
            statement([f"{service}:*" for service in MANAGED_SERVICES], "*"),
            statement(
                [
                    "iam:*Role*",
                    "iam:*InstanceProfile*",
                    "iam:*RolePolicy*",
                    "iam:Get*",
                    "iam:List*",
                    "iam:TagRole",
                    "iam:UntagRole",
                ],
                [f"arn:aws:iam::{account}:role/*", f"arn:aws:iam::{account}:instance-profile/*"],
            ),
            statement(
                ["iam:PassRole"],
                f"arn:aws:iam::{account}:role/*",
                Condition={
                    "StringEquals": {
                        "iam:PassedToService": [
                            "ecs-tasks.amazonaws.com",
                            "ec2.amazonaws.com",
                            "events.amazonaws.com",
                        ]
                    }
                },
            ),
            {"Effect": "Deny", "Action": SECRET_VALUES, "Resource": "*"},
            {
                "Effect": "Deny",
                "Action": "iam:*",
                "Resource": [self.provider.arn, self.plan_role.arn, *ci_arns],
            },
        )

    def _role(self, id_: str, subjects: list[str]) -> IamRole:
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": self.provider.arn},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {
                            f"{ISSUER}:aud": "sts.amazonaws.com",
                            f"{ISSUER}:sub": subjects,
                        }
                    },
                }
            ],
        }
        name = "fluxion-ci-plan" if id_ == "plan_role" else "fluxion-ci-deploy"
        return IamRole(
            self, id_, name=name, assume_role_policy=json.dumps(trust), max_session_duration=3600
        )
