"""Who may assume the CI roles: GitHub's OIDC subjects of this repository (no static keys)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from config.checks import Pattern, Rule, validate

_REPOSITORY = r"[A-Za-z0-9-]+/[A-Za-z0-9._-]+"


@dataclass(frozen=True, kw_only=True)
class CiConfig:
    """Who may assume the CI roles (GitHub OIDC, no static keys). docs/ci-identity.md."""

    github_repository: str
    """`owner/name` of this repository on GitHub: the only one the infrastructure roles trust.
    Each stack's apply role trusts `repo:<this>:environment:<stack>` and nothing else; the
    plan role trusts this repository's pull requests."""
    environment_prefix: str = ""
    """What this environment's GitHub environments are named with: production's apply roles
    trust `environment:<stack>`, staging's (`staging-`) `environment:staging-<stack>`, so no
    run approved for one environment can assume the other's roles."""
    app_repository: str = ""
    """`owner/name` of the application repository whose `release` environment may assume the
    release role; empty = `github_repository` (a monorepo)."""

    RULES: ClassVar[tuple[Rule, ...]] = (
        Pattern("github_repository", _REPOSITORY, "is not owner/name"),
        Pattern("app_repository", _REPOSITORY, "is not owner/name"),
        Pattern(
            "environment_prefix",
            r"([a-z][a-z0-9]*-)?",
            "must be empty or lower-case and end in '-'",
        ),
    )

    def __post_init__(self) -> None:
        if not self.app_repository:
            object.__setattr__(self, "app_repository", self.github_repository)
        validate(self, "ci", self.RULES)

    def github_environment(self, name: str) -> str:
        """The GitHub environment `name` (`network`, `drift`, `release`) of this environment."""
        return f"{self.environment_prefix}{name}"
