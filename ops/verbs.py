"""The guide's runbooks, one function each; IDs from the stacks' outputs and config."""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from config import EnvironmentConfig
from config.estate import ETL_TASKS
from ops import alarms
from ops.calls import Call, CallRunner
from ops.errors import OpsError
from ops.outputs import Outputs

BRIDGE_SERVICE = "wg-quick@wg0"
SSM_DOCUMENT = "AWS-RunShellScript"


def etl_families(config: EnvironmentConfig) -> dict[str, str]:
    """ETL task definition family, as the environment names it -> the script its container
    runs (`ETL_MODE`)."""
    return {config.names(family): script for family, script in ETL_TASKS.values()}


@dataclass
class OpsContext:
    config: EnvironmentConfig
    outputs: Outputs
    runner: CallRunner
    say: Callable[[str], None]
    now: Callable[[], datetime.datetime] = lambda: datetime.datetime.now(datetime.UTC)
    sleep: Callable[[float], None] = time.sleep


def _service(ctx: OpsContext) -> dict[str, str]:
    return {
        "cluster": ctx.outputs.get("compute", "cluster_name"),
        "service": ctx.outputs.get("compute", "service_name"),
    }


def run_etl(ctx: OpsContext, family: str, args: list[str]) -> int:
    """`aws ecs run-task` of an ETL family, in the ETL subnet with the ETL security group."""
    families = etl_families(ctx.config)
    if family not in families:
        raise OpsError(f"run-etl: task {family!r} is not an ETL task; one of {sorted(families)}")
    command = ["python", families[family], *args]
    network = {
        "subnets": [ctx.outputs.get("network", "etl_subnet_id")],
        "securityGroups": [ctx.outputs.get("network", "etl_security_group_id")],
        "assignPublicIp": "DISABLED",
    }
    call = Call(
        "ecs",
        "run_task",
        {
            "cluster": ctx.outputs.get("compute", "cluster_name"),
            "taskDefinition": family,
            "launchType": "FARGATE",
            "networkConfiguration": {"awsvpcConfiguration": network},
            "overrides": {"containerOverrides": [{"name": "etl", "command": command}]},
            "startedBy": "ops-run-etl",
        },
    )
    done = ctx.runner.change([call], f"run {family} ({' '.join(command)}) now?")
    if done:
        tasks = done[0].get("tasks", [])
        failures = done[0].get("failures", [])
        if failures or not tasks:
            raise OpsError(f"run-etl: ECS did not start the task: {failures}")
        ctx.say(f"started {tasks[0]['taskArn']}; follow it: python -m ops logs etl")
    return 0


def _repository(ctx: OpsContext) -> str:
    url = str(ctx.outputs.get("compute", "backend_repository_url"))
    return url.split("/", 1)[1]


def _images(ctx: OpsContext, repository: str) -> list[dict[str, Any]] | None:
    found = ctx.runner.read(Call("ecr", "describe_images", {"repositoryName": repository}))
    if found is None:
        return None
    details = [d for d in found.get("imageDetails", []) if d.get("imageTags")]
    return sorted(details, key=lambda d: d["imagePushedAt"], reverse=True)


def rollback_backend(ctx: OpsContext, to: str | None) -> int:
    """Lists the backend's images; with `--to`, runs that one the way the code references it."""
    repository = _repository(ctx)
    images = _images(ctx, repository)
    for image in (images or [])[:10]:
        pushed = image["imagePushedAt"]
        ctx.say(f"  {pushed:%Y-%m-%d %H:%M}  {', '.join(sorted(image['imageTags']))}")
    if to is None:
        ctx.say("choose one: python -m ops rollback-backend --to <tag>")
        return 0
    if images is not None and not any(to in i["imageTags"] for i in images):
        raise OpsError(f"rollback-backend: tag {to!r} is not in repository {repository}")
    if ctx.config.hardening.immutable_images:
        raise OpsError(
            f"rollback-backend: with immutable images the task definitions run "
            f"compute.image_tag; set it to {to!r} in config/environments.py and apply the "
            "reviewed plan of compute"
        )
    # adopt: the live task definition runs `:latest` (the seed's pipeline): point it at `to`
    manifest = _manifest(ctx, repository, to)
    calls = [
        Call(
            "ecr",
            "put_image",
            {"repositoryName": repository, "imageManifest": manifest, "imageTag": "latest"},
        ),
        Call("ecs", "update_service", _service(ctx) | {"forceNewDeployment": True}),
    ]
    if ctx.runner.change(calls, f"point {repository}:latest at {to} and redeploy the backend?"):
        ctx.say(f"{repository}:latest is {to}; the service is rolling (python -m ops status)")
    return 0


