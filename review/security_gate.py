"""Security gate: checkov (offline) over every synthesized stack, against reviewed waivers.

    python -m review.security_gate [--out cdktf.out]

checkov cannot parse `import` blocks or `terraform.required_version` (it then reports a parse
error, runs no check and still exits 0), reads cdktf's `null`s in inline blocks as passing, and
does not look inside JSON-string IAM policies or container definitions. So it scans a
pre-processed copy: those blocks dropped (and `moved`/`ephemeral`, equally unknown to it),
nulls stripped, policies re-expressed as `aws_iam_policy_document`s and container definitions
decoded (`review/policy_lint.py`, which also adds the FLUXION_IAM_* escalation checks).
Every identity policy (role inline policies, managed policies and boundaries) is also read by
two well-kept IAM auditors, parliament and cloudsplaining, in their own environment
(`review/iam_auditors.py`): one finding per policy, kind and action, so an accepted power is a
reviewed waiver naming that action, and a new one fails the gate.
The gate fails when any stack had a parsing error, when no check ran, when a finding has no
active waiver, or when a waiver's review date has passed. A waiver is active when the output's
hardening switches (its `synth.json`) are as its `when` says; an active waiver naming a
synthesized resource that no longer has its finding is reported, to be removed.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from config import DEFAULT_ENVIRONMENT, ENVIRONMENTS, ConfigError, Hardening
from review import policy_lint
from runtime import cli
from runtime.synthesized import Synthesized

ROOT = Path(__file__).resolve().parents[1]
CHECKOV = ROOT / ".tools/checkov/bin/checkov"
AUDITORS = ROOT / ".tools/iam-auditors/bin/python"
WAIVERS = ROOT / "review/waivers.json"
UNPARSEABLE = ("import", "moved", "ephemeral")
OFFLINE_ENV = {
    **os.environ,
    "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true",  # no call to the package index on every run
}
"""checkov's environment: `--skip-download` skips the platform; this skips its update check."""
_WAIVER_KEYS = {"check", "resources", "reason", "owner", "review_by"}
_OPTIONAL_KEYS = {"when", "adopted_only"}


def preprocess(doc: dict[str, Any]) -> dict[str, Any]:
    """A copy checkov can read: no import/moved/ephemeral blocks, no required_version, no nulls,
    and the JSON-string policies and container definitions opened up (`policy_lint.expand`)."""
    out = {k: v for k, v in doc.items() if k not in UNPARSEABLE}
    if "terraform" in out:
        out["terraform"] = {k: v for k, v in out["terraform"].items() if k != "required_version"}
    return policy_lint.expand(_strip_nulls(out))


def _strip_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_strip_nulls(v) for v in value if v is not None]
    return value


@dataclass(frozen=True)
class Waiver:
    check: str
    resources: tuple[str, ...]
    reason: str
    owner: str
    review_by: datetime.date
    when: tuple[tuple[str, bool], ...] = ()
    """(switch, state) pairs under which the finding exists; empty: always."""
    adopted_only: bool = False
    """The finding exists only because the live estate is so (an adopted resource kept as it
    is): never active for an environment built fresh (`EnvironmentConfig.adopted` False),
    which must then not have the finding at all."""

    def active(self, switches: frozenset[str], adopted: bool = True) -> bool:
        """Whether this waiver applies to an output whose switches `switches` are on, of an
        adopted environment or (`adopted` False) of one built fresh."""
        if self.adopted_only and not adopted:
            return False
        return all((name in switches) == state for name, state in self.when)


@dataclass
class GateResult:
    checks_run: int = 0
    parsing_errors: list[str] = field(default_factory=list)
    findings: list[tuple[str, str]] = field(default_factory=list)
    unwaived: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.parsing_errors or self.checks_run == 0 or self.unwaived or self.expired)


