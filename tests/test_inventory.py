"""The adoption inventory: data in, exactly one import block per adopted resource out."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import app
import config
from config import ConfigError
from imports import inventory as inv
from imports.adopt import LOOKUP_CLASSES, attach
from imports.ids import validate_id
from runtime.engine.core import App, TerraformStack
from stacks.network import NetworkStack
from tests.conftest import ROOT

PROD = config.load()
SEED = json.loads((ROOT / "imports/inventory/production.json").read_text())


def _address(stack: dict[str, Any], path: str) -> str:
    for kind, items in stack["resource"].items():
        for logical_id, body in items.items():
            if body["//"]["metadata"]["path"].split("/", 1)[1] == path:
                return f"{kind}.{logical_id}"
    raise AssertionError(f"no resource at {path}")


def test_every_seed_entry_has_its_import_block(stacks: dict[str, Any]) -> None:
    assert len(SEED["resources"]) >= 39
    for entry in SEED["resources"]:
        stack = stacks[entry["stack"]]
        blocks = [b for b in stack["import"] if b["to"] == _address(stack, entry["path"])]
        assert len(blocks) == 1, entry
        if "id" in entry:
            assert blocks[0]["id"] == entry["id"]
        else:  # looked up by a data source at plan time
            assert blocks[0]["id"].startswith(f"${{data.{entry['lookup']['data']}.import_")


def test_the_seed_ids_are_the_seeds(stacks: dict[str, Any]) -> None:
    ids = {b["id"] for s in stacks.values() for b in s.get("import", [])}
    for expected in (
        "vpc-0612cd85dfc5a044f",
        "nat-0f634329467716a75",
        "i-0fc333b96e4237200",
        "fluxion-postgres-v2",
        "fluxion-postgres-replica",
        "fluxion-cluster",
        "fluxion-cluster/fluxion-backend",
        "E4DJERG2Y5AX8",
        "E1HBMY1Q13OWU0",
        "E1HMEVKXMW88CV",
        "fluxion-frontend-v4-611395766952",
        "fluxion-backups-v4-611395766952",
        "fluxion-docs-611395766952",
        "fluxion-backend",
        "fluxion-etl",
        "arn:aws:ecs:us-east-1:611395766952:task-definition/FluxionBackendTask:30",
        "arn:aws:ecs:us-east-1:611395766952:task-definition/FluxionETLTask-test:1",
        "fluxion-productos-cache-refresh",
    ):
        assert expected in ids, expected


def test_nothing_is_imported_twice_and_every_import_has_a_target(stacks: dict[str, Any]) -> None:
    for name, stack in stacks.items():
        blocks = stack.get("import", [])
        targets = [b["to"] for b in blocks]
        assert len(targets) == len(set(targets)), name
        addresses = {f"{k}.{n}" for k, items in stack.get("resource", {}).items() for n in items}
        assert set(targets) <= addresses, name
    assert "import" not in stacks["state"], "the bootstrap stack is created, not adopted"


def test_lookups_reference_their_data_sources(stacks: dict[str, Any]) -> None:
    compute = stacks["compute"]
    listener = compute["data"]["aws_lb_listener"]["import_lb_http"]
    assert listener["load_balancer_arn"] == "${data.aws_lb.import_lb_alb.arn}"
    assert listener["port"] == 80
    assert compute["data"]["aws_lb"]["import_lb_alb"]["name"] == "fluxion-alb"
    target_group = _address(compute, "lb/backend")
    (block,) = [b for b in compute["import"] if b["to"] == target_group]
    assert (
        block["id"]
        == "${data.aws_lb_listener.import_lb_backend.default_action[0].target_group_arn}"
    )
    assert set(LOOKUP_CLASSES) == inv.LOOKUP_TYPES


# --- bad IDs ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("aws_acm_certificate", "88d81742-53fc-...", r"truncated or a pattern"),
        ("aws_s3_bucket", "fluxion-frontend-v4-*", r"truncated or a pattern"),
        ("aws_vpc", "vpc-0612cd8", r"^x: 'vpc-0612cd8' is not a aws_vpc id \(vpc- and 8 or 17"),
        ("aws_vpc", "vpc-0612cd85dfc5a044", r"is not a aws_vpc id"),
        ("aws_subnet", "vpc-0612cd85dfc5a044f", r"is not a aws_subnet id \(subnet-"),
        ("aws_cloudfront_distribution", "e4djerg2y5ax8", r"13-14 upper-case letters and digits"),
        ("aws_cloudfront_distribution", "E4DJERG2Y5AX8XYZ", r"13-14 upper-case"),
        (
            "aws_lb",
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/x/1",
            r"belongs to account 123456789012, not 611395766952",
        ),
        (
            "aws_lb",
            "arn:aws:elasticloadbalancing:eu-west-1:611395766952:loadbalancer/app/x/1",
            r"is in region 'eu-west-1', not 'us-east-1'",
        ),
        ("aws_acm_certificate", "arn:aws:iam::611395766952:role/x", r"is a iam ARN, not acm"),
        ("aws_secretsmanager_secret", "fluxion/production", r"is not a complete ARN"),
        ("aws_route", "rtb-0123456789abcdef0", r"rtb-<id>_<destination CIDR>"),
        ("aws_ecs_service", "fluxion-backend", r"<cluster>/<service>"),
        ("cloudflare_dns_record", "abc/def", r"<zone id>/<record id>"),
        ("aws_s3_bucket", "Fluxion_Bucket", r"is not an S3 bucket name"),
        (
            "aws_iam_role_policy_attachment",
            "role/arn:aws:iam::123456789012:policy/x",
            r"belongs to account 123456789012",
        ),
        ("aws_vpc", "", r"import id '' is empty"),
    ],
)
def test_bad_ids_are_rejected(kind: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        validate_id("x", kind, value, account="611395766952", region="us-east-1")


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("aws_vpc", "vpc-0612cd85dfc5a044f"),
        ("aws_vpc", "vpc-0612cd85"[:4] + "a1b2c3d4"),
        ("aws_route", "rtb-0123456789abcdef0_192.168.0.0/16"),
        ("aws_route_table_association", "subnet-0123456789abcdef0/rtb-0123456789abcdef0"),
        ("aws_cloudwatch_log_group", "/aws/rds/instance/fluxion-postgres-v2/postgresql"),
        (
            "aws_iam_role_policy_attachment",
            "Role-1/arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        ),
        (
            "aws_secretsmanager_secret",
            "arn:aws:secretsmanager:us-east-1:611395766952:secret:fluxion/production-AbC123",
        ),
    ],
)
def test_good_ids_pass(kind: str, value: str) -> None:
    validate_id("x", kind, value, account="611395766952", region="us-east-1")


# --- bad inventory files ---------------------------------------------------------------------


def _doc(*entries: dict[str, Any], **header: Any) -> dict[str, Any]:
    return {
        "account_id": "611395766952",
        "region": "us-east-1",
        "resources": list(entries),
    } | header


VPC = {
    "stack": "network",
    "path": "vpc/vpc",
    "type": "aws_vpc",
    "id": "vpc-0612cd85dfc5a044f",
    "source": "seed",
}


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (_doc(VPC, account_id="123456789012"), r"account_id '123456789012' is not the config's"),
        (_doc(VPC, VPC), r"network/vpc/vpc \(aws_vpc\) is listed twice"),
        (_doc(VPC | {"stack": "state"}), r"stack 'state' is not one of"),
        (_doc({k: v for k, v in VPC.items() if k != "source"}), r"field 'source' is required"),
        (_doc(VPC | {"lookup": {"data": "aws_lb"}}), r"give exactly one of 'id' and 'lookup'"),
        (
            _doc({k: v for k, v in VPC.items() if k != "id"} | {"lookup": {"data": "aws_vpc"}}),
            r"lookup data 'aws_vpc' is not one of",
        ),
        (_doc(VPC | {"color": "blue"}), r"unknown fields \['color'\]"),
        (_doc(VPC | {"live": ["x"]}), r"live must be an object"),
        (_doc(VPC | {"id": "vpc-0612cd85dfc5a044f..."}), r"truncated or a pattern"),
        (_doc(VPC | {"id": 12345}), r"import id 12345 must be a string"),
        (_doc(VPC, environment="staging"), r"environment 'staging' is not the config's"),
        (_doc() | {"resources": {}}, r"resources must be a list, got dict"),
    ],
)
def test_bad_inventory_documents(doc: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        inv.parse(doc, PROD, origin="test.json")


def _write(root: Path, seed: dict[str, Any], resolved: dict[str, Any] | None = None) -> Path:
    (root / "inventory").mkdir(parents=True)
    (root / "inventory/production.json").write_text(json.dumps(seed))
    if resolved is not None:
        (root / "resolved").mkdir()
        (root / "resolved/production.json").write_text(json.dumps(resolved))
    return root


def test_no_inventory_file_at_all_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"production.json is missing; an environment with"):
        inv.load(PROD, tmp_path / "imports")


def test_an_inventory_without_resources_must_say_so(tmp_path: Path) -> None:
    root = _write(tmp_path / "empty", _doc())
    with pytest.raises(ConfigError, match=r"list no resources; if nothing is to be adopted, say"):
        inv.load(PROD, root)
    declared = _write(tmp_path / "fresh", _doc(nothing_to_adopt="a new account"))
    assert inv.load(PROD, declared).entries == ()
    both = _write(tmp_path / "both", _doc(VPC, nothing_to_adopt="a new account"))
    with pytest.raises(ConfigError, match=r"says nothing_to_adopt, yet lists resources"):
        inv.load(PROD, both)


def test_malformed_inventory_json_names_the_file_and_line(tmp_path: Path) -> None:
    root = tmp_path / "imports"
    (root / "inventory").mkdir(parents=True)
    (root / "inventory/production.json").write_text('{"resources": [\n  {"stack": }\n]}')
    with pytest.raises(
        ConfigError, match=r"inventory/production.json: not valid JSON \(Expecting value at line 2"
    ):
        inv.load(PROD, root)


def test_files_that_disagree_on_an_id_stop(tmp_path: Path) -> None:
    other = VPC | {"id": "vpc-0000000000000000a", "source": "resolver"}
    root = _write(tmp_path / "imports", _doc(VPC), _doc(other))
    with pytest.raises(ConfigError, match=r"the files disagree on the ID"):
        inv.load(PROD, root)


def test_files_that_disagree_on_a_live_value_stop(tmp_path: Path) -> None:
    root = _write(
        tmp_path / "imports",
        _doc(VPC | {"live": {"cidr_block": "10.0.0.0/16"}}),
        _doc(VPC | {"live": {"cidr_block": "10.1.0.0/16"}}),
    )
    with pytest.raises(ConfigError, match=r"live cidr_block differs between files"):
        inv.load(PROD, root)


def test_the_same_id_for_two_addresses_stops(tmp_path: Path) -> None:
    root = _write(tmp_path / "imports", _doc(VPC, VPC | {"path": "vpc/other"}))
    with pytest.raises(ConfigError, match=r"is already imported by network/vpc/"):
        inv.load(PROD, root)


def test_a_resolved_id_completes_a_lookup(tmp_path: Path) -> None:
    seed = {
        "stack": "compute",
        "path": "lb/alb",
        "type": "aws_lb",
        "source": "seed",
        "lookup": {"data": "aws_lb", "args": {"name": "fluxion-alb"}},
    }
    arn = "arn:aws:elasticloadbalancing:us-east-1:611395766952:loadbalancer/app/fluxion-alb/0a1b"
    resolved = seed | {"id": arn, "source": "resolver"}
    del resolved["lookup"]
    root = _write(tmp_path / "imports", _doc(seed), _doc(resolved))
    (entry,) = inv.load(PROD, root).entries
    assert entry.id == arn and entry.lookup is None
    assert entry.source == "seed; resolver"


def _network_with(entry: inv.Entry) -> Any:
    return attach(NetworkStack(App(), "network", config=PROD), {entry.path: entry})


def test_an_entry_without_a_resource_stops() -> None:
    entry = inv.Entry("network", "vpc/nope", "aws_vpc", "seed", id="vpc-0612cd85dfc5a044f")
    with pytest.raises(ConfigError, match=r"network/vpc/nope \(aws_vpc\) points at no resource"):
        _network_with(entry)


def test_an_entry_of_another_type_stops() -> None:
    entry = inv.Entry("network", "vpc/vpc", "aws_subnet", "seed", id="subnet-0612cd85dfc5a044f")
    with pytest.raises(
        ConfigError, match=r"network/vpc/vpc \(aws_subnet\) is a aws_vpc in the code"
    ):
        _network_with(entry)


def test_report_names_the_missing_and_the_resolver_command() -> None:
    entry = inv.Entry("network", "vpc/vpc", "aws_vpc", "seed", id="vpc-0612cd85dfc5a044f")
    adoption = _network_with(entry)
    assert adoption.imported == ["vpc/vpc"]
    assert "vpc/igw (aws_internet_gateway)" in adoption.missing
    from imports.adopt import StackAdoption, report, summary

    text = report([adoption], inv.Inventory("production", (entry,), ("x.json",)))
    assert f"1 of {adoption.resources} resources have an import block" in text
    assert "no import yet: vpc/igw (aws_internet_gateway)" in text
    assert ".venv/bin/python -m imports.resolve --env production" in text
    lines = text.splitlines()  # one finding a line, indented under its stack
    assert lines[0] == (
        f"adoption (production): 1 of {adoption.resources} resources have an import block "
        "(inventory: x.json)"
    )
    assert lines[1] == f"  network: 1/{adoption.resources}"
    assert "    no import yet: vpc/igw (aws_internet_gateway)" in lines
    assert lines[-2] == "Resolve the missing IDs with read-only AWS calls, then review the file:"
    whole = StackAdoption("network", 1, imported=["vpc/vpc"])
    done = report([whole], inv.Inventory("production", (entry,), ("a.json", "b.json")))
    assert done.splitlines() == [  # all adopted: no command to run
        "adoption (production): 1 of 1 resources have an import block (inventory: a.json, b.json)",
        "  network: 1/1",
    ]
    assert report([whole], inv.Inventory("staging", (), ())).startswith(
        "adoption (staging): 1 of 1 resources have an import block (inventory: none)"
    )
    lines = summary([adoption]).splitlines()  # what `make synth` prints
    assert lines == [
        f"network: {adoption.resources} resources, 1 with an import block, "
        f"{len(adoption.missing)} not yet adopted",
        "not yet adopted: `make adoption-report` lists them and what to run",
    ]
    assert summary([StackAdoption("data", 2, ["a", "b"])]) == (
        "data: 2 resources, 2 with an import block"
    )


def test_strict_mode_fails_instead_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "cdktf.out"
    with pytest.raises(ConfigError, match=r"strict imports: adoption \(production\): \d+ of \d+"):
        app.synth(PROD, out, inv.load(PROD), strict=True)
    assert list(tmp_path.iterdir()) == []


def test_a_complete_inventory_passes_strict_mode(tmp_path: Path) -> None:
    """Strict mode can pass: an inventory entry for every resource of every stack."""
    built = app.build_app(PROD, tmp_path / "probe")
    stacks = {c.node.id: c for c in built.app.node.children if isinstance(c, TerraformStack)}
    from imports.adopt import resources_by_path

    entries = []
    for name in inv.ADOPTED_STACKS:
        for i, (path, res) in enumerate(sorted(resources_by_path(stacks[name]).items())):
            entries.append(inv.Entry(name, path, res.terraform_resource_type, "test", id=f"id-{i}"))
    complete = inv.Inventory("production", tuple(entries), ("test",))
    adoptions = app.synth(PROD, tmp_path / "out", complete, strict=True)
    assert all(not a.missing for a in adoptions)
    assert (tmp_path / "out/manifest.json").exists()
    # what the report says against what was written: an import block for every resource
    for name in inv.ADOPTED_STACKS:
        doc = json.loads((tmp_path / "out" / "stacks" / name / "cdk.tf.json").read_text())
        declared = sorted(f"{kind}.{key}" for kind, items in doc["resource"].items()
                          for key in items)  # fmt: skip
        written = sorted(block["to"] for block in doc["import"])
        assert written == declared, f"{name}: {sorted(set(declared) ^ set(written))}"


def test_the_adoption_record_is_the_import_blocks_written(synth_dir: Path) -> None:
    """synth.json (what `make adoption-report` and the deploy guard read) against the blocks."""
    stamp = json.loads((synth_dir / "synth.json").read_text())
    assert set(stamp["adoption"]) == set(inv.ADOPTED_STACKS)
    for name, adoption in stamp["adoption"].items():
        doc = json.loads((synth_dir / "stacks" / name / "cdk.tf.json").read_text())
        written = sorted(block["to"] for block in doc.get("import", []))
        assert written == sorted(adoption["imported"]), name
        declared = {f"{kind}.{key}" for kind, items in doc["resource"].items() for key in items}
        assert set(adoption["imported"]) | set(adoption["missing"]) == declared, name


def test_inventory_header_matches_the_environment() -> None:
    assert (SEED["account_id"], SEED["region"]) == (PROD.account_id, PROD.region)
    assert replace(PROD).name == SEED["environment"]


def test_import_blocks_equal_what_cdktf_import_from_writes(
    stacks: dict[str, Any], tmp_path: Path
) -> None:
    """The fast path (one override per stack) writes exactly cdktf's own import blocks."""
    built = app.build_app(PROD, tmp_path / "probe")
    by_name = {c.node.id: c for c in built.app.node.children if isinstance(c, TerraformStack)}
    from imports.adopt import attach

    inventory = inv.load(PROD)
    compared = 0
    for name in inv.ADOPTED_STACKS:
        attach(by_name[name], inventory.for_stack(name), use_import_from=True)
        theirs = by_name[name].to_terraform().get("import", [])
        key = lambda blocks: sorted(json.dumps(b, sort_keys=True) for b in blocks)  # noqa: E731
        assert key(theirs) == key(stacks[name].get("import", [])), name
        compared += len(theirs)
    assert compared > 30  # the seed's inventory names most of the estate (identity: resolved)
