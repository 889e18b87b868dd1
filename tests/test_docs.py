"""The docs: a short README that links into docs/, links that resolve, a current diagram."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_the_readme_is_a_front_door() -> None:
    lines = (ROOT / "README.md").read_text().splitlines()
    assert len(lines) <= 150, len(lines)
    linked = set(LINK.findall("\n".join(lines)))
    for page in sorted((ROOT / "docs").glob("*.md")):
        assert f"docs/{page.name}" in linked, f"the README does not link {page.name}"


def test_every_relative_link_resolves_and_none_leaves_the_repository() -> None:
    checked = 0
    for doc in DOCS:
        for target in LINK.findall(doc.read_text()):
            if target.startswith(("http://", "https://", "#")):
                continue
            path = (doc.parent / target.split("#", 1)[0]).resolve()
            assert path.is_relative_to(ROOT), f"{doc.name}: {target} leaves the repository"
            assert path.exists(), f"{doc.name}: {target} does not exist"
            checked += 1
    assert checked >= 15
    for doc in DOCS:
        assert "/".join(("..", "shared")) not in doc.read_text(), doc.name


def test_the_architecture_diagram_is_current(synth_dir: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "scripts/diagram.py", "--check", "--out", str(synth_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "network -->|" in (ROOT / "docs/architecture.md").read_text()


def test_the_diagram_check_fails_when_out_of_date(synth_dir: Path, tmp_path: Path) -> None:
    stale = tmp_path / "architecture.md"
    text = (ROOT / "docs/architecture.md").read_text()
    stale.write_text(text.replace("compute -->|", "compute ---|"))
    proc = subprocess.run(
        [sys.executable, "scripts/diagram.py", "--check", "--out", str(synth_dir),
         "--doc", str(stale)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 1
    assert "the diagram is out of date: run `make docs`" in proc.stderr


def test_every_test_the_docs_name_exists() -> None:
    """`test_x.py::test_y` (and `::test_z` after it on the same line) in any doc is a real test:
    a claim backed by a named test stays backed."""
    import re

    named = 0
    missing = []
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for line in doc.read_text().splitlines():
            current = None
            for file, name in re.findall(r"(?:tests/)?(test_\w+\.py)?::(test_\w+)", line):
                current = file or current
                if current is None:
                    continue
                path = next(ROOT.glob(f"tests/**/{current}"), None)
                named += 1
                if path is None or f"def {name}(" not in path.read_text():
                    missing.append(f"{doc.name}: {current}::{name}")
    assert named > 30
    assert not missing, missing
