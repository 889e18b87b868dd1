"""Ordered, guarded deploy and destroy of the synthesized stacks with Terraform.

    python -m deploy deploy [--stacks network data] [--auto-approve] [--dry-run]
    python -m deploy destroy --confirm production [--dry-run]

Deploys one stack at a time in dependency order (from the manifest: state -> network -> data
-> compute -> edge) with Terraform on the reviewed `cdktf.out/`: `init`, `plan -out`, the
guard on `show -json`, then `apply` of exactly that saved plan. Destroys in reverse, only with
`--confirm <environment name>`.

**The deploy guard** refuses, before anything runs, output that is not what was reviewed:
- a git tree with uncommitted changes, or `synth.json` of another commit than HEAD (what is
  deployed must be a commit, synthesized from it);
- other hardening switches or another environment than the one asked for (the environment's
  own switches in `config/environments.py`, or `--profile`'s preset);
- an incomplete adoption: the inventory says the estate exists (it has entries) yet a resource
  of an adopted stack has no import block (the first deploy would create a second copy of it).
  An empty inventory is a fresh environment: nothing is adopted and everything is created;
and, per stack, a plan that would create an address the inventory says exists, delete or
replace anything, when the gate says so (`review/plan_gate.py`). Each refusal says what to run.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import config
from config import ConfigError, EnvironmentConfig
from deploy.errors import Refused
from review.plan_gate import Verdict, created, gate
from runtime import cli, terraform
from runtime.git import git_state
from runtime.synthesized import Synthesized

ROOT = Path(__file__).resolve().parents[1]


def check_stamp(
    stamp: dict[str, Any],
    *,
    head: str | None,
    dirty: bool,
    expected: EnvironmentConfig,
    allow_dirty: bool = False,
) -> None:
    """The static half of the guard: is this output what was reviewed (`expected`: the
    environment's configuration at HEAD, or a profile's preset of it)?"""
    _check_configuration(stamp, expected)
    if not allow_dirty:
        _check_tree(stamp, head, dirty)
    if expected.hardening.immutable_images and stamp.get("image_tag", "latest") == "latest":
        raise Refused(
            "compute.image_tag: 'latest' with immutable images (hardening.immutable_images): "
            "set it to the commit SHA the app pipeline pushed (docs/ci-identity.md)"
        )
    _check_adoption(stamp)


def _check_configuration(stamp: dict[str, Any], expected: EnvironmentConfig) -> None:
    """Profile, hardening switches, provider pins and environment are the reviewed ones."""
    profile, environment = expected.profile, expected.name
    if stamp.get("profile") != profile:
        raise Refused(
            f"synth.json: profile {stamp.get('profile')!r} is not the reviewed {profile!r}: "
            f"run `make synth PROFILE={profile}` and review its plan"
        )
    if stamp.get("hardening", []) != list(expected.hardening.on()):
        raise Refused(
            f"synth.json: hardening switches {stamp.get('hardening', [])} are not the reviewed "
            f"{list(expected.hardening.on())} (config/environments.py): run `make synth` and "
            "review its plan"
        )
    if stamp.get("provider_pins", "estate") != "estate":
        raise Refused(
            f"synth.json: provider pins {stamp.get('provider_pins')!r} show a provider upgrade, "
            "they are not deployed: run `make synth`; to upgrade, edit "
            "config.estate.PROVIDER_VERSIONS (docs/cdk-terrain.md, stage 2)"
        )
    if stamp.get("environment") != environment:
        raise Refused(
            f"synth.json: environment {stamp.get('environment')!r} is not {environment!r}: "
            f"run `FLUXION_ENV={environment} make synth`"
        )


def check_account(expected: EnvironmentConfig, caller: Callable[[], str] | None = None) -> None:
    """The credentials are the environment's account's (STS `GetCallerIdentity`): staging's
    keys never apply production's plan, nor the reverse. No credentials, or expired ones, is
    one line that says so (not a Terraform error halfway through a stack)."""
    try:
        account = (caller or _caller_account)()
    except Exception as err:  # botocore's NoCredentialsError, ClientError (ExpiredToken), ...
        code = getattr(err, "response", {}).get("Error", {}).get("Code") or type(err).__name__
        raise Refused(
            f"credentials: none usable for {expected.name} ({code}): configure the "
            f"environment's credentials (account {expected.account_id}) and run again"
        ) from None
    if account != expected.account_id:
        raise Refused(
            f"credentials: account {account} is not {expected.name}'s ({expected.account_id}): "
            "use the environment's own credentials"
        )


def _caller_account() -> str:
    import boto3  # only when deploying: the static checks need no AWS

    return str(boto3.client("sts").get_caller_identity()["Account"])


def _check_tree(stamp: dict[str, Any], head: str | None, dirty: bool) -> None:
    """A clean tree, now and at synth time, at the commit that was synthesized."""
    if dirty or stamp.get("dirty"):
        raise Refused(
            "the git tree has uncommitted changes (now or at synth time): commit, "
            "`make synth`, review the plan, then deploy"
        )
    if stamp.get("commit") != head:
        raise Refused(
            f"synth.json: synthesized from {str(stamp.get('commit'))[:12]}, HEAD is "
            f"{str(head)[:12]}: run `make synth` and review the plan again"
        )


def _check_adoption(stamp: dict[str, Any]) -> None:
    """An estate the inventory says exists is deployed only once every resource is adopted."""
    adoption: dict[str, dict[str, list[str]]] = stamp.get("adoption", {})
    missing = [f"{s}: {a}" for s, info in sorted(adoption.items()) for a in info["missing"]]
    if stamp.get("inventory_entries", 0) and missing:
        shown = ", ".join(missing[:3]) + (
            f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        )
        raise Refused(
            f"adoption incomplete: the inventory says the estate exists, but {len(missing)} "
            f"resources have no import block ({shown}): run `make resolve`, review "
            "imports/resolved/, then `make synth`"
        )


def plan_guard(
    stack: str,
    plan: dict[str, Any],
    stamp: dict[str, Any],
    replacing: frozenset[str] = frozenset(),
) -> Verdict:
    """The per-stack half: the gate, plus no create of what the inventory says exists; the
    addresses a person asked to replace (`--replace`) may be replaced, and must be."""
    exists = frozenset(stamp.get("adoption", {}).get(stack, {}).get("imported", []))
    # A deploy (not an adoption) creates and changes what the reviewed code says.
    verdict = gate(
        stack,
        plan,
        new_by_design=created(plan) - exists,
        existing=exists,
        updates_reviewed=True,
        replacing=replacing,
    )
    replaced = {f.address for f in verdict.findings if f.verdict == "replaced as asked"}
    in_stack = {
        a for a in replacing if a in {rc["address"] for rc in plan.get("resource_changes", [])}
    }
    verdict.failures += [
        f"--replace {a}: the plan does not replace it" for a in sorted(in_stack - replaced)
    ]
    return verdict


def tainted(cwd: Path, extra_env: dict[str, str]) -> list[str]:
    """The managed addresses the stack's state marks tainted (`terraform state pull`)."""
    state = json.loads(terraform.run(["state", "pull"], cwd, extra_env) or "{}")
    return [
        f"{r['type']}.{r['name']}"
        for r in state.get("resources", [])
        if r.get("mode") == "managed"
        and any(i.get("status") == "tainted" for i in r.get("instances", []))
    ]


