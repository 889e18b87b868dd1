"""Resource types whose loss loses data or breaks the estate: never destroyed or replaced
without a reviewed `moved` block or an explicit decision."""

from __future__ import annotations

STATEFUL_TYPES = frozenset(
    {
        "aws_db_instance",
        "aws_s3_bucket",
        "aws_secretsmanager_secret",
        "aws_ecr_repository",
        "aws_cloudfront_distribution",
        "aws_instance",  # the WireGuard bridge: a new one means a new ENI and a broken tunnel
        "aws_ecs_cluster",
    }
)

# Arguments whose change makes the AWS provider replace the resource (ForceNew), for the
# stateful types: a change to one of them is a destroy-and-create even at the same address.
FORCE_NEW = {
    "aws_db_instance": frozenset(
        {
            "identifier",
            "engine",
            "db_name",
            "storage_encrypted",
            "kms_key_id",
            "availability_zone",
            "username",
            "replicate_source_db",
            "snapshot_identifier",
            "timezone",
        }
    ),
    "aws_s3_bucket": frozenset({"bucket", "bucket_prefix", "object_lock_enabled"}),
    "aws_secretsmanager_secret": frozenset({"name", "name_prefix"}),
    "aws_ecr_repository": frozenset({"name", "encryption_configuration"}),
    "aws_instance": frozenset(
        {
            "ami",
            "subnet_id",
            "private_ip",
            "availability_zone",
            "user_data",
            "root_block_device",
            "ebs_block_device",
            "key_name",
            "tenancy",
            "placement_group",
        }
    ),
    "aws_ecs_cluster": frozenset({"name"}),
    "aws_cloudfront_distribution": frozenset(),
}
