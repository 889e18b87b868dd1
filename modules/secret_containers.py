"""Secrets Manager containers. Values never pass through Terraform: they are put out of band
(`aws secretsmanager put-secret-value`, see docs/operations.md), so neither config nor state
holds them."""

from __future__ import annotations

from cdktf_cdktf_provider_aws.secretsmanager_secret import SecretsmanagerSecret
from constructs import Construct

RECOVERY_WINDOW_DAYS = 30
"""AWS's default; 0 (delete immediately) is never used, a deleted secret stays recoverable."""


class SecretContainers(Construct):
    """One secret per `key -> name`; `arns[key]` gives each secret's ARN."""

    def __init__(self, scope: Construct, id_: str, *, names: dict[str, str]) -> None:
        super().__init__(scope, id_)
        self.secrets = {
            key: SecretsmanagerSecret(
                self, key, name=name, recovery_window_in_days=RECOVERY_WINDOW_DAYS
            )
            for key, name in names.items()
        }
        self.arns = {key: secret.arn for key, secret in self.secrets.items()}
