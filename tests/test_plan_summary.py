"""Plan summaries on fixtures in Terraform's documented `terraform show -json` format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from review.plan_summary import classify, main, summarize
from tests.conftest import ROOT

PLANS = ROOT / "tests/fixtures/plans"


def _plan(name: str) -> dict[str, Any]:
    return json.loads((PLANS / f"{name}.json").read_text())


def test_a_clean_adoption_plan_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--adoption", f"network={PLANS / 'adoption-clean.json'}"]) == 0
    out = capsys.readouterr().out
    assert "adoption: 3 to import, 0 other changes" in out
    summary = summarize("network", _plan("adoption-clean"), adoption=True)
    assert summary.counts["import"] == 3
    assert summary.counts["no-op"] == 0, "imported no-ops count as imports only"
    assert summary.flags == []


def test_an_adoption_plan_that_changes_things_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--adoption", f"compute={PLANS / 'adoption-with-changes.json'}"]) == 1
    out = capsys.readouterr().out
    assert "adoption: 2 to import, 2 other changes" in out
    assert (
        "adopted aws_cloudwatch_event_rule.productos_cache_refresh_rule_1CD11FD4 would "
        "also change (['update'])" in out
    )
    assert "adoption plan would add aws_ecr_lifecycle_policy.etl_repository_lifecycle" in out


def test_an_adoption_plan_with_nothing_to_import_fails(tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"format_version": "1.2", "resource_changes": []}))
    assert main(["--adoption", f"edge={empty}"]) == 1


def test_destroy_and_replace_of_stateful_resources_are_flagged(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([f"data={PLANS / 'review-dangerous.json'}"]) == 1
    out = capsys.readouterr().out
    assert "! data: REPLACE of stateful aws_db_instance.postgres_primary_11FB0C6D" in out
    assert "! data: DESTROY of stateful aws_s3_bucket.backups_bucket_5DB31D01" in out
    assert "aws_iam_role" not in out.split("! ", 1)[1], "a role replace is not stateful"
    header, _, row = out.splitlines()[:3]
    assert header.split() == [
        "stack",
        "import",
        "add",
        "change",
        "replace",
        "destroy",
        "forget",
        "no-op",
    ]
    assert row.split() == ["data", "0", "0", "1", "2", "1", "1", "0"]


def test_a_plan_of_ordinary_changes_passes(tmp_path: Path) -> None:
    plan = _plan("review-dangerous")
    plan["resource_changes"] = plan["resource_changes"][2:3]  # the log group update only
    path = tmp_path / "ok.json"
    path.write_text(json.dumps(plan))
    assert main([f"data={path}"]) == 0


@pytest.mark.parametrize(
    ("actions", "kind"),
    [
        (["no-op"], "no-op"),
        (["create"], "add"),
        (["update"], "change"),
        (["delete"], "destroy"),
        (["delete", "create"], "replace"),
        (["create", "delete"], "replace"),
        (["read"], "no-op"),
        (["forget"], "forget"),
    ],
)
def test_actions(actions: list[str], kind: str) -> None:
    assert classify(actions) == kind


def test_unknown_input_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "state.json"
    bad.write_text(json.dumps({"values": {}}))
    assert main([f"x={bad}"]) == 2
    assert "not a `terraform show -json` plan" in capsys.readouterr().err
    with pytest.raises(ValueError, match=r"unknown Terraform actions \['explode'\]"):
        classify(["explode"])


def test_an_adoption_whose_only_update_is_state_only_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Import cannot read Terraform-only arguments; their first-plan update calls no AWS API."""
    rc = {
        "address": "aws_secretsmanager_secret.s",
        "type": "aws_secretsmanager_secret",
        "mode": "managed",
        "change": {
            "actions": ["update"],
            "importing": {"id": "arn"},
            "before": {"name": "fluxion/x", "recovery_window_in_days": None},
            "after": {"name": "fluxion/x", "recovery_window_in_days": 30},
            "after_unknown": {},
        },
    }
    plan = tmp_path / "data.json"
    plan.write_text(json.dumps({"format_version": "1.2", "resource_changes": [rc]}))
    assert main(["--adoption", f"data={plan}"]) == 0
    out = capsys.readouterr().out
    assert "~ aws_secretsmanager_secret.s.recovery_window_in_days: state-only" in out
    assert "data: 1 to import, 0 to add, 1 to change, 0 to destroy: PASS" in out
    rc["change"]["after"]["name"] = "fluxion/renamed"  # type: ignore[index]
    plan.write_text(json.dumps({"format_version": "1.2", "resource_changes": [rc]}))
    assert main(["--adoption", f"data={plan}"]) == 1
    assert "aws_secretsmanager_secret.s: name would change in AWS" in capsys.readouterr().out
