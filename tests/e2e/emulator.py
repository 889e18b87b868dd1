"""moto in server mode with the workarounds the emulated estate needs, each naming its gap.

    python -m tests.e2e.emulator --port 5000

Every workaround patches moto in this process only; nothing in the project's configuration
changes for the emulator. Each workaround is one function registered with `@workaround(name,
reason)` (or `served_by_middleware`), its reason beside it; `GAPS` is the reviewed list the
e2e run prints. A workaround that stops being needed (moto fixed it) is removed whole.
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import os
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar


@dataclass(frozen=True)
class Workaround:
    """One gap between moto and AWS, the reason beside the patch that closes it."""

    name: str
    reason: str
    patch: Callable[[], None] | None
    """None: answered by the `ManagedPolicies` middleware instead of a patch of moto."""


WORKAROUNDS: dict[str, Workaround] = {}
"""Every workaround, by name: the reviewed list the e2e run prints (`GAPS`)."""


def workaround(name: str, reason: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """Register `patch` as the workaround for the gap `name` (one function per gap)."""

    def register(patch: Callable[[], None]) -> Callable[[], None]:
        assert name not in WORKAROUNDS, f"{name} registered twice"
        WORKAROUNDS[name] = Workaround(name, reason, patch)
        return patch

    return register


def served_by_middleware(name: str, reason: str) -> None:
    """Register a gap the CloudFront middleware answers (`ManagedPolicies`)."""
    assert name not in WORKAROUNDS, f"{name} registered twice"
    WORKAROUNDS[name] = Workaround(name, reason, None)


served_by_middleware(
    "cloudfront-vpc-origins",
    (
        "moto has no CloudFront VPC origins (Create/Get/Update/DeleteVpcOrigin) and drops an "
        "origin's VpcOriginConfig; served here from memory, deployed at once, as AWS does after"
        " its deployment, and the origin's VpcOriginConfig kept (hardened's API origin)"
    ),
)
served_by_middleware(
    "cloudfront-managed-policies",
    (
        "moto has no ListCachePolicies/GetCachePolicy/ListOriginRequestPolicies/"
        "GetOriginRequestPolicy/ListResponseHeadersPolicies/GetResponseHeadersPolicy; served "
        "here with AWS's managed policies (IDs as AWS publishes them)"
    ),
)

LINKED_ROLE_NAMES = {
    "vpcorigin.cloudfront.amazonaws.com": "AWSServiceRoleForCloudFrontVPCOrigin",
}
"""Service-linked roles' names as AWS documents them (`iam-service-linked-role-name`)."""

# AWS managed CloudFront policies: (kind, name) -> ID, as published in the CloudFront docs.
MANAGED_POLICIES = {
    ("cache", "Managed-CachingOptimized"): "658327ea-f89d-4fab-a63d-7e88639e58f6",
    ("cache", "Managed-CachingDisabled"): "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
    ("origin-request", "Managed-AllViewer"): "216adef6-5c7f-47e4-b989-5492eafa07d3",
    ("response-headers", "Managed-SecurityHeadersPolicy"): "67f7725c-6f97-4210-82d7-5512b31e9d03",
}
_XMLNS = "http://cloudfront.amazonaws.com/doc/2020-05-31/"


def _cache_config(name: str) -> str:
    disabled = name == "Managed-CachingDisabled"
    ttl = (
        "<MinTTL>0</MinTTL><DefaultTTL>0</DefaultTTL><MaxTTL>0</MaxTTL>"
        if disabled
        else ("<MinTTL>1</MinTTL><DefaultTTL>86400</DefaultTTL><MaxTTL>31536000</MaxTTL>")
    )
    gzip = "false" if disabled else "true"
    return (
        f"<CachePolicyConfig><Comment></Comment><Name>{name}</Name>{ttl}"
        "<ParametersInCacheKeyAndForwardedToOrigin>"
        f"<EnableAcceptEncodingGzip>{gzip}</EnableAcceptEncodingGzip>"
        f"<EnableAcceptEncodingBrotli>{gzip}</EnableAcceptEncodingBrotli>"
        "<HeadersConfig><HeaderBehavior>none</HeaderBehavior></HeadersConfig>"
        "<CookiesConfig><CookieBehavior>none</CookieBehavior></CookiesConfig>"
        "<QueryStringsConfig><QueryStringBehavior>none</QueryStringBehavior>"
        "</QueryStringsConfig></ParametersInCacheKeyAndForwardedToOrigin></CachePolicyConfig>"
    )


