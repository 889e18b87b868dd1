"""The plan gate: does a real `terraform show -json` plan call AWS beyond what was reviewed?

Every resource change of a plan gets a verdict:

- an import with no other action, a no-op, a read: fine;
- an in-place update whose every changed attribute is **state-only** (`STATE_ONLY`: an
  argument Terraform keeps in its state and never sends to AWS, which import cannot read, so
  the first plan after an import always shows it) or, in the emulated run only, an **emulator
  read-back gap** (a reviewed list passed in by the test harness, naming the moto gap): fine;
- an update of any other attribute (a **real change**), a create that is not listed as new by
  design, a delete or a replace: the gate fails, naming the address and the attribute.

`python -m review.plan_summary --adoption` and the emulated deployment (`make e2e`) use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

STATE_ONLY: dict[str, dict[str, str]] = {
    "aws_db_instance": {
        "apply_immediately": "when to apply a modification; not an attribute of the instance",
        "final_snapshot_identifier": "used by Terraform on destroy only",
        "skip_final_snapshot": "used by Terraform on destroy only",
        "delete_automated_backups": "used by Terraform on destroy only",
    },
    "aws_ecs_task_definition": {
        "skip_destroy": "Terraform keeps old revisions instead of deregistering them",
        "track_latest": "how Terraform reads the family; not sent to AWS",
    },
    "aws_ecs_service": {
        "wait_for_steady_state": "Terraform waits after apply; not sent to AWS",
        "force_new_deployment": "a one-off apply action; not an attribute of the service",
    },
    "aws_secretsmanager_secret": {
        "recovery_window_in_days": "used by Terraform on destroy only",
        "force_overwrite_replica_secret": "used when replicating; no replica here",
    },
    "aws_instance": {
        "user_data_replace_on_change": "how Terraform plans a user-data change",
    },
    "aws_s3_bucket": {"force_destroy": "used by Terraform on destroy only"},
    "aws_ecr_repository": {"force_delete": "used by Terraform on destroy only"},
    "aws_cloudwatch_log_group": {"skip_destroy": "used by Terraform on destroy only"},
    "aws_iam_role": {"force_detach_policies": "used by Terraform on destroy only"},
    "aws_cloudfront_distribution": {
        "retain_on_delete": "used by Terraform on destroy only",
        "wait_for_deployment": "Terraform waits after apply; not sent to AWS",
    },
    "aws_lb": {"enable_tls_version_and_cipher_suite_headers": "read back as set"},
}
"""Type -> Terraform-only argument -> why it never reaches AWS. Reviewed like code."""

NEW_BY_DESIGN_STACKS = {
    "state": "the bootstrap (state bucket, CI identity): created by this project, never adopted",
    "monitoring": "the alarms, dashboard and topic: the live estate has none",
}
"""Stacks whose every resource is new by design (`config.estate.NEW_STACKS`, a test compares)."""

NEW_BY_DESIGN: dict[str, dict[str, str]] = {
    "network": {},
    "data": {},
    "compute": {},
    "edge": {},
}
"""Adopted stack -> address -> why the adoption creates it rather than importing it. Empty: every
resource of the adopted stacks exists live (the emulated run proves they all import)."""


def new_by_design(stack: str, addresses: frozenset[str] = frozenset()) -> frozenset[str]:
    """The addresses of `stack` (among `addresses`, for a whole new stack) that may be created."""
    if stack in NEW_BY_DESIGN_STACKS:
        return addresses
    return frozenset(NEW_BY_DESIGN.get(stack, {}))


Gaps = Mapping[tuple[str, str], str]
"""(resource type, attribute) -> the emulator gap that explains a read-back difference."""


@dataclass(frozen=True)
class Finding:
    address: str
    attribute: str
    verdict: str
    """`state-only`, `emulator gap: <gap>` or `REAL`."""


@dataclass
class Verdict:
    stack: str
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(("import", "add", "change", "destroy"), 0)
    )
    findings: list[Finding] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        c = self.counts
        return (
            f"{c['import']} to import, {c['add']} to add, {c['change']} to change, "
            f"{c['destroy']} to destroy"
        )

    def lines(self) -> list[str]:
        head = f"{self.stack}: {self.summary()}: {'PASS' if self.passed else 'FAIL'}"
        body = [f"  ~ {f.address}.{f.attribute}: {f.verdict}" for f in self.findings]
        return [head, *body, *(f"  ! {failure}" for failure in self.failures)]


def changed_attributes(change: dict[str, Any]) -> list[str]:
    """Top-level attributes whose planned value differs from the prior state."""
    before = change.get("before") or {}
    after = change.get("after") or {}
    unknown = change.get("after_unknown") or {}
    changed = []
    for key in sorted(set(before) | set(after)):
        if unknown.get(key) is True:  # known only after apply: a change if it had a value
            if before.get(key) is not None:
                changed.append(key)
        elif before.get(key) != after.get(key):
            changed.append(key)
    return changed


def created(plan: dict[str, Any]) -> frozenset[str]:
    """Addresses of the managed resources a plan would create (replacements excluded)."""
    return frozenset(
        rc["address"]
        for rc in plan.get("resource_changes", [])
        if rc.get("mode") != "data" and rc["change"]["actions"] == ["create"]
    )


def judge(rtype: str, attribute: str, gaps: Gaps) -> str:
    if attribute in STATE_ONLY.get(rtype, {}):
        return "state-only"
    if (rtype, attribute) in gaps:
        return f"emulator gap: {gaps[(rtype, attribute)]}"
    return "REAL"


def gate(
    stack: str,
    plan: dict[str, Any],
    *,
    new_by_design: frozenset[str] = frozenset(),
    existing: frozenset[str] = frozenset(),
    gaps: Gaps | None = None,
    updates_reviewed: bool = False,
    replacing: frozenset[str] = frozenset(),
) -> Verdict:
    """The verdict on one stack's plan.

    `new_by_design`: addresses that may be created; `existing`: addresses the inventory says
    exist live (a create of one fails as such); `updates_reviewed`: a deploy of reviewed code,
    whose real updates are findings but not failures (an adoption's are failures);
    `replacing`: addresses a person asked to replace (`terraform plan -replace`): their
    replacement is counted, not a failure; any other delete or replace still fails.
    """
    if "resource_changes" not in plan and "format_version" not in plan:
        raise ValueError(f"{stack}: not a `terraform show -json` plan")
    verdict = Verdict(stack)
    for rc in plan.get("resource_changes", []):
        if rc.get("mode") == "data":
            continue
        change, address, rtype = rc["change"], rc["address"], rc["type"]
        actions = change["actions"]
        if change.get("importing") is not None:
            verdict.counts["import"] += 1
        if actions in (["no-op"], ["read"]):
            continue
        if actions == ["create"]:
            verdict.counts["add"] += 1
            if address in existing:
                verdict.failures.append(
                    f"{address} would be created, but the inventory says it exists"
                )
            elif address not in new_by_design:
                verdict.failures.append(f"{address} would be created (not new by design)")
            continue
        if actions == ["update"]:
            verdict.counts["change"] += 1
            attributes = changed_attributes(change) or ["(no attribute named by the plan)"]
            for attribute in attributes:
                finding = Finding(address, attribute, judge(rtype, attribute, gaps or {}))
                verdict.findings.append(finding)
                if finding.verdict == "REAL" and not updates_reviewed:
                    verdict.failures.append(f"{address}: {attribute} would change in AWS")
            continue
        verdict.counts["destroy"] += "delete" in actions
        verdict.counts["add"] += "create" in actions
        if address in replacing and set(actions) == {"delete", "create"}:
            verdict.findings.append(Finding(address, "(all)", "replaced as asked"))
            continue
        verdict.failures.append(f"{address} would be {'/'.join(actions)}d")
    return verdict
