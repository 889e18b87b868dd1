"""Where a synthesized output came from: the git commit, its tree, whether it was clean."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def git_state(root: Path = ROOT) -> tuple[str | None, bool]:
    """(HEAD commit, whether the tree has uncommitted changes); (None, True) outside git."""
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        status = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None, True
    return head, bool(status.strip())


def git_tree(root: Path = ROOT) -> str | None:
    """The tree hash of HEAD: the same for a pull request's head and its up-to-date merge."""
    try:
        return subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD^{tree}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
