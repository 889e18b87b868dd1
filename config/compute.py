"""The compute settings: the ECS cluster, the backend behind its ALB, the scheduled ETL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from config.checks import AtLeast, Pattern, Range, Retention, Rule, validate
from config.cron import to_eventbridge
from config.errors import ConfigError

FARGATE_SIZES = ((256, 512), (512, 1024), (1024, 2048), (1024, 4096), (2048, 4096))
"""(CPU units, MiB) pairs Fargate runs (the ones this estate may use)."""
_NAME = r"[A-Za-z0-9][A-Za-z0-9_-]{0,254}"


@dataclass(frozen=True)
class EtlSchedule:
    """One EventBridge rule that runs an ETL task definition (seed: "EventBridge Rules")."""

    name: str
    """The rule's name (ForceNew; its construct key is derived from it)."""
    unix_cron: str
    """As the seed writes it (Unix 5-field cron, UTC); translated to EventBridge's form, and
    validated, when the configuration loads."""
    task: str
    """Task definition family the rule runs."""
    command: tuple[str, ...]
    """Container command override for the `etl` container."""
    enabled: bool = True
    """False keeps the rule disabled (a live manual override the code must not undo)."""


@dataclass(frozen=True, kw_only=True)
class ComputeConfig:
    """ECS, ALB and schedules (seed: "Computo (ECS Fargate)", "Load Balancer")."""

    cluster_name: str
    """The ECS cluster."""
    service_name: str
    """The backend's ECS service."""
    alb_name: str
    """The backend's Application Load Balancer (ForceNew)."""
    desired_count: int
    """Backend tasks the service keeps running."""
    max_desired_count: int
    """The most tasks `python -m ops scale-backend` may ask for (a temporary scale-up; the next
    deploy of compute returns to `desired_count`)."""
    task_cpu_units: int
    """CPU units of every task (1024 = 1 vCPU); with `task_memory_mib`, a Fargate size."""
    task_memory_mib: int
    """MiB of every task."""
    uvicorn_workers: int
    """Worker processes per backend container."""
    backend_port: int
    """TCP port the backend container listens on (the ALB's target port)."""
    health_check_grace_seconds: int
    """Seconds after a backend task starts during which failed ALB health checks are
    ignored."""
    alb_idle_timeout_seconds: int
    """Seconds the ALB keeps an idle connection (AWS's default is 60; some report queries run
    for minutes)."""
    health_check_path: str
    """Path the target group's health check requests."""
    health_check_interval_seconds: int
    """Seconds between health checks of a target."""
    healthy_threshold: int
    """Consecutive passed checks before a target is healthy."""
    unhealthy_threshold: int
    """Consecutive failed checks before a target is unhealthy."""
    deregistration_delay_seconds: int
    """Seconds a draining target keeps its connections."""
    vpn_gateway_ip: str
    """La Granja's gateway, reached by the ETL through the WireGuard bridge."""
    etl_timeout_seconds: int
    """Seconds an ETL run may take before it stops itself (`ETL_TIMEOUT`)."""
    log_retention_days: int
    """Days CloudWatch keeps the backend's and the ETL's logs (a CloudWatch retention)."""
    image_tag: str
    """Tag of the backend and ETL images the task definitions run. `adopt`: `latest`, as live
    (the seed's pipeline pushes `:latest` and forces a new deployment). `hardened`: the commit
    SHA the app pipeline pushed (its repositories are immutable, so `latest` can be pushed only
    once): a release is a reviewed change of this value, and `make deploy` refuses `latest`."""
    schedules: tuple[EtlSchedule, ...]
    """The ETL's EventBridge rules."""

    RULES: ClassVar[tuple[Rule, ...]] = (
        Pattern("cluster_name", _NAME, "is not an ECS cluster name"),
        Pattern("service_name", _NAME, "is not an ECS service name"),
        Pattern("alb_name", r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?",
                "is not a load balancer name (1-32 letters, digits, '-')"),
        AtLeast("desired_count", 1, "tasks"),
        Range("uvicorn_workers", 1, 64, "processes"),
        Range("backend_port", 1, 65535, "(a TCP port)"),
        Range("health_check_grace_seconds", 0, 2147483647, "seconds"),
        Range("alb_idle_timeout_seconds", 1, 4000, "seconds"),
        Pattern("health_check_path", r"/[^\s]{0,1023}", "is not a path"),
        Range("health_check_interval_seconds", 5, 300, "seconds"),
        Range("healthy_threshold", 2, 10, "checks"),
        Range("unhealthy_threshold", 2, 10, "checks"),
        Range("deregistration_delay_seconds", 0, 3600, "seconds"),
        Range("etl_timeout_seconds", 60, 86400, "seconds"),
        Retention("log_retention_days"),
        Pattern("image_tag", r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}", "is not a Docker image tag"),
    )  # fmt: skip

    def __post_init__(self) -> None:
        validate(self, "compute", self.RULES)
        if (self.task_cpu_units, self.task_memory_mib) not in FARGATE_SIZES:
            raise ConfigError.invalid(
                "compute.task_cpu_units/task_memory_mib",
                f"{self.task_cpu_units}/{self.task_memory_mib}",
                f"is not a Fargate size ({', '.join(f'{c}/{m}' for c, m in FARGATE_SIZES)})",
            )
        if self.max_desired_count < self.desired_count:
            raise ConfigError.invalid(
                "compute.max_desired_count",
                self.max_desired_count,
                f"is below desired_count {self.desired_count}",
            )
        self._check_schedules()

    def _check_schedules(self) -> None:
        names = [s.name for s in self.schedules]
        if len(set(names)) != len(names):
            raise ConfigError(
                f"compute.schedules: rule names repeat in {names!r}",
                field="compute.schedules",
                value=names,
            )
        for schedule in self.schedules:
            field = f"compute.schedules[{schedule.name}]"
            if not schedule.command:
                raise ConfigError.invalid(f"{field}.command", schedule.command, "is empty")
            try:
                to_eventbridge(schedule.unix_cron)
            except ConfigError as err:
                raise ConfigError(
                    f"{field}.unix_cron: {err}",
                    field=f"{field}.unix_cron",
                    value=schedule.unix_cron,
                    expected=str(err),
                ) from None
