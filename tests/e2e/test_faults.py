"""`make faults`: the estate's worst days, injected into an emulated staging, each recovered.

Staging is built fresh in its own emulator (`tests/e2e/emulator.py`, with its `Injector`), with
the deploy a person runs (`python -m deploy.ordered`, the emulator's administrator keys). Each
fault is injected the way it happens, its outcome is read from what a person would see, and
the documented way back (docs/operations.md, "Faults") is run:

1. an apply of `data`, then of `compute`, interrupted as a cancelled CI job is (SIGINT to the
   deploy's process group, SIGKILL 10 s later); a second deploy of `compute` started while
   the first holds the lock;
2. a lock left by a run killed outright (every process, SIGKILL) during a plan of `network`;
3. `edge`'s apply with CloudFront failing on every call (a persistent error), then with every
   fourth call of any service throttled;
4. the session revoked in the middle of `edge`'s apply, and no credentials at all;
5. `data`'s state truncated, rolled back to an older version, deleted;
6. a destroy of `data`, a replacement of its primary, and AWS-level deletes of the primary,
   the backup bucket and the state bucket.

After each, the emulator's inventory is compared with the stacks' states: no resource exists
twice or outside a state (`orphans`), and no database, snapshot or object is gone. The table
(`faults.md` in the work dir, and printed) has one row per fault: injected, outcome,
recovered, data lost, the command a person runs.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest

import config
from runtime.synthesized import Synthesized
from tests.e2e import harness

STAGING = config.load("staging")


@dataclass
class Fault:
    """One row of the table."""

    name: str
    injected: str
    outcome: str
    recovered: bool
    data_lost: str
    command: str


@dataclass
class Faults:
    run: harness.Run
    out: Path
    rows: list[Fault]
    url: str
    seen: dict[str, Any] = field(default_factory=dict)
    """What each fault showed, for the assertions."""

    def client(self, service: str, region: str = "us-east-1") -> Any:
        keys = {"aws_access_key_id": "emulator", "aws_secret_access_key": "emulator"}
        return boto3.client(service, endpoint_url=self.url, region_name=region, **keys)

    def arm(self, **armed: Any) -> dict[str, Any]:
        """Arm (or, with nothing, disarm) the emulator's injector; what it injected so far."""
        request = urllib.request.Request(f"{self.url}/_fluxion/faults", json.dumps(armed).encode(),
                                         method="POST")  # fmt: skip
        with urllib.request.urlopen(request, timeout=10) as answer:
            return dict(json.loads(answer.read()))


@pytest.fixture(scope="module")
def faults(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Faults]:
    work = tmp_path_factory.mktemp("faults")
    started = time.monotonic()
    with harness.environment_run(work, STAGING) as run:
        url = run.env["AWS_ENDPOINT_URL"]
        empty = work / "no-inventory"
        empty.mkdir()
        out = harness.synthesize(run, "staging", empty, profile="hardened")
        for stack in ("state", "identity", "network"):
            harness.deploy(run, out, (stack,))
        found = Faults(run, out, [], url)
        for inject in (_interrupted_data, _interrupted_compute, _stale_lock, _edge_errors,
                       _credentials, _state_damage, _destroy_refused):  # fmt: skip
            inject(found)
            found.arm()
        table = _table(found.rows)
        (work / "faults.md").write_text(table)
        run.log(table)
        run.log(f"faults: {len(found.rows)} injected, "
                f"{sum(r.recovered for r in found.rows)} recovered, "
                f"{time.monotonic() - started:.0f} s")  # fmt: skip
        yield found


def _table(rows: list[Fault]) -> str:
    lines = ["| fault | injected | outcome | recovered | data lost | command |",
             "|---|---|---|---|---|---|"]  # fmt: skip
    lines += [f"| {r.name} | {r.injected} | {r.outcome.replace('|', '/')} | "
              f"{'yes' if r.recovered else 'NO'} | {r.data_lost} | `{r.command}` |"
              for r in rows]  # fmt: skip
    return "\n".join(lines)


# -- running the deploy the way a person does, and killing it the way CI does --------------


def _deploy_command(f: Faults, stack: str, out: Path | None = None) -> list[str]:
    return [sys.executable, "-m", "deploy.ordered", "deploy", "--out", str(out or f.out),
            "--auto-approve", "--stacks", stack, "--allow-dirty"]  # fmt: skip


