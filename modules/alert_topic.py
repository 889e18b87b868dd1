"""An encrypted SNS topic that only the named services of this account may publish to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from constructs import Construct

from policies.document import allow, policy_json
from runtime.engine.aws.kms_key import KmsKey
from runtime.engine.aws.sns_topic import SnsTopic
from runtime.engine.aws.sns_topic_policy import SnsTopicPolicy
from runtime.engine.aws.sns_topic_subscription import SnsTopicSubscription

KEY_USERS_WITHOUT_SOURCE = frozenset({"events.amazonaws.com"})
"""Publishers whose KMS calls for an encrypted topic carry no `aws:SourceAccount` or
`aws:SourceArn`: the SNS developer guide says those keys are not supported in a key policy for
EventBridge-to-encrypted topics, so a condition on them drops every notification, silently
(the rule counts FailedInvocations). Their key grant is unconditioned; the topic policy, which
does carry the keys, still names the exact rules."""


@dataclass(frozen=True)
class AlertTopicProps:
    name: str
    """The topic's name."""
    account_id: str
    """The account that owns the key and whose resources may publish."""
    publishers: dict[str, str]
    """Service principal (`events.amazonaws.com`) -> the ARN pattern of its resources that may
    publish (`arn:aws:events:...:rule/fluxion-production-detect-*`)."""
    emails: tuple[str, ...] = field(default_factory=tuple)
    """Subscribed addresses (each confirms once by e-mail). Default: none."""


class AlertTopic(Construct):
    """A customer-managed key (AWS's own `alias/aws/sns` cannot be used by EventBridge or
    CloudWatch alarms), the topic encrypted with it, and a topic policy naming each publisher."""

    def __init__(self, scope: Construct, id_: str, *, props: AlertTopicProps) -> None:
        super().__init__(scope, id_)
        conditions = {
            service: {
                "StringEquals": {"aws:SourceAccount": props.account_id},
                "ArnLike": {"aws:SourceArn": source},
            }
            for service, source in props.publishers.items()
        }
        key = KmsKey(
            self,
            "key",
            description=f"{props.name}: the topic's encryption",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=policy_json(
                allow(
                    ["kms:*"],
                    "*",
                    Sid="Account",
                    Principal={"AWS": f"arn:aws:iam::{props.account_id}:root"},
                ),
                *(
                    allow(
                        ["kms:Decrypt", "kms:GenerateDataKey*"],
                        "*",
                        Principal={"Service": service},
                        **_key_condition(service, condition),
                    )
                    for service, condition in conditions.items()
                ),
            ),
        )
        self.topic = SnsTopic(self, "topic", name=props.name, kms_master_key_id=key.arn)
        SnsTopicPolicy(
            self,
            "topic_policy",
            arn=self.topic.arn,
            policy=policy_json(
                *(
                    allow(
                        ["sns:Publish"],
                        self.topic.arn,
                        Principal={"Service": service},
                        Condition=condition,
                    )
                    for service, condition in conditions.items()
                )
            ),
        )
        for i, email in enumerate(props.emails):
            SnsTopicSubscription(
                self, f"email_{i}", topic_arn=self.topic.arn, protocol="email", endpoint=email
            )


def _key_condition(service: str, condition: dict[str, Any]) -> dict[str, Any]:
    """The key grant's `Condition` for `service`: none for `KEY_USERS_WITHOUT_SOURCE`."""
    return {} if service in KEY_USERS_WITHOUT_SOURCE else {"Condition": condition}
