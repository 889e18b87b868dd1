"""Service roles and inline policies (documents come from `modules/iam_document.py`)."""

from __future__ import annotations

from typing import Any

from constructs import Construct

from modules.iam_document import policy_json
from runtime.engine.aws.iam_role import IamRole
from runtime.engine.aws.iam_role_policy import IamRolePolicy


def assume_role_policy(service: str) -> str:
    """A trust policy letting `service` (e.g. `ecs-tasks.amazonaws.com`) assume the role."""
    return policy_json(
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    )


def service_role(scope: Construct, id_: str, service: str) -> IamRole:
    """A role that `service` can assume; names are left to AWS (adopted roles keep theirs)."""
    return IamRole(scope, id_, assume_role_policy=assume_role_policy(service))


def inline_policy(scope: Construct, id_: str, role: IamRole, *statements: dict[str, Any]) -> None:
    """Attach an inline policy made of `statements` to `role`."""
    IamRolePolicy(scope, id_, role=role.id, policy=policy_json(*statements))
