"""state: the bootstrap stack (local backend); owns the bucket of every other stack's state."""

from __future__ import annotations

from constructs import Construct

from config import EnvironmentConfig
from modules.github_oidc import GithubOidc, GithubOidcProps
from modules.private_bucket import PrivateBucket, PrivateBucketProps
from stacks.base import FluxionStack
from stacks.contract import StateOutputs, publish


class StateStack(FluxionStack):
    def __init__(self, scope: Construct, id_: str, *, config: EnvironmentConfig) -> None:
        super().__init__(scope, id_, config=config)
        bucket = PrivateBucket(
            self,
            "state_bucket",
            props=PrivateBucketProps(name=config.state_bucket, versioned=True),
        )
        ci = GithubOidc(
            self,
            "ci",
            props=GithubOidcProps(
                repository=config.ci.github_repository,
                deploy_branch=config.ci.deploy_branch,
                protected_environment=config.ci.protected_environment,
                account_id=config.account_id,
                state_bucket=config.state_bucket,
                state_key_prefix=config.state_key_prefix,
            ),
        )
        self.outputs = StateOutputs(
            state_bucket_name=bucket.bucket.bucket,
            github_oidc_provider_arn=ci.provider.arn,
            ci_plan_role_arn=ci.plan_role.arn,
            ci_deploy_role_arn=ci.deploy_role.arn,
        )
        publish(self, self.outputs)
