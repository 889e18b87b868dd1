"""The public ALB: HTTP :80 forwarding to the backend target group on 8001 (target type ip)."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_aws.lb import Lb
from cdktf_cdktf_provider_aws.lb_listener import (
    LbListener,
    LbListenerDefaultAction,
    LbListenerDefaultActionFixedResponse,
)
from cdktf_cdktf_provider_aws.lb_listener_rule import (
    LbListenerRule,
    LbListenerRuleAction,
    LbListenerRuleCondition,
    LbListenerRuleConditionHttpHeader,
)
from cdktf_cdktf_provider_aws.lb_target_group import LbTargetGroup, LbTargetGroupHealthCheck
from constructs import Construct


@dataclass(frozen=True)
class LoadBalancerProps:
    name: str
    vpc_id: str
    subnet_ids: list[str]
    security_group_id: str
    target_port: int = 8001
    idle_timeout: int = 300
    """Seconds; 300 (not AWS's 60) because some report queries run for minutes."""
    health_check_path: str = "/"
    health_check_interval: int = 60
    healthy_threshold: int = 2
    unhealthy_threshold: int = 5
    deregistration_delay: int = 30
    deletion_protection: bool = False
    drop_invalid_header_fields: bool = False
    origin_verify_token: str | None = None
    """When set (a reference, never a literal), only requests carrying it in ORIGIN_HEADER are
    forwarded; everything else gets 403."""


ORIGIN_HEADER = "X-Origin-Verify"


class LoadBalancer(Construct):
    def __init__(self, scope: Construct, id_: str, *, props: LoadBalancerProps) -> None:
        super().__init__(scope, id_)
        self.alb = Lb(
            self,
            "alb",
            name=props.name,
            internal=False,
            load_balancer_type="application",
            subnets=props.subnet_ids,
            security_groups=[props.security_group_id],
            idle_timeout=props.idle_timeout,
            # unset (None) = the provider's default (false), the live value in `adopt`
            enable_deletion_protection=props.deletion_protection or None,
            drop_invalid_header_fields=props.drop_invalid_header_fields or None,
        )
        self.target_group = LbTargetGroup(
            self,
            "backend",
            port=props.target_port,
            protocol="HTTP",
            target_type="ip",
            vpc_id=props.vpc_id,
            deregistration_delay=str(props.deregistration_delay),
            health_check=LbTargetGroupHealthCheck(
                path=props.health_check_path,
                interval=props.health_check_interval,
                healthy_threshold=props.healthy_threshold,
                unhealthy_threshold=props.unhealthy_threshold,
            ),
        )
        forward = LbListenerDefaultAction(type="forward", target_group_arn=self.target_group.arn)
        deny = LbListenerDefaultAction(
            type="fixed-response",
            fixed_response=LbListenerDefaultActionFixedResponse(
                content_type="text/plain", status_code="403", message_body="Forbidden"
            ),
        )
        verify = props.origin_verify_token is not None
        self.listener = LbListener(
            self,
            "http",
            load_balancer_arn=self.alb.arn,
            port=80,
            protocol="HTTP",
            default_action=[deny if verify else forward],
        )
        if verify:
            LbListenerRule(
                self,
                "from_cloudfront",
                listener_arn=self.listener.arn,
                priority=1,
                action=[
                    LbListenerRuleAction(type="forward", target_group_arn=self.target_group.arn)
                ],
                condition=[
                    LbListenerRuleCondition(
                        http_header=LbListenerRuleConditionHttpHeader(
                            http_header_name=ORIGIN_HEADER, values=[str(props.origin_verify_token)]
                        )
                    )
                ],
            )
