"""Seeds an emulated AWS account (moto) with the seed's estate, as AWS CDK deployed it.

Names that CloudFormation would generate (roles, parameter groups, target group) are made up
here in CDK's style; the IDs the test expects are the ones the emulator returned at creation,
never the resolver's output.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from config import EnvironmentConfig

TRUST_TASKS = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)
POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"}],
    }
)
SCHEDULES = {
    "fluxion-inventario-sync-30min": ("cron(0,30 10-23,0-2 * * ? *)", "ENABLED", "FluxionETLTask"),
    "fluxion-ventas-sync-30min": ("cron(0 10-23,0-2 * * ? *)", "ENABLED", "FluxionVentasETLTask"),
    "fluxion-ventas-recovery-daily": ("cron(0 7 * * ? *)", "ENABLED", "FluxionVentasETLTask"),
    "fluxion-abc-recalc-daily": ("cron(0 8 * * ? *)", "ENABLED", "FluxionETLTask"),
    "fluxion-productos-cache-refresh": ("cron(30 9,15,21,3 * * ? *)", "DISABLED", "FluxionETLTask"),
}
CFN_TEMPLATE = json.dumps(
    {
        "Resources": {
            "EtlLogs": {
                "Type": "AWS::Logs::LogGroup",
                "Properties": {"LogGroupName": "/ecs/fluxion-etl", "RetentionInDays": 7},
            },
            "OrphanQueue": {
                "Type": "AWS::SQS::Queue",
                "Properties": {"QueueName": "fluxion-orphan"},
            },
        }
    }
)


@dataclass
class World:
    """What the emulator returned while seeding: the IDs the resolver must find."""

    ids: dict[str, str] = field(default_factory=dict)


def seed(client: Any, env: EnvironmentConfig) -> World:
    world = World()
    ids = world.ids
    ec2 = client("ec2")
    net = env.network
    vpc = ec2.create_vpc(
        CidrBlock=net.vpc_cidr,
        TagSpecifications=[
            {"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": net.vpc_name}]}
        ],
    )["Vpc"]["VpcId"]
    ids["vpc/vpc"] = vpc
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    ids["vpc/igw"] = igw
    subnets = {}
    for role, pairs in (("public", net.public_subnets), ("private", net.private_subnets)):
        for az, block in pairs:
            key = f"vpc/{role}_{az.replace('-', '_')}"
            # AWS CDK names its subnets after the construct path
            cdk_name = [{"Key": "Name", "Value": f"FluxionStackV2/FluxionVpc/{role}-{az}"}]
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
    nat = ec2.create_nat_gateway(SubnetId=subnets["vpc/public_us_east_1a"], AllocationId=eip)
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
    sgs = _security_groups(ec2, vpc, net.vpc_cidr, ids)
    _wireguard(client, env, subnets, tables, sgs, ids)
    _data(client, env, subnets, sgs, ids)
    _compute(client, env, subnets, sgs, ids)
    _edge(client, env, ids)
    client("cloudformation").create_stack(StackName="FluxionStackV2", TemplateBody=CFN_TEMPLATE)
    return world


def _security_groups(ec2: Any, vpc: str, vpc_cidr: str, ids: dict[str, str]) -> dict[str, str]:
    sgs = {}
    for role in ("alb", "backend", "etl", "wireguard", "rds"):
        sgs[role] = ec2.create_security_group(
            GroupName=f"FluxionStackV2-{role}", Description=f"{role} group", VpcId=vpc
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


def _role(client: Any, name: str, inline: bool, trust: str = TRUST_TASKS) -> str:
    iam = client("iam")
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    if inline:
        iam.put_role_policy(RoleName=name, PolicyName=f"{name}DefaultPolicy", PolicyDocument=POLICY)
    return str(arn)


def _wireguard(
    client: Any,
    env: EnvironmentConfig,
    subnets: dict[str, str],
    tables: dict[str, str],
    sgs: dict[str, str],
    ids: dict[str, str],
) -> None:
    iam, ec2 = client("iam"), client("ec2")
    role = "FluxionStackV2-WireGuardRole1A2B3C"
    _role(client, role, inline=True, trust=TRUST_TASKS.replace("ecs-tasks", "ec2"))
    ssm_core = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
    iam.attach_role_policy(RoleName=role, PolicyArn=ssm_core)
    iam.create_instance_profile(InstanceProfileName="FluxionStackV2-WireGuardProfile")
    iam.add_role_to_instance_profile(
        InstanceProfileName="FluxionStackV2-WireGuardProfile", RoleName=role
    )
    ids.update(
        {
            "wireguard/role": role,
            "wireguard/profile": "FluxionStackV2-WireGuardProfile",
            "wireguard/ssm_core": f"{role}/{ssm_core}",
            "wireguard/read_config": f"{role}:{role}DefaultPolicy",
        }
    )
    ami = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    instance = ec2.run_instances(
        ImageId=ami,
        InstanceType="t3.micro",
        MinCount=1,
        MaxCount=1,
        SubnetId=subnets["vpc/private_us_east_1a"],
        PrivateIpAddress=env.network.wireguard_private_ip,
        SecurityGroupIds=[sgs["wireguard"]],
        IamInstanceProfile={"Name": "FluxionStackV2-WireGuardProfile"},
    )["Instances"][0]
    ids["wireguard/instance"] = instance["InstanceId"]
    ec2.modify_instance_attribute(
        InstanceId=instance["InstanceId"], SourceDestCheck={"Value": False}
    )
    eni = instance["NetworkInterfaces"][0]["NetworkInterfaceId"]
    for key in ("vpc/private_us_east_1a", "vpc/private_us_east_1b"):
        ec2.create_route(
            RouteTableId=tables[key],
            DestinationCidrBlock=env.network.on_premises_cidr,
            NetworkInterfaceId=eni,
        )
        az = key.split("_", 1)[1]
        ids[f"wireguard/on_premises_{az}"] = f"{tables[key]}_{env.network.on_premises_cidr}"


def _data(
    client: Any,
    env: EnvironmentConfig,
    subnets: dict[str, str],
    sgs: dict[str, str],
    ids: dict[str, str],
) -> None:
    rds = client("rds")
    for key in ("primary", "replica"):
        name = f"fluxionstackv2-{key}params-1abc"
        rds.create_db_parameter_group(
            DBParameterGroupName=name,
            DBParameterGroupFamily="postgres16",
            Description="Parameter group for postgres16",
        )
        ids[f"postgres/{key}_params"] = name
    rds.create_db_subnet_group(
        DBSubnetGroupName="fluxionstackv2-dbsubnets-1abc",
        DBSubnetGroupDescription="db",
        SubnetIds=[subnets["vpc/private_us_east_1a"], subnets["vpc/private_us_east_1b"]],
    )
    ids["db_subnets"] = "fluxionstackv2-dbsubnets-1abc"
    rds.create_db_instance(
        DBInstanceIdentifier="fluxion-postgres-v2",
        Engine="postgres",
        EngineVersion="16.3",
        DBInstanceClass="db.t3.medium",
        AllocatedStorage=100,
        MasterUsername="postgres",
        MasterUserPassword="emulator-only-1",
        DBSubnetGroupName=ids["db_subnets"],
        VpcSecurityGroupIds=[sgs["rds"]],
        DBParameterGroupName=ids["postgres/primary_params"],
    )
    rds.create_db_instance_read_replica(
        DBInstanceIdentifier="fluxion-postgres-replica",
        SourceDBInstanceIdentifier="fluxion-postgres-v2",
        DBInstanceClass="db.t3.medium",
        DBParameterGroupName=ids["postgres/replica_params"],
    )
    ids["postgres/primary"], ids["postgres/replica"] = (
        "fluxion-postgres-v2",
        "fluxion-postgres-replica",
    )
    sm = client("secretsmanager")
    from config.estate import SECRETS

    for key, name in SECRETS.items():
        ids[f"secrets/{key}"] = sm.create_secret(Name=name)["ARN"]
    client("ssm").put_parameter(
        Name="/fluxion/etl/sentry-dsn", Type="SecureString", Value="emulator-placeholder"
    )
    logs = client("logs")
    name = "/aws/rds/instance/fluxion-postgres-v2/postgresql"
    logs.create_log_group(logGroupName=name)
    logs.put_retention_policy(logGroupName=name, retentionInDays=7)
    ids["postgres_logs"] = name
    s3, account = client("s3"), env.account_id
    backups = f"fluxion-backups-v4-{account}"
    for name in (backups, *(f"fluxion-backups{s}-{account}" for s in ("", "-v2", "-v3"))):
        s3.create_bucket(Bucket=name)
    _protect(s3, backups)
    s3.put_bucket_versioning(Bucket=backups, VersioningConfiguration={"Status": "Enabled"})
    ids.update(
        {
            "backups/bucket": backups,
            "backups/versioning": backups,
            "backups/public_access": backups,
            "backups/policy": backups,
            "backups/encryption": backups,
            "legacy_backups_v1/bucket": f"fluxion-backups-{account}",
            "legacy_backups_v2/bucket": f"fluxion-backups-v2-{account}",
            "legacy_backups_v3/bucket": f"fluxion-backups-v3-{account}",
        }
    )


def _protect(s3: Any, bucket: str) -> None:
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_policy(
        Bucket=bucket,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": f"arn:aws:s3:::{bucket}/*",
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    }
                ],
            }
        ),
    )


def _compute(
    client: Any,
    env: EnvironmentConfig,
    subnets: dict[str, str],
    sgs: dict[str, str],
    ids: dict[str, str],
) -> None:
    ecr = client("ecr")
    for name in ("backend", "etl"):
        ecr.create_repository(repositoryName=f"fluxion-{name}")
        ids[f"{name}_repository/repository"] = f"fluxion-{name}"
    ecr.put_lifecycle_policy(
        repositoryName="fluxion-backend",
        lifecyclePolicyText=json.dumps(
            {
                "rules": [
                    {
                        "rulePriority": 1,
                        "selection": {
                            "tagStatus": "any",
                            "countType": "imageCountMoreThan",
                            "countNumber": 30,
                        },
                        "action": {"type": "expire"},
                    }
                ]
            }
        ),
    )
    ids["backend_repository/lifecycle"] = "fluxion-backend"
    logs = client("logs")
    logs.create_log_group(logGroupName="/ecs/fluxion-backend")
    logs.put_retention_policy(logGroupName="/ecs/fluxion-backend", retentionInDays=7)
    ids["backend_logs"] = "/ecs/fluxion-backend"
    ids["etl_logs"] = "/ecs/fluxion-etl"  # created by the CloudFormation stack
    roles = {
        "roles/execution": ("FluxionStackV2-ExecutionRole9A1B", True),
        "roles/backend_task": ("FluxionStackV2-BackendTaskRole9A1B", True),
        "roles/etl_task": ("FluxionStackV2-EtlTaskRole9A1B", False),
        "roles/events": ("FluxionStackV2-EventsRole9A1B", True),
    }
    arns = {path: _role(client, name, inline) for path, (name, inline) in roles.items()}
    for path, (name, inline) in roles.items():
        ids[path] = name
        if inline:
            policy = {
                "roles/execution": "execution_policy",
                "roles/backend_task": "backend_exec",
                "roles/events": "events_run_task",
            }[path]
            ids[f"roles/{policy}"] = f"{name}:{name}DefaultPolicy"
    ecs = client("ecs")
    cluster = ecs.create_cluster(
        clusterName=env.compute.cluster_name,
        settings=[{"name": "containerInsights", "value": "enhanced"}],
    )["cluster"]["clusterArn"]
    ids["cluster"] = env.compute.cluster_name
    revisions = {
        "FluxionBackendTask": 3,
        "FluxionETLTask": 2,
        "FluxionVentasETLTask": 1,
        "FluxionETLTask-test": 1,
    }
    paths = {
        "FluxionBackendTask": "backend_task/definition",
        "FluxionETLTask": "etl_task/definition",
        "FluxionVentasETLTask": "ventas_etl_task/definition",
        "FluxionETLTask-test": "etl_test_task/definition",
    }
    task_arns = {}
    for family, count in revisions.items():
        container = "backend" if family == "FluxionBackendTask" else "etl"
        for _ in range(count):
            task_arns[family] = ecs.register_task_definition(
                family=family,
                networkMode="awsvpc",
                requiresCompatibilities=["FARGATE"],
                cpu="1024",
                memory="2048",
                executionRoleArn=arns["roles/execution"],
                taskRoleArn=arns[
                    "roles/backend_task" if container == "backend" else "roles/etl_task"
                ],
                containerDefinitions=[{"name": container, "image": f"fluxion-{container}:latest"}],
            )["taskDefinition"]["taskDefinitionArn"]
        ids[paths[family]] = task_arns[family]
    elb = client("elbv2")
    alb = elb.create_load_balancer(
        Name=env.compute.alb_name,
        Subnets=[subnets["vpc/public_us_east_1a"], subnets["vpc/public_us_east_1b"]],
        SecurityGroups=[sgs["alb"]],
        Scheme="internet-facing",
        Type="application",
    )["LoadBalancers"][0]["LoadBalancerArn"]
    elb.modify_load_balancer_attributes(
        LoadBalancerArn=alb, Attributes=[{"Key": "idle_timeout.timeout_seconds", "Value": "300"}]
    )
    tg = elb.create_target_group(
        Name="Fluxio-Backe-1ABC", Protocol="HTTP", Port=8001, VpcId=ids["vpc/vpc"], TargetType="ip"
    )["TargetGroups"][0]
    listener = elb.create_listener(
        LoadBalancerArn=alb,
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}],
    )["Listeners"][0]
    ids.update(
        {"lb/alb": alb, "lb/backend": tg["TargetGroupArn"], "lb/http": listener["ListenerArn"]}
    )
    ecs.create_service(
        cluster=env.compute.cluster_name,
        serviceName=env.compute.service_name,
        taskDefinition=task_arns["FluxionBackendTask"],
        desiredCount=2,
        launchType="FARGATE",
        networkConfiguration={
            "awsvpcConfiguration": {
                "subnets": [subnets["vpc/private_us_east_1a"]],
                "securityGroups": [sgs["backend"]],
            }
        },
        loadBalancers=[
            {
                "targetGroupArn": tg["TargetGroupArn"],
                "containerName": "backend",
                "containerPort": 8001,
            }
        ],
    )
    ids["backend_service/service"] = f"{env.compute.cluster_name}/{env.compute.service_name}"
    events = client("events")
    for name, (cron, state, family) in SCHEDULES.items():
        events.put_rule(Name=name, ScheduleExpression=cron, State=state)
        events.put_targets(
            Rule=name,
            Targets=[
                {
                    "Id": "Target0",
                    "Arn": cluster,
                    "RoleArn": arns["roles/events"],
                    "Input": json.dumps(
                        {"containerOverrides": [{"name": "etl", "command": ["python"]}]}
                    ),
                    "EcsParameters": {
                        "TaskDefinitionArn": task_arns[family],
                        "TaskCount": 1,
                        "LaunchType": "FARGATE",
                        "NetworkConfiguration": {
                            "awsvpcConfiguration": {
                                "Subnets": [subnets["vpc/private_us_east_1b"]],
                                "SecurityGroups": [sgs["etl"]],
                                "AssignPublicIp": "DISABLED",
                            }
                        },
                    },
                }
            ],
        )
        key = name.removeprefix("fluxion-").replace("-", "_")
        ids[f"{key}/rule"], ids[f"{key}/target"] = name, f"{name}/Target0"


def _edge(client: Any, env: EnvironmentConfig, ids: dict[str, str]) -> None:
    s3, cf, account = client("s3"), client("cloudfront"), env.account_id
    cert = client("acm").request_certificate(DomainName=f"*.{env.domain}", ValidationMethod="DNS")
    ids["wildcard/certificate"] = cert["CertificateArn"]
    for site, subdomain, prefix in (
        ("frontend", "admin", "fluxion-frontend-v4"),
        ("docs", "docs", "fluxion-docs"),
        ("api", "api", None),
    ):
        origin: dict[str, Any] = {
            "Id": "origin",
            "DomainName": "fluxion-alb.example.test",
            "CustomOriginConfig": {
                "HTTPPort": 80,
                "HTTPSPort": 443,
                "OriginProtocolPolicy": "http-only",
            },
        }
        if prefix:
            bucket = f"{prefix}-{account}"
            s3.create_bucket(Bucket=bucket)
            _protect(s3, bucket)
            ids.update(
                {
                    f"{site}/bucket/bucket": bucket,
                    f"{site}/bucket/public_access": bucket,
                    f"{site}/bucket/encryption": bucket,
                    f"{site}/policy": bucket,
                }
            )
            oac = cf.create_origin_access_control(
                OriginAccessControlConfig={
                    "Name": f"{site}-oac",
                    "SigningProtocol": "sigv4",
                    "SigningBehavior": "always",
                    "OriginAccessControlOriginType": "s3",
                }
            )["OriginAccessControl"]["Id"]
            ids[f"{site}/oac"] = oac
            origin = {
                "Id": "origin",
                "DomainName": f"{bucket}.s3.us-east-1.amazonaws.com",
                "S3OriginConfig": {"OriginAccessIdentity": ""},
                "OriginAccessControlId": oac,
            }
        dist = cf.create_distribution(
            DistributionConfig={
                "CallerReference": site,
                "Comment": site,
                "Enabled": True,
                "Aliases": {"Quantity": 1, "Items": [f"{subdomain}.{env.domain}"]},
                "Origins": {"Quantity": 1, "Items": [origin]},
                "DefaultCacheBehavior": {
                    "TargetOriginId": "origin",
                    "ViewerProtocolPolicy": "redirect-to-https",
                    "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
                },
            }
        )["Distribution"]["Id"]
        ids[f"{site}/distribution"] = dist