def _deploy(f: Faults, stack: str, name: str, out: Path | None = None,
            **env: str) -> tuple[int, str]:  # fmt: skip
    """One guarded deploy of `stack`; its exit status and output (a failure is an outcome)."""
    step = f.run.timed(name, _deploy_command(f, stack, out), ok=(0, 1, 2, 130),
                       extra_env={**harness.database_password(f.run), **env})  # fmt: skip
    return step.code, step.output


def _as_a_step() -> None:
    """In the deploy's process before exec: SIGINT and SIGQUIT at their defaults, as a CI
    step's process starts. A shell without job control starts a background command with both
    ignored (`.ci/run` starts `make faults` so), and an ignored signal stays ignored through
    make, pytest and Popen: the deploy would never see the cancellation's SIGINT."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)


def _start(f: Faults, stack: str, name: str) -> subprocess.Popen[str]:
    """A deploy in a process group of its own, as a CI job's step runs."""
    log = (f.run.work / f"{name}.log").open("w")
    return subprocess.Popen(
        _deploy_command(f, stack), cwd=harness.ROOT, text=True, stdout=log,
        stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=_as_a_step,
        env={**f.run.env, **harness.database_password(f.run)},
    )  # fmt: skip


def _cancel(f: Faults, proc: subprocess.Popen[str], name: str) -> str:
    """A CI cancellation: SIGINT to the step's process group, SIGKILL 10 s later; then wait
    for Terraform (in its own group) to end. The step's last line."""
    tree = _tree(proc.pid)
    os.killpg(proc.pid, signal.SIGINT)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    _wait_for(lambda: not any(Path(f"/proc/{pid}").exists() for pid in tree), 120,
              "Terraform to end")  # fmt: skip
    lines = (f.run.work / f"{name}.log").read_text().strip().splitlines()
    f.run.log(f"{name}: exit {proc.returncode}: {lines[-1] if lines else ''}")
    return lines[-1] if lines else ""


def _tree(pid: int) -> list[int]:
    """`pid` and every process under it (Terraform and the provider are in their own group)."""
    pairs = [tuple(map(int, line.split())) for line in subprocess.run(
        ["ps", "-eo", "pid=,ppid="], capture_output=True, text=True).stdout.splitlines()
        if line.strip()]  # fmt: skip
    found = [pid]
    for parent in found:
        found += [child for child, up in pairs if up == parent]
    return found


def _wait_for(ready: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not ready():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds:.0f} s for {what}")
        time.sleep(0.5)


def _exists(call: Any) -> bool:
    try:
        return bool(call())
    except Exception:
        return False


# -- what exists against what the states say -----------------------------------------------


def _states(f: Faults) -> dict[str, dict[str, Any]]:
    s3 = f.client("s3")
    states = {}
    for stack in ("identity", "network", "data", "compute", "edge"):
        try:
            body = s3.get_object(Bucket=STAGING.state_bucket, Key=STAGING.state_key(stack))
            states[stack] = json.loads(body["Body"].read())
        except Exception:  # not deployed yet
            continue
    bootstrap = Synthesized(f.out).stack_dir("state")  # its state is local (docs/ci-identity.md)
    backend = json.loads((bootstrap / "cdk.tf.json").read_text())["terraform"]["backend"]
    local = bootstrap / backend["local"]["path"]
    if local.exists():
        states["state"] = json.loads(local.read_text())
    return states


def _recorded(f: Faults) -> set[str]:
    """Every id, name and ARN the stacks' states record."""
    found: set[str] = set()
    for state in _states(f).values():
        for resource in state.get("resources", []):
            for instance in resource.get("instances", []):
                attributes = instance.get("attributes") or {}
                found |= {str(attributes[k]) for k in ("id", "name", "arn", "identifier")
                          if attributes.get(k)}  # fmt: skip
    return found


