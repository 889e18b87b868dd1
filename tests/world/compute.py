"""The compute step's part of the world: ECR, logs, roles, ECS, the ALB, the ETL rules."""

from __future__ import annotations

import json
from typing import Any

from config import EnvironmentConfig
from config.estate import (
    BACKEND_FAMILY,
    CONTAINERS,
    ETL_TASKS,
    az_key,
    log_group_name,
    repository_name,
    schedule_key,
)
from tests.world.iam import make_role


def live_cron(unix_cron: str) -> str:
    """The EventBridge form AWS CDK deployed: `cron(m h dom mon ? *)`. Written here, not taken
    from `modules/cron.py`, so the resolver's tests do not lean on the code's own translation
    (`tests/test_cron.py` checks that one against the seed)."""
    minute, hour, dom, month, dow = unix_cron.split()
    assert dom == "*" and month == "*" and dow == "*", unix_cron  # all the seed's rules
    return f"cron({minute} {hour} * * ? *)"


def compute(
    client: Any,
    env: EnvironmentConfig,
    subnets: dict[str, str],
    sgs: dict[str, str],
    ids: dict[str, str],
) -> None:
    ecr = client("ecr")
    net, prefix = env.network, f"{env.cloudformation_stack}-"
    for name in CONTAINERS:
        ecr.create_repository(repositoryName=repository_name(name))
        ids[f"{name}_repository/repository"] = repository_name(name)
    ecr.put_lifecycle_policy(
        repositoryName=repository_name("backend"),
        lifecyclePolicyText=json.dumps(
            {
                "rules": [
                    {
                        "rulePriority": 1,
                        "selection": {
                            "tagStatus": "any",
                            "countType": "imageCountMoreThan",
                            "countNumber": 30,
                        },
                        "action": {"type": "expire"},
                    }
                ]
            }
        ),
    )
    ids["backend_repository/lifecycle"] = repository_name("backend")
    logs = client("logs")
    logs.create_log_group(logGroupName=log_group_name("backend"))
    logs.put_retention_policy(logGroupName=log_group_name("backend"), retentionInDays=7)
    ids["backend_logs"] = log_group_name("backend")
    ids["etl_logs"] = log_group_name("etl")  # created by the CloudFormation stack
    roles = {
        "roles/execution": (f"{prefix}ExecutionRole9A1B", True),
        "roles/backend_task": (f"{prefix}BackendTaskRole9A1B", True),
        "roles/etl_task": (f"{prefix}EtlTaskRole9A1B", False),
        "roles/events": (f"{prefix}EventsRole9A1B", True),
    }
    arns = {path: make_role(client, name, inline) for path, (name, inline) in roles.items()}
    for path, (name, inline) in roles.items():
        ids[path] = name
        if inline:
            policy = {
                "roles/execution": "execution_policy",
                "roles/backend_task": "backend_exec",
                "roles/events": "events_run_task",
            }[path]
            ids[f"roles/{policy}"] = f"{name}:{name}DefaultPolicy"
    ecs = client("ecs")
    cluster = ecs.create_cluster(
        clusterName=env.compute.cluster_name,
        settings=[{"name": "containerInsights", "value": "enhanced"}],
    )["cluster"]["clusterArn"]
    ids["cluster"] = env.compute.cluster_name
    # several revisions of some families: the resolver must pick the live (newest) one
    paths = {BACKEND_FAMILY: "backend_task/definition"} | {
        family: f"{key}/definition" for key, (family, _) in ETL_TASKS.items()
    }
    revisions = {family: 3 - min(i, 2) for i, family in enumerate(paths)}
    task_arns = {}
    for family, count in revisions.items():
        container = "backend" if family == BACKEND_FAMILY else "etl"
        for _ in range(count):
            task_arns[family] = ecs.register_task_definition(
                family=family,
                networkMode="awsvpc",
                requiresCompatibilities=["FARGATE"],
                cpu="1024",
                memory="2048",
                executionRoleArn=arns["roles/execution"],
                taskRoleArn=arns[
                    "roles/backend_task" if container == "backend" else "roles/etl_task"
                ],
                containerDefinitions=[
                    {"name": container, "image": f"{repository_name(container)}:latest"}
                ],
            )["taskDefinition"]["taskDefinitionArn"]
        ids[paths[family]] = task_arns[family]
    elb = client("elbv2")
    alb = elb.create_load_balancer(
        Name=env.compute.alb_name,
        Subnets=[subnets[f"vpc/public_{az_key(az)}"] for az in net.azs],
        SecurityGroups=[sgs["alb"]],
        Scheme="internet-facing",
        Type="application",
    )["LoadBalancers"][0]["LoadBalancerArn"]
    elb.modify_load_balancer_attributes(
        LoadBalancerArn=alb, Attributes=[{"Key": "idle_timeout.timeout_seconds", "Value": "300"}]
    )
    tg = elb.create_target_group(
        Name="Fluxio-Backe-1ABC", Protocol="HTTP", Port=8001, VpcId=ids["vpc/vpc"], TargetType="ip"
    )["TargetGroups"][0]
    listener = elb.create_listener(
        LoadBalancerArn=alb,
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}],
    )["Listeners"][0]
    ids.update(
        {"lb/alb": alb, "lb/backend": tg["TargetGroupArn"], "lb/http": listener["ListenerArn"]}
    )
    ecs.create_service(
        cluster=env.compute.cluster_name,
        serviceName=env.compute.service_name,
        taskDefinition=task_arns[BACKEND_FAMILY],
        desiredCount=2,
        launchType="FARGATE",
        networkConfiguration={
            "awsvpcConfiguration": {
                "subnets": [subnets[f"vpc/private_{az_key(net.azs[0])}"]],
                "securityGroups": [sgs["backend"]],
            }
        },
        loadBalancers=[
            {
                "targetGroupArn": tg["TargetGroupArn"],
                "containerName": "backend",
                "containerPort": 8001,
            }
        ],
    )
    ids["backend_service/service"] = f"{env.compute.cluster_name}/{env.compute.service_name}"
    events = client("events")
    for schedule in env.compute.schedules:  # the live rules are the configured ones
        name, family = schedule.name, schedule.task
        state = "ENABLED" if schedule.enabled else "DISABLED"
        events.put_rule(Name=name, ScheduleExpression=live_cron(schedule.unix_cron), State=state)
        events.put_targets(
            Rule=name,
            Targets=[
                {
                    "Id": "Target0",
                    "Arn": cluster,
                    "RoleArn": arns["roles/events"],
                    "Input": json.dumps(
                        {"containerOverrides": [{"name": "etl", "command": ["python"]}]}
                    ),
                    "EcsParameters": {
                        "TaskDefinitionArn": task_arns[family],
                        "TaskCount": 1,
                        "LaunchType": "FARGATE",
                        "NetworkConfiguration": {
                            "awsvpcConfiguration": {
                                "Subnets": [subnets[f"vpc/private_{az_key(net.etl_az)}"]],
                                "SecurityGroups": [sgs["etl"]],
                                "AssignPublicIp": "DISABLED",
                            }
                        },
                    },
                }
            ],
        )
        key = schedule_key(name)
        ids[f"{key}/rule"], ids[f"{key}/target"] = name, f"{name}/Target0"
