"""An EventBridge rule that runs a Fargate task with a command override."""

from __future__ import annotations

import json
from dataclasses import dataclass

from constructs import Construct

from config.cron import validate_eventbridge
from policies.document import Statement, allow
from runtime.engine.aws.cloudwatch_event_rule import CloudwatchEventRule
from runtime.engine.aws.cloudwatch_event_target import (
    CloudwatchEventTarget,
    CloudwatchEventTargetEcsTarget,
    CloudwatchEventTargetEcsTargetNetworkConfiguration,
)


@dataclass(frozen=True)
class ScheduledTaskProps:
    rule_name: str
    """The EventBridge rule's name."""
    schedule: str
    """EventBridge 6-field `cron(...)`; validated here."""
    cluster_arn: str
    """The cluster the task runs in."""
    task_definition_arn: str
    """The task definition the rule runs (its current revision)."""
    container_name: str
    """The container whose command is overridden."""
    command: tuple[str, ...]
    """The container's command for this rule."""
    subnet_ids: list[str]
    """Subnets the task runs in (no public IP)."""
    security_group_ids: list[str]
    """The task's security groups."""
    role_arn: str
    """The role EventBridge assumes to run the task (and pass its roles)."""
    enabled: bool = True
    """Whether the rule fires. Default: enabled."""
    target_id: str = "Target0"
    """AWS CDK names a rule's first target `Target0`; the adopted targets keep it.
    Default: Target0."""

    def __post_init__(self) -> None:
        validate_eventbridge(self.schedule)


class ScheduledFargateTask(Construct):
    def __init__(self, scope: Construct, id_: str, *, props: ScheduledTaskProps) -> None:
        super().__init__(scope, id_)
        self.rule = CloudwatchEventRule(
            self,
            "rule",
            name=props.rule_name,
            schedule_expression=props.schedule,
            state="ENABLED" if props.enabled else "DISABLED",
        )
        overrides = {
            "containerOverrides": [{"name": props.container_name, "command": list(props.command)}]
        }
        CloudwatchEventTarget(
            self,
            "target",
            rule=self.rule.name,
            target_id=props.target_id,
            arn=props.cluster_arn,
            role_arn=props.role_arn,
            input=json.dumps(overrides),
            ecs_target=CloudwatchEventTargetEcsTarget(
                task_definition_arn=props.task_definition_arn,
                task_count=1,
                launch_type="FARGATE",
                network_configuration=CloudwatchEventTargetEcsTargetNetworkConfiguration(
                    subnets=props.subnet_ids,
                    security_groups=props.security_group_ids,
                    assign_public_ip=False,
                ),
            ),
        )


def run_grant(
    family_arns: list[str], cluster_arn: str, passed_role_arns: list[str]
) -> list[Statement]:
    """What EventBridge's role needs to run the families' tasks on the cluster, passing the
    tasks' roles to ECS (and nothing else)."""
    return [
        allow(["ecs:RunTask"], family_arns, Condition={"ArnEquals": {"ecs:cluster": cluster_arn}}),
        allow(
            ["iam:PassRole"],
            passed_role_arns,
            Condition={"StringLike": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
        ),
    ]
