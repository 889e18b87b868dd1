"""The edge step's part of the world: the certificate, the site buckets, the distributions."""

from __future__ import annotations

from typing import Any

from config import EnvironmentConfig
from tests.world.data import protect


def edge(client: Any, env: EnvironmentConfig, ids: dict[str, str]) -> None:
    s3, cf, account = client("s3"), client("cloudfront"), env.account_id
    cert = client("acm").request_certificate(DomainName=f"*.{env.domain}", ValidationMethod="DNS")
    ids["wildcard/certificate"] = cert["CertificateArn"]
    sites: list[tuple[str, str, str | None]] = [
        (s.key, s.subdomain, s.bucket_prefix) for s in env.edge.sites
    ]
    for site, subdomain, prefix in [*sites, ("api", env.edge.api_subdomain, None)]:
        origin: dict[str, Any] = {
            "Id": "origin",
            "DomainName": "fluxion-alb.example.test",
            "CustomOriginConfig": {
                "HTTPPort": 80,
                "HTTPSPort": 443,
                "OriginProtocolPolicy": "http-only",
            },
        }
        if prefix:
            bucket = f"{prefix}-{account}"
            s3.create_bucket(Bucket=bucket)
            protect(s3, bucket)
            ids.update(
                {
                    f"{site}/bucket/bucket": bucket,
                    f"{site}/bucket/public_access": bucket,
                    f"{site}/bucket/encryption": bucket,
                    f"{site}/policy": bucket,
                }
            )
            oac = cf.create_origin_access_control(
                OriginAccessControlConfig={
                    "Name": f"{site}-oac",
                    "SigningProtocol": "sigv4",
                    "SigningBehavior": "always",
                    "OriginAccessControlOriginType": "s3",
                }
            )["OriginAccessControl"]["Id"]
            ids[f"{site}/oac"] = oac
            origin = {
                "Id": "origin",
                "DomainName": f"{bucket}.s3.{env.region}.amazonaws.com",
                "S3OriginConfig": {"OriginAccessIdentity": ""},
                "OriginAccessControlId": oac,
            }
        dist = cf.create_distribution(
            DistributionConfig={
                "CallerReference": site,
                "Comment": site,
                "Enabled": True,
                "Aliases": {"Quantity": 1, "Items": [f"{subdomain}.{env.domain}"]},
                "Origins": {"Quantity": 1, "Items": [origin]},
                "DefaultCacheBehavior": {
                    "TargetOriginId": "origin",
                    "ViewerProtocolPolicy": "redirect-to-https",
                    "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
                },
            }
        )["Distribution"]["Id"]
        ids[f"{site}/distribution"] = dist
