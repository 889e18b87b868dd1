"""Apply exactly the plan that was reviewed.

    python -m deploy.reviewed_plan save  --stack network --to plans/   # the pull request job
    python -m deploy.reviewed_plan apply --stack network --from plans/ # the deploy job

`save` runs `terraform init` and `plan -out` in the stack's folder of `cdktf.out/` and writes
`<to>/<stack>/`: `plan.bin` (what gets applied), `plan.json` and `summary.txt` (what reviewers
read) and `metadata.json`: the stack, the git commit and *tree* it was made from, the time, the
SHA-256 of `plan.bin`, the Terraform version, the profile and environment.

`apply` refuses, in one line and before anything runs:
- metadata of another stack, profile or environment;
- a plan made from another git tree than this checkout (the tree, not the commit: a pull
  request that was up to date with `main` merges to the same tree under a new commit; one that
  was not has to be planned again), or from a checkout with uncommitted changes;
- a `plan.bin` whose SHA-256 is not the recorded one (changed after review);
- a plan older than `--max-age-hours` (default 24; the artifacts are kept 7 days);
- a `plan.bin` whose configuration is not what this checkout synthesizes: the plan file carries
  the root module it was made from (`tfconfig/m-/` in the zip), compared file by file, byte for
  byte, with the stack's folder (`cdktf.out/stacks/<stack>/cdk.tf.json`): metadata can be
  written by anyone who uploads an artifact; the configuration inside the plan is what
  Terraform applies;
- a plan the deploy guard refuses (`deploy/ordered.py:plan_guard`, re-read from `plan.bin`
  itself, not from the reviewed JSON);
- a plan with a change no CI role may make (`policies/people.py`: a backup bucket, a secret's
  settings; the `state` and `identity` stacks as a whole), with the command a person runs;
then `terraform apply plan.bin`. Which artifact is downloaded at all is decided before this
runs, from the GitHub API: the merged pull request's own run of `infra-pr.yml`
(`deploy/provenance.py`). Terraform itself refuses a saved plan whose state changed
since it was made ("Saved plan is stale"): a deploy in between means planning again.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import sys
import zipfile
from pathlib import Path
from typing import Any

import config
from config import ConfigError
from deploy.errors import Refused
from deploy.ordered import check_account, check_stamp, interrupted_message, plan_guard
from policies.people import needs_people
from review.plan_summary import summarize, table
from runtime import cli, terraform
from runtime.git import git_state, git_tree
from runtime.synthesized import Synthesized

ROOT = Path(__file__).resolve().parents[1]
PLAN = "plan.bin"
MAX_AGE_HOURS = 24.0


PLANNED_CONFIG = "tfconfig/m-/"
"""Where a saved plan (a zip) keeps the root module's configuration files it was planned from."""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_configuration(plan_file: Path, cwd: Path) -> None:
    """Refuse a plan made from another configuration than the one in `cwd` (this checkout's
    synthesized stack): every root-module file the plan carries, and no other, byte for byte."""
    try:
        with zipfile.ZipFile(plan_file) as plan:
            planned = {
                name.removeprefix(PLANNED_CONFIG): plan.read(name)
                for name in plan.namelist()
                if name.startswith(PLANNED_CONFIG) and not name.endswith("/")
            }
    except zipfile.BadZipFile:
        raise Refused(f"{plan_file.name}: not a Terraform plan file (not a zip)") from None
    if not planned:
        raise Refused(f"{plan_file.name}: not a Terraform plan file (no {PLANNED_CONFIG})")
    here = {p.name: p.read_bytes() for p in cwd.iterdir() if p.name.endswith((".tf", ".tf.json"))}
    differs = sorted(n for n in planned.keys() | here.keys() if planned.get(n) != here.get(n))
    if differs:
        raise Refused(
            f"{plan_file.name}: planned from another configuration than this checkout "
            f"synthesizes ({cwd.name}/{differs[0]} differs): not the reviewed change; nothing "
            "was applied"
        )


