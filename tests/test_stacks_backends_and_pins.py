"""Stacks, dependencies, backends, provider pinning and cdktf.json."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

import pytest

import app
import config
from tests.conftest import ROOT, STACK_NAMES

PROD = config.load()


def test_every_stack_is_in_the_manifest(manifest: dict[str, Any]) -> None:
    assert sorted(manifest["stacks"]) == sorted(STACK_NAMES)


def test_dependencies_order_the_deploy(manifest: dict[str, Any]) -> None:
    deps = {name: set(s["dependencies"]) for name, s in manifest["stacks"].items()}
    assert deps["state"] == set()
    assert deps["identity"] == {"state"}  # it reads no other stack: names, not states
    assert deps["network"] == {"state", "identity"}
    assert {"network"} <= deps["data"]
    assert {"identity", "network", "data"} <= deps["compute"]
    assert {"compute"} <= deps["edge"]
    assert deps["monitoring"] == {"state", "network", "data", "compute"}
    order = list(TopologicalSorter(deps).static_order())
    assert order == ["state", "identity", "network", "data", "compute", "edge", "monitoring"]


def test_workload_stacks_use_encrypted_locked_s3_state(stacks: dict[str, Any]) -> None:
    for name in ("identity", "network", "data", "compute", "edge", "monitoring"):
        backend = stacks[name]["terraform"]["backend"]
        assert list(backend) == ["s3"], name
        s3 = backend["s3"]
        assert s3["bucket"] == "fluxion-tfstate-611395766952"
        assert s3["key"] == f"fluxion/production/{name}.tfstate"
        assert s3["region"] == "us-east-1"
        assert s3["encrypt"] is True
        assert s3["use_lockfile"] is True, "native S3 locking (Terraform >= 1.10)"
        assert stacks[name]["terraform"]["required_version"] == ">= 1.11"


def test_state_stack_bootstraps_with_a_relative_local_backend(stacks: dict[str, Any]) -> None:
    backend = stacks["state"]["terraform"]["backend"]
    assert list(backend) == ["local"]
    assert not backend["local"]["path"].startswith("/"), "absolute paths differ per checkout"


def test_once_migrated_the_state_stack_keeps_its_state_in_its_bucket(tmp_path: Path) -> None:
    from dataclasses import replace

    from runtime.engine.core import App
    from stacks.state import StateStack

    app = App(outdir=str(tmp_path))
    StateStack(app, "state", config=replace(PROD, state_migrated=True))
    app.synth()
    doc = json.loads((tmp_path / "stacks" / "state" / "cdk.tf.json").read_text())
    s3 = doc["terraform"]["backend"]["s3"]
    assert (s3["bucket"], s3["key"]) == (PROD.state_bucket, "fluxion/production/state.tfstate")
    assert s3["use_lockfile"] is True


# What each engine's prebuilt bindings were generated for (their package docs name it).
BINDINGS_VERSIONS = {
    "cdktf": {"aws": "5.100.0", "cloudflare": "5.14.0"},
    "cdktn": {"aws": "6.69.1", "cloudflare": "5.28.0"},
}


@pytest.mark.parametrize("pins", ["estate", "bindings"])
def test_providers_are_pinned_to_what_the_estate_runs_unless_asked(
    pins: str, tmp_path: Path
) -> None:
    """Moving engines keeps the providers; `bindings` is the provider upgrade, asked for."""
    from dataclasses import replace

    from runtime.engine import ENGINE
    from runtime.engine.core import App
    from stacks.base import FluxionStack, cloudflare_zone

    app = App(outdir=str(tmp_path))
    cloudflare_zone(FluxionStack(app, "pins", config=replace(PROD, provider_pins=pins)))
    app.synth()
    doc = json.loads((tmp_path / "stacks" / "pins" / "cdk.tf.json").read_text())
    versions = {name: p["version"] for name, p in doc["terraform"]["required_providers"].items()}
    estate = {"aws": "5.100.0", "cloudflare": "5.14.0"}  # what the adoption ran: in the states
    assert versions == (estate if pins == "estate" else BINDINGS_VERSIONS[ENGINE.name])


def test_aws_provider_is_pinned_to_the_account(stacks: dict[str, Any]) -> None:
    for name, stack in stacks.items():
        (aws,) = stack["provider"]["aws"]
        assert aws["allowed_account_ids"] == ["611395766952"], name
        assert aws["region"] == "us-east-1", name
        # bounded retries: a persistent AWS error fails the step in about a minute, not an hour
        assert aws["max_retries"] == 10, name


def test_cdktf_json_keeps_generated_code_out_of_imports() -> None:
    doc = json.loads((ROOT / "cdktf.json").read_text())
    assert doc["language"] == "python"
    assert doc["codeMakerOutput"].startswith("."), "imports/ holds the inventory"
    assert doc["codeMakerOutput"].strip("./") != "imports"
    # the CLI runs main.py on the selected engine's interpreter (runtime/engine)
    assert doc["app"] == "sh scripts/app.sh"
    launcher = (ROOT / "scripts" / "app.sh").read_text()
    assert "exec .venv/bin/python main.py" in launcher
    assert "exec engines/cdktn/.venv/bin/python main.py" in launcher


def test_tests_synthesize_with_the_cdktf_json_feature_flags(synth_dir: Any) -> None:
    flags = json.loads((ROOT / "cdktf.json").read_text())["context"]
    assert flags == {
        "excludeStackIdFromLogicalIds": "true",
        "allowSepCharsInLogicalIds": "true",
        # CDK Terrain checks write-only attributes (the primary's password_wo) against the
        # Terraform versions a project targets; cdktf ignores the key (runtime/engine).
        "targetVersions": {"terraform": ">=1.11.0"},
    }
    built = app.build_app(PROD, synth_dir.parent / "flags-probe").app
    for key, value in flags.items():
        assert built.node.try_get_context(key) == value
    # and the logical IDs in the session's synth show the flags took effect
    network = json.loads((synth_dir / "stacks/network/cdk.tf.json").read_text())
    assert all(not k.startswith("network_") for k in network["resource"]["aws_subnet"])


def test_main_outside_make_uses_the_locked_node_quietly(tmp_path: Path) -> None:
    """`.venv/bin/python main.py` with only the system's PATH: the lockfile's Node.js, no
    end-of-life banner, no deprecation noise."""
    env = {k: v for k, v in os.environ.items() if k not in ("NODE_OPTIONS", "PATH")}
    env.update(PATH="/usr/bin:/bin", CDKTF_OUTDIR=str(tmp_path / "out"))
    proc = subprocess.run(
        [sys.executable, "main.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (tmp_path / "out" / "stacks" / "network" / "cdk.tf.json").exists()
    for noise in ("end-of-life", "DeprecationWarning", "[ERROR]"):
        assert noise not in proc.stderr, noise


def test_the_output_folder_is_an_ordinary_folder(tmp_path: Path) -> None:
    """Synthesis stages in a temporary folder (0700); the swapped-in output follows the umask."""
    out = tmp_path / "cdktf.out"
    app.synth(config.load(), out)
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o777 & ~umask
