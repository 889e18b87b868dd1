"""The four IAM roles of the ECS workloads, least privilege: no `*` where an ARN is known."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from modules.iam import inline_policy, service_role, statement

# ECS Exec's data channel: AWS documents these actions with Resource "*" (no ARN exists).
ECS_EXEC_ACTIONS = [
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
]


@dataclass(frozen=True)
class EcsRolesProps:
    repository_arns: list[str]
    log_group_arns: list[str]
    secret_arns: list[str]
    """Secrets the containers read at start (exactly those named in task definitions)."""
    parameter_arns: list[str]
    cluster_arn: str
    scheduled_task_families: list[str]
    """Task definition families EventBridge may run (any revision)."""
    region: str
    account_id: str


class EcsRoles(Construct):
    def __init__(self, scope: Construct, id_: str, *, props: EcsRolesProps) -> None:
        super().__init__(scope, id_)
        tasks = "ecs-tasks.amazonaws.com"
        self.execution = service_role(self, "execution", tasks)
        inline_policy(
            self,
            "execution_policy",
            self.execution,
            statement(["ecr:GetAuthorizationToken"], "*"),  # account-level call, no ARN
            statement(
                [
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:BatchGetImage",
                    "ecr:GetDownloadUrlForLayer",
                ],
                props.repository_arns,
            ),
            statement(
                ["logs:CreateLogStream", "logs:PutLogEvents"],
                [f"{arn}:*" for arn in props.log_group_arns],
            ),
            statement(["secretsmanager:GetSecretValue"], props.secret_arns),
            statement(["ssm:GetParameters"], props.parameter_arns),
        )
        self.backend_task = service_role(self, "backend_task", tasks)
        inline_policy(self, "backend_exec", self.backend_task, statement(ECS_EXEC_ACTIONS, "*"))
        # The ETL talks to PostgreSQL and La Granja only; it needs no AWS permission.
        self.etl_task = service_role(self, "etl_task", tasks)
        self.events = service_role(self, "events", "events.amazonaws.com")
        families = [
            f"arn:aws:ecs:{props.region}:{props.account_id}:task-definition/{family}:*"
            for family in props.scheduled_task_families
        ]
        inline_policy(
            self,
            "events_run_task",
            self.events,
            statement(
                ["ecs:RunTask"],
                families,
                Condition={"ArnEquals": {"ecs:cluster": props.cluster_arn}},
            ),
            statement(
                ["iam:PassRole"],
                [self.execution.arn, self.etl_task.arn],
                Condition={"StringLike": {"iam:PassedToService": tasks}},
            ),
        )