def _manifest(ctx: OpsContext, repository: str, tag: str) -> str:
    found = ctx.runner.read(
        Call(
            "ecr",
            "batch_get_image",
            {"repositoryName": repository, "imageIds": [{"imageTag": tag}]},
        )
    )
    if found is None:
        return f"<the manifest of {repository}:{tag}>"
    return str(found["images"][0]["imageManifest"])


def scale_backend(ctx: OpsContext, count: int) -> int:
    """Sets the service's desired count, within `compute.max_desired_count`."""
    cfg = ctx.config.compute
    if not 1 <= count <= cfg.max_desired_count:
        raise OpsError(
            f"scale-backend: {count} is outside 1..{cfg.max_desired_count} "
            "(compute.max_desired_count in config/environments.py)"
        )
    call = Call("ecs", "update_service", _service(ctx) | {"desiredCount": count})
    if ctx.runner.change([call], f"set the backend to {count} tasks?"):
        ctx.say(f"desired count is {count}")
    ctx.say(
        f"the code holds desired_count={cfg.desired_count}: the next deploy of compute returns "
        f"to it; to return now: python -m ops scale-backend {cfg.desired_count}"
    )
    return 0


def restart_bridge(ctx: OpsContext, wait_seconds: float) -> int:
    """Restarts WireGuard over SSM, then reports `wg show` and a ping of La Granja."""
    eni = ctx.outputs.get("network", "wireguard_eni_id")
    found = ctx.runner.read(
        Call("ec2", "describe_network_interfaces", {"NetworkInterfaceIds": [eni]})
    )
    instance = (
        found["NetworkInterfaces"][0]["Attachment"]["InstanceId"]
        if found
        else f"<the instance attached to {eni}>"
    )
    gateway = ctx.config.compute.vpn_gateway_ip
    script = [f"systemctl restart {BRIDGE_SERVICE}", "wg show", f"ping -c 3 -W 2 {gateway}"]
    call = Call(
        "ssm",
        "send_command",
        {
            "InstanceIds": [instance],
            "DocumentName": SSM_DOCUMENT,
            "Parameters": {"commands": script},
            "Comment": "python -m ops restart-bridge",
        },
    )
    done = ctx.runner.change([call], f"restart {BRIDGE_SERVICE} on {instance}?")
    if not done:
        return 0
    command_id = done[0]["Command"]["CommandId"]
    result = _wait_for_command(ctx, command_id, instance, wait_seconds)
    ctx.say(f"status: {result.get('Status')}")
    ctx.say(result.get("StandardOutputContent", "") or "(no output)")
    return 0 if result.get("Status") == "Success" else 1


def poll(
    ctx: OpsContext,
    call: Call,
    status: Callable[[Any], str],
    done: Callable[[str], bool],
    wait_seconds: float,
    interval: float,
) -> Any:
    """Read `call` every `interval` seconds until `done(status(result))` or `wait_seconds`
    have passed; returns the last result either way (the caller judges a timeout)."""
    deadline = time.monotonic() + wait_seconds
    while True:
        result = ctx.runner.read(call)
        if done(status(result)) or time.monotonic() > deadline:
            return result
        ctx.sleep(interval)


def _wait_for_command(
    ctx: OpsContext, command_id: str, instance: str, wait_seconds: float
) -> dict[str, Any]:
    call = Call("ssm", "get_command_invocation", {"CommandId": command_id, "InstanceId": instance})
    running = ("Pending", "InProgress", "Delayed")
    result: dict[str, Any] = poll(
        ctx, call, lambda r: str(r.get("Status")), lambda s: s not in running, wait_seconds, 3
    )
    if result.get("Status") in running:
        raise OpsError(f"restart-bridge: command {command_id} still {result['Status']}")
    return result


def instance_id(address: str) -> str:
    """An RDS endpoint's instance identifier: its first label."""
    return address.split(".", 1)[0]


