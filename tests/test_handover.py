"""Hand-over from CloudFormation: retained template, verification, ordered runbook."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from config import ConfigError
from imports.handover import MARKER, check_workflow, load_template, main, not_retained, retained
from tests.conftest import ROOT

TEMPLATE = ROOT / "tests/fixtures/cloudformation/FluxionStackV2.template.json"


def _workflow(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "deploy.yml"
    path.write_text(text)
    return path


def test_every_resource_is_retained_and_nothing_else_changes() -> None:
    original = load_template(TEMPLATE)
    assert not_retained(original), "the fixture starts with Delete/Snapshot policies"
    out = retained(original)
    assert not_retained(out) == []
    for name, resource in original["Resources"].items():
        changed = dict(out["Resources"][name])
        assert changed.pop("DeletionPolicy") == changed.pop("UpdateReplacePolicy") == "Retain"
        expected = {
            k: v for k, v in resource.items() if k not in ("DeletionPolicy", "UpdateReplacePolicy")
        }
        assert changed == expected, name
    for section in ("Description", "Conditions", "Parameters"):
        assert out[section] == original[section], section
    assert out["Outputs"]["ApiUrl"] == original["Outputs"]["ApiUrl"]
    assert MARKER in out["Outputs"], "an output change makes CloudFormation run the update"


def test_the_cli_writes_template_and_runbook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workflow = _workflow(tmp_path, "jobs:\n  deploy:\n    steps:\n      - run: make deploy\n")
    assert (
        main(
            ["--template", str(TEMPLATE), "--workflow", str(workflow), "--out", str(tmp_path / "h")]
        )
        == 0
    )
    written = json.loads((tmp_path / "h/retained-template.json").read_text())
    assert not_retained(written) == []
    text = capsys.readouterr().out
    order = [
        "remove the `cdk deploy` job",
        "imports.resolve",
        "update-stack",
        "--verify",
        "terraform plan",
        "review.plan_summary --adoption",
        "terraform apply plan.bin",
        "delete-stack",
        "plan every stack again",
    ]
    positions = [text.index(marker) for marker in order]
    assert positions == sorted(positions), "the runbook's steps are in a safe order"
    assert text.index("stacks/network") < text.index("stacks/data") < text.index("stacks/edge")
    assert "0 to add, 0 to change, 0 to destroy" in text
    assert (tmp_path / "h/RUNBOOK.md").read_text() in text


def test_a_workflow_that_still_deploys_with_cdk_is_refused(tmp_path: Path) -> None:
    workflow = _workflow(tmp_path, "steps:\n  - run: npx cdk deploy --require-approval never\n")
    with pytest.raises(ConfigError, match=r"line 2 still deploys with AWS CDK"):
        check_workflow(workflow)
    assert (
        main(["--template", str(TEMPLATE), "--workflow", str(workflow), "--out", str(tmp_path)])
        == 2
    )
    assert not (tmp_path / "retained-template.json").exists()
    check_workflow(_workflow(tmp_path, "# was: cdk deploy (removed)\nsteps: []\n"))


def test_verify_reports_resources_not_retained(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--verify", str(TEMPLATE)]) == 1
    out = capsys.readouterr().out
    assert "not retained: FrontendBucketC0FFEE11 (AWS::S3::Bucket): DeletionPolicy='Delete'" in out
    fixed = tmp_path / "fixed.json"
    fixed.write_text(json.dumps(retained(load_template(TEMPLATE))))
    assert main(["--verify", str(fixed)]) == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Resources:\n  A: {Type: X}\n", r"is not JSON"),
        ('{"Outputs": {}}', r"has no Resources section"),
    ],
)
def test_bad_templates_are_clear_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_template(path)
