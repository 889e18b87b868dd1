"""Reading inside the JSON strings: IAM policies and container definitions, for the security gate.

cdktf writes every IAM policy and every container definition as a JSON *string*. checkov reads
neither: its IAM checks only run on `aws_iam_policy_document` data sources, and its container
checks only on a decoded list. So the gate

1. re-expresses every JSON-string IAM policy as an `aws_iam_policy_document` data source named
   `<type>__<name>__<attribute>` (findings on it are reported against the resource itself), and
   decodes `container_definitions` into the list checkov expects (`expand`);
2. adds the escalation checks a policy linter makes and checkov does not (`lint`):

   - FLUXION_IAM_1 `iam:PassRole` allowed without an `iam:PassedToService` condition
   - FLUXION_IAM_2 a wildcard action that reaches a role write (`iam:*Role*` matches
     PassRole, CreateRole, AttachRolePolicy, UpdateAssumeRolePolicy...)
   - FLUXION_IAM_3 every action of a service (`*`, `<service>:*`, `NotAction`) allowed on `*`
   - FLUXION_IAM_4 an escalation action allowed at all (`policies.actions.ESCALATION`)
   - FLUXION_IAM_5 a role write IAM can condition on the boundary, allowed without
     `iam:PermissionsBoundary`
   - FLUXION_IAM_6 an allowed action with a `*` in it (waivable with a reason)
   - FLUXION_IAM_7 an AWS managed policy that reads or writes everything attached to a role
     (`ReadOnlyAccess` reads every object of every bucket)
   - FLUXION_IAM_8 a secret's value written (`PutSecretValue`, `UpdateSecret`, which takes a
     `SecretString` too, `RestoreSecret`) on any secret but the ones RDS manages (`rds!*`):
     values are set by people, and neither IAM auditor flags these

Only identity policies are linted (role inline policies and managed policies); Deny
statements never count.
"""

from __future__ import annotations

import fnmatch
import json
from typing import Any

from policies.actions import ESCALATION, ROLE_WRITES_WITH_BOUNDARY, SECRET_VALUE_WRITES

POLICY_ATTRIBUTES = {
    "aws_iam_role_policy": "policy",
    "aws_iam_policy": "policy",
    "aws_iam_role": "assume_role_policy",
    "aws_s3_bucket_policy": "policy",
}
IDENTITY_POLICIES = ("aws_iam_role_policy", "aws_iam_policy")
ROLE_ESCALATION = sorted(
    {
        "iam:PassRole",
        "iam:CreateRole",
        "iam:UpdateAssumeRolePolicy",
        *ROLE_WRITES_WITH_BOUNDARY,
    }
)
SEPARATOR = "__"

CHECKS = {
    "FLUXION_IAM_1": "iam:PassRole allowed without an iam:PassedToService condition",
    "FLUXION_IAM_2": "a wildcard action reaches role writes",
    "FLUXION_IAM_3": "every action of a service allowed on every resource",
    "FLUXION_IAM_4": "a privilege-escalation action is allowed",
    "FLUXION_IAM_5": "a role write allowed without an iam:PermissionsBoundary condition",
    "FLUXION_IAM_6": "an allowed action has a wildcard",
    "FLUXION_IAM_7": "an account-wide AWS managed policy is attached",
    "FLUXION_IAM_8": "a secret's value may be written",
}
BROAD_MANAGED = {
    f"arn:aws:iam::aws:policy/{name}"
    for name in ("AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess", "IAMFullAccess",
                 "AmazonS3FullAccess", "AmazonS3ReadOnlyAccess", "SecretsManagerReadWrite")
}  # fmt: skip


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _decoded(value: Any) -> Any:
    if not isinstance(value, str):
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


