"""The plan gate's verdicts on plans in `terraform show -json` shape."""

from __future__ import annotations

from typing import Any

from review.plan_gate import (
    NEW_BY_DESIGN_STACKS,
    STATE_ONLY,
    Finding,
    changed_attributes,
    created,
    gate,
    new_by_design,
)


def _rc(address: str, actions: list[str], before: Any = None, after: Any = None,
        unknown: Any = None, importing: bool = False) -> dict[str, Any]:  # fmt: skip
    change: dict[str, Any] = {"actions": actions, "before": before, "after": after}
    change["after_unknown"] = unknown or {}
    if importing:
        change["importing"] = {"id": "x"}
    return {"address": address, "type": address.split(".")[0], "mode": "managed", "change": change}


def _plan(*changes: dict[str, Any]) -> dict[str, Any]:
    return {"format_version": "1.2", "resource_changes": list(changes)}


def test_an_import_with_a_state_only_update_passes() -> None:
    rc = _rc(
        "aws_db_instance.p",
        ["update"],
        before={"skip_final_snapshot": None, "engine": "postgres"},
        after={"skip_final_snapshot": False, "engine": "postgres"},
        importing=True,
    )
    verdict = gate("data", _plan(rc))
    assert verdict.passed
    assert verdict.summary() == "1 to import, 0 to add, 1 to change, 0 to destroy"
    (finding,) = verdict.findings
    assert (finding.attribute, finding.verdict) == ("skip_final_snapshot", "state-only")


def test_a_real_change_fails_naming_the_attribute() -> None:
    rc = _rc(
        "aws_cloudwatch_log_group.logs",
        ["update"],
        before={"retention_in_days": 14, "name": "/ecs/x"},
        after={"retention_in_days": 7, "name": "/ecs/x"},
    )
    verdict = gate("compute", _plan(rc))
    assert not verdict.passed
    assert verdict.failures == [
        "aws_cloudwatch_log_group.logs: retention_in_days would change in AWS"
    ]
    assert "FAIL" in verdict.lines()[0]


def test_an_emulator_gap_passes_only_when_listed() -> None:
    rc = _rc("aws_ecs_service.s", ["update"], before={"enable_execute_command": None},
             after={"enable_execute_command": False})  # fmt: skip
    assert not gate("compute", _plan(rc)).passed
    gaps = {("aws_ecs_service", "enable_execute_command"): "moto drops it"}
    verdict = gate("compute", _plan(rc), gaps=gaps)
    assert verdict.passed
    assert verdict.findings[0].verdict == "emulator gap: moto drops it"


def test_creates_pass_only_when_new_by_design() -> None:
    plan = _plan(_rc("aws_s3_bucket.state", ["create"], after={"bucket": "b"}))
    assert gate("state", plan, new_by_design=frozenset({"aws_s3_bucket.state"})).passed
    verdict = gate("network", plan)
    assert verdict.failures == ["aws_s3_bucket.state would be created (not new by design)"]


def test_deletes_and_replaces_always_fail() -> None:
    plan = _plan(
        _rc("aws_vpc.v", ["delete"], before={"id": "vpc-1"}),
        _rc("aws_db_instance.p", ["delete", "create"], before={"id": "p"}, after={"id": "p"}),
    )
    verdict = gate("data", plan, new_by_design=frozenset({"aws_db_instance.p"}))
    assert verdict.failures == [
        "aws_vpc.v would be deleted",
        "aws_db_instance.p would be delete/created",
    ]
    assert verdict.counts["destroy"] == 2


def test_no_ops_reads_and_pure_imports_are_quiet() -> None:
    plan = _plan(
        _rc("aws_vpc.v", ["no-op"], before={"a": 1}, after={"a": 1}, importing=True),
        {"address": "data.aws_iam_policy.p", "type": "aws_iam_policy", "mode": "data",
         "change": {"actions": ["read"]}},
    )  # fmt: skip
    verdict = gate("network", plan)
    assert verdict.passed and verdict.findings == []
    assert verdict.counts == {"import": 1, "add": 0, "change": 0, "destroy": 0}


def test_changed_attributes_reads_values_and_unknowns() -> None:
    change = {
        "before": {"a": 1, "b": "x", "c": None, "d": [1]},
        "after": {"a": 2, "b": "x", "d": [1]},
        "after_unknown": {"c": True, "d": True},
    }
    # `c` had no value: becoming known is not a change; `d` had one and will be recomputed
    assert changed_attributes(change) == ["a", "d"]


def test_every_state_only_argument_is_explained() -> None:
    for rtype, arguments in STATE_ONLY.items():
        assert rtype.startswith("aws_")
        assert all(reason.strip() for reason in arguments.values()), rtype


def test_only_the_new_stacks_are_new_by_design() -> None:
    """The bootstrap and monitoring create everything; an adopted stack creates nothing, named
    in the table (`NEW_BY_DESIGN`) or not (`identity`)."""
    created = frozenset({"aws_s3_bucket.state_bucket", "aws_iam_role.ci"})
    assert new_by_design("state", created) == created
    assert new_by_design("monitoring", created) == created
    for stack in ("identity", "network", "data", "compute", "edge"):
        assert new_by_design(stack, created) == frozenset(), stack
    assert all(reason for reason in NEW_BY_DESIGN_STACKS.values())


