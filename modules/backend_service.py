"""The backend ECS service: Fargate tasks in the private subnets, registered to the ALB."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from policies.document import Statement, allow
from runtime.engine.aws.ecs_service import (
    EcsService,
    EcsServiceDeploymentCircuitBreaker,
    EcsServiceLoadBalancer,
    EcsServiceNetworkConfiguration,
)


@dataclass(frozen=True)
class BackendServiceProps:
    name: str
    """The ECS service's name."""
    cluster_arn: str
    """The cluster the service runs in."""
    task_definition: str
    """`family:revision`, the form ECS and an import return: a full ARN would plan an update
    right after adoption (the provider keeps what it read)."""
    subnet_ids: list[str]
    """Private subnets the tasks run in (no public IP)."""
    security_group_ids: list[str]
    """The tasks' security groups."""
    target_group_arn: str
    """The ALB target group the tasks register in."""
    container_name: str
    """The container of the task definition that receives the ALB's traffic."""
    container_port: int
    """The port that container listens on."""
    desired_count: int
    """Tasks kept running."""
    health_check_grace_seconds: int
    """Seconds after a task starts during which failed ALB health checks are ignored."""


class BackendService(Construct):
    def __init__(self, scope: Construct, id_: str, *, props: BackendServiceProps) -> None:
        super().__init__(scope, id_)
        self.service = EcsService(
            self,
            "service",
            name=props.name,
            cluster=props.cluster_arn,
            task_definition=props.task_definition,
            desired_count=props.desired_count,
            launch_type="FARGATE",
            enable_execute_command=True,
            health_check_grace_period_seconds=props.health_check_grace_seconds,
            network_configuration=EcsServiceNetworkConfiguration(
                subnets=props.subnet_ids,
                security_groups=props.security_group_ids,
                assign_public_ip=False,
            ),
            load_balancer=[
                EcsServiceLoadBalancer(
                    target_group_arn=props.target_group_arn,
                    container_name=props.container_name,
                    container_port=props.container_port,
                )
            ],
            deployment_circuit_breaker=EcsServiceDeploymentCircuitBreaker(
                enable=True, rollback=True
            ),
        )


ECS_EXEC_ACTIONS = [
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
]
"""ECS Exec's data channel: AWS documents these actions with Resource "*" (no ARN exists)."""


def exec_grant() -> list[Statement]:
    """What a task role needs for `aws ecs execute-command` into the service's tasks."""
    return [allow(ECS_EXEC_ACTIONS, "*")]
