"""compute: ECS cluster, the backend behind the ALB, scheduled ETL tasks, their roles."""

from __future__ import annotations

from cdktf_cdktf_provider_aws.ecs_cluster import EcsCluster, EcsClusterSetting
from constructs import Construct

from config import EnvironmentConfig
from modules.load_balancer import LoadBalancer, LoadBalancerProps
from modules.task_execution_role import TaskExecutionRole
from stacks.base import FluxionStack
from stacks.contract import ComputeOutputs, DataOutputs, NetworkOutputs, publish, read, remote_state


class ComputeStack(FluxionStack):
    def __init__(self, scope: Construct, id_: str, *, config: EnvironmentConfig) -> None:
        super().__init__(scope, id_, config=config)
        network = read(NetworkOutputs, remote_state(self, config, "network"))
        data = read(DataOutputs, remote_state(self, config, "data"))
        cluster = EcsCluster(
            self,
            "cluster",
            name="fluxion-cluster",
            setting=[EcsClusterSetting(name="containerInsights", value="enhanced")],
        )
        TaskExecutionRole(
            self,
            "execution_role",
            secret_arns=[
                data.postgres_credentials_secret_arn,
                data.sql_credentials_secret_arn,
                data.db_credentials_secret_arn,
            ],
        )
        lb = LoadBalancer(
            self,
            "lb",
            props=LoadBalancerProps(
                name="fluxion-alb",
                vpc_id=network.vpc_id,
                subnet_ids=network.public_subnet_ids,
                security_group_id=network.alb_security_group_id,
            ),
        )
        self.outputs = ComputeOutputs(
            alb_dns_name=lb.alb.dns_name, alb_zone_id=lb.alb.zone_id, cluster_name=cluster.name
        )
        publish(self, self.outputs)
