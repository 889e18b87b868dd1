"""The cost estimate (review/cost.py): every resource type priced, free with a reason, or named
as not priced; quantities from the guide's figures (not the code's); the compare mode and the
pull request's budget gate, failing and passing; plans as input; the Price List refresh
against answers in the API's shape."""

from __future__ import annotations

import datetime
import json
import re
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import config
from review import cost, price_list
from review.pricers import CATALOG, PRICERS, Catalog, Resource, runs_per_day
from tests.conftest import ROOT, run_main

CAT = Catalog.load()
PROD = config.load()
HOURS = 730  # AWS's month for hourly prices
ANSWERS = json.loads((ROOT / "tests/fixtures/pricing/get_products.json").read_text())["answers"]


def _usd(key: str) -> float:
    return CAT.usd(key)


def _by(components: list[cost.Component], address_part: str, name: str) -> float:
    found = [c.monthly or 0.0 for c in components if address_part in c.address and c.name == name]
    assert found, f"no {name} on {address_part}"
    return sum(found)


@pytest.fixture(scope="module")
def adopt(synth_dir: Path) -> list[cost.Component]:
    return cost.estimate(cost.from_synth(synth_dir), PROD, CAT)


@pytest.fixture(scope="module")
def hardened_cost(hardened_dir: Path) -> list[cost.Component]:
    return cost.estimate(cost.from_synth(hardened_dir), PROD, CAT)


def test_every_resource_type_is_priced_free_or_named_not_priced(
    synth_dir: Path, hardened_dir: Path
) -> None:
    types = {r.type for d in (synth_dir, hardened_dir) for r in cost.from_synth(d)}
    assert len(types) > 40
    unknown = types - set(PRICERS) - set(CAT.free)
    assert unknown == {"cloudflare_dns_record"}, "not AWS: the catalog prices AWS only"
    for reason in CAT.free.values():
        assert len(reason) >= 10, reason


def test_a_type_without_a_price_is_listed_and_never_counted_as_zero() -> None:
    made_up = Resource("edge", "aws_made_up_thing", "aws_made_up_thing.x", {})
    (component,) = cost.estimate([made_up], PROD, CAT)
    assert component.monthly is None and component.name == "not priced"
    text = cost.render([component], PROD, "adopt")
    assert "not priced (not in the total): aws_made_up_thing" in text
    assert "total: 0.00 USD a month" in text
    compared = cost.render_difference([], [component], PROD, "t")
    assert "Not priced (in neither total): aws_made_up_thing" in compared


def test_a_task_whose_size_or_schedule_cannot_be_read_is_not_priced() -> None:
    service = Resource("compute", "aws_ecs_service", "aws_ecs_service.s",
                       {"task_definition": "${aws_ecs_task_definition.gone.arn}"})  # fmt: skip
    target = Resource("compute", "aws_cloudwatch_event_target", "aws_cloudwatch_event_target.t",
                      {"rule": "${aws_cloudwatch_event_rule.gone.name}",
                       "ecs_target": [{"task_definition_arn": "x"}]})  # fmt: skip
    found = cost.estimate([service, target], PROD, CAT)
    assert [(c.address, c.name, c.monthly) for c in found] == [
        ("aws_cloudwatch_event_target.t", "task runs (rule or task unknown)", None),
        ("aws_ecs_service.s", "tasks (task size unknown)", None),
    ]
    assert "aws_cloudwatch_event_target, aws_ecs_service" in cost.render(found, PROD, "x")


def test_the_catalog_says_where_each_price_came_from() -> None:
    for p in json.loads(CATALOG.read_text())["prices"]:
        assert p["usd"] > 0 and p["region"] == "us-east-1", p["key"]
        assert p["source"].startswith("https://aws.amazon.com/") and p["how"] in (
            "hand", "price-list-api",
        )  # fmt: skip
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", p["read"]) and p["usage_type"] and p["unit"]


def test_the_backend_costs_what_the_guide_sizes_it_at(adopt: list[cost.Component]) -> None:
    """The guide: 2 tasks x 1 vCPU x 2 GB, 24/7."""
    vcpu = _by(adopt, "aws_ecs_service.backend", "Fargate vCPU")
    memory = _by(adopt, "aws_ecs_service.backend", "Fargate memory")
    assert vcpu == pytest.approx(2 * 1 * HOURS * _usd("fargate.vcpu_hour"))
    assert memory == pytest.approx(2 * 2 * HOURS * _usd("fargate.gb_hour"))