def _live(f: Faults) -> dict[str, list[str]]:
    """The emulator's inventory of what `data` and `compute` create, by kind."""
    rds, ec2, ecs = f.client("rds"), f.client("ec2"), f.client("ecs")
    clusters = ecs.list_clusters()["clusterArns"]
    return {
        "database": [d["DBInstanceIdentifier"] for d in rds.describe_db_instances()["DBInstances"]],
        "parameter group": [g["DBParameterGroupName"] for g in
                            rds.describe_db_parameter_groups()["DBParameterGroups"]
                            if not g["DBParameterGroupName"].startswith("default.")],
        "subnet group": [g["DBSubnetGroupName"] for g in
                         rds.describe_db_subnet_groups()["DBSubnetGroups"]],
        "secret": [s["Name"] for s in f.client("secretsmanager").list_secrets()["SecretList"]
                   if not s["Name"].startswith("rds!")],  # RDS's own, for its managed password
        "security group": [g["GroupId"] for g in ec2.describe_security_groups()["SecurityGroups"]
                           if g["GroupName"] != "default"],
        "cluster": clusters,
        "service": [s for c in clusters for s in ecs.list_services(cluster=c)["serviceArns"]],
        "load balancer": [b["LoadBalancerArn"] for b in
                          f.client("elbv2").describe_load_balancers()["LoadBalancers"]],
        "log group": [g["logGroupName"] for g in
                      f.client("logs").describe_log_groups()["logGroups"]],
        "role": [r["RoleName"] for r in f.client("iam").list_roles()["Roles"]
                 if not r["RoleName"].startswith(("AWSServiceRole", "e2e-"))],
    }  # fmt: skip


def orphans(f: Faults) -> list[str]:
    """What exists in the emulator but in no state: a duplicate or a leftover."""
    recorded = _recorded(f)
    return [f"{kind} {item}" for kind, items in _live(f).items() for item in items
            if item not in recorded]  # fmt: skip


def _converged(f: Faults, stack: str, name: str) -> tuple[bool, str]:
    """The deploy a person runs next, then a plan: nothing left to do (but the emulator's
    named read-back gaps) and no orphan anywhere."""
    code, _output = _deploy(f, stack, name)
    verdict = harness.judged(f.run, stack, harness.plan(f.run, f.out, stack, name), name)
    settled = verdict.passed and all(
        x.verdict.startswith("emulator gap") for x in verdict.findings
    )  # fmt: skip
    left = orphans(f)
    f.run.log(f"{name}: orphans: {left or 'none'}")
    return code == 0 and settled and not left, (
        f"deploy exit {code}, plan {'settled' if settled else 'NOT settled'}, orphans: "
        f"{', '.join(left) or 'none'}"
    )


# -- the faults ------------------------------------------------------------------------------


def _interrupted(f: Faults, stack: str, started: Any, concurrent: bool = False) -> None:
    name = f"interrupted-{stack}"
    proc = _start(f, stack, name)
    _wait_for(started, 300, f"{stack}'s apply to create its first resources")
    if concurrent:
        code, output = _deploy(f, stack, f"concurrent-{stack}")
        refusal = output.strip().splitlines()[-1]
        f.rows.append(Fault(
            f"concurrent deploy: {stack}", "a second deploy while the first applies",
            refusal.split(": ", 1)[-1][:140], code == 1 and "locked by" in refusal, "none",
            "wait for the other run (python -m ops state-unlock shows the holder)"))  # fmt: skip
        f.seen["concurrent"] = refusal
    time.sleep(2)
    last = _cancel(f, proc, name)
    code, output = _deploy(f, stack, f"after-{name}")
    untaint = re.search(r"python -m ops state-untaint (\S+) ([^`]+)`", output)
    command = f"make deploy-stack STACK={stack}"
    healthy = True
    if untaint:  # what it was creating, left tainted: checked in AWS, then untainted
        command += f"; {untaint.group(0).rstrip('`')}"
        healthy = _healthy(f, untaint.group(2).split())
        f.run.operate(
            "state-untaint", untaint.group(1), *untaint.group(2).split(), environment=STAGING.name
        )
    recovered, detail = _converged(f, stack, f"converged-{stack}")
    f.rows.append(Fault(
        f"interrupted apply: {stack}", "SIGINT to the deploy's group, SIGKILL 10 s later",
        f"{last.split(': ', 1)[0]} ({'tainted: ' + untaint.group(2) if untaint else 'no taint'}"
        f"{', checked healthy' if healthy else ', NOT healthy'}); then {detail}",
        recovered and healthy, _data_lost(f), command))  # fmt: skip
    f.seen[f"interrupted_{stack}"] = last


