"""The Makefile's settings: PROFILE and FLUXION_PROFILE are one setting (dry runs only)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT


def _make(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    inherited = ("PROFILE", "FLUXION_PROFILE", "MAKEFLAGS", "MAKELEVEL", "MFLAGS")
    clean = {k: v for k, v in os.environ.items() if k not in inherited}
    return subprocess.run(
        ["make", "--no-print-directory", "-n", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("args", "env", "profile"),
    [
        ((), {}, ""),
        (("PROFILE=hardened",), {}, "hardened"),
        ((), {"FLUXION_PROFILE": "hardened"}, "hardened"),
        (("PROFILE=hardened",), {"FLUXION_PROFILE": "hardened"}, "hardened"),
    ],
)
def test_either_name_selects_the_profile(
    args: tuple[str, ...], env: dict[str, str], profile: str
) -> None:
    proc = _make("deploy", *args, **env)
    assert proc.returncode == 0, proc.stderr
    # no profile: the environment's own hardening switches (config/environments.py)
    (line,) = [x.split() for x in proc.stdout.splitlines() if "-m deploy deploy" in x]
    assert line[line.index("deploy") + 2 :] == (["--profile", profile] if profile else [])


def test_a_conflict_between_the_two_stops_in_one_line() -> None:
    proc = _make("synth", "PROFILE=adopt", FLUXION_PROFILE="hardened")
    assert proc.returncode == 2
    assert proc.stderr.strip().endswith(
        "PROFILE=adopt and FLUXION_PROFILE=hardened disagree: set only one.  Stop."
    )
    assert proc.stdout == ""


def test_help_describes_every_target_in_one_line() -> None:
    proc = subprocess.run(
        ["make", "--no-print-directory", "help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0
    described = {
        line.split()[1]: line.split(None, 2)[2] if len(line.split()) > 2 else ""
        for line in proc.stdout.splitlines()
    }
    makefile = (ROOT / "Makefile").read_text()
    phony = makefile.split(".PHONY:", 1)[1].split("\n\n", 1)[0].replace("\\", " ").split()
    assert len(phony) > 15
    for target in phony:
        assert described.get(target), f"make help says nothing about {target}"


@pytest.mark.parametrize("engine", ["cdktf", "cdktn"])
def test_a_corrupt_lockfile_stops_before_pipenv_can_delete_it(tmp_path: Path, engine: str) -> None:
    pipfile = "Pipfile" if engine == "cdktf" else "engines/cdktn/Pipfile"
    venv = ".venv" if engine == "cdktf" else "engines/cdktn/.venv"
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    (tmp_path / pipfile).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / pipfile, tmp_path / pipfile)
    (tmp_path / f"{pipfile}.lock").write_text('{"_meta": {')
    pipenv = tmp_path / ".tools" / "bin" / "pipenv"
    pipenv.parent.mkdir(parents=True)
    pipenv.write_text("#!/bin/sh\necho pipenv ran >&2\nexit 0\n")
    pipenv.chmod(0o755)
    inherited = {"MAKEFLAGS", "MAKELEVEL", "MFLAGS", "PROFILE", "FLUXION_PROFILE", "ENGINE"}
    inherited |= {"FLUXION_ENGINE", "PIPENV_PIPFILE"}
    proc = subprocess.run(
        ["make", "--no-print-directory", f"ENGINE={engine}", f"{venv}/.synced"],
        cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if k not in inherited},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert f"error: {pipfile}.lock is not valid JSON; restore it" in proc.stderr
    assert "pipenv ran" not in proc.stderr
    assert (tmp_path / f"{pipfile}.lock").read_text() == '{"_meta": {'


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (["ENGINE=cdk"], "ENGINE=cdk is not an engine; valid: cdktf, cdktn"),
        (
            ["ENGINE=cdktn", "FLUXION_ENGINE=cdktf"],
            "ENGINE=cdktn and FLUXION_ENGINE=cdktf disagree",
        ),
    ],
)
def test_the_engine_setting_is_checked(settings: list[str], message: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("ENGINE", "FLUXION_ENGINE")}
    engine, *rest = settings
    env.update(dict(s.split("=", 1) for s in rest))
    proc = subprocess.run(
        ["make", "--no-print-directory", "-n", engine, "help"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and message in proc.stderr, proc.stderr
