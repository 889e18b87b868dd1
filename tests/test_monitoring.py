"""The monitoring stack: alarms as data against config and the contract, the synthesized stack,
the ETL failure rule's pattern, and the topic only the alarms and that rule may publish to."""

from __future__ import annotations

import json
import re
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import pytest
from moto.events.models import EventPattern

import config
from config import ConfigError
from config.estate import DEPENDS_ON, PEOPLE_STACKS
from config.monitoring import GIB, alarms, etl_failure_pattern, standby_delay_seconds
from stacks.monitoring import PRODUCERS
from tests.conftest import resources
from tests.ecs_events import task_stopped

PROD = config.load()
STAGING = config.load("staging")
REMOTE = re.compile(r"^\$\{(?:element\()?data\.terraform_remote_state\.(\w+)\.outputs\.(\w+)")


def _by_key(env: config.EnvironmentConfig) -> dict[str, Any]:
    return {alarm.key: alarm for alarm in alarms(env)}


def test_every_dimension_names_an_output_of_a_stack_monitoring_reads() -> None:
    for env in (PROD, STAGING):
        for alarm in alarms(env):
            for _, metric in alarm.metrics:
                assert metric.dimensions, alarm.key
                for _, source in metric.dimensions:
                    assert source.stack in DEPENDS_ON["monitoring"], alarm.key
                    contract = {f.name for f in fields(PRODUCERS[source.stack])}
                    assert source.output in contract, (alarm.key, source)


def test_thresholds_come_from_the_config_of_what_they_watch() -> None:
    found = _by_key(PROD)
    # the guide: 2 backend tasks, 100 GB of storage, max_standby_streaming_delay 900 s
    assert found["backend_running_tasks"].threshold == 2
    assert found["backend_running_tasks"].comparison == "LessThanThreshold"
    assert found["replica_lag"].threshold == 900
    assert found["primary_free_storage"].threshold == 10 * GIB
    assert found["primary_cpu"].threshold == PROD.monitoring.primary_cpu_percent
    assert found["primary_connections"].threshold == PROD.monitoring.db_connections
    assert found["alb_5xx_rate"].threshold == PROD.monitoring.alb_5xx_percent
    more = replace(PROD, compute=replace(PROD.compute, desired_count=3))
    assert _by_key(more)["backend_running_tasks"].threshold == 3


def test_an_environment_without_a_replica_or_bridge_has_no_alarm_for_them() -> None:
    assert {"replica_lag", "bridge_status_check"} <= set(_by_key(PROD))
    assert not {"replica_lag", "bridge_status_check"} & set(_by_key(STAGING))


def test_a_replica_without_its_standby_delay_is_refused_in_one_line() -> None:
    database = replace(PROD.database, replica_extra_parameters=(("hot_standby_feedback", "1"),))
    with pytest.raises(ConfigError) as caught:
        standby_delay_seconds(replace(PROD, database=database))
    assert str(caught.value) == (
        "database.replica_extra_parameters: 'max_standby_streaming_delay' is missing: the "
        "replica lag alarm's threshold is that delay"
    )


def test_more_schedules_than_one_alarm_may_read_are_refused_in_one_line() -> None:
    eleven = tuple(replace(PROD.compute.schedules[0], name=f"fluxion-s{i}") for i in range(11))
    with pytest.raises(ConfigError) as caught:
        alarms(replace(PROD, compute=replace(PROD.compute, schedules=eleven)))
    assert str(caught.value).startswith("compute.schedules: 11 schedules: at most 10, the metrics")
    none = replace(PROD, compute=replace(PROD.compute, schedules=()))
    assert "etl_schedule_failures" not in {a.key for a in alarms(none)}


def test_every_alarm_says_why_and_what_to_run() -> None:
    for alarm in alarms(PROD):
        text = alarm.description()
        assert "Why: " in text and "Run: python -m ops " in text, alarm.key
        assert len(text) <= 1024, alarm.key  # CloudWatch's limit


def _monitoring(synth_dir: Path) -> dict[str, Any]:
    return dict(json.loads((synth_dir / "stacks/monitoring/cdk.tf.json").read_text()))


