"""`make cdktf` (deploy/cdktf.py): cdktf's own verbs, with the deploy guard in front of deploy.

Every refusal is one line, exit 2, and the cdktf CLI is never started; the passing path is
the emulated run's (tests/e2e: the network stack is deployed through it).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import config
from deploy import cdktf as wrapper
from tests.conftest import ROOT


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The cdktf CLI calls the wrapper makes (none reach node)."""
    calls: list[list[str]] = []

    def cdktf(args: list[str]) -> int:
        calls.append(args)
        return 0

    monkeypatch.setattr(wrapper, "cdktf", cdktf)
    return calls


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["destroy", "edge"], "refused: cdktf destroy: use `make destroy CONFIRM=<environment>`"),
        (["deploy", "network", "--skip-synth"], "refused: cdktf deploy --skip-synth: the guard"),
        (
            ["deploy", "-a", "python x.py", "network"],
            "refused: cdktf deploy -a: the app is main.py",
        ),
        (["deploy", "--app=node x", "network"], "refused: cdktf deploy --app: the app is main.py"),
        (["deploy", "--auto-approve"], "refused: deploy: name the stacks (cdktf deploy network)"),
        (["apply", "network", "--skip-synth"], "refused: cdktf apply --skip-synth: the guard"),
        (["watch", "network"], "refused: cdktf watch: it deploys on every file change"),
        (["--log-level", "debug", "deploy", "network"], "refused: cdktf: name the verb first"),
        (["deploy", "network", "--var", "x=1"], "refused: cdktf deploy --var: variables come"),
        (["deploy", "network", "--var-file=v.tfvars"], "refused: cdktf deploy --var-file:"),
        (["deploy", "network", "--skip-synth=true"], "refused: cdktf deploy --skip-synth:"),
        (["deploy", "netwrk"], "refused: deploy: ['netwrk'] are not stacks (have state, identity,"),
    ],
)
def test_a_refusal_is_one_line_and_cdktf_never_starts(
    args: list[str], line: str, started: list[list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    assert wrapper.main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith(line) and err.count("\n") == 1, err
    assert started == []


def test_a_flag_value_is_not_taken_for_a_stack(
    started: list[list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    # `--outputs-file network` names a file: the one stack named is `datta`
    assert wrapper.main(["deploy", "--outputs-file", "network", "datta"]) == 2
    assert "['datta'] are not stacks" in capsys.readouterr().err
    assert started == []


def test_other_verbs_pass_through_unguarded(started: list[list[str]]) -> None:
    assert wrapper.main(["diff", "network"]) == 0
    assert wrapper.main(["list"]) == 0
    assert started == [["diff", "network"], ["list"]]


def test_a_dirty_tree_is_refused_before_any_plan(
    tmp_path: Path, started: list[list[str]], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setattr(wrapper, "git_state", lambda _root: ("0" * 40, True))
    planned: list[str] = []
    monkeypatch.setattr(wrapper.StackDeployer, "plan_and_gate",
                        lambda _self, stack, _stamp: planned.append(stack))  # fmt: skip
    out = tmp_path / "cdktf.out"
    assert wrapper.main(["deploy", "network", "--auto-approve", "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("refused: ") and "uncommitted changes" in err and "\n" not in err, err
    assert (out / "synth.json").is_file(), "the guard judged a synth of its own"
    assert planned == [] and started == []


@pytest.fixture
def fresh_account(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An inventory root saying there is nothing to adopt (a fresh account): an estate with no
    import blocks is then not half adopted, and the guard goes on to the plan gate."""
    prod = config.load()
    (tmp_path / "inventory").mkdir()
    (tmp_path / "inventory" / f"{prod.name}.json").write_text(json.dumps({
        "environment": prod.name, "account_id": prod.account_id, "region": prod.region,
        "nothing_to_adopt": "a fresh account",
    }))  # fmt: skip
    monkeypatch.setenv("FLUXION_INVENTORY_ROOT", str(tmp_path))
    return tmp_path


def test_the_guard_runs_before_cdktf_and_cdktf_deploys_that_synth(
    fresh_account: Path, started: list[list[str]], monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    tmp_path = fresh_account
    planned: list[str] = []
    monkeypatch.setattr(wrapper.StackDeployer, "plan_and_gate",
                        lambda _self, stack, _stamp: planned.append(stack))  # fmt: skip
    out = tmp_path / "cdktf.out"
    args = ["deploy", "network", "data", "--allow-dirty", "--auto-approve", "--output", str(out)]
    assert wrapper.main(args) == 0
    assert planned == ["network", "data"]
    assert started == [["deploy", "network", "data", "--auto-approve", "--output", str(out),
                        "--skip-synth", "--ignore-missing-stack-dependencies"]]  # fmt: skip


def test_cdktf_deploys_the_folder_the_guard_judged_however_it_was_named(
    fresh_account: Path, started: list[list[str]], monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """`--output=x`, `-o x`, `apply` (cdktf's alias) or CDKTF_OUTPUT: one folder, judged, then
    named explicitly to cdktf."""
    tmp_path = fresh_account
    judged: list[Path] = []
    monkeypatch.setattr(wrapper.StackDeployer, "plan_and_gate",
                        lambda self, _stack, _stamp: judged.append(self.outdir))  # fmt: skip
    out = tmp_path / "elsewhere" / "cdktf.out"
    monkeypatch.setenv("CDKTF_OUTPUT", str(tmp_path / "not-judged"))
    assert wrapper.main(["apply", "network", f"--output={out}", "--allow-dirty"]) == 0
    assert judged == [out]
    assert started == [["deploy", "network", "--output", str(out), "--skip-synth",
                        "--ignore-missing-stack-dependencies"]]  # fmt: skip
    started.clear()
    judged.clear()
    assert wrapper.main(["deploy", "network", "--allow-dirty"]) == 0  # CDKTF_OUTPUT alone
    assert judged == [tmp_path / "not-judged"]
    assert started[0][started[0].index("--output") + 1] == str(tmp_path / "not-judged")


def test_the_command_line_is_the_wrapper() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "deploy.cdktf", "destroy", "network"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("refused: cdktf destroy: use `make destroy")