def untaint_message(stack: str, marked: list[str], why: str) -> str:
    """The refusal of a plan that replaces what an interrupted apply left tainted."""
    return (
        f"{stack}: {', '.join(marked)} tainted (an interrupted apply was creating "
        f"{'it' if len(marked) == 1 else 'them'}), {why}; nothing was applied: check "
        f"{'it' if len(marked) == 1 else 'them'} in AWS, then `python -m ops state-untaint "
        f"{stack} {' '.join(marked)}` and deploy again (or REPLACE=<address> to replace one)"
    )


@dataclass
class StackDeployer:
    """Runs Terraform for one stack directory; `confirm` asks before an apply."""

    outdir: Path
    extra_env: dict[str, str]
    confirm: Callable[[str], bool]
    replacing: frozenset[str] = frozenset()
    """Addresses to replace (`terraform plan -replace`), asked for by a person."""

    def plan_and_gate(self, stack: str, stamp: dict[str, Any]) -> tuple[Verdict, dict[str, Any]]:
        """Plan `stack` into deploy.tfplan and judge it; refuse when the guard says no."""
        cwd = Synthesized(self.outdir).stack_dir(stack)
        options = [f"-replace={address}" for address in sorted(self.replacing)]
        try:
            shown = terraform.saved_plan(cwd, "deploy.tfplan", self.extra_env, *options)
        except terraform.Locked:
            raise
        except ConfigError as err:
            if "prevent_destroy" in str(err) and (marked := tainted(cwd, self.extra_env)):
                why = "protected (prevent_destroy)"
                raise Refused(untaint_message(stack, marked, why)) from None
            raise
        plan = json.loads(shown)
        verdict = plan_guard(stack, plan, stamp, self.replacing)
        for line in verdict.lines():
            print(line, flush=True)
        if not verdict.passed:
            marked = sorted(
                rc["address"] for rc in plan.get("resource_changes", [])
                if rc.get("action_reason") == "replace_because_tainted"
                and rc["address"] not in self.replacing
            )  # fmt: skip
            if marked:
                raise Refused(untaint_message(stack, marked, "refused a replacement by the guard"))
            raise Refused(f"{stack}: the plan fails the guard; nothing was applied")
        return verdict, plan

    def deploy(self, stack: str, stamp: dict[str, Any]) -> Verdict:
        """The gated plan, confirmed, applied exactly (`deploy.tfplan`)."""
        verdict, plan = self.plan_and_gate(stack, stamp)
        cwd = Synthesized(self.outdir).stack_dir(stack)
        if sum(verdict.counts.values()) == 0 and not plan.get("output_changes"):
            return verdict
        if not self.confirm(f"apply this plan to {stack}?"):
            raise Refused(f"{stack}: not confirmed; nothing was applied")
        terraform.run(["apply", "-input=false", "-no-color", "deploy.tfplan"], cwd, self.extra_env)
        return verdict

    def destroy(self, stack: str) -> None:
        cwd = Synthesized(self.outdir).stack_dir(stack)
        terraform.run(["init", "-input=false", "-no-color"], cwd, self.extra_env)
        terraform.run(
            ["destroy", "-input=false", "-no-color", "-auto-approve"], cwd, self.extra_env
        )


