"""`make mutants`' budget (scripts/mutants.py) on mutmut's own output format, recorded by hand:
over budget fails, an equivalent mutant is not counted, a run that tested nothing is an error.
The settings file is checked against pyproject.toml's mutmut scope."""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

_SPEC = importlib.util.spec_from_file_location("mutants", ROOT / "scripts" / "mutants.py")
assert _SPEC is not None and _SPEC.loader is not None
mutants = importlib.util.module_from_spec(_SPEC)
sys.modules["mutants"] = mutants  # dataclasses look their module up
_SPEC.loader.exec_module(mutants)

# `mutmut results --all true`, as mutmut 3.8.1 prints it (four spaces, name, colon, status)
RESULTS = """\
    deploy.reviewed_plan.x_apply__mutmut_1: killed
    deploy.reviewed_plan.x_apply__mutmut_2: survived
    deploy.reviewed_plan.x_apply__mutmut_3: timeout
    ops.calls.xǁCallRunnerǁchange__mutmut_1: killed
    ops.calls.xǁCallRunnerǁchange__mutmut_2: no tests
    ops.calls.xǁCallRunnerǁchange__mutmut_3: survived
    config.checks.x_unique__mutmut_1: survived
"""
SHARDS = [
    mutants.Shard("plan", ("deploy.reviewed_plan.*",), budget=1),
    mutants.Shard("calls", ("ops.calls.xǁCallRunnerǁ*",), budget=1),
]


def test_results_are_read_per_mutant() -> None:
    parsed = mutants.parse_results("Generating mutants\n" + RESULTS)
    assert len(parsed) == 7
    assert parsed["ops.calls.xǁCallRunnerǁchange__mutmut_2"] == "no tests"
    assert mutants.module_of("ops.calls.xǁCallRunnerǁchange__mutmut_2") == "ops.calls"


def test_a_shard_over_its_budget_fails_and_equivalents_are_not_counted() -> None:
    results = mutants.parse_results(RESULTS)
    verdict = mutants.judge(results, SHARDS, {})
    assert not verdict.errors
    by = {r.module: r for r in verdict.rows}
    assert (by["deploy.reviewed_plan"].killed, verdict.surviving["plan"]) == (2, 1)
    # "no tests" is a survivor: nothing noticed the mutant
    assert by["ops.calls"].survivors == [
        "ops.calls.xǁCallRunnerǁchange__mutmut_2",
        "ops.calls.xǁCallRunnerǁchange__mutmut_3",
    ]
    assert by["ops.calls"].score == 100 / 3
    assert verdict.over(SHARDS) == ["calls: 2 surviving, budget 1"]
    equivalent = {"ops.calls.xǁCallRunnerǁchange__mutmut_3": "cannot change behaviour"}
    verdict = mutants.judge(results, SHARDS, equivalent)
    assert verdict.over(SHARDS) == []
    assert {r.module: r for r in verdict.rows}["ops.calls"].equivalent == [*equivalent]
    assert "config.checks" not in by, "in no chosen shard"


def test_a_run_that_tested_nothing_or_did_not_finish_is_an_error() -> None:
    assert mutants.judge({}, SHARDS, {}).errors == [
        "shard plan: no mutant was run (did mutmut run?)",
        "shard calls: no mutant was run (did mutmut run?)",
    ]
    unfinished = mutants.parse_results(RESULTS + "    ops.calls.xǁCallǁf__mutmut_9: not checked\n")
    shards = [*SHARDS, mutants.Shard("str", ("ops.calls.xǁCallǁ*",), budget=9)]
    assert mutants.judge(unfinished, shards, {}).errors == [
        "ops.calls.xǁCallǁf__mutmut_9: not checked (mutmut did not finish it)",
        "shard str: no mutant was run (did mutmut run?)",
    ]


