"""Hardened edge, logs and the bridge: the resource and attribute that close each risk, in the
`hardened` profile, and what `adopt` keeps as live (the state stack is hardened in both)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import config
from config import ConfigError, Hardening
from review.replacement_guard import acknowledgements, compare_outputs, load_acknowledgements
from runtime.engine.core import App
from tests.conftest import by_path, ref, resources
from tests.test_hardened import _rules

HARD = config.load(profile="hardened")
API = "api.fluxionia.co"


def _distributions(edge: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["aliases"][0]: d for d in resources(edge, "aws_cloudfront_distribution").values()}


def test_the_alb_serves_https_with_a_regional_certificate_for_the_api_host(
    hardened: dict[str, Any],
) -> None:
    compute = hardened["compute"]
    https = by_path(compute, "aws_lb_listener", "lb/https")
    assert (https["port"], https["protocol"]) == (443, "HTTPS")
    assert https["ssl_policy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    # the listener takes the waiter's ARN: it is created once ACM has issued the certificate
    assert https["certificate_arn"] == ref(
        compute, "aws_acm_certificate_validation", "origin_certificate/issued", "certificate_arn"
    )
    cert = by_path(compute, "aws_acm_certificate", "origin_certificate/certificate")
    assert cert["domain_name"] == API and cert["validation_method"] == "DNS"
    assert "provider" not in cert  # regional: the ALB's region, the stack's own provider
    record = by_path(compute, "cloudflare_dns_record", "origin_certificate/validation")
    assert "origin_certificate" in record["name"] and record["proxied"] is False
    http = by_path(compute, "aws_lb_listener", "lb/http")
    assert http["default_action"] == [
        {
            "type": "redirect",
            "redirect": {"port": "443", "protocol": "HTTPS", "status_code": "HTTP_301"},
        }
    ]


def test_cloudfront_reaches_the_alb_over_https_only(
    hardened: dict[str, Any], stacks: dict[str, Any]
) -> None:
    # through the VPC origin (tests/test_hardened.py), which speaks HTTPS only
    vpc = next(iter(hardened["edge"]["resource"]["aws_cloudfront_vpc_origin"].values()))
    assert vpc["vpc_origin_endpoint_config"][0]["origin_protocol_policy"] == "https-only"
    live = _distributions(stacks["edge"])[API]["origin"][0]["custom_origin_config"]
    assert live["origin_protocol_policy"] == "http-only"  # adopt: as live
    # the ALB's only ingress is HTTPS from CloudFront (the prefix list fits the quota once)
    (rule,) = _rules(hardened["network"], "aws_vpc_security_group_ingress_rule", "alb")
    assert (rule["from_port"], rule["to_port"], rule["ip_protocol"]) == (443, 443, "tcp")
    assert "prefix_list_id" in rule


def test_every_distribution_sits_behind_one_counting_web_acl(hardened: dict[str, Any]) -> None:
    edge = hardened["edge"]
    acl = by_path(edge, "aws_wafv2_web_acl", "firewall/acl")
    assert acl["scope"] == "CLOUDFRONT" and acl["default_action"] == {"allow": {}}
    groups = [r["statement"]["managed_rule_group_statement"] for r in acl["rule"]]
    assert {g["vendor_name"] for g in groups} == {"AWS"}
    assert {g["name"] for g in groups} >= {
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",  # Log4Shell (CKV2_AWS_47)
    }
    assert [r["override_action"] for r in acl["rule"]] == [{"count": {}}] * len(groups)
    arn = ref(edge, "aws_wafv2_web_acl", "firewall/acl", "arn")
    distributions = _distributions(edge)
    assert len(distributions) == 3
    assert {d["web_acl_id"] for d in distributions.values()} == {arn}
    logging = by_path(edge, "aws_wafv2_web_acl_logging_configuration", "firewall/logging")
    assert logging["resource_arn"] == arn
    logs = by_path(edge, "aws_cloudwatch_log_group", "firewall/logs")
    assert logs["name"].startswith("aws-waf-logs-") and logs["retention_in_days"] == 30


def test_waf_enforce_switches_the_rule_groups_from_count_to_block() -> None:
    from stacks.edge import EdgeStack

    env = replace(HARD, hardening=replace(HARD.hardening, waf_enforce=True))
    edge = EdgeStack(App(), "edge", config=env).to_terraform()
    (acl,) = edge["resource"]["aws_wafv2_web_acl"].values()
    assert [r["override_action"] for r in acl["rule"]] == [{"none": {}}] * len(acl["rule"])


def test_adopt_has_no_web_acl_and_no_new_logging(stacks: dict[str, Any]) -> None:
    edge, compute = stacks["edge"], stacks["compute"]
    assert not resources(edge, "aws_wafv2_web_acl")
    assert not resources(edge, "aws_cloudwatch_log_delivery_source")
    assert all("web_acl_id" not in d for d in _distributions(edge).values())
    assert "access_logs" not in by_path(compute, "aws_lb", "lb/alb")
    assert not resources(compute, "aws_acm_certificate")


def test_access_logs_of_the_alb_and_every_distribution_go_to_the_log_bucket(
    hardened: dict[str, Any],
) -> None:
    alb = by_path(hardened["compute"], "aws_lb", "lb/alb")
    assert alb["access_logs"] == {
        "bucket": "fluxion-logs-611395766952",
        "prefix": "alb",
        "enabled": True,
    }
    edge = hardened["edge"]
    (destination,) = resources(edge, "aws_cloudwatch_log_delivery_destination").values()
    assert destination["delivery_destination_configuration"] == [
        {"destination_resource_arn": "arn:aws:s3:::fluxion-logs-611395766952/cloudfront"}
    ]
    sources = resources(edge, "aws_cloudwatch_log_delivery_source")
    arns = {
        ref(edge, "aws_cloudfront_distribution", f"{key}/distribution", "arn")
        for key in ("frontend", "docs", "api")
    }
    assert {s["resource_arn"] for s in sources.values()} == arns
    assert {s["log_type"] for s in sources.values()} == {"ACCESS_LOGS"}
    deliveries = resources(edge, "aws_cloudwatch_log_delivery")
    assert len(deliveries) == 3
    assert {d["delivery_source_name"] for d in deliveries.values()} == {
        f"${{aws_cloudwatch_log_delivery_source.{name}.name}}" for name in sources
    }


@pytest.mark.parametrize("profile", ["adopt", "hardened"])
def test_the_state_stack_is_hardened_in_both_profiles(
    profile: str, stacks: dict[str, Any], hardened: dict[str, Any]
) -> None:
    """New, not adopted: access logging and expiry of old state versions from the start."""
    state = (stacks if profile == "adopt" else hardened)["state"]
    logs_name = ref(state, "aws_s3_bucket_policy", "access_logs/policy", "bucket")
    logging = by_path(state, "aws_s3_bucket_logging", "state_bucket/access_logs")
    assert logging["bucket"] == ref(state, "aws_s3_bucket", "state_bucket/bucket", "id")
    # configured after the policy that lets S3's log delivery write (ordering by reference)
    assert logging["target_bucket"] == logs_name
    assert logging["target_prefix"] == "s3-access/fluxion-tfstate-611395766952/"
    (rule,) = by_path(state, "aws_s3_bucket_lifecycle_configuration", "state_bucket/lifecycle")[
        "rule"
    ]
    assert rule["noncurrent_version_expiration"] == [{"noncurrent_days": 90}]
    assert rule["abort_incomplete_multipart_upload"] == [{"days_after_initiation": 7}]
    assert "expiration" not in rule  # the current state version never expires
    logs = by_path(state, "aws_s3_bucket", "access_logs/logs/bucket")
    assert logs["bucket"] == "fluxion-logs-611395766952"
    (expiry,) = by_path(
        state, "aws_s3_bucket_lifecycle_configuration", "access_logs/logs/lifecycle"
    )["rule"]
    assert expiry["expiration"] == [{"days": 90}]
    block = by_path(state, "aws_s3_bucket_public_access_block", "access_logs/logs/public_access")
    assert all(block[k] is True for k in ("block_public_acls", "restrict_public_buckets"))


def test_the_log_bucket_lets_each_service_write_only_under_its_prefix(
    stacks: dict[str, Any],
) -> None:
    state = stacks["state"]
    policy = json.loads(by_path(state, "aws_s3_bucket_policy", "access_logs/policy")["policy"])
    arn = ref(state, "aws_s3_bucket", "access_logs/logs/bucket", "arn")
    by_sid = {s.get("Sid"): s for s in policy["Statement"]}
    assert by_sid["DenyInsecureTransport"]["Effect"] == "Deny"
    writes = {
        sid: (s["Principal"], s["Resource"])
        for sid, s in by_sid.items()
        if s["Effect"] == "Allow" and s["Action"] == ["s3:PutObject"]
    }
    assert writes["S3ServerAccessLogs"] == (
        {"Service": "logging.s3.amazonaws.com"},
        f"{arn}/s3-access/fluxion-tfstate-611395766952/*",
    )
    assert writes["AlbAccessLogs"][1] == f"{arn}/alb/AWSLogs/611395766952/*"
    assert writes["AlbAccessLogs"][0]["AWS"].startswith("${data.aws_elb_service_account.")
    assert writes["CloudFrontLogDelivery"] == (
        {"Service": "delivery.logs.amazonaws.com"},
        f"{arn}/cloudfront/*",
    )
    # service principals only for this account's sources (no confused deputy)
    for sid in ("S3ServerAccessLogs", "CloudFrontLogDelivery", "CloudFrontLogDeliveryAclCheck"):
        assert by_sid[sid]["Condition"]["StringEquals"]["aws:SourceAccount"] == "611395766952"
    assert not any("s3:*" in s["Action"] for s in policy["Statement"] if s["Effect"] == "Allow")


def test_the_bridge_gets_an_encrypted_root_volume(
    hardened: dict[str, Any], stacks: dict[str, Any]
) -> None:
    bridge = by_path(hardened["network"], "aws_instance", "wireguard/instance")
    assert bridge["root_block_device"] == {"encrypted": True}
    assert "root_block_device" not in by_path(
        stacks["network"], "aws_instance", "wireguard/instance"
    )


def test_the_bridge_replacement_is_caught_by_the_guard_and_acknowledged_for_the_rollout(
    synth_dir: Path, hardened_dir: Path
) -> None:
    bare = [v for d in compare_outputs(synth_dir, hardened_dir) for v in d.violations]
    assert bare == [
        "stateful aws_instance.wireguard_instance_A99769E4 would be replaced "
        "(changes root_block_device)"
    ]
    acks = acknowledgements(synth_dir, hardened_dir)
    assert acks == load_acknowledgements() and len(acks) == 1
    diffs = compare_outputs(synth_dir, hardened_dir, acks)
    assert [v for d in diffs for v in d.violations] == []
    (acknowledged,) = [a for d in diffs for a in d.acknowledged]
    assert "wireguard_instance" in acknowledged and "rollout step 8" in acknowledged
    # only for the change that turns the switch on: a later change is not covered
    assert acknowledgements(hardened_dir, hardened_dir) == []
    assert acknowledgements(hardened_dir, synth_dir) == []


def _stamped(folder: Path, switches: list[str]) -> Path:
    folder.mkdir()
    (folder / "synth.json").write_text(json.dumps({"profile": "rollout", "hardening": switches}))
    return folder


def test_the_acknowledgement_belongs_to_the_step_that_turns_its_switch_on(tmp_path: Path) -> None:
    step7 = list(Hardening().through("7 tls to the database").on())
    before = _stamped(tmp_path / "before", step7)
    after = _stamped(tmp_path / "after", [*step7, "encrypted_bridge_root"])
    other = _stamped(tmp_path / "other", [*step7, "waf_enforce"])
    assert [a.switch for a in acknowledgements(before, after)] == ["encrypted_bridge_root"]
    assert acknowledgements(before, other) == []
    assert acknowledgements(after, before) == []


def test_the_acknowledgement_covers_only_the_arguments_it_names(
    synth_dir: Path, hardened_dir: Path
) -> None:
    narrower = [replace(a, arguments=frozenset({"ami"})) for a in load_acknowledgements()]
    violations = [
        v for d in compare_outputs(synth_dir, hardened_dir, narrower) for v in d.violations
    ]
    assert len(violations) == 1 and "wireguard_instance" in violations[0]


def test_the_acknowledgement_covers_only_the_address_it_names(
    synth_dir: Path, hardened_dir: Path
) -> None:
    """Moved to another resource of the same stack, the bridge's acknowledgement covers nothing."""
    elsewhere = [
        replace(a, address="aws_instance.some_other_instance") for a in load_acknowledgements()
    ]
    violations = [
        v for d in compare_outputs(synth_dir, hardened_dir, elsewhere) for v in d.violations
    ]
    assert len(violations) == 1 and "wireguard_instance" in violations[0], violations


def test_every_acknowledgement_says_why_and_when() -> None:
    for ack in load_acknowledgements():
        assert len(ack.reason) > 80 and "docs/profiles.md" in ack.rollout
    rollout = (Path(__file__).parents[1] / "docs" / "profiles.md").read_text()
    assert "8. " in rollout and "encrypted root volume" in rollout


@pytest.mark.parametrize(
    ("field_name", "value"), [("state_noncurrent_days", 0), ("access_log_days", 4000)]
)
def test_log_and_state_retention_days_are_checked(field_name: str, value: int) -> None:
    with pytest.raises(ConfigError, match=f"^{field_name}: {value} must be 1-3650 days$"):
        replace(HARD, **{field_name: value})  # type: ignore[arg-type]