def _origin_request_config(name: str) -> str:
    return (
        f"<OriginRequestPolicyConfig><Comment></Comment><Name>{name}</Name>"
        "<HeadersConfig><HeaderBehavior>allViewer</HeaderBehavior></HeadersConfig>"
        "<CookiesConfig><CookieBehavior>all</CookieBehavior></CookiesConfig>"
        "<QueryStringsConfig><QueryStringBehavior>all</QueryStringBehavior></QueryStringsConfig>"
        "</OriginRequestPolicyConfig>"
    )


def _response_headers_config(name: str) -> str:
    return (
        f"<ResponseHeadersPolicyConfig><Comment></Comment><Name>{name}</Name>"
        "<SecurityHeadersConfig>"
        "<ContentTypeOptions><Override>false</Override></ContentTypeOptions>"
        "<FrameOptions><Override>false</Override><FrameOption>SAMEORIGIN</FrameOption>"
        "</FrameOptions><ReferrerPolicy><Override>false</Override>"
        "<ReferrerPolicy>strict-origin-when-cross-origin</ReferrerPolicy></ReferrerPolicy>"
        "<StrictTransportSecurity><Override>false</Override><IncludeSubdomains>false"
        "</IncludeSubdomains><Preload>false</Preload>"
        "<AccessControlMaxAgeSec>31536000</AccessControlMaxAgeSec></StrictTransportSecurity>"
        "<XSSProtection><Override>false</Override><Protection>true</Protection>"
        "<ModeBlock>true</ModeBlock></XSSProtection></SecurityHeadersConfig>"
        "</ResponseHeadersPolicyConfig>"
    )


_KINDS: dict[str, tuple[str, Callable[[str], str]]] = {
    "cache": ("CachePolicy", _cache_config),
    "origin-request": ("OriginRequestPolicy", _origin_request_config),
    "response-headers": ("ResponseHeadersPolicy", _response_headers_config),
}
_POLICY_PATH = re.compile(
    r"^/2020-05-31/(cache|origin-request|response-headers)-policy(?:/([^/]+))?$"
)


def _policy(kind: str, name: str, policy_id: str) -> str:
    element, config = _KINDS[kind]
    modified = "2020-01-01T00:00:00Z"
    return (
        f"<{element}><Id>{policy_id}</Id><LastModifiedTime>{modified}</LastModifiedTime>"
        f"{config(name)}</{element}>"
    )


def managed_policy_response(path: str) -> tuple[int, str, dict[str, str]] | None:
    """The emulated answer for a CloudFront managed-policy path, or None for other paths."""
    match = _POLICY_PATH.match(path)
    if not match:
        return None
    kind, wanted = match.groups()
    element = _KINDS[kind][0]
    found = [(name, pid) for (k, name), pid in MANAGED_POLICIES.items() if k == kind]
    if wanted is None:
        items = "".join(
            f"<{element}Summary><Type>managed</Type>{_policy(kind, n, pid)}</{element}Summary>"
            for n, pid in found
        )
        body = (
            f'<{element}List xmlns="{_XMLNS}"><MaxItems>100</MaxItems>'
            f"<Quantity>{len(found)}</Quantity><Items>{items}</Items></{element}List>"
        )
        return 200, body, {}
    for name, pid in found:
        if pid == wanted:
            body = _policy(kind, name, pid).replace(
                f"<{element}>", f'<{element} xmlns="{_XMLNS}">', 1
            )
            return 200, body, {"ETag": hashlib.md5(pid.encode()).hexdigest()}
    error = f"NoSuch{element}"
    return 404, f"<ErrorResponse><Error><Code>{error}</Code></Error></ErrorResponse>", {}


_VPC_ORIGIN_PATH = re.compile(r"^/2020-05-31/vpc-origin(?:/([^/]+))?$")
_ENDPOINT_FIELDS = ("Name", "Arn", "HTTPPort", "HTTPSPort", "OriginProtocolPolicy")