def test_a_mutant_with_no_verdict_is_run_again_and_its_status_is_shown() -> None:
    """`suspicious`: the test process ended abnormally (a loaded machine), not a verdict."""
    results = mutants.parse_results(
        RESULTS
        + "    deploy.reviewed_plan.x_apply__mutmut_4: suspicious\n"
        + "    config.checks.x_unique__mutmut_2: suspicious\n"  # in no chosen shard
    )
    assert mutants.to_retry(results, SHARDS) == ["deploy.reviewed_plan.x_apply__mutmut_4"]
    assert mutants.to_retry(mutants.parse_results(RESULTS), SHARDS) == []
    verdict = mutants.judge(results, SHARDS, {})  # still so after the retry: a survivor
    assert verdict.surviving["plan"] == 2
    assert verdict.statuses == {
        "deploy.reviewed_plan.x_apply__mutmut_4": "suspicious",
        "ops.calls.xǁCallRunnerǁchange__mutmut_2": "no tests",
    }
    assert mutants.statuses_line(verdict) == (
        "surviving, not plain 'survived': 1 no tests, 1 suspicious"
    )
    text = mutants.report(verdict, SHARDS, {})
    assert "### deploy.reviewed_plan.x_apply__mutmut_4 (suspicious)" in text
    assert "### deploy.reviewed_plan.x_apply__mutmut_2\n" in text
    plain = mutants.judge(mutants.parse_results(RESULTS.replace("no tests", "killed")), SHARDS, {})
    assert mutants.statuses_line(plain) == "surviving, not plain 'survived': none"


def test_the_table_shows_each_modules_score_and_the_total() -> None:
    lines = mutants.table(mutants.judge(mutants.parse_results(RESULTS), SHARDS, {}).rows)
    assert "| ops.calls | 3 | 1 | 2 | 0 | 33.3% |" in lines
    assert lines[-1] == "| all | 6 | 3 | 3 | 0 | 50.0% |"


def test_shards_are_chosen_by_number_or_by_the_commit() -> None:
    shards = [mutants.Shard(n, (f"{n}.*",), 0) for n in "abc"]
    assert mutants.choose(shards, "all", "0") == shards
    assert mutants.choose(shards, "2/3", "0") == [shards[1]]
    assert mutants.choose(shards, "auto", "00000004") == [shards[1]]  # 4 % 3 == 1
    for bad in ("0/3", "4/3", "1/2", "x"):
        with pytest.raises(ValueError, match=r"expected all, auto or K/3"):
            mutants.choose(shards, bad, "0")


def _functions(path: Path) -> list[str]:
    """mutmut's name prefix of each function it can mutate in `path`: `x_<f>` for a
    module-level function, `xǁ<Class>ǁ<method>` for a method."""
    tree = ast.parse(path.read_text())
    names = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            names.append(f"x_{node.name}")
        elif isinstance(node, ast.ClassDef):
            names += [
                f"xǁ{node.name}ǁ{f.name}" for f in node.body if isinstance(f, ast.FunctionDef)
            ]
    return names


def test_every_mutated_function_is_in_exactly_one_shard() -> None:
    settings = tomllib.loads(mutants.SETTINGS.read_text())
    shards = mutants.shards(settings)
    scope = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    mutated = [p.removesuffix(".py").replace("/", ".") for p in scope["only_mutate"]]
    assert len(mutated) >= 9
    for path in scope["only_mutate"]:
        module = path.removesuffix(".py").replace("/", ".")
        for function in _functions(ROOT / path):
            mutant = f"{module}.{function}__mutmut_1"
            owners = [s.name for s in shards if s.has(mutant)]
            assert len(owners) == 1, f"{mutant}: in shards {owners}"
    assert all(isinstance(s.budget, int) and s.budget >= 0 for s in shards)
    for mutant, reason in settings["equivalent"].items():
        assert mutants.module_of(mutant) in mutated and len(reason) > 20, mutant


def test_a_function_in_no_shard_is_seen() -> None:
    shards = [mutants.Shard("a", ("m.x_f*",), 0)]
    assert not any(s.has("m.x_g__mutmut_1") for s in shards)
    assert [s.name for s in shards if s.has("m.x_f__mutmut_3")] == ["a"]


