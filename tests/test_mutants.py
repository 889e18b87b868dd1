"""`make mutants`' budget (scripts/mutants.py) on mutmut's own output format, recorded by hand:
over budget fails, an equivalent mutant is not counted, a run that tested nothing is an error.
The settings file is checked against pyproject.toml's mutmut scope."""

from __future__ import annotations

import ast
import importlib.util
import sys
import tomllib
from pathlib import Path

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
