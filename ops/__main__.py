"""python -m ops <verb>: the guide's runbooks, with every ID from the stacks' outputs.

Verbs that change something print their AWS calls and ask first; read-only verbs (status,
alarms, logs, shell, rollback-backend without --to, drift, bridge-key-check) print their calls
and run. Options go before the verb: `python -m ops --yes scale-backend 3`. A secret's value is
never printed (`<redacted>` in the call shown).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from config.estate import CONTAINERS, PLANNED_STACKS, STACKS
from ops.errors import OpsError
from runtime import cli

ROOT = Path(__file__).resolve().parents[1]
VERBS = {
    "status": "alarms in ALARM, service counts, database status and storage, last ETL runs",
    "alarms": "every alarm of the environment, its state and since when (read-only)",
    "run-etl": "run an ETL task now, in the ETL subnet with the ETL security group",
    "rollback-backend": "list the backend's images; --to <tag> runs that one",
    "scale-backend": "set the backend's task count (bounded by compute.max_desired_count)",
    "restart-bridge": "restart WireGuard over SSM; report `wg show` and a ping of La Granja",
    "snapshot-db": "manual snapshot of the primary (manual-<date>), waited for",
    "snapshot-copy": "copy the primary's latest snapshot to the recovery region, waited for",
    "recovery-status": "a recovery environment's primary, its source snapshot and the backend",
    "state-restore": "a stack's state versions; --version <id> restores that one (asks)",
    "state-unlock": "a stack's lock holder; --lock-id <id> removes a dead run's lock (asks)",
    "state-untaint": "untaint a resource an interrupted apply left tainted (asks)",
    "logs": "the last minutes of the backend's or the ETL's logs",
    "shell": "the ECS Exec command for a running backend task",
    "drift": "Terraform's refresh-only plan of every stack, as a table; exit 2 on drift",
    "bridge-key-check": "does the bridge's boot script hold a WireGuard private key? (read-only)",
    "rotate-bridge-key": "a new WireGuard key pair into the bridge's secret; prints the public key",
}


def _parser() -> argparse.ArgumentParser:
    verbs = "\n".join(f"  {name:18} {text}" for name, text in VERBS.items())
    parser = cli.command("python -m ops", __doc__)
    parser.epilog = f"verbs:\n{verbs}"
    cli.environment(parser)
    cli.profile(parser)
    parser.add_argument("--aws-profile", help="AWS credentials profile (default: the chain)")
    parser.add_argument("--endpoint-url", help="AWS endpoint (an emulator, for tests)")
    parser.add_argument("--outputs", type=Path, help="recorded outputs {stack: {name: value}}")
    parser.add_argument("--yes", action="store_true", help="do not ask before a change")
    parser.add_argument("--dry-run", action="store_true", help="print the calls; call nothing")
    sub = parser.add_subparsers(dest="verb", required=True, metavar="verb")
    for name, text in VERBS.items():
        verb = sub.add_parser(name, help=text, description=text)
        _verb_arguments(name, verb)
    return parser


def _verb_arguments(name: str, verb: argparse.ArgumentParser) -> None:
    if name == "run-etl":
        verb.add_argument("task", help="the task definition family, e.g. FluxionETLTask")
        verb.add_argument("args", nargs=argparse.REMAINDER, help="arguments for the script")
    elif name == "rollback-backend":
        verb.add_argument("--to", help="the image tag to run")
    elif name == "scale-backend":
        verb.add_argument("count", type=int)
    elif name in ("restart-bridge", "snapshot-db"):
        verb.add_argument("--wait-seconds", type=float, default=600)
    elif name == "state-restore":
        verb.add_argument("stack", choices=STACKS)
        verb.add_argument("--version", help="the version to restore (listed without it)")
    elif name == "state-unlock":
        verb.add_argument("stack", choices=STACKS)
        verb.add_argument("--lock-id", help="the lock's ID (shown without it)")
    elif name == "state-untaint":
        verb.add_argument("stack", choices=STACKS)
        verb.add_argument("address", nargs="+", help="the tainted resources (aws_db_instance.x)")
    elif name == "snapshot-copy":
        verb.add_argument("--to-region", required=True, help="the recovery region, e.g. us-west-2")
        verb.add_argument("--snapshot", help="the snapshot to copy (default: the newest available)")
        verb.add_argument("--kms-key", default="alias/aws/rds", help="the key in --to-region")
        verb.add_argument("--wait-seconds", type=float, default=1800)
    elif name == "logs":
        verb.add_argument("container", choices=CONTAINERS)
        verb.add_argument("--minutes", type=int, default=15)
    elif name == "shell":
        verb.add_argument("--command", default="/bin/bash")
    elif name == "drift":
        verb.add_argument("--out", type=Path, default=ROOT / "cdktf.out")
        verb.add_argument("--stacks", nargs="+", default=list(PLANNED_STACKS))
        verb.add_argument("--known", type=Path, help="previous report's dates (JSON; rewritten)")
        verb.add_argument("--report", type=Path, help="also write the table here (Markdown)")


def _client_factory(args: argparse.Namespace, region: str) -> Any:
    import boto3
    from botocore.config import Config

    session = boto3.Session(profile_name=args.aws_profile, region_name=region)
    retries = Config(retries={"max_attempts": 5, "mode": "standard"})
    clients: dict[tuple[str, str], Any] = {}

    def client(service: str, in_region: str = region) -> Any:
        if (service, in_region) not in clients:
            clients[service, in_region] = session.client(
                service, region_name=in_region, endpoint_url=args.endpoint_url, config=retries
            )
        return clients[service, in_region]

    return client


def main(argv: list[str] | None = None) -> int:
    args = cli.parse(_parser(), argv)
    return cli.run(lambda: _run(args))


def _run(args: argparse.Namespace) -> int:
    import config
    from ops import alarms, bridge, drift, recovery, state, verbs
    from ops.calls import CallRunner
    from ops.outputs import Outputs

    env = config.load(args.environment, profile=args.profile)
    if args.verb == "drift":
        return _drift(args, drift)
    client = _client_factory(args, env.region)
    outputs = Outputs.from_file(env, args.outputs) if args.outputs else Outputs(env, client)
    runner = CallRunner(client, print, cli.confirm, yes=args.yes, dry_run=args.dry_run)
    ctx = verbs.OpsContext(env, outputs, runner, print)
    print(f"{args.verb} ({env.name}, {env.profile}, {env.region})", flush=True)
    dispatch = {
        "status": lambda: verbs.status(ctx),
        "alarms": lambda: alarms.show(ctx),
        "run-etl": lambda: verbs.run_etl(ctx, args.task, args.args),
        "rollback-backend": lambda: verbs.rollback_backend(ctx, args.to),
        "scale-backend": lambda: verbs.scale_backend(ctx, args.count),
        "restart-bridge": lambda: verbs.restart_bridge(ctx, args.wait_seconds),
        "snapshot-db": lambda: verbs.snapshot_db(ctx, args.wait_seconds),
        "snapshot-copy": lambda: recovery.snapshot_copy(
            ctx, args.to_region, args.snapshot, args.kms_key, args.wait_seconds
        ),
        "recovery-status": lambda: recovery.status(ctx),
        "state-restore": lambda: state.state_restore(ctx, args.stack, args.version),
        "state-unlock": lambda: state.state_unlock(ctx, args.stack, args.lock_id),
        "state-untaint": lambda: state.state_untaint(ctx, args.stack, args.address),
        "logs": lambda: verbs.logs(ctx, args.container, args.minutes),
        "shell": lambda: verbs.shell(ctx, args.command),
        "bridge-key-check": lambda: bridge.key_check(ctx),
        "rotate-bridge-key": lambda: bridge.rotate_key(ctx),
    }
    return int(dispatch[args.verb]())


def _drift(args: argparse.Namespace, drift: Any) -> int:
    found = []
    for stack in args.stacks:
        if stack not in STACKS:
            raise OpsError(f"drift: --stacks {stack!r} is not a stack ({', '.join(STACKS)})")
        print(f"== {stack}: terraform plan -refresh-only", flush=True)
        found += drift.rows(stack, drift.refresh_only(args.out, stack))
    dated = drift.with_history(found, args.known, drift.now_utc())
    text = drift.table(dated)
    print(text, end="")
    if args.report:
        args.report.write_text(text)
    return 2 if dated else 0


if __name__ == "__main__":
    sys.exit(main())
