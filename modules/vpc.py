"""The VPC as AWS CDK's `ec2.Vpc` laid it out live: per AZ one public and one private /24,
one route table per subnet, a single NAT gateway (cost) shared by both private subnets."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from config import NetworkConfig
from config.estate import az_key
from runtime.engine.aws.eip import Eip
from runtime.engine.aws.internet_gateway import InternetGateway
from runtime.engine.aws.nat_gateway import NatGateway
from runtime.engine.aws.route import Route
from runtime.engine.aws.route_table import RouteTable
from runtime.engine.aws.route_table_association import RouteTableAssociation
from runtime.engine.aws.subnet import Subnet
from runtime.engine.aws.vpc import Vpc as AwsVpc


@dataclass(frozen=True)
class VpcProps:
    network: NetworkConfig
    """The VPC's name, CIDR, subnets (AZ and CIDR, in allocation order) and the NAT's AZ."""
    map_public_ips: bool = True
    """Public subnets give launched instances a public IP (AWS CDK's default, live).
    Default: on."""


class Vpc(Construct):
    """VPC, subnets keyed by role and AZ, IGW, one NAT, and a route table per subnet."""

    def __init__(self, scope: Construct, id_: str, *, props: VpcProps) -> None:
        super().__init__(scope, id_)
        config = props.network
        self.map_public_ips = props.map_public_ips
        self.vpc = AwsVpc(
            self,
            "vpc",
            cidr_block=config.vpc_cidr,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags={"Name": config.vpc_name},
        )
        self.igw = InternetGateway(self, "igw", vpc_id=self.vpc.id)
        self.public_subnets: dict[str, Subnet] = {}
        self.private_subnets: dict[str, Subnet] = {}
        self.private_route_tables: dict[str, RouteTable] = {}
        for az, block in config.public_subnets:
            subnet = self._subnet("public", az, block, public=True)
            self.public_subnets[az] = subnet
            self._route_table("public", az, subnet, gateway_id=self.igw.id)
        self.nat_eip = Eip(self, "nat_eip", domain="vpc")
        self.nat = NatGateway(
            self,
            "nat",
            allocation_id=self.nat_eip.allocation_id,
            subnet_id=self.public_subnets[config.nat_az].id,
        )
        for az, block in config.private_subnets:
            subnet = self._subnet("private", az, block, public=False)
            self.private_subnets[az] = subnet
            table = self._route_table("private", az, subnet, nat_gateway_id=self.nat.id)
            self.private_route_tables[az] = table

    def _subnet(self, role: str, az: str, block: str, *, public: bool) -> Subnet:
        return Subnet(
            self,
            f"{role}_{az_key(az)}",
            vpc_id=self.vpc.id,
            cidr_block=block,
            availability_zone=az,
            # AWS CDK turns this on for PUBLIC subnets; the live subnets carry it. An
            # environment built fresh leaves it off: only the ALB and the NAT live there.
            map_public_ip_on_launch=public and self.map_public_ips,
        )

    def _route_table(
        self,
        role: str,
        az: str,
        subnet: Subnet,
        *,
        gateway_id: str | None = None,
        nat_gateway_id: str | None = None,
    ) -> RouteTable:
        key = f"{role}_{az_key(az)}"
        # Routes are separate resources (as CloudFormation had them) so each imports on its own.
        table = RouteTable(self, f"{key}_rt", vpc_id=self.vpc.id)
        RouteTableAssociation(self, f"{key}_rta", route_table_id=table.id, subnet_id=subnet.id)
        Route(
            self,
            f"{key}_default",
            route_table_id=table.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=gateway_id,
            nat_gateway_id=nat_gateway_id,
        )
        return table
