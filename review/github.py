"""The repository's GitHub settings, checked: every environment that can apply has reviewers.

    python -m review.github --repository owner/name      # make github-check

What owning a stack still allows cannot be taken away from its apply role (user data on the
bridge, a task definition with any image, a database change): a person must look before it
runs. GitHub enforces that with the environment's *required reviewers*, which live in the
repository's settings, not in this code, so this check reads them through the API
(`GET /repos/{repo}/environments`) and fails (exit 1, one line per problem) when an
environment whose role can change the estate:

- does not exist (the apply role's trust names it: a run could create it unprotected);
- has no required-reviewers rule, or one with no reviewer;
- lets its reviewer approve their own run (`prevent_self_review` off);
- can be deployed from any branch (no deployment branch policy).

`ENVIRONMENTS` lists them: each configured environment's four CI stacks' apply environments
(`network`, `staging-network`, ...), and its app `release` environment (checked in the app
repository with `--app`). A scheduled workflow runs it weekly
(`.github/workflows/github-check.yml`). Only the standard library (no install needed).
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from config.environments import ENVIRONMENTS as CONFIGURED
from config.errors import ExpectedError
from config.estate import CI_STACKS
from runtime import cli

Fetch = Callable[[str], Any]
"""GET one API path (`/repos/...`, query included) and return the decoded JSON."""
_WITH_CI = [env for env in CONFIGURED.values() if env.features.owns_account]
ENVIRONMENTS = tuple(env.ci.github_environment(stack) for env in _WITH_CI for stack in CI_STACKS)
"""This repository's environments whose runs can assume an apply role: each configured
environment's (`network`..., `staging-network`...)."""
APP_ENVIRONMENTS = tuple(env.ci.github_environment("release") for env in _WITH_CI)
"""The app repository's environments whose runs can assume the release role."""
READ_ENVIRONMENTS = tuple(env.ci.github_environment("drift") for env in _WITH_CI)
"""Environments whose runs assume the plan role (the drift report, staging's status check
before production's apply): no reviewer (they change nothing), but only from protected
branches, or any branch's workflow could hold the plan role and, with it, the state locks."""


class GitHubError(ExpectedError):
    """The API could not be asked (network, token, HTTP status): one line, exit 2."""


def api(base_url: str, token: str) -> Fetch:
    """GET from the GitHub REST API with `token`."""

    def fetch(path: str) -> Any:
        request = urllib.request.Request(
            base_url.rstrip("/") + path,
            headers={
                "Accept": "application/vnd.github+json",
                "Authorization": f"Bearer {token}",
                "X-GitHub-Api-Version": "2022-11-28",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.load(response)
        except urllib.error.HTTPError as err:
            raise GitHubError(f"GitHub API: GET {path}: HTTP {err.code}") from None
        except urllib.error.URLError as err:
            raise GitHubError(f"GitHub API: GET {path}: {err.reason}") from None

    return fetch


def from_environ() -> Fetch:
    """The API at `GITHUB_API_URL` (default github.com) with `GH_TOKEN` or `GITHUB_TOKEN`."""
    token = os.environ.get("GH_TOKEN") or os.environ.get("GITHUB_TOKEN") or ""
    if not token:
        raise GitHubError("GH_TOKEN: not set (a token that may read the repository's settings)")
    return api(os.environ.get("GITHUB_API_URL") or "https://api.github.com", token)


def problems(
    fetch: Fetch, repository: str, wanted: tuple[str, ...], branch_only: tuple[str, ...] = ()
) -> list[str]:
    """One line per environment of `wanted` that a run could use without a person's review,
    and per environment of `branch_only` that a run of any branch could use."""
    answer = fetch(f"/repos/{repository}/environments?per_page=100")
    found = {env["name"]: env for env in answer.get("environments", [])}
    lines = []
    for name in branch_only:
        env = found.get(name)
        if env is None:
            lines.append(f"{name}: no such environment: create it, deployable from main only")
        elif not env.get("deployment_branch_policy"):
            lines.append(f"{name}: deployable from any branch: restrict it to protected branches")
    for name in wanted:
        env = found.get(name)
        if env is None:
            lines.append(f"{name}: no such environment: create it with required reviewers")
            continue
        rules = [r for r in env.get("protection_rules", []) if r["type"] == "required_reviewers"]
        if not rules or not any(r.get("reviewers") for r in rules):
            lines.append(f"{name}: no required reviewers: a run applies without a person")
        elif not all(r.get("prevent_self_review") for r in rules):
            lines.append(f"{name}: reviewers may approve their own run (prevent self-review)")
        if not env.get("deployment_branch_policy"):
            lines.append(f"{name}: deployable from any branch: restrict it to protected branches")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = cli.command("python -m review.github", __doc__)
    parser.add_argument("--repository", required=True, help="owner/name")
    parser.add_argument(
        "--app", action="store_true", help="the app repository: check `release` instead"
    )
    args = cli.parse(parser, argv)
    wanted = APP_ENVIRONMENTS if args.app else ENVIRONMENTS
    read = () if args.app else READ_ENVIRONMENTS
    try:
        found = problems(from_environ(), args.repository, wanted, read)
    except GitHubError as err:
        return cli.one_line_error(err)
    for line in found:
        print(f"FAIL {args.repository}: {line}")
    if not found:
        branches = f"; {', '.join(read)} run from protected branches only" if read else ""
        print(
            f"ok {args.repository}: {', '.join(wanted)} each need a reviewer's approval{branches}"
        )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
