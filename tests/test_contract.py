"""The explicit cross-stack contract: named outputs, read through remote state."""

from __future__ import annotations

import json
import re
from dataclasses import fields
from typing import Any

import pytest

from stacks.contract import (
    ComputeOutputs,
    DataOutputs,
    EdgeOutputs,
    IdentityOutputs,
    NetworkOutputs,
    StateOutputs,
)
from tests.conftest import by_path, ref

PRODUCERS = {
    "state": StateOutputs,
    "identity": IdentityOutputs,
    "network": NetworkOutputs,
    "data": DataOutputs,
    "compute": ComputeOutputs,
    "edge": EdgeOutputs,
}

# The names other stacks and pipelines read. Renaming one breaks them: change with care.
PINNED_OUTPUTS = {
    "network": {
        "vpc_id",
        "public_subnet_ids",
        "private_subnet_ids",
        "etl_subnet_id",
        "alb_security_group_id",
        "backend_security_group_id",
        "etl_security_group_id",
        "rds_security_group_id",
        "wireguard_security_group_id",
        "wireguard_eni_id",
        "wireguard_instance_id",  # monitoring's alarms read these (config/monitoring.py)
        "nat_gateway_id",
    },
    "data": {"primary_identifier", "replica_identifier"},
    "compute": {
        "alb_dns_name",
        "alb_zone_id",
        "cluster_name",
        "service_name",
        "alb_arn_suffix",
        "target_group_arn_suffix",
        "schedule_rule_names",
    },
}


def test_no_automatic_cross_stack_outputs(stacks: dict[str, Any]) -> None:
    for name, stack in stacks.items():
        auto = [o for o in stack.get("output", {}) if o.startswith("cross-stack-output-")]
        assert auto == [], name
        assert not [k for k in stack.get("variable", {}) if "cross-stack" in k], name


# Outputs naming a resource that is deliberately left out of Terraform (stacks/data.py).
OUT_OF_BAND_OUTPUTS = {
    ("data", "sentry_dsn_parameter_arn"): (
        r"arn:aws:ssm:us-east-1:611395766952:parameter/fluxion/etl/sentry-dsn"
    ),
    # `adopt` has no flow logs (hardened's), so no role for them: an empty contract value
    ("identity", "flow_logs_role_arn"): r"",
}


@pytest.mark.parametrize("producer", sorted(PRODUCERS))
def test_each_contract_field_is_a_described_output(stacks: dict[str, Any], producer: str) -> None:
    outputs = stacks[producer]["output"]
    expected = {f.name for f in fields(PRODUCERS[producer])}
    assert set(outputs) == expected
    for name, body in outputs.items():
        assert body["description"], name
        assert "sensitive" not in body, f"{producer}.{name} must stay readable downstream"
        if (producer, name) in OUT_OF_BAND_OUTPUTS:  # not managed here: its ARN is built
            assert re.fullmatch(OUT_OF_BAND_OUTPUTS[(producer, name)], body["value"]), name
            continue
        assert "${" in str(body["value"]), f"{producer}.{name} must be a resource attribute"


def test_pinned_output_names_stay(stacks: dict[str, Any]) -> None:
    for producer, names in PINNED_OUTPUTS.items():
        assert names <= set(stacks[producer]["output"]), producer


def test_consumers_read_the_producers_backend(stacks: dict[str, Any], manifest: Any) -> None:
    reads = 0
    for consumer, stack in stacks.items():
        for producer, body in stack.get("data", {}).get("terraform_remote_state", {}).items():
            assert body["backend"] == "s3"
            cfg, backend = body["config"], stacks[producer]["terraform"]["backend"]["s3"]
            for key in ("bucket", "key", "region"):
                assert cfg[key] == backend[key], (consumer, producer, key)
            assert producer in manifest["stacks"][consumer]["dependencies"], (consumer, producer)
            reads += 1
    assert reads >= 4


def _remote(output: str, producer: str) -> str:
    return f"${{data.terraform_remote_state.{producer}.outputs.{output}}}"