def _healthy(f: Faults, addresses: list[str]) -> bool:
    """The runbook's check before an untaint: each resource exists and is ready in AWS."""
    checks = {
        "aws_db_instance": lambda: f.client("rds").describe_db_instances(
            DBInstanceIdentifier=STAGING.names.primary)["DBInstances"][0]["DBInstanceStatus"]
        == "available",
        "aws_ecs_cluster": lambda: f.client("ecs").describe_clusters(
            clusters=f.client("ecs").list_clusters()["clusterArns"])["clusters"][0]["status"]
        == "ACTIVE",
        "aws_lb": lambda: f.client("elbv2").describe_load_balancers()["LoadBalancers"][0][
            "State"]["Code"] == "active",
    }  # fmt: skip
    found = {a: _exists(checks[a.split(".")[0]]) if a.split(".")[0] in checks else False
             for a in addresses}  # fmt: skip
    f.run.log(f"checked before the untaint: {found}")
    return all(found.values())


def _interrupted_data(f: Faults) -> None:
    rds = f.client("rds")
    _interrupted(f, "data", lambda: _exists(lambda: rds.describe_db_instances(
        DBInstanceIdentifier=STAGING.names.primary)["DBInstances"]))  # fmt: skip


def _interrupted_compute(f: Faults) -> None:
    ecs = f.client("ecs")
    _interrupted(f, "compute", lambda: _exists(lambda: ecs.list_clusters()["clusterArns"]),
                 concurrent=True)  # fmt: skip


def _stale_lock(f: Faults) -> None:
    """Every process of a plan of `network` killed outright while it holds the lock."""
    s3 = f.client("s3")
    lock = f"{STAGING.state_key('network')}.tflock"
    proc = _start(f, "network", "killed-network")
    _wait_for(lambda: _exists(lambda: s3.get_object(Bucket=STAGING.state_bucket, Key=lock)),
              120, "the plan to take the lock")  # fmt: skip
    for pid in _tree(proc.pid):  # a lost runner: every process at once
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            continue
    proc.wait()
    code, output = _deploy(f, "network", "locked-network")
    refusal = output.strip().splitlines()[-1]
    lock_id = re.search(r"--lock-id (\S+)", refusal)
    assert lock_id, refusal
    f.run.operate("state-unlock", "network", environment=STAGING.name)
    f.run.operate(
        "state-unlock", "network", "--lock-id", lock_id.group(1), environment=STAGING.name
    )
    records = s3.list_objects_v2(Bucket=STAGING.state_bucket,
                                 Prefix=f"{STAGING.state_key('network')}.unlocks/")  # fmt: skip
    recovered, detail = _converged(f, "network", "unlocked-network")
    f.rows.append(Fault(
        "stale lock: network", "every process of a plan killed (SIGKILL) holding the lock",
        f"exit {code}: {refusal.split(': ', 1)[-1][:120]}...; unlock recorded "
        f"({records.get('KeyCount', 0)}); then {detail}",
        recovered and code == 1 and records.get("KeyCount") == 1, "none",
        f"python -m ops state-unlock network --lock-id {lock_id.group(1)}"))  # fmt: skip
    f.seen["stale"] = refusal


def _edge_errors(f: Faults) -> None:
    """A persistent CloudFront failure, then throttling of every fourth call."""
    f.arm(service="cloudfront", every=1, error="unavailable")
    started = time.monotonic()
    code, output = _deploy(f, "edge", "edge-persistent-error")
    seconds = time.monotonic() - started
    stopped = output.strip().splitlines()[-1]
    f.rows.append(Fault(
        "persistent error: edge", "every CloudFront call answered HTTP 503",
        f"exit {code} after {seconds:.0f} s: {stopped[:140]}...", code == 1 and seconds < 600,
        "none", "make deploy-stack STACK=edge (once AWS answers)"))  # fmt: skip
    f.seen["persistent"] = (code, seconds, stopped)
    f.arm()  # AWS answers again
    _revoked(f)
    f.arm(service="*", every=4, error="throttling")
    log = f.run.work / "edge-throttled-provider.log"
    code, output = _deploy(f, "edge", "edge-throttled", TF_LOG_PROVIDER="DEBUG",
                           TF_LOG_PATH=str(log))  # fmt: skip
    injected = sum(f.arm()["injected"].values()) if code == 0 else 0
    retried = len(re.findall(r"Throttling", log.read_text())) if log.exists() else 0
    recovered, detail = _converged(f, "edge", "converged-edge")
    f.rows.append(Fault(
        "throttling: edge", "every 4th call of any service answered Throttling",
        f"exit {code}: {injected} errors injected, {retried} Throttling lines in the provider's "
        f"log (its retries); then {detail}", code == 0 and recovered and retried > 0, "none",
        "none: the provider retries"))  # fmt: skip
    f.seen["throttled"] = (code, injected, retried)


