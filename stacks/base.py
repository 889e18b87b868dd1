"""What every stack shares: the AWS provider pinned to the account, and its backend."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from constructs import Construct

from config import EnvironmentConfig
from config.estate import PROVIDER_MAX_RETRIES, PROVIDER_VERSIONS
from runtime.engine.aws.provider import AwsProvider
from runtime.engine.cloudflare.data_cloudflare_zone import (
    DataCloudflareZone,
    DataCloudflareZoneFilter,
)
from runtime.engine.cloudflare.provider import CloudflareProvider
from runtime.engine.core import LocalBackend, S3Backend, TerraformStack

# Native S3 state locking (`use_lockfile`) needs Terraform >= 1.10, write-only arguments
# (`value_wo`) and ephemeral resources as their source >= 1.11.
REQUIRED_TERRAFORM = ">= 1.11"
BOOTSTRAP_STATE_PATH = "../../../terraform.state.tfstate"
"""The `state` stack's local state, at the repo root (git-ignored); cdktf's default is absolute."""


class FluxionStack(TerraformStack):
    """A stack with the account-pinned AWS provider and S3 state (local for `state`).

    `live`: construct path -> live name of the adopted identities the inventory records
    (`imports.inventory.Inventory.live_names`); the `identity` stack names its roles with
    them and the `state` stack lets each CI role pass exactly those. Default: none (a fresh
    environment, or before the resolver ran): every identity gets its new name."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: EnvironmentConfig,
        live: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id_)
        self.config = config
        self.live: Mapping[str, str] = live or {}
        self._aws_providers: dict[str, AwsProvider] = {}
        AwsProvider(
            self,
            "aws",
            region=config.region,
            # A plan with the wrong credentials fails instead of touching another account.
            allowed_account_ids=[config.account_id],
            max_retries=PROVIDER_MAX_RETRIES,  # a persistent error fails, not hangs
        )
        self.add_override("terraform.required_version", REQUIRED_TERRAFORM)
        self.pin_provider("aws")
        if id_ == "state" and not config.state_migrated:
            LocalBackend(self, path=BOOTSTRAP_STATE_PATH)
        else:
            S3Backend(
                self,
                bucket=config.state_bucket,
                key=config.state_key(id_),
                region=config.region,
                encrypt=True,
            )
            # cdktf 0.21's S3Backend has no `use_lockfile` field yet.
            self.add_override("terraform.backend.s3.use_lockfile", True)

    def pin_provider(self, provider: str) -> None:
        """Pin `provider` to the version the live estate runs, unless the config asks for the
        engine's own pin (`provider_pins` = `bindings`). With cdktf the two are the same; CDK
        Terrain's bindings are generated for newer providers, and moving to them is its own
        change, reviewed by its own plan (docs/cdk-terrain.md)."""
        if self.config.provider_pins == "estate":
            self.add_override(
                f"terraform.required_providers.{provider}.version", PROVIDER_VERSIONS[provider]
            )

    def fresh_bucket_settings(self) -> dict[str, Any]:
        """`PrivateBucketProps` for the backup and site buckets of an environment built fresh
        (`adopted` False): S3 access logs into the log bucket and a lifecycle (replaced versions
        kept `state_noncurrent_days`, unfinished uploads 7 days). Adopted buckets stay as live
        (their waivers say so; review/waivers.json marks them `adopted_only`)."""
        if self.config.adopted:
            return {}
        return {
            "access_log_bucket": self.config.log_bucket,
            "noncurrent_version_days": self.config.state_noncurrent_days,
        }

    def provider_in(self, region: str) -> AwsProvider | None:
        """None for the stack's own region, else an aliased AWS provider pinned the same way.

        AWS provider 5.x (the version deployed) has no per-resource `region` argument.
        """
        if region == self.config.region:
            return None
        if region not in self._aws_providers:
            self._aws_providers[region] = AwsProvider(
                self,
                f"aws_{region.replace('-', '_')}",
                alias=region.replace("-", "_"),
                region=region,
                allowed_account_ids=[self.config.account_id],
                max_retries=PROVIDER_MAX_RETRIES,
            )
        return self._aws_providers[region]


def cloudflare_zone(stack: FluxionStack) -> str:
    """The Cloudflare provider (token from CLOUDFLARE_API_TOKEN in the environment, never
    from code) and the zone ID: `edge.cloudflare_zone_id`, else looked up by the domain."""
    CloudflareProvider(stack, "cloudflare")
    stack.pin_provider("cloudflare")
    config = stack.config
    return (
        config.edge.cloudflare_zone_id
        or DataCloudflareZone(
            stack,
            "zone",
            filter=DataCloudflareZoneFilter(name=config.domain),
        ).zone_id
    )
