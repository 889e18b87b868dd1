"""The pinned cdktf CLI (node_modules, from package-lock.json) works offline from the repo root."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.conftest import ROOT, STACK_NAMES

ENV = dict(os.environ, CHECKPOINT_DISABLE="1", CI="1", FORCE_COLOR="0")


def _cdktf(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["npx", "--no-install", "cdktf", *args],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_cli_is_the_pinned_version() -> None:
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/cdktf-cli"]["version"] == "0.21.0"
    proc = _cdktf("--version")
    assert proc.returncode == 0, proc.stderr
    # (the CLI may append a Terraform CLI-config warning when a terraform binary is on PATH)
    assert proc.stdout.splitlines()[0].strip() == "0.21.0"


def test_cli_synth_and_list(tmp_path: Path) -> None:
    out = tmp_path / "cli.out"
    proc = _cdktf("synth", "--output", str(out))
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert sorted(p.name for p in (out / "stacks").iterdir()) == sorted(STACK_NAMES)
    listed = _cdktf("list", "--output", str(tmp_path / "list.out"))
    assert listed.returncode == 0, listed.stderr
    names = {line.split()[0] for line in listed.stdout.splitlines() if line.strip()}
    assert set(STACK_NAMES) <= names
