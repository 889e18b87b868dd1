"""VPC flow logs to CloudWatch Logs (all traffic), with the delivery role they need."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.flow_log import FlowLog
from constructs import Construct

from modules.iam import inline_policy, service_role, statement


@dataclass(frozen=True)
class FlowLogsProps:
    vpc_id: str
    log_group_name: str
    retention_days: int
    aggregation_seconds: int = 600
    """10-minute aggregation: cheaper than 1 minute, enough to investigate."""


class FlowLogs(Construct):
    def __init__(self, scope: Construct, id_: str, *, props: FlowLogsProps) -> None:
        super().__init__(scope, id_)
        group = CloudwatchLogGroup(
            self, "logs", name=props.log_group_name, retention_in_days=props.retention_days
        )
        role = service_role(self, "role", "vpc-flow-logs.amazonaws.com")
        inline_policy(
            self,
            "delivery",
            role,
            statement(
                ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                f"{group.arn}:*",
            ),
            statement(["logs:DescribeLogGroups"], "*"),  # account-level call, no ARN
        )
        self.flow_log = FlowLog(
            self,
            "flow_log",
            vpc_id=props.vpc_id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=props.aggregation_seconds,
        )
