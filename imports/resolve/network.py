"""VPC, subnets, route tables and routes, IGW, NAT + EIP, and the WireGuard bridge."""

from __future__ import annotations

from typing import Any

from config.estate import az_key
from imports.resolve.context import ResolveContext, name_from_arn, tags
from imports.resolve.shared import role_entries


def _vpc(ctx: ResolveContext) -> dict[str, Any] | None:
    net = ctx.env.network
    vpcs = ctx.client("ec2").describe_vpcs(
        Filters=[{"Name": "cidr-block", "Values": [net.vpc_cidr]}]
    )["Vpcs"]
    named = [v for v in vpcs if {"Key": "Name", "Value": net.vpc_name} in v.get("Tags", [])]
    candidates = named or vpcs
    if len(candidates) != 1:
        ctx.note(f"network: {len(candidates)} VPCs with CIDR {net.vpc_cidr}; none chosen")
        return None
    return dict(candidates[0])


def resolve(ctx: ResolveContext) -> None:
    vpc = _vpc(ctx)
    if vpc is None:
        return
    vpc_id = str(vpc["VpcId"])
    net = ctx.env.network
    ctx.facts["vpc_id"] = vpc_id
    ctx.add(
        "network",
        "vpc/vpc",
        "aws_vpc",
        vpc_id,
        "ec2.describe_vpcs (CIDR, Name tag)",
        cidr_block=net.vpc_cidr,
        **tags(vpc),
    )
    by_vpc = [{"Name": "vpc-id", "Values": [vpc_id]}]
    subnet_path = _subnets(ctx, by_vpc)
    ctx.facts["subnets"] = {p: s for s, p in subnet_path.items()}
    _route_tables(ctx, by_vpc, subnet_path)
    _gateways(ctx, vpc_id, by_vpc)
    _wireguard(ctx, vpc_id)


def _subnets(ctx: ResolveContext, by_vpc: list[dict[str, Any]]) -> dict[str, str]:
    """The subnets the code knows (by CIDR); returns subnet ID -> construct path."""
    net = ctx.env.network
    wanted = {block: ("public", az) for az, block in net.public_subnets}
    wanted |= {block: ("private", az) for az, block in net.private_subnets}
    subnet_path: dict[str, str] = {}
    for subnet in ctx.client("ec2").describe_subnets(Filters=by_vpc)["Subnets"]:
        if subnet["CidrBlock"] not in wanted:
            ctx.note(
                f"network: subnet {subnet['SubnetId']} ({subnet['CidrBlock']}) is not in the code"
            )
            continue
        role, az = wanted[subnet["CidrBlock"]]
        path = f"vpc/{role}_{az_key(az)}"
        subnet_path[subnet["SubnetId"]] = path
        ctx.add(
            "network",
            path,
            "aws_subnet",
            subnet["SubnetId"],
            f"ec2.describe_subnets cidr={subnet['CidrBlock']}",
            availability_zone=subnet["AvailabilityZone"],
            map_public_ip_on_launch=subnet.get("MapPublicIpOnLaunch", False),
            **tags(subnet),
        )
    return subnet_path


def _gateways(ctx: ResolveContext, vpc_id: str, by_vpc: list[dict[str, Any]]) -> None:
    """The internet gateway, the one NAT gateway and its Elastic IP."""
    ec2 = ctx.client("ec2")
    for igw in ec2.describe_internet_gateways(
        Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}]
    )["InternetGateways"]:
        ctx.add(
            "network",
            "vpc/igw",
            "aws_internet_gateway",
            igw["InternetGatewayId"],
            "ec2.describe_internet_gateways attachment.vpc-id",
            **tags(igw),
        )
    nats = [
        n
        for n in ec2.describe_nat_gateways(Filters=by_vpc)["NatGateways"]
        if n["State"] == "available"
    ]
    if len(nats) == 1:
        nat = nats[0]
        ctx.add(
            "network",
            "vpc/nat",
            "aws_nat_gateway",
            nat["NatGatewayId"],
            "ec2.describe_nat_gateways vpc-id state=available",
            **tags(nat),
        )
        for address in nat.get("NatGatewayAddresses", []):
            if address.get("AllocationId"):
                ctx.add(
                    "network",
                    "vpc/nat_eip",
                    "aws_eip",
                    address["AllocationId"],
                    "ec2.describe_nat_gateways NatGatewayAddresses",
                )
    else:
        ctx.note(f"network: {len(nats)} available NAT gateways in the VPC; expected 1")


