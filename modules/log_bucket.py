"""The access log bucket: S3 server access logs, ALB access logs, CloudFront standard logs
(v2, through CloudWatch Logs delivery) and the audit trail, each service allowed to write only
under its prefix."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from modules.private_bucket import (
    ACCESS_LOG_PREFIX,
    PrivateBucket,
    PrivateBucketProps,
    deny_insecure_transport,
)
from policies.document import Statement, allow, policy_json
from runtime.engine.aws.data_aws_elb_service_account import DataAwsElbServiceAccount
from runtime.engine.aws.s3_bucket_policy import S3BucketPolicy

ALB_LOG_PREFIX = "alb"
CLOUDFRONT_LOG_PREFIX = "cloudfront"
TRAIL_LOG_PREFIX = "cloudtrail"
"""Where the detection trail writes (`modules/detection.py`, `hardened`)."""


@dataclass(frozen=True)
class LogBucketProps:
    name: str
    """The bucket's name."""
    account_id: str
    """The account whose resources write logs here (every grant is conditioned on it)."""
    expiration_days: int
    """Days a log object is kept."""
    access_logged_buckets: tuple[str, ...]
    """The buckets whose S3 server access logs land here, each under `s3-access/<its name>/`
    (the state bucket; in an environment built fresh also the backup and site buckets)."""
    trail_arn: str
    """The CloudTrail trail that writes here, under `cloudtrail/AWSLogs/<account>/` (`hardened`
    makes it; the policy lets it in both profiles, which writes nothing by itself)."""


class LogBucket(Construct):
    """Private, SSE-S3, TLS-only. Not versioned and not itself logged: logs are append-only
    data that expire, and logging the log bucket into itself would loop."""

    def __init__(self, scope: Construct, id_: str, *, props: LogBucketProps) -> None:
        super().__init__(scope, id_)
        self.private = PrivateBucket(
            self,
            "logs",
            props=PrivateBucketProps(
                name=props.name, tls_only=False, expiration_days=props.expiration_days
            ),
        )
        self.bucket = self.private.bucket
        elb = DataAwsElbServiceAccount(self, "elb_account")
        policy = S3BucketPolicy(
            self,
            "policy",
            bucket=self.bucket.id,
            policy=policy_json(*log_writers(self.bucket.arn, elb.arn, props)),
        )
        self.name: str = policy.bucket
        """The bucket's name, known once its policy is in place: a bucket logging here by
        this reference is configured after the policy that lets the logs in."""


def log_writers(bucket_arn: str, elb_account_arn: str, props: LogBucketProps) -> list[Statement]:
    """TLS only; S3 server access logs, the ALB's and CloudWatch Logs delivery's writes, each
    under its own prefix and only for this account's resources."""
    account = props.account_id
    logged = props.access_logged_buckets
    one = len(logged) == 1  # a single bucket as a string, as the policy always had it
    # CloudFront's delivery sources live in us-east-1, whatever the bucket's region
    delivery_arn = f"arn:aws:logs:*:{account}:delivery-source:*"
    cloudfront = f"{bucket_arn}/{CLOUDFRONT_LOG_PREFIX}/*"
    return [
        deny_insecure_transport(bucket_arn),
        allow(
            ["s3:PutObject"],
            [f"{bucket_arn}/{ACCESS_LOG_PREFIX}/{b}/*" for b in logged][0 if one else slice(None)],
            Sid="S3ServerAccessLogs",
            Principal={"Service": "logging.s3.amazonaws.com"},
            Condition={
                "StringEquals": {"aws:SourceAccount": account},
                "ArnLike": {
                    "aws:SourceArn": [f"arn:aws:s3:::{b}" for b in logged][
                        0 if one else slice(None)
                    ]
                },
            },
        ),
        allow(
            ["s3:PutObject"],
            f"{bucket_arn}/{ALB_LOG_PREFIX}/AWSLogs/{account}/*",
            Sid="AlbAccessLogs",
            Principal={"AWS": elb_account_arn},
        ),
        allow(
            ["s3:PutObject"],
            cloudfront,
            Sid="CloudFrontLogDelivery",
            Principal={"Service": "delivery.logs.amazonaws.com"},
            Condition={
                "StringEquals": {
                    "aws:SourceAccount": account,
                    "s3:x-amz-acl": "bucket-owner-full-control",
                },
                "ArnLike": {"aws:SourceArn": delivery_arn},
            },
        ),
        *trail_writers(bucket_arn, props),
        allow(
            ["s3:GetBucketAcl"],
            bucket_arn,
            Sid="CloudFrontLogDeliveryAclCheck",
            Principal={"Service": "delivery.logs.amazonaws.com"},
            Condition={
                "StringEquals": {"aws:SourceAccount": account},
                "ArnLike": {"aws:SourceArn": delivery_arn},
            },
        ),
    ]


def trail_writers(bucket_arn: str, props: LogBucketProps) -> list[Statement]:
    """CloudTrail's check of the bucket and its writes under `cloudtrail/`, for one trail."""
    trail = {"aws:SourceArn": props.trail_arn}
    return [
        allow(
            ["s3:PutObject"],
            f"{bucket_arn}/{TRAIL_LOG_PREFIX}/AWSLogs/{props.account_id}/*",
            Sid="CloudTrailWrite",
            Principal={"Service": "cloudtrail.amazonaws.com"},
            Condition={"StringEquals": trail | {"s3:x-amz-acl": "bucket-owner-full-control"}},
        ),
        allow(
            ["s3:GetBucketAcl"],
            bucket_arn,
            Sid="CloudTrailAclCheck",
            Principal={"Service": "cloudtrail.amazonaws.com"},
            Condition={"StringEquals": trail},
        ),
    ]
