"""A second environment from the same code: staging built fresh, and the recovery environments.

What the issue asks of them, as data: every environment validates; staging synthesizes with no
import block, hardened; no name of one environment is another's, in the same account or not; no
role, bucket policy or trust of one environment names another's account; each environment's CI
roles trust only its own GitHub environments; a recovery environment restores a snapshot and
needs one. The emulated build, re-plan, probes and rehearsal are `tests/e2e/test_staging.py`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import app
import config
from config.environments import ENVIRONMENTS
from imports.inventory import load as load_inventory
from policies.ci import role_names

ROOT = Path(__file__).resolve().parents[1]
PROD, STAGING = config.load(), config.load("staging")
SNAPSHOT = "arn:aws:rds:us-west-2:611395766952:snapshot:recovery-manual-2026-12-06-1200"
NAME_ATTRIBUTES = ("name", "bucket", "identifier", "family", "name_prefix", "domain_name",
                   "aliases", "function_name", "rule", "trail_name")  # fmt: skip
"""Attributes that hold a resource's name (what collides when two environments share it)."""


def _synth(env: config.EnvironmentConfig, out: Path) -> dict[str, dict[str, Any]]:
    app.synth(env, out, load_inventory(env) if env.adopted and env.profile == "adopt" else None)
    return {p.parent.name: json.loads(p.read_text()) for p in out.glob("stacks/*/cdk.tf.json")}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, dict[str, Any]]]:
    """Production (`adopt` and `hardened`), staging, staging moved into production's account
    (nothing may collide there either) and a recovery environment."""
    root = tmp_path_factory.mktemp("environments")
    recovery = replace(config.load("production-recovery"), restore_snapshot=SNAPSHOT)
    return {
        "production": _synth(PROD, root / "production"),
        "production-hardened": _synth(config.load(profile="hardened"), root / "hardened"),
        "staging": _synth(STAGING, root / "staging"),
        "staging-in-production-account": _synth(
            replace(STAGING, account_id=PROD.account_id, state_bucket="", log_bucket=""),
            root / "same-account",
        ),
        "production-recovery": _synth(recovery, root / "recovery"),
    }


def _names(stacks: dict[str, dict[str, Any]]) -> set[tuple[str, str]]:
    """(resource type, name) of every literal name the output gives a resource."""
    found = set()
    for doc in stacks.values():
        for kind, items in doc.get("resource", {}).items():
            for body in items.values():
                for attribute in NAME_ATTRIBUTES:
                    if (kind, attribute) == ("aws_db_parameter_group", "family"):
                        continue  # the engine's family (postgres16), not a name
                    values = body.get(attribute)
                    for value in values if isinstance(values, list) else [values]:
                        if isinstance(value, str) and value and "${" not in value:
                            found.add((kind, value))
    return found


def test_every_environment_has_its_own_prefix_account_state_and_github_environments() -> None:
    prefixes = [env.name_prefix for env in ENVIRONMENTS.values()]
    buckets = [env.state_bucket for env in ENVIRONMENTS.values()]
    assert len(set(prefixes)) == len(prefixes) == 4
    assert len(set(buckets)) == len(buckets)
    assert PROD.name_prefix == "fluxion" and PROD.adopted
    assert not STAGING.adopted and STAGING.account_id != PROD.account_id
    assert STAGING.ci.github_environment("network") == "staging-network"
    assert PROD.ci.github_environment("network") == "network"


def test_staging_has_no_import_block_and_is_hardened(
    outputs: dict[str, dict[str, dict[str, Any]]],
) -> None:
    staging = outputs["staging"]
    assert sorted(staging) == [
        "compute", "data", "edge", "identity", "monitoring", "network", "state"
    ]  # fmt: skip
    assert [s for s, doc in staging.items() if "import" in doc] == []
    assert STAGING.profile == "hardened" and STAGING.hardening.waf_enforce
    assert [s for s, doc in outputs["production"].items() if "import" in doc]  # the control


@pytest.mark.parametrize("other", ["staging", "staging-in-production-account",
                                   "production-recovery"])  # fmt: skip
def test_no_name_of_another_environment_is_production_s(
    outputs: dict[str, dict[str, dict[str, Any]]], other: str
) -> None:
    production = _names(outputs["production"]) | _names(outputs["production-hardened"])
    theirs = _names(outputs[other])
    if other.endswith("recovery"):
        # It serves production's own host names once the DNS is cut over: the one overlap.
        theirs = {(kind, name) for kind, name in theirs if not name.endswith(PROD.domain)}
    assert len(theirs) > 40 and len(production) > 60  # the scan found names at all
    assert production & theirs == set()


