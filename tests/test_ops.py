"""`python -m ops`: each runbook verb against moto in server mode (127.0.0.1).

The emulated account is the resolver's world (`tests/world`, the estate as AWS CDK deployed
it); the stacks' outputs are written into the state bucket the way Terraform's S3 backend
writes them, with the IDs the emulator returned. Each verb runs in process through `main()`:
the assertions read the emulator back (the task ECS started, the desired count, the snapshot,
the image `latest` points at) and the calls the verb printed, which are the calls it made.
"""

from __future__ import annotations

import base64
import json
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

import config
from ops.__main__ import VERBS, main
from tests.moto_server import moto_server
from tests.world import World, seed

PROD = config.load()


@pytest.fixture(scope="module")
def estate() -> Iterator[tuple[str, World, Any]]:
    # the backend runs as many tasks as desired (moto starts none by default): a healthy status
    running = str(PROD.compute.desired_count)
    with moto_server(PROD.account_id, settings={"MOTO_ECS_SERVICE_RUNNING": running}) as url:
        session = boto3.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=PROD.region
        )

        def client(service: str) -> Any:
            return session.client(service, endpoint_url=url)

        world = seed(client, PROD)
        _write_states(client, world)
        # moto's run_task adds up container-level memory, which Fargate does not need: one
        # more revision of the ETL family with it (run-etl runs the family's newest)
        etl = client("ecs").describe_task_definition(taskDefinition="FluxionETLTask")
        definition = etl["taskDefinition"]
        client("ecs").register_task_definition(
            family="FluxionETLTask",
            networkMode="awsvpc",
            requiresCompatibilities=["FARGATE"],
            cpu=definition["cpu"],
            memory=definition["memory"],
            executionRoleArn=definition["executionRoleArn"],
            taskRoleArn=definition["taskRoleArn"],
            containerDefinitions=[
                c | {"memory": int(definition["memory"])}
                for c in definition["containerDefinitions"]
            ],
        )
        with pytest.MonkeyPatch.context() as env:  # the verbs' boto3 sessions use these
            env.setenv("AWS_ACCESS_KEY_ID", "testing")
            env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
            yield url, world, client


def _outputs(world: World, client: Any) -> dict[str, dict[str, Any]]:
    ids = world.ids
    instance = client("ec2").describe_instances(InstanceIds=[ids["wireguard/instance"]])
    eni = instance["Reservations"][0]["Instances"][0]["NetworkInterfaces"][0]
    rds = client("rds").describe_db_instances()["DBInstances"]
    address = {db["DBInstanceIdentifier"]: db["Endpoint"]["Address"] for db in rds}
    registry = f"{PROD.account_id}.dkr.ecr.{PROD.region}.amazonaws.com"
    return {
        "network": {
            "etl_subnet_id": ids["vpc/private_us_east_1b"],
            "etl_security_group_id": ids["sg/etl"],
            "backend_security_group_id": ids["sg/backend"],
            "private_subnet_ids": [ids["vpc/private_us_east_1a"], ids["vpc/private_us_east_1b"]],
            "wireguard_eni_id": eni["NetworkInterfaceId"],
        },
        "data": {
            "primary_address": address["fluxion-postgres-v2"],
            "replica_address": address["fluxion-postgres-replica"],
        },
        "compute": {
            "cluster_name": ids["cluster"],
            "service_name": ids["backend_service/service"].split("/", 1)[1],
            "backend_repository_url": f"{registry}/{ids['backend_repository/repository']}",
        },
    }


def _write_states(client: Any, world: World) -> None:
    """State objects as Terraform's S3 backend writes them (only `outputs` is read)."""
    s3 = client("s3")
    s3.create_bucket(Bucket=PROD.state_bucket)
    for stack, values in _outputs(world, client).items():
        state = {
            "version": 4,
            "outputs": {k: {"value": v, "type": "string"} for k, v in values.items()},
        }
        s3.put_object(
            Bucket=PROD.state_bucket, Key=PROD.state_key(stack), Body=json.dumps(state).encode()
        )


def _ops(url: str, *argv: str) -> int:
    return main(["--endpoint-url", url, *argv])


def _calls(out: str, operation: str) -> list[dict[str, Any]]:
    """The params of every `call:` line of `operation` the verb printed."""
    prefix = f"  call: {operation} "
    return [json.loads(line[len(prefix) :]) for line in out.splitlines() if line.startswith(prefix)]