def _credentials(f: Faults) -> None:
    """No credentials at all: the deploy and `ops status`."""
    bare = {k: v for k, v in f.run.env.items() if not k.startswith("AWS_SECRET")}
    bare |= {"AWS_ACCESS_KEY_ID": "", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
             "AWS_CONFIG_FILE": "/dev/null", "AWS_EC2_METADATA_DISABLED": "true"}  # fmt: skip
    none = subprocess.run(_deploy_command(f, "compute"), cwd=harness.ROOT, env=bare,
                          capture_output=True, text=True)  # fmt: skip
    ops_code, ops_out = f.run.operate("status", environment=STAGING.name, env=bare)
    refusals = [none.stderr.strip().splitlines()[-1], ops_out.strip().splitlines()[-1]]
    f.seen["no_credentials"] = (none.returncode, ops_code, refusals)
    f.rows.append(Fault(
        "no credentials", "deploy and ops status with no AWS credentials",
        f"exit {none.returncode}: {refusals[0][:110]}; ops exit {ops_code}: {refusals[1][:90]}",
        none.returncode == 2 and ops_code == 2 and all("credentials" in r for r in refusals),
        "none", "aws sso login (or the role), then the same command"))  # fmt: skip


def _revoked(f: Faults) -> None:
    """The session revoked in the middle of edge's apply (its first resources exist)."""
    proc = _start(f, "edge", "revoked-edge")
    log = f.run.work / "revoked-edge.log"
    _wait_for(lambda: ": PASS" in log.read_text() or proc.poll() is not None, 300,
              "edge's plan to pass the gate")  # fmt: skip
    assert proc.poll() is None, f"edge's deploy ended before its apply:\n{log.read_text()}"
    time.sleep(1)
    # the provider's calls are refused; S3, where Terraform writes the state, is spared (a
    # revoked session also fails that write: Terraform then leaves errored.tfstate behind,
    # docs/operations.md, "Faults"; not emulated)
    f.arm(service="*", every=1, error="expired", spare=["s3"])
    proc.wait(timeout=600)
    f.arm()
    lines = log.read_text().strip().splitlines()
    f.seen["revoked"] = (proc.returncode, lines[-1])
    f.rows.append(Fault(
        "revoked session: edge", "every call but the state's answered ExpiredToken mid-apply",
        f"exit {proc.returncode}: {lines[-1][:120]}...", proc.returncode == 1 and
        lines[-1].startswith("stopped: credentials: ExpiredToken"), "none",
        "renew the credentials, then make deploy-stack STACK=edge"))  # fmt: skip


def _plan(f: Faults, stack: str, label: str) -> str:
    """`terraform plan` of `stack` as a person reads it: its summary (the emulator's named
    read-back gaps counted apart, harness.READ_BACK_GAPS), or its first error."""
    try:
        doc = harness.plan(f.run, f.out, stack, label)
    except Exception as err:
        first = re.search(r"Error: ([^|]+)", str(err))
        return f"error: {(first.group(1) if first else str(err)).strip()[:100]}"
    verdict = harness.judged(f.run, stack, doc, label)
    gaps = sum(x.verdict.startswith("emulator gap") for x in verdict.findings)
    actions = [a for rc in doc.get("resource_changes", []) for a in rc["change"]["actions"]
               if a != "no-op" and a != "read"]  # fmt: skip
    return (f"{actions.count('create')} to add, {actions.count('update')} to change"
            f"{f' ({gaps} the emulator read-back gap)' if gaps else ''}, "
            f"{actions.count('delete')} to destroy")  # fmt: skip


