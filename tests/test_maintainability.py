"""The habits that keep the code readable, checked rather than hoped for.

Each test reads the source (ast, text) and fails on the first file that breaks the rule, naming
it: a long function, an undocumented prop, a second list of stacks, a resolver step importing
another, an estate name outside config/, a pre-commit hook `make lint` does not run.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from config import estate
from tests.conftest import ROOT, make_variable

SHIPPED = tuple(make_variable("SHIPPED").split())
"""The Makefile's one list: strict typing, coverage and the function-length rule read it."""
MAX_FUNCTION_LINES = 60


def _sources(*folders: str) -> list[Path]:
    files = [p for folder in folders for p in sorted((ROOT / folder).rglob("*.py"))]
    assert files, f"no Python files under {folders}"
    return files


def _functions(path: Path) -> list[tuple[str, int, int]]:
    tree = ast.parse(path.read_text())
    return [
        (node.name, node.lineno, node.end_lineno - node.lineno + 1)  # type: ignore[operator]
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


def test_no_function_in_the_shipped_packages_is_longer_than_the_limit() -> None:
    long = [
        f"{path.relative_to(ROOT)}:{line} {name} ({length} lines)"
        for path in _sources(*SHIPPED)
        for name, line, length in _functions(path)
        if length > MAX_FUNCTION_LINES
    ]
    assert not long, f"split these into named steps (limit {MAX_FUNCTION_LINES}): {long}"


def test_the_length_check_sees_a_long_function(tmp_path: Path) -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    source = tmp_path / "long.py"
    source.write_text(f"def long() -> None:\n{body}\n")
    assert _functions(source) == [("long", 1, MAX_FUNCTION_LINES + 1)]


# --- construct API (aws-cdk's guidelines: props classes, documented, units in names) ---------

UNIT_SUFFIXES = ("_seconds", "_minutes", "_hours", "_days", "_gb", "_gib", "_mib", "_units")
NEEDS_UNIT = re.compile(r"timeout|delay|interval|retention|storage|memory|cpu|period|ttl")


def _props_classes() -> list[tuple[str, ast.ClassDef]]:
    found = []
    for path in _sources("modules"):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ClassDef) and node.name.endswith("Props"):
                found.append((str(path.relative_to(ROOT)), node))
    assert len(found) >= 15, found
    return found


def _field_docs(cls: ast.ClassDef) -> dict[str, tuple[bool, str | None]]:
    """field name -> (has a default, its attribute docstring or None)."""
    fields: dict[str, tuple[bool, str | None]] = {}
    body = cls.body
    for i, node in enumerate(body):
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            after = body[i + 1] if i + 1 < len(body) else None
            doc = (
                after.value.value
                if isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)
                else None
            )
            fields[node.target.id] = (node.value is not None, doc)
    return fields


def test_every_props_field_is_documented_with_its_default() -> None:
    problems = []
    for where, cls in _props_classes():
        for name, (has_default, doc) in _field_docs(cls).items():
            if not doc:
                problems.append(f"{where} {cls.name}.{name}: no docstring")
            elif has_default and "Default" not in doc:
                problems.append(
                    f"{where} {cls.name}.{name}: the docstring does not say its default"
                )
    assert not problems, problems


def test_quantities_carry_their_unit_in_the_name() -> None:
    problems = [
        f"{where} {cls.name}.{name}"
        for where, cls in _props_classes()
        for name in _field_docs(cls)
        if NEEDS_UNIT.search(name) and not name.endswith(UNIT_SUFFIXES)
    ]
    assert not problems, f"name the unit (e.g. _seconds, _gb): {problems}"


def test_the_props_checks_catch_an_undocumented_field() -> None:
    cls = ast.parse(
        "class XProps:\n    a: int\n    '''A.'''\n    idle_timeout: int = 3\n    b: str = ''\n"
        "    '''B. Default: empty.'''\n"
    ).body[0]
    assert isinstance(cls, ast.ClassDef)
    assert _field_docs(cls) == {
        "a": (False, "A."),
        "idle_timeout": (True, None),
        "b": (True, "B. Default: empty."),
    }