def test_help_lists_every_verb(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert len(VERBS) == 17
    for verb in VERBS:
        assert f"  {verb} " in out


def test_run_etl_uses_the_etl_subnet_and_security_group(
    estate: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    url, world, client = estate
    assert _ops(url, "--yes", "run-etl", "FluxionETLTask", "--todas") == 0
    out = capsys.readouterr().out
    (params,) = _calls(out, "ecs.run_task")
    network = params["networkConfiguration"]["awsvpcConfiguration"]
    assert network["subnets"] == [world.ids["vpc/private_us_east_1b"]]  # the ETL AZ's subnet
    assert network["securityGroups"] == [world.ids["sg/etl"]]
    assert world.ids["sg/etl"] != world.ids["sg/backend"]
    assert params["overrides"]["containerOverrides"] == [
        {"name": "etl", "command": ["python", "etl_inventario.py", "--todas"]}
    ]
    ecs = client("ecs")
    arns = ecs.list_tasks(cluster=PROD.compute.cluster_name)["taskArns"]
    tasks = ecs.describe_tasks(cluster=PROD.compute.cluster_name, tasks=arns)["tasks"]
    started = [t for t in tasks if t.get("startedBy") == "ops-run-etl"]
    assert len(started) == 1 and "FluxionETLTask:" in started[0]["taskDefinitionArn"]
    assert f"started {started[0]['taskArn']}" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run-etl", "FluxionBackendTask"], r"run-etl: task 'FluxionBackendTask' is not an ETL"),
        (["scale-backend", "7"], r"scale-backend: 7 is outside 1..6 \(compute.max_desired_count"),
        (["scale-backend", "0"], r"scale-backend: 0 is outside 1..6"),
        (["rollback-backend", "--to", "nope"], r"tag 'nope' is not in repository fluxion-backend"),
    ],
)
def test_bad_input_is_one_line(
    estate: Any, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    url, _, _ = estate
    assert _ops(url, "--yes", *argv) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("error: ") and re.search(message, line), line


def _desired(client: Any) -> int:
    services = client("ecs").describe_services(
        cluster=PROD.compute.cluster_name, services=[PROD.compute.service_name]
    )["services"]
    return int(services[0]["desiredCount"])


def test_scale_asks_dry_runs_and_reminds_of_the_code(
    estate: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _, client = estate
    assert _ops(url, "scale-backend", "3") == 0  # stdin is not a terminal: no answer, no call
    assert "not confirmed: no call made" in capsys.readouterr().out
    assert _ops(url, "--dry-run", "scale-backend", "3") == 0
    assert "dry run: no call made" in capsys.readouterr().out
    assert _desired(client) == 2
    assert _ops(url, "--yes", "scale-backend", "3") == 0
    out = capsys.readouterr().out
    assert _desired(client) == 3
    assert "the code holds desired_count=2" in out and "scale-backend 2" in out
    assert _ops(url, "--yes", "scale-backend", "2") == 0
    assert _desired(client) == 2


def _push(client: Any, tag: str, layer: str) -> str:
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {
                "digest": f"sha256:{layer * 64}"[:71],
                "size": 1,
                "mediaType": "application/vnd.docker.container.image.v1+json",
            },
            "layers": [
                {
                    "digest": f"sha256:{layer * 64}",
                    "size": 1,
                    "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                }
            ],
        }
    )
    image = client("ecr").put_image(
        repositoryName="fluxion-backend", imageManifest=manifest, imageTag=tag
    )
    return str(image["image"]["imageId"]["imageDigest"])


def test_rollback_lists_images_and_points_latest_at_the_chosen_one(
    estate: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _, client = estate
    old = _push(client, "v1", "a")
    time.sleep(1.1)  # pushed dates differ: the list is newest first
    new = _push(client, "v2", "b")
    client("ecr").put_image(
        repositoryName="fluxion-backend",
        imageManifest=client("ecr").batch_get_image(
            repositoryName="fluxion-backend", imageIds=[{"imageTag": "v2"}]
        )["images"][0]["imageManifest"],
        imageTag="latest",
    )
    assert _ops(url, "rollback-backend") == 0
    listing = [
        line for line in capsys.readouterr().out.splitlines() if "v1" in line or "v2" in line
    ]
    assert "latest, v2" in listing[0] and listing[1].endswith("  v1")
    assert _ops(url, "--yes", "rollback-backend", "--to", "v1") == 0
    out = capsys.readouterr().out
    images = client("ecr").describe_images(repositoryName="fluxion-backend")["imageDetails"]
    tags = {d["imageDigest"]: set(d.get("imageTags", [])) for d in images}
    assert tags[old] == {"v1", "latest"} and tags[new] == {"v2"}
    (update,) = _calls(out, "ecs.update_service")
    assert update == {
        "cluster": PROD.compute.cluster_name,
        "service": PROD.compute.service_name,
        "forceNewDeployment": True,
    }
    assert _ops(url, "--profile", "hardened", "--yes", "rollback-backend", "--to", "v1") == 2
    assert "set it to 'v1' in config/environments.py" in capsys.readouterr().err


def test_restart_bridge_runs_the_restart_on_the_bridge_over_ssm(
    estate: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    url, world, client = estate
    assert _ops(url, "--yes", "restart-bridge") == 0
    out = capsys.readouterr().out
    (params,) = _calls(out, "ssm.send_command")
    assert params["InstanceIds"] == [world.ids["wireguard/instance"]]
    assert params["DocumentName"] == "AWS-RunShellScript"
    assert params["Parameters"]["commands"] == [
        "systemctl restart wg-quick@wg0",
        "wg show",
        "ping -c 3 -W 2 192.168.20.1",
    ]
    sent = client("ssm").list_commands()["Commands"]
    assert [c["InstanceIds"] for c in sent] == [[world.ids["wireguard/instance"]]]
    assert "status: Success" in out


def test_snapshot_db_names_it_by_date_and_waits(
    estate: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _, client = estate
    assert _ops(url, "--yes", "snapshot-db") == 0
    out = capsys.readouterr().out
    (params,) = _calls(out, "rds.create_db_snapshot")
    assert params["DBInstanceIdentifier"] == "fluxion-postgres-v2"
    name = params["DBSnapshotIdentifier"]
    assert name.startswith(f"manual-{time.strftime('%Y-%m-%d', time.gmtime())}-")
    (snapshot,) = client("rds").describe_db_snapshots(DBSnapshotIdentifier=name)["DBSnapshots"]
    assert snapshot["DBInstanceIdentifier"] == "fluxion-postgres-v2"
    assert f"snapshot {name}: available" in out


def test_status_reads_service_database_etl_runs_and_rules(
    estate: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _, _ = estate
    assert _ops(url, "status") == 0
    out = capsys.readouterr().out
    assert "backend: desired 2, running 2" in out
    assert out.strip().endswith("\nhealthy")
    assert "fluxion-postgres-v2: available, 100 GB, db.t3.medium" in out
    assert "fluxion-postgres-replica: available" in out
    assert "rule fluxion-productos-cache-refresh: DISABLED" in out
    assert "rule fluxion-inventario-sync-30min: ENABLED" in out
    assert "drift" not in out  # the emulated rules are as the code says
    assert "  call: " not in out, "status changes nothing"


def test_logs_prints_the_recent_events(estate: Any, capsys: pytest.CaptureFixture[str]) -> None:
    url, _, client = estate
    logs = client("logs")
    logs.create_log_stream(logGroupName="/ecs/fluxion-backend", logStreamName="ops-test")
    logs.put_log_events(
        logGroupName="/ecs/fluxion-backend",
        logStreamName="ops-test",
        logEvents=[{"timestamp": int(time.time() * 1000), "message": "GET /health 200"}],
    )
    assert _ops(url, "logs", "backend", "--minutes", "5") == 0
    assert "GET /health 200" in capsys.readouterr().out


def test_shell_needs_a_running_task(estate: Any, capsys: pytest.CaptureFixture[str]) -> None:
    url, _, _ = estate
    assert _ops(url, "shell") == 2  # moto's service starts no task
    assert "shell: no running task of fluxion-backend" in capsys.readouterr().err
    assert _ops(url, "--dry-run", "shell") == 0
    out = capsys.readouterr().out
    assert "aws ecs execute-command --region us-east-1 --cluster fluxion-cluster" in out


def test_a_stack_that_is_not_deployed_is_one_line(
    estate: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _, client = estate
    client("s3").delete_object(Bucket=PROD.state_bucket, Key=PROD.state_key("data"))
    try:
        assert _ops(url, "--yes", "snapshot-db") == 2
        (line,) = capsys.readouterr().err.strip().splitlines()
        assert line.startswith("error: data: no state at s3://fluxion-tfstate-611395766952/")
        assert "is the stack deployed?" in line
    finally:
        _write_states(client, estate[1])


def test_recorded_outputs_make_no_call(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    recorded = tmp_path / "outputs.json"
    recorded.write_text(json.dumps({"compute": {"cluster_name": "c", "service_name": "s"}}))
    # an endpoint nobody listens on: any call would fail
    argv = ["--endpoint-url", "http://127.0.0.1:9", "--outputs", str(recorded), "--dry-run"]
    assert main([*argv, "scale-backend", "4"]) == 0
    out = capsys.readouterr().out
    assert _calls(out, "ecs.update_service") == [
        {"cluster": "c", "service": "s", "desiredCount": 4}
    ]
    assert main([*argv, "run-etl", "FluxionETLTask"]) == 2
    assert "--outputs: no outputs of 'network' in the recorded file" in capsys.readouterr().err
    recorded.write_text(json.dumps({"compute": {"cluster_name": "c"}}))
    assert main([*argv, "scale-backend", "4"]) == 2
    assert "compute: output 'service_name' is not in its state" in capsys.readouterr().err


OLD_KEY = "eFJ1bGVzLW9sZC1rZXktbm90LWEtcmVhbC1rZXktMDA="  # 32 bytes: an illustration


def _bridge(client: Any, world: World) -> str:
    return str(world.ids["wireguard/instance"])


def test_bridge_key_check_finds_a_key_in_the_boot_script_without_printing_it(
    estate: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """Finding 8: the plan role reads user data; a key written there is readable by any pull
    request. The check says which line, never the key."""
    url, world, client = estate
    instance = _bridge(client, world)
    assert _ops(url, "bridge-key-check") == 0
    assert f"{instance}: no private key in its boot script" in capsys.readouterr().out
    script = "#!/bin/bash\ncat > /etc/wireguard/wg0.conf <<WG\n[Interface]\n"
    script += f"PrivateKey = {OLD_KEY}\nWG\n"
    ec2 = client("ec2")
    ec2.stop_instances(InstanceIds=[instance])
    # ModifyInstanceAttribute takes the script base64-encoded (moto insists, as the CLI docs say)
    ec2.modify_instance_attribute(
        InstanceId=instance, UserData={"Value": base64.b64encode(script.encode())}
    )
    try:
        assert _ops(url, "bridge-key-check") == 1
        out = capsys.readouterr().out
        assert f"{instance}: its boot script holds a WireGuard private key (line 4)" in out
        assert OLD_KEY not in out and "rotate-bridge-key" in out
        ours = '[Interface]\nPrivateKey = $(jq -r .private_key <<<"$cfg")\n'
        ec2.modify_instance_attribute(
            InstanceId=instance, UserData={"Value": base64.b64encode(ours.encode())}
        )
        assert _ops(url, "bridge-key-check") == 0
    finally:
        ec2.start_instances(InstanceIds=[instance])


def test_rotate_bridge_key_asks_keeps_the_peer_and_never_prints_a_private_key(
    estate: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _, client = estate
    sm = client("secretsmanager")
    name = PROD.network.wireguard_secret_name
    peer = {"peer_public_key": "cGVlci1wdWJsaWMta2V5LW5vdC1yZWFsLTAwMDAwMDA=",
            "peer_endpoint": "203.0.113.10:51820", "persistent_keepalive": 25}  # fmt: skip
    sm.put_secret_value(SecretId=name, SecretString=json.dumps({"private_key": OLD_KEY, **peer}))
    assert _ops(url, "rotate-bridge-key") == 0  # not a terminal: no answer, no write
    assert "not confirmed: no call made" in capsys.readouterr().out
    assert _ops(url, "--dry-run", "rotate-bridge-key") == 0
    assert "dry run: no call made" in capsys.readouterr().out
    assert json.loads(sm.get_secret_value(SecretId=name)["SecretString"])["private_key"] == OLD_KEY
    assert _ops(url, "--yes", "rotate-bridge-key") == 0
    out = capsys.readouterr().out
    stored = json.loads(sm.get_secret_value(SecretId=name)["SecretString"])
    assert stored["private_key"] != OLD_KEY and len(stored["private_key"]) == 44
    assert {k: stored[k] for k in peer} == peer, "the peer and endpoint are kept"
    assert stored["private_key"] not in out and OLD_KEY not in out
    assert '"SecretString": "<redacted>"' in out
    public = re.search(r"new public key for La Granja's peer: (\S+)", out)
    assert public and len(public[1]) == 44 and public[1] != stored["private_key"]
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    derived = X25519PrivateKey.from_private_bytes(base64.b64decode(stored["private_key"]))
    assert base64.b64encode(derived.public_key().public_bytes_raw()).decode() == public[1]


def test_rotate_bridge_key_refuses_a_secret_that_is_not_the_bridges(
    estate: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _, client = estate
    name = PROD.network.wireguard_secret_name
    client("secretsmanager").put_secret_value(SecretId=name, SecretString="not json")
    assert _ops(url, "--yes", "rotate-bridge-key") == 2
    assert capsys.readouterr().err == (
        f"error: rotate-bridge-key: {name} does not hold the bridge's JSON\n"
    )


# --- every verb that changes something asks first, through the front door -------------------

READ_ONLY = {
    "status", "alarms", "logs", "shell", "drift", "bridge-key-check", "recovery-status"
}  # fmt: skip
ASKS_APART = {"state-restore", "state-unlock", "state-untaint"}
"""Read-only without their option, ask before they change the state: tests of their own
below, on a versioned bucket."""
"""The verbs that change nothing (docs/operations.md); every other verb asks first."""
CHANGING = {
    "run-etl": ["run-etl", "FluxionETLTask", "--todas"],
    "rollback-backend": ["rollback-backend", "--to", "v1"],
    "scale-backend": ["scale-backend", "3"],
    "restart-bridge": ["restart-bridge"],
    "snapshot-db": ["snapshot-db"],
    "snapshot-copy": ["snapshot-copy", "--to-region", "us-west-2"],
    "rotate-bridge-key": ["rotate-bridge-key"],
}
READ_CALLS = ("Describe", "Get", "List", "BatchGet")
PEER = {"peer_public_key": "cGVlci1wdWJsaWMta2V5LW5vdC1yZWFsLTAwMDAwMDA=",
        "peer_endpoint": "203.0.113.10:51820", "persistent_keepalive": 25}  # fmt: skip


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every AWS operation the ops command makes (botocore's before-call event)."""
    import ops.__main__ as entry

    original = entry._client_factory
    operations: list[str] = []

    def factory(args: Any, region: str) -> Any:
        inner = original(args, region)

        def client(service: str, *region: str) -> Any:
            made_client = inner(service, *region)
            if not getattr(made_client, "_recorded", False):
                made_client.meta.events.register(
                    "before-call", lambda model, **_: operations.append(model.name)
                )
                made_client._recorded = True
            return made_client

        return client

    monkeypatch.setattr(entry, "_client_factory", factory)
    return operations


def test_every_verb_is_read_only_or_asks() -> None:
    assert set(VERBS) == READ_ONLY | set(CHANGING) | ASKS_APART


@pytest.mark.parametrize("verb", sorted(CHANGING))
def test_a_person_who_answers_no_changes_nothing(
    estate: Any, made: list[str], verb: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    url, _, client = estate
    if verb == "rollback-backend":
        _push(client, "v1", "c")
    if verb == "rotate-bridge-key":
        client("secretsmanager").put_secret_value(
            SecretId=PROD.network.wireguard_secret_name,
            SecretString=json.dumps({"private_key": OLD_KEY, **PEER}),
        )
    asked: list[str] = []

    def no(question: str) -> bool:
        asked.append(question)
        return False

    monkeypatch.setattr("runtime.cli.confirm", no)
    assert _ops(url, *CHANGING[verb]) == 0
    out = capsys.readouterr().out
    assert len(asked) == 1, asked
    assert "not confirmed: no call made" in out
    assert made and all(op.startswith(READ_CALLS) for op in made), made
    assert "  call: " in out, "the calls it would make are shown before the question"


@pytest.mark.parametrize("verb", sorted(CHANGING))
def test_a_dry_run_asks_nothing_and_changes_nothing(
    estate: Any, made: list[str], verb: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _, client = estate
    if verb == "rollback-backend":
        _push(client, "v1", "d")
    assert _ops(url, "--dry-run", *CHANGING[verb]) == 0
    assert "no call made" in capsys.readouterr().out
    assert all(op.startswith(READ_CALLS) for op in made), made


# --- the call runner on its own: what it prints, asks and raises (no emulator) ------------


Recorded = tuple[Any, list[str], list[str], list[str]]


def _runner(
    answer: bool = True, *, dry_run: bool = False, yes: bool = False,
    fails: BaseException | None = None,
) -> Recorded:  # fmt: skip
    from ops.calls import CallRunner

    said: list[str] = []
    asked: list[str] = []
    made: list[str] = []

    class Client:
        def __getattr__(self, operation: str) -> Any:
            def call(**params: Any) -> str:
                if fails is not None:
                    raise fails
                made.append(f"{operation} {params}")
                return operation

            return call

    def ask(question: str) -> bool:
        asked.append(question)
        return answer

    runner = CallRunner(lambda _service: Client(), said.append, ask, yes=yes, dry_run=dry_run)
    return runner, said, asked, made


def test_the_runner_prints_every_call_and_asks_once_before_changing() -> None:
    from ops.calls import Call

    calls = [Call("ecs", "update_service", {"desiredCount": 3}), Call("ecs", "tag", {"k": "v"})]
    runner, said, asked, made = _runner(answer=False)
    assert runner.change(calls, "set it?") is None
    assert asked == ["set it?"] and made == []
    assert said == [f"  call: {calls[0]}", f"  call: {calls[1]}", "not confirmed: no call made"]
    runner, said, asked, made = _runner(answer=True)
    assert runner.change(calls, "set it?") == ["update_service", "tag"]
    assert made == ["update_service {'desiredCount': 3}", "tag {'k': 'v'}"]
    runner, said, asked, made = _runner(yes=True, answer=False)
    assert runner.change(calls, "set it?") == ["update_service", "tag"] and asked == []
    runner, said, asked, made = _runner(dry_run=True)
    assert runner.change(calls, "set it?") is None and asked == [] and made == []
    assert said[-1] == "dry run: no call made"


def test_the_runner_prints_reads_and_makes_none_in_a_dry_run() -> None:
    from ops.calls import Call

    call = Call("ecs", "describe_services", {"services": ["b"]})
    runner, said, _, made = _runner()
    assert runner.read(call) == "describe_services" and said == [f"  read: {call}"]
    runner, said, _, made = _runner(dry_run=True)
    assert runner.read(call) is None and made == []
    assert said == [f"  read (dry run, not made): {call}"]


def test_a_call_prints_its_parameters_in_one_order_whatever_order_they_were_given_in() -> None:
    """Printed calls are compared across runs (logs, the e2e report): sorted keys, one line."""
    from ops.calls import Call

    one = Call("ecs", "list_tasks", {"family": "f", "cluster": "c"})
    other = Call("ecs", "list_tasks", {"cluster": "c", "family": "f"})
    assert str(one) == str(other) == 'ecs.list_tasks {"cluster": "c", "family": "f"}'


def test_an_aws_error_is_one_line_naming_the_call() -> None:
    from botocore.exceptions import ClientError

    from ops.calls import Call
    from ops.errors import OpsError

    message = "Rate exceeded\n  for  this\taccount " + "x" * 400
    denied = ClientError({"Error": {"Code": "Throttling", "Message": message}}, "UpdateService")
    runner, *_ = _runner(fails=denied)
    with pytest.raises(OpsError) as caught:
        runner.change([Call("ecs", "update_service", {})], "?")
    line = str(caught.value)
    assert line.startswith("ecs.update_service: Rate exceeded for this account xxx")
    assert "\n" not in line and len(line) == len("ecs.update_service: ") + 300
    runner, *_ = _runner(fails=ConnectionError("no\nroute"))
    with pytest.raises(OpsError, match=r"^ecs.list_tasks: no route$"):
        runner.read(Call("ecs", "list_tasks", {}))


# --- the promotion's check and the recovery verbs ---------------------------------------------


def _context(answers: dict[str, Any], env: Any = PROD) -> tuple[Any, list[str]]:
    """An OpsContext on recorded outputs whose AWS answers are `answers` (operation -> reply)."""
    from ops.calls import CallRunner
    from ops.outputs import Outputs
    from ops.verbs import OpsContext

    class Client:
        def __getattr__(self, operation: str) -> Any:
            defaults = {"describe_rule": {"State": "ENABLED"}}
            found = answers.get(operation, defaults.get(operation, {}))
            if isinstance(found, Exception):
                raise found
            return lambda **_params: found

    said: list[str] = []
    recorded = {
        "compute": {"cluster_name": "c", "service_name": "s"},
        "data": {
            "primary_address": "p.x.rds.amazonaws.com",
            "replica_address": "r.x.rds.amazonaws.com",
        },
    }  # fmt: skip
    runner = CallRunner(lambda *_service: Client(), said.append, lambda _q: True, yes=True)
    ctx = OpsContext(env, Outputs(env, None, recorded), runner, said.append, sleep=lambda _s: None)
    return ctx, said


def _db(status: str) -> dict[str, Any]:
    return {"DBInstances": [{"DBInstanceStatus": status, "AllocatedStorage": 20,
                             "DBInstanceClass": "db.t4g.micro", "DBName": "fluxion"}]}  # fmt: skip


@pytest.mark.parametrize(
    ("running", "db", "verdict"),
    [
        (2, "available", "healthy"),
        (1, "available", "unhealthy: backend runs 1 of 2 tasks"),
        (2, "storage-full", "unhealthy: p is storage-full; r is storage-full"),
    ],
)
def test_status_says_healthy_or_what_is_not_and_exits_1(
    running: int, db: str, verdict: str
) -> None:
    from ops.verbs import status

    service = {"desiredCount": 2, "runningCount": running, "pendingCount": 2 - running}
    ctx, said = _context({"describe_services": {"services": [service]},
                          "describe_db_instances": _db(db)})  # fmt: skip
    assert status(ctx) == (0 if verdict == "healthy" else 1)
    assert said[-1] == verdict


@pytest.mark.parametrize(
    ("services", "verdict"),
    [
        ({"services": [], "failures": [{"arn": "arn:svc", "reason": "MISSING"}]},
         "unhealthy: backend service arn:svc: MISSING"),
        ({"services": []}, "unhealthy: backend service: not found"),
        ({"services": [{"desiredCount": 0, "runningCount": 0, "pendingCount": 0}]},
         "unhealthy: backend desires 0 tasks"),
        ({"services": [{"desiredCount": 2, "runningCount": 2, "pendingCount": 0, "deployments": [
            {"status": "PRIMARY", "rolloutState": "IN_PROGRESS",
             "rolloutStateReason": "ECS deployment in progress"},
            {"status": "ACTIVE", "rolloutState": "COMPLETED"}]}]},
         "unhealthy: backend deployment IN_PROGRESS: ECS deployment in progress"),
        ({"services": [{"desiredCount": 2, "runningCount": 2, "pendingCount": 0, "deployments": [
            {"status": "PRIMARY", "rolloutState": "COMPLETED"}]}]}, "healthy"),
    ],
)  # fmt: skip
def test_status_is_unhealthy_without_a_service_tasks_or_a_finished_rollout(
    services: dict[str, Any], verdict: str
) -> None:
    """Old tasks still count as running while a new revision fails to start: the newest
    deployment must have rolled out."""
    from ops.verbs import status

    ctx, said = _context({"describe_services": services,
                          "describe_db_instances": _db("available")})  # fmt: skip
    assert status(ctx) == (0 if verdict == "healthy" else 1)
    assert said[-1] == verdict


def test_status_without_a_replica_reads_the_primary_once() -> None:
    from ops.verbs import status

    service = {"desiredCount": 1, "runningCount": 1, "pendingCount": 0}
    ctx, said = _context({"describe_services": {"services": [service]},
                          "describe_db_instances": _db("available")})  # fmt: skip
    ctx.outputs.recorded["data"]["replica_address"] = "p.x.rds.amazonaws.com"
    assert status(ctx) == 0
    assert [line for line in said if line.startswith("p: ")] == [
        "p: available, 20 GB, db.t4g.micro"
    ]


def test_snapshot_copy_copies_the_newest_available_snapshot_and_says_what_next() -> None:
    from ops.recovery import snapshot_copy

    snapshots = {"DBSnapshots": [
        {"DBSnapshotIdentifier": "rds:p-2026-12-05", "Status": "available",
         "SnapshotCreateTime": "2026-12-05T03:00:00Z", "DBSnapshotArn": "arn:old"},
        {"DBSnapshotIdentifier": "manual-2026-12-06-1200", "Status": "available",
         "SnapshotCreateTime": "2026-12-06T12:00:00Z", "DBSnapshotArn": "arn:new"},
        {"DBSnapshotIdentifier": "rds:p-2026-12-06", "Status": "creating",
         "SnapshotCreateTime": "2026-12-06T13:00:00Z", "DBSnapshotArn": "arn:creating"},
    ]}  # fmt: skip
    copied = {"DBSnapshots": [{"Status": "available", "DBSnapshotArn": "arn:copy"}]}
    answers = {"describe_db_snapshots": snapshots}
    ctx, said = _context(answers)
    answers["copy_db_snapshot"] = {}
    # the copy is read back in the recovery region: the same fake answers it
    ctx.runner.client = lambda service, region=None: type(
        "C",
        (),
        {
            "__getattr__": lambda _s, op: (
                lambda **p: (
                    copied if region and op == "describe_db_snapshots" else answers.get(op, {})
                )
            )
        },
    )()
    assert snapshot_copy(ctx, "us-west-2", None, "alias/aws/rds", 60) == 0
    (call,) = [line for line in said if line.startswith("  call: rds.copy_db_snapshot")]
    assert call.startswith("  call: rds.copy_db_snapshot (in us-west-2) ")
    params = json.loads(call.split(") ", 1)[1])
    assert params["SourceDBSnapshotIdentifier"] == "arn:new"
    assert params["TargetDBSnapshotIdentifier"] == "recovery-manual-2026-12-06-1200"
    assert params["SourceRegion"] == PROD.region and params["KmsKeyId"] == "alias/aws/rds"
    assert said[-2] == "copied: arn:copy (available)"
    assert said[-1] == (
        "next: FLUXION_ENV=production-recovery FLUXION_RESTORE_SNAPSHOT=arn:copy make synth deploy"
    )


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["snapshot-copy", "--to-region", "us-east-1"],
         "error: snapshot-copy: --to-region us-east-1 is production's own region"),
        (["recovery-status"], "error: recovery-status: production is not a recovery environment"),
    ],
)  # fmt: skip
def test_the_recovery_verbs_refuse_what_makes_no_sense(
    argv: list[str], line: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "outputs.json").write_text("{}")
    assert main(["--outputs", str(tmp_path / "outputs.json"), "--dry-run", *argv]) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == line


def test_snapshot_copy_needs_a_snapshot_to_copy() -> None:
    from ops.errors import OpsError
    from ops.recovery import copy_name, newest_snapshot

    with pytest.raises(OpsError, match=r"^snapshot-copy: the primary has no available snapshot"):
        newest_snapshot([{"DBSnapshotIdentifier": "a", "Status": "creating"}])
    assert copy_name("rds:fluxion-postgres-v2-2026-12-06-03-10") == (
        "recovery-fluxion-postgres-v2-2026-12-06-03-10"
    )


def test_a_call_in_another_region_says_so_and_gets_that_region_s_client() -> None:
    from ops.calls import Call, CallRunner

    asked_for: list[tuple[str, ...]] = []

    class Client:
        def __getattr__(self, operation: str) -> Any:
            return lambda **params: (operation, params)

    def client(*service_and_region: str) -> Client:
        asked_for.append(service_and_region)
        return Client()

    said: list[str] = []
    runner = CallRunner(client, said.append, lambda _q: True)
    there = Call("rds", "describe_db_snapshots", {"DBSnapshotIdentifier": "x"}, region="us-west-2")
    here = Call("rds", "describe_db_snapshots", {"DBSnapshotIdentifier": "x"})
    assert str(there) == 'rds.describe_db_snapshots (in us-west-2) {"DBSnapshotIdentifier": "x"}'
    assert str(here) == 'rds.describe_db_snapshots {"DBSnapshotIdentifier": "x"}'
    assert runner.read(there) == ("describe_db_snapshots", {"DBSnapshotIdentifier": "x"})
    runner.read(here)
    assert asked_for == [("rds", "us-west-2"), ("rds",)]


# --- missing or expired credentials: one line that says so (issue: faults) ---------------------


@pytest.mark.parametrize("code", ["ExpiredToken", "InvalidClientTokenId"])
def test_an_expired_or_revoked_token_is_the_credentials_not_the_estate(code: str) -> None:
    from botocore.exceptions import ClientError

    from ops.calls import Call
    from ops.errors import OpsError

    runner, _, _, _ = _runner(fails=ClientError({"Error": {"Code": code, "Message": "x"}}, "Op"))
    with pytest.raises(OpsError) as raised:
        runner.read(Call("ecs", "describe_services", {}))
    assert str(raised.value) == (
        f"credentials: {code}: AWS credentials are missing, expired or revoked (not a problem "
        "of the estate): renew them (aws sso login, or the role) and run again"
    )
    other = ClientError({"Error": {"Code": "Throttling", "Message": "Rate exceeded"}}, "Op")
    runner, _, _, _ = _runner(fails=other)
    with pytest.raises(OpsError, match=r"^ecs.describe_services: Rate exceeded$"):
        runner.read(Call("ecs", "describe_services", {}))


def test_status_without_credentials_says_it_is_the_credentials(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Before: "no state at s3://... is the stack deployed?"; the stack was never the problem."""
    for key in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert main(["status"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("error: credentials: NoCredentialsError: AWS credentials are missing")


# --- state-restore: a damaged state back to a good version (issue: faults) ---------------------


def _state(serial: int, resources: int = 2) -> bytes:
    return json.dumps({"version": 4, "serial": serial, "lineage": "l-1",
                       "resources": [{}] * resources}).encode()  # fmt: skip


@pytest.fixture
def versioned(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, list[str]]]:
    """The data stack's state with three versions: good (serial 7), good (serial 8), then
    truncated; `ops` runs in this process against moto."""
    from moto import mock_aws

    for key in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        s3 = boto3.client("s3", region_name=PROD.region)
        s3.create_bucket(Bucket=PROD.state_bucket)
        s3.put_bucket_versioning(Bucket=PROD.state_bucket,
                                 VersioningConfiguration={"Status": "Enabled"})  # fmt: skip
        key = PROD.state_key("data")
        ids = [s3.put_object(Bucket=PROD.state_bucket, Key=key, Body=body)["VersionId"]
               for body in (_state(7), _state(8), _state(9)[:40])]  # fmt: skip
        yield s3, ids


def test_state_restore_lists_the_versions_newest_first(
    versioned: tuple[Any, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    _, ids = versioned
    assert main(["state-restore", "data"]) == 0
    out = capsys.readouterr().out
    listed = [line.split()[0] for line in out.splitlines() if line.startswith("  ") and
              not line.startswith("  read")]  # fmt: skip
    assert listed == list(reversed(ids))
    assert f"  {ids[2]}  " in out and out.count("(current)") == 1
    assert "  call: " not in out
    assert out.strip().endswith("restore one: python -m ops state-restore data --version <id>")


def test_state_restore_brings_back_a_good_version_after_asking(
    versioned: tuple[Any, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    s3, ids = versioned
    key = PROD.state_key("data")
    assert main(["state-restore", "data", "--version", ids[1]]) == 0  # no terminal: no answer
    out = capsys.readouterr().out
    assert "current: not a Terraform state (truncated or damaged)" in out
    assert f"restored: serial 8, lineage l-1, 2 resources (version {ids[1]}," in out
    assert "not confirmed: no call made" in out
    assert s3.get_object(Bucket=PROD.state_bucket, Key=key)["Body"].read() == _state(9)[:40]
    assert main(["--yes", "state-restore", "data", "--version", ids[1]]) == 0
    assert s3.get_object(Bucket=PROD.state_bucket, Key=key)["Body"].read() == _state(8)
    history = s3.list_object_versions(Bucket=PROD.state_bucket, Prefix=key)["Versions"]
    assert len(history) == 4, "nothing deleted: the damaged version stays in the history"


def test_state_restore_after_a_delete_and_its_refusals(
    versioned: tuple[Any, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    s3, ids = versioned
    key = PROD.state_key("data")
    s3.delete_object(Bucket=PROD.state_bucket, Key=key)  # a delete marker on top
    assert main(["--yes", "state-restore", "data", "--version", ids[0]]) == 0
    out = capsys.readouterr().out
    assert "delete marker  (current)" in out and "current: deleted" in out
    assert s3.get_object(Bucket=PROD.state_bucket, Key=key)["Body"].read() == _state(7)
    refusals = {
        ids[2]: f"error: state-restore: version {ids[2]} is not a Terraform state (truncated or "
                "damaged): pick another",
        "nope": f"error: state-restore: --version 'nope' is not a version of "
                f"s3://{PROD.state_bucket}/{key}",
    }  # fmt: skip
    for version, line in refusals.items():
        assert main(["--yes", "state-restore", "data", "--version", version]) == 2
        assert capsys.readouterr().err.strip().splitlines()[-1] == line
    s3.put_object(Bucket=PROD.state_bucket, Key=f"{key}.tflock", Body=b'{"ID": "x"}')
    assert main(["--yes", "state-restore", "data", "--version", ids[1]]) == 2
    assert "the state is locked (a deploy may be running)" in capsys.readouterr().err
    assert main(["--dry-run", "state-restore", "data", "--version", ids[1]]) == 0
    assert "dry run: no call made" in capsys.readouterr().out


LOCK = {"ID": "0d6e0b1c-lock", "Operation": "OperationTypeApply", "Info": "", "Who": "ci@runner-7",
        "Version": "1.11.4", "Created": "2026-12-06T03:12:00Z",
        "Path": f"{PROD.state_bucket}/{PROD.state_key('data')}"}  # fmt: skip


def test_state_unlock_shows_the_holder_then_removes_only_that_lock_and_records_who(
    versioned: tuple[Any, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    s3, _ = versioned
    lock_key = f"{PROD.state_key('data')}.tflock"
    assert main(["state-unlock", "data"]) == 0
    assert "not locked: nothing to unlock" in capsys.readouterr().out
    s3.put_object(Bucket=PROD.state_bucket, Key=lock_key, Body=json.dumps(LOCK).encode())
    assert main(["state-unlock", "data"]) == 0
    out = capsys.readouterr().out
    assert ("locked by ci@runner-7 since 2026-12-06T03:12:00Z (OperationTypeApply, lock "
            "0d6e0b1c-lock)") in out  # fmt: skip
    assert out.strip().endswith("python -m ops state-unlock data --lock-id 0d6e0b1c-lock")
    assert main(["--yes", "state-unlock", "data", "--lock-id", "an-older-lock"]) == 2
    assert capsys.readouterr().err.strip() == (
        "error: state-unlock: --lock-id 'an-older-lock' is not the lock's (0d6e0b1c-lock): "
        "another run holds it now; check it before unlocking"
    )
    assert main(["--dry-run", "state-unlock", "data", "--lock-id", "0d6e0b1c-lock"]) == 0
    assert s3.list_objects_v2(Bucket=PROD.state_bucket, Prefix=lock_key)["KeyCount"] == 1
    assert main(["--yes", "state-unlock", "data", "--lock-id", "0d6e0b1c-lock"]) == 0
    assert "unlocked: fluxion/" in capsys.readouterr().out
    assert s3.list_objects_v2(Bucket=PROD.state_bucket, Prefix=lock_key)["KeyCount"] == 0
    (record,) = s3.list_objects_v2(
        Bucket=PROD.state_bucket, Prefix=f"{PROD.state_key('data')}.unlocks/"
    )["Contents"]
    written = json.loads(s3.get_object(Bucket=PROD.state_bucket, Key=record["Key"])["Body"].read())
    assert written["lock"] == LOCK
    assert written["unlocked_by"] == "arn:aws:sts::123456789012:user/moto", written
    s3.put_object(Bucket=PROD.state_bucket, Key=lock_key, Body=b"not json")
    assert main(["state-unlock", "data"]) == 2
    assert "is not a Terraform lock" in capsys.readouterr().err


def _tainted_state(serial: int) -> bytes:
    instance = {"status": "tainted", "attributes": {"id": "fluxion-postgres-v2"}}
    return json.dumps({"version": 4, "serial": serial, "lineage": "l-1", "resources": [
        {"mode": "managed", "type": "aws_db_instance", "name": "primary", "instances": [instance]},
        {"mode": "managed", "type": "aws_s3_bucket", "name": "b",
         "instances": [{"attributes": {"id": "b"}}]},
    ]}).encode()  # fmt: skip


def test_state_untaint_removes_only_that_taint_keeps_the_lineage_and_refuses_the_rest(
    versioned: tuple[Any, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    s3, _ = versioned
    key = PROD.state_key("data")
    s3.put_object(Bucket=PROD.state_bucket, Key=key, Body=_tainted_state(12))
    assert main(["--yes", "state-untaint", "data", "aws_s3_bucket.b"]) == 2
    assert capsys.readouterr().err.strip() == (
        f"error: state-untaint: aws_s3_bucket.b not tainted in s3://{PROD.state_bucket}/{key}"
    )
    s3.put_object(Bucket=PROD.state_bucket, Key=f"{key}.tflock", Body=json.dumps(LOCK).encode())
    assert main(["--yes", "state-untaint", "data", "aws_db_instance.primary"]) == 2
    assert "state-untaint: " in capsys.readouterr().err
    s3.delete_object(Bucket=PROD.state_bucket, Key=f"{key}.tflock")
    assert main(["--yes", "state-untaint", "data", "aws_db_instance.primary"]) == 0
    out = capsys.readouterr().out
    assert "aws_db_instance.primary: tainted, id fluxion-postgres-v2" in out
    assert '"Body": "<redacted>"' in out, "the state is never printed"
    state = json.loads(s3.get_object(Bucket=PROD.state_bucket, Key=key)["Body"].read())
    assert (state["serial"], state["lineage"]) == (13, "l-1")
    assert [i.get("status") for r in state["resources"] for i in r["instances"]] == [None, None]
    history = s3.list_object_versions(Bucket=PROD.state_bucket, Prefix=key)["Versions"]
    assert len([v for v in history if v["Key"] == key]) == 5, "the tainted version is kept"


def test_the_state_verbs_ask_and_a_no_changes_nothing(
    versioned: tuple[Any, list[str]], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    s3, _ = versioned
    key = PROD.state_key("data")
    asked: list[str] = []

    def no(question: str) -> bool:
        asked.append(question)
        return False

    monkeypatch.setattr("runtime.cli.confirm", no)
    s3.put_object(Bucket=PROD.state_bucket, Key=f"{key}.tflock", Body=json.dumps(LOCK).encode())
    assert main(["state-unlock", "data", "--lock-id", LOCK["ID"]]) == 0
    assert s3.list_objects_v2(Bucket=PROD.state_bucket, Prefix=f"{key}.")["KeyCount"] == 1
    s3.delete_object(Bucket=PROD.state_bucket, Key=f"{key}.tflock")
    s3.put_object(Bucket=PROD.state_bucket, Key=key, Body=_tainted_state(3))
    assert main(["state-untaint", "data", "aws_db_instance.primary"]) == 0
    assert s3.get_object(Bucket=PROD.state_bucket, Key=key)["Body"].read() == _tainted_state(3)
    assert len(asked) == 2 and capsys.readouterr().out.count("not confirmed: no call made") == 2


def test_alarms_lists_every_alarm_with_those_in_alarm_first(
    estate: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """The monitoring stack's alarms as `ops alarms` and `ops status` show them: one forced
    into ALARM leads, with what to run; one deleted is `missing`; a stray one is named."""
    from config.monitoring import alarms

    url, _, client = estate
    cloudwatch = client("cloudwatch")
    names = [alarm.name(PROD.name) for alarm in alarms(PROD)]
    made = [*names[1:], "fluxion-production-old-alarm"]  # the first one is missing
    for name in made:
        cloudwatch.put_metric_alarm(
            AlarmName=name, Namespace="AWS/RDS", MetricName="CPUUtilization", Statistic="Average",
            Period=300, EvaluationPeriods=3, Threshold=80, ComparisonOperator="LessThanThreshold",
        )  # fmt: skip
    cloudwatch.set_alarm_state(
        AlarmName="fluxion-production-primary-cpu", StateValue="ALARM", StateReason="forced"
    )
    try:
        assert _ops(url, "alarms") == 1
        out = capsys.readouterr().out.splitlines()
        rows = [line for line in out if line.startswith("  ") and not line.startswith("  read")]
        assert rows[0].split()[:1] == ["ALARM"] and "fluxion-production-primary-cpu" in rows[0]
        assert "run: python -m ops status; the slow queries" in rows[0]
        assert re.search(r"since \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", rows[0])
        assert rows[1].split()[:2] == ["missing", names[0]]
        assert (
            rows[-1].split()[-1] == "fluxion-production-old-alarm" and "not in the code" in rows[-1]
        )
        assert len(rows) == len(names) + 1
        assert (
            out[-1] == f"alarms: 1 ALARM, 1 missing, {len(names) - 2} OK, 1 not in the code"
        )  # moto starts OK

        assert _ops(url, "status") == 1
        out = capsys.readouterr().out.splitlines()
        first = next(i for i, line in enumerate(out) if not line.startswith(("status", "  read")))
        assert out[first].startswith("alarm  ALARM") and "primary-cpu" in out[first]
        assert out[-1] == (
            f"unhealthy: alarm fluxion-production-primary-cpu in ALARM; alarm {names[0]} missing"
        )
    finally:
        cloudwatch.delete_alarms(AlarmNames=made)


def test_status_says_alarms_it_cannot_read_and_still_reports_the_rest() -> None:
    """A caller without cloudwatch:DescribeAlarms: one line, unhealthy, the rest still read."""
    from ops.verbs import status

    service = {"desiredCount": 2, "runningCount": 2, "pendingCount": 0}
    ctx, said = _context({"describe_alarms": RuntimeError("AccessDenied: not authorized"),
                          "describe_services": {"services": [service]},
                          "describe_db_instances": _db("available")})  # fmt: skip
    assert status(ctx) == 1
    assert "alarms: not read (cloudwatch.describe_alarms: AccessDenied: not authorized)" in said
    assert "backend: desired 2, running 2, pending 0" in said
    assert said[-1] == "unhealthy: alarms not read"
