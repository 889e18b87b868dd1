"""The README's arrows, as a test: which package may import which (every import, including
the ones inside functions). A new arrow is a change to this table and to the README's line."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT, make_variable

ALLOWED = {
    "config": set(),
    "runtime": {"config"},
    "policies": {"config"},
    "modules": {"policies", "runtime", "config"},
    "stacks": {"modules", "policies", "runtime", "config"},
    "app": {"stacks", "imports", "runtime", "config"},
    "main": {"app", "imports", "runtime", "config"},
    # the tools: read config, runtime and the synthesized output, never app, a stack or a module
    "imports": {"runtime", "config"},
    "review": {"policies", "runtime", "config"},
    "deploy": {"review", "policies", "runtime", "config"},
    "ops": {"runtime", "config"},
    "scripts": {"runtime", "config"},
}
"""Package -> the project packages it may import."""


def imports_of(files: list[Path], known: set[str]) -> dict[str, set[str]]:
    """Top-level project packages each file imports (absolute imports; the project has no other)."""
    found: dict[str, set[str]] = {}
    for file in files:
        for node in ast.walk(ast.parse(file.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            else:
                continue
            for name in names:
                if name.split(".")[0] in known:
                    where = file.relative_to(ROOT) if file.is_relative_to(ROOT) else file
                    found.setdefault(str(where), set()).add(name.split(".")[0])
    return found


def _files(package: str) -> list[Path]:
    return [ROOT / "main.py"] if package == "main" else sorted((ROOT / package).rglob("*.py"))


def test_every_shipped_package_has_a_row() -> None:
    assert set(make_variable("SHIPPED").split()) | {"main", "scripts"} == set(ALLOWED)


def test_the_arrows_run_one_way() -> None:
    wrong = []
    for package, allowed in ALLOWED.items():
        for file, imported in imports_of(_files(package), set(ALLOWED)).items():
            for other in sorted(imported - allowed - {package}):
                wrong.append(f"{file} imports {other}")
    assert not wrong, f"against the README's arrows: {wrong}"


def test_the_table_has_no_cycle() -> None:
    def below(package: str, seen: tuple[str, ...]) -> None:
        assert package not in seen, f"cycle: {' -> '.join((*seen, package))}"
        for other in ALLOWED[package]:
            below(other, (*seen, package))

    for package in ALLOWED:
        below(package, ())


def test_the_readme_states_the_same_arrows() -> None:
    readme = " ".join((ROOT / "README.md").read_text().split())
    assert "`main` -> `app` -> `stacks` -> `modules` -> `policies` -> `config`" in readme
    assert "never `app`, a stack or a module" in readme


def test_the_check_sees_a_wrong_arrow(tmp_path: Path) -> None:
    wrong = tmp_path / "x.py"
    wrong.write_text("def f():\n    from stacks.data import DataStack\n    import deploy.ordered\n")
    assert imports_of([wrong], set(ALLOWED)) == {str(wrong): {"stacks", "deploy"}}
