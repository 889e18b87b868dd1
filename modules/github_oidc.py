"""GitHub Actions' identity in AWS: the OIDC provider and the CI roles.

No static keys. Each role is trusted by exactly one kind of workflow run (the `sub` claim):

- `fluxion-ci-plan`, trusted from `repo:<infra>:pull_request` and from the scheduled drift
  report's `repo:<infra>:environment:drift`: reads what planning reads and the states, writes
  lock files.
- `fluxion-ci-apply-<stack>`, trusted from `repo:<infra>:environment:<stack>`: changes what
  `<stack>` owns.
- `fluxion-ci-release`, trusted from `repo:<app>:environment:release`: pushes images, rolls the
  service, syncs the sites.

The documents themselves are built in `policies/ci.py` from one table (plain data, tested as
such).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from constructs import Construct

from config import EnvironmentConfig
from policies import ci as policies
from policies.arns import OIDC_ISSUER
from policies.document import document
from runtime.engine.aws.iam_openid_connect_provider import IamOpenidConnectProvider
from runtime.engine.aws.iam_policy import IamPolicy
from runtime.engine.aws.iam_role import IamRole
from runtime.engine.aws.iam_role_policy import IamRolePolicy
from runtime.engine.aws.iam_role_policy_attachment import IamRolePolicyAttachment


@dataclass(frozen=True)
class GithubOidcProps:
    config: EnvironmentConfig
    """The environment: account, region, names, and `ci` (which repositories are trusted)."""
    live: Mapping[str, str] = field(default_factory=dict)
    """The adopted workload roles' live names (construct path -> name): the apply roles pass
    exactly these. Default: none (every workload role has its new name)."""


class GithubOidc(Construct):
    """The provider, the plan role, one apply role per CI-applied stack and the release role.
    Role and policy names are fixed (`fluxion-ci-*`); the guardrail denies every IAM write, so
    no CI role can change its own identity or create another."""

    def __init__(self, scope: Construct, id_: str, *, props: GithubOidcProps) -> None:
        super().__init__(scope, id_)
        config = props.config
        prefix, names = config.names.ci_role_prefix, policies.role_names(config)
        self.provider = IamOpenidConnectProvider(
            self,
            "provider",
            url=f"https://{OIDC_ISSUER}",
            client_id_list=["sts.amazonaws.com"],
        )
        self.plan_reads = self._managed(
            "plan_reads",
            f"{prefix}plan-reads",
            policies.plan_reads_policy(config),
            "What terraform plan reads: configuration, never contents",
        )
        self.guardrail = self._managed(
            "guardrail",
            f"{prefix}guardrail",
            policies.guardrail_policy(config),
            "Denied to every CI role: escalation, contents, commands, the CI identity",
        )
        infra = f"repo:{config.ci.github_repository}"
        planning = [self.plan_reads, self.guardrail]
        self.plan_role = self._role(
            "plan_role",
            names["plan"],
            # pull requests plan; the scheduled drift report plans refresh-only
            [
                f"{infra}:pull_request",
                f"{infra}:environment:{config.ci.github_environment(policies.DRIFT_ENVIRONMENT)}",
            ],
            policies.plan_policy(config),
            planning,
        )
        self.apply_roles = {
            row.stack: self._role(
                f"apply_{row.stack}",
                names[row.stack],
                f"{infra}:environment:{config.ci.github_environment(row.stack)}",
                policies.apply_policy(config, row, props.live),
                planning,
            )
            for row in policies.APPLY
        }
        self.release_role = self._role(
            "release_role",
            names["release"],
            f"repo:{config.ci.app_repository}:environment:"
            f"{config.ci.github_environment(policies.RELEASE_ENVIRONMENT)}",
            policies.release_policy(config),
            [self.guardrail],
        )

    def _managed(
        self, id_: str, name: str, policy: dict[str, object], description: str
    ) -> IamPolicy:
        return IamPolicy(self, id_, name=name, description=description, policy=json.dumps(policy))

    def _role(
        self,
        id_: str,
        name: str,
        subject: str | list[str],
        policy: dict[str, object],
        managed: list[IamPolicy],
    ) -> IamRole:
        trust = document(
            {
                "Effect": "Allow",
                "Principal": {"Federated": self.provider.arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{OIDC_ISSUER}:aud": "sts.amazonaws.com",
                        f"{OIDC_ISSUER}:sub": subject,
                    }
                },
            }
        )
        role = IamRole(
            self, id_, name=name, assume_role_policy=json.dumps(trust), max_session_duration=3600
        )
        IamRolePolicy(self, f"{id_}_policy", name=name, role=role.id, policy=json.dumps(policy))
        for attached in managed:
            IamRolePolicyAttachment(
                self, f"{id_}_{attached.node.id}", role=role.name, policy_arn=attached.arn
            )
        return role
