"""Validation of import IDs: never a guessed, truncated or foreign ID.

Every ID is checked against the shape AWS (or Cloudflare) gives it for that resource type, and
every ARN against the configured account and region. The error names the address and the value.
"""

from __future__ import annotations

import re

from config import ConfigError

_HEX = r"[0-9a-f]"
_EC2 = {
    "aws_vpc": "vpc",
    "aws_subnet": "subnet",
    "aws_route_table": "rtb",
    "aws_internet_gateway": "igw",
    "aws_nat_gateway": "nat",
    "aws_eip": "eipalloc",
    "aws_security_group": "sg",
    "aws_vpc_security_group_ingress_rule": "sgr",
    "aws_vpc_security_group_egress_rule": "sgr",
    "aws_instance": "i",
}
_NAME = r"[A-Za-z0-9][A-Za-z0-9._+=,@/-]*"
_EC2_ID = rf"(?:{_HEX}{{8}}|{_HEX}{{17}})"
_CIDR = r"\d{1,3}(?:\.\d{1,3}){3}/\d{1,2}"
_CLOUDFRONT = (r"[A-Z0-9]{13,14}", "13-14 upper-case letters and digits")
_SHAPES = {
    "aws_route": (rf"rtb-{_EC2_ID}_{_CIDR}", "rtb-<id>_<destination CIDR>"),
    "aws_route_table_association": (
        rf"subnet-{_EC2_ID}/rtb-{_EC2_ID}", "subnet-<id>/rtb-<id>"),
    "aws_cloudfront_distribution": _CLOUDFRONT,
    "aws_cloudfront_origin_access_control": _CLOUDFRONT,
    "aws_ecs_service": (rf"{_NAME}/{_NAME}", "<cluster>/<service>"),
    "aws_cloudwatch_event_target": (rf"{_NAME}/{_NAME}", "<rule>/<target id>"),
    "aws_cloudwatch_event_rule": (r"[.\-_A-Za-z0-9]{1,64}", "the rule name"),
    "aws_iam_role_policy": (r"[\w+=,.@-]{1,64}:[\w+=,.@-]{1,128}", "<role>:<policy>"),
    "aws_iam_role_policy_attachment": (r"[\w+=,.@-]{1,64}/arn:aws:iam::(aws|\d{12}):policy/.+",
                                       "<role>/<policy ARN>"),
    "aws_iam_role": (r"[\w+=,.@-]{1,64}", "the role name"),
    "aws_iam_instance_profile": (r"[\w+=,.@-]{1,128}", "the instance profile name"),
    "aws_db_instance": (r"[a-z][a-z0-9-]{0,62}", "the DB identifier"),
    "aws_db_subnet_group": (r"[a-z0-9][a-z0-9._-]{0,254}", "the DB subnet group name"),
    "aws_db_parameter_group": (r"[a-z][a-z0-9-]{0,254}", "the parameter group name"),
    "aws_ecs_cluster": (r"[A-Za-z0-9_-]{1,255}", "the cluster name"),
    "aws_ecr_repository": (r"[a-z0-9][a-z0-9._/-]{1,255}", "the repository name"),
    "aws_ecr_lifecycle_policy": (r"[a-z0-9][a-z0-9._/-]{1,255}", "the repository name"),
    "aws_cloudwatch_log_group": (r"[\w./#-]{1,512}", "the log group name"),
    "aws_ssm_parameter": (r"/?[\w./-]{1,2048}", "the parameter name"),
    "cloudflare_dns_record": (r"[0-9a-f]{32}/[0-9a-f]{32}", "<zone id>/<record id>"),
}  # fmt: skip
_BUCKET = r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]"
_ARN_TYPES = {
    "aws_lb": "elasticloadbalancing",
    "aws_lb_listener": "elasticloadbalancing",
    "aws_lb_target_group": "elasticloadbalancing",
    "aws_acm_certificate": "acm",
    "aws_secretsmanager_secret": "secretsmanager",
    "aws_ecs_task_definition": "ecs",
}
_TRUNCATED = re.compile(r"\.\.\.|…|\*|\s")
_ARN = re.compile(
    r"arn:aws:(?P<service>[a-z0-9-]+):(?P<region>[a-z0-9-]*):(?P<account>\d{12}|aws|):(?P<rest>.+)"
)


def validate_arn(where: str, value: str, *, service: str, account: str, region: str) -> None:
    """An ARN of `service` in the configured account and region, or a ConfigError."""
    match = _ARN.fullmatch(value)
    if not match:
        raise ConfigError(f"{where}: {value!r} is not a complete ARN")
    if match["service"] != service:
        raise ConfigError(f"{where}: {value!r} is a {match['service']} ARN, not {service}")
    if match["account"] != account:
        raise ConfigError(
            f"{where}: {value!r} belongs to account {match['account']}, not {account}"
        )
    if match["region"] != region:
        raise ConfigError(f"{where}: {value!r} is in region {match['region']!r}, not {region!r}")


def validate_id(where: str, kind: str, value: str, *, account: str, region: str) -> None:
    """Raise a ConfigError naming `where` unless `value` is a complete, well-formed ID of `kind`."""
    if not isinstance(value, str):
        raise ConfigError(f"{where}: import id {value!r} must be a string")
    if not value:
        raise ConfigError(f"{where}: import id {value!r} is empty")
    if _TRUNCATED.search(value):
        raise ConfigError(f"{where}: import id {value!r} is truncated or a pattern, not an ID")
    if kind in _EC2:
        if not re.fullmatch(rf"{_EC2[kind]}-{_EC2_ID}", value):
            raise ConfigError(
                f"{where}: {value!r} is not a {kind} id ({_EC2[kind]}- and 8 or 17 hex digits)"
            )
    elif kind in _ARN_TYPES:
        validate_arn(where, value, service=_ARN_TYPES[kind], account=account, region=region)
    elif kind.startswith("aws_s3_bucket"):
        if not re.fullmatch(_BUCKET, value):
            raise ConfigError(f"{where}: {value!r} is not an S3 bucket name")
    elif kind in _SHAPES:
        pattern, shape = _SHAPES[kind]
        if not re.fullmatch(pattern, value):
            raise ConfigError(f"{where}: {value!r} is not a {kind} import id ({shape})")
    if "arn:aws:" in value and kind not in _ARN_TYPES:
        arn = value[value.index("arn:aws:") :]
        match = _ARN.fullmatch(arn)
        if match and match["account"] not in ("aws", "", account):
            raise ConfigError(f"{where}: {value!r} belongs to account {match['account']}")
