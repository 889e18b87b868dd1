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
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from config import ConfigError, EnvironmentConfig
from config.estate import ADOPTED_STACKS, CI_STACKS
from review.plan_gate import Verdict, created, gate, new_by_design
from runtime import terraform
from runtime.engine import ENGINES
from runtime.git import git_state
from runtime.synthesized import Synthesized

ROOT = Path(__file__).resolve().parents[2]
ADOPTED = ADOPTED_STACKS

UNCOVERED = {
    "cloudflare": (
        "no Cloudflare provider on this machine and no network: the edge stack's Cloudflare "
        "zone lookup and DNS records are neither deployed nor adopted here"
    ),
}
"""Parts of the estate the emulated run cannot cover, by provider."""

READ_BACK_GAPS: dict[tuple[str, str], str] = {
    ("aws_db_instance", "performance_insights_enabled"): (
        "rds-performance-insights: moto's RDS has no Performance Insights (it accepts "
        "EnablePerformanceInsights and never returns PerformanceInsightsEnabled), so the "
        "hardened instances read back as without it"
    ),
    ("aws_db_instance", "performance_insights_retention_period"): (
        "rds-performance-insights: the same gap on an instance created with Performance "
        "Insights (staging, the recovery): moto returns no PerformanceInsightsRetentionPeriod"
    ),
}
"""(type, attribute) -> the moto read-back gap that makes a plan show it. Reviewed like code:
each entry names what moto returns differently from AWS."""


def emulator_env(url: str, account_id: str) -> dict[str, str]:
    """The only difference from a production run: where AWS is, and test credentials."""
    # No AWS_* of the caller's; no TF_CLI_CONFIG_FILE either: every Terraform call then gets
    # the project's own CLI config (runtime/terraform.py), whoever started the run.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("AWS_") and k != "TF_CLI_CONFIG_FILE"
    }
    env.update(
        AWS_ENDPOINT_URL=url,
        AWS_ACCESS_KEY_ID="emulator",
        AWS_SECRET_ACCESS_KEY="emulator",
        AWS_REGION="us-east-1",
        AWS_DEFAULT_REGION="us-east-1",
        MOTO_ACCOUNT_ID=account_id,
        # The emulator never throttles unless `make faults` arms it: a moto server error (an
        # unmodelled case) fails boto3's calls (ops, the account check) after 3 attempts. The
        # AWS provider ignores this (its own bound is config.estate.PROVIDER_MAX_RETRIES).
        AWS_MAX_ATTEMPTS="3",
    )
    return env


@dataclass
class Step:
    name: str
    seconds: float
    output: str = ""
    code: int = 0


@dataclass(frozen=True)
class Phase:
    """One named part of the run and its wall-clock seconds (`Run.phase`)."""

    name: str
    seconds: float


