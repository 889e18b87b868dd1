"""The workflow checks can fail: a bad workflow is caught by zizmor and by the schema."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

import config
from config.estate import CI_STACKS, PLANNED_STACKS
from tests.conftest import ROOT

PROD, STAGING = config.load(), config.load("staging")

BIN = Path(sys.executable).parent
BAD = """
name: bad
on: pull_request_target
jobs:
  x:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v4
      - run: echo "${{ github.event.pull_request.title }}"
"""


def _run(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / tool), *args], capture_output=True, text=True, timeout=300)


def test_zizmor_flags_an_unsafe_workflow(tmp_path: Path) -> None:
    (tmp_path / "bad.yml").write_text(BAD)
    proc = _run("zizmor", "--offline", str(tmp_path / "bad.yml"))
    assert proc.returncode != 0
    report = proc.stdout + proc.stderr
    for audit in ("template-injection", "unpinned-uses", "dangerous-triggers"):
        assert audit in report, audit


def test_the_schema_check_rejects_a_malformed_workflow(tmp_path: Path) -> None:
    (tmp_path / "bad.yml").write_text("name: bad\non: push\njobs:\n  x:\n    steps: []\n")
    proc = _run(
        "check-jsonschema", "--builtin-schema", "vendor.github-workflows", str(tmp_path / "bad.yml")
    )
    assert proc.returncode != 0


def _load(name: str) -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / ".github/workflows" / name).read_text()))


def test_the_project_workflows() -> None:
    files = sorted((ROOT / ".github/workflows").glob("*.yml"))
    assert [f.name for f in files] == [
        "app-deploy.yml",
        "drift.yml",
        "github-check.yml",
        "infra-deploy.yml",
        "infra-pr.yml",
    ]
    assert _run("zizmor", "--offline", *map(str, files)).returncode == 0
    for f in files:
        doc = yaml.safe_load(f.read_text())
        assert doc["permissions"] == {}, f"{f.name}: least privilege by default"
        for job in doc["jobs"].values():
            for step in job.get("steps", []):
                uses = step.get("uses", "")
                assert not uses or len(uses.split("@")[1]) == 40, f"{f.name}: {uses} not pinned"
                assert "AWS_SECRET_ACCESS_KEY" not in str(step)


CREDENTIALS = "aws-actions/configure-aws-credentials"
INSTALLS = ("make synth", "make test", "npm ci", "docker build", "pip install", "pipenv")


def _credentialed_jobs() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (name, job_name, job)
        for name in ("app-deploy.yml", "drift.yml", "infra-deploy.yml", "infra-pr.yml")
        for job_name, job in _load(name)["jobs"].items()
        if any(CREDENTIALS in step.get("uses", "") for step in job.get("steps", []))
    ]


def test_credentials_come_after_every_install() -> None:
    jobs = _credentialed_jobs()
    # the pr plan; 4 applies per environment and staging's status; images, backend, sites;
    # the drift report
    assert len(jobs) == 14
    for name, job_name, job in jobs:
        steps = job["steps"]
        at = next(i for i, s in enumerate(steps) if CREDENTIALS in s.get("uses", ""))
        later = [s.get("run", "") + s.get("uses", "") for s in steps[at + 1 :]]
        for text in later:
            assert not any(i in text for i in INSTALLS), f"{name}/{job_name}: {text[:60]}"
            assert "setup-" not in text, f"{name}/{job_name}: {text[:60]}"
        assert job["permissions"].get("id-token") == "write"


def test_each_deploy_job_runs_in_its_environment_and_applies_the_reviewed_plan() -> None:
    jobs = _load("infra-deploy.yml")["jobs"]
    stacks = list(CI_STACKS)  # the one list of CI-applied stacks, in order
    staged = [f"staging-{s}" for s in stacks]  # each is also its GitHub environment
    # `state`, `identity`: people; staging's four, its status check, then production's four
    assert set(jobs) == {"test", "find-plans", *staged, "staging-status", *stacks}
    assert jobs["staging-network"]["needs"] == "find-plans"
    assert [jobs[s]["needs"] for s in staged[1:]] == [["find-plans", s] for s in staged[:-1]]
    assert jobs["staging-status"]["needs"] == ["find-plans", "staging-edge"]
    assert jobs["network"]["needs"] == ["find-plans", "staging-status"]  # the promotion
    assert [jobs[s]["needs"] for s in stacks[1:]] == [["find-plans", s] for s in stacks[:-1]]
    assert stacks == ["network", "data", "compute", "edge"]  # the order the needs encode
    # each environment's own Cloudflare zone and token: staging's cannot touch production's DNS
    tokens = {
        name: yaml.safe_dump(jobs[name]).count("secrets.") for name in ("edge", "staging-edge")
    }
    assert "secrets.CLOUDFLARE_API_TOKEN }}" in yaml.safe_dump(jobs["edge"])
    assert "secrets.STAGING_CLOUDFLARE_API_TOKEN }}" in yaml.safe_dump(jobs["staging-edge"])
    assert "secrets.CLOUDFLARE_API_TOKEN }}" not in yaml.safe_dump(jobs["staging-edge"])
    assert tokens == {"edge": 1, "staging-edge": 1}
    status = jobs["staging-status"]
    assert status["env"] == {"FLUXION_ENV": "staging"}
    assert status["environment"] == STAGING.ci.github_environment("drift")  # its plan role's
    assert "vars.STAGING_CI_PLAN_ROLE_ARN" in yaml.safe_dump(status)
    assert status["steps"][-1]["run"] == "make ops ARGS=status"
    for env, prefix, key in ((PROD, "", stacks), (STAGING, "STAGING_", staged)):
        for stack, name in zip(stacks, key, strict=True):
            job = jobs[name]
            assert job["environment"] == env.ci.github_environment(stack) == name
            assert job.get("env", {}).get("FLUXION_ENV", "production") == env.name
            text = yaml.safe_dump(job)
            assert f"vars.{prefix}CI_APPLY_{stack.upper()}_ROLE_ARN" in text
            assert f"make apply-reviewed STACK={stack}" in text
            download = next(st for st in job["steps"] if "download-artifact" in st.get("uses", ""))
            assert (
                download["with"]["name"] == f"plan-{name}-${{{{ needs.find-plans.outputs.tree }}}}"
            )
    for stack in [*stacks, *staged]:
        job = jobs[stack]
        text = yaml.safe_dump(job)
        assert "plan-save" not in text and "deploy-stack" not in text
        assert "auto-approve" not in text.lower()
        # the artifact comes from the run deploy/provenance.py verified, never found by name
        download = next(st for st in job["steps"] if "download-artifact" in st.get("uses", ""))
        assert download["with"]["run-id"] == "${{ needs.find-plans.outputs.run_id }}"
    find = jobs["find-plans"]
    run = "\n".join(step.get("run", "") for step in find["steps"])
    assert "python -m deploy.provenance" in run and "gh api" not in run
    assert f"--stacks {' '.join(CI_STACKS)} {' '.join(staged)}" in " ".join(
        run.replace("\\\n", " ").split()
    )
    assert find["permissions"] == {"contents": "read", "actions": "read", "pull-requests": "read"}
    for name in ("app-deploy.yml", "infra-deploy.yml"):
        for job_name, job in _load(name)["jobs"].items():
            if job["permissions"].get("id-token") == "write":
                assert "environment" in job, f"{name}/{job_name} holds credentials outside one"


def test_the_pull_request_plans_and_comments_apart() -> None:
    jobs = _load("infra-pr.yml")["jobs"]
    plan, comment = jobs["plan"], jobs["comment"]
    assert plan["permissions"] == {"contents": "read", "id-token": "write"}
    assert comment["permissions"] == {"pull-requests": "write"}
    assert not any(CREDENTIALS in s.get("uses", "") for s in comment["steps"])
    assert not any("checkout" in s.get("uses", "") for s in comment["steps"])
    assert plan["strategy"]["matrix"]["stack"] == list(PLANNED_STACKS)
    assert plan["strategy"]["matrix"]["environment"] == ["production", "staging"]
    assert plan["env"]["FLUXION_ENV"] == "${{ matrix.environment }}"
    # the artifact's key is the stack's GitHub environment, which infra-deploy.yml downloads
    key = "${{ matrix.environment == 'staging' && 'staging-' || '' }}${{ matrix.stack }}"
    assert plan["env"]["PLAN_KEY"] == key
    text = yaml.safe_dump(plan)
    role = next(s for s in plan["steps"] if CREDENTIALS in s.get("uses", ""))
    assert role["with"]["role-to-assume"] == (
        "${{ vars[format('{0}CI_PLAN_ROLE_ARN', matrix.environment == 'staging' && 'STAGING_' "
        "|| '')] }}"
    )  # each environment's own variable, and no fallback to the other's
    assert "make plan-save" in text
    upload = next(s for s in plan["steps"] if "upload-artifact" in s.get("uses", ""))
    assert upload["with"]["name"] == "plan-${{ env.PLAN_KEY }}-${{ steps.tree.outputs.tree }}"
    assert upload["with"]["path"] == "plans/${{ matrix.stack }}/"


def test_the_app_pipeline_tags_images_with_the_commit() -> None:
    jobs = _load("app-deploy.yml")["jobs"]
    push = jobs["images"]["steps"][-1]["run"]
    assert 'docker push "$repo:$GITHUB_SHA"' in push
    # `latest` only inside the adopt branch, and only adopt rolls the service onto it
    adopt_block = push.split('if [ "$PROFILE" = adopt ]; then')[1].split("fi")[0]
    assert push.count(":latest") == adopt_block.count(":latest") == 2
    assert jobs["backend"]["if"] == "vars.FLUXION_PROFILE != 'hardened'"
    assert "register-task-definition" not in yaml.safe_dump(jobs)
    for job in jobs.values():
        if job["permissions"].get("id-token") == "write":
            assert job["environment"] == "release"
            assert "vars.CI_RELEASE_ROLE_ARN" in yaml.safe_dump(job)


def test_the_drift_report_runs_on_a_schedule_with_the_plan_role() -> None:
    doc = _load("drift.yml")
    on: Any = next(v for k, v in doc.items() if k in ("on", True))  # YAML 1.1: `on` is True
    assert "schedule" in on and "workflow_dispatch" in on
    (job,) = doc["jobs"].values()
    assert job["environment"] == "drift"  # the plan role trusts `environment:drift`
    assert job["permissions"] == {"contents": "read", "actions": "read", "id-token": "write"}
    text = yaml.safe_dump(job)
    assert "vars.CI_PLAN_ROLE_ARN" in text and "make drift" in text
    assert "GITHUB_STEP_SUMMARY" in text and "apply" not in text.replace("-apply-", "")
    upload = next(s for s in job["steps"] if "upload-artifact" in s.get("uses", ""))
    assert upload["with"]["name"] == "drift-report"
    assert "drift-known.json" in upload["with"]["path"]


def test_the_settings_check_runs_weekly_without_cloud_credentials() -> None:
    """Finding 7: the reviewers that stand between an apply role and the estate live in the
    repository's settings; a scheduled job reads them (review/github.py)."""
    workflow = _load("github-check.yml")
    triggers = (ROOT / ".github/workflows/github-check.yml").read_text()
    assert "schedule:" in triggers and 'cron: "0 7 * * 1"' in triggers  # YAML reads `on` as True
    (job,) = workflow["jobs"].values()
    assert job["permissions"] == {"contents": "read", "actions": "read"}
    run = "\n".join(step.get("run", "") for step in job["steps"])
    assert "make github-check" in run
    assert not any(CREDENTIALS in step.get("uses", "") for step in job["steps"])


def test_every_pull_request_that_touches_the_estate_runs_the_emulated_estate() -> None:
    """The proof loop runs in the users' own CI, bounded, with its table shown, whenever a
    shipped package (the Makefile's SHIPPED), the app, the locks or the harness change."""
    from tests.conftest import make_variable

    job = _load("infra-pr.yml")["jobs"]["e2e"]
    assert job["timeout-minutes"] <= 60 and job["permissions"] == {"contents": "read"}
    run = "\n".join(step.get("run", "") for step in job["steps"])
    assert "make e2e" in run
    watched = run.replace("\\\n", " ").replace(";", " ").split()
    for path in (*make_variable("SHIPPED").split(), "main.py", "Makefile", "Pipfile.lock",
                 "engines/cdktn/Pipfile.lock", "package-lock.json", "tests/e2e"):  # fmt: skip
        assert path in watched, path
    e2e = (ROOT / "tests/e2e/test_emulated_estate.py").read_text()
    assert "GITHUB_STEP_SUMMARY" in e2e  # the phase table and the plan lines
