"""The Makefile: its settings (dry runs only), its help, its tables, every target named anywhere."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT, make_variable


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


def _targets() -> list[str]:
    """The commands the Makefile defines (a name at the start of a line, then a colon)."""
    text = (ROOT / "Makefile").read_text()
    return re.findall(r"^([a-z][a-z0-9-]*):", text, re.MULTILINE)


def test_help_lists_every_target_once_under_its_group() -> None:
    proc = subprocess.run(
        ["make", "--no-print-directory", "help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    group, listed = "", []
    for line in proc.stdout.splitlines():
        if not line.startswith(" "):
            group = line.rstrip(":")
            continue
        _make, target, description = line.split(None, 2)
        listed.append((group, target, description))
    assert {g for g, _, _ in listed} == {"daily", "ci", "maintainers"}
    assert sorted(t for _, t, _ in listed) == sorted(_targets())
    assert len(_targets()) > 20
    daily = {t for g, t, _ in listed if g == "daily"}
    assert {"synth", "test", "deploy", "resolve"} <= daily, daily
    assert all(len(d) > 20 for _, _, d in listed)


def test_the_makefile_stays_short() -> None:
    """A line per target and one for its comment; the logic lives in Python."""
    assert len((ROOT / "Makefile").read_text().splitlines()) <= 135


def test_every_target_is_phony_and_nothing_else_is() -> None:
    proc = subprocess.run(
        ["make", "--no-print-directory", "-pn", "help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    (phony,) = [line for line in proc.stdout.splitlines() if line.startswith(".PHONY:")]
    assert sorted(phony.split()[1:]) == sorted(_targets())


def test_the_makefile_tables_are_the_configs() -> None:
    from config.estate import CI_STACKS, STACKS
    from runtime.engine import ENGINES

    assert make_variable("STACKS").split() == list(STACKS)
    assert make_variable("CI_STACKS").split() == list(CI_STACKS)
    assert make_variable("ENGINE_NAMES").split() == list(ENGINES)
    for name in ENGINES:
        assert f"{make_variable(f'VENV_{name}')}/bin/python" == ENGINES[name].python


NAMED = re.compile(r"\bmake ((?:[A-Z_]+=\S+ )*)([a-z][a-z0-9-]*)")
WHERE = ("README.md", "docs", ".github", ".ci", *make_variable("SHIPPED").split(), "scripts")


def _named_targets() -> dict[str, set[str]]:
    """Every `make <target>` the docs, workflows, CI and error messages name, and where."""
    named: dict[str, set[str]] = {}
    for where in WHERE:
        path = ROOT / where
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        for file in files:
            if (
                file.suffix not in (".md", ".py", ".yml", ".yaml", "")
                or "__pycache__" in file.parts
            ):
                continue
            text = file.read_text()
            # prose ("make these", "make sense") is English: code spans, strings, run: lines
            spans = re.findall(r"`([^`\n]+)`|\"([^\"\n]+)\"|run: (.*)", text)
            if file.suffix in ("", ".yml", ".yaml"):
                spans.append((text, "", ""))
            for span in spans:
                for _settings, target in NAMED.findall(" ".join(span)):
                    named.setdefault(target, set()).add(str(file.relative_to(ROOT)))
    return named


def test_every_make_target_named_anywhere_exists() -> None:
    named = _named_targets()
    assert {"synth", "test", "e2e", "deploy-stack", "apply-reviewed"} <= set(named), named
    missing = {t: sorted(w) for t, w in named.items() if t not in _targets()}
    assert not missing, f"named but not in the Makefile: {missing}"


def test_the_named_target_check_sees_a_missing_target(tmp_path: Path) -> None:
    assert "sync" not in _targets()
    assert NAMED.findall("then run `make ENGINE=cdktn sync`")[0][1] == "sync"


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