def _route_tables(
    ctx: ResolveContext, by_vpc: list[dict[str, Any]], subnet_path: dict[str, str]
) -> None:
    net = ctx.env.network
    for table in ctx.client("ec2").describe_route_tables(Filters=by_vpc)["RouteTables"]:
        subnets = [a for a in table.get("Associations", []) if a.get("SubnetId") in subnet_path]
        if len(subnets) != 1:
            continue  # the VPC's main table or a shared one: not one of the per-subnet tables
        subnet_id = subnets[0]["SubnetId"]
        rtb = table["RouteTableId"]
        base = subnet_path[subnet_id]
        source = f"ec2.describe_route_tables association {subnet_id}"
        ctx.add("network", f"{base}_rt", "aws_route_table", rtb, source, **tags(table))
        ctx.add(
            "network", f"{base}_rta", "aws_route_table_association", f"{subnet_id}/{rtb}", source
        )
        for route in table.get("Routes", []):
            cidr = route.get("DestinationCidrBlock")
            target = {
                k: v
                for k, v in route.items()
                if k in ("GatewayId", "NatGatewayId", "NetworkInterfaceId", "InstanceId")
            }
            if cidr == "0.0.0.0/0":
                ctx.add(
                    "network",
                    f"{base}_default",
                    "aws_route",
                    f"{rtb}_{cidr}",
                    f"{source}, route {cidr}",
                    target=target,
                )
            elif cidr == net.on_premises_cidr:
                az = base.split("_", 1)[1]  # vpc/private_us_east_1a -> us_east_1a
                ctx.add(
                    "network",
                    f"wireguard/on_premises_{az}",
                    "aws_route",
                    f"{rtb}_{cidr}",
                    f"{source}, route {cidr}",
                    target=target,
                )


def _wireguard(ctx: ResolveContext, vpc_id: str) -> None:
    net = ctx.env.network
    reservations = ctx.client("ec2").describe_instances(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "private-ip-address", "Values": [net.wireguard_private_ip]},
        ]
    )["Reservations"]
    instances = [
        i for r in reservations for i in r["Instances"] if i["State"]["Name"] != "terminated"
    ]
    if len(instances) != 1:
        ctx.note(f"network: {len(instances)} instances at {net.wireguard_private_ip}; expected 1")
        return
    instance = instances[0]
    ctx.add(
        "network",
        "wireguard/instance",
        "aws_instance",
        instance["InstanceId"],
        f"ec2.describe_instances private-ip={net.wireguard_private_ip}",
        instance_type=instance["InstanceType"],
        source_dest_check=instance.get("SourceDestCheck", True),
        **tags(instance),
    )
    groups = instance.get("SecurityGroups", [])
    if len(groups) == 1:
        ctx.facts.setdefault("security_groups", {})["wireguard"] = groups[0]["GroupId"]
    profile_arn = instance.get("IamInstanceProfile", {}).get("Arn")
    if not profile_arn:
        ctx.note("network: the WireGuard instance has no instance profile")
        return
    iam = ctx.client("iam")
    profile = iam.get_instance_profile(InstanceProfileName=name_from_arn(profile_arn))
    profile = profile["InstanceProfile"]
    ctx.add(
        "identity",
        "wireguard/profile",
        "aws_iam_instance_profile",
        profile["InstanceProfileName"],
        "iam.get_instance_profile (from the instance)",
    )
    if len(profile["Roles"]) == 1:
        role = profile["Roles"][0]["RoleName"]
        role_entries(
            ctx,
            "identity",
            "wireguard/role",
            role,
            inline_paths=["wireguard/read_config"],
            attached={"AmazonSSMManagedInstanceCore": "wireguard/ssm_core"},
        )
