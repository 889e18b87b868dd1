"""The workflow checks can fail: a bad workflow is caught by zizmor and by the schema."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import ROOT

BIN = Path(sys.executable).parent
BAD = """
name: bad
on: pull_request_target
jobs:
  x:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v4
      - run: echo "${{ github.event.pull_request.title }}"
"""


def _run(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / tool), *args], capture_output=True, text=True, timeout=300)


def test_zizmor_flags_an_unsafe_workflow(tmp_path: Path) -> None:
    (tmp_path / "bad.yml").write_text(BAD)
    proc = _run("zizmor", "--offline", str(tmp_path / "bad.yml"))
    assert proc.returncode != 0
    report = proc.stdout + proc.stderr
    for audit in ("template-injection", "unpinned-uses", "dangerous-triggers"):
        assert audit in report, audit


def test_the_schema_check_rejects_a_malformed_workflow(tmp_path: Path) -> None:
    (tmp_path / "bad.yml").write_text("name: bad\non: push\njobs:\n  x:\n    steps: []\n")
    proc = _run(
        "check-jsonschema", "--builtin-schema", "vendor.github-workflows", str(tmp_path / "bad.yml")
    )
    assert proc.returncode != 0


def test_the_project_workflows() -> None:
    files = sorted((ROOT / ".github/workflows").glob("*.yml"))
    assert [f.name for f in files] == ["app-deploy.yml", "infra-deploy.yml", "infra-pr.yml"]
    assert _run("zizmor", "--offline", *map(str, files)).returncode == 0
    for f in files:
        doc = yaml.safe_load(f.read_text())
        assert doc["permissions"] == {}, f"{f.name}: least privilege by default"
        for job in doc["jobs"].values():
            for step in job.get("steps", []):
                uses = step.get("uses", "")
                assert not uses or len(uses.split("@")[1]) == 40, f"{f.name}: {uses} not pinned"
                assert "AWS_SECRET_ACCESS_KEY" not in str(step)
    deploy = yaml.safe_load((ROOT / ".github/workflows/infra-deploy.yml").read_text())["jobs"]
    assert [deploy[j]["needs"] for j in ("state", "network", "data", "compute", "edge")] == [
        "test",
        "state",
        "network",
        "data",
        "compute",
    ]
    assert deploy["data"]["environment"] == "production-data"
