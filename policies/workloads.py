"""The workload roles: one row each, their names and who passes them (plain data).

Every workload role lives in the `identity` stack, which people apply; a CI apply role may only
*pass* the roles of its own stack, by exact name, to the one service each is for. A role's
name is its live name when the adoption inventory records it (the CloudFormation-made names),
else `fluxion-<environment>-<key>`: exact either way, so no policy names a role by pattern.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from config import EnvironmentConfig
from config.estate import new_resource_name

ECS_TASKS = "ecs-tasks.amazonaws.com"
"""The service principal that assumes task and execution roles."""


@dataclass(frozen=True)
class WorkloadRole:
    key: str
    """Stable key: `fluxion-<environment>-<key>` names the role when nothing live does."""
    path: str
    """The role's construct path in the `identity` stack (also the inventory's path)."""
    service: str
    """The service that assumes the role, and the only one its owner may pass it to."""
    passed_by: str
    """The CI stack whose resources use the role (its apply role may pass it)."""
    hardened_only: bool = False
    """Exists in `hardened` only (still passable in both: the CI identity serves both)."""


WORKLOAD_ROLES = (
    WorkloadRole("bridge", "wireguard/role", "ec2.amazonaws.com", "network"),
    WorkloadRole("flow-logs", "flow_logs/role", "vpc-flow-logs.amazonaws.com", "network", True),
    WorkloadRole("execution", "roles/execution", ECS_TASKS, "compute"),
    WorkloadRole("etl-execution", "roles/etl_execution", ECS_TASKS, "compute", True),
    WorkloadRole("backend-task", "roles/backend_task", ECS_TASKS, "compute"),
    WorkloadRole("etl-task", "roles/etl_task", ECS_TASKS, "compute"),
    WorkloadRole("events", "roles/events", "events.amazonaws.com", "compute"),
)
ROLES = {role.key: role for role in WORKLOAD_ROLES}
BRIDGE_PROFILE_PATH = "wireguard/profile"
"""The bridge's instance profile (identity stack); named like the bridge's role."""


def new_name(config: EnvironmentConfig, key: str) -> str:
    """The name of a workload identity this project creates: `fluxion-production-events`."""
    return new_resource_name(config.name, key)


def role_name(config: EnvironmentConfig, key: str, live: Mapping[str, str]) -> str:
    """The role's live name (inventory, by construct path) or its new name."""
    return live.get(ROLES[key].path) or new_name(config, key)


def instance_profile_name(config: EnvironmentConfig, live: Mapping[str, str]) -> str:
    return live.get(BRIDGE_PROFILE_PATH) or new_name(config, "bridge")


def boundary_name(config: EnvironmentConfig, key: str) -> str:
    """`hardened`: the permissions boundary of one workload role."""
    return new_name(config, f"boundary-{key}")


def passed_roles(
    config: EnvironmentConfig, live: Mapping[str, str], stack: str
) -> dict[str, list[str]]:
    """Service -> the exact names of the roles `stack` passes to it."""
    passed: dict[str, list[str]] = {}
    for role in WORKLOAD_ROLES:
        if role.passed_by == stack:
            names = passed.setdefault(role.service, [])
            name = role_name(config, role.key, live)
            if name not in names:
                names.append(name)
    return passed