def test_values_flow_network_data_compute_edge(stacks: dict[str, Any]) -> None:
    data, compute, edge = stacks["data"], stacks["compute"], stacks["edge"]
    # network -> data: the DB subnet group sits on the published private subnets
    group = next(iter(data["resource"]["aws_db_subnet_group"].values()))
    assert group["subnet_ids"] == _remote("private_subnet_ids", "network")
    # data -> compute: the backend's password comes from the secret the data stack published
    backend = next(
        json.loads(t["container_definitions"])[0]
        for t in compute["resource"]["aws_ecs_task_definition"].values()
        if t["family"] == "FluxionBackendTask"
    )
    secrets = {s["name"]: s["valueFrom"] for s in backend["secrets"]}
    assert secrets["POSTGRES_PASSWORD"] == _remote("app_db_secret_arn", "data") + ":password::"
    # identity -> network, compute: the bridge's profile and the roles the tasks run with
    network = stacks["network"]
    bridge = by_path(network, "aws_instance", "wireguard/instance")
    assert bridge["iam_instance_profile"] == _remote("bridge_instance_profile_name", "identity")
    backend_task = next(
        t
        for t in compute["resource"]["aws_ecs_task_definition"].values()
        if t["family"] == "FluxionBackendTask"
    )
    assert backend_task["task_role_arn"] == _remote("backend_task_role_arn", "identity")
    # compute -> edge: the API distribution's origin is the published ALB DNS name
    dist = by_path(edge, "aws_cloudfront_distribution", "api/distribution")
    assert dist["origin"][0]["domain_name"] == _remote("alb_dns_name", "compute")
    # and the producers publish real attributes
    assert compute["output"]["alb_dns_name"]["value"] == ref(
        compute, "aws_lb", "lb/alb", "dns_name"
    )


# --- the consumers' side: names read by the workflows and the runbooks, from their own text --

STATE_READ = re.compile(r'out\(\) \{ aws s3 cp "\$STATE_PREFIX/(\w+)\.tfstate"')


def _workflow_reads() -> dict[str, set[str]]:
    """stack -> the outputs app-deploy.yml's steps read with `out <name>` (the `${SITE}`
    names expanded over the workflow's own site matrix)."""
    import yaml

    from tests.conftest import ROOT

    workflow = yaml.safe_load((ROOT / ".github/workflows/app-deploy.yml").read_text())
    reads: dict[str, set[str]] = {}
    for job in workflow["jobs"].values():
        sites = (job.get("strategy") or {}).get("matrix", {}).get("site", [])
        for step in job.get("steps", []):
            script = step.get("run", "")
            stack = STATE_READ.search(script)
            if not stack:
                continue
            for name in re.findall(r'\$\(out "?([\w${}]+)"?\)', script):
                expanded = (
                    [name.replace("${SITE}", s) for s in sites] if "${SITE}" in name else [name]
                )
                reads.setdefault(stack[1], set()).update(expanded)
    return reads


def _runbook_reads() -> dict[str, set[str]]:
    """stack -> the outputs `python -m ops` reads (`outputs.get("<stack>", "<name>")`)."""
    from tests.conftest import ROOT

    reads: dict[str, set[str]] = {}
    for source in sorted((ROOT / "ops").glob("*.py")):
        for stack, name in re.findall(r'outputs\.get\(\s*"(\w+)",\s*"(\w+)"', source.read_text()):
            reads.setdefault(stack, set()).add(name)
    return reads


def test_every_output_a_workflow_reads_is_published(stacks: dict[str, Any]) -> None:
    reads = _workflow_reads()
    # what the file says today (a reading that found nothing would pass anything)
    assert reads["compute"] >= {"backend_repository_url", "cluster_name", "service_name"}
    assert reads["edge"] >= {"frontend_bucket_name", "docs_distribution_id"}
    for stack, names in reads.items():
        missing = names - set(stacks[stack]["output"])
        assert not missing, f"app-deploy.yml reads {stack}.{sorted(missing)}: not published"


def test_every_output_a_runbook_reads_is_published(stacks: dict[str, Any]) -> None:
    reads = _runbook_reads()
    assert reads["network"] >= {"etl_subnet_id", "wireguard_eni_id"} and "data" in reads
    for stack, names in reads.items():
        missing = names - set(stacks[stack]["output"])
        assert not missing, f"python -m ops reads {stack}.{sorted(missing)}: not published"
