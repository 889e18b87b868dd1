"""The security gate's IAM auditors: parliament and cloudsplaining on every identity policy.

    .tools/iam-auditors/bin/python review/iam_auditors.py < documents.json

Runs in the auditors' own environment (their pins conflict with the project's), so it imports
nothing of the project. Reads `[{"id": ..., "policy": {...}}]` on stdin and prints
`[{"id": ..., "check": ..., "detail": ...}]`: one finding per policy, kind and action, so a
reviewed waiver names exactly what it accepts and a new action is a new finding:

- parliament (with its community auditors): `PARLIAMENT_<ISSUE>:<action or type>` for the
  issues that say what an attacker could do (`GATED`); the others (a resource format, an
  action missing from its database) are about style, not power, and are not reported;
- cloudsplaining's categories, every risky action flagged whatever its resource
  (`flag_resource_arn_statements`): `CLOUDSPLAINING_PRIVILEGE_ESCALATION:<method>`, and
  `..._RESOURCE_EXPOSURE`, `..._DATA_EXFILTRATION`, `..._CREDENTIALS_EXPOSURE:<action>`.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

from cloudsplaining.scan.policy_document import PolicyDocument
from cloudsplaining.shared.exclusions import Exclusions
from parliament import analyze_policy_string

GATED = {
    "PRIVILEGE_ESCALATION",
    "PERMISSIONS_MANAGEMENT_ACTIONS",
    "RESOURCE_POLICY_PRIVILEGE_ESCALATION",
    "CREDENTIALS_EXPOSURE",
}
"""parliament issues about what a holder could do; the rest concern how a policy is written."""
REFERENCE = re.compile(r"\$\{[^}]*\}")


def parliament(policy: str) -> list[tuple[str, str]]:
    found = []
    for finding in analyze_policy_string(policy, include_community_auditors=True).findings:
        if finding.issue not in GATED:
            continue
        where = finding.location if isinstance(finding.location, dict) else {}
        if "type" in where:  # an escalation method (its actions together)
            keys = [str(where["type"])]
        else:
            keys = [str(a) for a in where.get("actions", [])] or [str(finding.detail)[:80]]
        detail = f"{finding.detail} {where.get('actions', '')}".strip()[:300]
        found += [(f"PARLIAMENT_{finding.issue}:{key.lower()}", detail) for key in keys]
    return found


def cloudsplaining(policy: dict[str, Any]) -> list[tuple[str, str]]:
    doc = PolicyDocument(policy, exclusions=Exclusions({}), flag_resource_arn_statements=True)
    found = [
        (f"CLOUDSPLAINING_PRIVILEGE_ESCALATION:{m['type']}", ", ".join(m["actions"]))
        for m in doc.allows_privilege_escalation
    ]
    for kind, actions in (
        ("RESOURCE_EXPOSURE", doc.permissions_management_without_constraints),
        ("DATA_EXFILTRATION", doc.allows_data_exfiltration_actions),
        ("CREDENTIALS_EXPOSURE", doc.credentials_exposure),
    ):
        found += [(f"CLOUDSPLAINING_{kind}:{a.lower()}", a) for a in actions]
    return found


def main() -> int:
    results = []
    for item in json.load(sys.stdin):
        # `${aws_iam_role.x.arn}`: a reference to another resource, audited as a name
        text = REFERENCE.sub("referenced", json.dumps(item["policy"]))
        for check, detail in sorted(set(parliament(text) + cloudsplaining(json.loads(text)))):
            results.append({"id": item["id"], "check": check, "detail": detail})
    json.dump(results, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
