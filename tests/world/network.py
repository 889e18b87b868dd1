"""The network step's part of the world: VPC, subnets, routes, security groups, the bridge."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from config import EnvironmentConfig
from config.estate import az_key
from tests.world.iam import TRUST_TASKS, make_role


def vpc(client: Any, env: EnvironmentConfig, ids: dict[str, str]) -> Layout:
    """The VPC as AWS CDK laid it out: subnets per AZ, one NAT, a route table per subnet."""
    ec2 = client("ec2")
    net = env.network
    vpc = ec2.create_vpc(
        CidrBlock=net.vpc_cidr,
        TagSpecifications=[
            {"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": net.vpc_name}]}
        ],
    )["Vpc"]["VpcId"]
    ids["vpc/vpc"] = vpc
    # AWS CDK's VPC: DNS hostnames on (moto's ECS tasks also need them for their ENIs)
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    ids["vpc/igw"] = igw
    subnets = {}
    for role, pairs in (("public", net.public_subnets), ("private", net.private_subnets)):
        for az, block in pairs:
            key = f"vpc/{role}_{az_key(az)}"
            # AWS CDK names its subnets after the construct path
            cdk_name = [
                {"Key": "Name", "Value": f"{env.cloudformation_stack}/FluxionVpc/{role}-{az}"}
            ]
            sid = ec2.create_subnet(
                VpcId=vpc,
                CidrBlock=block,
                AvailabilityZone=az,
                TagSpecifications=[{"ResourceType": "subnet", "Tags": cdk_name}],
            )
            subnets[key] = ids[key] = sid["Subnet"]["SubnetId"]
            if role == "public":
                ec2.modify_subnet_attribute(SubnetId=ids[key], MapPublicIpOnLaunch={"Value": True})
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(
        SubnetId=subnets[f"vpc/public_{az_key(net.nat_az)}"], AllocationId=eip
    )
    ids["vpc/nat_eip"], ids["vpc/nat"] = eip, nat["NatGateway"]["NatGatewayId"]
    tables = {}
    for key, sid in subnets.items():
        rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
        ec2.associate_route_table(RouteTableId=rtb, SubnetId=sid)
        target = {"GatewayId": igw} if "public" in key else {"NatGatewayId": ids["vpc/nat"]}
        ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", **target)
        tables[key] = ids[f"{key}_rt"] = rtb
        ids[f"{key}_rta"] = f"{sid}/{rtb}"
        ids[f"{key}_default"] = f"{rtb}_0.0.0.0/0"
    return Layout(vpc, subnets, tables)


@dataclass(frozen=True)
class Layout:
    """What the later steps place their resources in."""

    vpc_id: str
    subnets: dict[str, str]
    """`vpc/<role>_<az key>` -> subnet ID."""
    route_tables: dict[str, str]
    """The same keys -> route table ID."""


def security_groups(
    ec2: Any, vpc: str, vpc_cidr: str, ids: dict[str, str], prefix: str
) -> dict[str, str]:
    sgs = {}
    for role in ("alb", "backend", "etl", "wireguard", "rds"):
        sgs[role] = ec2.create_security_group(
            GroupName=f"{prefix}{role}", Description=f"{role} group", VpcId=vpc
        )["GroupId"]
        ids[f"sg/{role}"] = sgs[role]
    for role in ("alb", "rds"):  # AWS CDK: allowAllOutbound false
        ec2.revoke_security_group_egress(
            GroupId=sgs[role],
            IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
        )

    def allow(group: str, egress: bool, port: int | None, peer: str, key: str) -> None:
        perm: dict[str, Any] = (
            {"IpProtocol": "-1"}
            if port is None
            else {"IpProtocol": "tcp", "FromPort": port, "ToPort": port}
        )
        if peer in sgs:
            perm["UserIdGroupPairs"] = [{"GroupId": sgs[peer]}]
        else:
            perm["IpRanges"] = [{"CidrIp": peer}]
        call = (
            ec2.authorize_security_group_egress if egress else ec2.authorize_security_group_ingress
        )
        (rule,) = call(GroupId=sgs[group], IpPermissions=[perm])["SecurityGroupRules"]
        ids[f"sg/{group}_{'out' if egress else 'in'}_{key}"] = rule["SecurityGroupRuleId"]

    allow("alb", False, 80, "0.0.0.0/0", "http")
    allow("alb", True, 8001, "backend", "backend")
    allow("backend", False, 8001, "alb", "alb")
    allow("backend", True, 5432, "rds", "rds")
    allow("etl", True, 5432, "rds", "rds")
    allow("wireguard", False, None, vpc_cidr, "vpc")
    for peer in ("backend", "etl", "wireguard"):
        allow("rds", False, 5432, peer, peer)
    # the default allow-all egress of the groups that keep it (AWS CDK: allowAllOutbound)
    for role in ("backend", "etl", "wireguard"):
        rules = ec2.describe_security_group_rules(
            Filters=[{"Name": "group-id", "Values": [sgs[role]]}]
        )["SecurityGroupRules"]
        (default,) = [r for r in rules if r["IsEgress"] and r["IpProtocol"] == "-1"]
        ids[f"sg/{role}_out_all"] = default["SecurityGroupRuleId"]
    return sgs


def wireguard(
    client: Any,
    env: EnvironmentConfig,
    subnets: dict[str, str],
    tables: dict[str, str],
    sgs: dict[str, str],
    ids: dict[str, str],
) -> None:
    iam, ec2 = client("iam"), client("ec2")
    prefix = f"{env.cloudformation_stack}-"
    role, profile = f"{prefix}WireGuardRole1A2B3C", f"{prefix}WireGuardProfile"
    make_role(client, role, inline=True, trust=TRUST_TASKS.replace("ecs-tasks", "ec2"))
    ssm_core = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
    iam.attach_role_policy(RoleName=role, PolicyArn=ssm_core)
    iam.create_instance_profile(InstanceProfileName=profile)
    iam.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=role)
    ids.update(
        {
            "wireguard/role": role,
            "wireguard/profile": profile,
            "wireguard/ssm_core": f"{role}/{ssm_core}",
            "wireguard/read_config": f"{role}:{role}DefaultPolicy",
        }
    )
    ami = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    instance = ec2.run_instances(
        ImageId=ami,
        InstanceType=env.network.wireguard_instance_type,
        MinCount=1,
        MaxCount=1,
        SubnetId=subnets[f"vpc/private_{az_key(env.network.wireguard_az)}"],
        PrivateIpAddress=env.network.wireguard_private_ip,
        SecurityGroupIds=[sgs["wireguard"]],
        IamInstanceProfile={"Name": profile},
    )["Instances"][0]
    ids["wireguard/instance"] = instance["InstanceId"]
    ec2.modify_instance_attribute(
        InstanceId=instance["InstanceId"], SourceDestCheck={"Value": False}
    )
    eni = instance["NetworkInterfaces"][0]["NetworkInterfaceId"]
    for key in (f"vpc/private_{az_key(az)}" for az in env.network.azs):
        ec2.create_route(
            RouteTableId=tables[key],
            DestinationCidrBlock=env.network.on_premises_cidr,
            NetworkInterfaceId=eni,
        )
        az = key.split("_", 1)[1]
        ids[f"wireguard/on_premises_{az}"] = f"{tables[key]}_{env.network.on_premises_cidr}"
