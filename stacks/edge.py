"""edge: the wildcard certificate, the CloudFront distributions and their DNS records."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from constructs import Construct

from config import EnvironmentConfig
from config.estate import new_resource_name, site_bucket
from modules.api_distribution import ApiDistribution, ApiDistributionProps
from modules.cdn_logs import DistributionLogs, DistributionLogsProps
from modules.certificate import AUTOMATIC_TTL, WildcardCertificate, WildcardCertificateProps
from modules.static_site import StaticSite, StaticSiteProps
from modules.waf import EdgeFirewall, EdgeFirewallProps
from runtime.engine.aws.cloudfront_distribution import CloudfrontDistribution
from runtime.engine.aws.data_aws_cloudfront_cache_policy import DataAwsCloudfrontCachePolicy
from runtime.engine.aws.data_aws_cloudfront_response_headers_policy import (
    DataAwsCloudfrontResponseHeadersPolicy,
)
from runtime.engine.cloudflare.dns_record import DnsRecord
from stacks.base import FluxionStack, cloudflare_zone
from stacks.contract import ComputeOutputs, EdgeOutputs, publish, read, remote_state


class EdgeStack(FluxionStack):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: EnvironmentConfig,
        live: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id_, config=config, live=live)
        edge = config.edge
        zone_id = cloudflare_zone(self)
        compute = read(ComputeOutputs, remote_state(self, config, "compute"))
        cert = WildcardCertificate(
            self,
            "wildcard",
            props=WildcardCertificateProps(
                domain=config.domain,
                zone_id=zone_id,
                provider=self.provider_in(edge.certificate_region),
            ),
        )
        cache = DataAwsCloudfrontCachePolicy(
            self, "caching_optimized", name="Managed-CachingOptimized"
        )
        headers_policy = web_acl = None
        if config.hardening.security_headers:  # AWS managed: HSTS, nosniff, frame-options...
            headers_policy = DataAwsCloudfrontResponseHeadersPolicy(
                self, "security_headers", name="Managed-SecurityHeadersPolicy"
            ).id
        if config.hardening.web_acl:
            web_acl = self._firewall()
        distribution = _Distribution(cert.certificate.arn, cache.id, headers_policy, web_acl)
        sites = self._sites(distribution)
        api = self._api(distribution, compute)
        targets = {site.subdomain: sites[site.key].distribution for site in edge.sites}
        targets[edge.api_subdomain] = api.distribution
        self._records(zone_id, targets)
        if config.hardening.distribution_logs:
            self._access_logs(
                {key: s.distribution.arn for key, s in sites.items()}
                | {"api": api.distribution.arn}
            )
        frontend, docs = sites["frontend"], sites["docs"]  # CONTRACT_SITES: config checks them
        self.outputs = EdgeOutputs(
            api_distribution_id=api.distribution.id,
            api_distribution_domain_name=api.distribution.domain_name,
            api_distribution_arn=api.distribution.arn,
            frontend_distribution_id=frontend.distribution.id,
            frontend_distribution_domain_name=frontend.distribution.domain_name,
            frontend_distribution_arn=frontend.distribution.arn,
            frontend_bucket_name=frontend.bucket.bucket.bucket,
            docs_distribution_id=docs.distribution.id,
            docs_distribution_domain_name=docs.distribution.domain_name,
            docs_distribution_arn=docs.distribution.arn,
            docs_bucket_name=docs.bucket.bucket.bucket,
            certificate_arn=cert.certificate.arn,
        )
        publish(self, self.outputs, config)

    def _firewall(self) -> str:
        """One web ACL of AWS managed rule groups for every distribution, counting until
        `waf_enforce` (docs/profiles.md says why count comes first)."""
        config = self.config
        return EdgeFirewall(
            self,
            "firewall",
            props=EdgeFirewallProps(
                name=new_resource_name(config.name, "edge"),
                log_retention_days=config.hardening.log_retention_days,
                enforce=config.hardening.waf_enforce,
                provider=self.provider_in(config.edge.certificate_region),
            ),
        ).arn

    def _access_logs(self, distribution_arns: dict[str, str]) -> None:
        """Every distribution's standard logs into the log bucket."""
        DistributionLogs(
            self,
            "access_logs",
            props=DistributionLogsProps(
                name=new_resource_name(self.config.name, "cdn"),
                distribution_arns=distribution_arns,
                log_bucket=self.config.log_bucket,
                provider=self.provider_in(self.config.edge.certificate_region),
            ),
        )

    def _sites(self, distribution: _Distribution) -> dict[str, StaticSite]:
        """One private bucket and distribution per configured site, by site key."""
        return {
            site.key: StaticSite(
                self,
                site.key,
                props=StaticSiteProps(
                    bucket_name=site_bucket(site.bucket_prefix, self.config.account_id),
                    bucket_settings=tuple(self.fresh_bucket_settings().items()),
                    alias=f"{site.subdomain}.{self.config.domain}",
                    certificate_arn=distribution.certificate_arn,
                    cache_policy_id=distribution.cache_policy_id,
                    spa_routing=site.spa_routing,
                    response_headers_policy_id=distribution.response_headers_policy_id,
                    web_acl_arn=distribution.web_acl_arn,
                ),
            )
            for site in self.config.edge.sites
        }

    def _api(self, distribution: _Distribution, compute: ComputeOutputs) -> ApiDistribution:
        """The API's distribution in front of the ALB (`https_origin`: over HTTPS;
        `internal_origin`: the internal ALB through a VPC origin)."""
        edge, switch = self.config.edge, self.config.hardening
        return ApiDistribution(
            self,
            "api",
            props=ApiDistributionProps(
                alias=f"{edge.api_subdomain}.{self.config.domain}",
                origin_domain_name=compute.alb_dns_name,
                certificate_arn=distribution.certificate_arn,
                origin_read_timeout_seconds=edge.origin_read_timeout_seconds,
                response_headers_policy_id=distribution.response_headers_policy_id,
                web_acl_arn=distribution.web_acl_arn,
                origin_https=switch.https_origin,
                vpc_origin_alb_arn=compute.alb_arn if switch.internal_origin else None,
                vpc_origin_name=new_resource_name(self.config.name, "api"),
            ),
        )

    def _records(self, zone_id: str, targets: dict[str, CloudfrontDistribution]) -> None:
        """A Cloudflare CNAME per subdomain to its distribution."""
        for subdomain, distribution in targets.items():
            DnsRecord(
                self,
                f"{subdomain}_record",
                zone_id=zone_id,
                name=f"{subdomain}.{self.config.domain}",
                type="CNAME",
                content=distribution.domain_name,
                ttl=AUTOMATIC_TTL,
                proxied=subdomain in self.config.edge.proxied,
            )


@dataclass(frozen=True)
class _Distribution:
    """What every distribution of the stack shares."""

    certificate_arn: str
    cache_policy_id: str
    response_headers_policy_id: str | None
    web_acl_arn: str | None
