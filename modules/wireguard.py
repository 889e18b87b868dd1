"""The WireGuard bridge to La Granja: an EC2 instance that routes the on-premises CIDR."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from string import Template

from constructs import Construct

from config.estate import az_key
from policies.document import Statement, allow
from runtime.engine.aws.data_aws_ssm_parameter import DataAwsSsmParameter
from runtime.engine.aws.instance import (
    Instance,
    InstanceMetadataOptions,
    InstanceRootBlockDevice,
)
from runtime.engine.aws.route import Route
from runtime.engine.core import TerraformResourceLifecycle

USER_DATA = Path(__file__).with_name("assets") / "wireguard-user-data.sh"
# AWS CDK's MachineImage.latestAmazonLinux2023() resolves this public parameter.
AMI_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
SSM_CORE = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
"""The AWS managed policy of the SSM agent: the runbook connects with `aws ssm start-session`."""


@dataclass(frozen=True)
class WireGuardProps:
    subnet_id: str
    """The private subnet the bridge lives in."""
    security_group_id: str
    """The bridge's security group."""
    private_ip: str
    """The bridge's fixed private address (the route's target interface keeps it)."""
    tunnel_address: str
    """The bridge's address inside the WireGuard tunnel (CIDR)."""
    on_premises_cidr: str
    """La Granja's network, routed through the bridge."""
    route_table_ids: dict[str, str]
    """AZ -> route table that sends `on_premises_cidr` to the bridge's network interface."""
    instance_profile_name: str
    """The bridge's instance profile (the `identity` stack's): its role reads `secret_name`
    (`bridge_grant`) and lets SSM manage the instance."""
    secret_name: str
    """The secret's name, read by the bridge at boot."""
    region: str
    """The secret's region."""
    instance_type: str
    """The bridge's EC2 instance type."""
    source_dest_check: bool = False
    """Must stay off: the bridge forwards traffic that is neither from nor to itself.
    Default: off."""
    encrypted_root: bool = False
    """Encrypt the root volume (it holds the tunnel's private key once booted) with the EBS
    default key. ForceNew: it replaces the bridge (new ENI, the routes follow it, the tunnel
    is down until the new one boots). Default: off (as live)."""


class WireGuardBridge(Construct):
    """EC2 bridge (SSM-managed, IMDSv2) plus the routes that send on-premises traffic to it."""

    def __init__(self, scope: Construct, id_: str, *, props: WireGuardProps) -> None:
        super().__init__(scope, id_)
        ami = DataAwsSsmParameter(self, "ami", name=AMI_PARAMETER)
        self.instance = Instance(
            self,
            "instance",
            ami=ami.insecure_value,
            instance_type=props.instance_type,
            subnet_id=props.subnet_id,
            private_ip=props.private_ip,
            vpc_security_group_ids=[props.security_group_id],
            iam_instance_profile=props.instance_profile_name,
            source_dest_check=props.source_dest_check,
            metadata_options=InstanceMetadataOptions(http_tokens="required"),
            root_block_device=InstanceRootBlockDevice(encrypted=True)
            if props.encrypted_root
            else None,
            user_data=render_user_data(props),
            user_data_replace_on_change=False,
            # A new AL2023 AMI or an edited script would otherwise replace the adopted bridge
            # (new ENI, tunnel down). Roll those out deliberately with `-replace`.
            lifecycle=TerraformResourceLifecycle(ignore_changes=["ami", "user_data"]),
        )
        self.eni_id = self.instance.primary_network_interface_id
        for az, table_id in props.route_table_ids.items():
            Route(
                self,
                f"on_premises_{az_key(az)}",
                route_table_id=table_id,
                destination_cidr_block=props.on_premises_cidr,
                # `instance_id` on aws_route is deprecated and diffs forever; use the ENI.
                network_interface_id=self.eni_id,
            )


def render_user_data(props: WireGuardProps) -> str:
    """The boot script with the non-secret parameters filled in."""
    return Template(USER_DATA.read_text()).safe_substitute(
        secret_name=props.secret_name,
        region=props.region,
        tunnel_address=props.tunnel_address,
        on_premises_cidr=props.on_premises_cidr,
    )


def bridge_grant(secret_arn: str) -> list[Statement]:
    """What the bridge's role reads at boot: its own secret (keys, peer), nothing else."""
    return [allow(["secretsmanager:GetSecretValue"], secret_arn)]
