"""The CI identities' IAM documents, as plain data (no provider imports; tests read them as data).

Who can do what (docs/ci-identity.md has the table):

- **plan** (`fluxion-ci-plan`): trusted by this repository's pull requests. Reads what
  `terraform plan` reads (configuration, never contents: no object, secret value or parameter
  value), every stack's state object, and writes only the state lock files.
- **apply, one per stack** (`fluxion-ci-apply-<stack>`): trusted only from the GitHub
  environment named after the stack (`repo:<owner>/<name>:environment:<stack>`), so the `data`
  environment's reviewers are the only way to change the database stack. Each can write the
  resource types its stack owns, on the names and ARNs that stack owns, its own state object,
  and pass only its own workload roles, to the one service that uses each.
- **release** (`fluxion-ci-release`): the application pipeline; trusted only from the
  `release` environment. Pushes images, registers task definitions, rolls the service, syncs
  the sites and invalidates their distributions.
- **boundary** (`fluxion-workload-boundary`): the permissions boundary every role the pipeline
  creates or changes must carry (IAM checks `iam:PermissionsBoundary` on every role write).
  It allows only what the workloads use and denies every escalation action.

Every CI role carries the same guardrail: an explicit Deny on privilege escalation (IAM users,
keys, policy versions, trust policies, boundaries), on reading secret, parameter and object
contents, on remote execution (SSM commands, ECS exec and run-task, instance connect), on
snapshots and images that copy data out, and on every IAM write to the CI identity itself (its
roles, its policies, the boundary, the OIDC provider). An explicit Deny wins over any Allow, so
no CI role can grant itself more.

What a stack's apply role can still do is what owning the stack means (docs/ci-identity.md,
"What an apply role can still do"): compute can ship code that runs with the workloads'
roles, network can replace the WireGuard bridge, data can modify the database. That is why
each has its own environment and why `data` requires reviewers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from config import EnvironmentConfig
from config.estate import (
    ADOPTED_STACKS,
    CI_ROLE_PREFIX,
    LEGACY_BACKUP_SUFFIXES,
    WAF_LOG_GROUP_PREFIX,
    WORKLOAD_BOUNDARY,
    backup_bucket,
    log_group_name,
    new_identity_prefix,
    site_bucket,
)
from modules.iam_document import Statement, allow, deny, document

APPLIED_BY_CI = ADOPTED_STACKS
"""Stacks CI applies, one role each. `state` (the CI identity itself) is applied by people."""

RELEASE_ENVIRONMENT = "release"
DRIFT_ENVIRONMENT = "drift"
"""The scheduled drift report's environment: it plans (refresh-only) with the plan role."""
BOUNDARY_NAME = WORKLOAD_BOUNDARY
ISSUER = "token.actions.githubusercontent.com"

# --- escalation and data-reading actions: denied to every CI role ------------------------------

ESCALATION = [
    # IAM principals and credentials that outlive a workflow run
    "iam:CreateUser",
    "iam:CreateAccessKey",
    "iam:UpdateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:AttachUserPolicy",
    "iam:PutUserPolicy",
    "iam:AddUserToGroup",
    "iam:AttachGroupPolicy",
    "iam:PutGroupPolicy",
    "iam:CreateServiceSpecificCredential",
    # rewriting a managed policy in place, or who can assume a role
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:UpdateAssumeRolePolicy",
    # lifting the boundary
    "iam:DeleteRolePermissionsBoundary",
    "iam:DeleteUserPermissionsBoundary",
    # identity providers (a new one could trust anything)
    "iam:CreateOpenIDConnectProvider",
    "iam:UpdateOpenIDConnectProviderThumbprint",
    "iam:AddClientIDToOpenIDConnectProvider",
    "iam:CreateSAMLProvider",
    "iam:UpdateSAMLProvider",
    # hopping into another role (a same-account trust naming the CI role needs no Allow)
    "sts:AssumeRole",
]
"""Actions that widen what someone holds. Denied to every CI role and inside the boundary."""

DATA_READS = [
    "secretsmanager:GetSecretValue",
    "secretsmanager:PutResourcePolicy",
    "secretsmanager:DeleteResourcePolicy",
    "ssm:SendCommand",
    "ssm:StartSession",
    "ssm:ResumeSession",
    "ecs:ExecuteCommand",
    "ecs:RunTask",
    "ecs:StartTask",
    "ec2-instance-connect:SendSSHPublicKey",
    "ec2-instance-connect:SendSerialConsoleSSHPublicKey",
    "ec2:GetPasswordData",
    "ec2:CreateSnapshot",
    "ec2:CreateSnapshots",
    "ec2:CreateImage",
    "ec2:ModifySnapshotAttribute",
    "ec2:ModifyImageAttribute",
    "rds:CreateDBSnapshot",
    "rds:CopyDBSnapshot",
    "rds:ModifyDBSnapshotAttribute",
    "rds:StartExportTask",
    "kms:Decrypt",
    "kms:CreateGrant",
    "logs:GetLogEvents",
    "logs:FilterLogEvents",
    "logs:StartQuery",
]
"""Ways to read what the estate holds (secret, parameter, object and log contents, disk and
database copies) or run commands inside it. Denied to every CI role; so are object reads in
the backup buckets and parameter reads in the account (`guardrail`)."""