@dataclass
class Run:
    """Everything one emulated run produced, for the tests to assert on."""

    work: Path
    env: dict[str, str]
    steps: list[Step] = field(default_factory=list)
    left_out: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    """profile -> stack -> the Cloudflare parts left out of it."""
    replan: dict[str, Verdict] = field(default_factory=dict)
    adoption: dict[str, Verdict] = field(default_factory=dict)
    after_adoption: dict[str, Verdict] = field(default_factory=dict)
    declared: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    """profile -> stack -> the managed addresses it declares (Cloudflare's left out)."""
    resolver_notes: list[str] = field(default_factory=list)
    plans: list[Path] = field(default_factory=list)
    secrets: dict[str, str] = field(default_factory=dict)
    guard_refusal: str = ""
    negative: Verdict | None = None
    views: dict[str, dict[str, Any]] = field(default_factory=dict)
    """CI role name -> the policy moto evaluated for it (`view_of`)."""
    as_roles: dict[str, Verdict] = field(default_factory=dict)
    """`<role key>/<stack>` -> the verdict of a plan made with that CI role's credentials."""
    denied: dict[str, str] = field(default_factory=dict)
    """Attacker probe -> moto's answer (an error code, or `allowed`)."""
    rollout: dict[str, dict[str, Any]] = field(default_factory=dict)
    """stack -> the adopt -> hardened plan."""
    rollout_by: dict[str, str] = field(default_factory=dict)
    """stack -> who applied its rollout: its apply role, or a person (people's stacks, and
    plans with a change only people make)."""
    hardened: dict[str, Verdict] = field(default_factory=dict)
    """stack -> the plan role's verdict on the hardened output after the rollout."""
    engine_moved: dict[str, Verdict] = field(default_factory=dict)
    """stack -> the plan role's verdict on the adopted estate synthesized by the other engine."""
    ops: dict[str, tuple[int, str]] = field(default_factory=dict)
    """`python -m ops` runs after adoption: name -> (exit status, output)."""
    phases: list[Phase] = field(default_factory=list)
    """Where the time went, in order (`phase_table`)."""
    initialized: set[Path] = field(default_factory=set)
    """Stack folders `terraform init` already ran in (their backend does not change)."""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def log(self, line: str) -> None:
        with self._lock:  # plans run in parallel threads
            print(line, flush=True)
            with (self.work / "e2e-report.txt").open("a") as report:
                report.write(line + "\n")

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Time a named part of the run (it ends up in the phase table)."""
        started = time.monotonic()
        try:
            yield
        finally:
            self.phases.append(Phase(name, time.monotonic() - started))

    def phase_table(self, total: float) -> str:
        """Markdown: each phase's seconds and share of `total` (the run's wall clock)."""
        lines = ["| phase | seconds | share |", "|---|---:|---:|"]
        lines += [
            f"| {p.name} | {p.seconds:.0f} | {100 * p.seconds / total:.0f}% |" for p in self.phases
        ]
        accounted = sum(p.seconds for p in self.phases)
        lines.append(f"| (between phases) | {total - accounted:.0f} | "
                     f"{100 * (total - accounted) / total:.0f}% |")  # fmt: skip
        lines.append(f"| **total** | **{total:.0f}** | 100% |")
        return "\n".join(lines)

    def operate(
        self,
        *verb: str,
        environment: str | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 600,
    ) -> tuple[int, str]:
        """`python -m ops [--environment E] --yes <verb>` against this run's emulator, as the
        runbook gives it, with the run's keys unless `env` says whose; its exit code and output
        (also logged, with its seconds). The one way the emulated runs call `ops`."""
        started = time.monotonic()
        where = ["--environment", environment] if environment else []
        proc = subprocess.run(
            [sys.executable, "-m", "ops", *where, "--endpoint-url", self.env["AWS_ENDPOINT_URL"],
             "--yes", *verb],
            cwd=ROOT, env=env or self.env, capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip
        out = proc.stdout + proc.stderr
        said = f"ops {' '.join(verb)} ({environment or 'production'}): exit {proc.returncode}"
        self.log(f"[{time.monotonic() - started:6.1f} s] {said}\n{out.strip()}")
        return proc.returncode, out

    def timed(
        self,
        name: str,
        command: list[str],
        ok: tuple[int, ...] = (0,),
        extra_env: dict[str, str] | None = None,
        **env: str,
    ) -> Step:
        started = time.monotonic()
        proc = subprocess.run(
            command,
            cwd=ROOT,
            env={**self.env, **(extra_env or {}), **env},
            capture_output=True,
            text=True,
        )
        step = Step(name, time.monotonic() - started, proc.stdout + proc.stderr, proc.returncode)
        self.steps.append(step)
        (self.work / f"{name}.log").write_text(step.output)
        self.log(f"[{step.seconds:6.1f} s] {name}: exit {proc.returncode}")
        if proc.returncode not in ok:
            raise AssertionError(f"{name} failed (exit {proc.returncode}):\n{step.output[-3000:]}")
        return step


@contextmanager
def environment_run(work: Path, env: EnvironmentConfig) -> Iterator[Run]:
    """A run of `env` (staging, its faults) in an emulator of its own, in `env`'s account;
    one running task per ECS service (their backends want 1). The emulator's log is
    `work/emulator.log`; it is stopped when the run ends."""
    from tests.moto_server import moto_server

    with (
        (work / "emulator.log").open("wb") as log,
        moto_server(
            env.account_id, patched=True, log=log, settings={"MOTO_ECS_SERVICE_RUNNING": "1"}
        ) as url,  # fmt: skip
    ):
        yield Run(work, {**emulator_env(url, env.account_id), "FLUXION_ENV": env.name})


def synthesize(
    run: Run, name: str, inventory_root: Path, profile: str = "adopt", engine: str = ""
) -> Path:
    """`python main.py` into work/<name>, with that inventory and profile (and another engine,
    in its own venv, when `engine` names one); Cloudflare parts left out."""
    out = run.work / name / "cdktf.out"
    out.parent.mkdir(parents=True, exist_ok=True)
    run.timed(
        f"synth-{name}",
        [str(ROOT / ENGINES[engine].python) if engine else sys.executable, "main.py"],
        CDKTF_OUTDIR=str(out),
        FLUXION_INVENTORY_ROOT=str(inventory_root),
        extra_env={"FLUXION_ENGINE": engine} if engine else None,
        FLUXION_PROFILE=profile,
    )
    for stack_name, stack in Synthesized(out).stacks().items():
        path = out / "stacks" / stack_name / "cdk.tf.json"
        if "cloudflare" in stack.get("provider", {}):
            stripped, removed = terraform.without_provider(stack, "cloudflare")
            path.write_text(json.dumps(stripped, indent=2))
            run.left_out.setdefault(profile, {})[stack_name] = sorted(removed)
        run.declared.setdefault(profile, {})[stack_name] = sorted(
            f"{rtype}.{name}"
            for rtype, items in json.loads(path.read_text()).get("resource", {}).items()
            for name in items
        )
    return out


def database_password(run: Run) -> dict[str, str]:
    """The primary's master password variables (`adopt` sets it; a random value per run)."""
    password = run.secrets.setdefault("db_master_password", secrets.token_urlsafe(24))
    return {"TF_VAR_db_master_password": password, "TF_VAR_db_master_password_version": "1"}