def load_waivers(path: Path = WAIVERS) -> list[Waiver]:
    waivers = []
    for i, raw in enumerate(json.loads(path.read_text())["waivers"]):
        where = f"{path.name}: waivers[{i}]"
        missing = _WAIVER_KEYS - set(raw)
        if missing or set(raw) - _WAIVER_KEYS - _OPTIONAL_KEYS:
            raise ConfigError(
                f"{where}: fields must be {sorted(_WAIVER_KEYS)} and optionally "
                f"{sorted(_OPTIONAL_KEYS)}"
            )
        when = raw.get("when", {})
        unknown = sorted(set(when) - set(Hardening.switches()))
        if (
            not isinstance(when, dict)
            or unknown
            or not all(isinstance(v, bool) for v in when.values())
        ):
            raise ConfigError(
                f"{where}: when {when!r} must map hardening switches to true or false"
                + (f" ({unknown[0]!r} is not a switch)" if unknown else "")
            )
        if not isinstance(raw.get("adopted_only", False), bool):
            raise ConfigError(
                f"{where}: adopted_only {raw['adopted_only']!r} must be true or false"
            )
        for name in ("check", "reason", "owner"):
            if not isinstance(raw[name], str) or not raw[name].strip():
                raise ConfigError(f"{where}: {name} {raw[name]!r} must be a non-empty string")
        if not raw["resources"] or not all("/" in r for r in raw["resources"]):
            raise ConfigError(f"{where}: resources must be '<stack>/<address>' entries")
        try:
            review_by = datetime.date.fromisoformat(raw["review_by"])
        except (TypeError, ValueError):
            raise ConfigError(f"{where}: review_by {raw['review_by']!r} is not a date") from None
        waivers.append(
            Waiver(
                raw["check"],
                tuple(raw["resources"]),
                raw["reason"],
                raw["owner"],
                review_by,
                tuple(sorted(when.items())),
                raw.get("adopted_only", False),
            )
        )
    return waivers