def test_etl_runs_are_counted_from_the_schedules() -> None:
    """The guide's ~34 runs a day are the 30-minute inventory sync (10:00-02:59 UTC)."""
    assert runs_per_day("cron(0,30 10-23,0-2 * * ? *)") == 34
    assert runs_per_day("cron(0 10-23,0-2 * * ? *)") == 17
    assert runs_per_day("cron(0 8 * * ? *)") == 1
    assert runs_per_day("rate(5 minutes)") == 288
    assert runs_per_day("cron(0 8 ? * 2-6 *)") == pytest.approx(5 / 7)
    assert runs_per_day("cron(0 */6 * * ? *)") == 4
    assert runs_per_day("cron(0 8 1 * ? *)") == pytest.approx(1 / 30)
    assert runs_per_day("cron(0 8 1,15 * ? *)") == pytest.approx(2 / 30)
    assert runs_per_day("rate(2 hours)") == 12
    assert runs_per_day("rate(1 day)") == 1


def test_a_disabled_rule_runs_nothing(adopt: list[cost.Component]) -> None:
    cache = [c for c in adopt if "productos_cache_refresh_target" in c.address]
    assert cache and all(c.monthly == 0 for c in cache)
    assert "disabled" in cache[0].assumption


def test_the_databases_bill_instance_hours_and_storage(adopt: list[cost.Component]) -> None:
    """The guide: primary and replica db.t3.medium, 100 GB gp3 (the replica's is its source's)."""
    for which in ("primary", "replica"):
        hours = _by(adopt, f"postgres_{which}", "instance db.t3.medium")
        assert hours == pytest.approx(HOURS * _usd("rds.instance_hour.db.t3.medium"))
        assert _by(adopt, f"postgres_{which}", "storage gp3") == pytest.approx(
            100 * _usd("rds.gp3_gb_month")
        )


def test_a_multi_az_database_bills_two_instances() -> None:
    values = {"instance_class": "db.t3.medium", "multi_az": True, "allocated_storage": 20}
    db = Resource("data", "aws_db_instance", "aws_db_instance.x", values)
    hours, storage = cost.estimate([db], PROD, CAT)
    assert hours.monthly == pytest.approx(2 * HOURS * _usd("rds.instance_hour.db.t3.medium"))
    assert "Multi-AZ" in hours.assumption
    assert storage.monthly == pytest.approx(20 * _usd("rds.gp3_gb_month"))


def test_the_hardened_additions_cost_their_catalog_price(
    hardened_cost: list[cost.Component],
) -> None:
    key = _usd("kms.key_month")
    assert _by(hardened_cost, "aws_kms_key.detection", "customer managed key") == key
    requests = PROD.cost.cloudfront_requests_thousands_per_month / 1000
    assert _by(hardened_cost, "aws_wafv2_web_acl.", "requests inspected") == pytest.approx(
        requests * _usd("waf.million_requests")
    )
    flow = PROD.cost.log_gb("/vpc/fluxion-vpc/flow-logs")
    assert flow and _by(hardened_cost, "flow_logs", "logs stored") == pytest.approx(
        flow * 30 / 30 * _usd("logs.stored_gb_month")  # 30 days kept
    )


def test_the_edge_and_the_images_cost_the_usage_figures(adopt: list[cost.Component]) -> None:
    gb = PROD.cost.cloudfront_transfer_gb_per_month
    transfer = sum(c.monthly or 0 for c in adopt if c.name == "data transfer out")
    assert transfer == pytest.approx(gb * _usd("cloudfront.gb"))
    images = sum(c.monthly or 0 for c in adopt if c.name == "image storage")
    assert images == pytest.approx(PROD.cost.ecr_stored_gb * _usd("ecr.gb_month"))


def test_each_assumption_is_printed_beside_its_cost(adopt: list[cost.Component]) -> None:
    text = cost.render(adopt, PROD, "adopt")
    assert "data processed  50.0 GB x 0.045  2.25  (config: nat_processed_gb_per_month)" in text
    assert re.search(r"total: [\d,]+\.\d\d USD a month", text)


def test_adopt_to_hardened_lists_what_the_hardening_adds_per_component(
    adopt: list[cost.Component], hardened_cost: list[cost.Component]
) -> None:
    changed = {
        (name, round(y - x, 2))
        for _, address, name, x, y in cost.difference(adopt, hardened_cost)
        if "wafv2" in address or "aws_lb." in address
    }
    assert ("web ACL", _usd("waf.acl_month")) in changed
    assert ("rules", 3 * _usd("waf.rule_month")) in changed  # three managed rule groups
    # the internal load balancer (behind CloudFront's VPC origin) has no public addresses
    assert ("public IPv4 addresses", round(-2 * HOURS * _usd("ipv4.hour"), 2)) in changed


