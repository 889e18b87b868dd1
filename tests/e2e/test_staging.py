"""`make e2e`, the staging track: a second environment built fresh, beside production's.

In its own emulator (staging's account; production's account is reached through moto's
multi-account STS, as in AWS): staging is synthesized from the same code (no import block,
hardened), deployed stack by stack (people: `state`, `identity`, `data`'s first build and
`monitoring`; its own CI apply roles the others, IAM enforced), re-planned with no change, and
checked with `ops status`; an alarm forced into ALARM shows in `ops alarms`, and an ETL task
stopped with exit code 1 matches the deployed ETL failure rule. Staging's CI roles are then
refused production's state and roles. Last, the recovery rehearsal (docs/environments.md,
"Recovery"): a snapshot of staging's primary, copied to the recovery region,
`staging-recovery` built from it (state, identity, network, data, compute) and `ops
recovery-status` healthy.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.events.models import EventPattern

import config
from config.estate import CI_STACKS, PEOPLE_STACKS, STACKS
from config.monitoring import alarms, etl_failure_pattern, etl_failure_rule_name
from policies.ci import role_names
from tests.e2e import harness
from tests.ecs_events import task_stopped

STAGING = config.load("staging")
PROD = config.load()
RECOVERY = config.load("staging-recovery")
RECOVERED = ("state", "identity", "network", "data", "compute")
"""What the rehearsal builds of a recovery (no edge: the DNS cut-over is a runbook step; its
monitoring is deployed like staging's, after it is healthy)."""
FORCED_ALARM = "fluxion-staging-primary-cpu"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[harness.Run]:
    work = tmp_path_factory.mktemp("e2e-staging")
    started = time.monotonic()
    with harness.environment_run(work, STAGING) as run:
        run.log(f"staging track: work dir {work}; emulator {run.env['AWS_ENDPOINT_URL']}")
        _production_targets(run)
        out = _build_staging(run)
        _probe_production(run)
        _rehearse_recovery(run, out)
        run.log(f"staging track wall time: {time.monotonic() - started:.0f} s")
        yield run


def _as_account(run: harness.Run, account: str) -> dict[str, str]:
    """Administrator credentials in another account (moto's STS, as cross-account roles)."""
    sts = _client(run, "sts")
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/e2e-admin",
                            RoleSessionName="e2e")["Credentials"]  # fmt: skip
    return {"aws_access_key_id": creds["AccessKeyId"],
            "aws_secret_access_key": creds["SecretAccessKey"],
            "aws_session_token": creds["SessionToken"]}  # fmt: skip


def _client(run: harness.Run, service: str, region: str = "us-east-1", **keys: str) -> Any:
    keys = keys or {"aws_access_key_id": "emulator", "aws_secret_access_key": "emulator"}
    return boto3.client(service, endpoint_url=run.env["AWS_ENDPOINT_URL"], region_name=region,
                        **keys)  # fmt: skip


def _production_targets(run: harness.Run) -> None:
    """Production's state bucket and one state object, in production's account: what the
    probes aim at."""
    prod = _as_account(run, PROD.account_id)
    s3 = _client(run, "s3", **prod)
    s3.create_bucket(Bucket=PROD.state_bucket)
    s3.put_object(Bucket=PROD.state_bucket, Key=PROD.state_key("data"), Body=b"{}")
    run.log(f"production's targets: s3://{PROD.state_bucket}/{PROD.state_key('data')}")


def _build_staging(run: harness.Run) -> Path:
    empty = run.work / "no-inventory"
    empty.mkdir()
    with run.phase("staging: synthesize"):
        out = harness.synthesize(run, "staging", empty, profile="hardened")
    imports = [s for s, doc in _docs(out).items() if "import" in doc]
    run.log(f"staging: stacks with an import block: {imports or 'none'}")
    run.imports = imports  # type: ignore[attr-defined]
    roles = {"plan": role_names(STAGING)["plan"], **{s: role_names(STAGING)[s] for s in CI_STACKS}}
    for stack in STACKS:
        if stack in PEOPLE_STACKS:
            with run.phase(f"staging: fresh deploy: {stack} (a person)"):
                harness.deploy(run, out, (stack,))
            continue
        serial = {"TF_CLI_ARGS_apply": "-parallelism=1"} if stack == "network" else {}
        if stack == "data":  # its first build creates the backup bucket: a person's
            with run.phase("staging: fresh deploy: data (a person)"):
                harness.deploy(run, out, (stack,))
            continue
        with (
            run.phase(f"staging: fresh deploy: {stack} (its apply role)"),
            harness.role_split(run, roles) as credentials,
        ):
            harness.deploy(run, out, (stack,), {**credentials[stack], **serial})
    with run.phase(f"staging: re-plan ({len(STACKS)} stacks)"):
        run.replan.update(
            harness.plan_each(
                run,
                STACKS,
                lambda stack: harness.judged(
                    run, stack, harness.plan(run, out, stack, "replan"), "staging re-plan"
                ),
            )
        )
    with run.phase("staging: ops status"):
        run.ops["status"] = run.operate("status", environment=STAGING.name)
    with run.phase("staging: a forced alarm, the ETL failure rule"):
        _alarms(run)
    return out


