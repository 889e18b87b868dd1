"""The seed's values, as the DevOps guide writes them (its "Base de Datos" section).

The one place tests take expected values of the live database from. Transcribed from the
guide, never from the code: a test compares what the code synthesizes with this table, so a
value mistyped in `modules/postgres.py` or `config/environments.py` fails here. Units are the
guide's; `engine_units` converts them the way PostgreSQL stores each parameter.
"""

from __future__ import annotations

import re

PRIMARY = {
    "identifier": "fluxion-postgres-v2",
    "engine_major": "16",  # PostgreSQL 16.3; RDS applies minor upgrades
    "instance_class": "db.t3.medium",
    "storage_gb": 100,
    "max_storage_gb": 500,
    "storage_type": "gp3",
    "encrypted": True,
    "multi_az": False,
    "backup_retention_days": 7,
    "backup_window": "03:00-04:00",
    "maintenance_window": "sun:04:00-sun:05:00",  # "Domingo 04:00-05:00 UTC"
    "log_exports": ["postgresql"],
    "deletion_protection": True,
    "public": False,
}
REPLICA = {"identifier": "fluxion-postgres-replica", "instance_class": "db.t3.medium"}

PRIMARY_PARAMETERS = {  # "Parametros Optimizados"
    "work_mem": "64MB",
    "maintenance_work_mem": "128MB",
    "effective_cache_size": "3GB",
    "random_page_cost": "1.1",
    "max_parallel_workers": "4",
    "log_min_duration_statement": "1000ms",
}
REPLICA_EXTRA_PARAMETERS = {  # "Parametros Read Replica (adicionales)"
    "max_standby_streaming_delay": "900s",
    "max_standby_archive_delay": "900s",
    "hot_standby_feedback": "on",
}

# PostgreSQL's storage unit of each parameter above (`SELECT name, unit FROM pg_settings`).
_UNITS = {
    "work_mem": "kB",
    "maintenance_work_mem": "kB",
    "effective_cache_size": "8kB",
    "log_min_duration_statement": "ms",
    "max_standby_streaming_delay": "ms",
    "max_standby_archive_delay": "ms",
}
_SIZES = {"kB": 1, "MB": 1024, "GB": 1024 * 1024}
_TIMES = {"ms": 1, "s": 1000, "min": 60_000}


def engine_units(name: str, value: str) -> str:
    """`64MB` for work_mem -> `65536` (kB); `on` -> `1`; unitless values unchanged."""
    if value in ("on", "off"):
        return "1" if value == "on" else "0"
    match = re.fullmatch(r"(\d+)([a-zA-Z]+)", value)
    if match is None:
        return value
    number, unit = int(match[1]), match[2]
    target = _UNITS[name]
    if unit in _TIMES:
        return str(number * _TIMES[unit] // _TIMES[target])
    block = 8 if target == "8kB" else 1
    return str(number * _SIZES[unit] // block)
