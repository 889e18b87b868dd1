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
