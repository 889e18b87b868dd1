"""Security groups (found through the resources that use them) and each of their rules."""

from __future__ import annotations

from typing import Any

from config.estate import VPC, groups
from imports.resolve.context import ResolveContext, tags


def resolve(ctx: ResolveContext) -> None:
    found: dict[str, str] = ctx.facts.get("security_groups", {})
    table = groups(ctx.env)
    missing = sorted(set(table) - set(found))
    if missing:
        ctx.note(f"network: security groups not found through their users: {missing}")
    if not found:
        return
    ec2 = ctx.client("ec2")
    role_of = {group_id: role for role, group_id in found.items()}
    described = ec2.describe_security_groups(GroupIds=sorted(role_of))["SecurityGroups"]
    for group in described:
        role = role_of[group["GroupId"]]
        ctx.add(
            "network",
            f"sg/{role}",
            "aws_security_group",
            group["GroupId"],
            f"ec2.describe_security_groups (the {role} resource's group)",
            description=group["Description"],
            **tags(group),
        )
    live_rules = ec2.describe_security_group_rules(
        Filters=[{"Name": "group-id", "Values": sorted(role_of)}]
    )["SecurityGroupRules"]
    matched: set[str] = set()
    for role, spec in table.items():
        if role not in found:
            continue
        for egress, rules in ((False, spec.ingress), (True, spec.egress)):
            for rule in rules:
                path = f"sg/{role}_{'out' if egress else 'in'}_{rule.key}"
                hits = [
                    r
                    for r in live_rules
                    if r["GroupId"] == found[role]
                    and r["IsEgress"] == egress
                    and _same(r, rule.port, _peer(ctx, found, rule.peer))
                ]
                if len(hits) == 1:
                    matched.add(hits[0]["SecurityGroupRuleId"])
                    kind = "egress" if egress else "ingress"
                    ctx.add(
                        "network",
                        path,
                        f"aws_vpc_security_group_{kind}_rule",
                        hits[0]["SecurityGroupRuleId"],
                        "ec2.describe_security_group_rules",
                    )
                else:
                    ctx.note(f"network: {len(hits)} live rules match {path}")
    for rule in live_rules:
        if rule["SecurityGroupRuleId"] not in matched:
            ctx.note(
                f"network: live rule {rule['SecurityGroupRuleId']} of "
                f"{role_of[rule['GroupId']]} ({_describe(rule)}) is not in the code"
            )


def _peer(ctx: ResolveContext, found: dict[str, str], peer: str) -> str:
    if peer in groups(ctx.env):  # another group's role
        return found.get(peer, f"<{peer} not found>")
    return ctx.env.network.vpc_cidr if peer == VPC else peer


def _same(live: dict[str, Any], port: int | None, peer: str) -> bool:
    live_peer = live.get("ReferencedGroupInfo", {}).get("GroupId") or live.get("CidrIpv4")
    if live_peer != peer:
        return False
    if port is None:
        return bool(live["IpProtocol"] == "-1")
    return bool(live["IpProtocol"] == "tcp" and live.get("FromPort") == live.get("ToPort") == port)


def _describe(rule: dict[str, Any]) -> str:
    peer = rule.get("ReferencedGroupInfo", {}).get("GroupId") or rule.get("CidrIpv4")
    return f"{rule['IpProtocol']} {rule.get('FromPort')}-{rule.get('ToPort')} {peer}"