PARAMETER_READS = ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"]
PUBLIC_PARAMETERS = "arn:aws:ssm:*::parameter/aws/service/*"
"""AWS's public parameters (the bridge's AMI id: no account in the ARN); the account's own
parameters are denied."""

CI_ROLE_NAMES = (f"{CI_ROLE_PREFIX}*",)


@dataclass(frozen=True)
class Arns:
    """ARN builders for one environment (account and region from config)."""

    config: EnvironmentConfig

    @property
    def account(self) -> str:
        return self.config.account_id

    @property
    def region(self) -> str:
        return self.config.region

    def iam(self, kind: str, name: str) -> str:
        return f"arn:aws:iam::{self.account}:{kind}/{name}"

    def regional(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{resource}"

    def bucket(self, name: str) -> str:
        return f"arn:aws:s3:::{name}"

    @property
    def state_bucket(self) -> str:
        return self.bucket(self.config.state_bucket)

    def state_object(self, stack: str) -> str:
        return f"{self.state_bucket}/{self.config.state_key(stack)}"

    @property
    def state_objects(self) -> str:
        return f"{self.state_bucket}/{self.config.state_key_prefix}/{self.config.name}/*"

    @property
    def boundary(self) -> str:
        return self.iam("policy", BOUNDARY_NAME)

    @property
    def ci_identity(self) -> list[str]:
        """Everything that makes up the CI identity: no CI role may write to any of it."""
        return [
            *(self.iam("role", name) for name in CI_ROLE_NAMES),
            self.iam("policy", f"{CI_ROLE_PREFIX}*"),
            self.boundary,
            self.iam("oidc-provider", ISSUER),
        ]


# --- what planning reads ----------------------------------------------------------------------

PLAN_READS = [
    "ec2:DescribeAddresses",
    "ec2:DescribeAddressesAttribute",
    "ec2:DescribeAvailabilityZones",
    "ec2:DescribeFlowLogs",
    "ec2:DescribeImages",
    "ec2:DescribeInstanceCreditSpecifications",
    "ec2:DescribeInstanceTypes",
    "ec2:DescribeInstances",
    "ec2:DescribeInternetGateways",
    "ec2:DescribeManagedPrefixLists",
    "ec2:DescribeNatGateways",
    "ec2:DescribeNetworkAcls",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribePrefixLists",
    "ec2:DescribeRouteTables",
    "ec2:DescribeSecurityGroupRules",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeTags",
    "ec2:DescribeVolumes",
    "ec2:DescribeVpcs",
    "elasticloadbalancing:DescribeListenerAttributes",
    "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:DescribeLoadBalancerAttributes",
    "elasticloadbalancing:DescribeLoadBalancers",
    "elasticloadbalancing:DescribeRules",
    "elasticloadbalancing:DescribeTags",
    "elasticloadbalancing:DescribeTargetGroupAttributes",
    "elasticloadbalancing:DescribeTargetGroups",
    "acm:ListCertificates",
    "cloudfront:ListCachePolicies",
    "cloudfront:ListDistributions",
    "cloudfront:ListOriginAccessControls",
    "cloudfront:ListOriginRequestPolicies",
    "cloudfront:ListResponseHeadersPolicies",
    "logs:DescribeLogGroups",
    "secretsmanager:ListSecrets",
]
"""Describe/List calls `terraform plan` makes that IAM cannot scope to a resource."""

SCOPED_READS = {
    "ec2": ["ec2:DescribeInstanceAttribute", "ec2:DescribeVpcAttribute"],
    "prefix-list": ["ec2:GetManagedPrefixListEntries"],
    # AWS provider >= 5.8x reads an ALB's capacity reservation (found by the emulated run)
    "elasticloadbalancing": ["elasticloadbalancing:DescribeCapacityReservation"],
    "rds": [
        "rds:DescribeDBInstances",
        "rds:DescribeDBParameterGroups",
        "rds:DescribeDBParameters",
        "rds:DescribeDBSubnetGroups",
        "rds:ListTagsForResource",
    ],
    "secretsmanager": ["secretsmanager:DescribeSecret", "secretsmanager:GetResourcePolicy"],
    # ListTasks/DescribeTasks: `python -m ops status` (the last ETL runs) with the plan role
    "ecs": [
        "ecs:DescribeClusters",
        "ecs:DescribeServices",
        "ecs:DescribeTasks",
        "ecs:ListTagsForResource",
        "ecs:ListTasks",
    ],
    "ecr": [
        "ecr:DescribeImages",  # `python -m ops rollback-backend` lists them with the plan role
        "ecr:DescribeRepositories",
        "ecr:GetLifecyclePolicy",
        "ecr:GetRepositoryPolicy",
        "ecr:ListTagsForResource",
    ],
    "events": ["events:DescribeRule", "events:ListTagsForResource", "events:ListTargetsByRule"],
    "logs": ["logs:ListTagsForResource", "logs:ListTagsLogGroup"],
    "acm": ["acm:DescribeCertificate", "acm:ListTagsForCertificate"],
    # `hardened`: the edge's web ACL and the distributions' standard logs (v2)
    "wafv2": ["wafv2:GetLoggingConfiguration", "wafv2:GetWebACL", "wafv2:ListTagsForResource"],
    "log-delivery": [
        "logs:GetDelivery",
        "logs:GetDeliveryDestination",
        "logs:GetDeliverySource",
        "logs:ListTagsForResource",
    ],
    "cloudfront": [
        "cloudfront:GetDistribution",
        "cloudfront:GetDistributionConfig",
        "cloudfront:GetOriginAccessControl",
        "cloudfront:ListTagsForResource",
    ],
    "cloudfront-policies": [
        "cloudfront:GetCachePolicy",
        "cloudfront:GetOriginRequestPolicy",
        "cloudfront:GetResponseHeadersPolicy",
    ],
}
"""Reads IAM can scope: granted on this account's ARNs (region-scoped where the service is).
(`ecs:DescribeTaskDefinition` has no resource type: it is granted with PLAN_READS.)"""


def certificates(arns: Arns, region: str) -> str:
    return f"arn:aws:acm:{region}:{arns.account}:certificate/*"


def web_acls(arns: Arns) -> str:
    """CloudFront's web ACLs: scope CLOUDFRONT, always in CloudFront's region."""
    return f"arn:aws:wafv2:{arns.config.edge.certificate_region}:{arns.account}:global/webacl/*"


def log_deliveries(arns: Arns) -> list[str]:
    """CloudFront's standard logs (v2) are configured in CloudFront's region."""
    region = arns.config.edge.certificate_region
    return [
        f"arn:aws:logs:{region}:{arns.account}:{kind}:*"
        for kind in ("delivery", "delivery-destination", "delivery-source")
    ]


def _scoped_read_arns(arns: Arns) -> dict[str, list[str]]:
    config = arns.config
    return {
        # The bridge's instance and the VPC, in this account and region.
        "ec2": [arns.regional("ec2", "*")],
        # CloudFront's origin-facing prefix list is owned by AWS, not by the account.
        "prefix-list": [f"arn:aws:ec2:{arns.region}:*:prefix-list/*"],
        "elasticloadbalancing": [arns.regional("elasticloadbalancing", "loadbalancer/*")],
        "rds": [arns.regional("rds", "*")],
        "secretsmanager": [arns.regional("secretsmanager", "secret:*")],
        "ecs": [arns.regional("ecs", "*")],
        "ecr": [arns.regional("ecr", "repository/*")],
        "events": [arns.regional("events", "rule/*")],
        "logs": [arns.regional("logs", "log-group:*")],
        # the edge's certificate (CloudFront's region) and the ALB's (`hardened`, the region)
        "acm": sorted(
            {certificates(arns, config.edge.certificate_region), certificates(arns, arns.region)}
        ),
        "wafv2": [web_acls(arns)],
        "log-delivery": log_deliveries(arns),
        "cloudfront": [
            f"arn:aws:cloudfront::{arns.account}:distribution/*",
            f"arn:aws:cloudfront::{arns.account}:origin-access-control/*",
        ],
        # The managed policies the distributions use belong to AWS, not to the account.
        "cloudfront-policies": [
            "arn:aws:cloudfront::*:cache-policy/*",
            "arn:aws:cloudfront::*:origin-request-policy/*",
            "arn:aws:cloudfront::*:response-headers-policy/*",
        ],
    }


IAM_READS = [
    "iam:GetInstanceProfile",
    "iam:GetOpenIDConnectProvider",
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
    "iam:GetRole",
    "iam:GetRolePolicy",
    "iam:ListAttachedRolePolicies",
    "iam:ListInstanceProfilesForRole",
    "iam:ListPolicyVersions",
    "iam:ListRolePolicies",
]

BUCKET_READS = [
    "s3:GetAccelerateConfiguration",
    "s3:GetBucketAcl",
    "s3:GetBucketCORS",
    "s3:GetBucketLocation",
    "s3:GetBucketLogging",
    "s3:GetBucketObjectLockConfiguration",
    "s3:GetBucketOwnershipControls",
    "s3:GetBucketPolicy",
    "s3:GetBucketPublicAccessBlock",
    "s3:GetBucketRequestPayment",
    "s3:GetBucketTagging",
    "s3:GetBucketVersioning",
    "s3:GetBucketWebsite",
    "s3:GetEncryptionConfiguration",
    "s3:GetLifecycleConfiguration",
    "s3:GetReplicationConfiguration",
    # HeadBucket is authorized as ListBucket: it lists object keys (backup file names), never
    # object contents, and `terraform plan` cannot read an aws_s3_bucket without it.
    "s3:ListBucket",
]
"""Bucket-level reads: granted on bucket ARNs only (`arn:aws:s3:::name`, no `/key`), so none of
them reaches an object."""


def plan_reads(arns: Arns, buckets: list[str]) -> list[Statement]:
    """What any CI role that plans needs: configuration reads, bucket configuration, states."""
    scoped = _scoped_read_arns(arns)
    return [
        allow([*PLAN_READS, "ecs:DescribeTaskDefinition"], "*"),  # no resource type in IAM
        *(allow(actions, scoped[group]) for group, actions in SCOPED_READS.items()),
        allow(
            IAM_READS,
            [
                arns.iam("role", "*"),
                arns.iam("instance-profile", "*"),
                arns.iam("policy", "*"),
                "arn:aws:iam::aws:policy/*",
                arns.iam("oidc-provider", "*"),
            ],
        ),
        allow(BUCKET_READS, sorted({arns.state_bucket, *map(arns.bucket, buckets)})),
        allow(["s3:GetObject"], arns.state_objects),
        allow(["ssm:GetParameter"], PUBLIC_PARAMETERS),
    ]


def guardrail(arns: Arns) -> list[Statement]:
    """The Deny every CI role carries (see the module docstring)."""
    return [
        deny(ESCALATION + DATA_READS, "*"),
        # Named resources, not NotResource: the backups' objects, the account's parameters
        # (moto reads a NotResource Deny as an Allow; AWS does not, but a Deny that a reader
        # can check against a list of names is the clearer one).
        deny(
            ["s3:GetObject", "s3:GetObjectVersion"],
            [f"{arns.bucket(b)}/*" for b in owned_buckets(arns.config, "data")],
        ),
        deny(PARAMETER_READS, f"arn:aws:ssm:*:{arns.account}:parameter/*"),
        deny(["iam:*"], arns.ci_identity),
    ]


def lock_writes(arns: Arns, stacks: list[str]) -> Statement:
    """Native S3 locking writes and deletes `<key>.tflock` next to each state file."""
    return allow(
        ["s3:DeleteObject", "s3:PutObject"], [f"{arns.state_object(s)}.tflock" for s in stacks]
    )


def plan_reads_policy(config: EnvironmentConfig) -> dict[str, Any]:
    """Managed policy `fluxion-ci-plan-reads`: what planning reads, for the plan and apply roles."""
    return document(*plan_reads(Arns(config), owned_buckets(config)))


def guardrail_policy(config: EnvironmentConfig) -> dict[str, Any]:
    """Managed policy `fluxion-ci-guardrail`, attached to every CI role."""
    return document(*guardrail(Arns(config)))


def plan_policy(config: EnvironmentConfig) -> dict[str, Any]:
    """The plan role's own statements (with `plan_reads_policy` and `guardrail_policy`)."""
    return document(lock_writes(Arns(config), list(APPLIED_BY_CI)))


# --- what each stack owns ---------------------------------------------------------------------


def owned_buckets(config: EnvironmentConfig, stack: str | None = None) -> list[str]:
    """Bucket names per stack (all stacks when `stack` is None), from config."""
    account = config.account_id
    data = [backup_bucket(account)] + [backup_bucket(account, s) for s in LEGACY_BACKUP_SUFFIXES]
    edge = [site_bucket(site.bucket_prefix, account) for site in config.edge.sites]
    table = {"network": [], "data": data, "compute": [], "edge": edge}
    return table[stack] if stack else [b for names in table.values() for b in names]


def workload_roles(config: EnvironmentConfig, stack: str) -> list[str]:
    """Name patterns of the IAM roles `stack` manages: the adopted CloudFormation names and
    the `fluxion-<stack>-` prefix of roles created here."""
    if stack not in ("network", "compute"):
        return []
    return [f"{config.ci.adopted_name_prefix}*", f"{new_identity_prefix(stack)}*"]


PASSED_TO = {
    "network": ["ec2.amazonaws.com", "vpc-flow-logs.amazonaws.com"],
    "compute": ["ecs-tasks.amazonaws.com", "events.amazonaws.com"],
}
"""The services each stack hands its roles to (instance profile, flow logs, tasks, rules)."""

ROLE_WRITES_WITH_BOUNDARY = [
    "iam:AttachRolePolicy",
    "iam:CreateRole",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
]
"""Role writes IAM can condition on `iam:PermissionsBoundary`: allowed only when the role
carries (or is given) the workload boundary."""

ROLE_WRITES = [
    "iam:DeleteRole",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:UpdateRole",
    "iam:UpdateRoleDescription",
]

INSTANCE_PROFILE_WRITES = [
    "iam:AddRoleToInstanceProfile",
    "iam:CreateInstanceProfile",
    "iam:DeleteInstanceProfile",
    "iam:RemoveRoleFromInstanceProfile",
    "iam:TagInstanceProfile",
    "iam:UntagInstanceProfile",
]

CERTIFICATE_WRITES = [
    "acm:AddTagsToCertificate",
    "acm:RemoveTagsFromCertificate",
    "acm:RequestCertificate",
    "acm:UpdateCertificateOptions",
]
"""No DeleteCertificate: a certificate in use is retired by people (the plan gate refuses a
plan that destroys one anyway)."""

RDS_MANAGED_SECRET = [
    "secretsmanager:CreateSecret",
    "secretsmanager:DeleteSecret",
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetRandomPassword",
    "secretsmanager:PutSecretValue",
    "secretsmanager:RotateSecret",
    "secretsmanager:TagResource",
    "secretsmanager:UpdateSecret",
]
"""`hardened`: RDS manages the primary's master password (`manage_master_user_password`) in a
secret it names `rds!db-<id>`, with the caller's permissions (the RDS guide's list for the
Secrets Manager integration, without GetSecretValue, which the guardrail denies anyway).
Writing that password gives nothing the role's `rds:ModifyDBInstance` did not already give."""

WAF_LOG_DELIVERY = [
    "logs:CreateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:DescribeResourcePolicies",
    "logs:GetLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:UpdateLogDelivery",
]
"""What `wafv2:PutLoggingConfiguration` needs to send a web ACL's logs to CloudWatch Logs
(IAM has no resource type for these: `*`). `logs:PutResourcePolicy` lets the holder let an
AWS service write into the account's log groups; it reads none of them."""

WRITES: dict[str, list[str]] = {
    "network": [
        "ec2:AllocateAddress",
        "ec2:AssociateAddress",
        "ec2:AssociateRouteTable",
        "ec2:AttachInternetGateway",
        "ec2:AuthorizeSecurityGroupEgress",
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:CreateFlowLogs",
        "ec2:CreateInternetGateway",
        "ec2:CreateNatGateway",
        "ec2:CreateRoute",
        "ec2:CreateRouteTable",
        "ec2:CreateSecurityGroup",
        "ec2:CreateSubnet",
        "ec2:CreateTags",
        "ec2:CreateVpc",
        "ec2:DeleteFlowLogs",
        "ec2:DeleteInternetGateway",
        "ec2:DeleteNatGateway",
        "ec2:DeleteRoute",
        "ec2:DeleteRouteTable",
        "ec2:DeleteSecurityGroup",
        "ec2:DeleteSubnet",
        "ec2:DeleteTags",
        "ec2:DeleteVpc",
        "ec2:DetachInternetGateway",
        "ec2:DisassociateAddress",
        "ec2:DisassociateRouteTable",
        "ec2:ModifyInstanceAttribute",
        "ec2:ModifyInstanceMetadataOptions",
        "ec2:ModifySecurityGroupRules",
        "ec2:ModifySubnetAttribute",
        "ec2:ModifyVpcAttribute",
        "ec2:ReleaseAddress",
        "ec2:ReplaceRoute",
        "ec2:ReplaceRouteTableAssociation",
        "ec2:RevokeSecurityGroupEgress",
        "ec2:RevokeSecurityGroupIngress",
        "ec2:RunInstances",
        "ec2:StartInstances",
        "ec2:StopInstances",
        "ec2:TerminateInstances",
        "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
        "ec2:UpdateSecurityGroupRuleDescriptionsIngress",
    ],
    "data": [
        "rds:AddTagsToResource",
        "rds:CreateDBInstance",
        "rds:CreateDBInstanceReadReplica",
        "rds:CreateDBParameterGroup",
        "rds:CreateDBSubnetGroup",
        "rds:DeleteDBParameterGroup",
        "rds:DeleteDBSubnetGroup",
        "rds:ModifyDBInstance",
        "rds:ModifyDBParameterGroup",
        "rds:ModifyDBSubnetGroup",
        "rds:RebootDBInstance",
        "rds:RemoveTagsFromResource",
        "rds:ResetDBParameterGroup",
        "secretsmanager:CreateSecret",
        "secretsmanager:TagResource",
        "secretsmanager:UntagResource",
        "secretsmanager:UpdateSecret",
    ],
    "compute": [
        *CERTIFICATE_WRITES,  # `hardened`: the ALB's certificate for the HTTPS origin
        "ecr:CreateRepository",
        "ecr:DeleteLifecyclePolicy",
        "ecr:PutImageScanningConfiguration",
        "ecr:PutImageTagMutability",
        "ecr:PutLifecyclePolicy",
        "ecr:TagResource",
        "ecr:UntagResource",
        "ecs:CreateCluster",
        "ecs:CreateService",
        "ecs:DeleteService",
        "ecs:PutClusterCapacityProviders",
        "ecs:TagResource",
        "ecs:UntagResource",
        "ecs:UpdateCluster",
        "ecs:UpdateClusterSettings",
        "ecs:UpdateService",
        "elasticloadbalancing:AddTags",
        "elasticloadbalancing:CreateListener",
        "elasticloadbalancing:CreateLoadBalancer",
        "elasticloadbalancing:CreateRule",
        "elasticloadbalancing:CreateTargetGroup",
        "elasticloadbalancing:DeleteListener",
        "elasticloadbalancing:DeleteLoadBalancer",
        "elasticloadbalancing:DeleteRule",
        "elasticloadbalancing:DeleteTargetGroup",
        "elasticloadbalancing:ModifyListener",
        "elasticloadbalancing:ModifyListenerAttributes",
        "elasticloadbalancing:ModifyLoadBalancerAttributes",
        "elasticloadbalancing:ModifyRule",
        "elasticloadbalancing:ModifyTargetGroup",
        "elasticloadbalancing:ModifyTargetGroupAttributes",
        "elasticloadbalancing:RemoveTags",
        "elasticloadbalancing:SetSecurityGroups",
        "elasticloadbalancing:SetSubnets",
        "events:DeleteRule",
        "events:DisableRule",
        "events:EnableRule",
        "events:PutRule",
        "events:PutTargets",
        "events:RemoveTargets",
        "events:TagResource",
        "events:UntagResource",
    ],
    "edge": [
        *CERTIFICATE_WRITES,
        "cloudfront:CreateDistribution",
        "cloudfront:CreateDistributionWithTags",
        "cloudfront:CreateOriginAccessControl",
        "cloudfront:CreateResponseHeadersPolicy",
        "cloudfront:DeleteOriginAccessControl",
        "cloudfront:DeleteResponseHeadersPolicy",
        "cloudfront:TagResource",
        "cloudfront:UntagResource",
        "cloudfront:UpdateDistribution",
        "cloudfront:UpdateOriginAccessControl",
        "cloudfront:UpdateResponseHeadersPolicy",
        # `hardened`: the web ACL and its logging, the distributions' standard logs (v2)
        "cloudfront:AllowVendedLogDeliveryForResource",
        "logs:CreateDelivery",
        "logs:DeleteDelivery",
        "logs:DeleteDeliveryDestination",
        "logs:DeleteDeliverySource",
        "logs:PutDeliveryDestination",
        "logs:PutDeliverySource",
        "logs:TagResource",
        "logs:UntagResource",
        "logs:UpdateDeliveryConfiguration",
        "wafv2:CreateWebACL",
        "wafv2:DeleteLoggingConfiguration",
        "wafv2:DeleteWebACL",
        "wafv2:PutLoggingConfiguration",
        "wafv2:TagResource",
        "wafv2:UntagResource",
        "wafv2:UpdateWebACL",
    ],
}
"""Per stack: the create/update/delete/tag calls for the resource types it owns (its log
groups, buckets and roles are granted separately, on their names)."""

REGISTER_TASK_DEFINITION = ["ecs:DeregisterTaskDefinition", "ecs:RegisterTaskDefinition"]
"""No resource-level scoping in IAM; passing the task's roles is what is scoped."""

LOG_WRITES = [
    "logs:AssociateKmsKey",
    "logs:CreateLogGroup",
    "logs:DeleteRetentionPolicy",
    "logs:DisassociateKmsKey",
    "logs:PutRetentionPolicy",
    "logs:TagLogGroup",
    "logs:TagResource",
    "logs:UntagLogGroup",
    "logs:UntagResource",
]

BUCKET_WRITES = [
    "s3:CreateBucket",
    "s3:PutBucketLogging",
    "s3:PutBucketOwnershipControls",
    "s3:PutBucketPolicy",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutBucketTagging",
    "s3:PutBucketVersioning",
    "s3:PutEncryptionConfiguration",
    "s3:PutLifecycleConfiguration",
]
"""Bucket configuration only: no object writes, no DeleteBucket (deleting a bucket is done by
people; the plan gate refuses a plan that destroys one)."""


def log_groups(config: EnvironmentConfig, stack: str) -> list[str]:
    names = {
        "network": [f"/vpc/{config.network.vpc_name}/*"],
        "data": ["/aws/rds/instance/fluxion-*"],
        "compute": [log_group_name("*")],
        "edge": [f"{WAF_LOG_GROUP_PREFIX}-*"],  # `hardened`: the web ACL's, in CloudFront's region
    }[stack]
    region = config.edge.certificate_region if stack == "edge" else config.region
    prefix = f"arn:aws:logs:{region}:{config.account_id}:log-group"
    return [f"{prefix}:{name}" for name in names] + [f"{prefix}:{name}:*" for name in names]


def resources(config: EnvironmentConfig, stack: str) -> list[str]:
    """The ARNs `stack`'s writes are granted on: names from config where the service names
    them, else the account and region (EC2, ELB, CloudFront and ACM IDs are random)."""
    arns = Arns(config)
    account = config.account_id
    if stack == "network":
        return [
            arns.regional("ec2", "*"),
            f"arn:aws:ec2:{config.region}::image/*",  # RunInstances reads the AMI
        ]
    if stack == "data":
        return [
            arns.regional("rds", "db:fluxion-*"),
            arns.regional("rds", "pg:*"),
            arns.regional("rds", "subgrp:*"),
            arns.regional("rds", "og:default:*"),
            arns.regional("rds", "secgrp:*"),
            arns.regional("secretsmanager", "secret:fluxion/*"),
        ]
    if stack == "compute":
        cluster = config.compute.cluster_name
        return [
            arns.regional("ecr", "repository/fluxion-*"),
            arns.regional("ecs", f"cluster/{cluster}"),
            arns.regional("ecs", f"service/{cluster}/*"),
            arns.regional("ecs", "task-definition/Fluxion*:*"),
            arns.regional("elasticloadbalancing", "loadbalancer/app/*"),
            arns.regional("elasticloadbalancing", "listener/app/*"),
            arns.regional("elasticloadbalancing", "listener-rule/app/*"),
            arns.regional("elasticloadbalancing", "targetgroup/*"),
            arns.regional("events", "rule/fluxion-*"),
            certificates(arns, config.region),
        ]
    return [
        f"arn:aws:cloudfront::{account}:distribution/*",
        f"arn:aws:cloudfront::{account}:origin-access-control/*",
        f"arn:aws:cloudfront::{account}:response-headers-policy/*",
        certificates(arns, config.edge.certificate_region),
        web_acls(arns),
        # CreateWebACL is also authorized on the AWS managed rule groups it references
        f"arn:aws:wafv2:{config.edge.certificate_region}:*:global/managedruleset/*/*",
        *log_deliveries(arns),
    ]


def apply_policy(config: EnvironmentConfig, stack: str) -> dict[str, Any]:
    """The apply role of `stack`: its writes on its names, its state, its roles (with
    `plan_reads_policy` and `guardrail_policy`)."""
    arns = Arns(config)
    statements = [
        allow(["s3:PutObject"], arns.state_object(stack)),
        lock_writes(arns, [stack]),
        allow(WRITES[stack], resources(config, stack)),
    ]
    if stack == "compute":
        statements.append(allow(REGISTER_TASK_DEFINITION, "*"))
    if stack == "data":
        managed = arns.regional("secretsmanager", "secret:rds!*")
        statements.append(allow(RDS_MANAGED_SECRET, managed))
    if stack == "edge":
        statements.append(allow(WAF_LOG_DELIVERY, "*"))
    if groups := log_groups(config, stack):
        statements.append(allow(LOG_WRITES, groups))
    if buckets := owned_buckets(config, stack):
        statements.append(allow(BUCKET_WRITES, [arns.bucket(b) for b in buckets]))
    if roles := workload_roles(config, stack):
        role_arns = [arns.iam("role", r) for r in roles]
        boundary = {"StringEquals": {"iam:PermissionsBoundary": arns.boundary}}
        statements += [
            allow(ROLE_WRITES_WITH_BOUNDARY, role_arns, Condition=boundary),
            allow(ROLE_WRITES, role_arns),
            allow(
                ["iam:PassRole"],
                role_arns,
                Condition={"StringEquals": {"iam:PassedToService": PASSED_TO[stack]}},
            ),
        ]
        if stack == "network":
            statements.append(
                allow(
                    INSTANCE_PROFILE_WRITES,
                    [arns.iam("instance-profile", r) for r in roles],
                )
            )
    return document(*statements)


RELEASE_WRITES = [
    "ecr:BatchCheckLayerAvailability",
    "ecr:CompleteLayerUpload",
    "ecr:InitiateLayerUpload",
    "ecr:PutImage",
    "ecr:UploadLayerPart",
]


def release_policy(config: EnvironmentConfig) -> dict[str, Any]:
    """The application pipeline (with `guardrail_policy`): push images tagged with the commit
    SHA, roll the service onto `:latest` (`adopt` only: what the live task definitions run),
    sync the sites, invalidate their distributions, read the compute and edge outputs.

    It registers no task definition and passes no role: in `hardened` the task definitions
    change through a reviewed plan of `compute` (`compute.image_tag`), not from here."""
    arns = Arns(config)
    cluster = config.compute.cluster_name
    sites = owned_buckets(config, "edge")
    return document(
        allow(["ecr:GetAuthorizationToken"], "*"),  # account-wide by design in ECR
        allow(RELEASE_WRITES, arns.regional("ecr", "repository/fluxion-*")),
        allow(
            ["ecs:DescribeServices", "ecs:UpdateService"],
            arns.regional("ecs", f"service/{cluster}/*"),
        ),
        allow(["s3:ListBucket"], [arns.bucket(b) for b in sites]),
        allow(["s3:DeleteObject", "s3:PutObject"], [f"{arns.bucket(b)}/*" for b in sites]),
        allow(
            ["cloudfront:CreateInvalidation"],
            f"arn:aws:cloudfront::{config.account_id}:distribution/*",
        ),
        allow(["s3:GetObject"], [arns.state_object("compute"), arns.state_object("edge")]),
    )


# --- the boundary -----------------------------------------------------------------------------

SSM_AGENT = [
    "ec2messages:AcknowledgeMessage",
    "ec2messages:DeleteMessage",
    "ec2messages:FailMessage",
    "ec2messages:GetEndpoint",
    "ec2messages:GetMessages",
    "ec2messages:SendReply",
    "ssm:DescribeAssociation",
    "ssm:DescribeDocument",
    "ssm:GetDeployablePatchSnapshotForInstance",
    "ssm:GetDocument",
    "ssm:GetManifest",
    "ssm:ListAssociations",
    "ssm:ListInstanceAssociations",
    "ssm:PutComplianceItems",
    "ssm:PutConfigurePackageResult",
    "ssm:PutInventory",
    "ssm:UpdateAssociationStatus",
    "ssm:UpdateInstanceAssociationStatus",
    "ssm:UpdateInstanceInformation",
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
]
"""AmazonSSMManagedInstanceCore (the bridge's agent) and ECS exec, written out."""

SSM_AGENT_SCOPED = [
    "ssm:DescribeAssociation",
    "ssm:DescribeDocument",
    "ssm:GetDocument",
    "ssm:ListInstanceAssociations",
    "ssm:PutComplianceItems",
    "ssm:UpdateAssociationStatus",
    "ssm:UpdateInstanceAssociationStatus",
    "ssm:UpdateInstanceInformation",
]
"""The agent's calls IAM scopes to the instance, its documents and associations."""


def boundary_policy(config: EnvironmentConfig) -> dict[str, Any]:
    """The most any workload role can do, whatever policy is attached to it."""
    arns = Arns(config)
    cluster_arn = arns.regional("ecs", f"cluster/{config.compute.cluster_name}")
    return document(
        allow(["ecr:GetAuthorizationToken"], "*"),
        allow(
            ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            arns.regional("ecr", "repository/fluxion-*"),
        ),
        allow(
            ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
            arns.regional("logs", "log-group:*"),
        ),
        allow(["logs:DescribeLogGroups"], "*"),  # flow logs' delivery lists the groups
        allow(
            ["secretsmanager:GetSecretValue"], arns.regional("secretsmanager", "secret:fluxion/*")
        ),
        # the ETL's Sentry DSN, injected by ECS at start
        allow(["ssm:GetParameters"], arns.regional("ssm", "parameter/fluxion/*")),
        allow([a for a in SSM_AGENT if a not in SSM_AGENT_SCOPED], "*"),  # no resource type
        allow(
            SSM_AGENT_SCOPED,
            [arns.regional("ec2", "instance/*"), f"arn:aws:ssm:{arns.region}:*:*"],
        ),
        allow(
            ["ecs:RunTask"],
            arns.regional("ecs", "task-definition/Fluxion*:*"),
            Condition={"ArnEquals": {"ecs:cluster": cluster_arn}},
        ),
        allow(
            ["iam:PassRole"],
            [arns.iam("role", r) for r in workload_roles(config, "compute")],
            Condition={"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
        ),
        deny(ESCALATION, "*"),
        deny(["iam:*"], arns.ci_identity),
    )
