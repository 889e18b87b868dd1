"""Seeds an emulated AWS account (moto) with the seed's estate, as AWS CDK deployed it.

One module per resolver step (network, data, compute, edge), each fed from the environment's
config (names, AZs, schedules, sites) so the world cannot drift from what the code adopts.
Names that CloudFormation would generate (roles, parameter groups, target group) are made up
here in CDK's style; the IDs the test expects are the ones the emulator returned at creation,
never the resolver's output.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from config import EnvironmentConfig
from config.estate import log_group_name
from tests.world import compute, data, edge, network


@dataclass
class World:
    """What the emulator returned while seeding: the IDs the resolver must find."""

    ids: dict[str, str] = field(default_factory=dict)


def seed(client: Any, env: EnvironmentConfig) -> World:
    world = World()
    ids = world.ids
    layout = network.vpc(client, env, ids)
    sgs = network.security_groups(
        client("ec2"), layout.vpc_id, env.network.vpc_cidr, ids, f"{env.cloudformation_stack}-"
    )
    network.wireguard(client, env, layout.subnets, layout.route_tables, sgs, ids)
    data.data(client, env, layout.subnets, sgs, ids)
    compute.compute(client, env, layout.subnets, sgs, ids)
    edge.edge(client, env, ids)
    client("cloudformation").create_stack(
        StackName=env.cloudformation_stack, TemplateBody=_template()
    )
    return world


def _template() -> str:
    """The CloudFormation stack: one resource the code adopts, one it does not (an orphan)."""
    return json.dumps(
        {
            "Resources": {
                "EtlLogs": {
                    "Type": "AWS::Logs::LogGroup",
                    "Properties": {"LogGroupName": log_group_name("etl"), "RetentionInDays": 7},
                },
                "OrphanQueue": {
                    "Type": "AWS::SQS::Queue",
                    "Properties": {"QueueName": "fluxion-orphan"},
                },
            }
        }
    )