def test_the_gate_refuses_an_increase_over_the_budget_unless_acknowledged(
    adopt: list[cost.Component], hardened_cost: list[cost.Component], tmp_path: Path
) -> None:
    tight = replace(PROD, cost=replace(PROD.cost, pr_increase_allowed_usd=1))
    acks = tmp_path / "acks.json"
    refused = cost.gate(adopt, hardened_cost, tight, acks)
    assert refused and refused.startswith("production: this change raises the monthly estimate")
    a, b = (round(sum(cost.totals(x).values())) for x in (adopt, hardened_cost))
    for wrong in ({"to_usd": b + 1}, {"from_usd": a - 1}, {"reason": "x" * 19},
                  {"environment": "staging"}):  # fmt: skip
        ack = {"environment": "production", "from_usd": a, "to_usd": b,
               "reason": "the hardened rollout, reviewed in PR 12"} | wrong  # fmt: skip
        acks.write_text(json.dumps([ack]))
        assert cost.gate(adopt, hardened_cost, tight, acks) == refused
    reviewed = "the hardened rollout, reviewed in PR 12"
    acks.write_text(json.dumps([{"environment": "production", "from_usd": a, "to_usd": b,
                                 "reason": reviewed}]))  # fmt: skip
    assert cost.gate(adopt, hardened_cost, tight, acks) is None
    acks.write_text(json.dumps([{"environment": "production", "from_usd": a, "to_usd": b,
                                 "reason": "x" * 20}]))  # fmt: skip
    assert cost.gate(adopt, hardened_cost, tight, acks) is None, "20 characters are enough"
    assert cost.gate(adopt, hardened_cost, PROD, tmp_path / "none.json") is None  # within 25 USD
    exactly = [cost.Component("s", "a", "t", "x", 25, "u", 1.0)]
    assert cost.gate([], exactly, PROD, tmp_path / "none.json") is None, "the budget itself"
    over = [cost.Component("s", "a", "t", "x", 25.01, "u", 1.0)]
    assert cost.gate([], over, PROD, tmp_path / "none.json") is not None
    assert cost.gate(hardened_cost, adopt, tight, tmp_path / "none.json") is None  # a saving


