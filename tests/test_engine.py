"""The engine switch (runtime/engine): one setting, aliases that are the engine's own modules,
no package named anywhere else, typing stubs in step with the imports."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from config.errors import ConfigError
from runtime import engine
from runtime.engine import ENGINE, ENGINES, Engine, _Aliases, real_name, selected

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = sorted(
    {name for e in ENGINES.values() for name in (e.core, *e.provider_packages)}, key=len
)
NAMED = re.compile(rf"^\s*(?:from|import)\s+({'|'.join(map(re.escape, PACKAGES))})\b", re.MULTILINE)


def test_the_aliases_are_the_engines_own_modules() -> None:
    from runtime.engine.aws.vpc import Vpc
    from runtime.engine.core import App

    assert sys.modules["runtime.engine.aws.vpc"] is sys.modules[f"{ENGINE.providers['aws']}.vpc"]
    assert Vpc.__module__ == f"{ENGINE.providers['aws']}.vpc"
    assert App.__module__.split(".")[0] == ENGINE.core
    assert real_name("runtime.engine.cloudflare.dns_record", ENGINES["cdktn"]) == (
        "cdktn_provider_cloudflare.dns_record"
    )
    assert real_name("runtime.engine.core", ENGINES["cdktf"]) == "cdktf"
    assert real_name("runtime.engine.other", ENGINE) is None
    assert real_name("runtime.engine_x.aws", ENGINE) is None


def test_no_module_outside_the_engine_switch_names_an_engine_package() -> None:
    offenders = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if any(p.startswith(".") or p in ("node_modules", "cdktf.out") for p in relative.parts):
            continue  # venvs (.venv, engines/cdktn/.venv), tools, generated output
        if relative.parts[:2] == ("runtime", "engine"):
            continue
        offenders += [f"{relative}: {m}" for m in NAMED.findall(path.read_text())]
    assert offenders == []
    assert NAMED.search("from cdktn_provider_aws.vpc import Vpc")  # the check can fail


def test_an_unknown_engine_is_one_line_naming_the_setting() -> None:
    with pytest.raises(ConfigError, match=r"FLUXION_ENGINE: 'cdk' \(from the environment\)"):
        selected({"FLUXION_ENGINE": "cdk"})
    assert selected({}) is ENGINES["cdktf"]
    assert selected({"FLUXION_ENGINE": "cdktn"}) is ENGINES["cdktn"]


def test_an_engine_that_is_not_installed_says_what_to_run() -> None:
    missing = Engine("cdktx", "no_such_core_pkg", {"aws": "no_such_aws_pkg"}, "x", "@x")
    with pytest.raises(
        ConfigError, match=r"package 'no_such_aws_pkg' is not installed.*make engines"
    ):
        _Aliases(missing).find_spec("runtime.engine.aws.vpc")
    assert _Aliases(missing).find_spec("json") is None


def test_main_stops_on_an_unknown_engine_in_one_line(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "main.py"],
        cwd=ROOT,
        env=dict(os.environ, FLUXION_ENGINE="terraform-cdk", CDKTF_OUTDIR=str(out)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "FLUXION_ENGINE: 'terraform-cdk'" in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr and not out.exists()
    assert engine.DEFAULT_ENGINE == "cdktf"


VPC = {"//": {"metadata": {"path": "network/vpc"}}, "cidr_block": "10.0.0.0/16"}


def test_the_engine_diff_groups_each_difference() -> None:
    from review.engine_diff import compare, report

    base = {
        "//": {"metadata": {"version": "0.21.0"}},
        "terraform": {"required_providers": {"aws": {"source": "aws", "version": "5.100.0"}}},
        "resource": {"aws_vpc": {"vpc": {**VPC, "tags": {"Name": "a"}, "old_argument": True}}},
    }
    head = {
        "//": {"metadata": {"version": "0.24.0"}},
        "terraform": {
            "required_providers": {"aws": {"source": "hashicorp/aws", "version": "6.69.1"}}
        },
        "resource": {"aws_vpc": {"vpc": {**VPC, "tags": {"Name": "b"}, "new_argument": 1}}},
    }
    groups = {(d.group, d.path) for d in compare("network", base, head)}
    assert groups == {
        ("engine metadata", "//.metadata.version"),
        ("provider pins", "terraform.required_providers.aws.source"),
        ("provider pins", "terraform.required_providers.aws.version"),
        ("attributes added or removed", "resource.aws_vpc.vpc.old_argument"),
        ("attributes added or removed", "resource.aws_vpc.vpc.new_argument"),
        ("other values", "resource.aws_vpc.vpc.tags.Name"),
    }
    assert compare("network", base, base) == []
    text = report(compare("network", base, head), "cdktf", "cdktn")
    assert text.splitlines()[0] == "cdktf -> cdktn: 6 differences"
    assert "  network: resource.aws_vpc.vpc.old_argument: true -> null" in text


@pytest.mark.parametrize(
    ("head_tags", "status"), [({"Name": "a"}, 0), ({"Name": "b"}, 1), (None, 2)]
)
def test_the_engine_diff_fails_on_what_the_docs_do_not_explain(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], head_tags: Any, status: int
) -> None:
    from review import engine_diff

    def synthesize(engine: str, out: Path, profile: str, pins: str) -> dict[str, Any]:
        if head_tags is None and engine == "cdktn":
            raise ConfigError("engine cdktn: engines/cdktn/.venv/bin/python is missing")
        version = "5.100.0" if engine == "cdktf" else "6.69.1"
        tags = {"Name": "a"} if engine == "cdktf" else head_tags
        return {
            "network": {
                "terraform": {"required_providers": {"aws": {"version": version}}},
                "resource": {"aws_vpc": {"vpc": {**VPC, "tags": tags}}},
            }
        }

    monkeypatch.setattr(engine_diff, "synthesize", synthesize)
    assert engine_diff.main([]) == status
    out, err = capsys.readouterr()
    if status == 2:
        assert err.strip() == "error: engine cdktn: engines/cdktn/.venv/bin/python is missing"
    else:
        assert "provider pins: 1" in out
        assert ("outside provider pins and engine metadata" in err) == (status == 1)


def test_the_engine_diff_refuses_unknown_pins_in_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from review import engine_diff

    assert engine_diff.main(["--pins", "latest"]) == 2
    _, err = capsys.readouterr()
    assert err.strip() == "error: --pins: 'latest' is not one of estate, bindings"
