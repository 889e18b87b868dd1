"""The four IAM roles of the ECS workloads, least privilege: no `*` where an ARN is known."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from modules.iam import inline_policy, service_role
from modules.iam_document import allow
from runtime.engine.aws.iam_role import IamRole

ECS_TASKS = "ecs-tasks.amazonaws.com"
"""The service principal that assumes task and execution roles."""

# ECS Exec's data channel: AWS documents these actions with Resource "*" (no ARN exists).
ECS_EXEC_ACTIONS = [
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
]


@dataclass(frozen=True)
class ExecutionAccess:
    """What one execution role lets ECS do before a container starts."""

    repository_arns: list[str]
    """ECR repositories it pulls from."""
    log_group_arns: list[str]
    """Log groups it writes container logs to."""
    secret_arns: list[str]
    """Secrets the containers read at start (exactly those named in task definitions)."""
    parameter_arns: list[str]
    """SSM parameters the containers read at start (may be empty)."""


@dataclass(frozen=True)
class EcsRolesProps:
    repository_arns: list[str]
    """ECR repositories the execution role pulls from."""
    log_group_arns: list[str]
    """Log groups the execution role writes container logs to."""
    secret_arns: list[str]
    """Secrets the containers read at start (exactly those named in task definitions)."""
    parameter_arns: list[str]
    """SSM parameters the containers read at start."""
    cluster_arn: str
    """The cluster EventBridge may run tasks in (the `ecs:cluster` condition)."""
    scheduled_task_families: list[str]
    """Task definition families EventBridge may run (any revision)."""
    region: str
    """The region of the task definition ARNs EventBridge may run."""
    account_id: str
    """The account of those ARNs."""
    etl_execution: ExecutionAccess | None = None
    """A second execution role for the ETL families with only this access; the first role
    (`execution`) then serves the backend alone, and the lists above are the backend's.
    Default: none: one execution role for every family, as live."""


class EcsRoles(Construct):
    def __init__(self, scope: Construct, id_: str, *, props: EcsRolesProps) -> None:
        super().__init__(scope, id_)
        first = ExecutionAccess(
            props.repository_arns, props.log_group_arns, props.secret_arns, props.parameter_arns
        )
        self.execution = self._execution_role("execution", first)
        self.etl_execution = (
            self.execution
            if props.etl_execution is None
            else self._execution_role("etl_execution", props.etl_execution)
        )
        self.backend_task = service_role(self, "backend_task", ECS_TASKS)
        inline_policy(self, "backend_exec", self.backend_task, allow(ECS_EXEC_ACTIONS, "*"))
        # The ETL talks to PostgreSQL and La Granja only; it needs no AWS permission.
        self.etl_task = service_role(self, "etl_task", ECS_TASKS)
        self.events = service_role(self, "events", "events.amazonaws.com")
        families = [
            f"arn:aws:ecs:{props.region}:{props.account_id}:task-definition/{family}:*"
            for family in props.scheduled_task_families
        ]
        inline_policy(
            self,
            "events_run_task",
            self.events,
            allow(
                ["ecs:RunTask"],
                families,
                Condition={"ArnEquals": {"ecs:cluster": props.cluster_arn}},
            ),
            allow(
                ["iam:PassRole"],
                [self.etl_execution.arn, self.etl_task.arn],
                Condition={"StringLike": {"iam:PassedToService": ECS_TASKS}},
            ),
        )

    def _execution_role(self, id_: str, access: ExecutionAccess) -> IamRole:
        """An execution role and its inline policy `<id_>_policy`: pull, log, read secrets."""
        role = service_role(self, id_, ECS_TASKS)
        statements = [
            allow(["ecr:GetAuthorizationToken"], "*"),  # account-level call, no ARN
            allow(
                [
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:BatchGetImage",
                    "ecr:GetDownloadUrlForLayer",
                ],
                access.repository_arns,
            ),
            allow(
                ["logs:CreateLogStream", "logs:PutLogEvents"],
                [f"{arn}:*" for arn in access.log_group_arns],
            ),
            allow(["secretsmanager:GetSecretValue"], access.secret_arns),
        ]
        if access.parameter_arns:
            statements.append(allow(["ssm:GetParameters"], access.parameter_arns))
        inline_policy(self, f"{id_}_policy", role, *statements)
        return role