class VpcOrigins:
    """CloudFront VPC origins, in memory (the `cloudfront-vpc-origins` gap)."""

    def __init__(self, account_id: str) -> None:
        self.account_id = account_id
        self.origins: dict[str, dict[str, Any]] = {}

    def answer(self, method: str, path: str, body: bytes) -> tuple[int, str, dict[str, str]] | None:
        match = _VPC_ORIGIN_PATH.match(path)
        if not match:
            return None
        origin_id = match.group(1)
        if method == "POST" and origin_id is None:
            origin_id = "vo_" + hashlib.sha1(body).hexdigest()[:20]
            self.origins[origin_id] = {"config": self._endpoint(body), "version": 1}
            return 202, self._xml(origin_id), self._headers(origin_id)
        if origin_id not in self.origins:
            error = (
                "<Error><Code>EntityNotFound</Code><Message>no such VPC origin</Message></Error>"
            )
            return 404, f"<ErrorResponse>{error}</ErrorResponse>", {}
        if method == "PUT":
            self.origins[origin_id] = {
                "config": self._endpoint(body),
                "version": self.origins[origin_id]["version"] + 1,
            }
        if method == "DELETE":
            answer = (202, self._xml(origin_id), self._headers(origin_id))
            del self.origins[origin_id]
            return answer
        return (202 if method == "PUT" else 200), self._xml(origin_id), self._headers(origin_id)

    @staticmethod
    def _endpoint(body: bytes) -> str:
        """The request's VpcOriginEndpointConfig element, as sent (namespace dropped)."""
        text = re.sub(r'\sxmlns="[^"]*"', "", body.decode())
        found = re.search(r"<VpcOriginEndpointConfig>.*</VpcOriginEndpointConfig>", text, re.S)
        return found.group(0) if found else "<VpcOriginEndpointConfig/>"

    def _headers(self, origin_id: str) -> dict[str, str]:
        version = self.origins[origin_id]["version"]
        return {"ETag": f"E{version}{origin_id[-6:].upper()}"}

    def _xml(self, origin_id: str) -> str:
        arn = f"arn:aws:cloudfront::{self.account_id}:vpcorigin/{origin_id}"
        when = "2026-01-01T00:00:00Z"
        return (
            f'<VpcOrigin xmlns="{_XMLNS}"><Id>{origin_id}</Id><Arn>{arn}</Arn>'
            f"<AccountId>{self.account_id}</AccountId><Status>Deployed</Status>"
            f"<CreatedTime>{when}</CreatedTime><LastModifiedTime>{when}</LastModifiedTime>"
            f"{self.origins[origin_id]['config']}</VpcOrigin>"
        )


class ManagedPolicies:
    """WSGI middleware: answers the CloudFront calls moto lacks (managed policies, VPC
    origins)."""

    def __init__(self, app: Callable[..., Iterable[bytes]], account_id: str = "") -> None:
        self.app = app
        self.vpc_origins = VpcOrigins(account_id or "123456789012")

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        auth = environ.get("HTTP_AUTHORIZATION", "")
        path = environ.get("PATH_INFO", "")
        answer = managed_policy_response(path)
        if answer is None and "/cloudfront/aws4_request" in auth:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length) if length else b""
            answer = self.vpc_origins.answer(environ["REQUEST_METHOD"], path, body)
            if answer is None and body:  # not ours: hand the body on to moto
                import io

                environ["wsgi.input"] = io.BytesIO(body)
        if "/cloudfront/aws4_request" in auth and answer is not None:
            status, body, headers = answer
            reason = {200: "OK", 202: "Accepted"}.get(status, "Not Found")
            start_response(
                f"{status} {reason}",
                [("Content-Type", "text/xml"), *headers.items()],
            )
            return [body.encode()]
        return self.app(environ, start_response)


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@workaround(
    "s3-policy-conditions",
    (
        "moto ignores `Bool` conditions, so the TLS-only Deny (aws:SecureTransport = false) "
        "matches every request and denies the S3 backend; the emulator stands in for AWS's TLS "
        "endpoints, so aws:SecureTransport is true here"
    ),
)
def _s3_policy_conditions() -> None:
    """A statement conditioned on plain HTTP does not apply."""
    from moto.iam import access_control

    statement = access_control.IAMPolicyStatement
    original_permitted = statement.is_action_permitted

    def is_action_permitted(
        self: Any,
        action: str,
        resource: str = "*",
        principal: str | None = None,
        incoming_condition_values: dict[str, str] | None = None,
    ) -> Any:
        transport = (self._statement.get("Condition") or {}).get("Bool", {})
        wanted = transport.get("aws:SecureTransport")
        if wanted is not None and "true" not in [str(v).lower() for v in _listed(wanted)]:
            return access_control.PermissionResult.NEUTRAL
        return original_permitted(self, action, resource, principal, incoming_condition_values)

    statement.is_action_permitted = is_action_permitted