def deploy(
    run: Run, out: Path, stacks: tuple[str, ...] = (), role_env: dict[str, str] | None = None
) -> None:
    """The user's path: the ordered, guarded deploy (`python -m deploy deploy`), of
    `stacks` (all when empty), with a CI role's credentials when `role_env` is given."""
    _head, dirty = git_state(ROOT)
    run.timed(
        "deploy" + "".join(f"-{s}" for s in stacks),
        [
            sys.executable,
            "-m",
            "deploy.ordered",
            "deploy",
            "--out",
            str(out),
            "--auto-approve",
            *(["--stacks", *stacks] if stacks else []),
            # A development tree is usually dirty; CI's clean checkout runs the full guard.
            *(["--allow-dirty"] if dirty else []),
        ],
        extra_env={**(role_env or {}), **database_password(run)},
    )


def deploy_with_cdktf(run: Run, inventory_root: Path, stack: str, role_env: dict[str, str]) -> Step:
    """The cdktf user's path: `python -m deploy.cdktf deploy <stack>` (`make cdktf ARGS=...`):
    the wrapper synthesizes its own output (here a folder of its own, with the run's inventory:
    a stack without Cloudflare parts), gates a plan, then the pinned cdktf CLI deploys it."""
    _head, dirty = git_state(ROOT)
    out = run.work / f"cdktf-{stack}" / "cdktf.out"
    return run.timed(
        f"cdktf-deploy-{stack}",
        [
            sys.executable,
            "-m",
            "deploy.cdktf",
            "deploy",
            stack,
            "--auto-approve",
            "--output",
            str(out),
            *(["--allow-dirty"] if dirty else []),
        ],
        extra_env={**role_env, **database_password(run)},
        FLUXION_INVENTORY_ROOT=str(inventory_root),
        FLUXION_PROFILE="adopt",
    )


def plan(
    run: Run, out: Path, stack: str, label: str, role_env: dict[str, str] | None = None
) -> dict[str, Any]:
    """`terraform plan -out` and `show -json` in one stack of `out`, with the emulator's
    administrator keys or, given `role_env`, a CI role's credentials. A folder is initialized
    once per run (its backend never changes)."""
    cwd = Synthesized(out).stack_dir(stack)
    shown = terraform.saved_plan(
        cwd, f"{label}.tfplan", {**run.env, **(role_env or {})}, init=cwd not in run.initialized
    )
    run.initialized.add(cwd)
    saved = run.work / "plans" / f"{label}-{stack}.json"
    saved.parent.mkdir(exist_ok=True)
    saved.write_text(shown)
    run.plans.append(saved)
    return dict(json.loads(shown))


def apply(
    run: Run, out: Path, stack: str, label: str, role_env: dict[str, str] | None = None
) -> None:
    """Apply the plan `plan(..., label)` saved, with the emulator's administrator keys or,
    given `role_env`, a CI role's credentials."""
    cwd = Synthesized(out).stack_dir(stack)
    terraform.run(
        ["apply", "-input=false", "-no-color", f"{label}.tfplan"], cwd,
        {**run.env, **(role_env or {})},
    )  # fmt: skip


def planned_verdict(
    run: Run,
    out: Path,
    stack: str,
    label: str,
    phase: str,
    role_env: dict[str, str] | None = None,
) -> Verdict:
    """Plan one stack and judge it; a stack that cannot be planned (its producer was not
    adopted, a CI role denied a read, say) is a failing verdict naming why, and the run goes on."""
    try:
        the_plan = plan(run, out, stack, label, role_env)
    except ConfigError as err:
        verdict = Verdict(stack, failures=[f"not planned: {err}"])
        for line in verdict.lines():
            run.log(f"{phase}: {line}")
        return verdict
    return judged(run, stack, the_plan, phase)


