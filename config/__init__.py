"""Configuration as data: frozen, typed, one object per environment."""

from config.environments import DEFAULT_ENVIRONMENT, ENVIRONMENTS, load
from config.errors import ConfigError
from config.model import EnvironmentConfig, NetworkConfig

__all__ = [
    "DEFAULT_ENVIRONMENT",
    "ENVIRONMENTS",
    "ConfigError",
    "EnvironmentConfig",
    "NetworkConfig",
    "load",
]
