"""A one-container Fargate task definition: env as plain values, credentials as `secrets`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from cdktf_cdktf_provider_aws.ecs_task_definition import EcsTaskDefinition
from constructs import Construct


@dataclass(frozen=True)
class FargateTaskProps:
    family: str
    container_name: str
    image: str
    execution_role_arn: str
    task_role_arn: str
    log_group: str
    region: str
    cpu: int = 1024
    memory: int = 2048
    port: int | None = None
    environment: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    """Env var -> ARN (`<secret-arn>:<json-key>::` or an SSM parameter ARN), read at start."""


def container_definitions(props: FargateTaskProps) -> str:
    """The task's container definitions as ECS stores them (sorted, so plans stay stable)."""
    container: dict[str, object] = {
        "name": props.container_name,
        "image": props.image,
        "essential": True,
        "environment": [{"name": k, "value": v} for k, v in sorted(props.environment.items())],
        "secrets": [{"name": k, "valueFrom": v} for k, v in sorted(props.secrets.items())],
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": props.log_group,
                "awslogs-region": props.region,
                "awslogs-stream-prefix": props.container_name,
            },
        },
    }
    if props.port is not None:
        container["portMappings"] = [{"containerPort": props.port, "protocol": "tcp"}]
    return json.dumps([container])


class FargateTask(Construct):
    def __init__(self, scope: Construct, id_: str, *, props: FargateTaskProps) -> None:
        super().__init__(scope, id_)
        self.definition = EcsTaskDefinition(
            self,
            "definition",
            family=props.family,
            requires_compatibilities=["FARGATE"],
            network_mode="awsvpc",
            cpu=str(props.cpu),
            memory=str(props.memory),
            execution_role_arn=props.execution_role_arn,
            task_role_arn=props.task_role_arn,
            container_definitions=container_definitions(props),
            # A changed definition registers a new revision; keep the old one registered so
            # running tasks and rollbacks can still use it.
            skip_destroy=True,
        )
