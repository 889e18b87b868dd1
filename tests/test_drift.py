"""`python -m ops drift`: Terraform's refresh-only plan, as the guide's drift table.

The real test applies a one-resource stack with real Terraform to moto, changes the resource
behind Terraform's back with boto3, and reads the report; the emulated estate run (`make e2e`)
does the same on the whole estate.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

import config
from ops import drift
from ops.__main__ import main
from runtime import terraform
from tests.e2e.harness import emulator_env
from tests.moto_server import moto_server

PROD = config.load()


def _plan(*drifts: dict[str, Any]) -> dict[str, Any]:
    return {"format_version": "1.2", "resource_drift": list(drifts)}


def test_rows_name_each_changed_attribute_nested_or_not() -> None:
    plan = _plan(
        {
            "address": "aws_cloudwatch_event_rule.rule",
            "change": {
                "actions": ["update"],
                "before": {"state": "ENABLED", "tags": {"a": "1"}, "name": "r"},
                "after": {"state": "DISABLED", "tags": {"a": "2"}, "name": "r"},
            },
        },
        {"address": "aws_s3_bucket.gone", "change": {"actions": ["delete"], "before": {}}},
    )
    assert drift.rows("compute", plan) == [
        drift.Row("compute", "aws_cloudwatch_event_rule.rule", "state", "ENABLED", "DISABLED"),
        drift.Row("compute", "aws_cloudwatch_event_rule.rule", "tags.a", "1", "2"),
        drift.Row("compute", "aws_s3_bucket.gone", "(the resource)", "exists", "deleted"),
    ]
    assert drift.rows("compute", _plan()) == []


def test_known_since_survives_from_one_report_to_the_next(tmp_path: Path) -> None:
    known = tmp_path / "known.json"
    first = [drift.Row("data", "aws_db_instance.db", "allocated_storage", "100", "200")]
    assert [r.since for r in drift.with_history(first, known, "2026-11-01 06:00 UTC")] == [
        "2026-11-01 06:00 UTC"
    ]
    second = [*first, drift.Row("edge", "aws_s3_bucket.b", "tags.x", "null", '"y"')]
    dated = drift.with_history(second, known, "2026-11-02 06:00 UTC")
    assert [r.since for r in dated] == ["2026-11-01 06:00 UTC", "2026-11-02 06:00 UTC"]
    assert drift.with_history([], known, "2026-11-03 06:00 UTC") == []
    assert json.loads(known.read_text()) == []  # fixed drift is forgotten


def test_the_table_escapes_and_says_when_there_is_nothing() -> None:
    assert drift.table([]).startswith("No drift")
    text = drift.table([drift.Row("a", "b", "c", "x|y", "z", "t")])
    assert "| a | `b` | `c` | x\\|y | z | t |" in text


def _stack(outdir: Path) -> None:
    """A synthesized-like output folder with one stack: one log group, local state."""
    work = outdir / "stacks/compute"
    work.mkdir(parents=True)
    manifest = {"stacks": {"compute": {"workingDirectory": "stacks/compute", "dependencies": []}}}
    (outdir / "manifest.json").write_text(json.dumps(manifest))
    stack = {
        "terraform": {
            "required_providers": {"aws": {"source": "hashicorp/aws", "version": "5.100.0"}},
            "backend": {"local": {"path": "terraform.tfstate"}},
        },
        "provider": {"aws": [{"region": PROD.region}]},
        "resource": {
            "aws_cloudwatch_log_group": {
                "backend_logs": {"name": "/ecs/drift-probe", "retention_in_days": 7}
            }
        },
    }
    (work / "cdk.tf.json").write_text(json.dumps(stack))


def test_a_change_behind_terraforms_back_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    outdir = tmp_path / "cdktf.out"
    _stack(outdir)
    with moto_server(PROD.account_id) as url:
        env = emulator_env(url, PROD.account_id)
        cwd = outdir / "stacks/compute"
        terraform.run(["init", "-input=false", "-no-color"], cwd, env)
        terraform.run(["apply", "-auto-approve", "-input=false", "-no-color"], cwd, env)
        assert drift.rows("compute", drift.refresh_only(outdir, "compute", env)) == []
        logs = boto3.client(
            "logs",
            endpoint_url=url,
            region_name=PROD.region,
            aws_access_key_id="x",
            aws_secret_access_key="x",
        )
        logs.put_retention_policy(logGroupName="/ecs/drift-probe", retentionInDays=14)
        found = drift.rows("compute", drift.refresh_only(outdir, "compute", env))
        assert found == [
            drift.Row(
                "compute", "aws_cloudwatch_log_group.backend_logs", "retention_in_days", "7", "14"
            )
        ]
        # the command: exit 2, the table, the report file (what the workflow keeps)
        report = tmp_path / "drift.md"
        for key, value in env.items():  # the command reads the process environment
            monkeypatch.setenv(key, value)
        code = main(
            [
                "drift",
                "--out",
                str(outdir),
                "--stacks",
                "compute",
                "--report",
                str(report),
                "--known",
                str(tmp_path / "known.json"),
            ]
        )
        assert code == 2
        line = (
            "| compute | `aws_cloudwatch_log_group.backend_logs` | `retention_in_days` | 7 | 14 |"
        )
        assert line in capsys.readouterr().out
        assert line in report.read_text()


def test_drift_of_an_unknown_stack_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["drift", "--stacks", "billing"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("error: drift: --stacks 'billing' is not a stack")
