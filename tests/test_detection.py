"""Detection as code (`hardened`, modules/detection.py): each rule matches the CloudTrail event
of what it watches, and not its everyday neighbour.

The patterns are asked of moto's EventBridge pattern evaluator (the one its rules use: AWS's
`exists`, `prefix` and `anything-but` semantics; moto's TestEventPattern API is a stub), against
events shaped as CloudTrail delivers them to EventBridge. AWS matches a field inside an array of
objects against every element (a task definition's `containerDefinitions[].image`); moto's
evaluator does not descend into arrays, so `_as_eventbridge_sees_it` folds such an array into
one object whose fields hold the elements' values, which is what AWS matches.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

import config
from config.estate import backup_buckets
from modules.detection import DetectionProps, patterns

PROD = config.load()
PROPS = DetectionProps(
    name="fluxion-production",
    trail_name="fluxion-production-audit",
    account_id=PROD.account_id,
    region=PROD.region,
    log_bucket=PROD.log_bucket,
    backup_buckets=backup_buckets(PROD),
)
REGISTRY = f"{PROD.account_id}.dkr.ecr.{PROD.region}.amazonaws.com"


def event(source: str, name: str, **request: Any) -> dict[str, Any]:
    return {
        "version": "0",
        "id": "7bf73129-1428-4cd3-a780-95db273d1602",
        "detail-type": "AWS API Call via CloudTrail",
        "source": f"aws.{source}",
        "account": PROD.account_id,
        "time": "2026-12-06T03:00:00Z",
        "region": PROD.region,
        "resources": [],
        "detail": {
            "eventSource": f"{source}.amazonaws.com",
            "eventName": name,
            "requestParameters": request,
            "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::1:assumed-role/x/y"},
        },
    }


@pytest.fixture(scope="module")
def matches() -> Any:
    from moto.events.models import EventPattern

    def match(rule: str, sample: dict[str, Any]) -> bool:
        pattern = EventPattern.load(json.dumps(patterns(PROPS)[rule]))
        return bool(pattern.matches_event(_as_eventbridge_sees_it(sample)))

    return match


def _as_eventbridge_sees_it(node: Any) -> Any:
    """Arrays of objects folded into one object of arrays (see the module docstring)."""
    if isinstance(node, dict):
        return {k: _as_eventbridge_sees_it(v) for k, v in node.items()}
    if isinstance(node, list) and node and all(isinstance(v, dict) for v in node):
        keys = {k for v in node for k in v}
        return {k: [_as_eventbridge_sees_it(v[k]) for v in node if k in v] for k in keys}
    return node


CASES = [
    # (rule, the event it reports, its everyday neighbour it must not)
    ("identity_writes",
     event("iam", "CreateRole", roleName="probe", assumeRolePolicyDocument="{}"),
     event("iam", "GetRole", roleName="probe")),
    ("backup_bucket_changes",
     event("s3", "PutBucketPolicy", bucketName=f"fluxion-backups-v4-{PROD.account_id}"),
     event("s3", "PutBucketPolicy", bucketName=f"fluxion-frontend-v4-{PROD.account_id}")),
    ("user_data_changes",
     event("ec2", "ModifyInstanceAttribute", instanceId="i-1", userData="<sensitiveDataRemoved>"),
     event("ec2", "ModifyInstanceAttribute", instanceId="i-1", sourceDestCheck={"value": False})),
    ("foreign_images",
     event("ecs", "RegisterTaskDefinition", family="FluxionBackendTask",
           containerDefinitions=[{"name": "backend", "image": "docker.io/evil/miner:1"}]),
     event("ecs", "RegisterTaskDefinition", family="FluxionBackendTask",
           containerDefinitions=[{"name": "backend", "image": f"{REGISTRY}/fluxion-backend:abc"}])),
    ("secret_value_writes",
     event("secretsmanager", "PutSecretValue", secretId="fluxion/wireguard-config"),
     event("secretsmanager", "DescribeSecret", secretId="fluxion/wireguard-config")),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "reported", "everyday"), CASES, ids=[c[0] for c in CASES])
def test_each_rule_reports_what_it_watches_and_only_that(
    matches: Any, rule: str, reported: dict[str, Any], everyday: dict[str, Any]
) -> None:
    assert matches(rule, reported) is True
    assert matches(rule, everyday) is False


def test_every_rule_has_a_case_and_publishes_to_the_encrypted_topic(
    hardened: dict[str, Any],
) -> None:
    assert {c[0] for c in CASES} == set(patterns(PROPS))
    identity = hardened["identity"]
    rules = identity["resource"]["aws_cloudwatch_event_rule"]
    targets = identity["resource"]["aws_cloudwatch_event_target"].values()
    assert len(rules) == len(CASES) == len(list(targets))
    ((topic_id, topic),) = identity["resource"]["aws_sns_topic"].items()
    assert topic["kms_master_key_id"].startswith("${aws_kms_key.")
    assert {t["arn"] for t in targets} == {f"${{aws_sns_topic.{topic_id}.arn}}"}
    (trail,) = identity["resource"]["aws_cloudtrail"].values()
    assert trail["is_multi_region_trail"] is True and trail["s3_key_prefix"] == "cloudtrail"
    policy = json.loads(next(iter(identity["resource"]["aws_sns_topic_policy"].values()))["policy"])
    (statement,) = policy["Statement"]
    assert statement["Principal"] == {"Service": "events.amazonaws.com"}
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": PROD.account_id}
