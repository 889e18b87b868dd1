"""The one ARN builder: every ARN the project writes is assembled here, from config.

Templates name their parts in braces and `Arns.expand` fills them from the environment, so a
policy row reads as the ARNs it grants (`arn:aws:rds:{region}:{account}:db:{primary}`) and no
other file spells an ARN.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from config import EnvironmentConfig

OIDC_ISSUER = "token.actions.githubusercontent.com"
"""GitHub Actions' OIDC issuer (the provider's URL without `https://`)."""


@dataclass(frozen=True)
class Arns:
    """ARNs of one environment: account and region from config."""

    config: EnvironmentConfig

    @cached_property
    def parts(self) -> dict[str, str]:
        """What a template may name."""
        config = self.config
        return {
            "account": config.account_id,
            "region": config.region,
            "edge_region": config.edge.certificate_region,
            "cluster": config.compute.cluster_name,
            "vpc": config.network.vpc_name,
            "primary": config.names.primary,
            "replica": config.names.replica,
            "env": config.name,
            # what the environment's names start with: production's `fluxion` (its live
            # names), staging's `fluxion-staging`; `Prefix` for task definition families
            "prefix": config.name_prefix,
            "Prefix": config.names.camel,
        }

    def expand(self, templates: tuple[str, ...] | list[str]) -> list[str]:
        """Each template with its parts filled in."""
        return [template.format(**self.parts) for template in templates]

    @property
    def account(self) -> str:
        return self.config.account_id

    @property
    def region(self) -> str:
        return self.config.region

    def iam(self, kind: str, name: str) -> str:
        """`role`, `policy`, `instance-profile`, `oidc-provider` in this account."""
        return f"arn:aws:iam::{self.account}:{kind}/{name}"

    def role(self, name: str) -> str:
        return self.iam("role", name)

    def regional(self, service: str, resource: str, region: str | None = None) -> str:
        return f"arn:aws:{service}:{region or self.region}:{self.account}:{resource}"

    def bucket(self, name: str) -> str:
        return f"arn:aws:s3:::{name}"

    def objects(self, bucket: str) -> str:
        return f"arn:aws:s3:::{bucket}/*"

    @property
    def state_bucket(self) -> str:
        return self.bucket(self.config.state_bucket)

    def state_object(self, stack: str) -> str:
        return f"{self.state_bucket}/{self.config.state_key(stack)}"

    @property
    def state_objects(self) -> str:
        return f"{self.state_bucket}/{self.config.state_key_prefix}/{self.config.name}/*"

    def repository(self, container: str) -> str:
        """The ECR repository of a container (`backend`, `etl`)."""
        return self.regional("ecr", f"repository/{self.config.names.repository(container)}")

    def container_log_group(self, container: str) -> str:
        """The log group of a container, as the provider's `arn` attribute gives it."""
        return self.log_group(self.config.names.log_group(container))

    def log_group(self, name: str, region: str | None = None) -> str:
        return self.regional("logs", f"log-group:{name}", region)

    def secret(self, name: str) -> str:
        """A secret by name: Secrets Manager appends `-` and six random characters."""
        return self.regional("secretsmanager", f"secret:{name}-??????")

    def parameter(self, name: str) -> str:
        """An SSM parameter by its name (which starts with `/`)."""
        return self.regional("ssm", f"parameter{name}")

    @property
    def sentry_dsn(self) -> str:
        return self.parameter(self.config.names.sentry_dsn)

    @property
    def cluster(self) -> str:
        return self.regional("ecs", f"cluster/{self.config.compute.cluster_name}")

    def task_family(self, family: str) -> str:
        """Every revision of a task definition family."""
        return self.regional("ecs", f"task-definition/{family}:*")

    @property
    def oidc_provider(self) -> str:
        return self.iam("oidc-provider", OIDC_ISSUER)

    @property
    def ci_identity(self) -> list[str]:
        """Everything that makes up the CI identity: no CI role may write to any of it."""
        return [
            self.role(f"{self.config.names.ci_role_prefix}*"),
            self.iam("policy", f"{self.config.names.ci_role_prefix}*"),
            self.oidc_provider,
        ]

    def certificates(self, region: str) -> str:
        return self.regional("acm", "certificate/*", region)
