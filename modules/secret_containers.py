"""Secrets Manager containers. Values never pass through Terraform: they are put out of band
(`aws secretsmanager put-secret-value`, see docs/operations.md), so neither config nor state
holds them."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from policies.document import Statement, allow
from runtime.engine.aws.secretsmanager_secret import SecretsmanagerSecret
from runtime.engine.core import TerraformResourceLifecycle

RECOVERY_WINDOW_DAYS = 30
"""AWS's default; 0 (delete immediately) is never used, a deleted secret stays recoverable."""


@dataclass(frozen=True)
class SecretContainersProps:
    names: dict[str, str]
    """Construct key -> secret name (`config.estate.SECRETS`); the key is part of the address."""


class SecretContainers(Construct):
    """One secret per `key -> name`; `arns[key]` gives each secret's ARN."""

    def __init__(self, scope: Construct, id_: str, *, props: SecretContainersProps) -> None:
        super().__init__(scope, id_)
        self.secrets = {
            # prevent_destroy: a destroy is refused by Terraform before AWS's recovery window
            # would be the last net (docs/operations.md, "Faults")
            key: SecretsmanagerSecret(
                self,
                key,
                name=name,
                recovery_window_in_days=RECOVERY_WINDOW_DAYS,
                lifecycle=TerraformResourceLifecycle(prevent_destroy=True),
            )
            for key, name in props.names.items()
        }
        self.arns = {key: secret.arn for key, secret in self.secrets.items()}


def read_grant(secret_arns: list[str], parameter_arns: list[str] | None = None) -> list[Statement]:
    """Reading the secrets' values (and SecureString parameters) when a container starts."""
    grants = [allow(["secretsmanager:GetSecretValue"], secret_arns)]
    if parameter_arns:
        grants.append(allow(["ssm:GetParameters"], parameter_arns))
    return grants