@workaround(
    "iam-signature-get",
    (
        "with IAM enforced, moto recomputes a body-less GET's signature over the request's "
        "parsed parameters instead of its empty payload, so every CloudFront Get* of a CI role "
        "fails as SignatureDoesNotMatch; here the empty payload is signed, as botocore does"
    ),
)
def _iam_signature_get() -> None:
    """Verify a body-less GET over the empty payload botocore signed."""
    from moto.iam import access_control

    request_base = access_control.IAMRequestBase
    original_request = request_base._create_aws_request

    def create_aws_request(self: Any) -> Any:
        request = original_request(self)
        if self._method == "GET" and not self._body:
            request.data = b""
        return request

    request_base._create_aws_request = create_aws_request


@workaround(
    "s3-logging-policy-principal",
    (
        "moto's PutBucketLogging reads the target bucket's policy and fails with a server error"
        ' on any statement whose Principal is the string "*" (the log bucket\'s TLS-only Deny); '
        "here such statements are skipped, as they grant nothing to the log service; and a "
        "statement's Resource may be a list (several buckets log into one)"
    ),
)
def _s3_logging_policy_principal() -> None:
    """Look only at statements with a Principal map."""
    from moto.s3 import models as s3_models

    def log_permissions(target_bucket: Any, target_prefix: str | None) -> bool:
        """moto's own test (an Allow of s3:PutObject to the logging service on the bucket,
        its objects or the prefix), over the statements that have a Principal map."""
        if not target_bucket.policy:
            return False
        arn = f"arn:{target_bucket.partition}:s3:::{target_bucket.name}"
        accepted = {arn, f"{arn}/*", f"{arn}/{target_prefix or ''}*"}
        return any(
            isinstance(stmt.get("Principal"), dict)
            and stmt["Principal"].get("Service") == s3_models.LOGGING_SERVICE_PRINCIPAL
            and stmt.get("Effect") == "Allow"
            and "s3:PutObject" in _listed(stmt.get("Action", []))
            and bool(set(_listed(stmt.get("Resource", []))) & accepted)  # one or a list
            for stmt in json.loads(target_bucket.policy.decode())["Statement"]
        )

    s3_models.FakeBucket._log_permissions_enabled_policy = staticmethod(log_permissions)


@workaround(
    "ec2-instance-security-groups",
    (
        "an instance launched with its groups on the primary network interface (as the provider"
        " does) reports no SecurityGroups; here it reports its primary interface's groups"
    ),
)
def _ec2_instance_security_groups() -> None:
    """Fall back to the primary interface's groups."""
    from moto.ec2.models import instances as ec2_instances

    def get_groups(self: Any) -> list[Any]:
        own = self.__dict__.get("_emulator_groups") or []
        nic = getattr(self, "nics", {}).get(0)
        return list(own) if own or nic is None else list(nic._group_set)

    def set_groups(self: Any, value: list[Any]) -> None:
        self.__dict__["_emulator_groups"] = value

    ec2_instances.Instance.security_groups = property(get_groups, set_groups)


