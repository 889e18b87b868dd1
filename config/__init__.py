"""Configuration as data: frozen, typed, one object per environment, one module per domain."""

from config.ci import CiConfig
from config.compute import ComputeConfig, EtlSchedule
from config.cost import CostConfig
from config.database import DatabaseConfig
from config.edge import CONTRACT_SITES, EdgeConfig, SiteConfig
from config.environment import PROVIDER_PINS, EnvironmentConfig
from config.environments import DEFAULT_ENVIRONMENT, ENVIRONMENTS, SETTINGS, from_environ, load
from config.errors import ConfigError
from config.hardening import PROFILES, Hardening
from config.network import NetworkConfig

__all__ = [
    "CONTRACT_SITES",
    "DEFAULT_ENVIRONMENT",
    "ENVIRONMENTS",
    "PROFILES",
    "PROVIDER_PINS",
    "SETTINGS",
    "CiConfig",
    "ComputeConfig",
    "ConfigError",
    "CostConfig",
    "DatabaseConfig",
    "EdgeConfig",
    "EnvironmentConfig",
    "EtlSchedule",
    "Hardening",
    "NetworkConfig",
    "SiteConfig",
    "from_environ",
    "load",
]
