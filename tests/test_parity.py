"""Code vs. the live attributes the inventory records (drift table, resolver)."""

from __future__ import annotations

from typing import Any

import config
from imports import inventory as inv
from imports.parity import differences

PROD = config.load()


def test_the_code_says_what_is_live(stacks: dict[str, Any]) -> None:
    inventory = inv.load(PROD)
    recorded = sum(len(e.live) for e in inventory.entries)
    assert recorded >= 39, "the inventory records live attributes to compare"
    assert differences(stacks, inventory) == []


def test_the_drift_table_is_in_the_inventory() -> None:
    entries = {e.path: e for e in inv.load(PROD).entries}
    assert entries["productos_cache_refresh/rule"].live["state"] == "DISABLED"
    assert entries["frontend/distribution"].live["aliases"] == ["admin.fluxionia.co"]
    assert entries["etl_test_task/definition"].id is not None
    assert entries["etl_test_task/definition"].id.endswith("FluxionETLTask-test:1")


def _with_live(path: str, **live: Any) -> inv.Inventory:
    entries = tuple(
        inv.Entry(e.stack, e.path, e.type, e.source, e.id, e.lookup, e.live | live)
        if e.path == path
        else e
        for e in inv.load(PROD).entries
    )
    return inv.Inventory("production", entries, ())


def test_a_re_enabled_rule_is_caught(stacks: dict[str, Any]) -> None:
    found = differences(stacks, _with_live("productos_cache_refresh/rule", state="ENABLED"))
    assert found == [
        "compute/productos_cache_refresh/rule (aws_cloudwatch_event_rule): state is "
        "'DISABLED' in the code, 'ENABLED' live"
    ]


def test_a_dropped_alias_is_caught(stacks: dict[str, Any]) -> None:
    live = ["admin.fluxionia.co", "www.fluxionia.co"]
    found = differences(stacks, _with_live("frontend/distribution", aliases=live))
    assert len(found) == 1 and "aliases is ['admin.fluxionia.co'] in the code" in found[0]


def test_a_different_major_version_is_caught(stacks: dict[str, Any]) -> None:
    assert differences(stacks, _with_live("postgres/primary", engine_version="16.4")) == []
    found = differences(stacks, _with_live("postgres/primary", engine_version="17.1"))
    assert found and "engine_version is '16' in the code, '17.1' live" in found[0]


def test_a_live_attribute_the_code_omits_is_caught(stacks: dict[str, Any]) -> None:
    found = differences(stacks, _with_live("vpc/vpc", instance_tenancy="dedicated"))
    assert found == [
        "network/vpc/vpc (aws_vpc): live instance_tenancy='dedicated', the code does not set it"
    ]


def test_a_different_command_override_is_caught(stacks: dict[str, Any]) -> None:
    live = {"containerOverrides": [{"name": "etl", "command": ["python", "other.py"]}]}
    entry = inv.Entry(
        "compute",
        "abc_recalc_daily/target",
        "aws_cloudwatch_event_target",
        "test",
        id="fluxion-abc-recalc-daily/Target0",
        live={"input": live},
    )
    found = differences(stacks, inv.Inventory("production", (entry,), ()))
    assert len(found) == 1 and "input is" in found[0]


def test_an_unset_argument_means_the_provider_default(stacks: dict[str, Any]) -> None:
    assert differences(stacks, _with_live("postgres/replica", copy_tags_to_snapshot=False)) == []
    found = differences(stacks, _with_live("postgres/replica", copy_tags_to_snapshot=True))
    assert found == [
        "data/postgres/replica (aws_db_instance): copy_tags_to_snapshot is False in the code, "
        "True live"
    ]
