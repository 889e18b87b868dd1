"""Ordered deploy/destroy: order from the manifest, refusals before anything runs."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import config
from config import ConfigError
from config.estate import STACKS
from deploy import ordered as deploy
from runtime.git import git_state
from runtime.synthesized import Synthesized
from tests.conftest import ROOT


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -m deploy ARGS` as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "deploy.ordered", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_order_follows_the_manifest(synth_dir: Path) -> None:
    order = Synthesized(synth_dir).order(STACKS)
    assert order == ["state", "identity", "network", "data", "compute", "edge", "monitoring"]


def test_the_repository_output_is_refused_until_adoption_is_complete(synth_dir: Path) -> None:
    """The seed inventory alone leaves most resources without an import block."""
    proc = _cli("deploy", "--dry-run", "--allow-dirty", "--out", str(synth_dir))
    assert proc.returncode == 2
    line = proc.stderr.strip().splitlines()[-1]
    assert line.startswith("refused: ")
    assert "adoption incomplete: the inventory says the estate exists" in line


def test_dry_run_prints_the_order_and_destroy_reverses_it(synth_dir: Path, tmp_path: Path) -> None:
    fresh = tmp_path / "out"
    shutil.copytree(synth_dir, fresh)
    stamp = json.loads((fresh / "synth.json").read_text())
    (fresh / "synth.json").write_text(json.dumps({**stamp, "inventory_entries": 0}))
    common = ["--dry-run", "--out", str(fresh), "--allow-dirty"]
    out = _cli("deploy", *common)
    assert out.returncode == 0, out.stderr
    order = "state -> identity -> network -> data -> compute -> edge -> monitoring"
    assert f"deploy in order: {order}" in out.stdout
    back = _cli("destroy", "--confirm", "production", *common)
    reverse = (
        "destroy in order: monitoring -> edge -> compute -> data -> network -> identity -> state"
    )
    assert reverse in back.stdout


def _stamp(**changes: Any) -> dict[str, Any]:
    stamp: dict[str, Any] = {
        "environment": "production",
        "profile": "adopt",
        "provider_pins": "estate",
        "commit": "a" * 40,
        "dirty": False,
        "inventory_entries": 2,
        "adoption": {"network": {"imported": ["aws_vpc.v", "aws_subnet.s"], "missing": []}},
    }
    stamp.update(changes)
    return stamp


PROD = config.load()
HARDENED = config.load(profile="hardened")
HARDENED_STAMP = {"profile": "hardened", "hardening": list(HARDENED.hardening.on())}
STEP_ONE = replace(PROD, hardening=PROD.hardening.through("1 observe"))


def _check(stamp: dict[str, Any], **overrides: Any) -> None:
    kwargs: dict[str, Any] = {"head": "a" * 40, "dirty": False, "expected": PROD}
    kwargs.update(overrides)
    deploy.check_stamp(stamp, **kwargs)


def test_the_reviewed_output_passes_the_guard() -> None:
    _check(_stamp())
    _check(_stamp(**HARDENED_STAMP, image_tag="3f2a9c1e"), expected=HARDENED)
    step = {"profile": "rollout", "hardening": list(STEP_ONE.hardening.on())}
    _check(_stamp(**step), expected=STEP_ONE)
    # a fresh environment: an empty inventory, nothing adopted, everything created
    _check(_stamp(inventory_entries=0, adoption={"network": {"imported": [], "missing": ["x"]}}))


@pytest.mark.parametrize(
    ("stamp", "overrides", "message"),
    [
        (_stamp(**HARDENED_STAMP), {}, r"profile 'hardened' is not the reviewed 'adopt'"),
        # a rollout step other than the one committed in config/environments.py
        (
            _stamp(profile="rollout", hardening=["flow_logs"]),
            {"expected": replace(PROD, hardening=replace(PROD.hardening, log_retention=True))},
            r"hardening switches \['flow_logs'\] are not the reviewed \['log_retention'\]",
        ),
        (_stamp(environment="staging"), {}, r"environment 'staging' is not 'production'"),
        (
            _stamp(provider_pins="bindings"),
            {},
            r"provider pins 'bindings' show a provider upgrade, they are not deployed: run "
            r"`make synth`; to upgrade, edit config.estate.PROVIDER_VERSIONS",
        ),
        (_stamp(), {"dirty": True}, r"the git tree has uncommitted changes"),
        (_stamp(dirty=True), {}, r"the git tree has uncommitted changes"),
        (_stamp(), {"head": "b" * 40}, r"synthesized from aaaaaaaaaaaa, HEAD is bbbbbbbbbbbb"),
        (
            _stamp(**HARDENED_STAMP, image_tag="latest"),
            {"expected": HARDENED},
            r"compute.image_tag: 'latest' with immutable images \(hardening.immutable_images\): "
            r"set it to the commit SHA",
        ),
        (
            _stamp(
                adoption={
                    "data": {"imported": ["aws_db_instance.p"], "missing": ["aws_s3_bucket.b"]}
                }
            ),
            {},
            r"adoption incomplete: .* 1 resources have no import block \(data: aws_s3_bucket.b\)"
            r": run `make resolve`",
        ),
    ],
)
def test_the_guard_refuses_what_was_not_reviewed(
    stamp: dict[str, Any], overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(deploy.Refused, match=message):
        _check(stamp, **overrides)


def _plan(*changes: tuple[str, list[str]]) -> dict[str, Any]:
    return {
        "format_version": "1.2",
        "resource_changes": [
            {
                "address": address,
                "type": address.split(".")[0],
                "mode": "managed",
                "change": {"actions": actions, "before": {"a": 1}, "after": {"a": 2}},
            }
            for address, actions in changes
        ],
    }


def test_a_plan_creating_what_the_inventory_says_exists_is_refused() -> None:
    verdict = deploy.plan_guard("network", _plan(("aws_vpc.v", ["create"])), _stamp())
    assert not verdict.passed
    assert verdict.failures == ["aws_vpc.v would be created, but the inventory says it exists"]
    ok = deploy.plan_guard(
        "network", _plan(("aws_route.r", ["create"]), ("aws_vpc.v", ["update"])), _stamp()
    )
    assert ok.passed, ok.failures
    gone = deploy.plan_guard("network", _plan(("aws_vpc.v", ["delete"])), _stamp())
    assert gone.failures == ["aws_vpc.v would be deleted"]


def test_output_without_a_stamp_is_refused(synth_dir: Path, tmp_path: Path) -> None:
    old = tmp_path / "out"
    shutil.copytree(synth_dir, old)
    (old / "synth.json").unlink()
    with pytest.raises(ConfigError, match=r"synth.json is missing: run `make synth`"):
        _ = Synthesized(old).stamp


def test_an_unsynthesized_stack_is_refused(synth_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"has no manifest.json: run `make synth` first"):
        Synthesized(tmp_path).order(STACKS)
    partial = tmp_path / "out"
    shutil.copytree(synth_dir, partial)
    (partial / "stacks/data/cdk.tf.json").unlink()
    with pytest.raises(ConfigError, match=r"stacks not synthesized: \['data'\]"):
        Synthesized(partial).order(STACKS)
    manifest = json.loads((partial / "manifest.json").read_text())
    del manifest["stacks"]["edge"]
    (partial / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ConfigError, match=r"\['data', 'edge'\]"):
        Synthesized(partial).order(STACKS)


@pytest.mark.checkout
def test_a_dirty_clone_is_seen_as_dirty(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(repo)], check=True)
    head, dirty = git_state(repo)
    assert head is not None and len(head) == 40 and not dirty
    (repo / "main.py").write_text("# edited\n")
    assert git_state(repo) == (head, True)
    assert git_state(tmp_path) == (None, True)  # not a git tree


def test_destroy_without_the_typed_confirmation_is_refused(synth_dir: Path) -> None:
    for confirm in ([], ["--confirm", "prod"]):
        proc = _cli("destroy", "--dry-run", "--out", str(synth_dir), *confirm)
        assert proc.returncode == 2
        assert "refused: destroy needs --confirm production" in proc.stderr
        assert "in order" not in proc.stdout


BRIDGE = "aws_instance.wireguard_instance_A99769E4"


def _replaced(address: str) -> dict[str, Any]:
    return {
        "resource_changes": [
            {
                "address": address,
                "mode": "managed",
                "type": "aws_instance",
                "change": {"actions": ["delete", "create"], "before": {}, "after": {}},
            }
        ]
    }


def test_a_replacement_passes_only_when_a_person_asked_for_it() -> None:
    """The bridge after a key rotation (ops/bridge.py): `--replace` names it; any other
    replacement, or a requested one the plan does not make, is refused."""
    asked = deploy.plan_guard("network", _replaced(BRIDGE), {}, frozenset({BRIDGE}))
    assert asked.passed and asked.counts["destroy"] == asked.counts["add"] == 1
    not_asked = deploy.plan_guard("network", _replaced(BRIDGE), {})
    assert not not_asked.passed
    assert not_asked.failures == [f"{BRIDGE} would be delete/created"]
    unchanged = {"resource_changes": [dict(_replaced(BRIDGE)["resource_changes"][0],
                                           change={"actions": ["no-op"]})]}  # fmt: skip
    missed = deploy.plan_guard("network", unchanged, {}, frozenset({BRIDGE}))
    assert missed.failures == [f"--replace {BRIDGE}: the plan does not replace it"]


@pytest.mark.parametrize(
    "args",
    [
        ["deploy", "--replace", BRIDGE],  # which stack?
        ["deploy", "--stacks", "network", "--replace", BRIDGE, "--auto-approve"],
        ["destroy", "--confirm", "production", "--stacks", "network", "--replace", BRIDGE],
    ],
)
def test_a_replacement_is_asked_for_by_a_person_for_one_stack(
    synth_dir: Path, args: list[str]
) -> None:
    proc = _cli(*args, "--out", str(synth_dir))
    assert proc.returncode == 2
    assert proc.stderr.startswith("refused: --replace: a person replaces one stack's resources")
    assert proc.stderr.count("\n") == 1


def test_the_deploy_command_refuses_a_dirty_checkout_in_one_line(
    synth_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """`make deploy` without --allow-dirty, on an output synthesized clean at this commit."""
    from deploy import ordered

    out = tmp_path / "out"
    shutil.copytree(synth_dir, out)
    stamp = json.loads((out / "synth.json").read_text())
    clean = {**stamp, "commit": "c" * 40, "dirty": False, "inventory_entries": 0}
    (out / "synth.json").write_text(json.dumps(clean))
    monkeypatch.setattr(ordered, "git_state", lambda _root: ("c" * 40, True))
    assert ordered.main(["deploy", "--dry-run", "--out", str(out)]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("refused: the git tree has uncommitted changes"), line
    monkeypatch.setattr(ordered, "git_state", lambda _root: ("c" * 40, False))
    assert ordered.main(["deploy", "--dry-run", "--out", str(out)]) == 0
    assert "deploy in order: state -> identity" in capsys.readouterr().out


ENV = {"AWS_PROFILE": "fluxion-deploy"}
PLANNED: list[tuple[Path, str, dict[str, str], tuple[str, ...]]] = []


def _deployer_with_plan(
    synth_dir: Path, monkeypatch: pytest.MonkeyPatch, plan: dict[str, Any], answer: bool,
    replacing: frozenset[str] = frozenset(),
) -> tuple[deploy.StackDeployer, list[list[str]], list[str]]:  # fmt: skip
    """A StackDeployer whose Terraform plan is `plan`; records plans, applies and questions.
    Terraform runs where the plan was saved, on the file saved, with the deploy's env."""
    PLANNED.clear()

    def saved_plan(cwd: Path, name: str, env: dict[str, str], *options: str) -> str:
        PLANNED.append((cwd, name, env, options))
        return json.dumps(plan)

    def run(args: list[str], cwd: Path, env: dict[str, str]) -> None:
        ((planned_in, planned_file, planned_env, _),) = PLANNED
        assert (cwd, args[-1], env) == (planned_in, planned_file, planned_env)
        applied.append(args)

    monkeypatch.setattr(deploy.terraform, "saved_plan", saved_plan)
    applied: list[list[str]] = []
    monkeypatch.setattr(deploy.terraform, "run", run)
    asked: list[str] = []

    def confirm(question: str) -> bool:
        asked.append(question)
        return answer

    deployer = deploy.StackDeployer(synth_dir, ENV, confirm, replacing)
    return deployer, applied, asked


