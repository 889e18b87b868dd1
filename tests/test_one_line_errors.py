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
            "error: --out: /nonexistent/cdktf.out has no manifest.json: run `make synth` first",
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
    assert err.splitlines() == [message] or err.splitlines()[0].startswith(message), err


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

    for part in ("config", "imports", "modules", "review", "stacks"):
        shutil.copytree(ROOT / part, tmp_path / part)
    for name in ("main.py", "cdktf.json"):
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
