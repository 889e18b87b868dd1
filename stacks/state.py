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
from config.estate import audit_trail_name
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
                access_logged_bucket=config.state_bucket,
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
        ci = GithubOidc(
            self,
            "ci",
            props=GithubOidcProps(config=config, live=self.live),
        )
        self.outputs = StateOutputs(
            state_bucket_name=bucket.bucket.bucket,
            log_bucket_name=logs.bucket.bucket,
            github_oidc_provider_arn=ci.provider.arn,
            ci_plan_role_arn=ci.plan_role.arn,
            ci_apply_network_role_arn=ci.apply_roles["network"].arn,
            ci_apply_data_role_arn=ci.apply_roles["data"].arn,
            ci_apply_compute_role_arn=ci.apply_roles["compute"].arn,
            ci_apply_edge_role_arn=ci.apply_roles["edge"].arn,
            ci_release_role_arn=ci.release_role.arn,
        )
        publish(self, self.outputs, config)
