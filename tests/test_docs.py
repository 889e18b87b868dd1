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
