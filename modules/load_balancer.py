"""The backend's ALB: HTTP :80 forwarding to the backend target group (target type ip); with a
certificate, HTTPS :443 forwarding too (and :80 redirecting to it once asked). Internet-facing,
or internal behind CloudFront's VPC origin."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from modules.log_bucket import ALB_LOG_PREFIX
from runtime.engine.aws.lb import Lb, LbAccessLogs
from runtime.engine.aws.lb_listener import (
    LbListener,
    LbListenerDefaultAction,
    LbListenerDefaultActionRedirect,
)
from runtime.engine.aws.lb_target_group import LbTargetGroup, LbTargetGroupHealthCheck


@dataclass(frozen=True)
class LoadBalancerProps:
    name: str
    """The ALB's name (also the target group's)."""
    vpc_id: str
    """The VPC of the target group."""
    subnet_ids: list[str]
    """Subnets, one per AZ: public for an internet-facing ALB, private for an internal one."""
    security_group_id: str
    """The ALB's security group."""
    target_port: int
    """The port the targets (backend containers) listen on."""
    idle_timeout_seconds: int
    """Seconds a connection may stay idle."""
    health_check_path: str
    """Path the target group checks."""
    health_check_interval_seconds: int
    """Seconds between health checks."""
    healthy_threshold: int
    """Consecutive passed checks before a target is healthy."""
    unhealthy_threshold: int
    """Consecutive failed checks before a target is unhealthy."""
    deregistration_delay_seconds: int
    """Seconds a draining target keeps its connections."""
    deletion_protection: bool = False
    """Refuse deletion through the API. Default: off (the provider's default)."""
    drop_invalid_header_fields: bool = False
    """Drop HTTP headers with invalid names (request smuggling). Default: off."""
    internal: bool = False
    """No public address: reached only from inside the VPC (through CloudFront's VPC origin).
    ForceNew: the ALB is replaced. Default: internet-facing."""
    certificate_arn: str | None = None
    """A regional ACM certificate for the host CloudFront asks for: the ALB then also serves
    HTTPS on 443 (TLS 1.2+ policy). Default: none (HTTP :80 only)."""
    redirect_http: bool = False
    """With `certificate_arn`: HTTP :80 only redirects to HTTPS (once nothing reaches the
    targets over :80 any more). Default: off (:80 keeps forwarding)."""
    access_log_bucket: str | None = None
    """Bucket receiving the ALB's access logs under `alb/`; its policy must let the region's
    ELB account write there. Default: none (no access logs)."""


TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
"""TLS 1.3 and 1.2 only, forward-secret ciphers (AWS's recommended policy)."""


class LoadBalancer(Construct):
    def __init__(self, scope: Construct, id_: str, *, props: LoadBalancerProps) -> None:
        super().__init__(scope, id_)
        self.alb = Lb(
            self,
            "alb",
            name=props.name,
            internal=props.internal,
            load_balancer_type="application",
            subnets=props.subnet_ids,
            security_groups=[props.security_group_id],
            idle_timeout=props.idle_timeout_seconds,
            # unset (None) = the provider's default (false), the live value in `adopt`
            enable_deletion_protection=props.deletion_protection or None,
            drop_invalid_header_fields=props.drop_invalid_header_fields or None,
            access_logs=LbAccessLogs(
                bucket=props.access_log_bucket, prefix=ALB_LOG_PREFIX, enabled=True
            )
            if props.access_log_bucket
            else None,
        )
        self.target_group = LbTargetGroup(
            self,
            "backend",
            port=props.target_port,
            protocol="HTTP",
            target_type="ip",
            vpc_id=props.vpc_id,
            deregistration_delay=str(props.deregistration_delay_seconds),
            health_check=LbTargetGroupHealthCheck(
                path=props.health_check_path,
                interval=props.health_check_interval_seconds,
                healthy_threshold=props.healthy_threshold,
                unhealthy_threshold=props.unhealthy_threshold,
            ),
        )
        self.listener = self._listener(props)

    def _listener(self, props: LoadBalancerProps) -> LbListener:
        """The serving listener, forwarding to the targets: HTTPS :443 with a certificate
        (HTTP :80 then forwards too, or only redirects with `redirect_http`), else HTTP :80."""
        forward = LbListenerDefaultAction(type="forward", target_group_arn=self.target_group.arn)
        redirect = LbListenerDefaultAction(
            type="redirect",
            redirect=LbListenerDefaultActionRedirect(
                protocol="HTTPS", port="443", status_code="HTTP_301"
            ),
        )
        listener = self.http = LbListener(
            self,
            "http",
            load_balancer_arn=self.alb.arn,
            port=80,
            protocol="HTTP",
            default_action=[redirect]
            if props.certificate_arn and props.redirect_http
            else [forward],
        )
        if props.certificate_arn:
            listener = LbListener(
                self,
                "https",
                load_balancer_arn=self.alb.arn,
                port=443,
                protocol="HTTPS",
                ssl_policy=TLS_POLICY,
                certificate_arn=props.certificate_arn,
                default_action=[forward],
            )
        return listener