def test_the_stack_makes_one_alarm_per_row_wired_to_the_topic(synth_dir: Path) -> None:
    stack = _monitoring(synth_dir)
    made = resources(stack, "aws_cloudwatch_metric_alarm")
    expected = _by_key(PROD)
    assert set(made) == set(expected)
    (topic_id,) = resources(stack, "aws_sns_topic")
    for key, body in made.items():
        alarm = expected[key]
        assert body["alarm_name"] == f"fluxion-production-{key.replace('_', '-')}"
        assert body["alarm_actions"] == body["ok_actions"] == [f"${{aws_sns_topic.{topic_id}.arn}}"]
        assert body["alarm_description"] == alarm.description()
        assert body["threshold"] == alarm.threshold and body["evaluation_periods"] == alarm.periods
        queries = body.get("metric_query") or [{"metric": body}]
        dims = [q["metric"]["dimensions"] for q in queries if "metric" in q]
        assert len(dims) == len(alarm.metrics)
        for made_dims, (_, metric) in zip(dims, alarm.metrics, strict=True):
            read = {name: REMOTE.match(v).groups() for name, v in made_dims.items()}  # type: ignore[union-attr]
            assert read == {name: (s.stack, s.output) for name, s in metric.dimensions}


def test_the_schedules_alarm_reads_each_rule_by_its_position(synth_dir: Path) -> None:
    body = resources(_monitoring(synth_dir), "aws_cloudwatch_metric_alarm")["etl_schedule_failures"]
    rules = [q["metric"]["dimensions"]["RuleName"] for q in body["metric_query"] if "metric" in q]
    assert rules == [
        f"${{element(data.terraform_remote_state.compute.outputs.schedule_rule_names, {i})}}"
        for i in range(len(PROD.compute.schedules))
    ]
    expression = [q for q in body["metric_query"] if "expression" in q]
    assert expression[0]["expression"] == "SUM([rule0, rule1, rule2, rule3, rule4])"
    assert expression[0]["return_data"] is True


def test_the_dashboard_draws_every_alarm_and_nothing_else(synth_dir: Path) -> None:
    stack = _monitoring(synth_dir)
    (body,) = resources(stack, "aws_cloudwatch_dashboard").values()
    widgets = json.loads(body["dashboard_body"])["widgets"]
    every = {f"${{aws_cloudwatch_metric_alarm.{key}.arn}}" for key in _by_key(PROD)}
    assert set(widgets[0]["properties"]["alarms"]) == every
    graphs = [w["properties"]["annotations"]["alarms"] for w in widgets[1:]]
    assert sorted(a for (a,) in graphs) == sorted(every)


def test_the_topic_is_encrypted_and_only_the_alarms_and_the_etl_rule_publish(
    synth_dir: Path,
) -> None:
    stack = _monitoring(synth_dir)
    (topic,) = resources(stack, "aws_sns_topic").values()
    assert topic["name"] == "fluxion-production-alarms"
    assert topic["kms_master_key_id"].startswith("${aws_kms_key.")
    (policy,) = resources(stack, "aws_sns_topic_policy").values()
    statements = json.loads(policy["policy"])["Statement"]
    assert {
        s["Principal"]["Service"]: s["Condition"]["ArnLike"]["aws:SourceArn"] for s in statements
    } == {
        "cloudwatch.amazonaws.com": "arn:aws:cloudwatch:us-east-1:611395766952:alarm:"
        "fluxion-production-*",
        "events.amazonaws.com": "arn:aws:events:us-east-1:611395766952:rule/"
        "fluxion-production-etl-failures",
    }
    assert all(s["Action"] == ["sns:Publish"] for s in statements)
    assert all(
        s["Condition"]["StringEquals"] == {"aws:SourceAccount": "611395766952"} for s in statements
    )


def test_the_etl_failure_rule_holds_the_pattern_and_a_readable_message(synth_dir: Path) -> None:
    stack = _monitoring(synth_dir)
    (rule,) = resources(stack, "aws_cloudwatch_event_rule").values()
    assert rule["name"] == "fluxion-production-etl-failures"
    pattern = json.loads(rule["event_pattern"])
    assert pattern == etl_failure_pattern(PROD)
    # every ETL family of the guide, and not the backend's
    assert sorted(pattern["detail"]["group"]) == [
        "family:FluxionETLTask", "family:FluxionETLTask-test", "family:FluxionVentasETLTask"
    ]  # fmt: skip
    (target,) = resources(stack, "aws_cloudwatch_event_target").values()
    template = json.loads(target["input_transformer"]["input_template"])
    assert "exit code <code>" in template and "python -m ops logs etl" in template
    assert target["input_transformer"]["input_paths"]["stop"] == "$.detail.stopCode"