def check_people_only(stack: str, plan: dict[str, Any]) -> None:
    """Refuse a plan holding a change that no CI role may make (`policies/people.py`)."""
    needed = needs_people(stack, plan.get("resource_changes", []))
    if needed:
        shown = "; ".join(needed[:3]) + (f"; and {len(needed) - 3} more" if len(needed) > 3 else "")
        raise Refused(
            f"{stack}: {len(needed)} change(s) only a person may apply ({shown}): review the "
            f"plan, then `make deploy-stack STACK={stack}` with your own credentials"
        )


def terraform_version(cwd: Path) -> str:
    return str(json.loads(terraform.run(["version", "-json"], cwd))["terraform_version"])


def save(
    stack: str,
    cwd: Path,
    dest: Path,
    *,
    profile: str,
    environment: str,
    root: Path = ROOT,
    now: datetime.datetime | None = None,
    stamp: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Plan `cwd` and write the reviewed artifact to `dest`; returns the metadata."""
    commit, dirty = git_state(root)
    if dirty:
        raise Refused("the git tree has uncommitted changes: a saved plan must come from a commit")
    dest.mkdir(parents=True, exist_ok=True)
    plan_json = terraform.saved_plan(cwd, PLAN, None, "-lock-timeout=5m")
    plan = json.loads(plan_json)
    (dest / PLAN).write_bytes((cwd / PLAN).read_bytes())
    (dest / "plan.json").write_text(plan_json)
    verdict = plan_guard(stack, plan, stamp or {})
    people = [
        f"  needs a person: {line}"
        for line in needs_people(stack, plan.get("resource_changes", []))
    ]
    summary = "\n".join([table([summarize(stack, plan)]), *verdict.lines(), *people])
    (dest / "summary.txt").write_text(summary + "\n")
    metadata = {
        "stack": stack,
        "commit": commit,
        "tree": git_tree(root),
        "created_at": (now or datetime.datetime.now(datetime.UTC)).isoformat(),
        "plan_sha256": sha256(dest / PLAN),
        "terraform_version": terraform_version(cwd),
        "profile": profile,
        "environment": environment,
        "guard_passed": verdict.passed,
    }
    (dest / "metadata.json").write_text(json.dumps(metadata, indent=2) + "\n")
    return metadata


def check(
    metadata: dict[str, Any],
    plan_file: Path,
    *,
    stack: str,
    profile: str,
    environment: str,
    tree: str | None,
    dirty: bool,
    now: datetime.datetime,
    max_age_hours: float = MAX_AGE_HOURS,
) -> None:
    """Everything `apply` checks before Terraform runs (see the module docstring)."""
    for field, expected in (("stack", stack), ("profile", profile), ("environment", environment)):
        if metadata.get(field) != expected:
            raise Refused(
                f"metadata.json: {field} {metadata.get(field)!r} is not {expected!r}: "
                "this is another stack's or environment's plan"
            )
    if dirty:
        raise Refused("the git tree has uncommitted changes: apply from a clean checkout")
    if not tree or metadata.get("tree") != tree:
        raise Refused(
            f"metadata.json: planned from tree {str(metadata.get('tree'))[:12]} (commit "
            f"{str(metadata.get('commit'))[:12]}), this checkout is tree {str(tree)[:12]}: "
            "the change was not up to date with main when merged; plan it again"
        )
    if not plan_file.is_file():
        raise Refused(f"{plan_file} is missing: download the reviewed plan artifact")
    if sha256(plan_file) != metadata.get("plan_sha256"):
        raise Refused(f"{plan_file.name}: SHA-256 differs from metadata.json: changed after review")
    try:
        created_at = datetime.datetime.fromisoformat(str(metadata.get("created_at")))
    except ValueError:
        raise Refused(
            f"metadata.json: created_at {metadata.get('created_at')!r} is not a time"
        ) from None
    age = (now - created_at).total_seconds() / 3600
    if age > max_age_hours:
        raise Refused(
            f"metadata.json: the plan is {age:.1f} h old (limit {max_age_hours:g} h): plan again"
        )


def apply(
    stack: str,
    cwd: Path,
    source: Path,
    *,
    profile: str,
    environment: str,
    root: Path = ROOT,
    now: datetime.datetime | None = None,
    max_age_hours: float = MAX_AGE_HOURS,
    stamp: dict[str, Any] | None = None,
) -> None:
    """Check the reviewed artifact in `source`, then apply its `plan.bin` in `cwd`."""
    metadata_path = source / "metadata.json"
    if not metadata_path.is_file():
        raise Refused(f"{metadata_path} is missing: download the reviewed plan artifact")
    try:
        metadata = json.loads(metadata_path.read_text())
    except ValueError:
        raise Refused(f"{metadata_path}: not JSON") from None
    _, dirty = git_state(root)
    check(
        metadata,
        source / PLAN,
        stack=stack,
        profile=profile,
        environment=environment,
        tree=git_tree(root),
        dirty=dirty,
        now=now or datetime.datetime.now(datetime.UTC),
        max_age_hours=max_age_hours,
    )
    terraform.run(["init", "-input=false", "-no-color"], cwd)
    version = terraform_version(cwd)
    if version != metadata.get("terraform_version"):
        raise Refused(
            f"metadata.json: planned with Terraform {metadata.get('terraform_version')}, "
            f"this is {version}"
        )
    check_configuration(source / PLAN, cwd)
    (cwd / PLAN).write_bytes((source / PLAN).read_bytes())
    plan = json.loads(terraform.run(["show", "-json", PLAN], cwd))
    verdict = plan_guard(stack, plan, stamp or {})
    for line in verdict.lines():
        print(line, flush=True)
    if not verdict.passed:
        raise Refused(f"{stack}: the reviewed plan fails the guard; nothing was applied")
    check_people_only(stack, plan)
    try:
        terraform.run(["apply", "-input=false", "-no-color", PLAN], cwd)
    except ConfigError as err:
        if "Saved plan is stale" in str(err):
            raise Refused(
                f"{stack}: Saved plan is stale: the state changed after this plan was made "
                "(another deploy); nothing was applied: plan it again"
            ) from None
        raise


def main(argv: list[str] | None = None) -> int:
    parser = cli.command("python -m deploy.reviewed_plan", __doc__)
    parser.add_argument("action", choices=("save", "apply"))
    parser.add_argument("--stack", required=True)
    cli.out(parser)
    parser.add_argument("--to", type=Path, help="save: folder for <stack>/ artifacts")
    parser.add_argument("--from", dest="source", type=Path, help="apply: folder with <stack>/")
    cli.environment(parser)
    cli.profile(parser)
    parser.add_argument("--max-age-hours", type=float, default=MAX_AGE_HOURS)
    args = cli.parse(parser, argv)
    try:
        expected = config.load(args.environment, profile=args.profile)
        synthesized = Synthesized(args.out)
        cwd = synthesized.stack_dir(args.stack)
        stamp = synthesized.stamp
        if args.action == "save":
            if args.to is None:
                raise Refused("save needs --to <folder>")
            check_account(expected)  # a plan made with another environment's credentials
            meta = save(
                args.stack,
                cwd,
                args.to / args.stack,
                profile=expected.profile,
                environment=args.environment,
                stamp=stamp,
            )
            print((args.to / args.stack / "summary.txt").read_text(), end="")
            return 0 if meta["guard_passed"] else 1
        if args.source is None:
            raise Refused("apply needs --from <folder>")
        head, dirty = git_state(ROOT)
        # what was synthesized here is this commit, in the reviewed profile and environment
        check_stamp(stamp, head=head, dirty=dirty, expected=expected)
        check_account(expected)
        with terraform.sigterm_interrupts():  # a cancelled job: Terraform stops gracefully
            apply(
                args.stack,
                cwd,
                args.source / args.stack,
                profile=expected.profile,
                environment=args.environment,
                max_age_hours=args.max_age_hours,
                stamp=stamp,
            )
    except (terraform.Interrupted, KeyboardInterrupt) as err:
        return cli.one_line_error(err, "interrupted", message=interrupted_message(args.stack, err))
    except (ConfigError, Refused) as err:
        return cli.one_line_error(err, "refused")
    return 0


if __name__ == "__main__":
    sys.exit(main())
