"""What tells the team, before the stores do, that this estate is breaking: the alarms as data.

`alarms(config)` is the one list. The `monitoring` stack makes one CloudWatch alarm per row and
one dashboard graph per row (no second list), `docs/operations.md` has the same rows as a table
(a test compares), and `python -m ops alarms` reads them back. Every threshold is a field of
`MonitoringConfig` with its reason, or comes from the config of the resource it watches
(`compute.desired_count`, `database.allocated_storage_gib`, the replica's
`max_standby_streaming_delay`). Every dimension names a contract output of another stack
(`Source`), never a name spelled here, so an alarm watches what the stacks made.

Plain data, no provider imports (the stack, the docs test and `ops` read it alike).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from config.checks import Range, Rule, validate
from config.errors import ConfigError
from config.estate import new_resource_name, resource_prefix

if TYPE_CHECKING:  # the config classes import nothing from here; the import is for types only
    from config.environment import EnvironmentConfig

GIB = 1024**3


@dataclass(frozen=True)
class MonitoringConfig:
    """The alarms' thresholds that are choices (the others come from the resources' config)
    and who hears of them. Each field says why its value."""

    emails: tuple[str, ...] = ()
    """Who the alarms topic e-mails (the on-call); each address confirms once. Default: none
    (subscribe later: the topic is there, and `python -m ops alarms` reads the states)."""
    alb_5xx_percent: int = 5
    """ALB: 5xx answers (the targets' and the ALB's own) as % of requests, 2 periods of
    5 minutes. The stores' apps retry; at 5% a sync in three fails at least once."""
    alb_min_requests: int = 50
    """ALB: requests in 5 minutes below which the 5xx rate is not judged (at night one failed
    request in three is not an outage)."""
    primary_cpu_percent: int = 80
    """Primary: average CPU %, 3 periods of 5 minutes. A burstable class (db.t3) above 80%
    for 15 minutes spends its CPU credits, then every query slows."""
    free_storage_percent: int = 10
    """Primary: free storage as % of `database.allocated_storage_gib`, 3 periods of
    5 minutes. Storage autoscaling grows the disk below 10% free; still below it 15 minutes
    later, it could not (`max_allocated_storage_gib` reached, or 6 h since it last grew)."""
    db_connections: int = 320
    """Primary: connections, the most in 5 minutes, 3 periods. db.t3.medium allows about 400
    (RDS's `LEAST(DBInstanceClassMemory/9531392, 5000)`); 80% leaves room for the ETL and a
    person's psql."""
    nat_dropped_packets: int = 100
    """NAT gateway: packets dropped in 5 minutes, 3 periods in a row. A few drops are normal;
    sustained drops mean the ETL's and the backend's calls out (La Granja aside) fail."""

    RULES: ClassVar[tuple[Rule, ...]] = (
        Range("alb_5xx_percent", 1, 100, "%"),
        Range("alb_min_requests", 1, 100000, "requests"),
        Range("primary_cpu_percent", 1, 100, "%"),
        Range("free_storage_percent", 1, 50, "%"),
        Range("db_connections", 1, 5000, "connections"),
        Range("nat_dropped_packets", 1, 1000000, "packets"),
    )

    def __post_init__(self) -> None:
        validate(self, "monitoring", self.RULES)
        for email in self.emails:
            if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", email):
                raise ConfigError.invalid("monitoring.emails", email, "is not an e-mail address")


@dataclass(frozen=True)
class Source:
    """A dimension's value: contract output `output` of `stack` (`stacks/contract.py`),
    element `index` of a list output."""

    stack: str
    output: str
    index: int | None = None


@dataclass(frozen=True)
class Metric:
    namespace: str
    name: str
    statistic: str
    dimensions: tuple[tuple[str, Source], ...]


