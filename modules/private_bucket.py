"""A private S3 bucket: encrypted, all public access blocked, TLS-only, never force-destroyed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from constructs import Construct

from policies.document import policy_json
from runtime.engine.aws.s3_bucket import S3Bucket
from runtime.engine.aws.s3_bucket_lifecycle_configuration import (
    S3BucketLifecycleConfiguration,
    S3BucketLifecycleConfigurationRule,
    S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload,
    S3BucketLifecycleConfigurationRuleExpiration,
    S3BucketLifecycleConfigurationRuleFilter,
    S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration,
)
from runtime.engine.aws.s3_bucket_logging import S3BucketLoggingA
from runtime.engine.aws.s3_bucket_policy import S3BucketPolicy
from runtime.engine.aws.s3_bucket_public_access_block import S3BucketPublicAccessBlock
from runtime.engine.aws.s3_bucket_server_side_encryption_configuration import (
    S3BucketServerSideEncryptionConfigurationA,
    S3BucketServerSideEncryptionConfigurationRuleA,
    S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA,
)
from runtime.engine.aws.s3_bucket_versioning import (
    S3BucketVersioningA,
    S3BucketVersioningVersioningConfiguration,
)
from runtime.engine.core import TerraformResourceLifecycle


@dataclass(frozen=True)
class PrivateBucketProps:
    name: str
    """The bucket's name (ForceNew)."""
    versioned: bool = False
    """Turn on versioning (for data that cannot be rebuilt). False leaves versioning unmanaged.
    Default: off."""
    tls_only: bool = True
    """Attach a bucket policy that denies any request not made over TLS. Turn off when the
    owner writes its own policy (a bucket has one): include `deny_insecure_transport()` then.
    Default: on."""
    manage_settings: bool = True
    """False adopts the bucket as it is (legacy buckets): no access block, encryption or policy
    resources are added, so adoption changes nothing on them. `versioned` still applies.
    Default: on."""
    access_log_bucket: str | None = None
    """Bucket receiving this bucket's S3 server access logs, under `s3-access/<name>/`.
    Default: none (no access logging)."""
    noncurrent_version_days: int | None = None
    """Days a replaced object version is kept (with `versioned`). Default: kept forever."""
    expiration_days: int | None = None
    """Days an object is kept (log buckets). Default: kept forever."""


ACCESS_LOG_PREFIX = "s3-access"


class PrivateBucket(Construct):
    def __init__(self, scope: Construct, id_: str, *, props: PrivateBucketProps) -> None:
        super().__init__(scope, id_)
        self.bucket = S3Bucket(
            self,
            "bucket",
            bucket=props.name,
            force_destroy=False,
            lifecycle=TerraformResourceLifecycle(prevent_destroy=True),
        )
        if props.versioned:
            S3BucketVersioningA(
                self,
                "versioning",
                bucket=self.bucket.id,
                versioning_configuration=S3BucketVersioningVersioningConfiguration(
                    status="Enabled"
                ),
            )
        if not props.manage_settings:
            return
        self._settings(props)
        if props.access_log_bucket:
            S3BucketLoggingA(
                self,
                "access_logs",
                bucket=self.bucket.id,
                target_bucket=props.access_log_bucket,
                target_prefix=f"{ACCESS_LOG_PREFIX}/{props.name}/",
            )
        if props.noncurrent_version_days or props.expiration_days:
            self._lifecycle(props)

    def _lifecycle(self, props: PrivateBucketProps) -> None:
        """Expiry of replaced versions and/or of objects; unfinished uploads go after 7 days."""
        S3BucketLifecycleConfiguration(
            self,
            "lifecycle",
            bucket=self.bucket.id,
            rule=[
                S3BucketLifecycleConfigurationRule(
                    id="expire",
                    status="Enabled",
                    filter=[S3BucketLifecycleConfigurationRuleFilter(prefix="")],
                    abort_incomplete_multipart_upload=[
                        S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(
                            days_after_initiation=7
                        )
                    ],
                    noncurrent_version_expiration=[
                        S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(
                            noncurrent_days=props.noncurrent_version_days
                        )
                    ]
                    if props.noncurrent_version_days
                    else None,
                    expiration=[
                        S3BucketLifecycleConfigurationRuleExpiration(days=props.expiration_days)
                    ]
                    if props.expiration_days
                    else None,
                )
            ],
        )

    def _settings(self, props: PrivateBucketProps) -> None:
        """Public access block, SSE-S3 and (with `tls_only`) the TLS-only policy."""
        S3BucketPublicAccessBlock(
            self,
            "public_access",
            bucket=self.bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
        )
        S3BucketServerSideEncryptionConfigurationA(
            self,
            "encryption",
            bucket=self.bucket.id,
            rule=[
                S3BucketServerSideEncryptionConfigurationRuleA(
                    apply_server_side_encryption_by_default=(
                        S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                            sse_algorithm="AES256"
                        )
                    )
                )
            ],
        )
        if props.tls_only:
            S3BucketPolicy(
                self,
                "policy",
                bucket=self.bucket.id,
                policy=policy_json(deny_insecure_transport(self.bucket.arn)),
            )


def deny_insecure_transport(bucket_arn: str) -> dict[str, Any]:
    """A statement denying every non-TLS request to the bucket and its objects."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