def _log_group_deleted() -> dict[str, Any]:
    change = {"actions": ["delete"], "before": {"retention_in_days": 7}, "after": None,
              "after_unknown": {}}  # fmt: skip
    return {"format_version": "1.2", "resource_changes": [{
        "address": "aws_cloudwatch_log_group.logs", "type": "aws_cloudwatch_log_group",
        "mode": "managed", "change": change}]}  # fmt: skip


FRESH_STAMP = {"profile": "adopt", "inventory_entries": 0, "adoption": {}}


def test_a_plan_the_gate_fails_is_never_applied(
    synth_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    deployer, applied, asked = _deployer_with_plan(
        synth_dir, monkeypatch, _log_group_deleted(), answer=True
    )
    with pytest.raises(deploy.Refused, match=r"compute: the plan fails the guard; nothing"):
        deployer.deploy("compute", FRESH_STAMP)
    assert (
        "compute: 0 to import, 0 to add, 0 to change, 1 to destroy: FAIL" in capsys.readouterr().out
    )
    assert applied == [] and asked == [], "refused before the question"


@pytest.mark.parametrize("answer", [False, True])
def test_a_passing_plan_is_applied_only_after_a_yes(
    synth_dir: Path, monkeypatch: pytest.MonkeyPatch, answer: bool
) -> None:
    create = {"format_version": "1.2", "resource_changes": [{
        "address": "aws_cloudwatch_log_group.logs", "type": "aws_cloudwatch_log_group",
        "mode": "managed", "change": {"actions": ["create"], "before": None,
                                      "after": {"name": "x"}, "after_unknown": {}}}]}  # fmt: skip
    deployer, applied, asked = _deployer_with_plan(synth_dir, monkeypatch, create, answer)
    if answer:
        deployer.deploy("compute", FRESH_STAMP)
        assert applied == [["apply", "-input=false", "-no-color", "deploy.tfplan"]]
    else:
        with pytest.raises(deploy.Refused, match=r"compute: not confirmed; nothing was applied"):
            deployer.deploy("compute", FRESH_STAMP)
        assert applied == []
    assert asked == ["apply this plan to compute?"]


def test_the_plan_runs_in_the_stacks_folder_with_the_deploys_environment(
    synth_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deployer, applied, _ = _deployer_with_plan(synth_dir, monkeypatch, _outputs_only(), True)
    deployer.deploy("compute", FRESH_STAMP)
    ((cwd, name, env, options),) = PLANNED
    assert (cwd, name, env, options) == (synth_dir / "stacks" / "compute", "deploy.tfplan", ENV, ())
    assert applied == [["apply", "-input=false", "-no-color", "deploy.tfplan"]]


def _outputs_only() -> dict[str, Any]:
    return {"format_version": "1.2", "resource_changes": [],
            "output_changes": {"alb_dns_name": {"actions": ["create"]}}}  # fmt: skip


def test_a_plan_that_changes_only_outputs_is_applied_and_one_without_change_is_not(
    synth_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deployer, applied, asked = _deployer_with_plan(synth_dir, monkeypatch, _outputs_only(), True)
    deployer.deploy("compute", FRESH_STAMP)
    assert applied and asked == ["apply this plan to compute?"]
    nothing = {"format_version": "1.2", "resource_changes": []}
    deployer, applied, asked = _deployer_with_plan(synth_dir, monkeypatch, nothing, True)
    assert deployer.deploy("compute", FRESH_STAMP).passed
    assert applied == [] and asked == [], "nothing to apply: no question"


def test_the_deployer_hands_the_persons_replace_to_the_plan_and_the_guard(
    synth_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = _replaced(BRIDGE)
    deployer, applied, _ = _deployer_with_plan(synth_dir, monkeypatch, plan, True)
    with pytest.raises(deploy.Refused, match=r"network: the plan fails the guard"):
        deployer.deploy("network", FRESH_STAMP)
    asked_for = frozenset({BRIDGE})
    deployer, applied, _ = _deployer_with_plan(synth_dir, monkeypatch, plan, True, asked_for)
    deployer.deploy("network", FRESH_STAMP)
    assert PLANNED[0][3] == (f"-replace={BRIDGE}",) and applied


# --- the caller's account (STS) against the environment's ---------------------------------------


def test_credentials_of_another_account_are_refused_in_one_line() -> None:
    staging = config.load("staging")
    deploy.check_account(staging, lambda: staging.account_id)  # its own: passes
    with pytest.raises(deploy.Refused) as refused:
        deploy.check_account(staging, lambda: config.load().account_id)
    assert str(refused.value) == (
        "credentials: account 611395766952 is not staging's (730335291745): use the "
        "environment's own credentials"
    )


def test_no_usable_credentials_is_one_line_that_says_so() -> None:
    from botocore.exceptions import ClientError, NoCredentialsError

    def none() -> str:
        raise NoCredentialsError()

    def expired() -> str:
        raise ClientError({"Error": {"Code": "ExpiredToken", "Message": "x"}}, "GetCallerIdentity")

    for caller, code in ((none, "NoCredentialsError"), (expired, "ExpiredToken")):
        with pytest.raises(
            deploy.Refused, match=rf"^credentials: none usable for production \({code}\)"
        ):
            deploy.check_account(config.load(), caller)


def test_the_deploy_checks_the_account_before_any_stack(
    synth_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`python -m deploy deploy` with the wrong account's credentials: refused, nothing run."""
    monkeypatch.setattr(deploy, "_caller_account", lambda: "730335291745")
    monkeypatch.setattr(deploy, "check_stamp", lambda *_a, **_k: None)
    ran: list[str] = []
    monkeypatch.setattr(deploy.StackDeployer, "deploy", lambda _self, stack, _s: ran.append(stack))
    assert deploy.main(["deploy", "--out", str(synth_dir), "--auto-approve"]) == 2
    assert (
        capsys.readouterr()
        .err.strip()
        .startswith("refused: credentials: account 730335291745 is not production's (611395766952)")
    )
    assert ran == []


def test_the_caller_s_account_comes_from_sts(monkeypatch: pytest.MonkeyPatch) -> None:
    from moto import mock_aws

    for key in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "730335291745")
    with mock_aws():
        assert deploy._caller_account() == "730335291745"
        deploy.check_account(config.load("staging"))  # the real call, the right account
        with pytest.raises(deploy.Refused, match=r"^credentials: account 730335291745 is not"):
            deploy.check_account(config.load())


def test_a_recovery_deploys_without_an_edge_stack(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A recovery synthesizes no edge (its names would be the recovered environment's): the
    guard wants every stack the environment builds, not every stack there is."""
    import app

    snapshot = "arn:aws:rds:us-west-2:730335291745:snapshot:recovery-manual-2026-12-06-1200"
    recovery = replace(config.load("staging-recovery"), restore_snapshot=snapshot)
    out = tmp_path / "cdktf.out"
    app.synth(recovery, out)
    argv = [
        "deploy",
        "--dry-run",
        "--allow-dirty",
        "--out",
        str(out),
        "--environment",
        recovery.name,
    ]
    assert deploy.main(argv) == 0, capsys.readouterr().err
    assert capsys.readouterr().out.strip() == (
        "deploy in order: state -> identity -> network -> data -> compute -> monitoring"
    )
    (out / "stacks" / "data" / "cdk.tf.json").unlink()  # one it builds, missing: refused
    assert deploy.main(argv) == 2
    assert "stacks not synthesized: ['data']" in capsys.readouterr().err


def test_an_interrupted_stack_stops_the_deploy_with_one_line_and_what_to_run(
    synth_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(deploy, "_caller_account", lambda: config.load().account_id)
    monkeypatch.setattr(deploy, "check_stamp", lambda *_a, **_k: None)
    ran: list[str] = []

    def interrupted(_self: Any, stack: str, _stamp: Any) -> None:
        ran.append(stack)
        if stack == "data":
            raise deploy.terraform.Interrupted("data: terraform apply interrupted (1 interrupt)")

    monkeypatch.setattr(deploy.StackDeployer, "deploy", interrupted)
    assert deploy.main(["deploy", "--out", str(synth_dir), "--auto-approve"]) == 130
    assert ran == ["state", "identity", "network", "data"], "nothing after the interrupted stack"
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(
        "interrupted: data: terraform apply interrupted (1 interrupt): Terraform stopped "
        "gracefully, wrote the state and released the lock; run `make deploy-stack STACK=data`"
    )


def test_a_tainted_protected_resource_is_named_with_the_untaint_command(
    synth_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An interrupted create leaves the primary tainted; its plan then fails on prevent_destroy:
    the refusal names the tainted address (from the state) and the way out."""
    state = {"resources": [
        {"mode": "managed", "type": "aws_db_instance", "name": "primary",
         "instances": [{"status": "tainted"}]},
        {"mode": "managed", "type": "aws_s3_bucket", "name": "b", "instances": [{}]},
        {"mode": "data", "type": "aws_caller_identity", "name": "me",
         "instances": [{"status": "tainted"}]},
    ]}  # fmt: skip

    def saved_plan(*_args: Any) -> str:
        raise ConfigError("terraform plan in data: Resource aws_db_instance.primary has "
                          "lifecycle.prevent_destroy set, but the plan calls for this")  # fmt: skip

    monkeypatch.setattr(deploy.terraform, "saved_plan", saved_plan)
    monkeypatch.setattr(deploy.terraform, "run", lambda args, *_a: json.dumps(state))
    deployer = deploy.StackDeployer(synth_dir, ENV, lambda _q: True)
    with pytest.raises(deploy.Refused) as refused:
        deployer.deploy("data", FRESH_STAMP)
    assert str(refused.value) == (
        "data: aws_db_instance.primary tainted (an interrupted apply was creating it), "
        "protected (prevent_destroy); nothing was applied: check it in AWS, then `python -m "
        "ops state-untaint data aws_db_instance.primary` and deploy again (or "
        "REPLACE=<address> to replace one)"
    )
    state["resources"][0]["instances"] = [{}]  # not tainted: terraform's own error stands
    with pytest.raises(ConfigError, match="prevent_destroy set") as other:
        deployer.deploy("data", FRESH_STAMP)
    assert not isinstance(other.value, deploy.Refused)


def test_a_plan_replacing_tainted_resources_names_them_and_the_untaint_command(
    synth_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An interrupted apply of compute: the cluster and the load balancer it was creating are
    tainted; the gate refuses their replacement and the refusal says why and what to run."""
    changes = [
        {"address": a, "type": a.split(".")[0], "mode": "managed", "action_reason": reason,
         "change": {"actions": ["delete", "create"], "before": {"name": "x"},
                    "after": {"name": "x"}, "after_unknown": {}}}
        for a, reason in (("aws_ecs_cluster.cluster", "replace_because_tainted"),
                          ("aws_lb.alb", "replace_because_tainted"),
                          ("aws_lb_listener.l", "replace_because_cannot_update"))
    ]  # fmt: skip
    plan = {"format_version": "1.2", "resource_changes": changes}
    deployer, applied, _ = _deployer_with_plan(synth_dir, monkeypatch, plan, True)
    with pytest.raises(deploy.Refused) as refused:
        deployer.deploy("compute", FRESH_STAMP)
    assert str(refused.value).startswith(
        "compute: aws_ecs_cluster.cluster, aws_lb.alb tainted (an interrupted apply was "
        "creating them), refused a replacement by the guard; nothing was applied: check them "
        "in AWS, then `python -m ops state-untaint compute aws_ecs_cluster.cluster aws_lb.alb`"
    )
    assert applied == []
    changes[0]["action_reason"] = changes[1]["action_reason"] = "replace_because_cannot_update"
    deployer, applied, _ = _deployer_with_plan(synth_dir, monkeypatch, plan, True)
    with pytest.raises(deploy.Refused, match=r"^compute: the plan fails the guard; nothing"):
        deployer.deploy("compute", FRESH_STAMP)
