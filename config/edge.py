"""The edge settings: the certificate, the CloudFront distributions and their DNS records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from config.checks import OneOf, Pattern, Range, Rule, validate
from config.errors import ConfigError

CONTRACT_SITES = ("frontend", "docs")
"""Sites the edge contract publishes outputs for (`frontend_*`, `docs_*`): every environment
has them; more sites may be added."""
_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"


@dataclass(frozen=True)
class SiteConfig:
    """A static site: private bucket + OAC + CloudFront distribution + Cloudflare record."""

    key: str
    """Stable construct key (`frontend`, `docs`): part of the resources' addresses."""
    subdomain: str
    """The site's host is `<subdomain>.<domain>` (one DNS label)."""
    bucket_prefix: str
    """The bucket is `<bucket_prefix>-<account id>`."""
    spa_routing: bool = False
    """Serve /index.html (200) for 403/404, for client-side routing (React Router)."""

    RULES: ClassVar[tuple[Rule, ...]] = (
        Pattern("key", r"[a-z][a-z0-9_]{0,30}", "is not a construct key (a-z, 0-9, '_')"),
        Pattern("subdomain", _LABEL, "is not one DNS label"),
        Pattern("bucket_prefix", r"[a-z0-9][a-z0-9.-]{1,49}", "is not an S3 bucket prefix"),
    )

    def __post_init__(self) -> None:
        validate(self, f"edge.sites[{self.key}]", self.RULES)


@dataclass(frozen=True, kw_only=True)
class EdgeConfig:
    """Certificate, distributions and DNS (seed: "CDN y Almacenamiento")."""

    sites: tuple[SiteConfig, ...]
    """The static sites; the edge contract publishes outputs for `CONTRACT_SITES`."""
    api_subdomain: str
    """The API's host is `<api_subdomain>.<domain>`."""
    origin_read_timeout_seconds: int
    """Seconds CloudFront waits for the ALB's response (1-60 without a quota increase, 180
    with one)."""
    certificate_region: str = "us-east-1"
    """CloudFront accepts certificates from us-east-1 only (an AWS fact, not a choice)."""
    cloudflare_zone_id: str = ""
    """Cloudflare zone ID; empty = look the zone up by the domain name (each environment's
    domain is a zone of its own, with its own token: docs/environments.md)."""
    proxied: tuple[str, ...] = ()
    """Subdomains whose Cloudflare record is proxied (orange cloud); default DNS-only."""

    RULES: ClassVar[tuple[Rule, ...]] = (
        Pattern("api_subdomain", _LABEL, "is not one DNS label"),
        Range("origin_read_timeout_seconds", 1, 180, "seconds (CloudFront's 1-180)"),
        OneOf("certificate_region", ("us-east-1",)),
        Pattern("cloudflare_zone_id", r"([0-9a-f]{32})?", "is not a Cloudflare zone ID"),
    )

    def __post_init__(self) -> None:
        validate(self, "edge", self.RULES)
        for kind, values in (
            ("site keys", [s.key for s in self.sites]),
            ("subdomains", [s.subdomain for s in self.sites] + [self.api_subdomain]),
            ("site buckets", [s.bucket_prefix for s in self.sites]),
        ):
            repeated = sorted({v for v in values if values.count(v) > 1})
            if repeated:
                raise ConfigError.invalid(
                    f"edge.sites ({kind})", repeated, "are shared by two distributions"
                )
        unknown = set(self.proxied) - {s.subdomain for s in self.sites} - {self.api_subdomain}
        if unknown:
            raise ConfigError.invalid(
                "edge.proxied", sorted(unknown), "are not records of this stack"
            )
        missing = [key for key in CONTRACT_SITES if key not in {s.key for s in self.sites}]
        if missing:
            raise ConfigError.invalid(
                "edge.sites",
                [s.key for s in self.sites],
                f"has no site with key {missing[0]!r}; the edge stack publishes its outputs "
                "to the app pipeline (stacks/contract.py EdgeOutputs)",
            )
