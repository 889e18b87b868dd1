"""network: the VPC, security groups and the WireGuard bridge to La Granja."""

from __future__ import annotations

from collections.abc import Mapping

from constructs import Construct

from config import EnvironmentConfig
from config.estate import flow_log_group_name, groups
from modules.flow_logs import FlowLogs, FlowLogsProps
from modules.security_groups import SecurityGroups, SecurityGroupsProps
from modules.vpc import Vpc, VpcProps
from modules.wireguard import WireGuardBridge, WireGuardProps
from runtime.engine.aws.data_aws_ec2_managed_prefix_list import (
    DataAwsEc2ManagedPrefixList,
)
from runtime.engine.aws.default_security_group import DefaultSecurityGroup
from stacks.base import FluxionStack
from stacks.contract import IdentityOutputs, NetworkOutputs, publish, read, remote_state

CLOUDFRONT_ORIGIN_FACING = "com.amazonaws.global.cloudfront.origin-facing"


class NetworkStack(FluxionStack):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: EnvironmentConfig,
        live: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id_, config=config, live=live)
        net = config.network
        identity = read(IdentityOutputs, remote_state(self, config, "identity"))
        vpc = Vpc(self, "vpc", props=VpcProps(network=net, map_public_ips=config.adopted))
        sgs = self._security_groups(vpc)
        if config.hardening.default_sg_emptied:
            # Takes over the VPC's default group and strips its rules: nothing may use it.
            DefaultSecurityGroup(self, "default_sg", vpc_id=vpc.vpc.id)
        if config.hardening.flow_logs:
            self._flow_logs(vpc, identity)
        bridge = self._bridge(vpc, sgs, identity) if config.features.bridge else None
        self.outputs = NetworkOutputs(
            vpc_id=vpc.vpc.id,
            public_subnet_ids=[s.id for s in vpc.public_subnets.values()],
            private_subnet_ids=[s.id for s in vpc.private_subnets.values()],
            etl_subnet_id=vpc.private_subnets[net.etl_az].id,
            alb_security_group_id=sgs.groups["alb"].id,
            backend_security_group_id=sgs.groups["backend"].id,
            etl_security_group_id=sgs.groups["etl"].id,
            rds_security_group_id=sgs.groups["rds"].id,
            wireguard_security_group_id=sgs.groups["wireguard"].id if bridge else "",
            wireguard_eni_id=bridge.eni_id if bridge else "",  # no bridge: empty
            wireguard_instance_id=bridge.instance.id if bridge else "",
            nat_gateway_id=vpc.nat.id,
        )
        publish(self, self.outputs, config)

    def _security_groups(self, vpc: Vpc) -> SecurityGroups:
        """The seed's security group table, as the hardening switches change its rules."""
        cloudfront = (
            DataAwsEc2ManagedPrefixList(self, "cloudfront_origins", name=CLOUDFRONT_ORIGIN_FACING)
            if self.config.hardening.https_origin
            else None
        )
        return SecurityGroups(
            self,
            "sg",
            props=SecurityGroupsProps(
                vpc_id=vpc.vpc.id,
                vpc_cidr=self.config.network.vpc_cidr,
                groups=groups(self.config),
                cloudfront_prefix_list_id=cloudfront.id if cloudfront else None,
            ),
        )

    def _flow_logs(self, vpc: Vpc, identity: IdentityOutputs) -> None:
        """VPC flow logs, delivered with the identity stack's role."""
        FlowLogs(
            self,
            "flow_logs",
            props=FlowLogsProps(
                vpc_id=vpc.vpc.id,
                log_group_name=flow_log_group_name(self.config.network.vpc_name),
                retention_days=self.config.hardening.log_retention_days,
                role_arn=identity.flow_logs_role_arn,
            ),
        )

    def _bridge(self, vpc: Vpc, sgs: SecurityGroups, identity: IdentityOutputs) -> WireGuardBridge:
        """The WireGuard bridge to La Granja and the routes to its network."""
        net, config = self.config.network, self.config
        return WireGuardBridge(
            self,
            "wireguard",
            props=WireGuardProps(
                subnet_id=vpc.private_subnets[net.wireguard_az].id,
                security_group_id=sgs.groups["wireguard"].id,
                private_ip=net.wireguard_private_ip,
                tunnel_address=net.wireguard_tunnel_cidr,
                on_premises_cidr=net.on_premises_cidr,
                route_table_ids={az: t.id for az, t in vpc.private_route_tables.items()},
                instance_profile_name=identity.bridge_instance_profile_name,
                secret_name=net.wireguard_secret_name,
                region=config.region,
                instance_type=net.wireguard_instance_type,
                source_dest_check=net.wireguard_source_dest_check,
                # replaces the bridge (review/replacements.json, rollout step 8)
                encrypted_root=config.hardening.encrypted_bridge_root,
            ),
        )
