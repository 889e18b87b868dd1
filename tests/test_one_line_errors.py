"""Entry points turn expected errors into one line on stderr and exit 2 (no traceback)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from imports import handover
from review import plan_summary, replacement_guard, security_gate


@pytest.mark.parametrize(
    ("entry", "argv", "message"),
    [
        (
            handover.main,
            ["--template", "/nonexistent/template.json", "--workflow", "/nonexistent/deploy.yml"],
            "error: /nonexistent/deploy.yml: No such file or directory",
        ),
        (
            replacement_guard.main,
            ["--base", "nosuchrev", "--head", "nosuchrev"],
            "error: revision 'nosuchrev' is not in this repository (git archive failed)",
        ),
        (
            security_gate.main,
            ["--out", "/nonexistent/cdktf.out"],
            "error: /nonexistent/cdktf.out has no manifest.json: run `make synth` first",
        ),
        (
            plan_summary.main,
            ["network=/nonexistent/plan.json"],
            "error: /nonexistent/plan.json: [Errno 2] No such file or directory",
        ),
    ],
)
def test_a_bad_argument_is_one_line(
    entry: Callable[[list[str]], int],
    argv: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert entry(argv) == 2
    err = capsys.readouterr().err
    (line,) = err.splitlines()  # one line: no traceback, nothing after it
    assert line.startswith(message), err


def test_a_template_that_is_not_json_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = tmp_path / "template.json"
    template.write_text("{not json")
    workflow = tmp_path / "deploy.yml"
    workflow.write_text("jobs:\n  build:\n    steps:\n      - run: make\n")
    code = handover.main(["--template", str(template), "--workflow", str(workflow),
                          "--out", str(tmp_path / "out")])  # fmt: skip
    assert code == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"error: template '{template}' is not JSON (Expecting")


def test_an_edited_environment_that_does_not_validate_is_one_line(tmp_path: Path) -> None:
    """The configuration validates itself when imported: main.py reports that in one line."""
    import shutil
    import subprocess
    import sys

    from tests.conftest import ROOT

    for part in (
        "app",
        "config",
        "imports",
        "modules",
        "policies",
        "review",
        "deploy",
        "runtime",
        "stacks",
    ):
        shutil.copytree(ROOT / part, tmp_path / part)
    for name in ("main.py", "cdktf.json", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    environments = tmp_path / "config" / "environments.py"
    text = environments.read_text()
    edited = text.replace(
        '    domain="fluxionia.co",', '    domain="fluxionia.co",\n    region="mars-1",'
    )
    edited = edited.replace('    region="us-east-1",\n', "", 1)
    assert edited != text
    environments.write_text(edited)
    proc = subprocess.run(
        [sys.executable, "main.py"],
        cwd=tmp_path,
        env={**__import__("os").environ, "CDKTF_OUTDIR": str(tmp_path / "out")},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == ["error: region: 'mars-1' is not an AWS region name"]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("switch", ["--debug", "FLUXION_DEBUG=1"])
def test_debug_adds_the_traceback_to_the_same_line(
    switch: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from deploy import ordered as deploy

    # `--debug` sets it in this process; a setenv (not a delenv of an absent name) is undone
    monkeypatch.setenv("FLUXION_DEBUG", "0")
    argv = ["deploy", "--out", str(tmp_path / "nowhere")]
    assert deploy.main(argv) == 2
    (quiet,) = capsys.readouterr().err.splitlines()
    assert quiet.startswith("refused: ") and "no manifest.json" in quiet
    if switch == "--debug":
        argv.append("--debug")
    else:
        monkeypatch.setenv("FLUXION_DEBUG", "1")
    assert deploy.main(argv) == 2
    loud = capsys.readouterr().err.splitlines()
    assert loud[0] == "Traceback (most recent call last):"
    assert any("raise ConfigError(" in line for line in loud)  # runtime/synthesized.py
    assert loud[-1] == quiet


def test_main_takes_debug_too(tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.conftest import ROOT

    env = {k: v for k, v in __import__("os").environ.items() if k != "FLUXION_DEBUG"}
    env.update(FLUXION_PROFILE="harden", CDKTF_OUTDIR=str(tmp_path))
    quiet = subprocess.run(
        [sys.executable, "main.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    loud = subprocess.run(
        [sys.executable, "main.py", "--debug"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert quiet.returncode == loud.returncode == 2
    (line,) = quiet.stderr.strip().splitlines()
    assert line.startswith("error: FLUXION_PROFILE: profile: 'harden' is not one of")
    assert "Traceback (most recent call last):" in loud.stderr
    assert loud.stderr.strip().splitlines()[-1] == line


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "FLUXION_ENV",
            "stagin",
            "environment: 'stagin' is unknown; valid: production, production-recovery, staging, "
            "staging-recovery",
        ),
        ("FLUXION_PROFILE", "strict", "profile: 'strict' is not one of adopt, hardened"),
        (
            "FLUXION_PROVIDER_PINS",
            "latest",
            "provider_pins: 'latest' is not one of estate, bindings",
        ),
    ],
)
def test_a_bad_setting_names_its_variable_and_writes_no_output(
    variable: str, value: str, message: str, tmp_path: Path
) -> None:
    import os
    import subprocess
    import sys

    import config
    from tests.conftest import ROOT

    out = tmp_path / "cdktf.out"
    env = {k: v for k, v in os.environ.items() if k not in config.SETTINGS.values()}
    env.update({variable: value, "CDKTF_OUTDIR": str(out)})
    proc = subprocess.run(
        [sys.executable, "main.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [f"error: {variable}: {message}"]
    assert not out.exists() and list(tmp_path.iterdir()) == []
