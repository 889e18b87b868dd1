"""CloudFront distributions and their OACs, the ACM certificate, site buckets."""

from __future__ import annotations

from typing import Any

from config.estate import site_bucket
from imports.resolve.context import ResolveContext
from imports.resolve.shared import bucket


def _distributions(ctx: ResolveContext) -> dict[str, dict[str, Any]]:
    """Distribution summaries keyed by alias."""
    by_alias: dict[str, dict[str, Any]] = {}
    paginator = ctx.client("cloudfront").get_paginator("list_distributions")
    for page in paginator.paginate():
        for item in page.get("DistributionList", {}).get("Items", []):
            for alias in item.get("Aliases", {}).get("Items", []):
                by_alias[alias] = item
    return by_alias


def resolve(ctx: ResolveContext) -> None:
    _distribution_entries(ctx)
    for site in ctx.env.edge.sites:
        bucket(
            ctx,
            "edge",
            f"{site.key}/bucket",
            site_bucket(site.bucket_prefix, ctx.env.account_id),
            managed=True,
            policy_path=f"{site.key}/policy",
        )
    _certificate(ctx)


def _distribution_entries(ctx: ResolveContext) -> None:
    """Each site's and the API's distribution (by alias) and the sites' OACs."""
    env, edge = ctx.env, ctx.env.edge
    by_alias = _distributions(ctx)
    sites = [(s.key, s.subdomain) for s in edge.sites] + [("api", edge.api_subdomain)]
    for key, subdomain in sites:
        alias = f"{subdomain}.{env.domain}"
        item = by_alias.get(alias)
        if item is None:
            ctx.note(f"edge: no distribution has the alias {alias}")
            continue
        ctx.add(
            "edge",
            f"{key}/distribution",
            "aws_cloudfront_distribution",
            item["Id"],
            f"cloudfront.list_distributions alias {alias}",
            aliases=sorted(item["Aliases"]["Items"]),
        )
        ctx.facts.setdefault("distribution_domains", {})[subdomain] = item["DomainName"]
        config = ctx.client("cloudfront").get_distribution_config(Id=item["Id"])
        origins = config["DistributionConfig"]["Origins"]["Items"]
        oacs = {o.get("OriginAccessControlId") for o in origins} - {None, ""}
        if key != "api" and len(oacs) == 1:
            ctx.add(
                "edge",
                f"{key}/oac",
                "aws_cloudfront_origin_access_control",
                oacs.pop(),
                f"cloudfront.get_distribution_config {item['Id']} origin",
            )


def _certificate(ctx: ResolveContext) -> None:
    """The one ISSUED wildcard certificate, and its DNS validation record (a fact)."""
    acm = ctx.client("acm")
    wanted = f"*.{ctx.env.domain}"
    issued = [
        c
        for page in acm.get_paginator("list_certificates").paginate(CertificateStatuses=["ISSUED"])
        for c in page["CertificateSummaryList"]
        if c["DomainName"] == wanted
    ]
    if len(issued) == 1:
        arn = issued[0]["CertificateArn"]
        ctx.add(
            "edge",
            "wildcard/certificate",
            "aws_acm_certificate",
            arn,
            f"acm.list_certificates ISSUED {wanted}",
            domain_name=wanted,
        )
        detail = acm.describe_certificate(CertificateArn=arn)["Certificate"]
        for option in detail.get("DomainValidationOptions", []):
            record = option.get("ResourceRecord")
            if record:
                ctx.facts["validation_record"] = record
    else:
        ctx.note(f"edge: {len(issued)} ISSUED certificates for {wanted}; expected 1")
