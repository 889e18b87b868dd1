"""The CI identities' IAM documents, built from one table (plain data; tests read them as data).

Who can do what (docs/ci-identity.md has the table and the claims it backs):

- **plan** (`fluxion-ci-plan`): trusted by this repository's pull requests and the scheduled
  drift report. Reads what `terraform plan` reads (configuration, never contents), every
  stack's state object, and writes only the state lock files.
- **apply, one per CI stack** (`fluxion-ci-apply-<stack>`): trusted only from the GitHub
  environment named after the stack. Each is one row of `APPLY`: the calls for the resource
  types its stack owns, on the ARNs that stack owns, its log groups and buckets, its state
  object, and the exact workload roles it passes to the one service each is for. No apply role
  writes an IAM role or policy, a backup bucket or a secret's value.
- **release** (`fluxion-ci-release`): the application pipeline.

Every CI role carries the guardrail (`guardrail`): an explicit Deny wins over any Allow.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from config import EnvironmentConfig
from config.estate import (
    CI_STACKS,
    PLANNED_STACKS,
    backup_buckets,
    log_group_name,
    resource_prefix,
    site_buckets,
)
from config.monitoring import etl_failure_rule_name
from policies import actions as act
from policies.arns import Arns
from policies.document import Statement, allow, deny, document
from policies.workloads import passed_roles

RELEASE_ENVIRONMENT = "release"
DRIFT_ENVIRONMENT = "drift"
"""The scheduled drift report's environment: it plans (refresh-only) with the plan role."""

ACCOUNT = "arn:aws:{service}:{region}:{account}:"


@dataclass(frozen=True)
class StackGrants:
    """What one CI stack's apply role may do. Resources are `Arns.expand` templates."""

    stack: str
    writes: tuple[str, ...]
    """The create/update/delete/tag calls for the resource types the stack owns."""
    resources: tuple[str, ...]
    """The ARNs `writes` are granted on: names where the service names them, else the
    account and region (EC2, ELB, CloudFront and ACM IDs are random)."""
    log_groups: tuple[str, ...] = ()
    """Names (patterns) of the log groups the stack owns."""
    log_region: str = "{region}"
    """Where those log groups are (the edge's are in CloudFront's region)."""
    site_buckets: bool = False
    """The static sites' buckets (configuration only, never objects)."""
    extra: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()
    """(actions, resources) the stack needs beyond its own types (unscopable calls, ...)."""