def _state_damage(f: Faults) -> None:
    s3 = f.client("s3")
    bucket, key = STAGING.state_bucket, STAGING.state_key("data")
    versioning = s3.get_bucket_versioning(Bucket=bucket).get("Status")
    before = _plan(f, "data", "before-damage")
    good = s3.head_object(Bucket=bucket, Key=key)["VersionId"]
    versions = s3.list_object_versions(Bucket=bucket, Prefix=key)["Versions"]
    older = [v["VersionId"] for v in versions if v["Key"] == key][-1]  # the first one written
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    damages = {
        "truncated": lambda: s3.put_object(Bucket=bucket, Key=key, Body=body[: len(body) // 3]),
        "rolled back": lambda: s3.copy_object(
            Bucket=bucket, Key=key, CopySource={"Bucket": bucket, "Key": key, "VersionId": older}),
        "deleted": lambda: s3.delete_object(Bucket=bucket, Key=key),
    }  # fmt: skip
    for damage, inject in damages.items():
        inject()
        damaged = _plan(f, "data", f"damaged-{damage.replace(' ', '-')}")
        code, _ = f.run.operate(
            "state-restore", "data", "--version", good, environment=STAGING.name
        )
        after = _plan(f, "data", f"restored-{damage.replace(' ', '-')}")
        good = s3.head_object(Bucket=bucket, Key=key)["VersionId"]
        f.rows.append(Fault(
            f"state {damage}: data", f"the state object {damage} (versioning {versioning})",
            f"plan while damaged: {damaged[:90]}; restored (exit {code}); plan after: {after}",
            code == 0 and after == before and damaged != before, _data_lost(f),
            "python -m ops state-restore data --version <id>"))  # fmt: skip
    f.seen["damage"] = before


def _data_lost(f: Faults) -> str:
    """What of the data is gone: the primary, its snapshots, the backup objects."""
    rds, s3 = f.client("rds"), f.client("s3")
    gone = []
    if not _exists(lambda: rds.describe_db_instances(DBInstanceIdentifier=STAGING.names.primary)):
        gone.append("the primary")
    if f.seen.get("snapshot") and not _exists(
        lambda: rds.describe_db_snapshots(DBSnapshotIdentifier=f.seen["snapshot"])["DBSnapshots"]
    ):
        gone.append("its snapshot")
    if f.seen.get("backup_object") and not _exists(
        lambda: s3.head_object(
            Bucket=STAGING.names.backup_bucket(),
            Key="faults/backup.dump",
        )
    ):
        gone.append("a backup object")
    return ", ".join(gone) or "none"


def _destroy_refused(f: Faults) -> None:
    """The three levels: the code's prevent_destroy, the plan gate, AWS's own protections."""
    rds, s3 = f.client("rds"), f.client("s3")
    f.seen["snapshot"] = "faults-before-destroy"
    rds.create_db_snapshot(DBInstanceIdentifier=STAGING.names.primary,
                           DBSnapshotIdentifier="faults-before-destroy")  # fmt: skip
    backups = STAGING.names.backup_bucket()
    s3.put_object(Bucket=backups, Key="faults/backup.dump", Body=b"pg_dump -Fc of the stores")
    f.seen["backup_object"] = True
    destroy = f.run.timed("destroy-data", [
        sys.executable, "-m", "deploy.ordered", "destroy", "--out", str(f.out), "--confirm",
        STAGING.name, "--stacks", "data", "--allow-dirty"], ok=(0, 1, 2))  # fmt: skip
    doctored = _doctored(f)
    code, replaced = _deploy(f, "data", "replace-primary", out=doctored)
    aws = {}
    for what, call in {
        "the primary": lambda: rds.delete_db_instance(
            DBInstanceIdentifier=STAGING.names.primary, SkipFinalSnapshot=True),
        "the backup bucket": lambda: s3.delete_bucket(Bucket=backups),
        "the state bucket": lambda: s3.delete_bucket(Bucket=STAGING.state_bucket),
    }.items():  # fmt: skip
        try:
            call()
            aws[what] = "deleted"
        except Exception as err:
            aws[what] = getattr(err, "response", {}).get("Error", {}).get("Code", str(err))
    f.seen["destroy"] = (destroy.output, code, replaced, aws)
    recovered, detail = _converged(f, "data", "after-destroy-data")
    levels = ("prevent_destroy" in destroy.output, code == 1 and "fails the guard" in replaced,
              "deleted" not in aws.values())  # fmt: skip
    f.rows.append(Fault(
        "destroy: data", "make destroy of data; a replaced primary; AWS deletes",
        f"code: {'refused' if levels[0] else 'NOT refused'}; gate: "
        f"{'refused' if levels[1] else 'NOT refused'}; AWS: "
        f"{', '.join(f'{k} {v}' for k, v in aws.items())}; then {detail}",
        all(levels) and recovered, _data_lost(f), "none: nothing was destroyed"))  # fmt: skip


def _doctored(f: Faults) -> Path:
    """The synthesized output with the primary's database renamed (a replacement) and its
    prevent_destroy removed: what a careless change would look like to the plan gate."""
    import shutil

    doctored = f.run.work / "doctored" / "cdktf.out"
    if not doctored.exists():
        shutil.copytree(f.out, doctored, ignore=shutil.ignore_patterns(".terraform", "*.tfplan"))
    path = Synthesized(doctored).stack_dir("data") / "cdk.tf.json"
    doc = json.loads(path.read_text())
    for resource in doc["resource"]["aws_db_instance"].values():
        resource.pop("lifecycle", None)
        resource["db_name"] = "renamed"
    path.write_text(json.dumps(doc, indent=2))
    return doctored


# -- the assertions ---------------------------------------------------------------------------


def test_every_fault_is_recovered_with_no_data_lost(faults: Faults) -> None:
    assert len(faults.rows) == 12, [r.name for r in faults.rows]
    assert [r.name for r in faults.rows if not r.recovered] == [], _table(faults.rows)
    assert {r.data_lost for r in faults.rows} == {"none"}, _table(faults.rows)


def test_an_interrupted_apply_stops_gracefully_with_its_one_line(faults: Faults) -> None:
    for stack in ("data", "compute"):
        last = faults.seen[f"interrupted_{stack}"]
        assert last.startswith(f"interrupted: {stack}: terraform apply interrupted (1 interrupt")
        assert "wrote the state and released the lock" in last


def test_a_second_deploy_is_refused_by_the_lock_naming_its_holder(faults: Faults) -> None:
    assert re.search(
        r"stopped: compute: the state is locked by \S+ since .+ \("
        r"OperationTypeApply, lock \S+\)",
        faults.seen["concurrent"],
    )


def test_a_stale_lock_names_the_unlock_command_and_the_unlock_is_recorded(faults: Faults) -> None:
    assert "python -m ops state-unlock network --lock-id " in faults.seen["stale"]
    s3 = faults.client("s3")
    prefix = f"{STAGING.state_key('network')}.unlocks/"
    (record,) = s3.list_objects_v2(Bucket=STAGING.state_bucket, Prefix=prefix)["Contents"]
    written = json.loads(
        s3.get_object(Bucket=STAGING.state_bucket, Key=record["Key"])["Body"].read()
    )
    assert written["lock"]["Operation"] == "OperationTypePlan" and written["unlocked_by"]


def test_throttling_is_retried_and_a_persistent_error_fails_with_the_providers_message(
    faults: Faults,
) -> None:
    code, seconds, stopped = faults.seen["persistent"]
    assert code == 1 and "StatusCode: 503" in stopped and seconds < 600, stopped
    code, injected, retried = faults.seen["throttled"]
    assert code == 0 and injected > 10 and retried > 0


def test_credentials_problems_are_one_line_about_the_credentials(faults: Faults) -> None:
    code, ops_code, refusals = faults.seen["no_credentials"]
    assert (code, ops_code) == (2, 2)
    assert refusals[0].startswith("refused: credentials: none usable for staging")
    assert refusals[1].startswith("error: credentials: ")
    code, last = faults.seen["revoked"]
    assert code == 1 and last.startswith("stopped: credentials: ExpiredToken during terraform")
    assert "edge" in last


def test_nothing_destroys_data(faults: Faults) -> None:
    output, code, replaced, aws = faults.seen["destroy"]
    assert "prevent_destroy" in output
    assert code == 1 and "aws_db_instance" in replaced and "fails the guard" in replaced
    assert aws == {
        "the primary": "InvalidParameterCombination",
        "the backup bucket": "BucketNotEmpty",
        "the state bucket": "BucketNotEmpty",
    }
