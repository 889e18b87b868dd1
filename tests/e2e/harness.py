"""The emulated estate: deploy every stack into moto, re-plan, adopt it back, gate each plan.

Used by `tests/e2e/test_emulated_estate.py` (`make e2e`). The project's configuration is not
changed for the emulator: the same synthesized JSON as production is deployed, and only the
process environment points Terraform, the S3 backend, the remote states and the resolver at
the emulator (`AWS_ENDPOINT_URL`, test credentials). What the emulator cannot do is listed by
name (`UNCOVERED`, `READ_BACK_GAPS`, `tests/e2e/emulator.py:GAPS`), never dropped silently.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from config import ConfigError
from review import terraform
from review.plan_gate import Verdict, created, gate, new_by_design
from review.provenance import git_state

ROOT = Path(__file__).resolve().parents[2]
ADOPTED = ("network", "data", "compute", "edge")

UNCOVERED = {
    "cloudflare": (
        "no Cloudflare provider on this machine and no network: the edge stack's Cloudflare "
        "zone lookup and DNS records are neither deployed nor adopted here"
    ),
}
"""Parts of the estate the emulated run cannot cover, by provider."""

READ_BACK_GAPS: dict[tuple[str, str], str] = {}
"""(type, attribute) -> the moto read-back gap that makes a plan show it. Reviewed like code:
each entry names what moto returns differently from AWS."""


def emulator_env(url: str, account_id: str) -> dict[str, str]:
    """The only difference from a production run: where AWS is, and test credentials."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ENDPOINT_URL=url,
        AWS_ACCESS_KEY_ID="emulator",
        AWS_SECRET_ACCESS_KEY="emulator",
        AWS_REGION="us-east-1",
        AWS_DEFAULT_REGION="us-east-1",
        MOTO_ACCOUNT_ID=account_id,
    )
    return env


@dataclass
class Step:
    name: str
    seconds: float
    output: str = ""


@dataclass
class Run:
    """Everything one emulated run produced, for the tests to assert on."""

    work: Path
    env: dict[str, str]
    steps: list[Step] = field(default_factory=list)
    left_out: dict[str, list[str]] = field(default_factory=dict)
    replan: dict[str, Verdict] = field(default_factory=dict)
    adoption: dict[str, Verdict] = field(default_factory=dict)
    after_adoption: dict[str, Verdict] = field(default_factory=dict)
    declared: dict[str, list[str]] = field(default_factory=dict)
    resolver_notes: list[str] = field(default_factory=list)
    plans: list[Path] = field(default_factory=list)
    secrets: dict[str, str] = field(default_factory=dict)
    guard_refusal: str = ""
    negative: Verdict | None = None

    def log(self, line: str) -> None:
        print(line, flush=True)
        with (self.work / "e2e-report.txt").open("a") as report:
            report.write(line + "\n")

    def timed(self, name: str, command: list[str], ok: tuple[int, ...] = (0,), **env: str) -> Step:
        started = time.monotonic()
        proc = subprocess.run(
            command,
            cwd=ROOT,
            env={**self.env, **env},
            capture_output=True,
            text=True,
        )
        step = Step(name, time.monotonic() - started, proc.stdout + proc.stderr)
        self.steps.append(step)
        (self.work / f"{name}.log").write_text(step.output)
        self.log(f"[{step.seconds:6.1f} s] {name}: exit {proc.returncode}")
        if proc.returncode not in ok:
            raise AssertionError(f"{name} failed (exit {proc.returncode}):\n{step.output[-3000:]}")
        return step


def synthesize(run: Run, name: str, inventory_root: Path) -> Path:
    """`python main.py` into work/<name>, with that inventory; Cloudflare parts left out."""
    out = run.work / name / "cdktf.out"
    out.parent.mkdir(parents=True, exist_ok=True)
    run.timed(
        f"synth-{name}",
        [sys.executable, "main.py"],
        CDKTF_OUTDIR=str(out),
        FLUXION_INVENTORY_ROOT=str(inventory_root),
    )
    for stack_name, stack in terraform.synthesized(out).items():
        path = out / "stacks" / stack_name / "cdk.tf.json"
        if "cloudflare" in stack.get("provider", {}):
            stripped, removed = terraform.without_provider(stack, "cloudflare")
            path.write_text(json.dumps(stripped, indent=2))
            run.left_out[stack_name] = sorted(removed)
        run.declared[stack_name] = sorted(
            f"{rtype}.{name}"
            for rtype, items in json.loads(path.read_text()).get("resource", {}).items()
            for name in items
        )
    return out


def deploy(run: Run, out: Path) -> None:
    """The user's path: the ordered, guarded deploy (`python -m review.deploy deploy`)."""
    _head, dirty = git_state(ROOT)
    password = secrets.token_urlsafe(24)
    run.secrets["db_master_password"] = password
    run.timed(
        "deploy",
        [
            sys.executable,
            "-m",
            "review.deploy",
            "deploy",
            "--out",
            str(out),
            "--auto-approve",
            # A development tree is usually dirty; CI's clean checkout runs the full guard.
            *(["--allow-dirty"] if dirty else []),
        ],
        TF_VAR_db_master_password=password,
        TF_VAR_db_master_password_version="1",
    )


def plan(run: Run, out: Path, stack: str, label: str) -> dict[str, Any]:
    """`terraform plan -out` and `show -json` in one stack of `out` (already initialized)."""
    cwd = terraform.stack_dir(out, stack)
    plan_file = f"{label}.tfplan"
    terraform.run(["init", "-input=false", "-no-color"], cwd, run.env)
    terraform.run(["plan", "-input=false", "-no-color", f"-out={plan_file}"], cwd, run.env)
    shown = terraform.run(["show", "-json", plan_file], cwd, run.env)
    saved = run.work / "plans" / f"{label}-{stack}.json"
    saved.parent.mkdir(exist_ok=True)
    saved.write_text(shown)
    run.plans.append(saved)
    return dict(json.loads(shown))


def apply(run: Run, out: Path, stack: str, label: str) -> None:
    cwd = terraform.stack_dir(out, stack)
    terraform.run(["apply", "-input=false", "-no-color", f"{label}.tfplan"], cwd, run.env)


def planned_verdict(run: Run, out: Path, stack: str, label: str, phase: str) -> Verdict:
    """Plan one stack and judge it; a stack that cannot be planned (its producer was not
    adopted, say) is a failing verdict naming why, and the run goes on."""
    try:
        the_plan = plan(run, out, stack, label)
    except ConfigError as err:
        verdict = Verdict(stack, failures=[f"not planned: {err}"])
        for line in verdict.lines():
            run.log(f"{phase}: {line}")
        return verdict
    return judged(run, stack, the_plan, phase)


def judged(run: Run, stack: str, the_plan: dict[str, Any], phase: str) -> Verdict:
    verdict = gate(stack, the_plan, new_by_design=new_by_design(stack, created(the_plan)),
                   gaps=READ_BACK_GAPS)  # fmt: skip
    for line in verdict.lines():
        run.log(f"{phase}: {line}")
    return verdict
