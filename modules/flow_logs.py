"""VPC flow logs to CloudWatch Logs (all traffic), delivered with the `identity` stack's role."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from policies.document import Statement, allow
from runtime.engine.aws.cloudwatch_log_group import CloudwatchLogGroup
from runtime.engine.aws.flow_log import FlowLog


@dataclass(frozen=True)
class FlowLogsProps:
    vpc_id: str
    """The VPC whose traffic is logged."""
    log_group_name: str
    """The CloudWatch log group the flow log writes to (created here)."""
    retention_days: int
    """Days the log group keeps events (a CloudWatch-accepted value)."""
    role_arn: str
    """The role VPC Flow Logs delivers with (the `identity` stack's, `delivery_grant`)."""
    aggregation_seconds: int = 600
    """Maximum aggregation interval. Default: 600 (10 minutes: cheaper than 60, enough to
    investigate)."""


class FlowLogs(Construct):
    def __init__(self, scope: Construct, id_: str, *, props: FlowLogsProps) -> None:
        super().__init__(scope, id_)
        group = CloudwatchLogGroup(
            self, "logs", name=props.log_group_name, retention_in_days=props.retention_days
        )
        self.flow_log = FlowLog(
            self,
            "flow_log",
            vpc_id=props.vpc_id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=group.arn,
            iam_role_arn=props.role_arn,
            max_aggregation_interval=props.aggregation_seconds,
        )


def delivery_grant(log_group_arn: str) -> list[Statement]:
    """What the flow logs' delivery role writes: streams and events of its one log group."""
    return [
        allow(
            ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            f"{log_group_arn}:*",
            ordered=True,  # as first deployed (hardened)
        ),
        allow(["logs:DescribeLogGroups"], "*"),  # account-level call, no ARN
    ]
