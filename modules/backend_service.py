"""The backend ECS service: Fargate tasks in the private subnets, registered to the ALB."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_aws.ecs_service import (
    EcsService,
    EcsServiceDeploymentCircuitBreaker,
    EcsServiceLoadBalancer,
    EcsServiceNetworkConfiguration,
)
from constructs import Construct


@dataclass(frozen=True)
class BackendServiceProps:
    name: str
    cluster_arn: str
    task_definition: str
    """`family:revision`, the form ECS and an import return: a full ARN would plan an update
    right after adoption (the provider keeps what it read)."""
    subnet_ids: list[str]
    security_group_ids: list[str]
    target_group_arn: str
    container_name: str
    container_port: int
    desired_count: int = 2
    health_check_grace_seconds: int = 120


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
