"""The edge stack says what is live (seed: "CDN y Almacenamiento", drift table, DNS)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from config import ConfigError
from config.environments import PRODUCTION
from tests.conftest import by_path, ref, resources


@pytest.fixture(scope="module")
def edge(stacks: dict[str, Any]) -> dict[str, Any]:
    return stacks["edge"]


def _dist(edge: dict[str, Any], alias: str) -> dict[str, Any]:
    (found,) = [
        d
        for d in resources(edge, "aws_cloudfront_distribution").values()
        if d["aliases"] == [alias]
    ]
    return found


def test_wildcard_certificate(edge: dict[str, Any]) -> None:
    cert = by_path(edge, "aws_acm_certificate", "wildcard/certificate")
    assert cert["domain_name"] == "*.fluxionia.co"
    assert cert["validation_method"] == "DNS"
    assert "region" not in cert and "provider" not in cert  # the stack's provider: us-east-1
    record = by_path(edge, "cloudflare_dns_record", "wildcard/validation")
    options = "aws_acm_certificate.wildcard_certificate_AE6FAF9C.domain_validation_options"
    assert options in record["name"] and "resource_record_name" in record["name"]
    assert "resource_record_value" in record["content"]
    assert not resources(edge, "aws_acm_certificate_validation"), "a waiter would be '1 to add'"


def _common(dist: dict[str, Any], edge: dict[str, Any]) -> None:
    assert dist["enabled"] is True
    assert dist["is_ipv6_enabled"] is True
    viewer = dist["viewer_certificate"]
    assert viewer["acm_certificate_arn"] == ref(
        edge, "aws_acm_certificate", "wildcard/certificate", "arn"
    )
    assert viewer["ssl_support_method"] == "sni-only"
    assert viewer["minimum_protocol_version"] == "TLSv1.2_2021"
    assert dist["default_cache_behavior"]["viewer_protocol_policy"] == "redirect-to-https"
    assert dist["default_cache_behavior"]["compress"] is True


def test_frontend_distribution_carries_the_hand_added_alias(edge: dict[str, Any]) -> None:
    dist = _dist(edge, "admin.fluxionia.co")  # drift table: added by hand live, kept here
    _common(dist, edge)
    assert dist["default_root_object"] == "index.html"
    assert sorted(
        (e["error_code"], e["response_code"], e["response_page_path"])
        for e in dist["custom_error_response"]
    ) == [(403, 200, "/index.html"), (404, 200, "/index.html")]
    (origin,) = dist["origin"]
    assert origin["domain_name"] == ref(
        edge, "aws_s3_bucket", "frontend/bucket/bucket", "bucket_regional_domain_name"
    )
    assert origin["origin_access_control_id"] == ref(
        edge, "aws_cloudfront_origin_access_control", "frontend/oac", "id"
    )
    assert "s3_origin_config" not in origin, "OAC, not a legacy origin access identity"


def test_sites_use_the_managed_caching_optimized_policy(edge: dict[str, Any]) -> None:
    optimized = [
        k
        for k, v in edge["data"]["aws_cloudfront_cache_policy"].items()
        if v["name"] == "Managed-CachingOptimized"
    ]
    for alias in ("admin.fluxionia.co", "docs.fluxionia.co"):
        behavior = _dist(edge, alias)["default_cache_behavior"]
        assert (
            behavior["cache_policy_id"]
            == f"${{data.aws_cloudfront_cache_policy.{optimized[0]}.id}}"
        )
        assert sorted(behavior["allowed_methods"]) == ["GET", "HEAD"]


def test_docs_distribution(edge: dict[str, Any]) -> None:
    dist = _dist(edge, "docs.fluxionia.co")
    _common(dist, edge)
    assert dist["default_root_object"] == "index.html"
    # Docusaurus writes a page per route: a 404 must stay a 404 (no SPA fallback)
    assert "custom_error_response" not in dist
    (origin,) = dist["origin"]
    assert origin["origin_access_control_id"] == ref(
        edge, "aws_cloudfront_origin_access_control", "docs/oac", "id"
    )


def test_api_distribution(edge: dict[str, Any]) -> None:
    dist = _dist(edge, "api.fluxionia.co")
    _common(dist, edge)
    (origin,) = dist["origin"]
    # the published ALB DNS name of the compute stack, never a literal
    assert origin["domain_name"] == "${data.terraform_remote_state.compute.outputs.alb_dns_name}"
    custom = origin["custom_origin_config"]
    assert custom["origin_protocol_policy"] == "http-only"
    assert custom["http_port"] == 80
    assert custom["origin_read_timeout"] == 60
    behavior = dist["default_cache_behavior"]
    assert sorted(behavior["allowed_methods"]) == [
        "DELETE",
        "GET",
        "HEAD",
        "OPTIONS",
        "PATCH",
        "POST",
        "PUT",
    ]
    policies = edge["data"]
    disabled = [
        k
        for k, v in policies["aws_cloudfront_cache_policy"].items()
        if v["name"] == "Managed-CachingDisabled"
    ]
    assert behavior["cache_policy_id"] == f"${{data.aws_cloudfront_cache_policy.{disabled[0]}.id}}"
    (request_id, request) = next(iter(policies["aws_cloudfront_origin_request_policy"].items()))
    assert request["name"] == "Managed-AllViewer"
    assert behavior["origin_request_policy_id"] == (
        f"${{data.aws_cloudfront_origin_request_policy.{request_id}.id}}"
    )


@pytest.mark.parametrize(
    ("key", "bucket"),
    [
        ("frontend", "fluxion-frontend-v4-611395766952"),
        ("docs", "fluxion-docs-611395766952"),
    ],
)
def test_site_buckets_are_private_and_read_only_by_their_distribution(
    edge: dict[str, Any], key: str, bucket: str
) -> None:
    body = by_path(edge, "aws_s3_bucket", f"{key}/bucket/bucket")
    assert body["bucket"] == bucket
    assert body.get("force_destroy") is not True
    block = by_path(edge, "aws_s3_bucket_public_access_block", f"{key}/bucket/public_access")
    assert block["block_public_policy"] is True and block["restrict_public_buckets"] is True
    assert by_path(
        edge, "aws_s3_bucket_server_side_encryption_configuration", f"{key}/bucket/encryption"
    )
    statements = json.loads(by_path(edge, "aws_s3_bucket_policy", f"{key}/policy")["policy"])
    deny, allow = statements["Statement"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow["Action"] == "s3:GetObject"
    assert allow["Condition"] == {
        "StringEquals": {
            "AWS:SourceArn": ref(edge, "aws_cloudfront_distribution", f"{key}/distribution", "arn")
        }
    }
    bucket_id = ref(edge, "aws_s3_bucket", f"{key}/bucket/bucket", "id")
    policies = [
        p for p in resources(edge, "aws_s3_bucket_policy").values() if p["bucket"] == bucket_id
    ]
    assert len(policies) == 1, "a bucket has one policy: TLS and CloudFront statements merged"


def test_cloudflare_records(edge: dict[str, Any]) -> None:
    records = {
        r["name"]: r
        for r in resources(edge, "cloudflare_dns_record").values()
        if r["type"] == "CNAME" and "${" not in r["name"]
    }
    assert sorted(records) == ["admin.fluxionia.co", "api.fluxionia.co", "docs.fluxionia.co"]
    for name, key in (("admin", "frontend"), ("docs", "docs"), ("api", "api")):
        record = records[f"{name}.fluxionia.co"]
        assert record["content"] == ref(
            edge, "aws_cloudfront_distribution", f"{key}/distribution", "domain_name"
        )
        assert record["proxied"] is False  # default DNS-only
        assert record["zone_id"] == "${data.cloudflare_zone.zone.zone_id}"
    (zone,) = edge["data"]["cloudflare_zone"].values()
    assert zone["filter"] == {"name": "fluxionia.co"}
    (provider,) = edge["provider"]["cloudflare"]
    assert provider == {}, "the API token comes from CLOUDFLARE_API_TOKEN, never from code"


def test_published_outputs(edge: dict[str, Any]) -> None:
    out = {k: v["value"] for k, v in edge["output"].items()}
    for key in ("frontend", "docs", "api"):
        for attr in ("id", "domain_name", "arn"):
            assert out[f"{key}_distribution_{attr}"] == ref(
                edge, "aws_cloudfront_distribution", f"{key}/distribution", attr
            )
    assert out["frontend_bucket_name"] == ref(
        edge, "aws_s3_bucket", "frontend/bucket/bucket", "bucket"
    )
    assert out["docs_bucket_name"] == ref(edge, "aws_s3_bucket", "docs/bucket/bucket", "bucket")


# The edge configuration's rules are tested with every other rule: tests/test_config.py.


def test_an_environment_with_a_nested_subdomain_is_rejected() -> None:
    with pytest.raises(ConfigError, match=r"edge.api_subdomain: 'api.v2' is not one DNS label"):
        replace(PRODUCTION.edge, api_subdomain="api.v2")
