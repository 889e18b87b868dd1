"""Configuration as data: frozen, typed, one object per environment."""

from config.environments import DEFAULT_ENVIRONMENT, ENVIRONMENTS, load
from config.errors import ConfigError
from config.model import (
    CiConfig,
    ComputeConfig,
    DatabaseConfig,
    EdgeConfig,
    EnvironmentConfig,
    EtlSchedule,
    Hardening,
    NetworkConfig,
    SiteConfig,
    check_alias,
)

__all__ = [
    "DEFAULT_ENVIRONMENT",
    "ENVIRONMENTS",
    "CiConfig",
    "ComputeConfig",
    "ConfigError",
    "DatabaseConfig",
    "EdgeConfig",
    "EnvironmentConfig",
    "EtlSchedule",
    "Hardening",
    "NetworkConfig",
    "SiteConfig",
    "check_alias",
    "load",
]