def policy_documents(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """`<type>.<name>` (and `.<attribute>` for trust policies) -> the decoded policy."""
    found = {}
    for kind, attribute in POLICY_ATTRIBUTES.items():
        for name, resource in doc.get("resource", {}).get(kind, {}).items():
            policy = _decoded(resource.get(attribute))
            if isinstance(policy, dict) and "Statement" in policy:
                found[f"{kind}.{name}"] = policy
    return found


def _statement_block(statement: dict[str, Any]) -> dict[str, Any]:
    """One IAM statement as an `aws_iam_policy_document` `statement` block."""
    block: dict[str, Any] = {"effect": statement.get("Effect", "Allow")}
    for key, field in (
        ("Action", "actions"),
        ("NotAction", "not_actions"),
        ("Resource", "resources"),
        ("NotResource", "not_resources"),
    ):
        if key in statement:
            block[field] = _as_list(statement[key])
    if isinstance(statement.get("Principal"), dict):
        block["principals"] = [
            {"type": kind, "identifiers": _as_list(ids)}
            for kind, ids in statement["Principal"].items()
        ]
    conditions = statement.get("Condition", {})
    if conditions:
        block["condition"] = [
            {"test": test, "variable": variable, "values": _as_list(values)}
            for test, pairs in conditions.items()
            for variable, values in pairs.items()
        ]
    return block


def expand(doc: dict[str, Any]) -> dict[str, Any]:
    """A copy of a stack with its JSON strings opened up for checkov (see the docstring)."""
    out: dict[str, Any] = json.loads(json.dumps(doc))
    documents = out.setdefault("data", {}).setdefault("aws_iam_policy_document", {})
    for address, policy in policy_documents(doc).items():
        kind, name = address.split(".")
        documents[f"{kind}{SEPARATOR}{name}{SEPARATOR}{POLICY_ATTRIBUTES[kind]}"] = {
            "statement": [_statement_block(s) for s in _as_list(policy["Statement"])]
        }
    if not documents:
        del out["data"]["aws_iam_policy_document"]
        if not out["data"]:
            del out["data"]
    for task in out.get("resource", {}).get("aws_ecs_task_definition", {}).values():
        containers = _decoded(task.get("container_definitions"))
        if isinstance(containers, list):
            task["container_definitions"] = containers
    return out


def resource_of(address: str) -> str:
    """The data source checkov names for a re-expressed policy
    (`data.aws_iam_role_policy__x__policy`, with or without `aws_iam_policy_document.`) -> the
    resource, `aws_iam_role_policy.x`."""
    parts = address.split(".")[-1].split(SEPARATOR)
    if (
        len(parts) == 3
        and parts[0] in POLICY_ATTRIBUTES
        and parts[2] == POLICY_ATTRIBUTES[parts[0]]
    ):
        return f"{parts[0]}.{parts[1]}"
    return address


def _matches(patterns: list[str], actions: list[str]) -> list[str]:
    return [a for a in actions if any(fnmatch.fnmatch(a.lower(), p.lower()) for p in patterns)]


def _conditioned(statement: dict[str, Any], key: str) -> bool:
    return any(key in pairs for pairs in statement.get("Condition", {}).values())


def _role_resources(resources: list[str]) -> bool:
    return any(r == "*" or ":role/" in r for r in resources)


def lint_policy(policy: dict[str, Any]) -> list[tuple[str, str]]:
    """(check, detail) for each finding in one identity policy."""
    findings = []
    for statement in _as_list(policy.get("Statement", [])):
        if statement.get("Effect") != "Allow":
            continue
        resources = [str(r) for r in _as_list(statement.get("Resource", []))]
        if "NotAction" in statement:
            findings.append(("FLUXION_IAM_3", f"NotAction {statement['NotAction']}"))
            continue
        actions = [str(a) for a in _as_list(statement.get("Action", []))]
        if "iam:PassRole" in _matches(actions, ["iam:PassRole"]) and not _conditioned(
            statement, "iam:PassedToService"
        ):
            findings.append(("FLUXION_IAM_1", f"{actions} on {resources}"))
        wildcards = [a for a in actions if "*" in a]
        reaching = _matches(wildcards, ROLE_ESCALATION)
        if reaching and _role_resources(resources):
            findings.append(("FLUXION_IAM_2", f"{wildcards} reach {reaching}"))
        if "*" in resources and any(a == "*" or a.endswith(":*") for a in actions):
            findings.append(("FLUXION_IAM_3", f"{[a for a in actions if a.endswith('*')]} on *"))
        if escalating := _matches(actions, ESCALATION):
            findings.append(("FLUXION_IAM_4", f"{escalating}"))
        unbounded = _matches(actions, ROLE_WRITES_WITH_BOUNDARY)
        if unbounded and not _conditioned(statement, "iam:PermissionsBoundary"):
            findings.append(("FLUXION_IAM_5", f"{unbounded} on {resources}"))
        if wildcards:
            findings.append(("FLUXION_IAM_6", f"{wildcards}"))
        writes_values = _matches(actions, SECRET_VALUE_WRITES)
        if writes_values and [r for r in resources if ":secret:rds!" not in r]:
            findings.append(("FLUXION_IAM_8", f"{writes_values} on {resources}"))
    return findings


def identity_policies(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The stack's role inline policies and managed policies, decoded."""
    return {
        address: policy
        for address, policy in sorted(policy_documents(doc).items())
        if address.split(".")[0] in IDENTITY_POLICIES
    }


def lint(doc: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(check, `<type>.<name>`, detail) for every identity policy of a stack."""
    findings = [
        (check, address, detail)
        for address, policy in identity_policies(doc).items()
        for check, detail in lint_policy(policy)
    ]
    attachments = doc.get("resource", {}).get("aws_iam_role_policy_attachment", {})
    for name, attachment in sorted(attachments.items()):
        if attachment.get("policy_arn") in BROAD_MANAGED:
            address = f"aws_iam_role_policy_attachment.{name}"
            findings.append(("FLUXION_IAM_7", address, str(attachment["policy_arn"])))
    return findings
