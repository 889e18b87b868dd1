"""The read-only resolver against AWS emulated by moto (server mode, 127.0.0.1)."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import boto3
import pytest

import app
import config
from config import ConfigError
from imports import inventory as inv
from imports.resolve import ReadOnlyClient, cloudflare, edge, run
from imports.resolve.context import ResolveContext
from tests.conftest import ROOT
from tests.moto_server import moto_server
from tests.world import World, seed

PROD = config.load()
FIXTURES = ROOT / "tests/fixtures"
# moto keeps no OriginAccessControlId on distribution origins: the OAC lookup is covered by
# the recorded-shape CLI fixtures below instead.
NOT_EMULATED = {"frontend/oac", "docs/oac"}


def _session() -> boto3.Session:
    return boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=PROD.region
    )


@pytest.fixture(scope="module")
def emulator() -> Iterator[tuple[str, World, dict[str, Any]]]:
    with moto_server(PROD.account_id) as url:
        session = _session()

        def raw(service: str) -> Any:
            return session.client(service, endpoint_url=url)

        world = seed(raw, PROD)
        doc = run(PROD, lambda service: ReadOnlyClient(raw(service)))
        yield url, world, doc


def _ids(doc: dict[str, Any]) -> dict[str, str]:
    return {e["path"]: e["id"] for e in doc["resources"]}


def test_every_emulated_resource_is_resolved(emulator: Any) -> None:
    _, world, doc = emulator
    resolved = _ids(doc)
    expected = {k: v for k, v in world.ids.items() if k not in NOT_EMULATED}
    assert len(expected) > 90
    assert {k: resolved.get(k) for k in expected} == expected
    assert set(resolved) - set(world.ids) == set(), "nothing resolved that the world lacks"


def test_live_revisions_and_states_are_recorded(emulator: Any) -> None:
    _, _, doc = emulator
    by_path = {e["path"]: e for e in doc["resources"]}
    assert by_path["backend_task/definition"]["id"].endswith("task-definition/FluxionBackendTask:3")
    assert by_path["backend_task/definition"]["live"]["revision"] == 3
    assert by_path["etl_task/definition"]["live"]["revision"] == 2
    assert by_path["productos_cache_refresh/rule"]["live"]["state"] == "DISABLED"
    assert by_path["inventario_sync_30min/rule"]["live"]["state"] == "ENABLED"
    assert by_path["postgres/primary"]["live"]["engine_version"] == "16.3"
    assert by_path["sg/rds"]["live"]["description"] == "rds group"


def test_cloudformation_cross_check(emulator: Any) -> None:
    _, _, doc = emulator
    by_path = {e["path"]: e for e in doc["resources"]}
    assert "(in FluxionStackV2 as EtlLogs)" in by_path["etl_logs"]["source"]
    assert any(
        "OrphanQueue (AWS::SQS::Queue" in n and "adopted by no construct" in n for n in doc["notes"]
    )


def test_missing_things_become_notes(emulator: Any) -> None:
    _, _, doc = emulator
    assert "compute: fluxion-etl has no lifecycle policy yet (will be created)" in doc["notes"]
    assert any("CLOUDFLARE_API_TOKEN is not set" in n for n in doc["notes"])


def test_resolved_entries_land_on_real_addresses(emulator: Any, tmp_path: Path) -> None:
    """The resolver's output merged with the seed inventory attaches without an error."""
    _, _world, doc = emulator
    root = tmp_path / "imports"
    (root / "inventory").mkdir(parents=True)
    (root / "resolved").mkdir()
    seed_doc = json.loads((ROOT / "imports/inventory/production.json").read_text())
    # the emulator's revisions and IDs differ from the live ones the seed records
    resolved_paths = {e["path"] for e in doc["resources"]}
    seed_doc["resources"] = [e for e in seed_doc["resources"] if e["path"] not in resolved_paths]
    (root / "inventory/production.json").write_text(json.dumps(seed_doc))
    (root / "resolved/production.json").write_text(json.dumps(doc))
    inventory = inv.load(PROD, root)
    built = app.build_app(PROD, tmp_path / "out", inventory)
    imported = sum(len(a.imported) for a in built.adoptions)
    assert imported == len(inventory.entries)
    missing = sorted(m for a in built.adoptions for m in a.missing)
    # what stays without an import: what the emulated estate lacks (to be created)
    assert missing == sorted(
        [
            "etl_repository/lifecycle (aws_ecr_lifecycle_policy)",  # not in the emulated estate
            "frontend/oac (aws_cloudfront_origin_access_control)",  # not emulated by moto
            "docs/oac (aws_cloudfront_origin_access_control)",
            "admin_record (cloudflare_dns_record)",  # no Cloudflare token in this run
            "api_record (cloudflare_dns_record)",
            "docs_record (cloudflare_dns_record)",
            "wildcard/validation (cloudflare_dns_record)",
        ]
    )