PARALLEL_PLANS = 3
"""Plans of independent stacks run this many at a time (Terraform and the provider are separate
processes; the emulator is threaded): two cores stay busy while one plan waits on the other."""


def plan_each(
    run: Run,
    stacks: tuple[str, ...] | list[str],
    one: Callable[[str], Any],
) -> dict[str, Any]:
    """`one(stack)` for every stack, `PARALLEL_PLANS` at a time; results by stack, in order.
    Only for plans that read (no stack's plan depends on another's apply)."""
    with ThreadPoolExecutor(max_workers=PARALLEL_PLANS) as pool:
        futures = {stack: pool.submit(one, stack) for stack in stacks}
        return {stack: futures[stack].result() for stack in stacks}


def judged(run: Run, stack: str, the_plan: dict[str, Any], phase: str) -> Verdict:
    verdict = gate(stack, the_plan, new_by_design=new_by_design(stack, created(the_plan)),
                   gaps=READ_BACK_GAPS)  # fmt: skip
    for line in verdict.lines():
        run.log(f"{phase}: {line}")
    return verdict


CI_ROLES = {"plan": "fluxion-ci-plan", **{s: f"fluxion-ci-apply-{s}" for s in CI_STACKS}}
"""The CI identities the role-split phase plans through (the state stack created them)."""


def _admin(run: Run, service: str) -> Any:
    import boto3

    return boto3.client(service, endpoint_url=run.env["AWS_ENDPOINT_URL"], region_name="us-east-1",
                        aws_access_key_id="emulator", aws_secret_access_key="emulator")  # fmt: skip


MOTO_S3_NAMES = {
    "s3:ListBucket": ["s3:HeadBucket"],
    "s3:GetBucketPublicAccessBlock": ["s3:GetPublicAccessBlock"],
    "s3:PutBucketPublicAccessBlock": ["s3:PutPublicAccessBlock", "s3:DeletePublicAccessBlock"],
}
"""IAM's S3 action -> the names moto checks for the same call (moto 5.2.5's S3 ACTION_MAP).
Sub-resources moto does not name (encryption, ownershipControls, replication, object-lock...)
are checked as `s3:ListBucket` (GET) and `s3:CreateBucket` (PUT), which the roles that manage
a bucket hold on it anyway."""


MOTO_PREFIXES = {"cloudwatch": "monitoring"}
"""IAM's service prefix -> the one moto checks (moto 5.2.5 names an action by the endpoint's
prefix: CloudWatch's API is `monitoring.<region>.amazonaws.com`, so a plan role allowed
`cloudwatch:DescribeAlarms` was refused `monitoring:DescribeAlarms`; found by this run)."""


def _moto_names(action: str) -> list[str]:
    """The other names moto checks for `action` (`MOTO_S3_NAMES`, `MOTO_PREFIXES`)."""
    service, _, name = action.partition(":")
    renamed = [f"{MOTO_PREFIXES[service]}:{name}"] if service in MOTO_PREFIXES else []
    return MOTO_S3_NAMES.get(action, []) + renamed


def view_of(statements: list[dict[str, Any]]) -> dict[str, Any]:
    """What moto can evaluate of a CI role's statements (its "emulator view").

    moto checks every call's action against the caller's Allow and Deny statements, but it
    passes a resource ARN only for S3 (other services are asked about `*`), and it treats an
    Allow whose condition it cannot read as a Deny. So the view keeps every statement and its
    actions, keeps the resources of S3 statements and of every Deny, widens the resources of
    the other Allow statements to `*` and drops their conditions, and adds moto's names for
    the actions it names otherwise (`MOTO_S3_NAMES`, `MOTO_PREFIXES`), to Allows and Denies.
    What an emulated run through the views proves: each role's action lists cover every call
    Terraform makes for its stack, the guardrail's Denies hold, and S3 (state objects, lock
    files, buckets) is scoped by ARN.
    Non-S3 resource scoping, `iam:PassedToService` and `iam:PermissionsBoundary` are tested
    as data (tests/test_ci_identity.py)."""
    view = []
    for original in statements:
        statement = dict(original)
        actions = statement.get("Action", [])
        actions = actions if isinstance(actions, list) else [actions]
        s3_only = bool(actions) and all(a.startswith("s3:") for a in actions)
        if statement["Effect"] == "Allow" and not s3_only:
            statement["Resource"] = "*"
            statement.pop("Condition", None)
        aliases = [alias for a in actions for alias in _moto_names(a)]
        if aliases:
            statement["Action"] = actions + aliases
        view.append(statement)
    return {"Version": "2012-10-17", "Statement": view}