def _constructs() -> list[type]:
    from constructs import Construct

    found = []
    for path in _sources("modules"):
        module = importlib.import_module(f"modules.{path.stem}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Construct) and cls.__module__ == module.__name__:
                found.append(cls)
    assert len(found) >= 15, found
    return found


def test_every_construct_takes_scope_id_and_one_props_dataclass() -> None:
    for cls in _constructs():
        init = vars(cls)["__init__"]
        params = list(inspect.signature(init).parameters.values())
        assert [p.name for p in params] == ["self", "scope", "id_", "props"], cls
        assert params[3].kind is inspect.Parameter.KEYWORD_ONLY, cls
        props_type: Any = inspect.get_annotations(init, eval_str=True)["props"]
        assert props_type.__name__.endswith("Props"), cls
        assert dataclasses.is_dataclass(props_type), props_type
        assert vars(props_type)["__dataclass_params__"].frozen, props_type


def test_no_construct_keeps_its_props() -> None:
    stored = [
        str(path.relative_to(ROOT))
        for path in _sources("modules", "stacks")
        if re.search(r"self\.props\s*=", path.read_text())
    ]
    assert not stored, f"read props in __init__, keep the resources: {stored}"


def test_one_policy_document_builder() -> None:
    builders = [
        str(path.relative_to(ROOT))
        for path in _sources(*SHIPPED)
        if '"Version": "2012-10-17"' in path.read_text()
    ]
    assert builders == ["policies/document.py"], builders


# --- one source for each name ----------------------------------------------------------------


def test_one_list_of_stacks() -> None:
    import main  # noqa: F401  (the loader is installed by conftest)
    from deploy import ordered
    from imports import handover, inventory
    from policies import ci
    from stacks import STACK_CLASSES

    assert [name for name, _, _ in STACK_CLASSES] == list(estate.STACKS)
    # the deploy orders the stacks an environment builds: all of them, a recovery's without edge
    assert ordered.config.load().stacks == estate.STACKS
    recovery = tuple(s for s in estate.STACKS if s != "edge")
    assert ordered.config.load("production-recovery").stacks == recovery
    assert handover.ADOPTED_STACKS is estate.ADOPTED_STACKS
    assert inventory.ADOPTED_STACKS is estate.ADOPTED_STACKS
    assert [row.stack for row in ci.APPLY] == list(estate.CI_STACKS)
    assert set(estate.CI_STACKS) | set(estate.PEOPLE_STACKS) == set(estate.STACKS)
    assert not set(estate.CI_STACKS) & set(estate.PEOPLE_STACKS)
    assert set(estate.DEPENDS_ON) == set(estate.STACKS)
    for name, needs in estate.DEPENDS_ON.items():  # each needs only stacks deployed before it
        assert all(estate.STACKS.index(n) < estate.STACKS.index(name) for n in needs), name
    matrix = yaml.safe_load((ROOT / ".github/workflows/infra-pr.yml").read_text())
    assert matrix["jobs"]["plan"]["strategy"]["matrix"]["stack"] == list(estate.PLANNED_STACKS)
    assert set(estate.ADOPTED_STACKS) | set(estate.NEW_STACKS) == set(estate.STACKS)
    assert not set(estate.ADOPTED_STACKS) & set(estate.NEW_STACKS)
    from review import plan_gate

    assert set(plan_gate.NEW_BY_DESIGN_STACKS) == set(estate.NEW_STACKS)


def test_no_other_list_of_the_stacks_in_code() -> None:
    literal = re.compile(r"""["']network["'],\s*["']data["'],\s*["']compute["']""")
    found = [
        str(path.relative_to(ROOT))
        for path in _sources(*SHIPPED, "scripts")
        if literal.search(path.read_text()) and path.name != "estate.py"
    ]
    assert not found, f"import config.estate.STACKS / ADOPTED_STACKS instead: {found}"


# Names of the live estate and production values: only config/ may spell them.
ESTATE_LITERALS = (
    "fluxion_production",
    "FluxionStackV2",
    "FluxionBackendTask",
    "/ecs/fluxion-",
    "fluxion-backups",
    "fluxion-ci-",
    "611395766952",
    "fluxionia.co",
    '"us-east-1"',
    "us-east-1a",
    "us-east-1b",
    'default="production"',
)


def test_estate_names_and_production_values_live_in_config() -> None:
    code = {path: _code_only(path) for path in _sources(*(p for p in SHIPPED if p != "config"))}
    found = [
        f"{path.relative_to(ROOT)}: {literal}"
        for path, text in code.items()
        for literal in ESTATE_LITERALS
        if literal in text
    ]
    assert not found, f"move these into config/ (estate.py or environments.py): {found}"


def _code_only(path: Path) -> str:
    """The file without its docstrings and comments (they may name the estate for readers)."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):  # every bare string: docstrings, attribute docstrings
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            node.value.value = ""
    return ast.unparse(tree)


CONFIG_DOMAINS = (
    "network",
    "database",
    "compute",
    "edge",
    "ci",
    "hardening",
    "environment",
    "cost",
)
"""config/<domain>.py: one module per domain, types and rules; values in environments.py."""
LIVE_VALUES = (
    "fluxion-vpc", "10.0.0.0/16", "fluxion-cluster", "fluxion-frontend-v4", "db.t3.medium",
    "03:00-04:00", "sun:04:00", "t3.micro", "8001", "131072", "fluxion_production",
)  # fmt: skip
"""Production values (config/environments.py) no type, rule or construct may carry."""


@pytest.mark.parametrize(
    "path", [f"config/{d}.py" for d in CONFIG_DOMAINS] + [str(p) for p in _sources("modules")]
)
def test_types_rules_and_constructs_hold_no_production_value(path: str) -> None:
    code = _code_only(ROOT / path)
    assert [value for value in LIVE_VALUES if value in code] == []


def test_the_production_values_are_in_the_environments_file() -> None:
    environments = (ROOT / "config/environments.py").read_text()
    assert [value for value in LIVE_VALUES if value not in environments] == []


def _config_classes() -> list[tuple[str, ast.ClassDef]]:
    found = []
    for domain in CONFIG_DOMAINS:
        path = ROOT / "config" / f"{domain}.py"
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ClassDef) and _field_docs(node):
                found.append((f"config/{domain}.py", node))
    return found


def test_every_config_field_is_documented_and_names_its_unit() -> None:
    classes = _config_classes()
    assert {cls.name for _, cls in classes} >= {
        "NetworkConfig", "DatabaseConfig", "ComputeConfig", "EdgeConfig", "CiConfig",
        "Hardening", "EnvironmentConfig", "EtlSchedule", "SiteConfig",
    }  # fmt: skip
    undocumented = [
        f"{where} {cls.name}.{name}"
        for where, cls in classes
        for name, (_, doc) in _field_docs(cls).items()
        if not doc and name != "RULES" and not name.isupper()
    ]
    unitless = [
        f"{where} {cls.name}.{name}"
        for where, cls in classes
        for name in _field_docs(cls)
        if NEEDS_UNIT.search(name)
        and not name.endswith(UNIT_SUFFIXES)
        and name not in ("log_retention", "performance_insights")  # switches, not quantities
    ]
    assert undocumented == []
    assert unitless == []


# --- placement -------------------------------------------------------------------------------

RESOLVER_STEPS = ("network", "security_groups", "data", "compute", "edge", "cloudflare")


@pytest.mark.parametrize("step", RESOLVER_STEPS)
def test_resolver_steps_do_not_import_each_other(step: str) -> None:
    tree = ast.parse((ROOT / f"imports/resolve/{step}.py").read_text())
    imported = {
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("imports.resolve")
    }
    assert imported <= {"imports.resolve.context", "imports.resolve.shared"}, imported


def test_the_loader_and_the_deploy_live_outside_the_constructs_and_the_gates() -> None:
    assert not list((ROOT / "modules").glob("*loader*"))
    assert (ROOT / "runtime/provider_loader.py").exists()
    assert not (ROOT / "review/deploy.py").exists()
    from config import ConfigError
    from deploy.errors import Refused

    assert not issubclass(Refused, ConfigError), "a refusal is not a configuration error"


# --- habits ----------------------------------------------------------------------------------


def _make_recipe(target: str) -> str:
    lines = (ROOT / "Makefile").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{target}:"))
    # `target: prerequisites ; recipe` or the recipe on the tab-indented lines below
    recipe = [lines[start].split(" ; ", 1)[1].strip()] if " ; " in lines[start] else []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        recipe.append(line.strip())
    assert recipe, target
    return "\n".join(recipe)


def test_every_pre_commit_hook_is_a_command_make_runs() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    assert {h["id"] for h in hooks} >= {"ruff", "ruff-format", "mypy", "mypy-strict", "zizmor"}
    make = _make_recipe("lint") + "\n" + _make_recipe("workflows")
    make = make.replace("$(SHIPPED)", " ".join(SHIPPED))
    for hook in hooks:
        # the hooks run in the default engine's venv: mypy's engine flag is cdktf's
        command = hook["entry"].replace(".venv/bin/", "$(VENV)/bin/")
        command = command.replace("--always-false CDKTN", "$(MYPY_ENGINE)")
        assert command in make, f"{hook['id']}: `{hook['entry']}` is not what make runs"


def test_coverage_measures_exactly_the_shipped_packages() -> None:
    import tomllib

    coverage = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["coverage"]["run"]
    assert sorted(coverage["source"]) == sorted(SHIPPED)
    on_disk = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "engines"}
    assert on_disk <= set(SHIPPED) | {"scripts", "imports_generated"}, on_disk - set(SHIPPED)


def test_make_test_measures_coverage_against_a_floor() -> None:
    recipe = _make_recipe("test")
    assert "coverage run" in recipe and "-m pytest" in recipe
    floor = re.search(r"COVERAGE_FLOOR\s*:?=\s*(\d+)", (ROOT / "Makefile").read_text())
    assert floor and int(floor[1]) >= 80, "a floor that means something"
    assert "--fail-under=$(COVERAGE_FLOOR)" in recipe
