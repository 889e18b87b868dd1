"""CloudFront standard logs (v2): each distribution's access logs delivered by CloudWatch Logs
into the log bucket, under `cloudfront/` (no bucket ACLs needed, unlike the legacy logs)."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from modules.log_bucket import CLOUDFRONT_LOG_PREFIX
from runtime.engine.aws.cloudwatch_log_delivery import CloudwatchLogDelivery
from runtime.engine.aws.cloudwatch_log_delivery_destination import (
    CloudwatchLogDeliveryDestination,
    CloudwatchLogDeliveryDestinationDeliveryDestinationConfiguration,
)
from runtime.engine.aws.cloudwatch_log_delivery_source import CloudwatchLogDeliverySource
from runtime.engine.core import TerraformProvider


@dataclass(frozen=True)
class DistributionLogsProps:
    name: str
    """Prefix of the delivery source and destination names (`<name>-<key>`)."""
    distribution_arns: dict[str, str]
    """Key (site or `api`) -> distribution ARN."""
    log_bucket: str
    """The log bucket's name; its policy lets `delivery.logs.amazonaws.com` write under
    `cloudfront/`."""
    provider: TerraformProvider | None = None
    """The AWS provider of us-east-1, where CloudFront's delivery sources live. Default: the
    stack's own (when the stack is in us-east-1)."""


class DistributionLogs(Construct):
    def __init__(self, scope: Construct, id_: str, *, props: DistributionLogsProps) -> None:
        super().__init__(scope, id_)
        destination = CloudwatchLogDeliveryDestination(
            self,
            "bucket",
            name=f"{props.name}-s3",
            output_format="parquet",
            delivery_destination_configuration=[
                CloudwatchLogDeliveryDestinationDeliveryDestinationConfiguration(
                    destination_resource_arn=(
                        f"arn:aws:s3:::{props.log_bucket}/{CLOUDFRONT_LOG_PREFIX}"
                    )
                )
            ],
            provider=props.provider,
        )
        for key, arn in props.distribution_arns.items():
            source = CloudwatchLogDeliverySource(
                self,
                f"{key}_source",
                name=f"{props.name}-{key}",
                log_type="ACCESS_LOGS",
                resource_arn=arn,
                provider=props.provider,
            )
            CloudwatchLogDelivery(
                self,
                f"{key}_delivery",
                delivery_source_name=source.name,
                delivery_destination_arn=destination.arn,
                provider=props.provider,
            )
