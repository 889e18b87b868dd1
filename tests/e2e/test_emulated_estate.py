"""`make e2e`: the whole estate deployed into moto, re-planned, then adopted back.

One emulated run (module fixture), then assertions on what it produced:
1. deploy `state` and `identity` with the administrator's keys (people apply them: the CI
   identity, the workload roles), then, with moto's IAM enforcement on, network -> data ->
   compute -> edge, each with its own CI apply role's credentials, except `data`'s first build,
   which creates the backup buckets (people's: no CI role writes a backup bucket), through
   `python -m deploy` (the path docs/operations.md gives users), each stack's S3 state and
   remote states on the emulator;
2. re-plan every stack: nothing that would call AWS;
3. adoption round trip: the workload states are set aside (as if Terraform had never run),
   the read-only resolver writes the only inventory, the project synthesizes with it, and each
   stack is planned on fresh state, gated, and its imports applied, in order;
4. the deploy guard refuses the adoption output while the Cloudflare records are not adopted;
5. negative control: one live attribute changed behind Terraform's back fails the gate;
6. the plan role plans every adopted stack with enforcement on, and attacker probes through the
   CI roles are denied (docs/ci-identity.md, "What the emulated run proves"); then it plans
   the adopted estate synthesized by the other engine (docs/cdk-terrain.md: the engine move,
   providers kept), which must change nothing;
7. the `hardened` rollout on the adopted estate: each stack's hardened plan applied through
   its own CI apply role with IAM enforced, destroying only what `hardened` drops or
   `review/replacements.json` acknowledges, then every stack planned again by the plan role;
8. no secret value in any state or plan.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

import config
from config.estate import PEOPLE_STACKS, PLANNED_STACKS, PRIMARY, STACKS, schedule_key
from config.monitoring import alarms
from deploy import ordered as deploy_module
from policies.people import needs_people
from review import plan_gate
from review.replacement_guard import load_acknowledgements
from review.stateful import STATEFUL_TYPES
from runtime.engine import ENGINE, ENGINES
from runtime.synthesized import Synthesized
from tests.e2e import emulator, harness
from tests.moto_server import moto_server

ROOT = Path(__file__).resolve().parents[2]
PROD = config.load()
STATE_BUCKET = PROD.state_bucket
SENTRY_MARKER = "https://emulated-dsn-marker@sentry.invalid/1"
FORCED_ALARM = "fluxion-production-primary-cpu"
"""The alarm the run forces into ALARM (`set_alarm_state`) for `ops status` and `ops alarms`."""
CDKTF_PATH = "network"
"""The stack the fresh deploy sends through `make cdktf ARGS="deploy network"` (the others
through `make deploy`)."""
(OTHER_ENGINE,) = set(ENGINES) - {ENGINE.name}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[harness.Run]:
    work = tmp_path_factory.mktemp("e2e")
    started = time.monotonic()
    with (
        (work / "emulator.log").open("wb") as log,
        # the backend runs its desired tasks (moto starts none by default): `ops status` healthy
        moto_server(
            PROD.account_id,
            patched=True,
            log=log,
            settings={"MOTO_ECS_SERVICE_RUNNING": str(PROD.compute.desired_count)},
        ) as url,
    ):
        run = harness.Run(work, harness.emulator_env(url, PROD.account_id))
        run.log(f"work dir (logs, plans, states, e2e-report.txt): {work}")
        run.log(f"emulator: {url}; patched moto gaps: {', '.join(emulator.GAPS)}")
        for provider, why in harness.UNCOVERED.items():
            run.log(f"uncovered: {provider}: {why}")
        _deploy_and_replan(run)
        _adopt_back(run)
        with run.phase("negative control"):
            _negative_control(run)
        _through_the_ci_roles(run)
        _roll_out_hardened(run)
        _report(run, time.monotonic() - started)
        yield run  # the tests read the emulator: it stops after them
        teardown = time.monotonic()
    run.log(f"teardown (emulator stopped): {time.monotonic() - teardown:.0f} s")


def _report(run: harness.Run, total: float) -> None:
    """The phase table, and in GitHub Actions the job summary (the table and the plan lines)."""
    table = run.phase_table(total)
    run.log(f"e2e wall time: {total:.0f} s\n{table}")
    phases = json.dumps(
        {"total_seconds": round(total, 1),
         "phases": [{"name": p.name, "seconds": round(p.seconds, 1)} for p in run.phases]},
        indent=2)  # fmt: skip
    (run.work / "phases.json").write_text(phases)
    kept = ROOT / ".tools" / "e2e" / "phases.json"  # the last run's, for make bench-loop
    kept.parent.mkdir(parents=True, exist_ok=True)
    kept.write_text(phases)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        lines = (run.work / "e2e-report.txt").read_text().splitlines()
        plan_lines = [line for line in lines if ": PASS" in line or ": FAIL" in line
                      or line.startswith("hardened:")]  # fmt: skip
        with open(summary, "a") as out:
            out.write(f"## make e2e: {total:.0f} s\n\n{table}\n\n```\n")
            out.write("\n".join(plan_lines) + "\n```\n")


def _client(run: harness.Run, service: str) -> Any:
    return boto3.client(service, endpoint_url=run.env["AWS_ENDPOINT_URL"], region_name="us-east-1",
                        aws_access_key_id="emulator", aws_secret_access_key="emulator")  # fmt: skip


def _client_as(run: harness.Run, service: str, keys: dict[str, str]) -> Any:
    """A client with one CI role's temporary credentials (from `harness.role_split`)."""
    return boto3.client(
        service,
        endpoint_url=run.env["AWS_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id=keys["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=keys["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=keys["AWS_SESSION_TOKEN"],
    )


def _deploy_and_replan(run: harness.Run) -> None:
    empty = run.work / "no-inventory"
    (empty / "inventory").mkdir(parents=True)
    (empty / "inventory" / f"{PROD.name}.json").write_text(
        json.dumps(
            {
                "environment": PROD.name,
                "account_id": PROD.account_id,
                "region": PROD.region,
                "nothing_to_adopt": "a fresh emulated account: every resource is created",
            }
        )
    )
    with run.phase("synthesize (fresh)"):
        fresh = harness.synthesize(run, "fresh", empty)
    for stack, removed in run.left_out["adopt"].items():
        run.log(f"uncovered: {stack}: {len(removed)} Cloudflare parts: {', '.join(removed)}")
    for stack in STACKS:  # in order: people's (the CI identity, the workload roles, and
        # last the monitoring) by a person, the others by their apply roles
        if stack in PEOPLE_STACKS:
            with run.phase(f"fresh deploy: {stack} (a person)"):
                harness.deploy(run, fresh, (stack,))
            continue
        # moto races on concurrent rule writes to one security group (seen once as
        # InvalidPermission.Duplicate): the network stack is applied one call at a time.
        serial = {"TF_CLI_ARGS_apply": "-parallelism=1"} if stack == "network" else {}
        if stack == "data":  # its first build creates the backup buckets: a person's
            with run.phase("fresh deploy: data (a person: the backup buckets)"):
                harness.deploy(run, fresh, (stack,))
            continue
        phase = run.phase(f"fresh deploy: {stack} (its apply role)")
        with phase, harness.role_split(run) as credentials:
            if stack == CDKTF_PATH:  # the cdktf user's path, through the same guard
                harness.deploy_with_cdktf(run, empty, stack, {**credentials[stack], **serial})
            else:
                harness.deploy(run, fresh, (stack,), {**credentials[stack], **serial})
    # The runbook's out-of-band step: the Sentry DSN is put by hand, never by Terraform.
    _client(run, "ssm").put_parameter(
        Name="/fluxion/etl/sentry-dsn", Type="SecureString", Value=SENTRY_MARKER
    )
    run.secrets["sentry_dsn"] = SENTRY_MARKER
    with run.phase(f"re-plan ({len(STACKS)} stacks)"):
        run.replan.update(
            harness.plan_each(
                run,
                STACKS,
                lambda stack: harness.judged(
                    run, stack, harness.plan(run, fresh, stack, "replan"), "re-plan"
                ),
            )
        )


def _adopt_back(run: harness.Run) -> None:
    s3 = _client(run, "s3")
    for stack in harness.ADOPTED:  # Terraform never ran: the live estate and no state
        key = PROD.state_key(stack)
        s3.copy_object(Bucket=STATE_BUCKET, Key=f"e2e-deployed/{key}",
                       CopySource={"Bucket": STATE_BUCKET, "Key": key})  # fmt: skip
        s3.delete_object(Bucket=STATE_BUCKET, Key=key)
    inventory = run.work / "inventory"
    resolved = inventory / "resolved" / f"{PROD.name}.json"
    with run.phase("resolve"):
        step = run.timed(
        "resolve",
            [sys.executable, "-m", "imports.resolve", "--env", PROD.name,
             "--endpoint-url", run.env["AWS_ENDPOINT_URL"], "--out", str(resolved),
             "--cloudflare-api", "http://127.0.0.1:9/client/v4"],
            ok=(1,),  # written, incomplete: the Cloudflare records (no token, no network)
            CLOUDFLARE_API_TOKEN="",
        )  # fmt: skip
    run.resolver_notes = [line.strip() for line in step.output.splitlines() if "note:" in line]
    for note in run.resolver_notes:
        run.log(f"resolver {note}")
    with run.phase("synthesize (adopt)"):
        adopted = harness.synthesize(run, "adopt", inventory)
    run.log("adoption: fresh state per stack, the resolver's output as the only inventory")
    for stack in harness.ADOPTED:  # in order: each plan reads its producers' new states
        with run.phase(f"adoption: {stack}"):
            verdict = harness.planned_verdict(run, adopted, stack, "adopt", "adopt")
            run.adoption[stack] = verdict
            if verdict.passed:
                harness.apply(run, adopted, stack, "adopt")
    # monitoring kept its state: it reads the adopted stacks' outputs, which are the same IDs
    with run.phase(f"after adoption: plans ({len(PLANNED_STACKS)} stacks, monitoring too)"):
        run.after_adoption.update(
            harness.plan_each(
                run,
                PLANNED_STACKS,
                lambda stack: harness.planned_verdict(
                    run, adopted, stack, "after", "after adoption"
                ),
            )
        )
    try:
        stamp = Synthesized(adopted).stamp
        deploy_module.check_stamp(stamp, head=stamp["commit"], dirty=False, expected=PROD,
                                  allow_dirty=True)  # fmt: skip
    except deploy_module.Refused as err:
        run.guard_refusal = str(err)
        run.log(f"deploy guard on the adoption output: refused: {err}")


PROBES: dict[str, harness.Probe] = {
    # probe -> (CI role key, service, call, arguments): each must be refused by moto's IAM
    "plan reads a backup object": ("plan", "s3", "get_object",
                                   {"Bucket": f"fluxion-backups-v4-{PROD.account_id}",
                                    "Key": "probe/backup.sql.gz"}),
    "plan reads a secret value": ("plan", "secretsmanager", "get_secret_value",
                                  {"SecretId": "fluxion/production"}),
    "plan overwrites a state": ("plan", "s3", "put_object",
                                {"Bucket": STATE_BUCKET, "Key": PROD.state_key("data"),
                                 "Body": b"{}"}),
    "network rewrites a backup bucket policy": ("network", "s3", "put_bucket_policy",
                                                {"Bucket": f"fluxion-backups-v4-{PROD.account_id}",
                                                 "Policy": "{}"}),
    "edge overwrites compute's state": ("edge", "s3", "put_object",
                                        {"Bucket": STATE_BUCKET, "Key": PROD.state_key("compute"),
                                         "Body": b"{}"}),
    "compute creates an IAM user": ("compute", "iam", "create_user", {"UserName": "probe"}),
    "data sends a command to the bridge": ("data", "ssm", "send_command",
                                           {"InstanceIds": ["i-0123456789abcdef0"],
                                            "DocumentName": "AWS-RunShellScript"}),
    "network assumes another role": ("network", "sts", "assume_role",
                                     {"RoleArn": f"arn:aws:iam::{PROD.account_id}:role/x",
                                      "RoleSessionName": "probe"}),
    # the attacker's second look (docs/ci-identity.md): no CI credential mints a principal or
    # opens the backups
    "compute creates a role anyone may assume": ("compute", "iam", "create_role",
                                                 {"RoleName": "fluxion-compute-probe",
                                                  "AssumeRolePolicyDocument": json.dumps(
                                                      {"Version": "2012-10-17", "Statement": [
                                                          {"Effect": "Allow", "Action":
                                                           "sts:AssumeRole", "Principal":
                                                           {"AWS": "*"}}]})}),
    "network writes a workload role's policy": ("network", "iam", "put_role_policy",
                                                {"RoleName": "fluxion-production-bridge",
                                                 "PolicyName": "probe", "PolicyDocument":
                                                 json.dumps({"Version": "2012-10-17",
                                                             "Statement": []})}),
    "data opens a backup bucket": ("data", "s3", "put_bucket_policy",
                                   {"Bucket": f"fluxion-backups-v4-{PROD.account_id}",
                                    "Policy": json.dumps({"Version": "2012-10-17", "Statement": [
                                        {"Effect": "Allow", "Principal": "*",
                                         "Action": "s3:GetObject",
                                         "Resource": f"arn:aws:s3:::fluxion-backups-v4-"
                                                     f"{PROD.account_id}/*"}]})}),
    # no CI credential silences what tells the on-call (the monitoring stack is people's).
    # The guardrail's Deny that keeps compute's rule writes (`rule/fluxion-*`) off the ETL
    # failure rule names an events ARN, which moto does not evaluate (non-S3 requests are
    # asked about `*`): tests/test_ci_identity.py::test_no_ci_credential_can_silence_the_monitoring
    "compute silences an alarm": ("compute", "cloudwatch", "disable_alarm_actions",
                                  {"AlarmNames": [FORCED_ALARM]}),
    "data expires the backups": ("data", "s3", "put_bucket_lifecycle_configuration",
                                 {"Bucket": f"fluxion-backups-v4-{PROD.account_id}",
                                  "LifecycleConfiguration": {"Rules": [
                                      {"ID": "probe", "Status": "Enabled",
                                       "Filter": {"Prefix": ""},
                                       "Expiration": {"Days": 1}}]}}),
}  # fmt: skip


def _through_the_ci_roles(run: harness.Run) -> None:
    """The plan role plans every adopted stack; attacker probes are refused."""
    _client(run, "s3").put_object(
        Bucket=f"fluxion-backups-v4-{PROD.account_id}", Key="probe/backup.sql.gz", Body=b"rows"
    )
    adopted = run.work / "adopt" / "cdktf.out"
    # an alarm forced into ALARM (the emulator evaluates none): `ops status` and `ops alarms`
    # show it first, with the plan role
    _client(run, "cloudwatch").set_alarm_state(
        AlarmName=FORCED_ALARM, StateValue="ALARM", StateReason="forced by the emulated run"
    )
    with harness.role_split(run) as credentials:
        with run.phase(f"plan role: plans ({len(PLANNED_STACKS)} stacks, IAM enforced)"):
            verdicts = harness.plan_each(run, PLANNED_STACKS, lambda stack: (
                harness.planned_verdict(run, adopted, stack, "as-plan", "as-plan",
                                        credentials["plan"])))  # fmt: skip
            run.as_roles.update({f"plan/{stack}": v for stack, v in verdicts.items()})
        _operations(run, adopted, credentials)
        with run.phase("probes through the CI roles"):
            harness.probe(run, PROBES, credentials, "probe through the CI roles")
        with run.phase("other engine: synthesize and plan (5 stacks)"):
            _move_engine(run, credentials["plan"])
    _client(run, "cloudwatch").set_alarm_state(
        AlarmName=FORCED_ALARM, StateValue="OK", StateReason="the emulated run is done with it"
    )


def _move_engine(run: harness.Run, plan_role: dict[str, str]) -> None:
    """The runbook's engine move (docs/cdk-terrain.md), providers kept: the estate this engine
    adopted, synthesized by the other one in its own venv, planned by the plan role."""
    moved = harness.synthesize(run, f"moved-{OTHER_ENGINE}", run.work / "inventory",
                               engine=OTHER_ENGINE)  # fmt: skip
    run.engine_moved.update(harness.plan_each(run, harness.ADOPTED, lambda stack: (
        harness.planned_verdict(run, moved, stack, f"moved-{OTHER_ENGINE}",
                                f"{ENGINE.name} -> {OTHER_ENGINE}", plan_role))))  # fmt: skip


DRIFTED_RULE = "fluxion-abc-recalc-daily"


def _operations(run: harness.Run, adopted: Any, credentials: dict[str, dict[str, str]]) -> None:
    """Day-2 operations with the plan role: `status` on the adopted estate, and `drift` after
    one rule is disabled behind Terraform's back (as the guide's drift table records), by
    someone holding the compute role (IAM is enforced: the emulator's admin keys are gone)."""
    env = run.env | credentials["plan"]
    with run.phase("ops status (plan role)"):
        run.ops["status"] = run.operate("status", env=env, timeout=300)
    with run.phase("ops alarms (plan role)"):
        run.ops["alarms"] = run.operate("alarms", env=env, timeout=300)
    events = _client_as(run, "events", credentials["compute"])
    rule = events.describe_rule(Name=DRIFTED_RULE)
    events.put_rule(Name=DRIFTED_RULE, ScheduleExpression=rule["ScheduleExpression"],
                    State="DISABLED")  # fmt: skip
    try:
        report = run.work / "drift-report.md"
        with run.phase("drift (plan role)"):
            code, out = run.operate("drift", "--out", str(adopted), "--stacks", "compute",
                                    "--report", str(report), env=env, timeout=900)  # fmt: skip
        run.ops["drift"] = (code, report.read_text() if report.exists() else out)
    finally:
        events.put_rule(Name=DRIFTED_RULE, ScheduleExpression=rule["ScheduleExpression"],
                        State="ENABLED")  # fmt: skip
    for name, (code, text) in run.ops.items():
        run.log(f"python -m ops {name} (plan role): exit {code}\n{text}")


def _bootstrap_state(out: Path) -> Path:
    """Where the `state` stack of output folder `out` keeps its local state."""
    stack = Synthesized(out).stack_dir("state")
    backend = json.loads((stack / "cdk.tf.json").read_text())["terraform"]["backend"]
    return (stack / backend["local"]["path"]).resolve()


def _roll_out_hardened(run: harness.Run) -> None:
    """adopt -> hardened on the adopted estate (docs/profiles.md, "Rollout order"), all steps
    of a stack in one apply (the emulator has no service to keep up between them): each stack's
    plan made and applied with its own apply role, IAM enforced; then the plan role plans
    every stack of the hardened output again."""
    with run.phase("synthesize (hardened)"):
        hardened = harness.synthesize(run, "hardened", run.work / "inventory", "hardened")
    # The state stack's local state sits next to the output folder (stacks/state.py): in a
    # checkout both profiles' outputs share it, as here.
    shutil.copy(_bootstrap_state(run.work / "fresh" / "cdktf.out"), _bootstrap_state(hardened))
    with run.phase("hardened: state (plan only)"):
        run.hardened["state"] = harness.judged(
            run, "state", harness.plan(run, hardened, "state", "hardened"), "hardened"
        )
    password = harness.database_password(run)
    for stack in PLANNED_STACKS:
        with run.phase(f"hardened rollout: {stack}"):
            _roll_out(run, hardened, stack, password)
    with (
        harness.role_split(run) as credentials,
        run.phase(f"after the rollout: plans ({len(PLANNED_STACKS)} stacks)"),
    ):
        env = {**credentials["plan"], **password}
        run.hardened.update(harness.plan_each(run, PLANNED_STACKS, lambda stack: (
            harness.judged(run, stack, harness.plan(run, hardened, stack, "hardened-after", env),
                           "after the rollout"))))  # fmt: skip


def _roll_out(run: harness.Run, hardened: Path, stack: str, password: dict[str, str]) -> None:
    """One stack's rollout: made by its apply role and applied by it, unless the stack is
    people's or the plan holds a change only people make (policies/people.py), which the
    reviewed-plan apply refuses: then a person applies the same plan."""
    needed: list[str] = []
    if stack in PEOPLE_STACKS:
        the_plan = harness.plan(run, hardened, stack, "hardened", password)
    else:
        with harness.role_split(run) as credentials:
            env = {**credentials[stack], **password}
            the_plan = harness.plan(run, hardened, stack, "hardened", env)
            needed = needs_people(stack, the_plan.get("resource_changes", []))
            if not needed:
                harness.apply(run, hardened, stack, "hardened", env)
    by = "its apply role"
    if stack in PEOPLE_STACKS or needed:
        harness.apply(run, hardened, stack, "hardened", password)
        by = f"a person ({len(needed)} change(s) CI may not make)" if needed else "a person"
    run.rollout[stack], run.rollout_by[stack] = the_plan, by
    reviewed = plan_gate.gate(stack, the_plan, new_by_design=plan_gate.created(the_plan),
                              updates_reviewed=True)  # fmt: skip
    run.log(f"hardened: {stack}: {reviewed.summary()}, applied by {by}")


def _negative_control(run: harness.Run) -> None:
    logs = _client(run, "logs")
    logs.put_retention_policy(logGroupName="/ecs/fluxion-backend", retentionInDays=14)
    adopted = run.work / "adopt" / "cdktf.out"
    run.negative = harness.planned_verdict(run, adopted, "compute", "negative", "negative control")
    logs.put_retention_policy(logGroupName="/ecs/fluxion-backend", retentionInDays=7)


def test_every_stack_was_deployed_through_the_guarded_deploy(run: harness.Run) -> None:
    deploys = [s.name for s in run.steps if "deploy-" in s.name]
    expected = [f"{'cdktf-' if s == CDKTF_PATH else ''}deploy-{s}" for s in STACKS]
    assert deploys == expected
    for step in run.steps:
        if step.name.startswith("deploy-"):
            stack = step.name.removeprefix("deploy-")
            assert f"deploy in order: {stack}\n" in step.output
            assert f"{stack}: 0 to import" in step.output
    s3 = _client(run, "s3")
    for stack in harness.ADOPTED:
        state = json.loads(
            s3.get_object(Bucket=STATE_BUCKET, Key=f"e2e-deployed/{PROD.state_key(stack)}")[
                "Body"
            ].read()
        )
        managed = [r for r in state["resources"] if r["mode"] == "managed"]
        assert len(managed) == len(run.declared["adopt"][stack]), stack
    lock_free = s3.list_objects_v2(Bucket=STATE_BUCKET).get("Contents", [])
    assert not [o["Key"] for o in lock_free if o["Key"].endswith(".tflock")], "locks released"


def test_one_stack_was_deployed_through_cdktf_behind_the_guard(run: harness.Run) -> None:
    (step,) = [s for s in run.steps if s.name == f"cdktf-deploy-{CDKTF_PATH}"]
    guard = step.output.index(f"== {CDKTF_PATH}: the deploy guard's plan gate")
    # the gate judged a plan of the whole stack, then cdktf applied it
    assert re.search(rf"{CDKTF_PATH}: 0 to import, \d+ to add, 0 to change, 0 to destroy",
                     step.output[guard:]), step.output[-2000:]  # fmt: skip
    applied = re.search(r"Apply complete! Resources: (\d+) added, 0 changed, 0 destroyed",
                        step.output[guard:])  # fmt: skip
    assert applied and int(applied[1]) == len(run.declared["adopt"][CDKTF_PATH]), step.output[
        -2000:
    ]


def test_cross_stack_values_flowed_through_remote_state(run: harness.Run) -> None:
    ecs = _client(run, "ecs")
    service = ecs.describe_services(cluster="fluxion-cluster", services=["fluxion-backend"])[
        "services"
    ][0]
    subnets = service["networkConfiguration"]["awsvpcConfiguration"]["subnets"]
    ec2 = _client(run, "ec2")
    private = {
        s["SubnetId"]
        for s in ec2.describe_subnets()["Subnets"]
        if s["CidrBlock"] in ("10.0.2.0/24", "10.0.3.0/24")
    }
    assert subnets and set(subnets) <= private


@pytest.mark.parametrize("stack", STACKS)
def test_a_replan_after_deploy_calls_nothing(run: harness.Run, stack: str) -> None:
    verdict = run.replan[stack]
    assert verdict.passed, verdict.lines()
    assert verdict.counts["add"] == verdict.counts["destroy"] == 0


@pytest.mark.parametrize("stack", harness.ADOPTED)
def test_adoption_imports_everything_and_changes_nothing_in_aws(
    run: harness.Run, stack: str
) -> None:
    verdict = run.adoption[stack]
    assert verdict.passed, verdict.lines()
    assert verdict.counts["add"] == 0 and verdict.counts["destroy"] == 0
    new = plan_gate.new_by_design(stack)
    assert verdict.counts["import"] == len(run.declared["adopt"][stack]) - len(new) > 0
    assert all(f.verdict != "REAL" for f in verdict.findings)


@pytest.mark.parametrize("stack", PLANNED_STACKS)
def test_after_the_imports_a_plan_is_empty_but_for_listed_gaps(
    run: harness.Run, stack: str
) -> None:
    verdict = run.after_adoption[stack]
    assert verdict.passed, verdict.lines()
    assert verdict.counts["import"] == 0
    assert all(f.verdict.startswith("emulator gap") for f in verdict.findings), verdict.lines()


def test_the_negative_control_fails_naming_the_resource_and_attribute(run: harness.Run) -> None:
    negative = run.negative
    assert negative is not None and not negative.passed
    assert any(
        f.startswith("aws_cloudwatch_log_group.backend_logs") and "retention_in_days" in f
        for f in negative.failures
    ), negative.failures


def test_the_guard_refuses_an_adoption_missing_the_cloudflare_records(run: harness.Run) -> None:
    refusal = run.guard_refusal
    assert refusal.startswith("adoption incomplete")
    assert "edge: cloudflare_dns_record." in refusal


def test_uncovered_parts_are_named(run: harness.Run) -> None:
    assert set(run.left_out["adopt"]) == {"edge"}
    assert "data.cloudflare_zone.zone" in run.left_out["adopt"]["edge"]
    assert sum(a.startswith("cloudflare_dns_record.") for a in run.left_out["adopt"]["edge"]) == 4
    assert any("cloudflare" in note.lower() for note in run.resolver_notes)


@pytest.mark.parametrize("stack", harness.ADOPTED)
def test_the_hardened_rollout_destroys_only_what_it_drops_or_acknowledges(
    run: harness.Run, stack: str
) -> None:
    """Applied through the stack's own apply role with IAM enforced (so its action lists cover
    the hardened resource types too); deleted: the addresses `hardened` no longer declares
    (security group rules it narrows) and the replacements review/replacements.json names."""
    changes = [rc for rc in run.rollout[stack]["resource_changes"] if rc["mode"] == "managed"]
    deleted = {rc["address"] for rc in changes if rc["change"]["actions"] == ["delete"]}
    replaced = {
        rc["address"]: rc["type"]
        for rc in changes
        if {"delete", "create"} <= set(rc["change"]["actions"])
    }
    dropped = set(run.declared["adopt"][stack]) - set(run.declared["hardened"][stack])
    acknowledged = {a.address for a in load_acknowledgements() if a.stack == stack}
    assert deleted == dropped
    assert {a for a, rtype in replaced.items() if rtype in STATEFUL_TYPES} == acknowledged
    if stack == "network":
        assert acknowledged and dropped  # the bridge, and the rules hardened narrows
    assert any(rc["change"]["actions"] != ["no-op"] for rc in changes), stack


def test_the_rollout_goes_to_a_person_where_ci_may_not_apply_it(run: harness.Run) -> None:
    """identity is people's; data's rollout locks the legacy backup buckets down, which no CI
    role may do (the reviewed-plan apply refuses it); the rest is applied by each apply role."""
    assert run.rollout_by["identity"] == "a person"
    assert (
        run.rollout_by["data"].startswith("a person (")
        and "CI may not make" in (run.rollout_by["data"])
    )
    for stack in ("network", "compute", "edge"):
        assert run.rollout_by[stack] == "its apply role", stack
    needed = needs_people("data", run.rollout["data"]["resource_changes"])
    assert needed and all("aws_s3_bucket" in line for line in needed), needed


@pytest.mark.parametrize("stack", STACKS)
def test_after_the_hardened_rollout_every_stack_plans_no_change(
    run: harness.Run, stack: str
) -> None:
    verdict = run.hardened[stack]
    assert verdict.passed, verdict.lines()
    assert sum(verdict.counts.values()) == 0 or all(
        f.verdict.startswith("emulator gap") for f in verdict.findings
    ), verdict.lines()


def test_the_hardened_estate_is_live(run: harness.Run) -> None:
    """A few of hardened's promises read back from the emulator (not from Terraform)."""
    ec2, rds = _client(run, "ec2"), _client(run, "rds")
    bridge = ec2.describe_instances(  # the estate's only instance, the replaced one terminated
        Filters=[{"Name": "instance-state-name", "Values": ["running"]}]
    )["Reservations"]
    volumes = [
        m["Ebs"]["VolumeId"]
        for r in bridge
        for i in r["Instances"]
        for m in i["BlockDeviceMappings"]
    ]
    assert volumes and all(
        v["Encrypted"] for v in ec2.describe_volumes(VolumeIds=volumes)["Volumes"]
    )
    primary = rds.describe_db_instances(DBInstanceIdentifier=PRIMARY)["DBInstances"][0]
    group = primary["DBParameterGroups"][0]["DBParameterGroupName"]
    parameters = rds.describe_db_parameters(DBParameterGroupName=group)["Parameters"]
    assert {p["ParameterName"]: p.get("ParameterValue") for p in parameters}["rds.force_ssl"] == "1"
    elbv2 = _client(run, "elbv2")
    balancer = elbv2.describe_load_balancers()["LoadBalancers"][0]["LoadBalancerArn"]
    listeners = elbv2.describe_listeners(LoadBalancerArn=balancer)["Listeners"]
    assert {(x["Port"], x["Protocol"]) for x in listeners} == {(80, "HTTP"), (443, "HTTPS")}
    acls = _client(run, "wafv2").list_web_acls(Scope="CLOUDFRONT")["WebACLs"]
    cloudfront = _client(run, "cloudfront")
    for item in cloudfront.list_distributions()["DistributionList"]["Items"]:
        config = cloudfront.get_distribution_config(Id=item["Id"])["DistributionConfig"]
        assert config["WebACLId"] in {a["ARN"] for a in acls}, item["Id"]


def test_no_secret_value_in_any_state_or_plan(run: harness.Run) -> None:
    s3 = _client(run, "s3")
    texts = [
        s3.get_object(Bucket=STATE_BUCKET, Key=o["Key"])["Body"].read().decode()
        for o in s3.list_objects_v2(Bucket=STATE_BUCKET)["Contents"]
    ]
    texts += [p.read_text() for p in run.plans]
    texts += [p.read_text() for p in run.work.rglob("*.tfstate")]
    assert len(texts) > 10 and run.secrets
    for name, value in run.secrets.items():
        leaks = [i for i, text in enumerate(texts) if value in text]
        assert leaks == [], f"{name} found in {len(leaks)} state or plan files"


@pytest.mark.parametrize("stack", PLANNED_STACKS)
def test_the_plan_role_plans_every_stack_with_iam_enforced(run: harness.Run, stack: str) -> None:
    """Its reads cover every call `terraform plan` makes (moto checks each one against the
    role's emulator view) and the adopted estate plans no change."""
    verdict = run.as_roles[f"plan/{stack}"]
    assert verdict.passed, verdict.lines()
    assert sum(verdict.counts.values()) == 0 or all(
        f.verdict.startswith("emulator gap") for f in verdict.findings
    ), verdict.lines()


@pytest.mark.parametrize("stack", harness.ADOPTED)
def test_the_other_engine_plans_the_adopted_estate_with_no_change(
    run: harness.Run, stack: str
) -> None:
    """Moving engines with the providers kept is invisible to Terraform: the plan role's plan
    of the other engine's output imports, adds, changes and destroys nothing but listed gaps."""
    stamp = json.loads(
        (run.work / f"moved-{OTHER_ENGINE}" / "cdktf.out" / "synth.json").read_text()
    )
    assert stamp["engine"] == OTHER_ENGINE
    verdict = run.engine_moved[stack]
    assert verdict.passed, verdict.lines()
    assert verdict.counts["import"] == verdict.counts["add"] == verdict.counts["destroy"] == 0
    assert all(f.verdict.startswith("emulator gap") for f in verdict.findings), verdict.lines()


def test_each_stack_was_applied_by_its_own_role(run: harness.Run) -> None:
    """The deploys above ran with moto enforcing IAM: each apply role's action lists cover
    every call Terraform made to create its stack (data's first build and the people's
    stacks aside). The views moto evaluated keep the guardrail's Denies and S3's ARNs."""
    assert set(run.views) == set(harness.CI_ROLES.values())
    for role, view in run.views.items():
        denies = [s for s in view["Statement"] if s["Effect"] == "Deny"]
        assert any("iam:CreateUser" in s["Action"] for s in denies), role
        s3 = [s for s in view["Statement"] if s["Effect"] == "Allow" and
              all(a.startswith("s3:") for a in s["Action"])]  # fmt: skip
        assert s3 and all(s["Resource"] != "*" for s in s3), role


@pytest.mark.parametrize("probe", sorted(PROBES))
def test_attacker_probes_through_the_ci_roles_are_refused(run: harness.Run, probe: str) -> None:
    assert run.denied[probe].endswith("(HTTP 403)"), run.denied[probe]


def test_status_reads_the_adopted_estate_with_the_plan_role(run: harness.Run) -> None:
    """Healthy but for the forced alarm, which it shows before anything else."""
    code, out = run.ops["status"]
    assert code == 1, out
    assert "backend: desired 2, running 2" in out
    assert out.strip().endswith(f"\nunhealthy: alarm {FORCED_ALARM} in ALARM")
    assert "fluxion-postgres-v2: available" in out
    assert f"rule {DRIFTED_RULE}: ENABLED" in out
    said = [line for line in out.splitlines() if not line.startswith(("status", "  read:"))]
    assert said[0].startswith("alarm  ALARM") and FORCED_ALARM in said[0], out


def test_the_forced_alarm_leads_ops_alarms_with_the_plan_role(run: harness.Run) -> None:
    code, out = run.ops["alarms"]
    assert code == 1, out
    rows = [line for line in out.splitlines() if line.startswith("  ") and "read:" not in line]
    assert rows[0].split()[0] == "ALARM" and FORCED_ALARM in rows[0], out
    assert "run: python -m ops status" in rows[0]
    assert len(rows) == len(alarms(PROD)), out  # every alarm the code defines, none missing
    assert not [row for row in rows if "missing" in row or "not in the code" in row], out


def test_drift_behind_terraforms_back_is_reported(run: harness.Run) -> None:
    code, report = run.ops["drift"]
    assert code == 2, report
    rows = [line for line in report.splitlines() if schedule_key(DRIFTED_RULE) in line]
    assert any("| `state` | ENABLED | DISABLED |" in line for line in rows), report
