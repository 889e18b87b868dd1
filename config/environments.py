"""The environments this project deploys. Production's values are the seed's live inventory."""

from __future__ import annotations

from dataclasses import replace

from config.errors import ConfigError
from config.model import EnvironmentConfig

PRODUCTION = EnvironmentConfig(
    name="production",
    account_id="611395766952",
    region="us-east-1",
    domain="fluxionia.co",
)

ENVIRONMENTS: dict[str, EnvironmentConfig] = {PRODUCTION.name: PRODUCTION}
DEFAULT_ENVIRONMENT = PRODUCTION.name


def load(name: str = DEFAULT_ENVIRONMENT, *, profile: str | None = None) -> EnvironmentConfig:
    """Return the named environment's config, optionally with another profile."""
    try:
        env = ENVIRONMENTS[name]
    except KeyError:
        valid = ", ".join(sorted(ENVIRONMENTS))
        raise ConfigError(f"environment: {name!r} is unknown; valid: {valid}") from None
    return env if profile is None else replace(env, profile=profile)