def _alarms(run: harness.Run) -> None:
    """An alarm forced into ALARM as `ops alarms` shows it; the deployed ETL failure rule's
    pattern, read back from the emulator, against ECS task events. moto's TestEventPattern
    API is a stub (it answers nothing), and moto sends no event to an SNS target: the pattern
    is matched by moto's own `EventPattern`, which routes `PutEvents` to rules."""
    cloudwatch = _client(run, "cloudwatch")
    cloudwatch.set_alarm_state(AlarmName=FORCED_ALARM, StateValue="ALARM", StateReason="forced")
    run.ops["alarms"] = run.operate("alarms", environment=STAGING.name)
    cloudwatch.set_alarm_state(AlarmName=FORCED_ALARM, StateValue="OK", StateReason="done")
    events = _client(run, "events")
    deployed = events.describe_rule(Name=etl_failure_rule_name(STAGING.name))["EventPattern"]
    run.deployed_pattern = json.loads(deployed)  # type: ignore[attr-defined]
    pattern = EventPattern.load(deployed)
    family = STAGING.names.etl_tasks["etl_task"][0]
    run.matched = {  # type: ignore[attr-defined]
        case: pattern.matches_event(
            task_stopped(f"family:{name}", code, account=STAGING.account_id, region=STAGING.region)
        )
        for case, (name, code) in {
            "ETL exit 1": (family, 1),
            "ETL exit 0": (family, 0),
            "ETL failed to start": (family, None),
            "backend exit 1": (STAGING.names.backend_family, 1),
        }.items()
    }  # fmt: skip
    run.log(f"staging: the ETL failure rule matched: {run.matched}")  # type: ignore[attr-defined]


def _docs(out: Path) -> dict[str, dict[str, Any]]:
    return {p.parent.name: json.loads(p.read_text()) for p in out.glob("stacks/*/cdk.tf.json")}


CROSS_PROBES: dict[str, harness.Probe] = {
    # probe -> (staging CI role key, service, call, arguments): each must be refused
    "staging's plan role reads production's state": (
        "plan", "s3", "get_object", {"Bucket": PROD.state_bucket, "Key": PROD.state_key("data")}),
    "staging's data role overwrites production's state": (
        "data", "s3", "put_object",
        {"Bucket": PROD.state_bucket, "Key": PROD.state_key("data"), "Body": b"{}"}),
    "staging's compute role assumes production's compute role": (
        "compute", "sts", "assume_role",
        {"RoleArn": f"arn:aws:iam::{PROD.account_id}:role/fluxion-ci-apply-compute",
         "RoleSessionName": "probe"}),
    "staging's network role lists production's state bucket": (
        "network", "s3", "list_objects_v2", {"Bucket": PROD.state_bucket}),
}  # fmt: skip


def _probe_production(run: harness.Run) -> None:
    roles = {"plan": role_names(STAGING)["plan"], **{s: role_names(STAGING)[s] for s in CI_STACKS}}
    with run.phase("staging: cross-environment probes"), harness.role_split(run, roles) as creds:
        harness.probe(run, CROSS_PROBES, creds, "cross-environment probe")


