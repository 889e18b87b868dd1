"""edge: the wildcard certificate, the CloudFront distributions and their DNS records."""

from __future__ import annotations

from cdktf_cdktf_provider_aws.data_aws_cloudfront_cache_policy import DataAwsCloudfrontCachePolicy
from cdktf_cdktf_provider_aws.data_aws_cloudfront_response_headers_policy import (
    DataAwsCloudfrontResponseHeadersPolicy,
)
from cdktf_cdktf_provider_cloudflare.data_cloudflare_zone import (
    DataCloudflareZone,
    DataCloudflareZoneFilter,
)
from cdktf_cdktf_provider_cloudflare.dns_record import DnsRecord
from cdktf_cdktf_provider_cloudflare.provider import CloudflareProvider
from constructs import Construct

from config import EnvironmentConfig
from config.estate import site_bucket
from modules.api_distribution import ApiDistribution, ApiDistributionProps
from modules.certificate import AUTOMATIC_TTL, WildcardCertificate
from modules.load_balancer import ORIGIN_HEADER
from modules.static_site import StaticSite, StaticSiteProps
from stacks.base import FluxionStack, origin_verify_token
from stacks.contract import ComputeOutputs, EdgeOutputs, publish, read, remote_state


class EdgeStack(FluxionStack):
    def __init__(self, scope: Construct, id_: str, *, config: EnvironmentConfig) -> None:
        super().__init__(scope, id_, config=config)
        edge = config.edge
        # The API token comes from CLOUDFLARE_API_TOKEN in the environment, never from code.
        CloudflareProvider(self, "cloudflare")
        zone_id = (
            edge.cloudflare_zone_id
            or DataCloudflareZone(
                self, "zone", filter=DataCloudflareZoneFilter(name=config.domain)
            ).zone_id
        )
        compute = read(ComputeOutputs, remote_state(self, config, "compute"))
        cert = WildcardCertificate(
            self,
            "wildcard",
            domain=config.domain,
            zone_id=zone_id,
            provider=self.provider_in(edge.certificate_region),
        )
        cache = DataAwsCloudfrontCachePolicy(
            self, "caching_optimized", name="Managed-CachingOptimized"
        )
        headers_policy = None
        if config.hardened:  # AWS managed: HSTS, nosniff, frame-options, XSS, referrer
            headers_policy = DataAwsCloudfrontResponseHeadersPolicy(
                self, "security_headers", name="Managed-SecurityHeadersPolicy"
            ).id
        verify = origin_verify_token(self, config)
        sites = {
            site.key: StaticSite(
                self,
                site.key,
                props=StaticSiteProps(
                    bucket_name=site_bucket(site.bucket_prefix, config.account_id),
                    alias=f"{site.subdomain}.{config.domain}",
                    certificate_arn=cert.certificate.arn,
                    cache_policy_id=cache.id,
                    spa_routing=site.spa_routing,
                    response_headers_policy_id=headers_policy,
                ),
            )
            for site in edge.sites
        }
        api = ApiDistribution(
            self,
            "api",
            props=ApiDistributionProps(
                alias=f"{edge.api_subdomain}.{config.domain}",
                origin_domain_name=compute.alb_dns_name,
                certificate_arn=cert.certificate.arn,
                origin_read_timeout=edge.origin_read_timeout,
                response_headers_policy_id=headers_policy,
                origin_headers={ORIGIN_HEADER: verify} if verify else None,
            ),
        )
        targets = {site.subdomain: sites[site.key].distribution for site in edge.sites}
        targets[edge.api_subdomain] = api.distribution
        for subdomain, distribution in targets.items():
            DnsRecord(
                self,
                f"{subdomain}_record",
                zone_id=zone_id,
                name=f"{subdomain}.{config.domain}",
                type="CNAME",
                content=distribution.domain_name,
                ttl=AUTOMATIC_TTL,
                proxied=subdomain in edge.proxied,
            )
        self.outputs = EdgeOutputs(
            api_distribution_id=api.distribution.id,
            api_distribution_domain_name=api.distribution.domain_name,
            api_distribution_arn=api.distribution.arn,
            frontend_distribution_id=sites["frontend"].distribution.id,
            frontend_distribution_domain_name=sites["frontend"].distribution.domain_name,
            frontend_distribution_arn=sites["frontend"].distribution.arn,
            frontend_bucket_name=sites["frontend"].bucket.bucket.bucket,
            docs_distribution_id=sites["docs"].distribution.id,
            docs_distribution_domain_name=sites["docs"].distribution.domain_name,
            docs_distribution_arn=sites["docs"].distribution.arn,
            docs_bucket_name=sites["docs"].bucket.bucket.bucket,
            certificate_arn=cert.certificate.arn,
        )
        publish(self, self.outputs)
