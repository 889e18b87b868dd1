"""The CloudFront web ACL: AWS managed rule groups, counted or enforced, with its logs."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from config.estate import WAF_LOG_GROUP_PREFIX
from runtime.engine.aws.cloudwatch_log_group import CloudwatchLogGroup
from runtime.engine.aws.wafv2_web_acl import (
    Wafv2WebAcl,
    Wafv2WebAclDefaultAction,
    Wafv2WebAclDefaultActionAllow,
    Wafv2WebAclRule,
    Wafv2WebAclRuleOverrideAction,
    Wafv2WebAclRuleOverrideActionCount,
    Wafv2WebAclRuleOverrideActionNone,
    Wafv2WebAclRuleVisibilityConfig,
    Wafv2WebAclVisibilityConfig,
)
from runtime.engine.aws.wafv2_web_acl_logging_configuration import (
    Wafv2WebAclLoggingConfiguration,
)
from runtime.engine.core import TerraformProvider

MANAGED_RULE_GROUPS = (
    "AWSManagedRulesAmazonIpReputationList",  # known bad sources (bots, scanners)
    "AWSManagedRulesCommonRuleSet",  # OWASP top-10 style (body size, XSS, LFI...)
    "AWSManagedRulesKnownBadInputsRuleSet",  # Log4Shell, Java deserialization, bad host headers
)
"""In evaluation order (cheapest and least false-positive-prone first)."""


@dataclass(frozen=True)
class EdgeFirewallProps:
    name: str
    """The web ACL's name (also its metrics' and its log group's suffix)."""
    log_retention_days: int
    """Retention of the ACL's log group (`aws-waf-logs-<name>`)."""
    enforce: bool = False
    """Block what the rule groups match. Off: they only count (CloudWatch metrics and the
    logs show what they would block) until the team has reviewed the matches. Default: off."""
    provider: TerraformProvider | None = None
    """The AWS provider of us-east-1, where CloudFront's web ACLs live. Default: the stack's
    own (when the stack is in us-east-1)."""


class EdgeFirewall(Construct):
    """A CLOUDFRONT-scope web ACL allowing by default, with `MANAGED_RULE_GROUPS`."""

    def __init__(self, scope: Construct, id_: str, *, props: EdgeFirewallProps) -> None:
        super().__init__(scope, id_)
        override = Wafv2WebAclRuleOverrideAction(
            none=Wafv2WebAclRuleOverrideActionNone() if props.enforce else None,
            count=None if props.enforce else Wafv2WebAclRuleOverrideActionCount(),
        )
        self.acl = Wafv2WebAcl(
            self,
            "acl",
            name=props.name,
            scope="CLOUDFRONT",
            provider=props.provider,
            default_action=Wafv2WebAclDefaultAction(allow=Wafv2WebAclDefaultActionAllow()),
            rule=[
                Wafv2WebAclRule(
                    name=group,
                    priority=priority,
                    override_action=override,
                    statement={
                        "managed_rule_group_statement": {"name": group, "vendor_name": "AWS"}
                    },
                    visibility_config=Wafv2WebAclRuleVisibilityConfig(
                        cloudwatch_metrics_enabled=True,
                        metric_name=group,
                        sampled_requests_enabled=True,
                    ),
                )
                for priority, group in enumerate(MANAGED_RULE_GROUPS)
            ],
            visibility_config=Wafv2WebAclVisibilityConfig(
                cloudwatch_metrics_enabled=True,
                metric_name=props.name,
                sampled_requests_enabled=True,
            ),
        )
        logs = CloudwatchLogGroup(
            self,
            "logs",
            name=f"{WAF_LOG_GROUP_PREFIX}-{props.name}",
            retention_in_days=props.log_retention_days,
            provider=props.provider,
        )
        self.arn: str = self.acl.arn
        Wafv2WebAclLoggingConfiguration(
            self,
            "logging",
            resource_arn=self.acl.arn,
            log_destination_configs=[logs.arn],
            provider=props.provider,
        )