def _tree(root: Path) -> Path:
    (root / "pyproject.toml").write_text(
        '[tool.mutmut]\nsource_paths = ["review"]\nalso_copy = ["docs"]\n'
    )
    for name, text in {
        "review/gate.py": "x = 1\n",
        "docs/a.md": "a\n",
        "tests/t.py": "t\n",
    }.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_earlier_results_are_kept_only_for_the_same_code_and_tests(tmp_path: Path) -> None:
    """mutmut re-tests only changed functions: a changed test must not leave old verdicts."""
    root = _tree(tmp_path)
    assert mutants._prepare(root) == "no earlier results: a clean run"
    result = root / "mutants" / "review" / "gate.py.meta"
    result.parent.mkdir(parents=True)
    result.write_text("{}")
    assert (root / "mutants" / ".tools").is_symlink()
    assert mutants._prepare(root) == "earlier results reused (same code and tests)"
    assert result.exists()
    for changed in ("tests/t.py", "review/gate.py", "docs/a.md", "pyproject.toml"):
        result.parent.mkdir(parents=True, exist_ok=True)
        result.write_text("{}")
        (root / changed).write_text((root / changed).read_text() + "# changed\n")
        said = mutants._prepare(root)
        assert said == "earlier results were for other code or tests: removed, starting over"
        assert not result.exists(), changed
        assert (root / "mutants" / ".tools").is_symlink()


def test_results_without_a_fingerprint_are_not_trusted(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    (root / "mutants").mkdir()
    (root / "mutants" / "mutmut-stats.json").write_text("{}")
    assert mutants._prepare(root).startswith("earlier results were for other code or tests")
    assert not (root / "mutants" / "mutmut-stats.json").exists()


def test_the_fingerprint_reads_every_kind_of_input(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    before = mutants.fingerprint(root)
    assert before == mutants.fingerprint(root)
    (root / "Pipfile.lock").write_text("{}")
    assert mutants.fingerprint(root) != before
    (root / "tests" / "__pycache__").mkdir()
    (root / "tests" / "__pycache__" / "t.pyc").write_bytes(b"\0")
    after_lock = mutants.fingerprint(root)
    assert after_lock == mutants.fingerprint(root)
    (root / "tests" / "t.py").rename(root / "tests" / "u.py")  # a renamed test: same bytes
    assert mutants.fingerprint(root) != after_lock


def test_the_command_runs_a_mutant_with_no_verdict_again_and_judges_its_second_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`main` with mutmut stood in for: the retry is made, alone, and its result counts."""
    settings = tmp_path / "mutants.toml"
    settings.write_text('[[shard]]\nname = "m"\nglobs = ["m.*"]\nbudget = 0\n\n[equivalent]\n')
    ran: list[list[str]] = []

    def run(argv: list[str], **_: Any) -> subprocess.CompletedProcess[str]:
        ran.append(list(argv))
        return subprocess.CompletedProcess(argv, 0, "0" * 40 if "rev-parse" in argv else "", "")

    answers = iter([{"m.x_f__mutmut_1": "suspicious", "m.x_f__mutmut_2": "killed"},
                    {"m.x_f__mutmut_1": "killed", "m.x_f__mutmut_2": "killed"}])  # fmt: skip
    monkeypatch.setattr(mutants, "SETTINGS", settings)
    monkeypatch.setattr(mutants, "_prepare", lambda: "stood in")
    monkeypatch.setattr(mutants, "WORK", tmp_path)  # never the checkout's mutants/
    monkeypatch.setattr(mutants, "_results", lambda: next(answers))
    monkeypatch.setattr(mutants.subprocess, "run", run)
    assert mutants.main(["--shard", "all", "--report", str(tmp_path / "r.md")]) == 0
    runs = [argv[1:] for argv in ran if argv[:1] == mutants.MUTMUT and argv[1] == "run"]
    assert runs == [["run", "--max-children", "2", "m.*"],
                    ["run", "--max-children", "1", "m.x_f__mutmut_1"]]  # fmt: skip
    printed = capsys.readouterr().out
    assert "1 with no verdict (suspicious): run again, one at a time" in printed
    assert "| m | 2 | 2 | 0 | 0 | 100.0% |" in printed