def snapshot_db(ctx: OpsContext, wait_seconds: float) -> int:
    """A manual snapshot of the primary, named `manual-<UTC date and time>`; waits for it."""
    primary = instance_id(ctx.outputs.get("data", "primary_address"))
    name = f"manual-{ctx.now():%Y-%m-%d-%H%M}"
    call = Call(
        "rds",
        "create_db_snapshot",
        {"DBInstanceIdentifier": primary, "DBSnapshotIdentifier": name},
    )
    if not ctx.runner.change([call], f"snapshot {primary} as {name}?"):
        return 0
    snapshot = wait_for_snapshot(ctx, name, wait_seconds, 10)
    ctx.say(
        f"snapshot {name}: {snapshot['Status']}, {snapshot.get('AllocatedStorage')} GB; "
        f"delete when no longer needed: aws rds delete-db-snapshot --db-snapshot-identifier {name}"
    )
    return 0 if snapshot["Status"] == "available" else 1


def wait_for_snapshot(
    ctx: OpsContext, name: str, wait_seconds: float, interval: float, region: str | None = None
) -> dict[str, Any]:
    """The snapshot `name` (in `region`, default the environment's) once available, or as it
    is when `wait_seconds` have passed (the caller judges its status)."""
    describe = Call("rds", "describe_db_snapshots", {"DBSnapshotIdentifier": name}, region=region)
    found = poll(
        ctx,
        describe,
        lambda r: str(r["DBSnapshots"][0]["Status"]),
        lambda s: s == "available",
        wait_seconds,
        interval,
    )
    return dict(found["DBSnapshots"][0])


def status(ctx: OpsContext) -> int:
    """Alarms in ALARM first, then service counts, database status and storage, the last ETL
    runs, the rules' states; exit 1 when an alarm is in ALARM, the backend runs fewer tasks
    than desired or an instance is not available (the promotion's check: staging's status
    gates production's apply)."""
    unhealthy = _firing(ctx)
    service = _service(ctx)
    found = ctx.runner.read(
        Call(
            "ecs",
            "describe_services",
            {"cluster": service["cluster"], "services": [service["service"]]},
        )
    )
    unhealthy += _backend_health(ctx, found) if found is not None else []
    unhealthy += _databases(ctx)
    _etl_runs(ctx, service["cluster"])
    for schedule in ctx.config.compute.schedules:
        name = ctx.config.names(schedule.name)
        rule = ctx.runner.read(Call("events", "describe_rule", {"Name": name}))
        if rule is not None:
            expected = "ENABLED" if schedule.enabled else "DISABLED"
            note = "" if rule["State"] == expected else f"  (the code says {expected}: drift)"
            ctx.say(f"rule {name}: {rule['State']}{note}")
    return _verdict(ctx, unhealthy)


def _firing(ctx: OpsContext) -> list[str]:
    """The environment's alarms in ALARM, each with what to run (`python -m ops alarms` has
    them all), and those missing once monitoring is deployed. No alarm deployed is said, not
    judged: monitoring is a stack of its own. Alarms that cannot be read are said and judged
    (status cannot vouch for them), and the rest of the status still runs."""
    try:
        rows = alarms.read(ctx)
    except OpsError as err:  # a caller without cloudwatch:DescribeAlarms: the rest still helps
        ctx.say(f"alarms: not read ({err})")
        return ["alarms not read"]
    if rows is None:
        return []
    if not alarms.deployed(rows):
        ctx.say("alarms: none deployed (make deploy-stack STACK=monitoring)")
        return []
    firing = alarms.firing(rows)
    for row in firing:
        ctx.say(f"alarm{row.line()}")
    if not firing:
        ctx.say("alarms: none in ALARM")
    return alarms.problems(rows)


def _backend_health(ctx: OpsContext, found: dict[str, Any]) -> list[str]:
    """What is wrong with the backend service: missing, scaled to zero, fewer tasks running
    than desired, or its newest deployment not rolled out (old tasks may still be counted as
    running while a broken revision fails to start)."""
    unhealthy = [
        f"backend service {f.get('arn', '?')}: {f.get('reason')}" for f in found.get("failures", [])
    ]
    services = found.get("services", [])
    if not services and not unhealthy:
        unhealthy.append("backend service: not found")
    for svc in services:
        desired, running = svc["desiredCount"], svc["runningCount"]
        ctx.say(f"backend: desired {desired}, running {running}, pending {svc['pendingCount']}")
        if desired < 1:
            unhealthy.append("backend desires 0 tasks")
        elif running < desired:
            unhealthy.append(f"backend runs {running} of {desired} tasks")
        primary = [d for d in svc.get("deployments", []) if d.get("status") == "PRIMARY"]
        rollout = primary[0].get("rolloutState") if primary else None
        if rollout not in (None, "COMPLETED"):
            unhealthy.append(
                f"backend deployment {rollout}: {primary[0].get('rolloutStateReason', '')}"
            )
    return unhealthy


