"""Stateful resources keep their addresses: a changed construct ID is a destroy-and-create.

If this fails after a refactor, do not update the list: add a `moved` block (cdktf `move_to`)
from the old address to the new one, then update it in the same reviewed change.
"""

from __future__ import annotations

from typing import Any

import pytest

PINNED = {
    "state": {
        "aws_s3_bucket.state_bucket_7F9D2349",
        "aws_s3_bucket.access_logs_bucket_F6D3AF7A",
    },
    "network": {
        "aws_vpc.vpc_6776A399",
        "aws_subnet.vpc_public_us_east_1a_4D0E7E11",
        "aws_subnet.vpc_public_us_east_1b_1606714C",
        "aws_subnet.vpc_private_us_east_1a_76E4E461",
        "aws_subnet.vpc_private_us_east_1b_D8F542CD",
        "aws_nat_gateway.vpc_nat_1EBC5B29",
        "aws_eip.vpc_nat_eip_76E31E86",
        "aws_instance.wireguard_instance_A99769E4",
        "aws_security_group.sg_rds_85A1207B",
    },
    "data": {
        "aws_db_instance.postgres_primary_11FB0C6D",
        "aws_db_instance.postgres_replica_6CCB637C",
        "aws_s3_bucket.backups_bucket_5DB31D01",
        "aws_s3_bucket.legacy_backups_v1_bucket_D18F638F",
        "aws_s3_bucket.legacy_backups_v2_bucket_79F12BA8",
        "aws_s3_bucket.legacy_backups_v3_bucket_679360C7",
        "aws_secretsmanager_secret.secrets_db_credentials_9CC99473",
        "aws_secretsmanager_secret.secrets_postgres_credentials_CA2FF18E",
        "aws_secretsmanager_secret.secrets_production_702D4061",
        "aws_secretsmanager_secret.secrets_sql_credentials_926C7E57",
        "aws_secretsmanager_secret.secrets_wireguard_config_07D6D97D",
    },
    "compute": {
        "aws_ecs_cluster.cluster",
        "aws_lb.lb_alb_3A88C95E",
        "aws_ecr_repository.backend_repository_6D93725B",
        "aws_ecr_repository.etl_repository_C122C407",
        "aws_ecs_service.backend_service_524158FE",
        "aws_cloudwatch_log_group.backend_logs",
        "aws_cloudwatch_log_group.etl_logs",
    },
    "edge": {
        "aws_cloudfront_distribution.api_distribution_54941237",
        "aws_cloudfront_distribution.frontend_distribution_2304128E",
        "aws_cloudfront_distribution.docs_distribution_386D056E",
        "aws_acm_certificate.wildcard_certificate_AE6FAF9C",
        "aws_s3_bucket.frontend_bucket_19946561",
        "aws_s3_bucket.docs_bucket_EFBBB2D1",
    },
    # a new topic loses its subscriptions (each address confirms again); a new key schedules
    # the old one's deletion
    "monitoring": {
        "aws_sns_topic.alerts_topic_3313844B",
        "aws_kms_key.alerts_key_FC9ECF44",
    },
}


# Stateful resources that exist in `hardened` only.
PINNED_HARDENED = {
    "data": {"aws_secretsmanager_secret.secrets_app_db_83D29516"},
    "compute": {"aws_acm_certificate.origin_certificate_D8AC75B9"},
    "edge": {"aws_wafv2_web_acl.firewall_acl_37C13A0A"},
}


@pytest.mark.parametrize("stack", sorted(PINNED_HARDENED))
def test_hardened_stateful_addresses_are_pinned(hardened: dict[str, Any], stack: str) -> None:
    addresses = {
        f"{kind}.{name}" for kind, items in hardened[stack]["resource"].items() for name in items
    }
    missing = (PINNED[stack] | PINNED_HARDENED[stack]) - addresses
    assert not missing, f"{stack}: these stateful addresses changed or vanished: {sorted(missing)}"


@pytest.mark.parametrize("stack", sorted(PINNED))
def test_stateful_addresses_are_pinned(stacks: dict[str, Any], stack: str) -> None:
    addresses = {
        f"{kind}.{name}" for kind, items in stacks[stack]["resource"].items() for name in items
    }
    missing = PINNED[stack] - addresses
    assert not missing, f"{stack}: these stateful addresses changed or vanished: {sorted(missing)}"


def test_a_renamed_stateful_resource_is_detected(stacks: dict[str, Any]) -> None:
    """The check can fail: a stack without the primary's address is reported."""
    renamed = {k: dict(v) for k, v in stacks["data"]["resource"].items()}
    renamed["aws_db_instance"] = {"postgres_main": {}}
    addresses = {f"{kind}.{name}" for kind, items in renamed.items() for name in items}
    assert PINNED["data"] - addresses == {
        "aws_db_instance.postgres_primary_11FB0C6D",
        "aws_db_instance.postgres_replica_6CCB637C",
    }
