"""The IAM roles of the ECS workloads: execution, task and EventBridge roles.

They receive grants (statements offered by the constructs that own the resources:
`modules.ecr.pull_grant`, `modules.fargate_task.log_write_grant`, ...), never ARN lists, and
live in the `identity` stack: no CI role creates a role or writes its policy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from constructs import Construct

from modules.iam import inline_policy, service_role
from policies.document import Statement
from policies.workloads import ECS_TASKS
from runtime.engine.aws.iam_role import IamRole


@dataclass(frozen=True)
class EcsRolesProps:
    names: dict[str, str]
    """Role key (`execution`, `etl-execution`, `backend-task`, `etl-task`, `events`) -> the
    role's exact name (`policies.workloads.role_name`)."""
    execution: list[Statement]
    """What the (first) execution role lets ECS do before a container starts."""
    backend_task: list[Statement]
    """What the backend's containers may call (ECS Exec's channels)."""
    events: list[Statement]
    """What EventBridge may do to run the scheduled tasks (run them, pass their roles)."""
    etl_execution: list[Statement] | None = None
    """A second execution role for the ETL families with only these grants; the first role
    then serves the backend alone. Default: none: one execution role for every family, as
    live."""
    boundaries: dict[str, str] = field(default_factory=dict)
    """Role key -> the ARN of its permissions boundary (`hardened`). Default: none (as live)."""


class EcsRoles(Construct):
    def __init__(self, scope: Construct, id_: str, *, props: EcsRolesProps) -> None:
        super().__init__(scope, id_)

        def role(id_: str, service: str, grants: list[Statement], policy_id: str = "") -> IamRole:
            """The role `id_` and, when it has grants, its inline policy `policy_id` (default
            `<id_>_policy`: the live policies' construct keys are kept)."""
            key = id_.replace("_", "-")
            made = service_role(
                self, id_, service, name=props.names[key], boundary_arn=props.boundaries.get(key)
            )
            if grants:
                inline_policy(self, policy_id or f"{id_}_policy", made, *grants)
            return made

        self.execution = role("execution", ECS_TASKS, props.execution)
        self.etl_execution = (
            self.execution
            if props.etl_execution is None
            else role("etl_execution", ECS_TASKS, props.etl_execution)
        )
        self.backend_task = role("backend_task", ECS_TASKS, props.backend_task, "backend_exec")
        # The ETL talks to PostgreSQL and La Granja only; it needs no AWS permission.
        self.etl_task = role("etl_task", ECS_TASKS, [])
        self.events = role("events", "events.amazonaws.com", props.events, "events_run_task")