@workaround(
    "ec2-rule-description",
    (
        "moto reads a security group rule's Description only from a CIDR source, so a rule from"
        " a security group or a prefix list (hardened's ETL-to-bridge and CloudFront rules) "
        "reads back without its description; here it is the source's Description"
    ),
)
def _ec2_rule_description() -> None:
    """A rule's description is its source's, whatever the source."""
    from moto.ec2.models import security_groups as ec2_groups

    rule_class = ec2_groups.SecurityGroupRule
    original_rule_init = rule_class.__init__
    rule_parameters = inspect.signature(original_rule_init)

    def rule_init(self: Any, *args: Any, **kwargs: Any) -> None:
        original_rule_init(self, *args, **kwargs)
        # by name, however moto passed it
        prefix_list = rule_parameters.bind(self, *args, **kwargs).arguments.get("prefix_list_id")
        self._emulator_prefix_list_description = (prefix_list or {}).get("Description")

    def rule_description(self: Any) -> str | None:
        return (
            self.ip_range.get("Description")
            or self.source_group.get("Description")
            or self.__dict__.get("_emulator_prefix_list_description")
        )

    rule_class.__init__ = rule_init
    rule_class.description = property(rule_description)


@workaround(
    "ec2-revoke-default-egress-retried",
    (
        "the AWS provider revokes a new group's default egress rule (all traffic to 0.0.0.0/0) "
        "right after creating it; on a loaded machine moto answered one revoke late, the SDK "
        "sent it again and moto refused the repeat with InvalidPermission.NotFound, failing the "
        "apply (staging's rds group, once, beside the production track and a mutation run). "
        "Here a revoke of exactly that default rule, already gone, succeeds, as a retried call "
        "does against AWS's idempotent handling; every other revoke is unchanged"
    ),
)
def _ec2_revoke_default_egress_retried() -> None:
    """Revoking an absent default egress rule is a no-op."""
    from moto.ec2.exceptions import InvalidPermissionNotFoundError
    from moto.ec2.models import security_groups as ec2_groups

    backend = ec2_groups.SecurityGroupBackend
    original = backend.revoke_security_group_egress

    def revoke(self: Any, group_name_or_id: str, ip_protocol: str, from_port: str,
               to_port: str, ip_ranges: list[Any], *args: Any, **kwargs: Any) -> None:  # fmt: skip
        try:
            return original(self, group_name_or_id, ip_protocol, from_port, to_port, ip_ranges,
                            *args, **kwargs)  # fmt: skip
        except InvalidPermissionNotFoundError:
            default = str(ip_protocol) == "-1" and [
                (r.get("CidrIp"), r.get("CidrIpv6")) for r in ip_ranges
            ] == [("0.0.0.0/0", None)]
            others = [a for a in args if a] + [v for k, v in kwargs.items() if v and k != "vpc_id"]
            if default and not others:
                return None
            raise

    backend.revoke_security_group_egress = revoke


@workaround(
    "ec2-terminated-instance-ip",
    (
        "moto keeps a terminated instance's private IP reserved in its subnet (released only "
        "when Python collects the instance), so the replacement of the hardened bridge, which "
        "keeps the same private IP, fails with a server error that Terraform retries; AWS "
        "releases the IP on termination, as here"
    ),
)
def _ec2_terminated_instance_ip() -> None:
    """Termination releases the instance's private IPs."""
    from moto.ec2.models import instances as ec2_instances

    original_terminate = ec2_instances.Instance.terminate

    def terminate(self: Any) -> Any:
        subnet_id = self.subnet_id
        state = original_terminate(self)
        if subnet_id:
            subnet = self.ec2_backend.get_subnet(subnet_id)
            for ip in list(self._private_ips):
                subnet.del_subnet_ip(ip)
            self._private_ips.clear()
        return state

    ec2_instances.Instance.terminate = terminate


@workaround(
    "ec2-root-volume-size",
    (
        "moto refuses a block device mapping with neither a size nor a snapshot (the hardened "
        "bridge's encrypted root volume: AWS takes both from the AMI's root snapshot); here it "
        "gets the size of moto's AMI snapshots, 8 GiB"
    ),
)
def _ec2_root_volume_size() -> None:
    """A mapping without size or snapshot is sized like moto's AMIs."""
    from moto.ec2.responses import instances as ec2_responses

    instance_responses = ec2_responses.InstanceResponse
    original_validate = instance_responses._validate_block_device_mapping

    def validate_mapping(device_mapping: dict[str, Any]) -> None:
        ebs = device_mapping.get("Ebs")
        if isinstance(ebs, dict) and not ebs.get("VolumeSize") and not ebs.get("SnapshotId"):
            ebs["VolumeSize"] = 8
        original_validate(device_mapping)

    instance_responses._validate_block_device_mapping = staticmethod(validate_mapping)