def test_credentials_of_another_account_are_refused(emulator: Any) -> None:
    url, _, _ = emulator
    other = replace(PROD, account_id="123456789012")
    session = _session()
    with pytest.raises(ConfigError, match=r"credentials are for account 611395766952, the config"):
        run(other, lambda s: ReadOnlyClient(session.client(s, endpoint_url=url)))


def test_the_cli_writes_a_reviewable_file(emulator: Any, tmp_path: Path) -> None:
    url, world, _ = emulator
    out = tmp_path / "resolved.json"
    env = dict(
        os.environ,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
    )
    env.pop("CLOUDFLARE_API_TOKEN", None)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "imports.resolve",
            "--env",
            "production",
            "--endpoint-url",
            url,
            "--out",
            str(out),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 1, proc.stderr  # written, but incomplete: no Cloudflare token
    assert f"to {out}; review it" in proc.stdout
    assert "incomplete: see the notes above" in proc.stdout
    doc = json.loads(out.read_text())
    assert _ids(doc)["vpc/vpc"] == world.ids["vpc/vpc"]
    keys = [(e["stack"], e["path"]) for e in doc["resources"]]
    assert keys == sorted(keys), "sorted, so a re-run gives a reviewable diff"


def test_the_cli_refuses_an_unknown_environment() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "imports.resolve", "--env", "stagin"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 2
    assert "environment: 'stagin' is unknown" in proc.stderr


@pytest.mark.parametrize(
    ("service", "operation"),
    [
        ("ec2", "create_vpc"),
        ("ssm", "put_parameter"),
        ("secretsmanager", "get_secret_value"),
        ("ssm", "get_parameter"),
        ("s3", "delete_bucket"),
        ("cloudformation", "update_stack"),
    ],
)
def test_the_resolver_is_read_only(service: str, operation: str) -> None:
    client = ReadOnlyClient(_session().client(service, endpoint_url="http://127.0.0.1:9"))
    with pytest.raises(PermissionError, match=rf"the resolver is read-only: {operation}"):
        getattr(client, operation)


# --- what moto cannot emulate: recorded-shape fixtures -----------------------------------------