@dataclass(frozen=True)
class Alarm:
    """One alarm: its metric (or metric math over `metrics`), threshold, why and what to run."""

    key: str
    """The alarm's name is `<resource prefix>-<key with '-'>` (`fluxion-production-...`)."""
    title: str
    metrics: tuple[tuple[str, Metric], ...]
    """Query id -> metric; with one metric and no `expression`, the alarm is on it."""
    comparison: str
    threshold: float
    period: int
    """Seconds per evaluated period."""
    periods: int
    """Periods in a row over the threshold before the alarm fires."""
    shown: str
    """The threshold as the docs' table and the description say it."""
    why: str
    run: str
    """What the on-call runs when it fires."""
    expression: str = ""
    missing: str = "notBreaching"
    """CloudWatch's `treat_missing_data`: `breaching` where no data means the thing is gone."""

    def name(self, environment: str) -> str:
        return alarm_prefix(environment) + self.key.replace("_", "-")

    def description(self) -> str:
        """The alarm's description: what crossed what, why it matters, what to run."""
        return f"{self.title}: {self.shown}. Why: {self.why} Run: {self.run}"


ANSWERED = "(FILL(requests, 0) + FILL(elb, 0))"
"""Every request the ALB answered: RequestCount counts only the targets' answers, so the ALB's
own 5xx (no healthy target) are added, or an outage would read as 0%."""
MAX_ALARM_METRICS = 10
"""CloudWatch's limit of metrics one alarm may read (PutMetricAlarm)."""

ABOVE, AT_LEAST, BELOW = (
    "GreaterThanThreshold",
    "GreaterThanOrEqualToThreshold",
    "LessThanThreshold",
)
COMPARISONS = {ABOVE: ">", AT_LEAST: ">=", BELOW: "<"}


def _one(namespace: str, name: str, statistic: str, **dims: Source) -> tuple[tuple[str, Metric]]:
    return (("m", Metric(namespace, name, statistic, tuple(dims.items()))),)


def standby_delay_seconds(config: EnvironmentConfig) -> int:
    """The replica's `max_standby_streaming_delay` in seconds (the guide's 900 s): how long
    the replica may hold WAL back for a conflicting query. Lag beyond it is not a long query:
    the replica is not keeping up."""
    found = dict(config.database.replica_extra_parameters).get("max_standby_streaming_delay")
    if found is None:
        raise ConfigError.invalid(
            "database.replica_extra_parameters",
            "max_standby_streaming_delay",
            "is missing: the replica lag alarm's threshold is that delay",
        )
    return int(found) // 1000


def alarms(config: EnvironmentConfig) -> tuple[Alarm, ...]:
    """Every alarm of `config`'s environment, in the dashboard's order."""
    return (*_service(config), *_database(config), *_etl(config), *_network(config))


def _service(config: EnvironmentConfig) -> tuple[Alarm, ...]:
    m, desired = config.monitoring, config.compute.desired_count
    cluster = Source("compute", "cluster_name")
    lb, tg = Source("compute", "alb_arn_suffix"), Source("compute", "target_group_arn_suffix")
    elb, by_lb = "AWS/ApplicationELB", (("LoadBalancer", lb),)
    return (
        Alarm(
            "backend_running_tasks",
            "Backend tasks running",
            _one("ECS/ContainerInsights", "RunningTaskCount", "Minimum", ClusterName=cluster,
                 ServiceName=Source("compute", "service_name")),
            BELOW, desired, 60, 5, f"fewer than {desired} (compute.desired_count) for 5 minutes",
            "the stores' apps call the backend; a rollout starts new tasks before it stops old "
            "ones, so fewer than desired means tasks crash or cannot start (image, secret, "
            "health check).",
            "python -m ops status; python -m ops logs backend; to go back: python -m ops "
            "rollback-backend",
            missing="breaching",
        ),
        Alarm(
            "alb_5xx_rate",
            "ALB 5xx rate",
            (
                ("target", Metric(elb, "HTTPCode_Target_5XX_Count", "Sum", by_lb)),
                ("elb", Metric(elb, "HTTPCode_ELB_5XX_Count", "Sum", by_lb)),
                ("requests", Metric(elb, "RequestCount", "Sum", by_lb)),
            ),
            ABOVE, m.alb_5xx_percent, 300, 2,
            f"above {m.alb_5xx_percent}% of requests for 10 minutes (from "
            f"{m.alb_min_requests} requests in 5 minutes)",
            "5xx answers are the backend failing or the ALB finding no healthy target (the "
            "ALB's own 503s count as requests: RequestCount has only the targets' answers).",
            "python -m ops status; python -m ops logs backend",
            expression=f"IF({ANSWERED} >= {m.alb_min_requests}, "
            f"100 * (FILL(target, 0) + FILL(elb, 0)) / {ANSWERED}, 0)",
        ),
        Alarm(
            "alb_unhealthy_targets",
            "ALB unhealthy targets",
            _one(elb, "UnHealthyHostCount", "Maximum", TargetGroup=tg, LoadBalancer=lb),
            ABOVE, 0, 60, 3, "any for 3 minutes",
            "a task the ALB takes out of service fails its health check; the others carry "
            "its requests until ECS replaces it.",
            "python -m ops status; python -m ops logs backend",
        ),
    )  # fmt: skip