@contextmanager
def role_split(
    run: Run, roles: dict[str, str] | None = None
) -> Iterator[dict[str, dict[str, str]]]:
    """Every CI role on its emulator view, moto's IAM enforcement on; yields each role's
    credentials (`CI_ROLES` keys). On exit: enforcement off, the roles' own policies back
    (so the `state` stack plans no drift)."""
    iam = _admin(run, "iam")
    roles = roles or CI_ROLES
    saved: dict[str, tuple[dict[str, str], list[str]]] = {}
    for role in roles.values():
        inline = {
            name: json.dumps(iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"])
            for name in iam.list_role_policies(RoleName=role)["PolicyNames"]
        }
        attached = [
            a["PolicyArn"]
            for a in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
        ]
        saved[role] = (inline, attached)
        statements = [s for doc in inline.values() for s in json.loads(doc)["Statement"]]
        for arn in attached:
            version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
            document = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]
            statements += document["Document"]["Statement"]
            iam.detach_role_policy(RoleName=role, PolicyArn=arn)
        for name in inline:
            iam.delete_role_policy(RoleName=role, PolicyName=name)
        run.views[role] = view_of(statements)
        iam.put_role_policy(RoleName=role, PolicyName="emulator-view",
                            PolicyDocument=json.dumps(run.views[role]))  # fmt: skip
    credentials = {key: assume(run, role) for key, role in roles.items()}
    enforce_iam(run, True)
    try:
        yield credentials
    finally:
        enforce_iam(run, False)
        for role, (inline, attached) in saved.items():
            iam.delete_role_policy(RoleName=role, PolicyName="emulator-view")
            for name, document in inline.items():
                iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=document)
            for arn in attached:
                iam.attach_role_policy(RoleName=role, PolicyArn=arn)


Probe = tuple[str, str, str, dict[str, Any]]
"""(CI role key, service, call, arguments): an attacker's move through that role."""


def probe(run: Run, probes: dict[str, Probe], credentials: dict[str, dict[str, str]],
          label: str) -> None:  # fmt: skip
    """Each probe through the CI role it names; moto's answer is recorded in `run.denied`."""
    import boto3

    for name, (role, service, call, arguments) in probes.items():
        keys = credentials[role]
        client = boto3.client(
            service, endpoint_url=run.env["AWS_ENDPOINT_URL"], region_name="us-east-1",
            aws_access_key_id=keys["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=keys["AWS_SECRET_ACCESS_KEY"],
            aws_session_token=keys["AWS_SESSION_TOKEN"],
        )  # fmt: skip
        try:
            getattr(client, call)(**arguments)
            run.denied[name] = "allowed"
        except client.exceptions.ClientError as err:
            # moto's denial of a JSON or REST service may carry no code: the status does
            status = err.response["ResponseMetadata"]["HTTPStatusCode"]
            run.denied[name] = f"{err.response['Error'].get('Code') or '-'} (HTTP {status})"
        run.log(f"{label}: {name}: {run.denied[name]}")


def assume(run: Run, role_name: str) -> dict[str, str]:
    """Credentials of `role_name` the way GitHub's OIDC token gets them. moto does not check
    the token or the trust policy's `sub` (the trust is tested as data in
    tests/test_ci_identity.py); what it does check is every later call against the role."""
    iam, sts = _admin(run, "iam"), _admin(run, "sts")
    arn = iam.get_role(RoleName=role_name)["Role"]["Arn"]
    credentials = sts.assume_role_with_web_identity(
        RoleArn=arn, RoleSessionName=f"e2e-{role_name}", WebIdentityToken="emulated-oidc-token"
    )["Credentials"]
    return {
        "AWS_ACCESS_KEY_ID": credentials["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"],
        "AWS_SESSION_TOKEN": credentials["SessionToken"],
    }


def enforce_iam(run: Run, on: bool) -> None:
    """Switch moto's IAM enforcement on (every request is checked against its caller's
    policies) or off. moto evaluates Allow and Deny by action for every service, and by
    resource ARN for S3 only; other services are asked about `*`, and a conditioned Allow
    never matches (docs/ci-identity.md, "What the emulated run proves")."""
    import urllib.request

    request = urllib.request.Request(
        f"{run.env['AWS_ENDPOINT_URL']}/moto-api/reset-auth",
        data=b"0" if on else b"inf",
        method="POST",
        headers={"Content-Type": "text/plain"},  # a form body would be parsed away
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
