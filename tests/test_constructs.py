"""Each reusable construct on its own: synthesized into a bare stack (the cdktf Python
examples' `Testing.synth` style) with made-up, non-production values, so what is asserted is
the construct's behaviour, not an environment's settings."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from runtime.engine import core
from runtime.engine.aws.provider import AwsProvider
from runtime.engine.core import TerraformStack


def _synth(build: Callable[[TerraformStack], object]) -> dict[str, Any]:
    stack = TerraformStack(core.Testing.app(), "t")
    AwsProvider(stack, "aws", region="eu-west-3")
    build(stack)
    return dict(json.loads(core.Testing.synth(stack))["resource"])


def _one(doc: dict[str, Any], kind: str) -> dict[str, Any]:
    (body,) = doc[kind].values()
    return dict(body)


def test_a_private_bucket_is_locked_tls_only_and_never_destroyed() -> None:
    from modules.private_bucket import PrivateBucket, PrivateBucketProps

    doc = _synth(lambda s: PrivateBucket(s, "b", props=PrivateBucketProps(name="example-b")))
    bucket = _one(doc, "aws_s3_bucket")
    assert bucket["bucket"] == "example-b" and bucket["lifecycle"]["prevent_destroy"] is True
    assert bucket["force_destroy"] is False
    block = _one(doc, "aws_s3_bucket_public_access_block")
    assert all(block[k] for k in ("block_public_acls", "block_public_policy",
                                  "ignore_public_acls", "restrict_public_buckets"))  # fmt: skip
    policy = json.loads(_one(doc, "aws_s3_bucket_policy")["policy"])
    (deny,) = policy["Statement"]
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert (
        "aws_s3_bucket_versioning" not in doc and "aws_s3_bucket_lifecycle_configuration" not in doc
    )


def test_an_adopted_legacy_bucket_gets_no_new_settings() -> None:
    from modules.private_bucket import PrivateBucket, PrivateBucketProps

    props = PrivateBucketProps(name="example-legacy", manage_settings=False, versioned=True)
    doc = _synth(lambda s: PrivateBucket(s, "b", props=props))
    assert sorted(doc) == ["aws_s3_bucket", "aws_s3_bucket_versioning"]


@pytest.mark.parametrize(("noncurrent", "expiration"), [(9, None), (None, 3), (9, 3)])
def test_a_bucket_lifecycle_expires_only_what_it_is_told(
    noncurrent: int | None, expiration: int | None
) -> None:
    from modules.private_bucket import PrivateBucket, PrivateBucketProps

    props = PrivateBucketProps(
        name="example-logs", noncurrent_version_days=noncurrent, expiration_days=expiration
    )
    (rule,) = _one(_synth(lambda s: PrivateBucket(s, "b", props=props)),
                   "aws_s3_bucket_lifecycle_configuration")["rule"]  # fmt: skip
    assert rule["abort_incomplete_multipart_upload"] == [{"days_after_initiation": 7}]
    assert rule.get("noncurrent_version_expiration") == (
        [{"noncurrent_days": noncurrent}] if noncurrent else None
    )
    assert rule.get("expiration") == ([{"days": expiration}] if expiration else None)


def test_a_repository_keeps_its_images_and_is_immutable_only_when_asked() -> None:
    from modules.ecr import Repository, RepositoryProps

    for immutable, mutability in ((False, "MUTABLE"), (True, "IMMUTABLE")):
        props = RepositoryProps(name="example-repo", keep_images=4, immutable=immutable)
        doc = _synth(lambda s, p=props: Repository(s, "r", props=p))  # type: ignore[misc]
        repository = _one(doc, "aws_ecr_repository")
        assert repository["image_tag_mutability"] == mutability
        assert repository["image_scanning_configuration"] == {"scan_on_push": True}
        assert repository["lifecycle"]["prevent_destroy"] is True
        (rule,) = json.loads(_one(doc, "aws_ecr_lifecycle_policy")["policy"])["rules"]
        assert rule["selection"]["countNumber"] == 4


def test_an_alert_topic_is_encrypted_with_its_own_key_and_names_each_publisher() -> None:
    from modules.alert_topic import AlertTopic, AlertTopicProps

    props = AlertTopicProps(
        name="example-alerts",
        account_id="000000000000",
        publishers={"events.amazonaws.com": "arn:aws:events:eu-west-3:000000000000:rule/x-*"},
        emails=("oncall@example.invalid",),
    )
    doc = _synth(lambda s: AlertTopic(s, "a", props=props))
    key = _one(doc, "aws_kms_key")
    assert key["enable_key_rotation"] is True and key["deletion_window_in_days"] == 30
    topic = _one(doc, "aws_sns_topic")
    assert topic["name"] == "example-alerts" and "${aws_kms_key." in topic["kms_master_key_id"]
    statements = json.loads(_one(doc, "aws_sns_topic_policy")["policy"])["Statement"]
    (publish,) = [
        s for s in statements if s.get("Principal") == {"Service": "events.amazonaws.com"}
    ]
    assert publish["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "000000000000"},
        "ArnLike": {"aws:SourceArn": "arn:aws:events:eu-west-3:000000000000:rule/x-*"},
    }
    subscription = _one(doc, "aws_sns_topic_subscription")
    assert (subscription["protocol"], subscription["endpoint"]) == (
        "email",
        "oncall@example.invalid",
    )
