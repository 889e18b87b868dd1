"""compute: ECS cluster, the backend behind the ALB, scheduled ETL tasks (roles: `identity`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from constructs import Construct

from config import EnvironmentConfig
from config.cron import to_eventbridge
from config.estate import CONTAINERS, ETL_TASKS, schedule_key
from modules.backend_service import BackendService, BackendServiceProps
from modules.certificate import WildcardCertificate, WildcardCertificateProps
from modules.ecr import Repository, RepositoryProps
from modules.fargate_task import FargateTask, FargateTaskProps
from modules.load_balancer import LoadBalancer, LoadBalancerProps
from modules.scheduled_task import ScheduledFargateTask, ScheduledTaskProps
from runtime.engine.aws.cloudwatch_log_group import CloudwatchLogGroup
from runtime.engine.aws.ecs_cluster import EcsCluster, EcsClusterSetting
from runtime.engine.core import Token
from stacks.base import FluxionStack, cloudflare_zone
from stacks.contract import (
    ComputeOutputs,
    DataOutputs,
    IdentityOutputs,
    NetworkOutputs,
    publish,
    read,
    remote_state,
)


def key(secret_arn: str, json_key: str) -> str:
    """`valueFrom` for one JSON key of a Secrets Manager secret."""
    return f"{secret_arn}:{json_key}::"


@dataclass(frozen=True)
class Container:
    """What differs between the stack's task definitions (the rest is the stack's)."""

    image: str
    """`backend` or `etl`: the repository and the log group."""
    task_role_arn: str
    environment: dict[str, str]
    secrets: dict[str, str]
    port: int | None = None


class ComputeStack(FluxionStack):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: EnvironmentConfig,
        live: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id_, config=config, live=live)
        network = read(NetworkOutputs, remote_state(self, config, "network"))
        data = read(DataOutputs, remote_state(self, config, "data"))
        # The workload roles are the identity stack's (people apply it): this stack passes them.
        self.roles = read(IdentityOutputs, remote_state(self, config, "identity"))
        cluster = EcsCluster(
            self,
            "cluster",
            name=config.compute.cluster_name,
            setting=[EcsClusterSetting(name="containerInsights", value="enhanced")],
        )
        self.repositories = {
            name: Repository(
                self,
                f"{name}_repository",
                props=RepositoryProps(
                    name=config.names.repository(name), immutable=config.hardening.immutable_images
                ),
            )
            for name in CONTAINERS
        }
        self.logs = {
            name: CloudwatchLogGroup(
                self,
                f"{name}_logs",
                name=config.names.log_group(name),
                retention_in_days=config.log_retention(config.compute.log_retention_days),
            )
            for name in CONTAINERS
        }
        backend = self._task("backend_task", config.names.backend_family, self._backend(data))
        etl = {  # by the live family (schedules name it), named for the environment
            family: self._task(id_, config.names(family), self._etl(data, mode))
            for id_, (family, mode) in ETL_TASKS.items()
        }
        lb = self._load_balancer(network)
        service = self._service(cluster.arn, backend, lb, network)
        schedules = self._schedules(cluster.arn, etl, network)
        self.outputs = ComputeOutputs(
            alb_dns_name=lb.alb.dns_name,
            alb_arn=lb.alb.arn,
            alb_zone_id=lb.alb.zone_id,
            cluster_name=cluster.name,
            service_name=service.service.name,
            backend_repository_url=self.repositories["backend"].repository.repository_url,
            etl_repository_url=self.repositories["etl"].repository.repository_url,
            alb_arn_suffix=lb.alb.arn_suffix,
            target_group_arn_suffix=lb.target_group.arn_suffix,
            schedule_rule_names=[task.rule.name for task in schedules],
        )
        publish(self, self.outputs, config)

    def _database(self, data: DataOutputs) -> dict[str, str]:
        return {
            "ENVIRONMENT": self.config.name,
            "POSTGRES_PORT": Token.as_string(data.db_port),
            "POSTGRES_DB": data.db_name,
        }

    def _backend(self, data: DataOutputs) -> Container:
        """The API: reads go to the replica, credentials from the app's secret."""
        return Container(
            image="backend",
            task_role_arn=self.roles.backend_task_role_arn,
            port=self.config.compute.backend_port,
            environment=self._database(data)
            | {
                "POSTGRES_HOST": data.replica_address,  # reads go to the replica
                "POSTGRES_HOST_PRIMARY": data.primary_address,
                "UVICORN_WORKERS": str(self.config.compute.uvicorn_workers),
            },
            secrets={
                "POSTGRES_USER": key(data.app_db_secret_arn, "username"),
                "POSTGRES_PASSWORD": key(data.app_db_secret_arn, "password"),
                "SENDGRID_API_KEY": key(data.production_secret_arn, "SENDGRID_API_KEY"),
            },
        )

    def _etl(self, data: DataOutputs, mode: str) -> Container:
        """An ETL task: writes to the primary, reads La Granja's SQL Server over the VPN."""
        cfg = self.config.compute
        return Container(
            image="etl",
            task_role_arn=self.roles.etl_task_role_arn,
            environment=self._database(data)
            | {
                "ETL_ARGS": "--todas",
                "POSTGRES_HOST": data.primary_address,  # the ETL writes: primary only
                "SQL_ODBC_DRIVER": "ODBC Driver 17 for SQL Server",
                "VPN_GATEWAY_IP": cfg.vpn_gateway_ip,
                "ETL_TIMEOUT": str(cfg.etl_timeout_seconds),
                "ETL_MODE": mode,
            },
            secrets={
                "POSTGRES_USER": key(data.db_credentials_secret_arn, "username"),
                "POSTGRES_PASSWORD": key(data.db_credentials_secret_arn, "password"),
                "SQL_USER": key(data.sql_credentials_secret_arn, "username"),
                "SQL_PASSWORD": key(data.sql_credentials_secret_arn, "password"),
                "SENTRY_DSN": data.sentry_dsn_parameter_arn,
            },
        )

    def _task(self, id_: str, family: str, container: Container) -> FargateTask:
        """A task definition running `container` with the stack's size, role and logs."""
        cfg = self.config.compute
        repository = self.repositories[container.image].repository
        return FargateTask(
            self,
            id_,
            props=FargateTaskProps(
                family=family,
                container_name=container.image,
                image=f"{repository.repository_url}:{cfg.image_tag}",
                execution_role_arn=(
                    self.roles.execution_role_arn
                    if container.image == "backend"
                    else self.roles.etl_execution_role_arn
                ),
                task_role_arn=container.task_role_arn,
                log_group=self.logs[container.image].name,
                region=self.config.region,
                cpu_units=cfg.task_cpu_units,
                memory_mib=cfg.task_memory_mib,
                port=container.port,
                environment=container.environment,
                secrets=container.secrets,
                read_only_root=self.config.hardening.read_only_root,
            ),
        )

    def _origin_certificate(self) -> str:
        """`https_origin`: a regional certificate for the API's host name, which CloudFront
        forwards as Host and checks the ALB's certificate against (https-only origin)."""
        config = self.config
        return WildcardCertificate(
            self,
            "origin_certificate",
            props=WildcardCertificateProps(
                domain=config.domain,
                zone_id=cloudflare_zone(self),
                host=f"{config.edge.api_subdomain}.{config.domain}",
                wait_until_issued=True,
            ),
        ).arn

    def _load_balancer(self, network: NetworkOutputs) -> LoadBalancer:
        cfg, switch = self.config.compute, self.config.hardening
        internal = switch.internal_origin  # behind CloudFront's VPC origin: no public origin
        return LoadBalancer(
            self,
            "lb",
            props=LoadBalancerProps(
                name=cfg.alb_name,
                vpc_id=network.vpc_id,
                subnet_ids=network.private_subnet_ids if internal else network.public_subnet_ids,
                internal=internal,
                security_group_id=network.alb_security_group_id,
                target_port=cfg.backend_port,
                idle_timeout_seconds=cfg.alb_idle_timeout_seconds,
                health_check_path=cfg.health_check_path,
                health_check_interval_seconds=cfg.health_check_interval_seconds,
                healthy_threshold=cfg.healthy_threshold,
                unhealthy_threshold=cfg.unhealthy_threshold,
                deregistration_delay_seconds=cfg.deregistration_delay_seconds,
                deletion_protection=switch.deletion_protection,
                drop_invalid_header_fields=switch.drop_invalid_headers,
                certificate_arn=self._origin_certificate() if switch.https_origin else None,
                redirect_http=internal,
                access_log_bucket=self.config.log_bucket if switch.alb_access_logs else None,
            ),
        )

    def _service(
        self, cluster_arn: str, backend: FargateTask, lb: LoadBalancer, network: NetworkOutputs
    ) -> BackendService:
        cfg = self.config.compute
        return BackendService(
            self,
            "backend_service",  # not "backend": that ID is the stack's S3 backend
            props=BackendServiceProps(
                name=cfg.service_name,
                cluster_arn=cluster_arn,
                task_definition=f"{backend.definition.family}:{backend.definition.revision}",
                subnet_ids=network.private_subnet_ids,
                security_group_ids=[network.backend_security_group_id],
                target_group_arn=lb.target_group.arn,
                container_name="backend",
                container_port=cfg.backend_port,
                desired_count=cfg.desired_count,
                health_check_grace_seconds=cfg.health_check_grace_seconds,
            ),
        )

    def _schedules(
        self, cluster_arn: str, etl: dict[str, FargateTask], network: NetworkOutputs
    ) -> list[ScheduledFargateTask]:
        """One EventBridge rule per configured schedule, in the ETL subnet and group (in
        config order: the monitoring stack's alarm reads their names by position)."""
        return [
            ScheduledFargateTask(
                self,
                schedule_key(schedule.name),
                props=ScheduledTaskProps(
                    rule_name=self.config.names(schedule.name),
                    schedule=to_eventbridge(schedule.unix_cron),  # validated at load
                    cluster_arn=cluster_arn,
                    task_definition_arn=etl[schedule.task].definition.arn,
                    container_name="etl",
                    command=schedule.command,
                    subnet_ids=[network.etl_subnet_id],
                    security_group_ids=[network.etl_security_group_id],
                    role_arn=self.roles.events_role_arn,
                    enabled=schedule.enabled,
                ),
            )
            for schedule in self.config.compute.schedules
        ]
