"""A static site: private bucket + origin access control + CloudFront distribution + policy.

The bucket is readable only by its own distribution: the bucket policy allows
`cloudfront.amazonaws.com` to `s3:GetObject` only when the request comes from this
distribution's ARN (OAC signs the requests; no public access, no legacy OAI).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from constructs import Construct

from modules.private_bucket import (
    PrivateBucket,
    PrivateBucketProps,
    deny_insecure_transport,
)
from policies.document import policy_json
from runtime.engine.aws.cloudfront_distribution import (
    CloudfrontDistribution,
    CloudfrontDistributionCustomErrorResponse,
    CloudfrontDistributionDefaultCacheBehavior,
    CloudfrontDistributionOrigin,
    CloudfrontDistributionRestrictions,
    CloudfrontDistributionRestrictionsGeoRestriction,
    CloudfrontDistributionViewerCertificate,
)
from runtime.engine.aws.cloudfront_origin_access_control import (
    CloudfrontOriginAccessControl,
)
from runtime.engine.aws.s3_bucket_policy import S3BucketPolicy

MIN_TLS = "TLSv1.2_2021"
ORIGIN_ID = "s3"


@dataclass(frozen=True)
class StaticSiteProps:
    bucket_name: str
    """The site's private bucket (ForceNew)."""
    alias: str
    """The site's host name, covered by the wildcard certificate."""
    certificate_arn: str
    """ACM certificate in us-east-1 for `alias`."""
    cache_policy_id: str
    """CloudFront cache policy (AWS CDK's default for S3 origins: Managed-CachingOptimized)."""
    spa_routing: bool = False
    """Answer 403/404 with /index.html and 200, for client-side routes. Default: off."""
    default_root_object: str = "index.html"
    """Object served for `/`. Default: index.html."""
    bucket_settings: tuple[tuple[str, Any], ...] = ()
    """More `PrivateBucketProps` of the bucket (access logs, lifecycle). Default: none."""
    oac_name: str = ""
    """Name of the origin access control. Default: `<bucket>-oac`."""
    response_headers_policy_id: str | None = None
    """Security headers (HSTS, nosniff, frame options...) added to every response. Default:
    none (as live)."""
    web_acl_arn: str | None = None
    """WAF web ACL (scope CLOUDFRONT, us-east-1) in front of the distribution. Default: none
    (as live)."""


def no_geo_restriction() -> CloudfrontDistributionRestrictions:
    return CloudfrontDistributionRestrictions(
        geo_restriction=CloudfrontDistributionRestrictionsGeoRestriction(restriction_type="none")
    )


def sni_certificate(certificate_arn: str) -> CloudfrontDistributionViewerCertificate:
    """The wildcard certificate, served with SNI and a modern TLS minimum."""
    return CloudfrontDistributionViewerCertificate(
        acm_certificate_arn=certificate_arn,
        ssl_support_method="sni-only",
        minimum_protocol_version=MIN_TLS,
    )


class StaticSite(Construct):
    def __init__(self, scope: Construct, id_: str, *, props: StaticSiteProps) -> None:
        super().__init__(scope, id_)
        self.oac = CloudfrontOriginAccessControl(
            self,
            "oac",
            name=props.oac_name or f"{props.bucket_name}-oac",
            origin_access_control_origin_type="s3",
            signing_behavior="always",
            signing_protocol="sigv4",
        )
        self.bucket = PrivateBucket(
            self,
            "bucket",
            props=PrivateBucketProps(
                name=props.bucket_name, tls_only=False, **dict(props.bucket_settings)
            ),
        )
        self.distribution = self._distribution(props)
        self._bucket_policy()

    def _distribution(self, props: StaticSiteProps) -> CloudfrontDistribution:
        """HTTPS only, from the private bucket through the origin access control."""
        errors = [
            CloudfrontDistributionCustomErrorResponse(
                error_code=code, response_code=200, response_page_path="/index.html"
            )
            for code in (403, 404)
        ]
        return CloudfrontDistribution(
            self,
            "distribution",
            enabled=True,
            is_ipv6_enabled=True,  # AWS CDK's default; the live distributions have it
            aliases=[props.alias],
            default_root_object=props.default_root_object,
            origin=[
                CloudfrontDistributionOrigin(
                    origin_id=ORIGIN_ID,
                    domain_name=self.bucket.bucket.bucket_regional_domain_name,
                    origin_access_control_id=self.oac.id,
                )
            ],
            default_cache_behavior=CloudfrontDistributionDefaultCacheBehavior(
                target_origin_id=ORIGIN_ID,
                viewer_protocol_policy="redirect-to-https",
                allowed_methods=["GET", "HEAD"],
                cached_methods=["GET", "HEAD"],
                compress=True,
                cache_policy_id=props.cache_policy_id,
                response_headers_policy_id=props.response_headers_policy_id,
            ),
            custom_error_response=errors if props.spa_routing else None,
            restrictions=no_geo_restriction(),
            web_acl_id=props.web_acl_arn,
            viewer_certificate=sni_certificate(props.certificate_arn),
        )

    def _bucket_policy(self) -> None:
        """TLS only, and objects readable by this distribution alone."""
        bucket = self.bucket.bucket
        read_by_distribution = {
            "Sid": "AllowCloudFrontRead",
            "Effect": "Allow",
            "Principal": {"Service": "cloudfront.amazonaws.com"},
            "Action": "s3:GetObject",
            "Resource": f"{bucket.arn}/*",
            "Condition": {"StringEquals": {"AWS:SourceArn": self.distribution.arn}},
        }
        S3BucketPolicy(
            self,
            "policy",
            bucket=bucket.id,
            policy=policy_json(deny_insecure_transport(bucket.arn), read_by_distribution),
        )