def scan(
    outdir: Path, checkov: Path = CHECKOV, *, raw: bool = False
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Run checkov on pre-processed copies of every stack; return its reports and the stacks.

    `raw=True` scans the cdktf output as it is (tests show why that is not enough).
    """
    if not checkov.exists():
        raise ConfigError(f"checkov is not installed at {checkov} (run `make test` to build it)")
    stacks = Synthesized(outdir).stacks()
    with tempfile.TemporaryDirectory(prefix="checkov-") as tmp:
        for name, doc in stacks.items():
            (Path(tmp) / name).mkdir()
            scanned = doc if raw else preprocess(doc)
            (Path(tmp) / name / "cdk.tf.json").write_text(json.dumps(scanned))
        proc = subprocess.run(
            [
                str(checkov),
                "-d",
                tmp,
                "--framework",
                "terraform_json",
                "--skip-download",
                "--output",
                "json",
                "--compact",
            ],
            capture_output=True,
            text=True,
            env=OFFLINE_ENV,
        )
    if proc.returncode not in (0, 1) or not proc.stdout.strip():
        raise ConfigError(f"checkov did not run (exit {proc.returncode}): {proc.stderr[-2000:]}")
    reports = json.loads(proc.stdout)
    return (reports if isinstance(reports, list) else [reports]), stacks


def audit(stacks: dict[str, Any], auditors: Path = AUDITORS) -> list[tuple[str, str]]:
    """(check, `<stack>/<address>`) of parliament's and cloudsplaining's findings on every
    identity policy of the stacks (`review/iam_auditors.py`)."""
    if not auditors.exists():
        raise ConfigError(f"the IAM auditors are not installed at {auditors} (run `make test`)")
    documents = [
        {"id": f"{stack}/{address}", "policy": policy}
        for stack, doc in stacks.items()
        for address, policy in policy_lint.identity_policies(doc).items()
    ]
    proc = subprocess.run(
        [str(auditors), str(ROOT / "review/iam_auditors.py")],
        input=json.dumps(documents),
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0 or not proc.stdout.startswith("["):
        raise ConfigError(f"the IAM auditors did not run (exit {proc.returncode}): "
                          f"{proc.stderr[-2000:]}")  # fmt: skip
    return [(f["check"], f["id"]) for f in json.loads(proc.stdout)]


def evaluate(
    reports: list[dict[str, Any]],
    stacks: dict[str, Any],
    waivers: list[Waiver],
    switches: frozenset[str],
    today: datetime.date,
    audited: list[tuple[str, str]] | None = None,
    adopted: bool = True,
) -> GateResult:
    """The gate's verdict on checkov's reports, the policy lint and the IAM auditors'
    findings (`audited`, from `audit`), for an output whose hardening `switches` are on, of an
    adopted environment or (`adopted` False) of one built fresh."""
    result = GateResult()
    result.findings += audited or []
    for report in reports:
        summary = report.get("summary", {})
        result.checks_run += summary.get("passed", 0) + summary.get("failed", 0)
        result.parsing_errors += report.get("results", {}).get("parsing_errors", [])
        for failed in report.get("results", {}).get("failed_checks", []):
            stack = failed["file_path"].strip("/").split("/")[0]
            result.findings.append(
                (failed["check_id"], f"{stack}/{_address(failed, stacks[stack])}")
            )
    for stack, doc in stacks.items():
        linted = len(policy_lint.identity_policies(doc)) + len(
            doc.get("resource", {}).get("aws_iam_role_policy_attachment", {})
        )
        result.checks_run += linted * len(policy_lint.CHECKS)
        for check, address, _detail in policy_lint.lint(doc):
            result.findings.append((check, f"{stack}/{address}"))
    active = [w for w in waivers if w.active(switches, adopted)]
    covered = {(w.check, r) for w in active for r in w.resources}
    for check, resource in sorted(set(result.findings)):
        if (check, resource) not in covered:
            result.unwaived.append(f"{check} {resource}")
    found, present = set(result.findings), addresses(stacks)
    for w in active:
        for resource in w.resources:
            if resource in present and (w.check, resource) not in found:
                result.stale.append(f"{w.check} {resource}")
        if w.review_by < today:
            result.expired.append(f"{w.check} ({w.owner}, review by {w.review_by})")
    return result


def addresses(stacks: dict[str, Any]) -> set[str]:
    """Every `<stack>/<type>.<name>` the output declares."""
    return {
        f"{stack}/{kind}.{name}"
        for stack, doc in stacks.items()
        for kind, items in doc.get("resource", {}).items()
        for name in items
    }


def _address(failed: dict[str, Any], stack: dict[str, Any]) -> str:
    """checkov names some resources `resource.<name>`: give the full `<type>.<name>`."""
    resource = policy_lint.resource_of(str(failed["resource"]))
    if not resource.startswith("resource."):
        return resource
    name = resource.removeprefix("resource.")
    kinds = [k for k, items in stack.get("resource", {}).items() if name in items]
    return f"{kinds[0]}.{name}" if len(kinds) == 1 else resource


def render(result: GateResult, switches: frozenset[str]) -> str:
    on = f"{len(switches)} hardening switches on" if switches else "no hardening switch on"
    lines = [
        f"security gate ({on}): {result.checks_run} checks ran, "
        f"{len(result.findings)} findings, {len(result.unwaived)} unwaived"
    ]
    lines += [f"  PARSE ERROR {e}" for e in result.parsing_errors]
    if result.checks_run == 0:
        lines.append("  NO CHECK RAN: the gate cannot pass on an empty scan")
    lines += [f"  UNWAIVED {u}" for u in result.unwaived]
    lines += [f"  EXPIRED waiver {e}" for e in result.expired]
    lines += [f"  stale waiver (no such finding any more; remove it): {s}" for s in result.stale]
    lines.append("FAILED" if result.failed else "passed")
    return "\n".join(lines)


def _adopted(environment: str) -> bool:
    """Whether the output's environment is adopted (its `adopted_only` waivers apply)."""
    if environment not in ENVIRONMENTS:
        raise ConfigError.invalid("environment", environment, "(synth.json) is unknown")
    return ENVIRONMENTS[environment].adopted


def main(argv: list[str] | None = None) -> int:
    parser = cli.command("python -m review.security_gate", __doc__)
    cli.out(parser)
    parser.add_argument("--waivers", type=Path, default=WAIVERS)
    args = cli.parse(parser, argv)
    try:
        reports, stacks = scan(args.out)
        synthesized = Synthesized(args.out)
        switches = synthesized.switches
        adopted = _adopted(synthesized.stamp.get("environment", DEFAULT_ENVIRONMENT))
        audited = audit(stacks)
        waivers = load_waivers(args.waivers)
    except ConfigError as err:
        return cli.one_line_error(err)
    result = evaluate(reports, stacks, waivers, switches, datetime.date.today(), audited, adopted)
    print(render(result, switches))
    return 1 if result.failed else 0


if __name__ == "__main__":
    sys.exit(main())