APPLY = (
    StackGrants(
        "network",
        writes=tuple(act.NETWORK_WRITES),
        resources=(
            "arn:aws:ec2:{region}:{account}:*",
            "arn:aws:ec2:{region}::image/*",  # RunInstances reads the AMI
        ),
        log_groups=("/vpc/{vpc}/*",),
    ),
    StackGrants(
        "data",
        writes=tuple(act.DATA_WRITES),
        resources=(
            "arn:aws:rds:{region}:{account}:db:{primary}",
            "arn:aws:rds:{region}:{account}:db:{replica}",
            "arn:aws:rds:{region}:{account}:pg:*",
            "arn:aws:rds:{region}:{account}:subgrp:*",
            "arn:aws:rds:{region}:{account}:og:default:*",
            "arn:aws:rds:{region}:{account}:secgrp:*",
            "arn:aws:secretsmanager:{region}:{account}:secret:{prefix}/*",
        ),
        log_groups=("/aws/rds/instance/{primary}/*", "/aws/rds/instance/{replica}/*"),
        extra=(
            # `hardened`: RDS manages the primary's master password in `rds!db-<id>`
            (
                tuple(act.RDS_MANAGED_SECRET),
                ("arn:aws:secretsmanager:{region}:{account}:secret:rds!*",),
            ),
        ),
    ),
    StackGrants(
        "compute",
        writes=tuple(act.COMPUTE_WRITES),
        resources=(
            "arn:aws:ecr:{region}:{account}:repository/{prefix}-*",
            "arn:aws:ecs:{region}:{account}:cluster/{cluster}",
            "arn:aws:ecs:{region}:{account}:service/{cluster}/*",
            "arn:aws:ecs:{region}:{account}:task-definition/{Prefix}*:*",
            "arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/app/*",
            "arn:aws:elasticloadbalancing:{region}:{account}:listener/app/*",
            "arn:aws:elasticloadbalancing:{region}:{account}:listener-rule/app/*",
            "arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/*",
            "arn:aws:events:{region}:{account}:rule/{prefix}-*",
            "arn:aws:acm:{region}:{account}:certificate/*",
        ),
        log_groups=(log_group_name("*"),),
        extra=((tuple(act.REGISTER_TASK_DEFINITION), ("*",)),),
    ),
    StackGrants(
        "edge",
        writes=tuple(act.EDGE_WRITES),
        resources=(
            "arn:aws:cloudfront::{account}:distribution/*",
            "arn:aws:cloudfront::{account}:origin-access-control/*",
            "arn:aws:cloudfront::{account}:response-headers-policy/*",
            "arn:aws:cloudfront::{account}:vpcorigin/*",
            "arn:aws:acm:{edge_region}:{account}:certificate/*",
            "arn:aws:wafv2:{edge_region}:{account}:global/webacl/*",
            # CreateWebACL is also authorized on the AWS managed rule groups it references
            "arn:aws:wafv2:{edge_region}:*:global/managedruleset/*/*",
            "arn:aws:logs:{edge_region}:{account}:delivery:*",
            "arn:aws:logs:{edge_region}:{account}:delivery-destination:*",
            "arn:aws:logs:{edge_region}:{account}:delivery-source:*",
        ),
        log_groups=("aws-waf-logs-{prefix}-*",),
        log_region="{edge_region}",
        site_buckets=True,
        extra=((tuple(act.WAF_LOG_DELIVERY), ("*",)),),
    ),
)
"""One row per CI stack, in deploy order (`config.estate.CI_STACKS`, a test compares)."""
GRANTS = {row.stack: row for row in APPLY}


# --- what planning reads ----------------------------------------------------------------------

SCOPED_READ_ARNS = {
    # The bridge's instance and the VPC, in this account and region.
    "ec2": ("arn:aws:ec2:{region}:{account}:*",),
    # CloudFront's origin-facing prefix list is owned by AWS, not by the account.
    "prefix-list": ("arn:aws:ec2:{region}:*:prefix-list/*",),
    "elasticloadbalancing": ("arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/*",),
    "rds": ("arn:aws:rds:{region}:{account}:*",),
    "secretsmanager": ("arn:aws:secretsmanager:{region}:{account}:secret:*",),
    "ecs": ("arn:aws:ecs:{region}:{account}:*",),
    "ecr": ("arn:aws:ecr:{region}:{account}:repository/*",),
    "events": ("arn:aws:events:{region}:{account}:rule/*",),
    "logs": ("arn:aws:logs:{region}:{account}:log-group:*",),
    # the edge's certificate (CloudFront's region) and the ALB's (`hardened`, the region)
    "acm": (
        "arn:aws:acm:{edge_region}:{account}:certificate/*",
        "arn:aws:acm:{region}:{account}:certificate/*",
    ),
    "wafv2": ("arn:aws:wafv2:{edge_region}:{account}:global/webacl/*",),
    "log-delivery": (
        "arn:aws:logs:{edge_region}:{account}:delivery:*",
        "arn:aws:logs:{edge_region}:{account}:delivery-destination:*",
        "arn:aws:logs:{edge_region}:{account}:delivery-source:*",
    ),
    "cloudfront": (
        "arn:aws:cloudfront::{account}:distribution/*",
        "arn:aws:cloudfront::{account}:origin-access-control/*",
    ),
    "kms": ("arn:aws:kms:{region}:{account}:key/*",),
    "sns": ("arn:aws:sns:{region}:{account}:*",),
    "cloudtrail": ("arn:aws:cloudtrail:{region}:{account}:trail/*",),  # PEOPLE_STACK_READS
    "cloudwatch-alarms": ("arn:aws:cloudwatch:{region}:{account}:alarm:*",),
    "cloudwatch-dashboards": ("arn:aws:cloudwatch::{account}:dashboard/*",),
    "cloudfront-vpc-origins": ("arn:aws:cloudfront::{account}:vpcorigin/*",),
    # The managed policies the distributions use belong to AWS, not to the account.
    "cloudfront-policies": (
        "arn:aws:cloudfront::*:cache-policy/*",
        "arn:aws:cloudfront::*:origin-request-policy/*",
        "arn:aws:cloudfront::*:response-headers-policy/*",
    ),
}
"""`actions.SCOPED_READS` group -> the ARN templates its reads are granted on."""


