"""state: the bootstrap stack; owns the bucket of every other stack's state and the CI identity.

The CI roles pass the workload roles by their exact names: the live ones the inventory records
(`live`), so after `make resolve` this stack is applied again (docs/ci-identity.md).

Applied by people, never by CI (no CI role may write the CI identity): local state first, then
migrated into the bucket it created (`state_migrated`, docs/ci-identity.md "Bootstrap").
"""

from __future__ import annotations

from collections.abc import Mapping

from constructs import Construct

from config import EnvironmentConfig
from config.estate import CI_STACKS, audit_trail_name, site_buckets
from modules.github_oidc import GithubOidc, GithubOidcProps
from modules.log_bucket import LogBucket, LogBucketProps
from modules.private_bucket import PrivateBucket, PrivateBucketProps
from policies.arns import Arns
from stacks.base import FluxionStack
from stacks.contract import StateOutputs, publish


class StateStack(FluxionStack):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: EnvironmentConfig,
        live: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id_, config=config, live=live)
        # New, not adopted: hardened in both profiles (nothing live changes).
        logs = LogBucket(
            self,
            "access_logs",
            props=LogBucketProps(
                name=config.log_bucket,
                account_id=config.account_id,
                expiration_days=config.access_log_days,
                access_logged_buckets=(
                    config.state_bucket,
                    *(
                        ()
                        if config.adopted
                        else (config.names.backup_bucket(), *site_buckets(config))
                    ),
                ),
                trail_arn=Arns(config).regional(
                    "cloudtrail", f"trail/{audit_trail_name(config.name)}"
                ),
            ),
        )
        bucket = PrivateBucket(
            self,
            "state_bucket",
            props=PrivateBucketProps(
                name=config.state_bucket,
                versioned=True,
                access_log_bucket=logs.name,
                noncurrent_version_days=config.state_noncurrent_days,
            ),
        )
        # No CI identity (`features.owns_account` off, a recovery): its outputs are empty.
        ci = (
            GithubOidc(self, "ci", props=GithubOidcProps(config=config, live=self.live))
            if config.features.owns_account
            else None
        )
        self.outputs = StateOutputs(
            state_bucket_name=bucket.bucket.bucket,
            log_bucket_name=logs.bucket.bucket,
            **(_ci_outputs(ci) if ci else dict.fromkeys(CI_FIELDS, "")),
        )
        publish(self, self.outputs, config)


CI_FIELDS = (
    "github_oidc_provider_arn",
    "ci_plan_role_arn",
    *(f"ci_apply_{stack}_role_arn" for stack in CI_STACKS),
    "ci_release_role_arn",
)
"""The `StateOutputs` fields of the CI identity."""


def _ci_outputs(ci: GithubOidc) -> dict[str, str]:
    """The CI identity's ARNs, by `StateOutputs` field."""
    apply = {f"ci_apply_{stack}_role_arn": role.arn for stack, role in ci.apply_roles.items()}
    return {
        "github_oidc_provider_arn": ci.provider.arn,
        "ci_plan_role_arn": ci.plan_role.arn,
        **apply,
        "ci_release_role_arn": ci.release_role.arn,
    }