def _database(config: EnvironmentConfig) -> tuple[Alarm, ...]:
    m, db = config.monitoring, config.database
    primary = Source("data", "primary_identifier")
    free = db.allocated_storage_gib * m.free_storage_percent // 100
    found = (
        Alarm(
            "primary_cpu",
            "Primary CPU",
            _one("AWS/RDS", "CPUUtilization", "Average", DBInstanceIdentifier=primary),
            ABOVE, m.primary_cpu_percent, 300, 3, f"above {m.primary_cpu_percent}% for 15 minutes",
            "a burstable instance spends its CPU credits, then every query slows.",
            "python -m ops status; the slow queries are in the primary's PostgreSQL log group",
        ),
        Alarm(
            "primary_free_storage",
            "Primary free storage",
            _one("AWS/RDS", "FreeStorageSpace", "Minimum", DBInstanceIdentifier=primary),
            BELOW, free * GIB, 300, 3,
            f"below {free} GiB ({m.free_storage_percent}% of "
            f"{db.allocated_storage_gib} GiB) for 15 minutes",
            "storage autoscaling did not grow the disk (ceiling "
            f"{db.max_allocated_storage_gib} GiB, or 6 h since it last grew); a full "
            "disk stops writes.",
            "python -m ops status; raise database.max_allocated_storage_gib and apply data's "
            "reviewed plan",
        ),
        Alarm(
            "primary_connections",
            "Primary connections",
            _one("AWS/RDS", "DatabaseConnections", "Maximum", DBInstanceIdentifier=primary),
            ABOVE, m.db_connections, 300, 3, f"above {m.db_connections} for 15 minutes",
            "near max_connections new connections are refused: the backend and the ETL fail.",
            "python -m ops status; python -m ops logs backend (a pool that leaks)",
        ),
    )  # fmt: skip
    if not config.features.replica:
        return found
    delay = standby_delay_seconds(config)
    lag = Alarm(
        "replica_lag",
        "Replica lag",
        _one(
            "AWS/RDS",
            "ReplicaLag",
            "Maximum",
            DBInstanceIdentifier=Source("data", "replica_identifier"),
        ),
        ABOVE, delay, 60, 5,
        f"above {delay} s (the replica's max_standby_streaming_delay) for 5 minutes",
        "the backend reads from the replica: its answers are that old, and past the delay it "
        "is not a long query holding WAL back but a replica not keeping up.",
        "python -m ops status",
    )  # fmt: skip
    return (*found, lag)


def _etl(config: EnvironmentConfig) -> tuple[Alarm, ...]:
    schedules = len(config.compute.schedules)
    if schedules > MAX_ALARM_METRICS:
        raise ConfigError.invalid(
            "compute.schedules",
            schedules,
            f"schedules: at most {MAX_ALARM_METRICS}, the metrics one alarm may read (the "
            "failed invocations alarm reads each rule's); split the alarm first",
        )
    if not schedules:
        return ()
    rules = {
        f"rule{i}": Metric(
            "AWS/Events",
            "FailedInvocations",
            "Sum",
            (("RuleName", Source("compute", "schedule_rule_names", i)),),
        )
        for i, _ in enumerate(config.compute.schedules)
    }
    return (
        Alarm(
            "etl_schedule_failures",
            "ETL schedules' failed invocations",
            tuple(rules.items()),
            ABOVE, 0, 300, 1, "any in 5 minutes",
            "EventBridge could not start a scheduled ETL task (role or task definition "
            "refused): that run did not happen. Throttled starts are retried for up to 24 h "
            "and count only when they give up; a task that started and failed, or failed to "
            "start, is the etl-failures rule's message.",
            "python -m ops status (rule states, last runs); python -m ops run-etl <family>",
            expression=f"SUM([{', '.join(rules)}])",
        ),
    )  # fmt: skip


