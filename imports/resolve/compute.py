"""ECS cluster, service, task definitions (live revisions), roles, ECR, ALB, EventBridge."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from config.estate import (
    BACKEND_FAMILY,
    CONTAINERS,
    ETL_TASKS,
    log_group_name,
    repository_name,
    schedule_key,
)
from imports.resolve.context import ResolveContext, name_from_arn
from imports.resolve.shared import log_group, role_entries

TASK_PATHS = {family: f"{key}/definition" for key, (family, _) in ETL_TASKS.items()}
TASK_PATHS[BACKEND_FAMILY] = "backend_task/definition"


def resolve(ctx: ResolveContext) -> None:
    cfg = ctx.env.compute
    ecs = ctx.client("ecs")
    clusters = ecs.describe_clusters(clusters=[cfg.cluster_name], include=["SETTINGS"])["clusters"]
    if not clusters or clusters[0].get("status") != "ACTIVE":
        ctx.note(f"compute: cluster {cfg.cluster_name} not found")
        return
    cluster = clusters[0]
    ctx.add(
        "compute",
        "cluster",
        "aws_ecs_cluster",
        cfg.cluster_name,
        "ecs.describe_clusters",
        setting=cluster.get("settings", []),
    )
    task_arns: dict[str, str] = {}
    services = ecs.describe_services(cluster=cfg.cluster_name, services=[cfg.service_name])
    for service in services["services"]:
        if service.get("status") != "ACTIVE":
            continue
        ctx.add(
            "compute",
            "backend_service/service",
            "aws_ecs_service",
            f"{cfg.cluster_name}/{cfg.service_name}",
            "ecs.describe_services",
            desired_count=service["desiredCount"],
        )
        task_arns[BACKEND_FAMILY] = service["taskDefinition"]
        awsvpc = service.get("networkConfiguration", {}).get("awsvpcConfiguration", {})
        if len(awsvpc.get("securityGroups", [])) == 1:
            ctx.facts.setdefault("security_groups", {})["backend"] = awsvpc["securityGroups"][0]
    _rules(ctx, task_arns)
    for family in TASK_PATHS:
        if family not in task_arns:  # not behind the service or a rule: its newest revision
            listed = ecs.list_task_definitions(familyPrefix=family, status="ACTIVE", sort="DESC")
            exact = [
                a
                for a in listed["taskDefinitionArns"]
                if a.rsplit("/", 1)[1].rsplit(":", 1)[0] == family
            ]
            if exact:
                task_arns[family] = exact[0]
    _task_definitions(ctx, task_arns)
    for name in CONTAINERS:
        _repository(ctx, name)
        log_group(ctx, "compute", f"{name}_logs", log_group_name(name))
    _load_balancer(ctx)


def _task_definitions(ctx: ResolveContext, task_arns: dict[str, str]) -> None:
    ecs = ctx.client("ecs")
    roles: dict[str, str] = {}
    for family, arn in sorted(task_arns.items()):
        if family not in TASK_PATHS:
            continue
        task = ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]
        ctx.add(
            "compute",
            TASK_PATHS[family],
            "aws_ecs_task_definition",
            arn,
            "live revision (service / rule target / newest ACTIVE)",
            family=family,
            revision=task["revision"],
        )
        if task.get("executionRoleArn"):
            roles["roles/execution"] = name_from_arn(task["executionRoleArn"])
        if task.get("taskRoleArn"):
            key = "roles/backend_task" if family == BACKEND_FAMILY else "roles/etl_task"
            roles[key] = name_from_arn(task["taskRoleArn"])
    inline = {
        "roles/execution": ["roles/execution_policy"],
        "roles/backend_task": ["roles/backend_exec"],
        "roles/etl_task": [],
    }
    for path, role in sorted(roles.items()):
        role_entries(ctx, "identity", path, role, inline_paths=inline[path])


def _rules(ctx: ResolveContext, task_arns: dict[str, str]) -> None:
    events = ctx.client("events")
    events_role = None
    for schedule in ctx.env.compute.schedules:
        key = schedule_key(schedule.name)
        try:
            rule = events.describe_rule(Name=schedule.name)
        except ClientError:
            ctx.note(f"compute: rule {schedule.name} does not exist")
            continue
        ctx.add(
            "compute",
            f"{key}/rule",
            "aws_cloudwatch_event_rule",
            schedule.name,
            "events.describe_rule",
            state=rule["State"],
            schedule_expression=rule.get("ScheduleExpression"),
        )
        targets = events.list_targets_by_rule(Rule=schedule.name)["Targets"]
        if len(targets) != 1:
            ctx.note(f"compute: rule {schedule.name} has {len(targets)} targets; the code has 1")
            continue
        target = targets[0]
        ecs = target.get("EcsParameters", {})
        live: dict[str, Any] = {}
        if target.get("Input"):
            live["input"] = json.loads(target["Input"])
        ctx.add(
            "compute",
            f"{key}/target",
            "aws_cloudwatch_event_target",
            f"{schedule.name}/{target['Id']}",
            "events.list_targets_by_rule",
            **live,
        )
        if ecs.get("TaskDefinitionArn"):
            task_arns.setdefault(schedule.task, ecs["TaskDefinitionArn"])
        groups = ecs.get("NetworkConfiguration", {}).get("awsvpcConfiguration", {})
        if len(groups.get("SecurityGroups", [])) == 1:
            ctx.facts.setdefault("security_groups", {})["etl"] = groups["SecurityGroups"][0]
        events_role = events_role or target.get("RoleArn")
    if events_role:
        role_entries(
            ctx,
            "identity",
            "roles/events",
            name_from_arn(events_role),
            inline_paths=["roles/events_run_task"],
        )


def _repository(ctx: ResolveContext, name: str) -> None:
    ecr = ctx.client("ecr")
    repo = repository_name(name)
    try:
        ecr.describe_repositories(repositoryNames=[repo])
    except ClientError:
        ctx.note(f"compute: ECR repository {repo} does not exist")
        return
    ctx.add(
        "compute",
        f"{name}_repository/repository",
        "aws_ecr_repository",
        repo,
        "ecr.describe_repositories",
    )
    try:
        ecr.get_lifecycle_policy(repositoryName=repo)
    except ClientError:
        ctx.note(f"compute: {repo} has no lifecycle policy yet (will be created)")
        return
    ctx.add(
        "compute",
        f"{name}_repository/lifecycle",
        "aws_ecr_lifecycle_policy",
        repo,
        "ecr.get_lifecycle_policy",
    )


def _load_balancer(ctx: ResolveContext) -> None:
    elb = ctx.client("elbv2")
    try:
        (alb,) = elb.describe_load_balancers(Names=[ctx.env.compute.alb_name])["LoadBalancers"]
    except ClientError:
        ctx.note(f"compute: load balancer {ctx.env.compute.alb_name} not found")
        return
    attributes = elb.describe_load_balancer_attributes(LoadBalancerArn=alb["LoadBalancerArn"])
    values = {a["Key"]: a["Value"] for a in attributes["Attributes"]}
    # Scheme is optional in responses (an emulator omits it); absent means internet-facing.
    live: dict[str, Any] = {"internal": alb.get("Scheme") == "internal"}
    if "idle_timeout.timeout_seconds" in values:
        live["idle_timeout"] = int(values["idle_timeout.timeout_seconds"])
    ctx.add(
        "compute",
        "lb/alb",
        "aws_lb",
        alb["LoadBalancerArn"],
        "elbv2.describe_load_balancers",
        **live,
    )
    if len(alb.get("SecurityGroups", [])) == 1:
        ctx.facts.setdefault("security_groups", {})["alb"] = alb["SecurityGroups"][0]
    for listener in elb.describe_listeners(LoadBalancerArn=alb["LoadBalancerArn"])["Listeners"]:
        if listener["Port"] != 80:
            ctx.note(f"compute: listener on port {listener['Port']} is not in the code")
            continue
        ctx.add(
            "compute",
            "lb/http",
            "aws_lb_listener",
            listener["ListenerArn"],
            "elbv2.describe_listeners port 80",
        )
    groups = elb.describe_target_groups(LoadBalancerArn=alb["LoadBalancerArn"])["TargetGroups"]
    if len(groups) == 1:
        ctx.add(
            "compute",
            "lb/backend",
            "aws_lb_target_group",
            groups[0]["TargetGroupArn"],
            "elbv2.describe_target_groups",
            port=groups[0]["Port"],
        )