def owned_buckets(config: EnvironmentConfig) -> list[str]:
    """Every workload bucket (backups and sites): planning reads their configuration."""
    return [*backup_buckets(config), *site_buckets(config)]


def plan_reads(arns: Arns) -> list[Statement]:
    """What any CI role that plans needs: configuration reads, bucket configuration, states."""
    return [
        allow([*act.PLAN_READS, "ecs:DescribeTaskDefinition"], "*"),  # no resource type in IAM
        *(
            allow(actions, arns.expand(SCOPED_READ_ARNS[group]))
            for group, actions in act.SCOPED_READS.items()
        ),
        allow(
            act.IAM_READS,
            [
                arns.iam("role", "*"),
                arns.iam("instance-profile", "*"),
                arns.iam("policy", "*"),
                "arn:aws:iam::aws:policy/*",
                arns.iam("oidc-provider", "*"),
            ],
        ),
        allow(
            act.BUCKET_READS,
            sorted({arns.state_bucket, *map(arns.bucket, owned_buckets(arns.config))}),
        ),
        allow(["s3:GetObject"], arns.state_objects),
        allow(["ssm:GetParameter"], act.PUBLIC_PARAMETERS),
    ]


def guardrail(arns: Arns) -> list[Statement]:
    """The Deny every CI role carries: escalation, every IAM role and policy write, contents,
    commands, copies, the backup buckets' configuration, secret values, the CI identity."""
    backups = backup_buckets(arns.config)
    return [
        deny(act.ESCALATION + act.DATA_READS + act.IAM_WRITES, "*"),
        # Named resources, not NotResource: moto reads a NotResource Deny as an Allow, and a
        # Deny that a reader can check against a list of names is the clearer one.
        deny(["s3:GetObject", "s3:GetObjectVersion"], [arns.objects(b) for b in backups]),
        deny(act.BACKUP_PROTECTION, [arns.bucket(b) for b in backups]),
        deny(act.PARAMETER_READS, f"arn:aws:ssm:*:{arns.account}:parameter/*"),
        deny(
            act.SECRET_VALUE_WRITES,
            arns.regional("secretsmanager", f"secret:{arns.parts['prefix']}/*"),
        ),
        deny(["iam:*"], arns.ci_identity),
        deny(act.ALERTING_WRITES, "*"),
        deny(act.RULE_WRITES, people_rules(arns)),
    ]


def people_rules(arns: Arns) -> list[str]:
    """The EventBridge rules of the people's stacks: monitoring's ETL failure rule and the
    identity stack's detection rules (`hardened`), which no CI role may change."""
    return [
        arns.regional("events", f"rule/{etl_failure_rule_name(arns.config.name)}"),
        arns.regional("events", f"rule/{resource_prefix(arns.config.name)}-detect-*"),
    ]


def lock_writes(arns: Arns, stacks: tuple[str, ...]) -> Statement:
    """Native S3 locking writes and deletes `<key>.tflock` next to each state file."""
    return allow(
        ["s3:DeleteObject", "s3:PutObject"], [f"{arns.state_object(s)}.tflock" for s in stacks]
    )


def plan_reads_policy(config: EnvironmentConfig) -> dict[str, Any]:
    """Managed policy `fluxion-ci-plan-reads`: what planning reads, for the plan and apply roles."""
    return document(*plan_reads(Arns(config)))


