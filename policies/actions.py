"""Action catalogues: which IAM actions each kind of access is made of (plain data).

Lists, not prose: the CI documents (`policies/ci.py`), the workload boundaries
(`policies/workloads.py`) and the tests read these. Each list says why it exists.
"""

from __future__ import annotations

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
    "iam:PutUserPermissionsBoundary",
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

IAM_WRITES = [
    "iam:AddRoleToInstanceProfile",
    "iam:AttachRolePolicy",
    "iam:CreateInstanceProfile",
    "iam:CreatePolicy",
    "iam:CreateRole",
    "iam:CreateServiceLinkedRole",
    "iam:DeleteInstanceProfile",
    "iam:DeletePolicy",
    "iam:DeleteRole",
    "iam:DeleteRolePolicy",
    "iam:DeleteServiceLinkedRole",
    "iam:DetachRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
    "iam:RemoveRoleFromInstanceProfile",
    "iam:TagInstanceProfile",
    "iam:TagPolicy",
    "iam:TagRole",
    "iam:UntagInstanceProfile",
    "iam:UntagPolicy",
    "iam:UntagRole",
    "iam:UpdateRole",
    "iam:UpdateRoleDescription",
]
"""Every write to a role, policy or instance profile. No CI role holds one (the guardrail
denies them all): a role's trust policy has no IAM condition, so whoever may create a role or
write its policy may hand the account to anyone. Workload roles live in the `identity` stack,
which people apply."""

ROLE_WRITES_WITH_BOUNDARY = [
    "iam:AttachRolePolicy",
    "iam:CreateRole",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
]
"""Role writes IAM can condition on `iam:PermissionsBoundary` (the security gate's
FLUXION_IAM_5 flags one allowed without that condition)."""

SECRET_VALUE_WRITES = [
    "secretsmanager:PutSecretValue",
    "secretsmanager:RestoreSecret",
    "secretsmanager:UpdateSecret",
]
"""Setting a secret's value (`UpdateSecret` accepts `SecretString` too). Values are set by
people, out of band; the guardrail denies these on the project's secrets (`fluxion/*`)."""

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
    "cloudfront-vpc-origins": ["cloudfront:GetVpcOrigin"],
    "cloudfront-policies": [
        "cloudfront:GetCachePolicy",
        "cloudfront:GetOriginRequestPolicy",
        "cloudfront:GetResponseHeadersPolicy",
    ],
}
"""Reads IAM can scope: granted on this account's ARNs (region-scoped where the service is).
(`ecs:DescribeTaskDefinition` has no resource type: it is granted with PLAN_READS.)"""


PEOPLE_STACK_READS = {
    # `hardened`: the identity stack's detection (trail, rules' topic and its key); the
    # monitoring stack's topic and key
    "kms": [
        "kms:DescribeKey",
        "kms:GetKeyPolicy",
        "kms:GetKeyRotationStatus",
        "kms:ListResourceTags",
    ],
    "sns": ["sns:GetSubscriptionAttributes", "sns:GetTopicAttributes", "sns:ListTagsForResource"],
    "cloudtrail": [
        "cloudtrail:GetEventSelectors",
        "cloudtrail:GetInsightSelectors",
        "cloudtrail:GetTrail",
        "cloudtrail:GetTrailStatus",
        "cloudtrail:ListTags",
    ],
    # the monitoring stack's alarms (`python -m ops alarms` reads them with the plan role)
    "cloudwatch-alarms": ["cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"],
    "cloudwatch-dashboards": ["cloudwatch:GetDashboard"],
}
"""What planning the people-applied `identity` and `monitoring` stacks reads beyond the shared
plan reads: the plan role's own (pull requests and the drift report plan them; no apply role
does)."""

ALERTING_WRITES = [
    "cloudwatch:DeleteAlarms",
    "cloudwatch:DeleteDashboards",
    "cloudwatch:DisableAlarmActions",
    "cloudwatch:PutAlarmMuteRule",
    "cloudwatch:PutCompositeAlarm",
    "cloudwatch:PutDashboard",
    "cloudwatch:PutMetricAlarm",
    "cloudwatch:SetAlarmState",
    "cloudwatch:TagResource",
    "cloudwatch:UntagResource",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:PutKeyPolicy",
    "kms:RetireGrant",
    "kms:RevokeGrant",
    "kms:ScheduleKeyDeletion",
    "sns:AddPermission",
    "sns:ConfirmSubscription",
    "sns:DeleteTopic",
    "sns:PutDataProtectionPolicy",
    "sns:RemovePermission",
    "sns:SetSubscriptionAttributes",
    "sns:SetTopicAttributes",
    "sns:Subscribe",
    "sns:Unsubscribe",
]
"""What would silence the on-call: delete, mute, disable or force an alarm, cut a topic from
its subscribers (some of these have no resource type in IAM), or disable the key a topic is
encrypted with. No CI stack owns an alarm, a topic or a key, so the guardrail denies them to
every CI role on every resource."""
RULE_WRITES = [
    "events:DeleteRule",
    "events:DisableRule",
    "events:PutRule",
    "events:PutTargets",
    "events:RemoveTargets",
]
"""EventBridge rule writes. The compute role writes its schedules' rules (`rule/<prefix>-*`,
which in production is `fluxion-*`); the guardrail denies these on the people's rules (the
ETL failure rule, the detection rules), which that pattern would otherwise reach."""

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
people; the plan gate refuses a plan that destroys one). Granted on the site buckets (edge);
never on a backup bucket, where the guardrail denies them: a bucket policy, an access block,
ownership or encryption opens the backups, a lifecycle rule expires them."""


VPC_ORIGIN_WRITES = [
    "cloudfront:CreateVpcOrigin",
    "cloudfront:DeleteVpcOrigin",
    "cloudfront:UpdateVpcOrigin",
]
"""`hardened`: the API distribution reaches the internal ALB through a CloudFront VPC origin
(no public origin). Its service-linked role is made by people (the `identity` stack)."""

NETWORK_WRITES = [
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
]

DATA_WRITES = [
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
]
"""No `UpdateSecret`: it sets a secret's value too (`SecretString`); values are set by people."""

COMPUTE_WRITES = [
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
]

EDGE_WRITES = [
    *CERTIFICATE_WRITES,
    *VPC_ORIGIN_WRITES,
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
]

BACKUP_PROTECTION = [
    "s3:DeleteBucketPolicy",
    "s3:PutBucketAcl",
    "s3:PutBucketObjectLockConfiguration",
    "s3:PutBucketOwnershipControls",
    "s3:PutBucketPolicy",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutBucketVersioning",
    "s3:PutEncryptionConfiguration",
    "s3:PutLifecycleConfiguration",
    "s3:PutReplicationConfiguration",
]
"""What opens a backup bucket to another account or expires it (SSE-S3: no key stops a read
the policy allows). Denied to every CI role on the backup buckets: they change only through a
plan a person applies (`policies.people.PEOPLE_ONLY`)."""

RELEASE_WRITES = [
    "ecr:BatchCheckLayerAvailability",
    "ecr:CompleteLayerUpload",
    "ecr:InitiateLayerUpload",
    "ecr:PutImage",
    "ecr:UploadLayerPart",
]


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
