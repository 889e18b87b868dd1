"""Which plans a push to `main` may apply: the merged pull request's own reviewed run.

    python -m deploy.provenance --repository owner/name --commit <sha> --tree <tree> \\
        [--workflow .github/workflows/infra-pr.yml] [--stacks identity network ...] \\
        [--github-output "$GITHUB_OUTPUT"]

An artifact's name (`plan-<stack>-<tree>`) is chosen by whoever uploads it: any pull request's
run can upload one named after another change's tree, from a workflow file it edited itself.
So the deploy never searches artifacts by name. It asks the GitHub API, in order:

1. the pull request merged as this commit (`GET /repos/{repo}/commits/{sha}/pulls`): exactly
   one, merged, into `main` of this repository, whose `merge_commit_sha` is this commit, from a
   branch of this repository (not a fork);
2. that pull request's run of the pull-request workflow (`GET /repos/{repo}/actions/workflows/
   <file>/runs?head_sha=<its head>`): event `pull_request`, the workflow file's path, this
   repository, the pull request's head commit, the pull request among the run's, and a
   successful conclusion; the newest such run;
3. that run's artifacts (`GET /repos/{repo}/actions/runs/<id>/artifacts`): one
   `plan-<stack>-<tree>` per stack, not expired, uploaded by that run.

It prints and writes (`--github-output`) the run's ID and the artifact IDs to download. Any
step that does not hold refuses in one line (exit 2); nothing is downloaded. The plan's
content is checked after download by `deploy/reviewed_plan.py` (its SHA-256, and the
configuration inside `plan.bin` against what this checkout synthesizes).

Only the standard library: the deploy's `find-plans` job runs it before anything is installed.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deploy.errors import Refused
from review.github import Fetch, GitHubError, from_environ
from runtime import cli

WORKFLOW = ".github/workflows/infra-pr.yml"
BASE = "main"


@dataclass(frozen=True)
class Provenance:
    pull_request: int
    head_sha: str
    run_id: int
    artifacts: dict[str, int]
    """stack -> artifact ID."""


def merged_pull_request(fetch: Fetch, repository: str, commit: str) -> dict[str, Any]:
    """The pull request merged into `main` as `commit` (step 1)."""
    pulls = fetch(f"/repos/{repository}/commits/{commit}/pulls")
    merged = [
        p
        for p in pulls
        if p.get("merged_at")
        and p.get("merge_commit_sha") == commit
        and p.get("base", {}).get("ref") == BASE
        and p.get("base", {}).get("repo", {}).get("full_name") == repository
    ]
    if len(merged) != 1:
        raise Refused(
            f"commit {commit[:12]} is not the merge of exactly one pull request into {BASE} "
            f"(found {len(merged)}): a direct push was never reviewed; nothing is applied"
        )
    pr = merged[0]
    head_repo = pr.get("head", {}).get("repo") or {}
    if head_repo.get("full_name") != repository:
        raise Refused(
            f"pull request #{pr['number']} comes from {head_repo.get('full_name')!r}, not "
            f"{repository}: its runs had no plan role; plan it from a branch of {repository}"
        )
    return dict(pr)


def reviewed_run(
    fetch: Fetch, repository: str, pr: dict[str, Any], workflow: str
) -> dict[str, Any]:
    """The pull request's own successful run of `workflow` on its head commit (step 2)."""
    head = pr["head"]["sha"]
    name = Path(workflow).name
    answer = fetch(
        f"/repos/{repository}/actions/workflows/{name}/runs"
        f"?event=pull_request&head_sha={head}&per_page=100"
    )
    runs = [
        run
        for run in answer.get("workflow_runs", [])
        if run.get("path", "").split("@")[0] == workflow
        and run.get("event") == "pull_request"
        and run.get("head_sha") == head
        and run.get("repository", {}).get("full_name") == repository
        and (run.get("head_repository") or {}).get("full_name") == repository
        and pr["number"] in [p.get("number") for p in run.get("pull_requests", [])]
    ]
    if not runs:
        raise Refused(
            f"pull request #{pr['number']}: no run of {workflow} on its head {head[:12]}: "
            "nothing reviewed this change; re-run the pull-request workflow"
        )
    newest = max(runs, key=lambda run: (run.get("created_at", ""), run.get("id", 0)))
    if newest.get("conclusion") != "success":
        raise Refused(
            f"pull request #{pr['number']}: its newest {workflow} run {newest.get('id')} "
            f"ended {newest.get('conclusion')!r}, not success: nothing is applied"
        )
    return dict(newest)


def plan_artifacts(
    fetch: Fetch, repository: str, run: dict[str, Any], tree: str, stacks: list[str]
) -> dict[str, int]:
    """stack -> the ID of its `plan-<stack>-<tree>` artifact uploaded by `run` (step 3)."""
    answer = fetch(f"/repos/{repository}/actions/runs/{run['id']}/artifacts?per_page=100")
    found: dict[str, int] = {}
    for artifact in answer.get("artifacts", []):
        origin = artifact.get("workflow_run") or {}
        if artifact.get("expired") or origin.get("id") != run["id"]:
            continue
        if origin.get("head_sha", run["head_sha"]) != run["head_sha"]:
            continue
        for stack in stacks:
            if artifact.get("name") == f"plan-{stack}-{tree}":
                found[stack] = int(artifact["id"])
    missing = [s for s in stacks if s not in found]
    if missing:
        raise Refused(
            f"run {run['id']} has no plan of tree {tree[:12]} for {', '.join(missing)}: the "
            "pull request was not up to date with main when merged (or its plans expired); "
            "update it so the pull-request workflow plans this tree"
        )
    return found


def find(
    fetch: Fetch,
    repository: str,
    commit: str,
    tree: str,
    stacks: list[str],
    workflow: str = WORKFLOW,
) -> Provenance:
    pr = merged_pull_request(fetch, repository, commit)
    run = reviewed_run(fetch, repository, pr, workflow)
    artifacts = plan_artifacts(fetch, repository, run, tree, stacks)
    return Provenance(pr["number"], pr["head"]["sha"], int(run["id"]), artifacts)


def main(argv: list[str] | None = None) -> int:
    parser = cli.command("python -m deploy.provenance", __doc__)
    parser.add_argument("--repository", required=True, help="owner/name")
    parser.add_argument("--commit", required=True, help="the pushed commit (GITHUB_SHA)")
    parser.add_argument("--tree", required=True, help="its tree: git rev-parse 'HEAD^{tree}'")
    parser.add_argument("--stacks", nargs="+", required=True)
    parser.add_argument("--workflow", default=WORKFLOW)
    parser.add_argument("--github-output", type=Path, help="append key=value lines here")
    args = cli.parse(parser, argv)
    try:
        found = find(from_environ(), args.repository, args.commit, args.tree, args.stacks,
                     args.workflow)  # fmt: skip
    except (GitHubError, Refused) as err:
        return cli.one_line_error(err, "refused")
    lines = [
        f"pull_request={found.pull_request}",
        f"head_sha={found.head_sha}",
        f"run_id={found.run_id}",
        f"tree={args.tree}",
        *(f"artifact_{stack}={artifact}" for stack, artifact in found.artifacts.items()),
    ]
    print(
        f"reviewed: pull request #{found.pull_request} (head {found.head_sha[:12]}), "
        f"{args.workflow} run {found.run_id}: "
        + ", ".join(f"{s} artifact {a}" for s, a in found.artifacts.items())
    )
    if args.github_output:
        with args.github_output.open("a") as out:
            out.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