def guardrail_policy(config: EnvironmentConfig) -> dict[str, Any]:
    """Managed policy `fluxion-ci-guardrail`, attached to every CI role."""
    return document(*guardrail(Arns(config)))


def plan_policy(config: EnvironmentConfig) -> dict[str, Any]:
    """The plan role's own statements (with `plan_reads_policy` and `guardrail_policy`): the
    locks of every stack it plans, and what planning `identity` and `monitoring` reads beyond
    the shared reads (pull requests and the drift report plan them; people apply them)."""
    arns = Arns(config)
    return document(
        lock_writes(arns, PLANNED_STACKS),
        allow(["cloudtrail:DescribeTrails"], "*"),  # no resource type in IAM
        *(
            allow(actions, arns.expand(SCOPED_READ_ARNS[group]))
            for group, actions in act.PEOPLE_STACK_READS.items()
        ),
    )


def apply_policy(
    config: EnvironmentConfig, row: StackGrants, live: Mapping[str, str]
) -> dict[str, Any]:
    """The apply role of `row.stack`: its writes on its names, its state, the roles it passes
    (with `plan_reads_policy` and `guardrail_policy`). `live`: the inventory's live names."""
    arns = Arns(config)
    statements = [
        allow(["s3:PutObject"], arns.state_object(row.stack)),
        lock_writes(arns, (row.stack,)),
        allow(list(row.writes), arns.expand(row.resources)),
        *(allow(list(actions), arns.expand(resources)) for actions, resources in row.extra),
    ]
    if row.log_groups:
        region = row.log_region.format(**arns.parts)
        names = [arns.log_group(n.format(**arns.parts), region) for n in row.log_groups]
        statements.append(allow(act.LOG_WRITES, names + [f"{n}:*" for n in names]))
    if row.site_buckets:
        statements.append(allow(act.BUCKET_WRITES, list(map(arns.bucket, site_buckets(config)))))
    for service, names in sorted(passed_roles(config, live, row.stack).items()):
        statements.append(
            allow(
                ["iam:PassRole"],
                [arns.role(name) for name in names],
                Condition={"StringEquals": {"iam:PassedToService": service}},
            )
        )
    return document(*statements)


def release_policy(config: EnvironmentConfig) -> dict[str, Any]:
    """The application pipeline (with `guardrail_policy`): push images tagged with the commit
    SHA, roll the service onto `:latest` (`adopt` only: what the live task definitions run),
    sync the sites, invalidate their distributions, read the compute and edge outputs.

    It registers no task definition and passes no role: in `hardened` the task definitions
    change through a reviewed plan of `compute` (`compute.image_tag`), not from here."""
    arns = Arns(config)
    sites = site_buckets(config)
    return document(
        allow(["ecr:GetAuthorizationToken"], "*"),  # account-wide by design in ECR
        allow(act.RELEASE_WRITES, arns.regional("ecr", f"repository/{arns.parts['prefix']}-*")),
        allow(
            ["ecs:DescribeServices", "ecs:UpdateService"],
            arns.regional("ecs", f"service/{config.compute.cluster_name}/*"),
        ),
        allow(["s3:ListBucket"], [arns.bucket(b) for b in sites]),
        allow(["s3:DeleteObject", "s3:PutObject"], [arns.objects(b) for b in sites]),
        allow(
            ["cloudfront:CreateInvalidation"],
            f"arn:aws:cloudfront::{config.account_id}:distribution/*",
        ),
        allow(["s3:GetObject"], [arns.state_object("compute"), arns.state_object("edge")]),
    )


def role_names(config: EnvironmentConfig) -> dict[str, str]:
    """Key -> the CI role's fixed name (`fluxion-ci-*` in production, `fluxion-staging-ci-*`
    in staging: `Names.ci_role_prefix`; the guardrail denies every IAM write)."""
    prefix = config.names.ci_role_prefix
    return {
        "plan": f"{prefix}plan",
        **{stack: f"{prefix}apply-{stack}" for stack in CI_STACKS},
        "release": f"{prefix}release",
    }
