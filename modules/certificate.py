"""The wildcard ACM certificate, DNS-validated through a record in the Cloudflare zone."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from runtime.engine.aws.acm_certificate import AcmCertificate
from runtime.engine.aws.acm_certificate_validation import AcmCertificateValidation
from runtime.engine.cloudflare.dns_record import DnsRecord
from runtime.engine.core import Fn, TerraformProvider, TerraformResourceLifecycle

AUTOMATIC_TTL = 1  # Cloudflare's "Auto"


@dataclass(frozen=True)
class WildcardCertificateProps:
    domain: str
    """The certificate covers `*.<domain>` (one label deep)."""
    zone_id: str
    """The Cloudflare zone where the DNS validation record is written."""
    provider: TerraformProvider | None = None
    """The AWS provider of the certificate's region. Default: the stack's own provider."""
    host: str | None = None
    """A certificate for this one host name (`api.<domain>`) instead of `*.<domain>`.
    Default: the wildcard."""
    wait_until_issued: bool = False
    """Add the validation waiter, so that `arn` is only known once ACM has issued the
    certificate (a listener refuses a pending one). Never for an adopted certificate: a waiter
    cannot be imported. Default: off."""


class WildcardCertificate(Construct):
    """`*.domain` (or one `host`) in `region` (us-east-1 for CloudFront) plus its validation
    CNAME.

    The AWS provider this project is tested and deployed with (5.100.0) has no per-resource
    `region` (that came with 6.0): `provider` is an aliased provider for the certificate's region
    when it is not the stack's own (None: the stack's provider).

    No `aws_acm_certificate_validation`: it is a waiter, not an AWS object. It cannot be
    imported, so it would turn the adoption plan's "0 to add" into "1 to add"; the adopted
    certificate is ISSUED already.
    """

    def __init__(self, scope: Construct, id_: str, *, props: WildcardCertificateProps) -> None:
        super().__init__(scope, id_)
        self.certificate = AcmCertificate(
            self,
            "certificate",
            domain_name=props.host or f"*.{props.domain}",
            validation_method="DNS",
            provider=props.provider,
            # a renewed or re-keyed certificate must exist before CloudFront lets go of the old
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
        )
        option = self.certificate.domain_validation_options.get(0)
        DnsRecord(
            self,
            "validation",
            zone_id=props.zone_id,
            # ACM writes FQDNs with a trailing dot; Cloudflare returns them without.
            name=Fn.trimsuffix(option.resource_record_name, "."),
            type=option.resource_record_type,
            content=Fn.trimsuffix(option.resource_record_value, "."),
            ttl=AUTOMATIC_TTL,
            proxied=False,
        )
        self.arn: str = self.certificate.arn
        if props.wait_until_issued:
            self.arn = AcmCertificateValidation(
                self,
                "issued",
                certificate_arn=self.certificate.arn,
                provider=props.provider,  # waits for ISSUED while the record is created
            ).certificate_arn
