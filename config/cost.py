"""What the estate is used for, as the cost estimate needs it, and what a change may add.

The synthesized Terraform says what exists (instance classes, task sizes, schedules, counts);
these figures say how much it is used, which Terraform cannot know: data through the NAT and
CloudFront, logs written, objects stored. `make cost` (review/cost.py) prints each figure
beside the cost it drives. Production's come from the DevOps guide's cost table where it
gives one (logs, ETL run length) and are this team's reading of the estate where it does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from config.checks import Range, Rule, validate
from config.errors import ConfigError

_GB = 100_000
"""An upper bound for any monthly GB figure here: a typo guard, not a quota."""


@dataclass(frozen=True, kw_only=True)
class CostConfig:
    """Usage per month (the estimate's assumptions) and the pull requests' cost budget."""

    etl_minutes_per_run: int
    """Minutes one ETL task runs (Fargate bills per second while it runs). How often each
    runs is not a figure here: it is counted from the rules' schedules."""
    log_ingested_gb_per_month: tuple[tuple[str, int], ...]
    """GB written per month into each CloudWatch log group, by group name. A group the
    stacks create that is not listed is estimated at 0 GB, and the table says so."""
    s3_stored_gb: tuple[tuple[str, int], ...]
    """GB stored in each S3 bucket, by bucket name (average over the month); a bucket not
    listed is estimated at 0 GB, and the table says so."""
    ecr_stored_gb: int
    """GB of images kept across the container repositories (their lifecycle policies bound
    it)."""
    nat_processed_gb_per_month: int
    """GB through the NAT gateway (ECR pulls, Sentry, the Cloudflare API, package installs)."""
    cloudfront_transfer_gb_per_month: int
    """GB served to the internet by the distributions together (split evenly among them)."""
    cloudfront_requests_thousands_per_month: int
    """HTTPS requests to the distributions together, in thousands (also what a web ACL on
    them inspects)."""
    cdn_log_gb_per_month: int
    """GB of CloudFront access logs delivered (hardened: the distributions' log delivery)."""
    alb_lcu_hours_per_month: int
    """Load balancer capacity units used, summed over the month's hours (0.5 LCU on average
    for 730 hours is 365): a low-traffic internal API's figure."""
    ebs_root_volume_gb: int
    """GB of the WireGuard instance's root volume (gp3) when the code does not set one (the
    AMI's default)."""
    pr_increase_allowed_usd: int
    """The most a pull request may raise this environment's monthly estimate (USD) without a
    reviewed acknowledgement in `review/cost-acknowledgements.json`."""

    RULES: ClassVar[tuple[Rule, ...]] = (
        Range("etl_minutes_per_run", 1, 24 * 60, "minutes"),
        Range("ecr_stored_gb", 0, _GB, "GB"),
        Range("nat_processed_gb_per_month", 0, _GB, "GB"),
        Range("cloudfront_transfer_gb_per_month", 0, _GB, "GB"),
        Range("cloudfront_requests_thousands_per_month", 0, 10_000_000, "thousand requests"),
        Range("cdn_log_gb_per_month", 0, _GB, "GB"),
        Range("alb_lcu_hours_per_month", 0, 1_000_000, "LCU-hours"),
        Range("ebs_root_volume_gb", 1, 16_384, "GB"),
        Range("pr_increase_allowed_usd", 0, 100_000, "USD"),
    )

    def __post_init__(self) -> None:
        validate(self, "cost", self.RULES)
        for field, pairs in (
            ("log_ingested_gb_per_month", self.log_ingested_gb_per_month),
            ("s3_stored_gb", self.s3_stored_gb),
        ):
            names = [name for name, _ in pairs]
            if len(set(names)) != len(names):
                raise ConfigError.invalid(f"cost.{field}", names, "names a resource twice")
            for name, gb in pairs:
                if not (isinstance(gb, int) and 0 <= gb <= _GB):
                    raise ConfigError.invalid(f"cost.{field}[{name}]", gb, f"must be 0-{_GB} GB")

    def log_gb(self, group: str) -> int | None:
        return dict(self.log_ingested_gb_per_month).get(group)

    def stored_gb(self, bucket: str) -> int | None:
        return dict(self.s3_stored_gb).get(bucket)
