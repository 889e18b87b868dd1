"""The ECS task execution role: pull images, write logs, read exactly the listed secrets."""

from __future__ import annotations

import json

from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from constructs import Construct

EXECUTION_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"


def assume_role_policy(service: str) -> str:
    """A trust policy letting `service` (e.g. `ecs-tasks.amazonaws.com`) assume the role."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
            ],
        }
    )


class TaskExecutionRole(Construct):
    def __init__(self, scope: Construct, id_: str, *, secret_arns: list[str]) -> None:
        super().__init__(scope, id_)
        self.role = IamRole(
            self, "role", assume_role_policy=assume_role_policy("ecs-tasks.amazonaws.com")
        )
        IamRolePolicyAttachment(self, "managed", role=self.role.name, policy_arn=EXECUTION_POLICY)
        IamRolePolicy(
            self,
            "secrets",
            role=self.role.id,
            policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": "secretsmanager:GetSecretValue",
                            "Resource": secret_arns,
                        }
                    ],
                }
            ),
        )
