"""Workload roles and inline policies (documents come from `policies/document.py`)."""

from __future__ import annotations

from constructs import Construct

from policies.document import Statement, policy_json
from runtime.engine.aws.iam_role import IamRole
from runtime.engine.aws.iam_role_policy import IamRolePolicy


def assume_role_policy(service: str) -> str:
    """A trust policy letting `service` (e.g. `ecs-tasks.amazonaws.com`) assume the role."""
    return policy_json(
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    )


def service_role(
    scope: Construct, id_: str, service: str, *, name: str, boundary_arn: str | None = None
) -> IamRole:
    """A role that only `service` can assume, with its exact name (the live one when adopted)
    and, in `hardened`, its own permissions boundary."""
    return IamRole(
        scope,
        id_,
        name=name,
        assume_role_policy=assume_role_policy(service),
        permissions_boundary=boundary_arn,
    )


def inline_policy(scope: Construct, id_: str, role: IamRole, *statements: Statement) -> None:
    """Attach an inline policy made of `statements` to `role`."""
    IamRolePolicy(scope, id_, role=role.id, policy=policy_json(*statements))
