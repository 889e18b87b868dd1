"""compute: ECS cluster, the backend behind the ALB, scheduled ETL tasks, their roles."""

from __future__ import annotations

from cdktf import Token
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.ecs_cluster import EcsCluster, EcsClusterSetting
from constructs import Construct

from config import ConfigError, EnvironmentConfig
from config.estate import ETL_TASKS, schedule_key
from modules.backend_service import BackendService, BackendServiceProps
from modules.cron import to_eventbridge
from modules.ecr import Repository
from modules.ecs_roles import EcsRoles, EcsRolesProps
from modules.fargate_task import FargateTask, FargateTaskProps
from modules.load_balancer import LoadBalancer, LoadBalancerProps
from modules.scheduled_task import ScheduledFargateTask, ScheduledTaskProps
from stacks.base import FluxionStack, origin_verify_token
from stacks.contract import ComputeOutputs, DataOutputs, NetworkOutputs, publish, read, remote_state

BACKEND_PORT = 8001


def key(secret_arn: str, json_key: str) -> str:
    """`valueFrom` for one JSON key of a Secrets Manager secret."""
    return f"{secret_arn}:{json_key}::"


class ComputeStack(FluxionStack):
    def __init__(self, scope: Construct, id_: str, *, config: EnvironmentConfig) -> None:
        super().__init__(scope, id_, config=config)
        cfg = config.compute
        network = read(NetworkOutputs, remote_state(self, config, "network"))
        data = read(DataOutputs, remote_state(self, config, "data"))
        cluster = EcsCluster(
            self,
            "cluster",
            name=cfg.cluster_name,
            setting=[EcsClusterSetting(name="containerInsights", value="enhanced")],
        )
        hardened = config.hardened
        repos = {
            name: Repository(self, f"{name}_repository", name=f"fluxion-{name}", immutable=hardened)
            for name in ("backend", "etl")
        }
        tag = cfg.image_tag
        logs = {
            name: CloudwatchLogGroup(
                self,
                f"{name}_logs",
                name=f"/ecs/fluxion-{name}",
                retention_in_days=config.log_retention(cfg.log_retention_days),
            )
            for name in ("backend", "etl")
        }
        backend_secrets = {
            "POSTGRES_USER": key(data.app_db_secret_arn, "username"),
            "POSTGRES_PASSWORD": key(data.app_db_secret_arn, "password"),
            "SENDGRID_API_KEY": key(data.production_secret_arn, "SENDGRID_API_KEY"),
        }
        etl_secrets = {
            "POSTGRES_USER": key(data.db_credentials_secret_arn, "username"),
            "POSTGRES_PASSWORD": key(data.db_credentials_secret_arn, "password"),
            "SQL_USER": key(data.sql_credentials_secret_arn, "username"),
            "SQL_PASSWORD": key(data.sql_credentials_secret_arn, "password"),
            "SENTRY_DSN": data.sentry_dsn_parameter_arn,
        }
        roles = EcsRoles(
            self,
            "roles",
            props=EcsRolesProps(
                repository_arns=[r.repository.arn for r in repos.values()],
                log_group_arns=[g.arn for g in logs.values()],
                secret_arns=[
                    data.app_db_secret_arn,
                    data.production_secret_arn,
                    data.db_credentials_secret_arn,
                    data.sql_credentials_secret_arn,
                ],
                parameter_arns=[data.sentry_dsn_parameter_arn],
                cluster_arn=cluster.arn,
                scheduled_task_families=sorted({s.task for s in cfg.schedules}),
                region=config.region,
                account_id=config.account_id,
            ),
        )
        database = {
            "ENVIRONMENT": config.name,
            "POSTGRES_PORT": Token.as_string(data.db_port),
            "POSTGRES_DB": data.db_name,
        }

        def task(id_: str, family: str, name: str, **kwargs: object) -> FargateTask:
            image = f"{repos[name].repository.repository_url}:{tag}"
            return FargateTask(
                self,
                id_,
                props=FargateTaskProps(
                    family=family,
                    container_name=name,
                    image=image,
                    execution_role_arn=roles.execution.arn,
                    log_group=logs[name].name,
                    region=config.region,
                    cpu=cfg.task_cpu,
                    memory=cfg.task_memory,
                    read_only_root=hardened,
                    **kwargs,  # type: ignore[arg-type]
                ),
            )

        backend = task(
            "backend_task",
            "FluxionBackendTask",
            "backend",
            task_role_arn=roles.backend_task.arn,
            port=BACKEND_PORT,
            environment=database
            | {
                "POSTGRES_HOST": data.replica_address,  # reads go to the replica
                "POSTGRES_HOST_PRIMARY": data.primary_address,
                "UVICORN_WORKERS": str(cfg.uvicorn_workers),
            },
            secrets=backend_secrets,
        )
        etl_env = database | {
            "ETL_ARGS": "--todas",
            "POSTGRES_HOST": data.primary_address,  # the ETL writes: primary only
            "SQL_ODBC_DRIVER": "ODBC Driver 17 for SQL Server",
            "VPN_GATEWAY_IP": cfg.vpn_gateway_ip,
            "ETL_TIMEOUT": str(cfg.etl_timeout_seconds),
        }
        etl_tasks = {
            family: task(
                id_,
                family,
                "etl",
                task_role_arn=roles.etl_task.arn,
                environment=etl_env | {"ETL_MODE": mode},
                secrets=etl_secrets,
            )
            for id_, (family, mode) in ETL_TASKS.items()
        }
        lb = LoadBalancer(
            self,
            "lb",
            props=LoadBalancerProps(
                name=cfg.alb_name,
                vpc_id=network.vpc_id,
                subnet_ids=network.public_subnet_ids,
                security_group_id=network.alb_security_group_id,
                target_port=BACKEND_PORT,
                deletion_protection=hardened,
                drop_invalid_header_fields=hardened,
                origin_verify_token=origin_verify_token(self, config),
            ),
        )
        service = BackendService(
            self,
            "backend_service",  # not "backend": that ID is the stack's S3 backend
            props=BackendServiceProps(
                name=cfg.service_name,
                cluster_arn=cluster.arn,
                task_definition=f"{backend.definition.family}:{backend.definition.revision}",
                subnet_ids=network.private_subnet_ids,
                security_group_ids=[network.backend_security_group_id],
                target_group_arn=lb.target_group.arn,
                container_name="backend",
                container_port=BACKEND_PORT,
                desired_count=cfg.desired_count,
            ),
        )
        for schedule in cfg.schedules:
            try:
                expression = to_eventbridge(schedule.unix_cron)
            except ConfigError as err:
                raise ConfigError(f"compute.schedules[{schedule.name}]: {err}") from None
            ScheduledFargateTask(
                self,
                schedule_key(schedule.name),
                props=ScheduledTaskProps(
                    rule_name=schedule.name,
                    schedule=expression,
                    cluster_arn=cluster.arn,
                    task_definition_arn=etl_tasks[schedule.task].definition.arn,
                    container_name="etl",
                    command=schedule.command,
                    subnet_ids=[network.etl_subnet_id],
                    security_group_ids=[network.etl_security_group_id],
                    role_arn=roles.events.arn,
                    enabled=schedule.enabled,
                ),
            )
        self.outputs = ComputeOutputs(
            alb_dns_name=lb.alb.dns_name,
            alb_zone_id=lb.alb.zone_id,
            cluster_name=cluster.name,
            service_name=service.service.name,
            backend_repository_url=repos["backend"].repository.repository_url,
            etl_repository_url=repos["etl"].repository.repository_url,
        )
        publish(self, self.outputs)