def test_the_compare_command_fails_over_budget_and_writes_the_pr_table(
    synth_dir: Path, hardened_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    markdown = tmp_path / "cost-diff.md"
    args = ("compare", "--base", str(synth_dir), "--head", str(hardened_dir))
    proc = run_main("review.cost", *args, "--markdown", str(markdown))
    assert proc.returncode == 0, proc.stderr
    table = markdown.read_text()
    assert table.startswith("#### Monthly cost: production (hardened)")
    assert re.search(r"\| edge \| [\d.,]+ \| [\d.,]+ \| \+[\d.,]+ \|", table)
    monkeypatch.setattr(cost.config, "load", lambda *_a, **_k: replace(
        PROD, cost=replace(PROD.cost, pr_increase_allowed_usd=0)))  # fmt: skip
    proc = run_main("review.cost", *args, "--markdown", str(markdown))
    assert proc.returncode == 1
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith("refused: production: this change raises the monthly estimate by")
    assert "**Cost gate:** production: this change raises" in markdown.read_text()


def test_both_sides_are_priced_with_the_heads_environment(
    synth_dir: Path, hardened_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The base was synthesized for another environment (a budget of 0): the head's rules."""
    other = replace(PROD, name="other", cost=replace(PROD.cost, pr_increase_allowed_usd=0))
    monkeypatch.setitem(config.environments.ENVIRONMENTS, "other", other)
    base = tmp_path / "base"
    shutil.copytree(synth_dir, base)
    stamp = json.loads((base / "synth.json").read_text()) | {"environment": "other"}
    (base / "synth.json").write_text(json.dumps(stamp))
    proc = run_main("review.cost", "compare", "--base", str(base), "--head", str(hardened_dir))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("#### Monthly cost: production (hardened)")


def _plan(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {"format_version": "1.2", "planned_values": {"root_module": {"resources": resources}}}


def test_a_plan_is_priced_from_its_planned_values(synth_dir: Path, tmp_path: Path) -> None:
    nat = {"address": "aws_nat_gateway.nat[0]", "mode": "managed", "type": "aws_nat_gateway",
           "name": "nat", "index": 0, "values": {}}  # fmt: skip
    two = _plan([nat, nat | {"address": "aws_nat_gateway.nat[1]", "index": 1}])
    (tmp_path / "network.json").write_text(json.dumps(two))
    plan = f"network={tmp_path / 'network.json'}"
    out = ("--out", str(synth_dir), "--json", str(tmp_path / "c.json"))
    proc = run_main("review.cost", "estimate", *out, "--plan", plan)
    assert proc.returncode == 0, proc.stderr
    document = json.loads((tmp_path / "c.json").read_text())
    expected = 2 * (
        HOURS * _usd("nat.hour") + PROD.cost.nat_processed_gb_per_month * _usd("nat.gb")
    )
    assert document["totals"] == {"network": pytest.approx(expected)}


def test_a_bad_plan_argument_is_one_line(synth_dir: Path, tmp_path: Path) -> None:
    proc = run_main("review.cost", "estimate", "--out", str(synth_dir), "--plan", "network")
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "error: --plan: 'network' must be STACK=<terraform show -json file>"
    )
    (tmp_path / "p.json").write_text("{}")
    proc = run_main("review.cost", "estimate", "--out", str(synth_dir), "--plan",
                    f"data={tmp_path / 'p.json'}")  # fmt: skip
    assert (
        proc.stderr.strip() == "error: data: not a `terraform show -json` plan (no planned_values)"
    )


class _Pricing:
    """pricing:GetProducts from the recorded answers: PriceList items as JSON strings."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def get_products(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        usage = next(f["Value"] for f in kwargs["Filters"] if f["Field"] == "usagetype")
        pages = ANSWERS.get(usage, [{"PriceList": []}])
        page = pages[1] if kwargs.get("NextToken") == "page-2" else pages[0]
        return page | {"PriceList": [json.dumps(p) for p in page["PriceList"]]}


def test_the_refresh_rewrites_changed_prices_and_names_what_it_could_not_read(
    tmp_path: Path,
) -> None:
    catalog = tmp_path / "prices.json"
    catalog.write_text(CATALOG.read_text())
    client = _Pricing()
    proc = run_main("review.price_list", "--catalog", str(catalog), env={}, cwd=tmp_path)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1  # no credentials, no network
    assert catalog.read_text() == CATALOG.read_text()
    assert price_list.main(["--catalog", str(catalog)], client=client) == 0
    after = {p["key"]: p for p in json.loads(catalog.read_text())["prices"]}
    assert after["nat.hour"]["usd"] == 0.048 and after["nat.hour"]["how"] == "price-list-api"
    assert after["nat.hour"]["read"] == datetime.datetime.now(datetime.UTC).date().isoformat()
    assert after["s3.standard_gb_month"]["usd"] == 0.023  # the first tier
    # read again, unchanged: the date says when it was last confirmed
    assert after["s3.standard_gb_month"]["how"] == "price-list-api"
    assert after["logs.ingested_gb"]["usd"] == 0.5  # the first tier that costs something
    assert after["ec2.instance_hour.t3.micro"]["how"] == "hand", "two prices: kept"
    assert after["kms.key_month"]["how"] == "hand", "no answer: kept"
    nat_calls = [c for c in client.calls if c["ServiceCode"] == "AmazonEC2"
                 and {"Type": "TERM_MATCH", "Field": "usagetype", "Value": "NatGateway-Hours"}
                 in c["Filters"]]  # fmt: skip
    assert [c.get("NextToken") for c in nat_calls] == [None, "page-2"]
    assert {"Type": "TERM_MATCH", "Field": "regionCode", "Value": "us-east-1"} in nat_calls[0][
        "Filters"
    ]


def test_tiers_are_ordered_by_number_and_global_services_have_no_region() -> None:
    tiers = {f"t{b}": {"beginRange": b, "pricePerUnit": {"USD": u}}
             for b, u in (("0", "0"), ("10", "0.3"), ("5", "0.5"))}  # fmt: skip
    product = {"terms": {"OnDemand": {"o": {"priceDimensions": tiers}}}}
    assert price_list._on_demand_usd(product) == {0.5}
    cdn = {"service": "AmazonCloudFront", "region": "us-east-1", "usage_type": "US-Requests"}
    assert [f["Field"] for f in price_list._filters(cdn)] == ["usagetype"]
    s3 = {"service": "AmazonS3", "region": "us-east-1", "usage_type": "TimedStorage-ByteHrs"}
    assert [f["Field"] for f in price_list._filters(s3)] == ["regionCode", "usagetype"]


def test_the_refresh_prints_each_change_and_keeps_the_files_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert price_list.dump(json.loads(CATALOG.read_text())) == CATALOG.read_text()
    catalog = tmp_path / "prices.json"
    catalog.write_text(CATALOG.read_text())
    assert price_list.main(["--catalog", str(catalog), "--dry-run"], client=_Pricing()) == 0
    out = capsys.readouterr().out
    assert "changed: nat.hour: 0.045 -> 0.048 USD per hour" in out
    assert "check by hand: ec2.instance_hour.t3.micro: 2 prices (0.0104, 0.0208); kept" in out
    assert catalog.read_text() == CATALOG.read_text(), "a dry run writes nothing"


def test_the_docs_quote_this_estimate(
    adopt: list[cost.Component], hardened_cost: list[cost.Component]
) -> None:
    """docs/cost.md's figures are today's: a price or usage change updates them too."""
    text = (ROOT / "docs/cost.md").read_text()
    a, b = (sum(cost.totals(x).values()) for x in (adopt, hardened_cost))
    assert f"**{a:,.2f} USD a month**" in text
    assert f"{b:,.2f} USD a month, **+{b - a:,.2f}**" in text