def test_staging_builds_only_what_it_turns_on(
    outputs: dict[str, dict[str, dict[str, Any]]],
) -> None:
    staging, prod = outputs["staging"], outputs["production"]
    db = staging["data"]["resource"]["aws_db_instance"]
    assert [b["identifier"] for b in db.values()] == ["fluxion-staging-postgres-v2"]
    assert next(iter(db.values()))["instance_class"] == "db.t4g.micro"
    assert len(prod["data"]["resource"]["aws_db_instance"]) == 2  # the control
    assert "aws_instance" not in staging["network"].get("resource", {})
    assert "aws_instance" in prod["network"]["resource"]
    buckets = [b["bucket"] for b in staging["data"]["resource"]["aws_s3_bucket"].values()]
    assert buckets == [f"fluxion-staging-backups-v4-{STAGING.account_id}"]
    # the contract still holds: every output a consumer reads is published
    for stack in ("network", "data", "identity"):
        assert set(staging[stack]["output"]) == set(prod[stack]["output"])


@pytest.mark.parametrize(("mine", "theirs"), [("staging", PROD), ("production", STAGING),
                                              ("production-hardened", STAGING),
                                              ("production-recovery", STAGING)])  # fmt: skip
def test_no_environment_names_another_s_account(
    outputs: dict[str, dict[str, dict[str, Any]]], mine: str, theirs: config.EnvironmentConfig
) -> None:
    """No role, trust, bucket policy or any other value of one environment names the other's
    account: staging's credentials have nothing of production's to reach, nor the reverse."""
    text = json.dumps(outputs[mine])
    assert theirs.account_id not in text
    own = STAGING if mine == "staging" else PROD
    assert own.account_id in text  # the control: accounts are written out at all


@pytest.mark.parametrize(("key", "env"), [("staging", STAGING), ("production", PROD)])
def test_ci_roles_trust_only_their_own_github_environments(
    outputs: dict[str, dict[str, dict[str, Any]]], key: str, env: config.EnvironmentConfig
) -> None:
    roles = outputs[key]["state"]["resource"]["aws_iam_role"]
    names = role_names(env)
    subjects = {}
    for role in roles.values():
        trust = json.loads(role["assume_role_policy"])["Statement"][0]["Condition"]
        subjects[role["name"]] = trust["StringEquals"]["token.actions.githubusercontent.com:sub"]
    repo = f"repo:{env.ci.github_repository}"
    for stack in ("network", "data", "compute", "edge"):
        assert subjects[names[stack]] == f"{repo}:environment:{env.ci.github_environment(stack)}"
    assert f"{repo}:environment:{env.ci.github_environment('drift')}" in subjects[names["plan"]]
    if env is STAGING:
        assert subjects[names["data"]] == f"{repo}:environment:staging-data"


def test_a_recovery_environment_restores_its_snapshot_with_no_ci_identity(
    outputs: dict[str, dict[str, dict[str, Any]]],
) -> None:
    recovery = outputs["production-recovery"]
    (primary,) = recovery["data"]["resource"]["aws_db_instance"].values()
    assert primary["snapshot_identifier"] == SNAPSHOT
    assert primary["identifier"] == "fluxion-production-recovery-postgres-v2"
    assert "db_name" not in primary  # the snapshot's
    assert "aws_iam_openid_connect_provider" not in recovery["state"]["resource"]
    assert "aws_iam_role" not in recovery["state"]["resource"]
    assert recovery["data"]["provider"]["aws"][0]["region"] == "us-west-2"