def _parser() -> argparse.ArgumentParser:
    parser = cli.command("python -m deploy", __doc__)
    parser.add_argument("action", choices=("deploy", "destroy"))
    cli.out(parser)
    cli.environment(parser)
    cli.profile(parser)
    parser.add_argument("--stacks", nargs="+", help="deploy only these (still in order)")
    parser.add_argument("--confirm", help="destroy only: the environment's name, typed out")
    parser.add_argument(
        "--replace",
        nargs="+",
        default=[],
        metavar="ADDRESS",
        help="replace these resources (terraform plan -replace), e.g. the bridge after a key "
        "rotation; with --stacks, never with --auto-approve",
    )
    parser.add_argument("--auto-approve", action="store_true")
    parser.add_argument("--dry-run", action="store_true", help="check and print the order only")
    parser.add_argument(
        "--allow-dirty",
        action="store_true",
        help="emulated runs only: skip the clean-tree and commit checks",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = cli.parse(_parser(), argv)
    try:
        if args.action == "destroy" and args.confirm != args.environment:
            raise Refused(
                f"destroy needs --confirm {args.environment} (got {args.confirm!r}); "
                "stateful resources also carry prevent_destroy"
            )
        if args.replace and (not args.stacks or args.auto_approve or args.action != "deploy"):
            raise Refused(
                "--replace: a person replaces one stack's resources: give --stacks, and answer "
                "the question (no --auto-approve)"
            )
        synthesized = Synthesized(args.out)
        # every stack the environment builds (a recovery builds no edge) must be there
        stacks = synthesized.order(config.load(args.environment).stacks)
        if args.stacks:
            unknown = sorted(set(args.stacks) - set(stacks))
            if unknown:
                raise Refused(f"--stacks: {unknown} not in {args.out} (have {stacks})")
            stacks = [s for s in stacks if s in args.stacks]
        stamp = synthesized.stamp
        head, dirty = git_state(ROOT)
        check_stamp(
            stamp,
            head=head,
            dirty=dirty,
            expected=config.load(args.environment, profile=args.profile),
            allow_dirty=args.allow_dirty,
        )
    except (ConfigError, Refused) as err:
        return cli.one_line_error(err, "refused")
    sequence = stacks if args.action == "deploy" else list(reversed(stacks))
    print(f"{args.action} in order: {' -> '.join(sequence)}", flush=True)
    if args.dry_run:
        return 0
    try:
        check_account(config.load(args.environment))
    except Refused as err:
        return cli.one_line_error(err, "refused")
    deployer = StackDeployer(
        args.out,
        {},
        (lambda _q: True) if args.auto_approve else cli.confirm,
        frozenset(args.replace),
    )
    return run_stacks(deployer, args.action, sequence, stamp)


def run_stacks(
    deployer: StackDeployer, action: str, sequence: list[str], stamp: dict[str, Any]
) -> int:
    """Each stack in turn; the first that fails or is interrupted stops the run (one line)."""
    for stack in sequence:
        print(f"== {stack}", flush=True)
        try:
            with terraform.sigterm_interrupts():
                if action == "deploy":
                    deployer.deploy(stack, stamp)
                else:
                    deployer.destroy(stack)
        except (terraform.Interrupted, KeyboardInterrupt) as err:
            cli.one_line_error(err, "interrupted", message=interrupted_message(stack, err))
            return 130
        except (ConfigError, Refused) as err:
            cli.one_line_error(err, "stopped")
            return 1
    return 0


def interrupted_message(stack: str, err: BaseException) -> str:
    """What an interrupted stack means and what to run next (docs/operations.md, "Faults")."""
    what = str(err) or f"{stack}: interrupted between Terraform commands"
    return (
        f"{what}: Terraform stopped gracefully, wrote the state and released the lock; "
        f"run `make deploy-stack STACK={stack}` again (a resource it was creating may be left "
        "tainted: that deploy then names it, with the command that clears the taint)"
    )


if __name__ == "__main__":
    sys.exit(main())