@workaround(
    "ecs-create-service-settings",
    (
        "moto's CreateService ignores enableExecuteCommand, healthCheckGracePeriodSeconds, "
        "availabilityZoneRebalancing and deploymentConfiguration (UpdateService keeps them); "
        "here CreateService keeps them too"
    ),
)
def _ecs_create_service_settings() -> None:
    """Keep the settings CreateService was given."""
    from moto.ecs import responses as ecs_responses

    handler = ecs_responses.EC2ContainerServiceResponse
    original_create_service = handler.create_service
    kept = {
        "enableExecuteCommand": "enable_execute_command",
        "healthCheckGracePeriodSeconds": "health_check_grace_period_seconds",
        "availabilityZoneRebalancing": "availability_zone_rebalancing",
        "deploymentConfiguration": "deployment_configuration",
    }

    def create_service(self: Any) -> Any:
        result = original_create_service(self)
        service = result.result["service"]
        for param, attribute in kept.items():
            value = self._get_param(param)
            if value is not None:
                setattr(service, attribute, value)
        return result

    handler.create_service = create_service


@workaround(
    "ecs-update-service-task-definition",
    (
        "moto's UpdateService keeps the task definition as the request named it "
        "(`family:revision`) and DescribeServices returns that; AWS returns the revision's ARN,"
        " and the AWS provider crashes reading anything else (index out of range); here "
        "UpdateService keeps the ARN"
    ),
)
def _ecs_update_service_task_definition() -> None:
    """The service holds the revision's ARN."""
    from moto.ecs import models as ecs_models

    ecs_backend = ecs_models.EC2ContainerServiceBackend
    original_update_service = ecs_backend.update_service

    def update_service(self: Any, service_properties: dict[str, Any]) -> Any:
        service = original_update_service(self, service_properties)
        if service.task_definition and not service.task_definition.startswith("arn:"):
            service.task_definition = self.describe_task_definition(service.task_definition).arn
        return service

    ecs_backend.update_service = update_service


@workaround(
    "cloudfront-read-back",
    (
        "moto drops an origin's OriginAccessControlId, returns ForwardedValues for a behavior "
        "that uses a cache policy, and reports CloudFrontDefaultCertificate true next to an ACM"
        " certificate; AWS returns the request's values"
    ),
)
def _cloudfront_read_back() -> None:
    """Keep what the request said."""

    from moto.cloudfront import models as cf

    def wrap_init(cls: Any, after: Any) -> None:
        original = cls.__init__

        def init(self: Any, config: dict[str, Any]) -> None:
            original(self, config)
            after(self, config)

        cls.__init__ = init

    def origin_after(self: Any, origin: dict[str, Any]) -> None:
        self.origin_access_control_id = origin.get("OriginAccessControlId", "")
        # cloudfront-vpc-origins: the origin's VpcOriginConfig, as sent
        self.vpc_origin_config = origin.get("VpcOriginConfig")

    def behavior_after(self: Any, config: dict[str, Any]) -> None:
        if config.get("CachePolicyId") and "ForwardedValues" not in config:
            self.forwarded_values = None

    def certificate_after(self: Any, config: dict[str, Any]) -> None:
        if "CloudFrontDefaultCertificate" not in config and config.get("ACMCertificateArn"):
            self.cloud_front_default_certificate = False

    wrap_init(cf.Origin, origin_after)
    wrap_init(cf.DefaultCacheBehaviour, behavior_after)
    wrap_init(cf.ViewerCertificate, certificate_after)


