"""The five security groups of the seed's table, with standalone rule resources.

Rules are `aws_vpc_security_group_{ingress,egress}_rule` resources, not inline blocks, so groups
can reference each other without a dependency cycle and each live rule imports by its `sgr-` id.
"""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from config import ConfigError
from config.estate import CLOUDFRONT, VPC, GroupSpec, Rule
from runtime.engine.aws.security_group import SecurityGroup
from runtime.engine.aws.vpc_security_group_egress_rule import VpcSecurityGroupEgressRule
from runtime.engine.aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule


@dataclass(frozen=True)
class SecurityGroupsProps:
    vpc_id: str
    """The VPC the groups belong to."""
    vpc_cidr: str
    """The VPC's CIDR, for rules whose peer is `VPC`."""
    groups: dict[str, GroupSpec]
    """Role -> group spec (`config.estate.groups(hardened)`)."""
    cloudfront_prefix_list_id: str | None = None
    """Needed when a rule's peer is `CLOUDFRONT`. Default: none."""


class SecurityGroups(Construct):
    """Creates every group of the table, then their rules; `groups[role]` gives each group."""

    def __init__(self, scope: Construct, id_: str, *, props: SecurityGroupsProps) -> None:
        super().__init__(scope, id_)
        self.groups = {
            role: SecurityGroup(self, role, vpc_id=props.vpc_id, description=spec.description)
            for role, spec in props.groups.items()
        }
        for role, spec in props.groups.items():
            for rule in spec.ingress:
                self._rule(VpcSecurityGroupIngressRule, f"{role}_in_{rule.key}", role, rule, props)
            for rule in spec.egress:
                self._rule(VpcSecurityGroupEgressRule, f"{role}_out_{rule.key}", role, rule, props)

    def _rule(
        self, kind: type, id_: str, role: str, rule: Rule, props: SecurityGroupsProps
    ) -> None:
        peer: dict[str, str] = {}
        if rule.peer in self.groups:
            peer["referenced_security_group_id"] = self.groups[rule.peer].id
        elif rule.peer == CLOUDFRONT:
            if props.cloudfront_prefix_list_id is None:
                raise ConfigError(f"security group rule {id_}: needs the CloudFront prefix list")
            peer["prefix_list_id"] = props.cloudfront_prefix_list_id
        else:
            peer["cidr_ipv4"] = props.vpc_cidr if rule.peer == VPC else rule.peer
        ports: dict[str, object] = (
            {"ip_protocol": "-1"}
            if rule.port is None
            else {"ip_protocol": rule.protocol, "from_port": rule.port, "to_port": rule.port}
        )
        if rule.description:
            ports["description"] = rule.description
        kind(self, id_, security_group_id=self.groups[role].id, **peer, **ports)
