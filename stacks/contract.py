"""The explicit cross-stack contract.

A producer stack fills one of the `*Outputs` dataclasses with its own tokens and `publish()`es
it: one `TerraformOutput` per field, named exactly as the field, with the field's description.
A consumer gets the same dataclass back from `read()`, whose values come from the producer's
remote state. Field names are the contract: renaming one breaks every consumer's plan, so
`tests/test_contract.py` pins them. cdktf's automatic `cross-stack-output-*` outputs are never
created because no token crosses a stack boundary.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, field, fields
from typing import Any, TypeVar

from config import EnvironmentConfig
from config.estate import Names
from runtime.engine.core import DataTerraformRemoteStateS3, TerraformOutput, TerraformStack

T = TypeVar("T")


def out(description: str) -> Any:
    """A contract field with its output description: a `str.format` template whose names
    (`{azs}`, `{secrets[production]}`...) `publish` fills from the environment's config, so no
    description names a region, an AZ or a resource the config could name otherwise."""
    return field(metadata={"description": description})


def describe(config: EnvironmentConfig) -> dict[str, Any]:
    """The names an output description may use, from `config` and `config.estate`."""
    sites = {site.key: site.subdomain for site in config.edge.sites}
    return {
        "vpc": config.network.vpc_name,
        "azs": ", ".join(config.network.azs),
        "etl_az": config.network.etl_az,
        "secrets": config.names.secrets,
        "app_db_secret": config.names.app_db_secret,
        "sentry_dsn": config.names.sentry_dsn,
        "backup_bucket": Names(config.name_prefix, "<account>").backup_bucket(),
        "alb": config.compute.alb_name,
        "api": config.edge.api_subdomain,
        "frontend": sites["frontend"],
        "docs": sites["docs"],
        "certificate_region": config.edge.certificate_region,
    }


@dataclass(frozen=True)
class NetworkOutputs:
    vpc_id: str = out("ID of the {vpc} VPC")
    public_subnet_ids: list[str] = out("Public subnet IDs, in AZ order ({azs})")
    private_subnet_ids: list[str] = out("Private subnet IDs, in AZ order ({azs})")
    etl_subnet_id: str = out("Private subnet where scheduled ETL tasks run ({etl_az})")
    alb_security_group_id: str = out("Security group of the ALB")
    backend_security_group_id: str = out("Security group of the backend ECS service")
    etl_security_group_id: str = out("Security group of the scheduled ETL tasks")
    rds_security_group_id: str = out("Security group of the RDS instances")
    wireguard_security_group_id: str = out("Security group of the WireGuard bridge")
    wireguard_eni_id: str = out("Primary network interface of the WireGuard bridge")
    wireguard_instance_id: str = out("Instance ID of the WireGuard bridge (empty without one)")
    nat_gateway_id: str = out("The NAT gateway of the private subnets")


@dataclass(frozen=True)
class StateOutputs:
    state_bucket_name: str = out("S3 bucket holding every workload stack's Terraform state")
    log_bucket_name: str = out("S3 bucket receiving the access logs (state bucket, ALB, CDN)")
    github_oidc_provider_arn: str = out("IAM OIDC provider of GitHub Actions")
    ci_plan_role_arn: str = out("Role pull requests assume to plan (configuration reads, states)")
    ci_apply_network_role_arn: str = out("Role the `network` environment assumes to apply")
    ci_apply_data_role_arn: str = out("Role the `data` environment assumes to apply")
    ci_apply_compute_role_arn: str = out("Role the `compute` environment assumes to apply")
    ci_apply_edge_role_arn: str = out("Role the `edge` environment assumes to apply")
    ci_release_role_arn: str = out("Role the app repository's `release` environment assumes")


@dataclass(frozen=True)
class IdentityOutputs:
    bridge_instance_profile_name: str = out("Instance profile of the WireGuard bridge")
    flow_logs_role_arn: str = out("Role VPC Flow Logs delivers with (`hardened`; empty in `adopt`)")
    execution_role_arn: str = out("ECS execution role of the backend (`adopt`: every family)")
    etl_execution_role_arn: str = out("ECS execution role of the ETL families")
    backend_task_role_arn: str = out("Role the backend's containers run with")
    etl_task_role_arn: str = out("Role the ETL's containers run with")
    events_role_arn: str = out("Role EventBridge runs the scheduled ETL tasks with")


@dataclass(frozen=True)
class DataOutputs:
    db_subnet_group_name: str = out("DB subnet group of the RDS instances (private subnets)")
    postgres_credentials_secret_arn: str = out("ARN of {secrets[postgres_credentials]}")
    sql_credentials_secret_arn: str = out(
        "ARN of {secrets[sql_credentials]} (La Granja SQL Server)"
    )
    wireguard_config_secret_arn: str = out("ARN of {secrets[wireguard_config]}")
    production_secret_arn: str = out("ARN of {secrets[production]} (SendGrid, e-mail)")
    db_credentials_secret_arn: str = out("ARN of {secrets[db_credentials]} (ETL)")
    primary_endpoint: str = out("host:port of the primary (writes: ETL)")
    primary_address: str = out("Host name of the primary")
    replica_endpoint: str = out("host:port of the read replica (reads: backend)")
    replica_address: str = out("Host name of the read replica")
    db_port: float = out("PostgreSQL port")
    db_name: str = out("Database name")
    sentry_dsn_parameter_arn: str = out("ARN of the SSM parameter {sentry_dsn}")
    app_db_secret_arn: str = out(
        "Secret with the PostgreSQL username/password the backend uses ({secrets[postgres_"
        "credentials]}; in `hardened` its own user's, {app_db_secret})"
    )
    backup_bucket_name: str = out("Bucket for database backups ({backup_bucket})")
    primary_identifier: str = out("DB instance identifier of the primary")
    replica_identifier: str = out(
        "DB instance identifier of the replica (without one: the primary)"
    )


@dataclass(frozen=True)
class ComputeOutputs:
    alb_dns_name: str = out("DNS name of the {alb} load balancer (the API origin)")
    alb_arn: str = out("ARN of the {alb} load balancer (`hardened`: CloudFront's VPC origin)")
    alb_zone_id: str = out("Route 53 hosted zone ID of the ALB")
    cluster_name: str = out("Name of the ECS cluster")
    service_name: str = out("Name of the backend ECS service")
    backend_repository_url: str = out("ECR repository URL of the backend image")
    etl_repository_url: str = out("ECR repository URL of the ETL image")
    alb_arn_suffix: str = out("The ALB's ARN suffix (CloudWatch's `LoadBalancer` dimension)")
    target_group_arn_suffix: str = out("The backend target group's ARN suffix (`TargetGroup`)")
    schedule_rule_names: list[str] = out("The ETL schedules' EventBridge rules, in config order")


@dataclass(frozen=True)
class EdgeOutputs:
    api_distribution_id: str = out("ID of the API CloudFront distribution ({api}.<domain>)")
    api_distribution_domain_name: str = out("cloudfront.net domain of the API distribution")
    api_distribution_arn: str = out("ARN of the API CloudFront distribution")
    frontend_distribution_id: str = out("ID of the frontend distribution ({frontend}.<domain>)")
    frontend_distribution_domain_name: str = out("cloudfront.net domain of the frontend")
    frontend_distribution_arn: str = out("ARN of the frontend distribution")
    frontend_bucket_name: str = out("Bucket the pipeline syncs the React build into")
    docs_distribution_id: str = out("ID of the docs distribution ({docs}.<domain>)")
    docs_distribution_domain_name: str = out("cloudfront.net domain of the docs")
    docs_distribution_arn: str = out("ARN of the docs distribution")
    docs_bucket_name: str = out("Bucket the pipeline syncs the Docusaurus build into")
    certificate_arn: str = out("ARN of the wildcard ACM certificate ({certificate_region})")


def publish(stack: TerraformStack, outputs: object, config: EnvironmentConfig) -> None:
    """One TerraformOutput per contract field, named as the field, described for `config`."""
    names = describe(config)
    for f in fields(outputs):  # type: ignore[arg-type]
        description = f.metadata["description"].format(**names)
        TerraformOutput(stack, f.name, value=getattr(outputs, f.name), description=description)


def remote_state(
    stack: TerraformStack, config: EnvironmentConfig, producer: str
) -> DataTerraformRemoteStateS3:
    """The producer stack's state, read from the same bucket and key its backend writes."""
    return DataTerraformRemoteStateS3(
        stack,
        producer,
        bucket=config.state_bucket,
        key=config.state_key(producer),
        region=config.region,
        encrypt=True,
    )


def read(cls: type[T], state: DataTerraformRemoteStateS3) -> T:
    """The producer's published outputs as the same typed dataclass."""
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for f in fields(cls):  # type: ignore[arg-type]
        kind = hints[f.name]
        if kind == list[str]:
            values[f.name] = state.get_list(f.name)
        elif kind in (int, float):
            values[f.name] = state.get_number(f.name)
        else:
            values[f.name] = state.get_string(f.name)
    return cls(**values)