class FixtureClient:
    """Answers read calls from JSON files in the AWS CLI's output shape."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers

    def __getattr__(self, name: str) -> Any:
        answer = self.answers[name]
        return answer if callable(answer) else (lambda **_: answer)

    def get_paginator(self, name: str) -> Any:
        answer = self.answers[name]
        return type("P", (), {"paginate": staticmethod(lambda **_: [answer])})()


def _aws(name: str) -> Any:
    return json.loads((FIXTURES / "aws" / f"{name}.json").read_text())


def _edge_clients(service: str) -> Any:
    if service == "cloudfront":
        return FixtureClient(
            {
                "list_distributions": _aws("cloudfront-list-distributions"),
                "get_distribution_config": lambda Id: _aws(
                    f"cloudfront-get-distribution-config-{Id}"
                ),
            }
        )
    if service == "acm":
        return FixtureClient(
            {
                "list_certificates": _aws("acm-list-certificates"),
                "describe_certificate": _aws("acm-describe-certificate"),
            }
        )
    if service == "s3":  # every bucket and setting exists
        return FixtureClient(
            {
                n: {}
                for n in (
                    "head_bucket",
                    "get_public_access_block",
                    "get_bucket_encryption",
                    "get_bucket_policy",
                    "get_bucket_versioning",
                )
            }
        )
    raise AssertionError(service)


def test_oacs_and_certificate_from_cli_fixtures() -> None:
    ctx = ResolveContext(PROD, _edge_clients)
    edge.resolve(ctx)
    ids = {e["path"]: e["id"] for e in ctx.entries}
    assert ids["frontend/distribution"] == "E4DJERG2Y5AX8"
    assert ids["docs/distribution"] == "E1HMEVKXMW88CV"
    assert ids["api/distribution"] == "E1HBMY1Q13OWU0"
    assert ids["frontend/oac"] == "E2R8XJ4K7NQ3PZ"
    assert ids["docs/oac"] == "E3M5TQ8W2LK9VB"
    assert "api/oac" not in ids
    assert ids["wildcard/certificate"].endswith("certificate/88d81742-53fc-4e2b-9d6a-5f0c1e7a9b31")
    assert ids["frontend/policy"] == "fluxion-frontend-v4-611395766952"
    assert ctx.notes == []


class _CloudflareFixtures(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        url = urllib.parse.urlparse(self.path)
        query = urllib.parse.parse_qs(url.query)
        assert self.headers["Authorization"] == "Bearer test-token"
        name = "zones" if url.path == "/client/v4/zones" else f"dns_records-{query['name'][0]}"
        path = FIXTURES / "cloudflare" / f"{name}.json"
        body = path.read_bytes() if path.exists() else b'{"success": true, "result": []}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: Any) -> None:
        pass


def test_cloudflare_record_ids_from_the_api() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _CloudflareFixtures)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        ctx = ResolveContext(PROD, _edge_clients)
        edge.resolve(ctx)  # finds the certificate's validation record name
        base = f"http://127.0.0.1:{server.server_address[1]}/client/v4"
        cloudflare.resolve(ctx, "test-token", base)
    finally:
        server.shutdown()
    records = {e["path"]: e for e in ctx.entries if e["type"] == "cloudflare_dns_record"}
    zone = "023e105f4ecef8ad9ca31a8372d0c353"
    assert records["admin_record"]["id"] == f"{zone}/372e67954025e0ba6aaa6d586b9e0b59"
    assert records["wildcard/validation"]["id"] == f"{zone}/6d3f4e5a6b7c8d9e0f1a2b3c4d5e6f7a"
    assert {r["live"]["proxied"] for r in records.values()} == {False}
    assert sorted(records) == ["admin_record", "api_record", "docs_record", "wildcard/validation"]


def test_parity_flags_what_the_live_estate_does_differently(
    emulator: Any, stacks: dict[str, Any], tmp_path: Path
) -> None:
    """Resolver output feeds the parity check: the emulated groups' descriptions differ."""
    _, _, doc = emulator
    root = tmp_path / "imports"
    (root / "resolved").mkdir(parents=True)
    (root / "resolved/production.json").write_text(json.dumps(doc))
    from imports.parity import differences

    found = differences(stacks, inv.load(PROD, root))
    assert (
        "network/sg/rds (aws_security_group): description is 'Security group for the Fluxion "
        "RDS instances' in the code, 'rds group' live"
    ) in found
    assert not [f for f in found if "productos_cache_refresh/rule" in f], "states agree"
    # CDK's Name tags on subnets: the code must carry them, or the first plan removes them
    assert (
        "network/vpc/public_us_east_1a (aws_subnet): live tags={'Name': "
        "'FluxionStackV2/FluxionVpc/public-us-east-1a'}, the code does not set it"
    ) in found
    assert not [f for f in found if f.startswith("network/vpc/vpc ")], "the VPC's Name agrees"
