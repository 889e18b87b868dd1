"""What each resource type costs a month: its price components, from its Terraform values, the
environment's usage figures (`config/cost.py`) and the price catalog (`review/prices.json`).

A pricer returns one `Component` per thing AWS bills (hours, GB, requests), each with the
assumption behind its quantity. A type with no pricer is `free` when the catalog says why, or
`not priced`: the estimate lists it and never counts it as zero.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from config import ConfigError, EnvironmentConfig

CATALOG = Path(__file__).with_name("prices.json")
REFERENCE = re.compile(r"\$\{(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)\.")


@dataclass(frozen=True)
class Resource:
    """One resource of a stack: its Terraform type, address and (known) values."""

    stack: str
    type: str
    address: str
    values: dict[str, Any]


@dataclass(frozen=True)
class Component:
    """One billed quantity of one resource; `usd_per_unit` None means not priced."""

    stack: str
    address: str
    type: str
    name: str
    quantity: float
    unit: str
    usd_per_unit: float | None
    assumption: str = ""

    @property
    def monthly(self) -> float | None:
        return None if self.usd_per_unit is None else self.quantity * self.usd_per_unit


@dataclass(frozen=True)
class Catalog:
    prices: dict[str, dict[str, Any]]
    free: dict[str, str]
    hours: int

    @classmethod
    def load(cls, path: Path = CATALOG) -> Catalog:
        data = json.loads(path.read_text())
        return cls({p["key"]: p for p in data["prices"]}, data["free"], data["hours_per_month"])

    def usd(self, key: str) -> float:
        try:
            return float(self.prices[key]["usd"])
        except KeyError:
            raise ConfigError(
                f"{CATALOG.name}: no price {key!r}; add it (make cost-prices)"
            ) from None


@dataclass(frozen=True)
class Context:
    """What a pricer may read besides its resource: every resource, the config, the catalog."""

    resources: dict[tuple[str, str], Resource]
    env: EnvironmentConfig
    catalog: Catalog

    def referenced(self, stack: str, value: object, rtype: str) -> Resource | None:
        """The `rtype` resource that a `${type.name.attr}` reference in `value` names, or (a
        plan's resolved value) the one whose family or identifier `value` starts with."""
        text = str(value)
        for kind, name in REFERENCE.findall(text):
            if kind == rtype and (stack, f"{kind}.{name}") in self.resources:
                return self.resources[(stack, f"{kind}.{name}")]
        for (s, _), r in self.resources.items():
            key = r.values.get("family") or r.values.get("identifier")
            if s == stack and r.type == rtype and key and text.split("/")[-1].startswith(key):
                return r
        return None

    def one(self, r: Resource, name: str, quantity: float, unit: str, key: str,
            assumption: str = "") -> Component:  # fmt: skip
        usd = self.catalog.usd(key)
        return Component(r.stack, r.address, r.type, name, quantity, unit, usd, assumption)


Pricer = Callable[[Context, Resource], list[Component]]


def _fargate(ctx: Context, r: Resource, task: Resource, hours: float, why: str) -> list[Component]:
    vcpu = int(task.values.get("cpu", 0)) / 1024
    gb = int(task.values.get("memory", 0)) / 1024
    return [
        ctx.one(r, "Fargate vCPU", vcpu * hours, "vCPU-hour", "fargate.vcpu_hour", why),
        ctx.one(r, "Fargate memory", gb * hours, "GB-hour", "fargate.gb_hour", why),
    ]


def ecs_service(ctx: Context, r: Resource) -> list[Component]:
    task = ctx.referenced(r.stack, r.values.get("task_definition"), "aws_ecs_task_definition")
    if task is None:
        return [Component(r.stack, r.address, r.type, "tasks (task size unknown)", 0, "", None)]
    count = int(r.values.get("desired_count", 1))
    why = f"{count} task(s) of {task.values.get('cpu')} CPU units / {task.values.get('memory')} MiB"
    return _fargate(ctx, r, task, count * ctx.catalog.hours, why + ", all month")


def _field(spec: str, low: int, high: int) -> int:
    """How many values one cron field takes (`*`, `?`, lists, ranges, steps)."""
    seen: set[int] = set()
    for part in spec.split(","):
        base, _, step = part.partition("/")
        if base in ("*", "?"):
            start, end = low, high
        elif "-" in base:
            start, end = (int(x) for x in base.split("-"))
        else:
            start = end = int(base)
        seen.update(range(start, end + 1, int(step or 1)))
    return len(seen)


def runs_per_day(expression: str) -> float:
    """Runs a day of an EventBridge schedule (`cron(m h dom mon dow year)`, `rate(...)`);
    a day-of-month or weekday restriction counts as its share of a 30-day month."""
    if expression.startswith("rate("):
        amount, unit = expression[5:-1].split()
        per_day = {"minute": 1440, "minutes": 1440, "hour": 24, "hours": 24, "day": 1, "days": 1}
        return per_day[unit] / int(amount)
    minute, hour, dom, _, dow, _ = expression[5:-1].split()
    days = 30.0 if dom in ("*", "?") else _field(dom, 1, 31)
    if dow not in ("*", "?"):
        days = 30.0 * _field(dow.replace("L", ""), 1, 7) / 7
    return _field(minute, 0, 59) * _field(hour, 0, 23) * days / 30


def etl_target(ctx: Context, r: Resource) -> list[Component]:
    """An EventBridge target that runs an ECS task: the task's runs, priced as Fargate."""
    ecs = r.values.get("ecs_target")
    ecs = ecs[0] if isinstance(ecs, list) and ecs else ecs
    if not isinstance(ecs, dict):
        return []
    rule = ctx.referenced(r.stack, r.values.get("rule"), "aws_cloudwatch_event_rule")
    task = ctx.referenced(r.stack, ecs.get("task_definition_arn"), "aws_ecs_task_definition")
    if rule is None or task is None:
        return [Component(r.stack, r.address, r.type, "task runs (rule or task unknown)", 0, "",
                          None)]  # fmt: skip
    enabled = rule.values.get("state", "ENABLED") != "DISABLED" and rule.values.get(
        "is_enabled", True) is not False  # fmt: skip
    runs = runs_per_day(str(rule.values.get("schedule_expression"))) if enabled else 0.0
    minutes = ctx.env.cost.etl_minutes_per_run
    why = (f"{runs:g} run(s) a day ({rule.values.get('schedule_expression')}"
           f"{', disabled' if not enabled else ''}) x {minutes} min x 30 days")  # fmt: skip
    return _fargate(ctx, r, task, runs * 30 * minutes / 60, why)


def db_instance(ctx: Context, r: Resource) -> list[Component]:
    klass = str(r.values.get("instance_class"))
    hours = ctx.catalog.hours * (2 if r.values.get("multi_az") else 1)
    out = [ctx.one(r, f"instance {klass}", hours, "hour", f"rds.instance_hour.{klass}",
                   "all month" + (", Multi-AZ (two instances)" if hours > ctx.catalog.hours
                                  else ""))]  # fmt: skip
    gb, why = r.values.get("allocated_storage"), "allocated"
    source = r.values.get("replicate_source_db")
    if not gb and source:  # a replica's storage is its source's
        primary = next((x for x in ctx.resources.values() if x.type == r.type
                        and x.values.get("identifier") == source), None)  # fmt: skip
        gb, why = (primary.values.get("allocated_storage") if primary else None), f"as {source}"
    out.append(ctx.one(r, "storage gp3", float(gb or 0), "GB-month", "rds.gp3_gb_month", why))
    if r.values.get("manage_master_user_password"):
        out.append(ctx.one(r, "master password secret (RDS-managed)", 1, "secret-month",
                           "secrets.secret_month", "one secret RDS creates"))  # fmt: skip
    return out


def instance(ctx: Context, r: Resource) -> list[Component]:
    kind = str(r.values.get("instance_type"))
    root = r.values.get("root_block_device")
    size = (root[0] if isinstance(root, list) and root else root or {}).get("volume_size")
    gb = float(size or ctx.env.cost.ebs_root_volume_gb)
    return [
        ctx.one(r, f"instance {kind}", ctx.catalog.hours, "hour", f"ec2.instance_hour.{kind}",
                "all month"),
        ctx.one(r, "root volume gp3", gb, "GB-month", "ebs.gp3_gb_month",
                "set in the code" if size else "the AMI's default (config)"),
    ]  # fmt: skip


def nat_gateway(ctx: Context, r: Resource) -> list[Component]:
    gb = ctx.env.cost.nat_processed_gb_per_month
    return [
        ctx.one(r, "NAT gateway hours", ctx.catalog.hours, "hour", "nat.hour", "all month"),
        ctx.one(r, "data processed", gb, "GB", "nat.gb", "config: nat_processed_gb_per_month"),
    ]


def eip(ctx: Context, r: Resource) -> list[Component]:
    return [ctx.one(r, "public IPv4 address", ctx.catalog.hours, "address-hour", "ipv4.hour",
                    "one address all month")]  # fmt: skip


def load_balancer(ctx: Context, r: Resource) -> list[Component]:
    lcu = ctx.env.cost.alb_lcu_hours_per_month
    out = [
        ctx.one(r, "load balancer hours", ctx.catalog.hours, "hour", "alb.hour", "all month"),
        ctx.one(r, "capacity units", lcu, "LCU-hour", "alb.lcu_hour",
                "config: alb_lcu_hours_per_month"),
    ]  # fmt: skip
    if not r.values.get("internal"):
        azs = len(ctx.env.network.public_subnets)
        why = f"internet-facing: one address per subnet ({azs})"
        hours = azs * ctx.catalog.hours
        out.append(ctx.one(r, "public IPv4 addresses", hours, "address-hour", "ipv4.hour", why))
    return out


def distribution(ctx: Context, r: Resource) -> list[Component]:
    count = sum(1 for x in ctx.resources.values() if x.type == r.type) or 1
    gb = ctx.env.cost.cloudfront_transfer_gb_per_month / count
    requests = ctx.env.cost.cloudfront_requests_thousands_per_month / count
    why = f"config: the distributions' figure split evenly over {count}"
    return [
        ctx.one(r, "data transfer out", gb, "GB", "cloudfront.gb", why),
        ctx.one(r, "HTTPS requests", requests / 10, "10,000 requests", "cloudfront.https_10k", why),
    ]


def bucket(ctx: Context, r: Resource) -> list[Component]:
    name = str(r.values.get("bucket"))
    gb = ctx.env.cost.stored_gb(name)
    why = (
        "config: s3_stored_gb" if gb is not None else "no figure in config.cost.s3_stored_gb: 0 GB"
    )
    return [ctx.one(r, "S3 Standard storage", float(gb or 0), "GB-month",
                    "s3.standard_gb_month", why)]  # fmt: skip


def secret(ctx: Context, r: Resource) -> list[Component]:
    return [
        ctx.one(r, "secret", 1, "secret-month", "secrets.secret_month", "API calls not counted")
    ]


def log_group(ctx: Context, r: Resource) -> list[Component]:
    name = str(r.values.get("name"))
    gb = ctx.env.cost.log_gb(name)
    days = int(r.values.get("retention_in_days") or 0) or 3653
    why = ("config: log_ingested_gb_per_month" if gb is not None
           else "no figure in config.cost.log_ingested_gb_per_month: 0 GB")  # fmt: skip
    stored = float(gb or 0) * min(days, 3653) / 30
    return [
        ctx.one(r, "logs ingested", float(gb or 0), "GB", "logs.ingested_gb", why),
        ctx.one(r, "logs stored", stored, "GB-month", "logs.stored_gb_month",
                f"{days} days kept, uncompressed (an upper bound)"),
    ]  # fmt: skip


def repository(ctx: Context, r: Resource) -> list[Component]:
    count = sum(1 for x in ctx.resources.values() if x.type == r.type) or 1
    gb = ctx.env.cost.ecr_stored_gb / count
    return [ctx.one(r, "image storage", gb, "GB-month", "ecr.gb_month",
                    f"config: ecr_stored_gb split evenly over {count} repositories")]  # fmt: skip


def kms_key(ctx: Context, r: Resource) -> list[Component]:
    return [ctx.one(r, "customer managed key", 1, "key-month", "kms.key_month", "requests free")]


def web_acl(ctx: Context, r: Resource) -> list[Component]:
    rules = len(r.values.get("rule") or [])
    millions = ctx.env.cost.cloudfront_requests_thousands_per_month / 1000
    return [
        ctx.one(r, "web ACL", 1, "web ACL-month", "waf.acl_month"),
        ctx.one(r, "rules", rules, "rule-month", "waf.rule_month", "managed rule groups"),
        ctx.one(r, "requests inspected", millions, "million requests", "waf.million_requests",
                "config: the distributions' requests"),
    ]  # fmt: skip


def log_delivery_destination(ctx: Context, r: Resource) -> list[Component]:
    gb = ctx.env.cost.cdn_log_gb_per_month
    return [ctx.one(r, "logs delivered to S3", gb, "GB", "logs.delivered_to_s3_gb",
                    "config: cdn_log_gb_per_month")]  # fmt: skip


def ecs_cluster(ctx: Context, r: Resource) -> list[Component]:
    settings = r.values.get("setting") or []
    insights = [s.get("value") for s in settings if s.get("name") == "containerInsights"]
    if not insights or insights[0] == "disabled":
        return []
    why = "billed per metric observation: no usage figure"
    name = f"Container Insights ({insights[0]})"
    return [Component(r.stack, r.address, r.type, name, 0, "observations", None, why)]


def metric_alarm(ctx: Context, r: Resource) -> list[Component]:
    """Standard resolution: billed per metric the alarm reads (metric math: each of its
    metrics; the expression itself is free)."""
    queries = [q for q in r.values.get("metric_query") or [] if q.get("metric")]
    metrics = len(queries) or 1
    return [ctx.one(r, "alarm metrics", metrics, "alarm metric-month",
                    "cloudwatch.alarm_metric_month", "standard resolution")]  # fmt: skip


def dashboard(ctx: Context, r: Resource) -> list[Component]:
    return [ctx.one(r, "dashboard", 1, "dashboard-month", "cloudwatch.dashboard_month",
                    "no free tier applied (an account's first 3 are free)")]  # fmt: skip


PRICERS: dict[str, Pricer] = {
    "aws_cloudwatch_metric_alarm": metric_alarm,
    "aws_cloudwatch_dashboard": dashboard,
    "aws_ecs_service": ecs_service,
    "aws_cloudwatch_event_target": etl_target,
    "aws_db_instance": db_instance,
    "aws_instance": instance,
    "aws_nat_gateway": nat_gateway,
    "aws_eip": eip,
    "aws_lb": load_balancer,
    "aws_cloudfront_distribution": distribution,
    "aws_s3_bucket": bucket,
    "aws_secretsmanager_secret": secret,
    "aws_cloudwatch_log_group": log_group,
    "aws_ecr_repository": repository,
    "aws_kms_key": kms_key,
    "aws_wafv2_web_acl": web_acl,
    "aws_cloudwatch_log_delivery_destination": log_delivery_destination,
    "aws_ecs_cluster": ecs_cluster,
}