@workaround(
    "iam-service-linked-role-name",
    (
        "moto names a service-linked role by splitting the service name "
        "(`AWSServiceRoleForcloudfront_Vpcorigin`), which the provider reads back as a custom "
        "suffix and so plans a replacement; AWS names CloudFront VPC origins' role "
        "`AWSServiceRoleForCloudFrontVPCOrigin`, as here"
    ),
)
def _iam_service_linked_role_name() -> None:
    """AWS's own names for the roles moto would misname."""
    from moto.iam import models as iam_models

    original_linked = iam_models.IAMBackend.create_service_linked_role

    def create_service_linked_role(
        self: Any, service_name: str, description: str, suffix: str
    ) -> Any:
        role = original_linked(self, service_name, description, suffix)
        if service_name in LINKED_ROLE_NAMES and not suffix:
            role.name = LINKED_ROLE_NAMES[service_name]
        return role

    iam_models.IAMBackend.create_service_linked_role = create_service_linked_role


@workaround(
    "rds-resource-id",
    (
        "moto gives every DB instance the same DbiResourceId; the provider finds the replica by"
        " it and waits for the wrong instance"
    ),
)
def _rds_resource_id() -> None:
    """One DbiResourceId per instance, derived from its identifier (a read"""
    from moto.rds import models as rds_models

    # replica is made as a copy of its source, so an attribute set at creation would be shared).
    def resource_id(self: Any) -> str:
        digest = hashlib.sha1(f"{self.account_id}/{self.db_instance_identifier}".encode())
        return "db-" + digest.hexdigest()[:26].upper()

    rds_models.DBInstance.dbi_resource_id = property(resource_id, lambda self, value: None)


@workaround(
    "rds-replica-copies-source",
    (
        "moto makes a read replica as a copy of its source, so it reports the source's log "
        "exports and storage autoscaling ceiling; AWS takes both from the replica's own request"
    ),
)
def _rds_replica_copies_source() -> None:
    """A replica's log exports and autoscaling ceiling are its own."""
    from moto.rds import models as rds_models

    backend = rds_models.RDSBackend
    original_replica = backend.create_db_instance_read_replica

    def create_replica(self: Any, db_kwargs: dict[str, Any]) -> Any:
        replica = original_replica(self, db_kwargs)
        replica.enabled_cloudwatch_logs_exports = list(
            db_kwargs.get("enable_cloudwatch_logs_exports") or []
        )
        replica.max_allocated_storage = (
            db_kwargs.get("max_allocated_storage") or replica.allocated_storage
        )
        return replica

    backend.create_db_instance_read_replica = create_replica


@workaround(
    "rds-touching-windows",
    (
        "moto treats a backup window that ends when the maintenance window starts (03:00-04:00,"
        " sun:04:00-sun:05:00) as overlapping; AWS accepts it"
    ),
)
def _rds_touching_windows() -> None:
    """Windows that only touch do not overlap."""
    from moto.rds import utils as rds_utils

    original_overlap = rds_utils.get_overlap_between_two_date_ranges

    def overlap(*args: datetime) -> int:
        seconds = original_overlap(*args)
        return -1 if seconds == 0 else seconds

    rds_utils.get_overlap_between_two_date_ranges = overlap


@workaround(
    "rds-parameter-source",
    (
        "moto's DescribeDBParameters omits Source, so the provider cannot tell user parameters "
        "from engine defaults"
    ),
)
def _rds_parameter_source() -> None:
    """Parameters set by a user say so."""
    from moto.rds import models as rds_models

    group = rds_models.DBParameterGroup
    original_update = group.update_parameters

    def update_parameters(self: Any, new_parameters: Any) -> None:
        original_update(self, new_parameters)
        for parameter in self.parameters.values():
            parameter.setdefault("Source", "user")

    group.update_parameters = update_parameters