def _network(config: EnvironmentConfig) -> tuple[Alarm, ...]:
    m, nat = config.monitoring, Source("network", "nat_gateway_id")
    found = (
        Alarm(
            "nat_port_allocation_errors",
            "NAT port allocation errors",
            _one("AWS/NATGateway", "ErrorPortAllocation", "Sum", NatGatewayId=nat),
            ABOVE, 0, 300, 1, "any in 5 minutes",
            "the NAT gateway ran out of ports to one destination: new connections out fail.",
            "python -m ops logs etl; python -m ops logs backend (which calls fail)",
        ),
        Alarm(
            "nat_dropped_packets",
            "NAT dropped packets",
            _one("AWS/NATGateway", "PacketsDropCount", "Sum", NatGatewayId=nat),
            ABOVE, m.nat_dropped_packets, 300, 3,
            f"above {m.nat_dropped_packets} in 5 minutes, 15 minutes in a row",
            "sustained drops mean calls out of the private subnets fail.",
            "python -m ops logs etl; python -m ops logs backend",
        ),
    )  # fmt: skip
    if not config.features.bridge:
        return found
    bridge = Alarm(
        "bridge_status_check",
        "WireGuard bridge status checks",
        _one(
            "AWS/EC2",
            "StatusCheckFailed",
            "Maximum",
            InstanceId=Source("network", "wireguard_instance_id"),
        ),
        AT_LEAST, 1, 60, 5, "failed (or no data) for 5 minutes",
        "the bridge is the only way to La Granja's SQL Server: the sales ETL stops.",
        "python -m ops restart-bridge (it reports wg show and a ping of La Granja)",
        missing="breaching",
    )  # fmt: skip
    return (*found, bridge)


def etl_failure_pattern(config: EnvironmentConfig) -> dict[str, Any]:
    """EventBridge pattern: an ETL task (any family of the environment's `ETL_TASKS`) stopped
    with a container's exit code other than 0, or that failed to start (`TaskFailedToStart`:
    an image it could not pull, a secret it could not read, no address in the subnet: no exit
    code then). ECS sends it for scheduled runs and `python -m ops run-etl` alike (`group` is
    `family:<family>` for both); the backend's tasks are not ETL families."""
    families = sorted(family for family, _ in config.names.etl_tasks.values())
    return {
        "source": ["aws.ecs"],
        "detail-type": ["ECS Task State Change"],
        "detail": {
            "lastStatus": ["STOPPED"],
            "group": [f"family:{family}" for family in families],
            "$or": [
                {"containers": {"exitCode": [{"anything-but": 0}]}},
                {"stopCode": ["TaskFailedToStart"]},
            ],
        },
    }


def etl_failure_rule_name(environment: str) -> str:
    """The ETL failure rule: `fluxion-production-etl-failures` (the stack names it, the topic
    lets it publish, the guardrail keeps CI roles off it)."""
    return new_resource_name(environment, "etl-failures")


def alarm_prefix(environment: str) -> str:
    """What every alarm's name starts with (`Alarm.name`): `fluxion-production-`."""
    return f"{resource_prefix(environment)}-"


def topic_name(environment: str) -> str:
    """The alarms' notification topic: `fluxion-production-alarms`."""
    return new_resource_name(environment, "alarms")


def dashboard_name(environment: str) -> str:
    """The environment's dashboard: `fluxion-production`."""
    return resource_prefix(environment)


ETL_FAILURE_RUN = "python -m ops status; python -m ops logs etl"
