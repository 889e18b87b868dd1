"""No secret value in code or synthesized JSON (state holds what the config holds, plus reads)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.secret_scan import find_secrets


def test_no_literal_secret_in_any_stack(stacks: dict[str, Any]) -> None:
    for name, stack in stacks.items():
        assert find_secrets(stack) == [], name


@pytest.mark.parametrize(
    ("planted", "kind"),
    [
        ({"resource": {"aws_db_instance": {"x": {"password": "hunter2hunter2"}}}}, "literal value"),
        ({"resource": {"aws_ssm_parameter": {"x": {"value": "abc"}}}}, "literal value"),
        ({"provider": {"cloudflare": [{"api_token": "abc123"}]}}, "literal value"),
        ({"locals": {"k": "AKIAIOSFODNN7EXAMPLE"}}, "AWS access key id"),
        ({"locals": {"k": "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk="}}, "WireGuard key"),
        (
            {"locals": {"k": "https://0123456789abcdef0123456789abcdef@o1.ingest.sentry.io/42"}},
            "Sentry DSN",
        ),
        ({"output": {"o": {"value": "postgres://u:pw@db:5432/x"}}}, "URL with credentials"),
        ({"locals": {"k": "f0270ee31a20.sn.mynetname.net:51820"}}, "La Granja peer endpoint"),
    ],
)
def test_the_scanner_catches_planted_secrets(planted: dict[str, Any], kind: str) -> None:
    findings = find_secrets(planted)
    assert findings and all(kind in f for f in findings), findings


def test_references_to_secrets_are_allowed() -> None:
    doc = {"resource": {"aws_ssm_parameter": {"x": {"value_wo": "${ephemeral.a.b.value}"}}}}
    assert find_secrets(doc) == []


def test_no_secret_in_the_source_tree() -> None:
    sources = [
        p
        for folder in ("config", "stacks", "modules", "imports", "scripts")
        for p in (ROOT / folder).rglob("*")
        if p.is_file() and p.suffix in {".py", ".sh", ".json", ".yaml", ".yml", ".toml"}
    ] + [ROOT / "main.py", ROOT / "cdktf.json", ROOT / "Makefile"]
    assert len(sources) > 10
    for path in sources:
        findings = find_secrets({"file": Path(path).read_text()})
        assert findings == [], path