def _rehearse_recovery(run: harness.Run, out: Path) -> None:
    """The runbook, timed: snapshot, copy, build the recovery environment, check it."""
    started = time.monotonic()
    with run.phase("recovery: snapshot staging's primary"):
        run.ops["snapshot-db"] = run.operate(
            "snapshot-db", "--wait-seconds", "60", environment=STAGING.name
        )
    with run.phase("recovery: copy to the recovery region"):
        run.ops["snapshot-copy"] = run.operate(
            "snapshot-copy", "--to-region", RECOVERY.region, "--wait-seconds", "60",
            environment=STAGING.name,
        )  # fmt: skip
    copied = re.search(r"copied: (\S+)", run.ops["snapshot-copy"][1])
    assert copied, run.ops["snapshot-copy"][1]
    run.env["FLUXION_ENV"] = RECOVERY.name
    run.env["FLUXION_RESTORE_SNAPSHOT"] = copied.group(1)
    empty = run.work / "no-inventory"
    with run.phase("recovery: synthesize staging-recovery"):
        # its own switches (hardened but for the API's origin: no edge in a recovery)
        recovery = harness.synthesize(run, "recovery", empty, profile="")
    with run.phase("recovery: deploy (state, identity, network, data, compute)"):
        harness.deploy(run, recovery, RECOVERED)
    with run.phase("recovery: re-plan"):
        run.after_adoption.update(
            harness.plan_each(
                run,
                RECOVERED,
                lambda stack: harness.judged(
                    run, stack, harness.plan(run, recovery, stack, "replan"), "recovery re-plan"
                ),
            )
        )
    with run.phase("recovery: ops recovery-status"):
        run.ops["recovery-status"] = run.operate("recovery-status", environment=RECOVERY.name)
    run.log(f"recovery rehearsal: {time.monotonic() - started:.0f} s from snapshot to healthy")


def _no_change(verdict: Any) -> None:
    """Nothing to do, or only the emulator's named read-back gaps (harness.READ_BACK_GAPS)."""
    assert verdict.passed, verdict.lines()
    assert sum(verdict.counts.values()) == 0 or all(
        f.verdict.startswith("emulator gap") for f in verdict.findings
    ), verdict.lines()


def test_staging_has_no_import_block(run: harness.Run) -> None:
    assert run.imports == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("stack", STACKS)
def test_staging_replans_with_no_change(run: harness.Run, stack: str) -> None:
    _no_change(run.replan[stack])


def test_staging_status_is_healthy(run: harness.Run) -> None:
    code, out = run.ops["status"]
    assert code == 0, out
    assert "backend: desired 1, running 1" in out
    assert f"{STAGING.names.primary}: available" in out
    assert out.strip().endswith("healthy")


def test_staging_alarms_shows_the_forced_alarm_first(run: harness.Run) -> None:
    code, out = run.ops["alarms"]
    assert code == 1, out
    rows = [line for line in out.splitlines() if line.startswith("  ") and "read:" not in line]
    assert rows[0].split()[0] == "ALARM" and FORCED_ALARM in rows[0], out
    assert len(rows) == len(alarms(STAGING)), out  # no replica, no bridge: none for them
    assert not [r for r in rows if "missing" in r or "not in the code" in r], out


def test_an_etl_task_stopped_with_exit_1_matches_the_failure_rule(run: harness.Run) -> None:
    assert run.deployed_pattern == etl_failure_pattern(STAGING)  # type: ignore[attr-defined]
    assert run.matched == {  # type: ignore[attr-defined]
        "ETL exit 1": True, "ETL exit 0": False, "ETL failed to start": True,
        "backend exit 1": False
    }  # fmt: skip


@pytest.mark.parametrize("probe", sorted(CROSS_PROBES))
def test_staging_roles_are_refused_production(run: harness.Run, probe: str) -> None:
    assert run.denied[probe].endswith("(HTTP 403)"), run.denied[probe]


def test_recovery_rebuilt_from_the_copied_snapshot(run: harness.Run) -> None:
    code, out = run.ops["snapshot-copy"]
    assert code == 0, out
    assert f":{RECOVERY.region}:{STAGING.account_id}:snapshot:recovery-manual-" in out
    rds = _client(run, "rds", RECOVERY.region)
    (primary,) = rds.describe_db_instances(DBInstanceIdentifier=RECOVERY.names.primary)[
        "DBInstances"
    ]
    assert primary["DBInstanceStatus"] == "available"


@pytest.mark.parametrize("stack", RECOVERED)
def test_recovery_replans_with_no_change(run: harness.Run, stack: str) -> None:
    _no_change(run.after_adoption[stack])


def test_recovery_status_is_healthy(run: harness.Run) -> None:
    code, out = run.ops["recovery-status"]
    assert code == 0, out
    assert f"staging-recovery recovers staging in {RECOVERY.region}" in out
    assert out.strip().endswith("healthy")