class Injector:
    """WSGI middleware of `make faults` (`tests/e2e/test_faults.py`): answers chosen calls with
    an error, the way AWS does when it throttles, fails for a moment or revokes a session.

    `POST /_fluxion/faults` with `{"service": "cloudfront", "every": 4, "error": "throttling"}`
    arms it: every `every`-th call to that service (`*`: any; the SigV4 scope names it) gets
    `error`, in the service's own error format (`every: 1` is a persistent error), but never a
    call to a service in `spare`; `{}` disarms it. `GET` returns what was injected, by service
    and error code. Nothing is armed unless a test arms it.

    The errors (`throttling`, `unavailable`, `expired`) are AWS's, per protocol: throttling is
    `SlowDown` (HTTP 503) for S3, `RequestLimitExceeded` for EC2, `ThrottlingException` for
    the JSON services and `Throttling` for the others; a wrong format would be an error the
    SDK does not recognize (and never retries)."""

    MESSAGES: ClassVar[dict[str, str]] = {
        "throttling": "Rate exceeded",
        "unavailable": "Service is unavailable, try again",
        "expired": "The security token included in the request is expired",
    }

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.armed: dict[str, Any] = {}
        self.seen = 0
        self.injected: dict[str, int] = {}
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("PATH_INFO") == "/_fluxion/faults":
            return self._control(environ, start_response)
        scope = re.search(r"/[a-z0-9-]+/([a-z0-9-]+)/aws4_request", environ.get(
            "HTTP_AUTHORIZATION", ""))  # fmt: skip
        service = scope.group(1) if scope else ""
        with self._lock:
            hit = bool(self.armed) and bool(service) and (
                self.armed["service"] in ("*", service)
                and service not in self.armed.get("spare", ())
            ) and self._count()  # fmt: skip
        if not hit:
            return self.app(environ, start_response)
        json_protocol = "json" in environ.get("CONTENT_TYPE", "")
        status, code, body = self.error(service, json_protocol, self.armed["error"])
        with self._lock:
            self.injected[f"{service} {code}"] = self.injected.get(f"{service} {code}", 0) + 1
        kind = "application/x-amz-json-1.1" if json_protocol else "text/xml"
        start_response(f"{status} Fault", [("Content-Type", kind), ("x-amzn-ErrorType", code)])
        return [body.encode()]

    @classmethod
    def error(cls, service: str, json_protocol: bool, kind: str) -> tuple[int, str, str]:
        """(HTTP status, error code, body) of `kind` as `service` answers it."""
        message = cls.MESSAGES[kind]
        status, code = {
            "throttling": (400, "ThrottlingException" if json_protocol else "Throttling"),
            "unavailable": (503, "ServiceUnavailable"),
            "expired": (400 if service == "s3" else 403, "ExpiredToken"),
        }[kind]
        if service == "s3":
            status, code = (503, "SlowDown") if kind == "throttling" else (status, code)
            return status, code, f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
        if service == "ec2":
            code = "RequestLimitExceeded" if kind == "throttling" else code
            return (
                status,
                code,
                (
                    f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error>"
                    "</Errors><RequestID>fault</RequestID></Response>"
                ),
            )
        if json_protocol:
            return status, code, json.dumps({"__type": code, "message": message})
        return (
            status,
            code,
            (
                f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}"
                "</Message></Error><RequestId>fault</RequestId></ErrorResponse>"
            ),
        )

    def _count(self) -> bool:
        self.seen += 1
        return self.seen % int(self.armed.get("every", 1)) == 0

    def _control(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ["REQUEST_METHOD"] == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            armed = json.loads(environ["wsgi.input"].read(length) or b"{}")
            with self._lock:
                self.armed, self.seen = armed, 0
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps({"armed": self.armed, "injected": self.injected}).encode()]


def apply_patches() -> None:
    """Patch moto in this process for every registered workaround but the middleware's."""
    for gap in WORKAROUNDS.values():
        if gap.patch is not None:
            gap.patch()


GAPS = {name: gap.reason for name, gap in WORKAROUNDS.items()}
"""Gap name -> why (printed by the e2e run; docs/terraform-in-the-loop.md's table)."""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.e2e.emulator")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    apply_patches()
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import run_simple

    app = DomainDispatcherApplication(create_backend_app)
    print(f"emulator: {datetime.now(UTC):%H:%M:%S} patched gaps: {', '.join(GAPS)}", flush=True)
    run_simple(
        "127.0.0.1",
        args.port,
        Injector(ManagedPolicies(app, os.environ.get("MOTO_ACCOUNT_ID", ""))),
        threaded=True,
        request_handler=MotoRequestHandler,
    )


if __name__ == "__main__":
    main()