@pytest.mark.parametrize(
    ("event", "matches"),
    [
        (task_stopped("family:FluxionETLTask", 1), True),
        (task_stopped("family:FluxionVentasETLTask", 137), True),
        (task_stopped("family:FluxionETLTask", 0), False),
        (task_stopped("family:FluxionBackendTask", 1), False),
        (task_stopped("family:FluxionETLTask", 1, status="RUNNING"), False),
        (task_stopped("family:FluxionETLTask", None, stop="TaskFailedToStart"), True),
        (task_stopped("family:FluxionBackendTask", None, stop="TaskFailedToStart"), False),
        (task_stopped("family:FluxionETLTask", None, stop="UserInitiated"), False),
    ],
)
def test_the_etl_failure_pattern_matches_only_a_failed_etl_task(
    event: dict[str, Any], matches: bool
) -> None:
    pattern = EventPattern.load(json.dumps(etl_failure_pattern(PROD)))
    assert pattern.matches_event(event) is matches


def test_monitoring_is_a_peoples_stack_the_ci_roles_cannot_silence() -> None:
    from policies import ci

    assert "monitoring" in PEOPLE_STACKS
    guard = ci.guardrail_policy(PROD)["Statement"]
    alerting = [s for s in guard if "cloudwatch:SetAlarmState" in s.get("Action", [])]
    assert len(alerting) == 1 and alerting[0]["Effect"] == "Deny"
    assert alerting[0]["Resource"] == "*"  # no CI stack owns an alarm, a topic or a key
    rules = [s for s in guard if "events:DisableRule" in s.get("Action", [])]
    assert len(rules) == 1 and rules[0]["Effect"] == "Deny"
    etl = "arn:aws:events:us-east-1:611395766952:rule/fluxion-production-etl-failures"
    assert etl in rules[0]["Resource"]
    plan = ci.plan_policy(PROD)["Statement"]
    reads = [s for s in plan if "cloudwatch:DescribeAlarms" in s.get("Action", [])]
    assert reads and reads[0]["Effect"] == "Allow"


def test_the_docs_alarms_table_is_the_codes() -> None:
    """docs/operations.md's table has one row per production alarm, as `alarms()` says it."""
    text = (Path(__file__).resolve().parents[1] / "docs/operations.md").read_text()
    for alarm in alarms(PROD):
        row = f"| `{alarm.key.replace('_', '-')}` | {alarm.shown} | {alarm.why} | {alarm.run} |"
        assert row in text, alarm.key
    documented = re.findall(r"^\| `([a-z0-9-]+)` \| ", text, re.MULTILINE)
    assert set(documented) >= {a.key.replace("_", "-") for a in alarms(PROD)}


def test_the_key_lets_cloudwatch_use_it_for_these_alarms_and_eventbridge_unconditioned(
    synth_dir: Path,
) -> None:
    """The SNS guide: `aws:SourceAccount`/`aws:SourceArn` are not supported in a key policy
    for EventBridge-to-encrypted topics (a condition there drops every notification); for
    CloudWatch alarms they are, and they keep the key to this account's alarms."""
    (key,) = resources(_monitoring(synth_dir), "aws_kms_key").values()
    statements = json.loads(key["policy"])["Statement"]
    users = {s["Principal"].get("Service"): s for s in statements if "Service" in s["Principal"]}
    assert set(users) == {"cloudwatch.amazonaws.com", "events.amazonaws.com"}
    assert "Condition" not in users["events.amazonaws.com"]
    assert users["cloudwatch.amazonaws.com"]["Condition"]["ArnLike"] == {
        "aws:SourceArn": "arn:aws:cloudwatch:us-east-1:611395766952:alarm:fluxion-production-*"
    }
    for user in users.values():
        assert user["Action"] == ["kms:Decrypt", "kms:GenerateDataKey*"]


def test_a_missing_alarm_is_a_problem_once_monitoring_is_deployed() -> None:
    from ops.alarms import Row, problems

    missing, ok = Row("a-cpu", "missing", None, ""), Row("a-lag", "OK", None, "")
    firing = Row("a-nat", "ALARM", None, "python -m ops logs etl")
    assert problems([missing, Row("a-lag", "missing", None, "")]) == []  # none deployed
    assert problems([ok, missing]) == ["alarm a-cpu missing"]
    assert problems([firing, ok]) == ["alarm a-nat in ALARM"]
