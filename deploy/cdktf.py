"""The pinned cdktf CLI, with the deploy guard in front of what changes the estate.

    make cdktf ARGS="diff network"        # cdktf's plan of one stack (passed through)
    make cdktf ARGS="deploy network"      # guarded, then cdktf's own plan and prompt
    make cdktf ARGS="list"                # anything else: passed through

`cdktf deploy <stack>` on its own refuses a stack whose dependencies are not in the same run
("dependencies are not included in the stacks to run: state"). Here every stack reads its
producers through their remote state, so deploying one stack is the normal case: `deploy`
passes `--ignore-missing-stack-dependencies`. Before it, the same guard as `python -m deploy`:
a fresh synth (with its `synth.json`), the static checks (a committed, clean tree; the
environment's reviewed hardening switches; no half-done adoption) and the plan gate on a plan
of each named stack made just before; a refusal is one line, exit 2, and nothing is applied.
cdktf then plans again, shows it and asks (`--skip-synth`: it deploys exactly that synth;
`--auto-approve` skips the question, as with cdktf alone).

Which to use: `make deploy-stack STACK=<stack>` applies exactly the plan the gate judged (the
guarded path CI and the runbooks use); `make cdktf ARGS="deploy <stack>"` is for people used to
cdktf's own flow, gated on a plan made seconds before cdktf's. `destroy` is refused with a
pointer to `make destroy`, which asks for the environment's name.

What cannot go around the guard: `apply` (cdktf's alias of deploy) is guarded the same way;
`watch` (deploys on every file change) is refused; a changing verb after a global flag
(`--log-level debug deploy x`) is refused; `--var`/`--var-file` are refused (the guard's plan
and cdktf's must see the same variables: TF_VAR_*); the folder the guard judged (`-o`,
`--output=`, or CDKTF_OUTPUT) is named to cdktf explicitly.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import config
from config.estate import STACKS
from deploy.errors import Refused
from deploy.ordered import StackDeployer, check_stamp
from runtime import cli, terraform
from runtime.git import git_state
from runtime.synthesized import Synthesized

ROOT = Path(__file__).resolve().parents[1]
GUARD_FLAGS = ("--allow-dirty",)
"""Flags this wrapper takes for itself (emulated runs); everything else goes to cdktf."""
VALUE_FLAGS = ("--outputs-file", "--parallelism", "--terraform-parallelism", "-o", "--output")
"""cdktf deploy's flags that take the next word as their value (not a stack)."""
REFUSED_FLAGS = {
    "--skip-synth": "the guard synthesizes and judges that synth, then cdktf deploys it",
    "-a": "the app is main.py, which the guard runs",
    "--app": "the app is main.py, which the guard runs",
    "--var": "variables come from TF_VAR_*, so the guard's plan and cdktf's see the same",
    "--var-file": "variables come from TF_VAR_*, so the guard's plan and cdktf's see the same",
}
CHANGING = {
    "deploy": "",  # guarded
    "apply": "",  # cdktf's alias of deploy: guarded the same way
    "destroy": "use `make destroy CONFIRM=<environment>` (in reverse order)",
    "watch": 'it deploys on every file change, with no review: use ARGS="deploy <stack>"',
}
"""cdktf's verbs that change the estate; every other verb passes through."""


def cdktf(args: list[str]) -> int:
    """The pinned cdktf CLI (node_modules) with the project's Terraform settings (the CLI
    config with the provider mirror and plugin cache, no telemetry), as every Terraform call."""
    env = terraform.terraform_env({"CHECKPOINT_DISABLE": "1"})
    return subprocess.run(["npx", "--no-install", "cdktf", *args], cwd=ROOT, env=env).returncode


def guard(stacks: list[str], *, allow_dirty: bool, out: Path = ROOT / "cdktf.out") -> int:
    """Synthesize, then the deploy guard: the static checks and each stack's plan gate."""
    if not stacks:
        raise Refused("deploy: name the stacks (cdktf deploy network); `make deploy` does all")
    unknown = sorted(set(stacks) - set(STACKS))
    if unknown:
        raise Refused(f"deploy: {unknown} are not stacks (have {', '.join(STACKS)})")
    synth = subprocess.run([sys.executable, "main.py"], cwd=ROOT, env={**os.environ,
                           "CDKTF_OUTDIR": str(out)}, capture_output=True, text=True)  # fmt: skip
    if synth.returncode != 0:
        last = (synth.stderr.strip().splitlines() or [f"exit {synth.returncode}"])[-1]
        raise Refused(f"synth: {last}")
    synthesized = Synthesized(out)
    head, dirty = git_state(ROOT)
    expected = config.from_environ(os.environ)  # what main.py just synthesized from
    check_stamp(synthesized.stamp, head=head, dirty=dirty, expected=expected,
                allow_dirty=allow_dirty)  # fmt: skip
    gate = StackDeployer(out, {}, lambda _question: False)
    for stack in stacks:
        print(f"== {stack}: the deploy guard's plan gate", flush=True)
        gate.plan_and_gate(stack, synthesized.stamp)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    verb = args[0] if args else ""
    if verb not in CHANGING:
        if CHANGING.keys() & set(args):  # `--log-level debug deploy x` would skip the guard
            return _refuse('cdktf: name the verb first (ARGS="deploy network --auto-approve")')
        return cdktf(args)
    if CHANGING[verb]:
        return _refuse(f"cdktf {verb}: {CHANGING[verb]}")
    allow_dirty = "--allow-dirty" in args
    rest: list[str] = []
    for arg in args[1:]:  # `--output=x` as `--output x`
        flag, is_pair, value = arg.partition("=")
        rest += [flag, value] if is_pair and flag.startswith("-") else [arg]
    rest = [a for a in rest if a not in GUARD_FLAGS]
    refused = [a for a in rest if a in REFUSED_FLAGS]
    if refused:
        return _refuse(f"cdktf {verb} {refused[0]}: {REFUSED_FLAGS[refused[0]]}")
    stacks = [
        a
        for i, a in enumerate(rest)
        if not a.startswith("-") and (i == 0 or rest[i - 1] not in VALUE_FLAGS)
    ]
    out = Path(os.environ.get("CDKTF_OUTPUT") or ROOT / "cdktf.out")
    for i, arg in enumerate(rest[:-1]):
        if arg in ("-o", "--output"):
            out = Path(rest[i + 1])
    out = out.resolve()
    kept = [a for i, a in enumerate(rest) if a not in ("-o", "--output")
            and (i == 0 or rest[i - 1] not in ("-o", "--output"))]  # fmt: skip
    status = cli.run(lambda: guard(stacks, allow_dirty=allow_dirty, out=out))
    if status != 0:
        return status
    # the folder the guard judged, named explicitly (CDKTF_OUTPUT could name another)
    return cdktf(["deploy", *kept, "--output", str(out), "--skip-synth",
                  "--ignore-missing-stack-dependencies"])  # fmt: skip


def _refuse(message: str) -> int:
    return cli.one_line_error(Refused(message), "refused")


if __name__ == "__main__":
    sys.exit(main())
