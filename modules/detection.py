"""Detection as code: what owning a stack still allows is reported when it happens.

An apply role can still do what owning its stack means (new user data on the bridge, a task
definition with any image); a person can set a secret's value or open a bucket. None of that
can be forbidden without breaking the stack, so `hardened` makes it visible: a CloudTrail trail
(management events, into the log bucket), EventBridge rules on its events, and an encrypted
SNS topic the on-call subscribes to (`hardening.alert_emails`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from constructs import Construct

from modules.alert_topic import AlertTopic, AlertTopicProps
from modules.log_bucket import TRAIL_LOG_PREFIX
from runtime.engine.aws.cloudtrail import Cloudtrail
from runtime.engine.aws.cloudwatch_event_rule import CloudwatchEventRule
from runtime.engine.aws.cloudwatch_event_target import CloudwatchEventTarget

API_CALL = "AWS API Call via CloudTrail"


@dataclass(frozen=True)
class DetectionProps:
    name: str
    """Prefix of every name (`fluxion-<environment>`): trail, rules, topic."""
    account_id: str
    """The account whose events are watched (the topic and key accept only its rules)."""
    region: str
    """The region of the rules and the topic (IAM's events arrive in us-east-1)."""
    trail_name: str
    """The trail's name (the log bucket's policy lets exactly this trail write)."""
    log_bucket: str
    """The bucket the trail writes into (its policy lets this trail write under `cloudtrail/`)."""
    backup_buckets: list[str]
    """Buckets whose policy, access, encryption, versioning or lifecycle changes are reported."""
    alert_emails: tuple[str, ...] = ()
    """Addresses subscribed to the topic (each confirms by e-mail). Default: none."""
    trail: bool = True
    """Make the multi-region trail the rules read. False when the account already has one
    (a recovery environment in another environment's account: that trail records this region
    too). Default: on."""


IDENTITY_WRITES = [
    "AddClientIDToOpenIDConnectProvider",
    "AttachRolePolicy",
    "CreateAccessKey",
    "CreateOpenIDConnectProvider",
    "CreatePolicyVersion",
    "CreateRole",
    "CreateUser",
    "DeleteRolePermissionsBoundary",
    "PutRolePermissionsBoundary",
    "PutRolePolicy",
    "SetDefaultPolicyVersion",
    "UpdateAssumeRolePolicy",
]
"""IAM calls that make or widen a principal (people make these in the identity and state
stacks; anyone else doing so is news)."""
BUCKET_PROTECTION_CHANGES = [
    "DeleteBucketPolicy",
    "DeleteBucketPublicAccessBlock",
    "PutBucketAcl",
    "PutBucketEncryption",
    "PutBucketLifecycle",
    "PutBucketOwnershipControls",
    "PutBucketPolicy",
    "PutBucketPublicAccessBlock",
    "PutBucketReplication",
    "PutBucketVersioning",
]
"""CloudTrail's names of the calls that open a bucket or expire what it holds."""
SECRET_VALUE_WRITES = ["PutSecretValue", "RestoreSecret", "UpdateSecret"]


def patterns(props: DetectionProps) -> dict[str, dict[str, Any]]:
    """Rule key -> EventBridge event pattern (CloudTrail management events)."""
    registry = f"{props.account_id}.dkr.ecr.{props.region}.amazonaws.com/"

    def calls(source: str, names: list[str], **detail: Any) -> dict[str, Any]:
        return {
            "source": [f"aws.{source}"],
            "detail-type": [API_CALL],
            "detail": {"eventSource": [f"{source}.amazonaws.com"], "eventName": names} | detail,
        }

    images = {"containerDefinitions": {"image": [{"anything-but": {"prefix": registry}}]}}
    return {
        "identity_writes": calls("iam", IDENTITY_WRITES),
        "backup_bucket_changes": calls(
            "s3", BUCKET_PROTECTION_CHANGES, requestParameters={"bucketName": props.backup_buckets}
        ),
        "user_data_changes": calls(
            "ec2", ["ModifyInstanceAttribute"], requestParameters={"userData": [{"exists": True}]}
        ),
        "foreign_images": calls("ecs", ["RegisterTaskDefinition"], requestParameters=images),
        "secret_value_writes": calls("secretsmanager", SECRET_VALUE_WRITES),
    }


class Detection(Construct):
    def __init__(self, scope: Construct, id_: str, *, props: DetectionProps) -> None:
        super().__init__(scope, id_)
        rules = f"arn:aws:events:{props.region}:{props.account_id}:rule/{props.name}-detect-*"
        self.alerts = AlertTopic(
            self,
            "alerts",
            props=AlertTopicProps(
                name=f"{props.name}-security-alerts",
                account_id=props.account_id,
                publishers={"events.amazonaws.com": rules},
                emails=props.alert_emails,
            ),
        )
        if props.trail:
            self._trail(props)
        for key, pattern in patterns(props).items():
            rule = CloudwatchEventRule(
                self,
                key,
                name=f"{props.name}-detect-{key.replace('_', '-')}",
                description=f"Security: {key.replace('_', ' ')} (docs/ci-identity.md)",
                event_pattern=json.dumps(pattern),
            )
            CloudwatchEventTarget(
                self, f"{key}_alert", rule=rule.name, arn=self.alerts.topic.arn, target_id="alert"
            )

    def _trail(self, props: DetectionProps) -> None:
        """The account's multi-region trail of management events, into the log bucket."""
        Cloudtrail(
            self,
            "trail",
            name=props.trail_name,
            s3_bucket_name=props.log_bucket,
            s3_key_prefix=TRAIL_LOG_PREFIX,
            include_global_service_events=True,
            is_multi_region_trail=True,  # a role made in another region is still news
            enable_log_file_validation=True,
        )
