"""CloudFront in front of the ALB: HTTPS for viewers; to the origin plain HTTP (as live) or
HTTPS to the public ALB, or HTTPS to an internal ALB through a CloudFront VPC origin (no public
origin to reach around the distribution, and no shared token in any state); nothing cached,
every header, cookie and query string forwarded."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from modules.static_site import no_geo_restriction, sni_certificate
from runtime.engine.aws.cloudfront_distribution import (
    CloudfrontDistribution,
    CloudfrontDistributionDefaultCacheBehavior,
    CloudfrontDistributionOrigin,
    CloudfrontDistributionOriginCustomOriginConfig,
    CloudfrontDistributionOriginVpcOriginConfig,
)
from runtime.engine.aws.cloudfront_vpc_origin import (
    CloudfrontVpcOrigin,
    CloudfrontVpcOriginVpcOriginEndpointConfig,
    CloudfrontVpcOriginVpcOriginEndpointConfigOriginSslProtocols,
)
from runtime.engine.aws.data_aws_cloudfront_cache_policy import DataAwsCloudfrontCachePolicy
from runtime.engine.aws.data_aws_cloudfront_origin_request_policy import (
    DataAwsCloudfrontOriginRequestPolicy,
)

ALL_METHODS = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]
ORIGIN_ID = "alb"


@dataclass(frozen=True)
class ApiDistributionProps:
    alias: str
    """The API's host name (`api.<domain>`), covered by the wildcard certificate."""
    origin_domain_name: str
    """The ALB's DNS name, from the compute stack's published outputs (never a literal)."""
    certificate_arn: str
    """ACM certificate in us-east-1 for `alias`."""
    origin_read_timeout_seconds: int
    """Seconds CloudFront waits for the ALB's first byte (60 is CloudFront's maximum without
    a quota increase)."""
    origin_https: bool = False
    """Reach the public ALB over HTTPS only (its certificate must cover `alias`, which
    CloudFront forwards as Host). Default: off, plain HTTP."""
    response_headers_policy_id: str | None = None
    """CloudFront response headers policy (e.g. the managed security headers). Default: none."""
    web_acl_arn: str | None = None
    """WAF web ACL (scope CLOUDFRONT, us-east-1) in front of the distribution. Default: none."""
    vpc_origin_alb_arn: str | None = None
    """An internal ALB to reach through a CloudFront VPC origin, over HTTPS only (its
    certificate must cover `alias`, which CloudFront forwards as Host). Default: none: the
    public ALB at `origin_domain_name`."""
    vpc_origin_name: str = "api"
    """The VPC origin's name (with `vpc_origin_alb_arn`). Default: `api`."""


class ApiDistribution(Construct):
    def __init__(self, scope: Construct, id_: str, *, props: ApiDistributionProps) -> None:
        super().__init__(scope, id_)
        # AWS managed policies, looked up by name rather than pasted as opaque IDs.
        no_cache = DataAwsCloudfrontCachePolicy(
            self, "caching_disabled", name="Managed-CachingDisabled"
        )
        all_viewer = DataAwsCloudfrontOriginRequestPolicy(
            self, "all_viewer", name="Managed-AllViewer"
        )
        vpc = self._vpc_origin(props) if props.vpc_origin_alb_arn else None
        self.distribution = CloudfrontDistribution(
            self,
            "distribution",
            enabled=True,
            is_ipv6_enabled=True,  # AWS CDK's default; the live distributions have it
            aliases=[props.alias],
            origin=[
                CloudfrontDistributionOrigin(
                    origin_id=ORIGIN_ID,
                    domain_name=props.origin_domain_name,
                    custom_origin_config=None
                    if vpc
                    else CloudfrontDistributionOriginCustomOriginConfig(
                        origin_protocol_policy="https-only" if props.origin_https else "http-only",
                        http_port=80,
                        https_port=443,
                        origin_ssl_protocols=["TLSv1.2"],
                        origin_read_timeout=props.origin_read_timeout_seconds,
                    ),
                    vpc_origin_config=CloudfrontDistributionOriginVpcOriginConfig(
                        vpc_origin_id=vpc.id,
                        origin_read_timeout=props.origin_read_timeout_seconds,
                    )
                    if vpc
                    else None,
                )
            ],
            default_cache_behavior=CloudfrontDistributionDefaultCacheBehavior(
                target_origin_id=ORIGIN_ID,
                viewer_protocol_policy="redirect-to-https",
                allowed_methods=ALL_METHODS,
                cached_methods=["GET", "HEAD"],
                compress=True,
                cache_policy_id=no_cache.id,
                origin_request_policy_id=all_viewer.id,
                response_headers_policy_id=props.response_headers_policy_id,
            ),
            restrictions=no_geo_restriction(),
            web_acl_id=props.web_acl_arn,
            viewer_certificate=sni_certificate(props.certificate_arn),
        )

    def _vpc_origin(self, props: ApiDistributionProps) -> CloudfrontVpcOrigin:
        """CloudFront's own network interfaces in the ALB's subnets (its service-linked role
        is the identity stack's), HTTPS only."""
        return CloudfrontVpcOrigin(
            self,
            "vpc_origin",
            vpc_origin_endpoint_config=[
                CloudfrontVpcOriginVpcOriginEndpointConfig(
                    name=props.vpc_origin_name,
                    arn=str(props.vpc_origin_alb_arn),
                    http_port=80,
                    https_port=443,
                    origin_protocol_policy="https-only",
                    origin_ssl_protocols=[
                        CloudfrontVpcOriginVpcOriginEndpointConfigOriginSslProtocols(
                            items=["TLSv1.2"], quantity=1
                        )
                    ],
                )
            ],
        )
