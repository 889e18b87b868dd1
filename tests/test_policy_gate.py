"""The security gate reads inside JSON-string policies and container definitions.

Before issue 15, checkov never saw the CI deploy policy (a JSON string) and the gate passed it.
An outside scan that re-expressed it found CKV_AWS_287/288/289/290/355 on the deploy policy
(checkov's resource checks; their `aws_iam_policy_document` twins, which the gate runs, are
CKV_AWS_107/108/109/111/356) and CKV_AWS_336 on every task definition; a review found the
escalation paths FLUXION_IAM_1/2/3 stand for. `tests/fixtures/ci_before/` is that identity as
synthesized at commit 549721b: the gate must report all of it, and none of it on today's stacks.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest

from review import policy_lint
from review import security_gate as gate
from runtime.synthesized import Synthesized

TODAY = datetime.date(2026, 11, 28)
ADOPT: frozenset[str] = frozenset()  # every hardening switch off
BEFORE = Path(__file__).parent / "fixtures" / "ci_before"
DEPLOY_POLICY = "state/aws_iam_role_policy.ci_deploy_policy_46D830D7"
ESCALATION_FINDINGS = {
    "CKV_AWS_107",  # credentials exposure (resource twin: CKV_AWS_287)
    "CKV_AWS_108",  # data exfiltration (CKV_AWS_288)
    "CKV_AWS_109",  # permissions management without constraints (CKV_AWS_289)
    "CKV_AWS_111",  # write access without constraints (CKV_AWS_290)
    "CKV_AWS_356",  # "*" resource for restrictable actions (CKV_AWS_355)
    "FLUXION_IAM_1",  # iam:*Role* matches iam:PassRole: passed with no service condition
    "FLUXION_IAM_2",  # iam:*Role* matches CreateRole, AttachRolePolicy, UpdateAssumeRolePolicy
    "FLUXION_IAM_3",  # ec2:*, rds:*, s3:*, secretsmanager:*, ssm:* on *
}


@pytest.fixture(scope="module")
def before() -> gate.GateResult:
    reports, stacks = gate.scan(BEFORE)
    return gate.evaluate(reports, stacks, [], ADOPT, TODAY)


def test_the_gate_reports_the_escalations_of_the_old_ci_identity(before: gate.GateResult) -> None:
    assert before.checks_run > 20, "checkov and the linter really ran"
    on_deploy_policy = {check for check, resource in before.findings if resource == DEPLOY_POLICY}
    assert on_deploy_policy >= ESCALATION_FINDINGS
    task = "state/aws_ecs_task_definition.backend_task_definition_30B85828"
    assert ("CKV_AWS_336", task) in before.findings
    # ReadOnlyAccess let the plan role read every object of the backup buckets
    read_only = "state/aws_iam_role_policy_attachment.ci_plan_read_only_055C1489"
    assert ("FLUXION_IAM_7", read_only) in before.findings
    assert before.failed


@pytest.mark.parametrize("profile", ["adopt", "hardened"])
def test_none_of_it_on_todays_stacks(profile: str, synth_dir: Path, hardened_dir: Path) -> None:
    reports, stacks = gate.scan(synth_dir if profile == "adopt" else hardened_dir)
    switches = ADOPT if profile == "adopt" else Synthesized(hardened_dir).switches
    result = gate.evaluate(
        reports, stacks, gate.load_waivers(), switches, TODAY, gate.audit(stacks)
    )
    assert result.checks_run > 300
    assert not result.failed, gate.render(result, switches)
    iam = [
        (check, resource)
        for check, resource in result.findings
        if check in ESCALATION_FINDINGS or check.startswith("FLUXION_IAM")
    ]
    assert iam == [], "no escalation finding, not even a waived one"
    scanned = {name for name, s in stacks.items() if policy_lint.identity_policies(s)}
    assert scanned == {"state", "identity"}  # the CI identity, the workload roles


def _statement(**fields: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", **fields}]}


ROLE = "arn:aws:iam::1:role/app"
BOUNDARY = "arn:aws:iam::1:policy/b"
AWS = "arn:aws:iam::aws:policy"
CASES = [
    ("FLUXION_IAM_1", _statement(Action=["iam:PassRole"], Resource=ROLE),
     _statement(Action=["iam:PassRole"], Resource=ROLE,
                Condition={"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}})),
    ("FLUXION_IAM_2", _statement(Action=["iam:*Role*"], Resource=ROLE),
     _statement(Action=["iam:GetRole"], Resource=ROLE)),
    ("FLUXION_IAM_3", _statement(Action=["s3:*"], Resource="*"),
     _statement(Action=["s3:*"], Resource="arn:aws:s3:::b")),
    ("FLUXION_IAM_3", _statement(NotAction=["iam:*"], Resource="*"),
     _statement(Action=["s3:ListAllMyBuckets"], Resource="*")),
    ("FLUXION_IAM_4", _statement(Action=["iam:CreateAccessKey"], Resource="*"),
     {"Version": "2012-10-17", "Statement": [
         {"Effect": "Deny", "Action": ["iam:CreateAccessKey"], "Resource": "*"}]}),
    ("FLUXION_IAM_5", _statement(Action=["iam:PutRolePolicy"], Resource=ROLE),
     _statement(Action=["iam:PutRolePolicy"], Resource=ROLE,
                Condition={"StringEquals": {"iam:PermissionsBoundary": BOUNDARY}})),
    ("FLUXION_IAM_6", _statement(Action=["ec2:Describe*"], Resource="*"),
     _statement(Action=["ec2:DescribeVpcs"], Resource="*")),
    ("FLUXION_IAM_8", _statement(Action=["secretsmanager:UpdateSecret"],
                                 Resource="arn:aws:secretsmanager:us-east-1:1:secret:fluxion/*"),
     _statement(Action=["secretsmanager:UpdateSecret"],
                Resource="arn:aws:secretsmanager:us-east-1:1:secret:rds!*")),
]  # fmt: skip


@pytest.mark.parametrize(("check", "bad", "good"), CASES)
def test_each_escalation_check_fails_the_bad_and_passes_the_fixed(
    check: str, bad: dict[str, Any], good: dict[str, Any]
) -> None:
    assert check in {c for c, _ in policy_lint.lint_policy(bad)}
    assert check not in {c for c, _ in policy_lint.lint_policy(good)}


def test_attaching_an_account_wide_managed_policy_is_found() -> None:
    doc = {
        "resource": {
            "aws_iam_role_policy_attachment": {
                "a": {"role": "r", "policy_arn": f"{AWS}/ReadOnlyAccess"},
                "b": {"role": "r", "policy_arn": f"{AWS}/AmazonSSMManagedInstanceCore"},
            }
        }
    }  # fmt: skip
    assert policy_lint.lint(doc) == [
        ("FLUXION_IAM_7", "aws_iam_role_policy_attachment.a", f"{AWS}/ReadOnlyAccess")
    ]  # fmt: skip


def test_expand_opens_the_json_strings() -> None:
    policy = _statement(
        Action=["iam:PassRole"],
        Resource=ROLE,
        Condition={"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
    )
    containers = [{"name": "app", "image": "x:1"}]
    doc = {
        "resource": {
            "aws_iam_role_policy": {"p": {"role": "r", "policy": json.dumps(policy)}},
            "aws_ecs_task_definition": {"t": {"container_definitions": json.dumps(containers)}},
            "aws_iam_role_policy_attachment": {"x": {"policy_arn": "not json"}},
        }
    }
    out = policy_lint.expand(doc)
    (statement,) = out["data"]["aws_iam_policy_document"]["aws_iam_role_policy__p__policy"][
        "statement"
    ]
    assert statement == {
        "effect": "Allow",
        "actions": ["iam:PassRole"],
        "resources": [ROLE],
        "condition": [
            {
                "test": "StringEquals",
                "variable": "iam:PassedToService",
                "values": ["ecs-tasks.amazonaws.com"],
            }
        ],
    }
    assert out["resource"]["aws_ecs_task_definition"]["t"]["container_definitions"] == containers
    assert doc["resource"]["aws_ecs_task_definition"]["t"]["container_definitions"] == json.dumps(
        containers
    ), "the input is not modified"


@pytest.mark.parametrize(
    ("reported", "resource"),
    [
        ("data.aws_iam_role_policy__ci_x__policy", "aws_iam_role_policy.ci_x"),
        ("aws_iam_policy_document.aws_iam_policy__b__policy", "aws_iam_policy.b"),
        ("aws_iam_role.r", "aws_iam_role.r"),
        ("data.other__x__y", "data.other__x__y"),
    ],
)
def test_findings_on_a_re_expressed_policy_name_the_resource(reported: str, resource: str) -> None:
    assert policy_lint.resource_of(reported) == resource