def test_a_deploy_may_update_and_create_but_not_recreate_what_exists() -> None:
    plan = _plan(
        _rc("aws_vpc.v", ["create"], after={"cidr_block": "10.0.0.0/16"}),
        _rc("aws_route.r", ["create"], after={"x": 1}),
        _rc("aws_cloudwatch_log_group.l", ["update"], before={"retention_in_days": 7},
            after={"retention_in_days": 14}),
    )  # fmt: skip
    assert created(plan) == {"aws_vpc.v", "aws_route.r"}
    verdict = gate("network", plan, new_by_design=frozenset({"aws_route.r"}),
                   existing=frozenset({"aws_vpc.v"}), updates_reviewed=True)  # fmt: skip
    assert verdict.failures == ["aws_vpc.v would be created, but the inventory says it exists"]
    assert [f.verdict for f in verdict.findings] == ["REAL"]  # reported, not a failure


def test_a_plan_without_changes_passes_and_anything_else_is_refused() -> None:
    """Terraform leaves `resource_changes` out of a plan that changes nothing."""
    empty = {"format_version": "1.2"}
    verdict = gate("network", empty)
    assert verdict.passed and verdict.counts == {"import": 0, "add": 0, "change": 0, "destroy": 0}
    assert verdict.lines()[0] == "network: 0 to import, 0 to add, 0 to change, 0 to destroy: PASS"
    assert created(empty) == frozenset()
    try:
        gate("data", {"planned_values": {}})
    except ValueError as err:
        assert str(err) == "data: not a `terraform show -json` plan"
    else:
        raise AssertionError("a document that is not a plan passed")
    failing = gate("data", _plan(_rc("aws_db_instance.p", ["delete"], before={"a": 1})))
    assert failing.lines()[0].endswith(": FAIL")


def test_an_attribute_only_one_side_has_is_a_change() -> None:
    assert changed_attributes({"before": {"a": 1}, "after": {"a": 1, "b": 2}}) == ["b"]
    assert changed_attributes({"before": {"a": 1, "b": 2}, "after": {"a": 1}}) == ["b"]


def test_a_stack_the_table_does_not_name_creates_nothing_by_design() -> None:
    assert new_by_design("identity") == frozenset()
    assert new_by_design("data") == frozenset()


def test_a_replacement_asked_for_is_a_finding_and_the_rest_of_the_plan_is_still_judged() -> None:
    plan = _plan(
        _rc("aws_instance.bridge", ["delete", "create"], before={"id": "i-1"}, after={"id": "i-2"}),
        _rc("aws_vpc.v", ["delete"], before={"id": "vpc-1"}),
    )
    verdict = gate("network", plan, replacing=frozenset({"aws_instance.bridge"}))
    assert verdict.findings == [Finding("aws_instance.bridge", "(all)", "replaced as asked")]
    assert verdict.failures == ["aws_vpc.v would be deleted"]
    assert verdict.counts == {"import": 0, "add": 1, "change": 0, "destroy": 2}


def test_an_update_the_plan_names_no_attribute_of_is_still_a_real_change() -> None:
    """Terraform may plan an update whose before and after read the same (a value it hides)."""
    plan = _plan(_rc("aws_lb.alb", ["update"], before={"a": 1}, after={"a": 1}))
    verdict = gate("compute", plan)
    assert verdict.findings == [Finding("aws_lb.alb", "(no attribute named by the plan)", "REAL")]
    assert verdict.failures == ["aws_lb.alb: (no attribute named by the plan) would change in AWS"]


def test_every_resource_of_a_plan_is_counted() -> None:
    """Counts are the proof line (`N to import, 0 to add, ...`): each resource counts once."""
    read = {"address": "data.aws_iam_policy.p", "type": "aws_iam_policy", "mode": "data",
            "change": {"actions": ["read"]}}  # fmt: skip
    plan = _plan(
        read,
        _rc("aws_vpc.a", ["no-op"], before={"x": 1}, after={"x": 1}, importing=True),
        _rc("aws_vpc.b", ["no-op"], before={"x": 1}, after={"x": 1}, importing=True),
        _rc("aws_vpc.q", ["no-op"], before={"x": 1}, after={"x": 1}),
        _rc("aws_s3_bucket.c", ["create"], after={"bucket": "c"}),
        _rc("aws_s3_bucket.d", ["create"], after={"bucket": "d"}),
        _rc("aws_vpc.e", ["update"], before={"x": 1}, after={"x": 2}),
        _rc("aws_vpc.f", ["update"], before={"x": 1}, after={"x": 3}),
    )
    both = frozenset({"aws_s3_bucket.c", "aws_s3_bucket.d"})
    verdict = gate("network", plan, new_by_design=both, updates_reviewed=True)
    assert verdict.counts == {"import": 2, "add": 2, "change": 2, "destroy": 0}
    assert {(f.address, f.attribute) for f in verdict.findings} >= {
        ("aws_vpc.e", "x"), ("aws_vpc.f", "x"),
    }  # fmt: skip