def _main(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    out = tmp_path / "cdktf.out"
    # no setting of the caller's (the engine stays: `make test ENGINE=cdktn` runs this too)
    settings = {*config.SETTINGS.values(), "FLUXION_INVENTORY_ROOT"}
    environ = {k: v for k, v in os.environ.items() if k not in settings}
    return subprocess.run(
        [sys.executable, "main.py"], cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**environ, "CDKTF_OUTDIR": str(out), **env},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("settings", "line"),
    [
        ({"FLUXION_ENV": "staging", "FLUXION_PROFILE": "adopt"},
         "error: FLUXION_PROFILE: profile: 'adopt' staging is built fresh, hardened from day "
         "one; `adopt` mirrors an adopted estate"),
        ({"FLUXION_ENV": "staging-recovery"},
         "error: restore_snapshot: '' is empty; staging-recovery recovers staging: name the "
         "snapshot to restore (`python -m ops snapshot-copy` prints it)"),
        ({"FLUXION_ENV": "staging", "FLUXION_RESTORE_SNAPSHOT": "x"},
         "error: FLUXION_RESTORE_SNAPSHOT: restore_snapshot: 'x' only a recovery environment "
         "restores; staging is not one"),
        ({"FLUXION_ENV": "staging-recovery", "FLUXION_RESTORE_SNAPSHOT": "not a snapshot"},
         "error: FLUXION_RESTORE_SNAPSHOT: restore_snapshot: 'not a snapshot' is not a DB "
         "snapshot identifier or ARN"),
    ],
)  # fmt: skip
def test_a_bad_environment_setting_is_one_line_and_writes_nothing(
    settings: dict[str, str], line: str, tmp_path: Path
) -> None:
    proc = _main(settings, tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.strip().splitlines() == [line]
    assert list(tmp_path.iterdir()) == []


def test_an_adopted_environment_recovers_nothing() -> None:
    with pytest.raises(config.ConfigError, match=r"^recovers: 'staging' an adopted environment"):
        replace(PROD, recovers="staging")


def test_the_recovery_synthesizes_from_the_environment_given_its_snapshot(tmp_path: Path) -> None:
    proc = _main({"FLUXION_ENV": "staging-recovery", "FLUXION_RESTORE_SNAPSHOT": SNAPSHOT},
                 tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    stamp = json.loads((tmp_path / "cdktf.out" / "synth.json").read_text())
    assert stamp["environment"] == "staging-recovery"


def test_the_settings_check_wants_reviewers_on_every_environment_s_apply_environments() -> None:
    from review import github

    assert github.ENVIRONMENTS == (
        "network", "data", "compute", "edge",
        "staging-network", "staging-data", "staging-compute", "staging-edge",
    )  # fmt: skip
    assert github.APP_ENVIRONMENTS == ("release", "staging-release")
    assert github.READ_ENVIRONMENTS == ("drift", "staging-drift")


def test_a_recovery_leaves_the_account_s_one_of_a_kind_resources_to_its_owner(
    outputs: dict[str, dict[str, dict[str, Any]]],
) -> None:
    """A recovery in production's account must not make a second VPC-origin service-linked
    role (AWS refuses it) or OIDC provider; production, which owns them, does (the control)."""
    for kind in ("aws_iam_service_linked_role", "aws_cloudtrail"):
        assert kind not in outputs["production-recovery"]["identity"]["resource"]
        assert kind in outputs["production-hardened"]["identity"]["resource"]
    assert "aws_cloudwatch_event_rule" in outputs["production-recovery"]["identity"]["resource"]


def test_a_missing_or_open_read_environment_is_one_failing_line() -> None:
    from review import github

    answer = {"environments": [{"name": "drift", "protection_rules": []}]}
    lines = github.problems(lambda _path: answer, "o/r", (), ("drift", "staging-drift"))
    assert lines == [
        "drift: deployable from any branch: restrict it to protected branches",
        "staging-drift: no such environment: create it, deployable from main only",
    ]


@pytest.mark.parametrize("key", ["production", "staging"])
def test_the_state_bucket_keeps_every_version_and_cannot_be_destroyed(
    outputs: dict[str, dict[str, dict[str, Any]]], key: str
) -> None:
    """What `python -m ops state-restore` relies on: a damaged, truncated or deleted state
    still has its earlier versions, and the bucket itself is not destroyed by a plan."""
    env = PROD if key == "production" else STAGING
    state = outputs[key]["state"]["resource"]
    (bucket,) = [b for b in state["aws_s3_bucket"].values() if b["bucket"] == env.state_bucket]
    assert bucket["lifecycle"]["prevent_destroy"] is True
    (versioning,) = state["aws_s3_bucket_versioning"].values()
    assert versioning["versioning_configuration"]["status"] == "Enabled"
    rules = [
        r for lc in state["aws_s3_bucket_lifecycle_configuration"].values() for r in lc["rule"]
    ]
    kept = [r["noncurrent_version_expiration"][0]["noncurrent_days"] for r in rules
            if r.get("noncurrent_version_expiration")]  # fmt: skip
    assert kept == [env.state_noncurrent_days] == [90]


DATA_TYPES = ("aws_db_instance", "aws_s3_bucket", "aws_secretsmanager_secret", "aws_ecr_repository")
"""What holds the estate's data: the databases, every bucket (backups, state, logs, sites),
the secrets and the image repositories (faults' level 1, docs/operations.md, "Faults")."""


@pytest.mark.parametrize(
    "key", ["production", "production-hardened", "staging", "production-recovery"]
)
def test_every_resource_that_holds_data_refuses_a_destroy(
    outputs: dict[str, dict[str, dict[str, Any]]], key: str
) -> None:
    held = {
        (stack, rtype, name): resource
        for stack, doc in outputs[key].items()
        for rtype in DATA_TYPES
        for name, resource in doc.get("resource", {}).get(rtype, {}).items()
    }
    assert {rtype for _s, rtype, _n in held} >= {"aws_db_instance", "aws_s3_bucket",
                                                 "aws_secretsmanager_secret"}  # fmt: skip
    unprotected = [
        k for k, r in held.items() if r.get("lifecycle", {}).get("prevent_destroy") is not True
    ]
    assert unprotected == []
    primaries = [r for (_s, rtype, _n), r in held.items()
                 if rtype == "aws_db_instance" and not r.get("replicate_source_db")]  # fmt: skip
    assert primaries and all(r["deletion_protection"] is True for r in primaries)
    assert all(r.get("force_destroy") in (None, False) for (_s, t, _n), r in held.items()
               if t == "aws_s3_bucket")  # fmt: skip
