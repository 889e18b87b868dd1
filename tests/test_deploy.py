"""Ordered deploy/destroy: order from the manifest, refusals before anything runs."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from config import ConfigError
from review import deploy
from tests.conftest import ROOT


def test_deploy_order_follows_the_manifest(synth_dir: Path) -> None:
    assert deploy.order(synth_dir) == ["state", "network", "data", "compute", "edge"]
    cmds = deploy.commands("deploy", deploy.order(synth_dir), auto_approve=False)
    assert [c[4] for c in cmds] == ["state", "network", "data", "compute", "edge"]
    assert all(
        c[:4] == ["npx", "--no-install", "cdktf", "deploy"] and "--skip-synth" in c for c in cmds
    )
    destroy = deploy.commands("destroy", deploy.order(synth_dir), auto_approve=True)
    assert [c[4] for c in destroy] == ["edge", "compute", "data", "network", "state"]
    assert all("--auto-approve" in c for c in destroy)


def test_an_unsynthesized_stack_is_refused(synth_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"has no manifest.json: run `make synth` first"):
        deploy.order(tmp_path)
    partial = tmp_path / "out"
    shutil.copytree(synth_dir, partial)
    (partial / "stacks/data/cdk.tf.json").unlink()
    with pytest.raises(ConfigError, match=r"stacks not synthesized: \['data'\]"):
        deploy.order(partial)
    manifest = json.loads((partial / "manifest.json").read_text())
    del manifest["stacks"]["edge"]
    (partial / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ConfigError, match=r"\['data', 'edge'\]"):
        deploy.order(partial)


def test_a_dirty_tree_is_refused(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(repo)], check=True)
    deploy.require_clean_tree(repo)
    (repo / "main.py").write_text("# edited\n")
    with pytest.raises(ConfigError, match=r"the git tree is dirty \(main.py"):
        deploy.require_clean_tree(repo)


def test_destroy_without_the_typed_confirmation_is_refused(synth_dir: Path) -> None:
    for confirm in ([], ["--confirm", "prod"]):
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "review.deploy",
                "destroy",
                "--dry-run",
                "--out",
                str(synth_dir),
                *confirm,
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 2
        assert "refused: destroy needs --confirm production" in proc.stderr
        assert "$ npx" not in proc.stdout
