"""The five security groups of the seed's table, with standalone rule resources.

Rules are `aws_vpc_security_group_{ingress,egress}_rule` resources, not inline blocks, so groups
can reference each other without a dependency cycle and each live rule imports by its `sgr-` id.
"""

from __future__ import annotations

from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.vpc_security_group_egress_rule import VpcSecurityGroupEgressRule
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule
from constructs import Construct

from config.estate import GROUPS, VPC, Rule


class SecurityGroups(Construct):
    """Creates every group in `GROUPS`, then their rules; `groups[role]` gives each group."""

    def __init__(self, scope: Construct, id_: str, *, vpc_id: str, vpc_cidr: str) -> None:
        super().__init__(scope, id_)
        self.groups = {
            role: SecurityGroup(self, role, vpc_id=vpc_id, description=spec.description)
            for role, spec in GROUPS.items()
        }
        for role, spec in GROUPS.items():
            for rule in spec.ingress:
                self._rule(
                    VpcSecurityGroupIngressRule, f"{role}_in_{rule.key}", role, rule, vpc_cidr
                )
            for rule in spec.egress:
                self._rule(
                    VpcSecurityGroupEgressRule, f"{role}_out_{rule.key}", role, rule, vpc_cidr
                )

    def _rule(self, kind: type, id_: str, role: str, rule: Rule, vpc_cidr: str) -> None:
        peer: dict[str, str] = {}
        if rule.peer in self.groups:
            peer["referenced_security_group_id"] = self.groups[rule.peer].id
        else:
            peer["cidr_ipv4"] = vpc_cidr if rule.peer == VPC else rule.peer
        ports: dict[str, object] = (
            {"ip_protocol": "-1"}
            if rule.port is None
            else {"ip_protocol": "tcp", "from_port": rule.port, "to_port": rule.port}
        )
        kind(self, id_, security_group_id=self.groups[role].id, **peer, **ports)