def _databases(ctx: OpsContext) -> list[str]:
    """Each instance once (without a replica the backend's reads are the primary's)."""
    unhealthy = []
    instances = dict.fromkeys(
        instance_id(ctx.outputs.get("data", key)) for key in ("primary_address", "replica_address")
    )
    for instance in instances:
        db = ctx.runner.read(
            Call("rds", "describe_db_instances", {"DBInstanceIdentifier": instance})
        )
        for row in (db or {}).get("DBInstances", []):
            ctx.say(
                f"{instance}: {row['DBInstanceStatus']}, {row['AllocatedStorage']} GB, "
                f"{row['DBInstanceClass']}"
            )
            if row["DBInstanceStatus"] != "available":
                unhealthy.append(f"{instance} is {row['DBInstanceStatus']}")
    return unhealthy


def _verdict(ctx: OpsContext, unhealthy: list[str]) -> int:
    """The last line: `healthy` (exit 0), or what is not (exit 1: a promotion stops here)."""
    ctx.say(f"unhealthy: {'; '.join(unhealthy)}" if unhealthy else "healthy")
    return 1 if unhealthy else 0


def _etl_runs(ctx: OpsContext, cluster: str, last: int = 5) -> None:
    for family in etl_families(ctx.config):
        listed = ctx.runner.read(
            Call(
                "ecs",
                "list_tasks",
                {"cluster": cluster, "family": family, "desiredStatus": "STOPPED"},
            )
        )
        arns = (listed or {}).get("taskArns", [])[:last]
        if not arns:
            if listed is not None:
                ctx.say(f"{family}: no recent runs")
            continue
        tasks = ctx.runner.read(Call("ecs", "describe_tasks", {"cluster": cluster, "tasks": arns}))
        for task in tasks.get("tasks", []):
            codes = [c.get("exitCode") for c in task.get("containers", [])]
            stopped = task.get("stoppedAt")
            when = f"{stopped:%Y-%m-%d %H:%M}" if stopped else "?"
            ctx.say(f"{family}: stopped {when}, exit {codes}, {task.get('stoppedReason', '')}")


def logs(ctx: OpsContext, container: str, minutes: int) -> int:
    """The last `minutes` of a container's log group (the guide's `aws logs tail`)."""
    start = int((ctx.now() - datetime.timedelta(minutes=minutes)).timestamp() * 1000)
    group = ctx.config.names.log_group(container)
    found = ctx.runner.read(
        Call("logs", "filter_log_events", {"logGroupName": group, "startTime": start})
    )
    for event in (found or {}).get("events", []):
        stamp = datetime.datetime.fromtimestamp(event["timestamp"] / 1000, datetime.UTC)
        ctx.say(f"{stamp:%H:%M:%S} {event['message'].rstrip()}")
    return 0


def shell(ctx: OpsContext, command: str) -> int:
    """The ECS Exec command for a running backend task (interactive: the Session Manager
    plugin runs it, not this process)."""
    service = _service(ctx)
    listed = ctx.runner.read(
        Call(
            "ecs",
            "list_tasks",
            {
                "cluster": service["cluster"],
                "serviceName": service["service"],
                "desiredStatus": "RUNNING",
            },
        )
    )
    task = "<a running backend task>"
    if listed is not None:
        arns = listed.get("taskArns", [])
        described = (
            ctx.runner.read(
                Call("ecs", "describe_tasks", {"cluster": service["cluster"], "tasks": arns})
            )
            if arns
            else {"tasks": []}
        )
        # the service's own tasks: ECS groups them as `service:<name>` (run-task: `family:`)
        mine = [t for t in described["tasks"] if t.get("group") == f"service:{service['service']}"]
        if not mine:
            raise OpsError(f"shell: no running task of {service['service']}")
        task = mine[0]["taskArn"]
    ctx.say(
        f"aws ecs execute-command --region {ctx.config.region} --cluster {service['cluster']} "
        f"--task {task} --container backend --interactive --command {command!r}"
    )
    return 0
