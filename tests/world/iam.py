"""IAM roles as AWS CDK made them (a made-up CloudFormation name, a default policy)."""

from __future__ import annotations

import json
from typing import Any

TRUST_TASKS = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"}],
    }
)


def make_role(client: Any, name: str, inline: bool, trust: str = TRUST_TASKS) -> str:
    iam = client("iam")
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    if inline:
        iam.put_role_policy(RoleName=name, PolicyName=f"{name}DefaultPolicy", PolicyDocument=POLICY)
    return str(arn)
