"""monitoring: the alarms, the dashboard and the topic that tell the on-call what breaks.

New (the live estate has none), so adopting the other stacks still plans no change; its first
plan is creates by design, like `state`. People apply it (`config.estate.PEOPLE_STACKS`): the
CI roles it watches cannot silence it. Every alarm is a row of `config.monitoring.alarms`, its
dimensions read from the other stacks' outputs through the contract; the dashboard draws the
same alarms, and an EventBridge rule reports ETL tasks that stop with a non-zero exit code.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from constructs import Construct

from config import EnvironmentConfig
from config.monitoring import (
    ETL_FAILURE_RUN,
    Alarm,
    Source,
    alarm_prefix,
    alarms,
    dashboard_name,
    etl_failure_pattern,
    etl_failure_rule_name,
    topic_name,
)
from modules.alert_topic import AlertTopic, AlertTopicProps
from runtime.engine.aws.cloudwatch_dashboard import CloudwatchDashboard
from runtime.engine.aws.cloudwatch_event_rule import CloudwatchEventRule
from runtime.engine.aws.cloudwatch_event_target import (
    CloudwatchEventTarget,
    CloudwatchEventTargetInputTransformer,
)
from runtime.engine.aws.cloudwatch_metric_alarm import (
    CloudwatchMetricAlarm,
    CloudwatchMetricAlarmMetricQuery,
    CloudwatchMetricAlarmMetricQueryMetric,
)
from runtime.engine.core import Fn
from stacks.base import FluxionStack
from stacks.contract import ComputeOutputs, DataOutputs, NetworkOutputs, read, remote_state

PRODUCERS = {"network": NetworkOutputs, "data": DataOutputs, "compute": ComputeOutputs}
"""The stacks whose outputs the alarms' dimensions name (`config.monitoring.Source.stack`)."""


class MonitoringStack(FluxionStack):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: EnvironmentConfig,
        live: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id_, config=config, live=live)
        self.outputs_read: dict[str, Any] = {
            stack: read(cls, remote_state(self, config, stack)) for stack, cls in PRODUCERS.items()
        }
        account, region = config.account_id, config.region
        self.alerts = AlertTopic(
            self,
            "alerts",
            props=AlertTopicProps(
                name=topic_name(config.name),
                account_id=account,
                publishers={
                    "cloudwatch.amazonaws.com": f"arn:aws:cloudwatch:{region}:{account}:alarm:"
                    f"{alarm_prefix(config.name)}*",
                    "events.amazonaws.com": f"arn:aws:events:{region}:{account}:rule/"
                    f"{etl_failure_rule_name(config.name)}",
                },
                emails=config.monitoring.emails,
            ),
        )
        self.alarms = {alarm.key: self._alarm(alarm) for alarm in alarms(config)}
        self._dashboard()
        self._etl_failures()

    def value(self, source: Source) -> Any:
        """The token of a dimension's contract output (an element of a list output)."""
        found = getattr(self.outputs_read[source.stack], source.output)
        return found if source.index is None else Fn.element(found, source.index)

    def _dimensions(self, dimensions: tuple[tuple[str, Source], ...]) -> dict[str, Any]:
        return {name: self.value(source) for name, source in dimensions}

    def _alarm(self, alarm: Alarm) -> CloudwatchMetricAlarm:
        topic = self.alerts.topic.arn
        common: dict[str, Any] = {
            "alarm_name": alarm.name(self.config.name),
            "alarm_description": alarm.description(),
            "comparison_operator": alarm.comparison,
            "threshold": alarm.threshold,
            "evaluation_periods": alarm.periods,
            "treat_missing_data": alarm.missing,
            "alarm_actions": [topic],
            "ok_actions": [topic],  # the on-call hears it cleared too
        }
        if not alarm.expression:
            (_, metric), *_ = alarm.metrics
            return CloudwatchMetricAlarm(
                self,
                alarm.key,
                namespace=metric.namespace,
                metric_name=metric.name,
                statistic=metric.statistic,
                dimensions=self._dimensions(metric.dimensions),
                period=alarm.period,
                **common,
            )
        queries = [
            CloudwatchMetricAlarmMetricQuery(
                id=query_id,
                return_data=False,
                metric=CloudwatchMetricAlarmMetricQueryMetric(
                    namespace=metric.namespace,
                    metric_name=metric.name,
                    stat=metric.statistic,
                    period=alarm.period,
                    dimensions=self._dimensions(metric.dimensions),
                ),
            )
            for query_id, metric in alarm.metrics
        ]
        queries.append(
            CloudwatchMetricAlarmMetricQuery(
                id="e", expression=alarm.expression, label=alarm.title, return_data=True
            )
        )
        return CloudwatchMetricAlarm(self, alarm.key, metric_query=queries, **common)

    def _dashboard(self) -> None:
        """The environment's dashboard: every alarm's state, then each alarm's graph (its
        metric and threshold, drawn from the alarm itself: no second list of metrics)."""
        arns = [alarm.arn for alarm in self.alarms.values()]
        region = self.config.region
        widgets: list[dict[str, Any]] = [
            {
                "type": "alarm",
                "x": 0,
                "y": 0,
                "width": 24,
                "height": 4,
                "properties": {"title": "Alarms (python -m ops alarms)", "alarms": arns},
            }
        ]
        for i, (key, alarm) in enumerate(self.alarms.items()):
            widgets.append(
                {
                    "type": "metric",
                    "x": (i % 2) * 12,
                    "y": 4 + (i // 2) * 6,
                    "width": 12,
                    "height": 6,
                    "properties": {
                        "title": key.replace("_", " "),
                        "region": region,
                        "annotations": {"alarms": [alarm.arn]},
                        "view": "timeSeries",
                        "stacked": False,
                    },
                }
            )
        CloudwatchDashboard(
            self,
            "dashboard",
            dashboard_name=dashboard_name(self.config.name),
            dashboard_body=json.dumps({"widgets": widgets}),
        )

    def _etl_failures(self) -> None:
        """ETL tasks that stop with a non-zero exit code, to the topic as one readable line."""
        rule = CloudwatchEventRule(
            self,
            "etl_failures",
            name=etl_failure_rule_name(self.config.name),
            description=f"ETL task stopped with a non-zero exit code or failed to start. Run: "
            f"{ETL_FAILURE_RUN}",
            event_pattern=json.dumps(etl_failure_pattern(self.config)),
        )
        CloudwatchEventTarget(
            self,
            "etl_failures_alert",
            rule=rule.name,
            arn=self.alerts.topic.arn,
            target_id="alert",
            input_transformer=CloudwatchEventTargetInputTransformer(
                input_paths={
                    "group": "$.detail.group",
                    "code": "$.detail.containers[0].exitCode",
                    "stop": "$.detail.stopCode",
                    "reason": "$.detail.stoppedReason",
                    "task": "$.detail.taskArn",
                },
                input_template=json.dumps(
                    "ETL <group> stopped (<stop>) with exit code <code> (<reason>), task <task>. "
                    f"Run: {ETL_FAILURE_RUN}"
                ),
            ),
        )
