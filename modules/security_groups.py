"""The five security groups of the seed's table, with standalone rule resources.

Rules are `aws_vpc_security_group_{ingress,egress}_rule` resources, not inline blocks, so groups
can reference each other without a dependency cycle and each live rule imports by its `sgr-` id.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.vpc_security_group_egress_rule import VpcSecurityGroupEgressRule
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule
from constructs import Construct

ANYWHERE = "0.0.0.0/0"
VPC = "vpc"  # stands for the VPC's CIDR in the table below


@dataclass(frozen=True)
class Rule:
    """One rule. `peer` is another group's role, `VPC`, or a CIDR. `port` None = all traffic."""

    key: str
    peer: str
    port: int | None = None


@dataclass(frozen=True)
class GroupSpec:
    description: str
    ingress: tuple[Rule, ...] = ()
    egress: tuple[Rule, ...] = ()


# The seed's "Security Groups" table. Descriptions are ForceNew on aws_security_group: they
# must equal the live ones (the adoption inventory checks them).
GROUPS: dict[str, GroupSpec] = {
    "alb": GroupSpec(
        "Security group for the Fluxion ALB",
        ingress=(Rule("http", ANYWHERE, 80),),
        egress=(Rule("backend", "backend", 8001),),
    ),
    "backend": GroupSpec(
        "Security group for the Fluxion backend tasks",
        ingress=(Rule("alb", "alb", 8001),),
        egress=(Rule("rds", "rds", 5432), Rule("all", ANYWHERE)),
    ),
    "etl": GroupSpec(
        "Security group for the Fluxion ETL tasks",
        egress=(Rule("rds", "rds", 5432), Rule("all", ANYWHERE)),
    ),
    "wireguard": GroupSpec(
        "Security group for the WireGuard bridge",
        ingress=(Rule("vpc", VPC),),
        egress=(Rule("all", ANYWHERE),),
    ),
    "rds": GroupSpec(
        "Security group for the Fluxion RDS instances",
        ingress=(
            Rule("backend", "backend", 5432),
            Rule("etl", "etl", 5432),
            Rule("wireguard", "wireguard", 5432),
        ),
    ),
}


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
