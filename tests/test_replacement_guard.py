"""The replacement guard on git revisions made inside the test: a clone of this repo with the
working tree as it is committed on top (so an uncommitted change, a planted bug included, is
what runs), and the command run as CI runs it (`python -m review.replacement_guard`)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from review import replacement_guard as guard
from review.replacement_guard import compare
from tests.conftest import ROOT, run_main

GIT = ["git", "-c", "user.name=guard-test", "-c", "user.email=guard@test.invalid"]
PRIMARY = "aws_db_instance.postgres_primary_11FB0C6D"


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        [*GIT, "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout.strip()


def _edit(repo: Path, path: str, pattern: str, replacement: str) -> None:
    file = repo / path
    text, count = re.subn(pattern, replacement, file.read_text())
    assert count == 1, f"{pattern!r} not found exactly once in {path}"
    file.write_text(text)


def _commit(repo: Path, message: str) -> str:
    _git(repo, "commit", "-qam", message)
    return _git(repo, "rev-parse", "HEAD")


def _guard(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The command in the clone, as CI runs it; and `main()` in this process on the same
    clone (what mutation testing sees), which must say exactly the same."""
    env = dict(os.environ)
    env.pop("FLUXION_PROFILE", None)
    guard.ROOT = repo
    try:
        here = run_main("review.replacement_guard", *args, env=env, cwd=repo)
    finally:
        guard.ROOT = ROOT
    if "MUTANT_UNDER_TEST" in os.environ:  # `make mutants`: the same mutant either way, once
        return here
    proc = subprocess.run(
        [sys.executable, "-m", "review.replacement_guard", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert (here.returncode, here.stdout) == (proc.returncode, proc.stdout), here.stderr
    return proc


NOT_THE_TREE = shutil.ignore_patterns(".git", ".venv", ".tools", "node_modules", "cdktf.out",
                                      "mutants", "*.meta", "mutmut-stats.json", "__pycache__",
                                      ".*_cache")  # fmt: skip


@pytest.fixture
def repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Each test's own clone (tests run in any order: mutmut orders them by duration)."""
    clone = tmp_path_factory.mktemp("guard") / "repo"
    if not (ROOT / ".git").exists():
        # a tree without its history (mutmut's copy, `make mutants`): two commits of it
        shutil.copytree(ROOT, clone, ignore=NOT_THE_TREE)
        _git(clone, "init", "-q")
        _git(clone, "add", "-A")
        _git(clone, "commit", "-q", "-m", "the tree")
        _git(clone, "commit", "-q", "--allow-empty", "-m", "the working tree")
        yield clone
        return
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    listed = _git(ROOT, "ls-files", "-co", "--exclude-standard", "-z").split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, clone / name)
        elif (clone / name).exists():
            (clone / name).unlink()  # deleted in the working tree
    _git(clone, "add", "-A")
    _git(clone, "commit", "-q", "--allow-empty", "-m", "the working tree")
    yield clone


def _rename_the_primary(repo: Path) -> tuple[str, str]:
    """Commit a rename of the primary's construct ID; (the commit before, the rename)."""
    base = _git(repo, "rev-parse", "HEAD")
    _edit(
        repo,
        "modules/postgres.py",
        r'(def _primary\(.*\n(?:.*\n)*?        return DbInstance\(\s*self,\s*)"primary"',
        r'\1"main"',
    )
    # the inventory names construct paths: a rename updates it in the same change
    _edit(
        repo,
        "imports/inventory/production.json",
        r'"path": "postgres/primary"',
        '"path": "postgres/main"',
    )
    return base, _commit(repo, "rename the primary's construct ID")


def test_a_renamed_database_is_a_destroy_and_fails(repo: Path, tmp_path: Path) -> None:
    base, renamed = _rename_the_primary(repo)
    guard.ROOT = repo  # synthesize the clone's revisions
    try:
        old = guard.synthesize(base, None, tmp_path / "base")
        new = guard.synthesize(renamed, None, tmp_path / "head")
    finally:
        guard.ROOT = ROOT
    diffs = {d.stack: d for d in guard.compare_outputs(old, new)}
    assert PRIMARY in diffs["data"].removed
    assert diffs["data"].violations == [f"stateful {PRIMARY} would be destroyed (no `moved` block)"]
    assert all(not d.violations for name, d in diffs.items() if name != "data")
    assert "! stateful" in guard.report(list(diffs.values()))
    # the command, as the pull-request workflow runs it: one line says it, and it fails
    proc = _guard(repo, "--base", base, "--head", renamed)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "1 stateful resource(s) lost"
    assert f"! stateful {PRIMARY} would be destroyed" in proc.stdout


def test_the_cli_on_the_working_tree_with_a_move_and_a_change(repo: Path) -> None:
    """Default head is the working tree: the rename now carries its `moved` block."""
    base, _ = _rename_the_primary(repo)
    _edit(
        repo,
        "modules/postgres.py",
        r"(\n        self\.replica: DbInstance \| None = None)",
        rf'\n        self.primary.move_from_id("{PRIMARY}")\1',
    )
    _edit(
        repo,
        "config/environments.py",
        r"log_retention_days=7,(\n        image_tag)",
        r"log_retention_days=14,\1",
    )
    proc = _guard(repo, "--base", base)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{base} (default) -> WORKTREE (default)" in proc.stdout
    assert f"  - {PRIMARY} (moved to aws_db_instance.postgres_main_" in proc.stdout
    assert "  ~ aws_cloudwatch_log_group.backend_logs: retention_in_days" in proc.stdout
    assert "network: +0 -0 ~0" in proc.stdout
    assert "no stateful resource lost" in proc.stdout


def test_compare_units() -> None:
    def stack(**resources: dict[str, dict[str, object]]) -> dict[str, object]:
        return {"resource": resources}

    old = stack(aws_s3_bucket={"a": {"bucket": "x"}}, aws_iam_role={"r": {"name": "r"}})
    new = stack(aws_iam_role={"r2": {"name": "r"}})
    diff = compare("data", old, new)
    assert diff.removed == ["aws_iam_role.r", "aws_s3_bucket.a"]
    assert diff.violations == ["stateful aws_s3_bucket.a would be destroyed (no `moved` block)"]
    bad_move = dict(new, moved=[{"from": "aws_s3_bucket.a", "to": "aws_s3_bucket.gone"}])
    assert compare("data", old, bad_move).violations == [
        "stateful aws_s3_bucket.a moves to aws_s3_bucket.gone, which does not exist"
    ]


def test_a_force_new_change_on_a_stateful_resource_is_a_replacement() -> None:
    old = {"resource": {"aws_db_instance": {"db": {"db_name": "fluxion_production"}}}}
    new = {"resource": {"aws_db_instance": {"db": {"db_name": "fluxion"}}}}
    assert compare("data", old, new).violations == [
        "stateful aws_db_instance.db would be replaced (changes db_name)"
    ]
    # an ignored argument (the bridge's AMI) never plans a replacement
    old_wg = {
        "resource": {"aws_instance": {"wg": {"ami": "a", "lifecycle": {"ignore_changes": ["ami"]}}}}
    }
    new_wg = {
        "resource": {"aws_instance": {"wg": {"ami": "b", "lifecycle": {"ignore_changes": ["ami"]}}}}
    }
    assert compare("network", old_wg, new_wg).violations == []
