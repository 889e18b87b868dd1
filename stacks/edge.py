"""edge: the wildcard certificate, the CloudFront distributions and their DNS records."""

from __future__ import annotations

from cdktf_cdktf_provider_aws.acm_certificate import AcmCertificate
from constructs import Construct

from config import ConfigError, EnvironmentConfig
from modules.api_distribution import ApiDistribution, ApiDistributionProps
from stacks.base import FluxionStack
from stacks.contract import ComputeOutputs, EdgeOutputs, publish, read, remote_state

CLOUDFRONT_CERT_REGION = "us-east-1"


class EdgeStack(FluxionStack):
    def __init__(self, scope: Construct, id_: str, *, config: EnvironmentConfig) -> None:
        if config.region != CLOUDFRONT_CERT_REGION:
            raise ConfigError(
                f"region: {config.region!r}; CloudFront only accepts certificates from "
                f"{CLOUDFRONT_CERT_REGION}"
            )
        super().__init__(scope, id_, config=config)
        compute = read(ComputeOutputs, remote_state(self, config, "compute"))
        certificate = AcmCertificate(
            self, "certificate", domain_name=f"*.{config.domain}", validation_method="DNS"
        )
        api = ApiDistribution(
            self,
            "api",
            props=ApiDistributionProps(
                alias=f"api.{config.domain}",
                origin_domain_name=compute.alb_dns_name,
                certificate_arn=certificate.arn,
            ),
        )
        self.outputs = EdgeOutputs(
            api_distribution_id=api.distribution.id,
            api_distribution_domain_name=api.distribution.domain_name,
            api_distribution_arn=api.distribution.arn,
            certificate_arn=certificate.arn,
        )
        publish(self, self.outputs)
