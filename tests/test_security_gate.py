"""The security gate runs checkov for real and can fail (parse errors, empty scans, findings)."""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import subprocess
import types
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import config
from config import ConfigError
from config.estate import STACKS
from review import security_gate as gate

TODAY = datetime.date(2026, 11, 28)
ADOPT: frozenset[str] = frozenset()  # every hardening switch off
OPEN_SSH = {
    "provider": {"aws": [{"region": "us-east-1"}]},
    "resource": {
        "aws_security_group": {
            "ssh": {
                "name": "ssh",
                "description": "ssh",
                # cdktf writes unset inline-block fields as null: checkov then passes the check
                "ingress": [
                    {
                        "from_port": 22,
                        "to_port": 22,
                        "protocol": "tcp",
                        "cidr_blocks": ["0.0.0.0/0"],
                        "description": "ssh",
                        "ipv6_cidr_blocks": None,
                        "prefix_list_ids": None,
                        "security_groups": None,
                        "self": None,
                    }
                ],
            }
        }
    },
}


_RAN: dict[str, tuple[str, subprocess.CompletedProcess[str]]] = {}


def _tool_input(command: list[str], kwargs: dict[str, Any]) -> tuple[str, str | None]:
    """Everything checkov or the auditors read: the program itself (a test's stand-in checkov
    is rewritten at the same path), the command (its scanned folder named as <dir>), every file
    in that folder and stdin; and the folder."""
    folder = command[command.index("-d") + 1] if "-d" in command else None
    seen = [a.replace(folder, "<dir>") if folder else a for a in command]
    program = Path(command[0])
    seen.append(hashlib.sha256(program.read_bytes()).hexdigest() if program.is_file() else "")
    if folder:
        for file in sorted(Path(folder).rglob("*")):
            if file.is_file():
                seen.append(
                    f"{file.relative_to(folder)}:{hashlib.sha256(file.read_bytes()).hexdigest()}"
                )
    seen.append(kwargs.get("input") or "")
    return hashlib.sha256("\0".join(seen).encode()).hexdigest(), folder


@pytest.fixture(scope="module", autouse=True)
def _each_tool_run_once_per_input_under_mutmut() -> Iterator[None]:
    """Under mutation testing only (mutmut sets MUTANT_UNDER_TEST; `make mutants`): checkov
    and the auditors run for real once per exact input in mutmut's process tree (its clean
    run fills the cache before it forks a process per mutant), and a mutant
    that changes nothing they see gets the same answer without a 5 s run. A mutant that changes
    what they read (the pre-processing, the command) is a new input: a real run."""
    if "MUTANT_UNDER_TEST" not in os.environ:  # set by mutmut in every phase
        yield
        return

    def run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        key, folder = _tool_input(command, kwargs)
        if key not in _RAN:
            _RAN[key] = (folder or "", subprocess.run(command, **kwargs))
        old, proc = _RAN[key]
        out = proc.stdout.replace(old, folder) if folder and old else proc.stdout
        return subprocess.CompletedProcess(command, proc.returncode, out, proc.stderr)

    with pytest.MonkeyPatch.context() as patch:  # module scope: before the module's fixtures
        patch.setattr(gate, "subprocess", types.SimpleNamespace(run=run))
        yield


@pytest.fixture(scope="module")
def scanned(synth_dir: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    return gate.scan(synth_dir)


def _outdir(tmp_path: Path, stacks: dict[str, dict[str, Any]]) -> Path:
    out = tmp_path / "out"
    manifest: dict[str, dict[str, Any]] = {"stacks": {}}
    for name, doc in stacks.items():
        (out / "stacks" / name).mkdir(parents=True)
        (out / "stacks" / name / "cdk.tf.json").write_text(json.dumps(doc))
        manifest["stacks"][name] = {"synthesizedStackPath": f"stacks/{name}/cdk.tf.json"}
    (out / "manifest.json").write_text(json.dumps(manifest))
    return out


def test_the_gate_passes_on_every_synthesized_stack(scanned: Any) -> None:
    reports, stacks = scanned
    result = gate.evaluate(reports, stacks, gate.load_waivers(), ADOPT, TODAY, gate.audit(stacks))
    assert result.parsing_errors == []
    assert result.checks_run > 300, "checkov really ran over every stack"
    scanned_stacks = {resource.split("/")[0] for _, resource in result.findings}
    assert scanned_stacks == {"state", "identity", "network", "data", "compute", "edge"}
    checked = {  # monitoring has no finding: its passed checks show checkov read it
        c["file_path"].strip("/").split("/")[0]
        for report in reports
        for c in report.get("results", {}).get("passed_checks", [])
    }
    assert checked == set(STACKS)
    assert result.unwaived == [] and result.expired == [] and result.stale == []
    assert not result.failed


def test_a_finding_without_a_waiver_fails(scanned: Any) -> None:
    reports, stacks = scanned
    waivers = [w for w in gate.load_waivers() if w.check != "CKV2_AWS_11"]
    result = gate.evaluate(reports, stacks, waivers, ADOPT, TODAY)
    assert result.unwaived == ["CKV2_AWS_11 network/aws_vpc.vpc_6776A399"]
    assert result.failed
    assert "UNWAIVED CKV2_AWS_11 network/aws_vpc.vpc_6776A399" in gate.render(result, ADOPT)


def test_a_stale_waiver_is_reported_and_an_expired_one_fails(scanned: Any) -> None:
    reports, stacks = scanned
    extra = gate.Waiver(
        "CKV_AWS_19",
        ("data/aws_s3_bucket.backups_bucket_5DB31D01",),
        "r",
        "o",
        datetime.date(2027, 1, 1),
    )
    audited = gate.audit(stacks)
    result = gate.evaluate(reports, stacks, [*gate.load_waivers(), extra], ADOPT, TODAY, audited)
    assert result.stale == ["CKV_AWS_19 data/aws_s3_bucket.backups_bucket_5DB31D01"]
    assert not result.failed, "stale waivers are reported, not fatal"
    later = gate.evaluate(
        reports, stacks, gate.load_waivers(), ADOPT, datetime.date(2027, 6, 1), audited
    )
    assert later.failed and later.expired


def test_import_blocks_make_checkov_fail_to_parse_and_the_gate_fails(tmp_path: Path) -> None:
    raw = dict(OPEN_SSH, **{"import": [{"to": "aws_security_group.ssh", "id": "sg-12345678"}]})
    out = _outdir(tmp_path, {"raw": raw})
    # bypass preprocessing to show what checkov does with the raw cdktf output
    reports, stacks = gate.scan(out, raw=True)
    result = gate.evaluate(reports, stacks, [], ADOPT, TODAY)
    assert result.failed
    assert result.parsing_errors or result.checks_run == 0


def test_preprocessing_strips_nulls_so_an_open_port_is_found(tmp_path: Path) -> None:
    out = _outdir(tmp_path, {"ssh": OPEN_SSH})
    finding = ("CKV_AWS_24", "ssh/aws_security_group.ssh")  # SSH open to the internet
    raw = gate.evaluate(*gate.scan(out, raw=True), [], ADOPT, TODAY)
    assert finding not in raw.findings, "with the nulls, checkov misses it (why we strip)"
    result = gate.evaluate(*gate.scan(out), [], ADOPT, TODAY)
    assert finding in result.findings
    assert result.failed


def test_an_empty_scan_fails(tmp_path: Path) -> None:
    out = _outdir(tmp_path, {"empty": {"terraform": {"required_version": ">= 1.11"}}})
    reports, stacks = gate.scan(out)
    result = gate.evaluate(reports, stacks, [], ADOPT, TODAY)
    assert result.checks_run == 0
    assert result.failed
    assert "NO CHECK RAN" in gate.render(result, ADOPT)


def test_preprocess() -> None:
    doc = {
        "import": [1],
        "moved": [2],
        "ephemeral": {"x": {}},
        "terraform": {"required_version": ">= 1.11", "backend": {"s3": {"key": "k"}}},
        "resource": {"t": {"n": {"a": None, "b": [None, {"c": None, "d": 1}]}}},
    }
    assert gate.preprocess(doc) == {
        "terraform": {"backend": {"s3": {"key": "k"}}},
        "resource": {"t": {"n": {"b": [{"d": 1}]}}},
    }


GOOD_WAIVER = {
    "check": "X",
    "resources": ["s/a"],
    "reason": "r",
    "owner": "o",
    "review_by": "2027-01-01",
}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"resources": None},
            r"fields must be \['check', 'owner', 'reason', 'resources', 'review_by'\]",
        ),
        ({"profiles": ["adopt"]}, r"fields must be .* and optionally \['adopted_only', 'when'\]"),
        ({"adopted_only": "yes"}, r"adopted_only 'yes' must be true or false"),
        ({"resources": ["a"]}, r"resources must be '<stack>/<address>'"),
        ({"reason": " "}, r"reason ' ' must be a non-empty string"),
        ({"review_by": "soon"}, r"review_by 'soon' is not a date"),
        (
            {"when": {"flow_logs": "off"}},
            r"when \{'flow_logs': 'off'\} must map hardening switches",
        ),
        ({"when": {"flowlogs": False}}, r"\('flowlogs' is not a switch\)"),
    ],
)
def test_bad_waivers(tmp_path: Path, changes: dict[str, Any], message: str) -> None:
    waiver = {k: v for k, v in {**GOOD_WAIVER, **changes}.items() if v is not None}
    path = tmp_path / "waivers.json"
    path.write_text(json.dumps({"waivers": [waiver]}))
    with pytest.raises(ConfigError, match=message):
        gate.load_waivers(path)
    path.write_text(json.dumps({"waivers": [GOOD_WAIVER]}))
    assert gate.load_waivers(path)[0].check == "X"


def test_a_waiver_is_read_field_by_field_and_a_bad_one_is_named_by_file_and_place(
    tmp_path: Path,
) -> None:
    path = tmp_path / "waivers.json"
    path.write_text(
        json.dumps({"waivers": [GOOD_WAIVER, {**GOOD_WAIVER, "when": {"flow_logs": "off"}}]})
    )
    with pytest.raises(ConfigError) as raised:
        gate.load_waivers(path)
    assert str(raised.value) == (
        "waivers.json: waivers[1]: when {'flow_logs': 'off'} must map hardening switches to true"
        " or false"
    )
    path.write_text(
        json.dumps({"waivers": [GOOD_WAIVER, {**GOOD_WAIVER, "when": {"flow_logs": True}}]})
    )
    assert gate.load_waivers(path) == [
        gate.Waiver("X", ("s/a",), "r", "o", datetime.date(2027, 1, 1), (), False),
        gate.Waiver("X", ("s/a",), "r", "o", datetime.date(2027, 1, 1), (("flow_logs", True),)),
    ]
    assert gate.load_waivers(path)[0].adopted_only is False


def test_a_waiver_applies_under_its_switches_only() -> None:
    until = gate.Waiver("C", ("s/a",), "r", "o", datetime.date(2027, 1, 1), (("flow_logs", False),))
    assert until.active(frozenset()) and not until.active(frozenset({"flow_logs"}))
    both = replace(until, when=(("waf_enforce", False), ("web_acl", True)))
    assert both.active(frozenset({"web_acl"}))
    assert not both.active(frozenset()) and not both.active(frozenset({"web_acl", "waf_enforce"}))


def test_a_missing_checkov_is_an_error_not_a_pass(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"checkov is not installed"):
        gate.scan(tmp_path, checkov=tmp_path / "no-checkov")


def test_checkov_runs_offline_without_its_update_check(tmp_path: Path) -> None:
    """A stand-in checkov records the environment and arguments it was given."""
    seen = tmp_path / "seen.json"
    fake = tmp_path / "checkov"
    fake.write_text(
        "#!/usr/bin/env python3\n"
        "import json, os, sys\n"
        f"json.dump({{'env': dict(os.environ), 'argv': sys.argv}}, open({str(seen)!r}, 'w'))\n"
        "print(json.dumps({'summary': {'passed': 1, 'failed': 0}, 'results': {}}))\n"
    )
    fake.chmod(0o755)
    gate.scan(_outdir(tmp_path, {"network": OPEN_SSH}), checkov=fake)
    recorded = json.loads(seen.read_text())
    assert recorded["env"]["CKV_SKIP_PACKAGE_UPDATE_CHECK"] == "true"
    assert "--skip-download" in recorded["argv"]


def _fake_checkov(tmp_path: Path, code: int, stdout: str) -> Path:
    fake = tmp_path / "checkov"
    fake.write_text(
        "#!/usr/bin/env python3\nimport sys\n"
        f"sys.stdout.write({stdout!r}); sys.stderr.write('x' * 3000 + 'the end')\n"
        f"sys.exit({code})\n"
    )
    fake.chmod(0o755)
    return fake


def test_checkov_s_one_report_or_its_list_of_reports_is_read(tmp_path: Path) -> None:
    one = {"summary": {"passed": 1, "failed": 0}, "results": {}}
    out = _outdir(tmp_path, {"network": OPEN_SSH})
    for printed, reports in ((one, [one]), ([one, one], [one, one])):
        fake = _fake_checkov(tmp_path, 0, json.dumps(printed))
        assert gate.scan(out, checkov=fake)[0] == reports


@pytest.mark.parametrize(("code", "stdout"), [(2, ""), (2, "[]"), (0, ""), (1, " \n")])
def test_checkov_that_crashed_or_said_nothing_is_an_error(
    tmp_path: Path, code: int, stdout: str
) -> None:
    """Exit 0 (nothing failed) and 1 (findings) are checkov's answers, with a report; any other
    exit, or no report, is one line with the exit code and the end of what it printed."""
    fake = _fake_checkov(tmp_path, code, stdout)
    with pytest.raises(ConfigError) as raised:
        gate.scan(_outdir(tmp_path, {"network": OPEN_SSH}), checkov=fake)
    assert str(raised.value) == f"checkov did not run (exit {code}): {('x' * 3000)[-1993:]}the end"


def test_the_verdict_on_reports_written_by_hand() -> None:
    """Every report's checks are counted, each finding gets its full address, and waivers
    apply, go stale or expire (a waiver due today still holds)."""
    stacks: dict[str, Any] = {
        "net": {"resource": {"aws_vpc": {"v": {}}, "aws_subnet": {"s": {}}}},
        "data": {"resource": {"aws_s3_bucket": {"b": {}}}},
    }
    failed = [
        {"check_id": "CKV_A", "file_path": "/net/cdk.tf.json", "resource": "resource.v"},
        {"check_id": "CKV_B", "file_path": "net/cdk.tf.json", "resource": "aws_subnet.s"},
    ]
    reports: list[dict[str, Any]] = [
        {"summary": {"passed": 4, "failed": 2}, "results": {"failed_checks": failed}},
        {"summary": {"passed": 3, "failed": 1}, "results": {"failed_checks": [
            {"check_id": "CKV_C", "file_path": "/data/cdk.tf.json", "resource": "aws_s3_bucket.b"},
        ]}},
    ]  # fmt: skip
    today = datetime.date(2026, 12, 6)
    waivers = [
        gate.Waiver("CKV_A", ("net/aws_vpc.v",), "r", "o", today),
        gate.Waiver("CKV_C", ("data/aws_s3_bucket.b",), "r", "al", datetime.date(2026, 12, 5)),
        gate.Waiver("CKV_D", ("net/aws_subnet.s",), "r", "o", today),  # no such finding
        gate.Waiver("CKV_B", ("net/aws_subnet.s",), "r", "o", today, (("flow_logs", True),)),
    ]
    result = gate.evaluate(reports, stacks, waivers, frozenset(), today)
    assert result.checks_run == 10 and result.parsing_errors == []
    assert sorted(result.findings) == [
        ("CKV_A", "net/aws_vpc.v"),
        ("CKV_B", "net/aws_subnet.s"),
        ("CKV_C", "data/aws_s3_bucket.b"),
    ]
    assert result.unwaived == ["CKV_B net/aws_subnet.s"]  # its waiver needs flow_logs on
    assert result.stale == ["CKV_D net/aws_subnet.s"]
    assert result.expired == ["CKV_C (al, review by 2026-12-05)"]
    on = gate.evaluate(reports, stacks, waivers, frozenset({"flow_logs"}), today)
    assert on.unwaived == [] and on.failed, "the expired waiver still fails it"
    reports[0]["results"]["parsing_errors"] = ["net/cdk.tf.json"]
    reports[1]["results"]["parsing_errors"] = ["data/cdk.tf.json"]
    audited = [("IAM_X", "data/aws_s3_bucket.b")]
    parsed = gate.evaluate(reports, stacks, waivers, frozenset(), today, audited)
    assert parsed.parsing_errors == ["net/cdk.tf.json", "data/cdk.tf.json"]
    assert ("IAM_X", "data/aws_s3_bucket.b") in parsed.findings
    assert audited == [("IAM_X", "data/aws_s3_bucket.b")], "the caller's list is not changed"


def test_a_finding_named_resource_dot_name_keeps_that_name_unless_one_type_has_it() -> None:
    stack: dict[str, Any] = {
        "resource": {"aws_iam_role": {"dup": {}, "r": {}}, "aws_iam_policy": {"dup": {}}}
    }
    assert gate._address({"resource": "resource.r"}, stack) == "aws_iam_role.r"
    assert gate._address({"resource": "resource.dup"}, stack) == "resource.dup"
    assert gate._address({"resource": "resource.none"}, stack) == "resource.none"
    assert gate._address({"resource": "aws_iam_role.r"}, stack) == "aws_iam_role.r"


ACCOUNT = "611395766952"
COMPUTE_POLICY = "state/aws_iam_role_policy.ci_apply_compute_policy_4379CF84"
DATA_POLICY = "state/aws_iam_role_policy.ci_apply_data_policy_206B881A"
NETWORK_POLICY = "state/aws_iam_role_policy.ci_apply_network_policy_82F7AAAB"
PLANTED = [
    # (finding, the apply policy it returns to, the statement, what the auditors must report)
    ("2: network mints a role", NETWORK_POLICY,
     {"Effect": "Allow", "Action": ["iam:CreateRole", "iam:PutRolePolicy"],
      "Resource": f"arn:aws:iam::{ACCOUNT}:role/fluxion-network-*"},
     "CLOUDSPLAINING_PRIVILEGE_ESCALATION:PutRolePolicy"),
    ("2: compute attaches a policy", COMPUTE_POLICY,
     {"Effect": "Allow", "Action": ["iam:AttachRolePolicy"],
      "Resource": f"arn:aws:iam::{ACCOUNT}:role/FluxionStackV2-*"},
     "CLOUDSPLAINING_PRIVILEGE_ESCALATION:AttachRolePolicy"),
    ("3: data opens a backup bucket", DATA_POLICY,
     {"Effect": "Allow", "Action": ["s3:PutBucketPolicy"],
      "Resource": f"arn:aws:s3:::fluxion-backups-v4-{ACCOUNT}"},
     "CLOUDSPLAINING_RESOURCE_EXPOSURE:s3:putbucketpolicy"),
    ("4/5: data passes a pattern of roles", DATA_POLICY,
     {"Effect": "Allow", "Action": ["iam:PassRole"],
      "Resource": f"arn:aws:iam::{ACCOUNT}:role/FluxionStackV2-*"},
     "PARLIAMENT_PERMISSIONS_MANAGEMENT_ACTIONS:iam:passrole"),
    ("6: data writes a secret's value", DATA_POLICY,
     {"Effect": "Allow", "Action": ["secretsmanager:PutSecretValue"],
      "Resource": f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:fluxion/*"},
     "FLUXION_IAM_8"),  # neither auditor flags a secret value write: the lint does
]  # fmt: skip


@pytest.mark.parametrize(("case", "address", "statement", "check"), PLANTED,
                         ids=[p[0] for p in PLANTED])  # fmt: skip
def test_the_iam_auditors_fail_the_gate_when_a_finding_comes_back(
    scanned: Any, case: str, address: str, statement: dict[str, Any], check: str
) -> None:
    """The patterns of the attacker's second look, planted back one at a time into today's
    synthesized CI documents: parliament and cloudsplaining report each, and no waiver
    covers it."""
    reports, stacks = scanned
    planted = json.loads(json.dumps(stacks))
    kind, name = address.split("/", 1)[1].split(".")
    body = planted["state"]["resource"][kind][name]
    policy = json.loads(body["policy"])
    policy["Statement"].append(statement)
    body["policy"] = json.dumps(policy)
    audited = gate.audit(planted)
    result = gate.evaluate(reports, planted, gate.load_waivers(), ADOPT, TODAY, audited)
    assert (check, address) in result.findings, sorted({c for c, a in audited if a == address})
    assert f"{check} {address}" in result.unwaived and result.failed


def test_the_gate_cannot_pass_without_the_auditors(scanned: Any, tmp_path: Path) -> None:
    _, stacks = scanned
    with pytest.raises(ConfigError, match="the IAM auditors are not installed"):
        gate.audit(stacks, tmp_path / "missing-python")
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    with pytest.raises(ConfigError, match="the IAM auditors did not run"):
        gate.audit(stacks, fake)


# --- through the front door: the command CI runs (`make security`) -------------------------


def test_the_command_fails_on_an_unwaived_finding_in_one_line(tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.conftest import ROOT

    out = _outdir(tmp_path, {"network": OPEN_SSH})
    (out / "synth.json").write_text(json.dumps({"profile": "adopt", "hardening": []}))
    waivers = tmp_path / "waivers.json"
    waivers.write_text(json.dumps({"waivers": []}))
    command = [sys.executable, "-m", "review.security_gate", "--out", str(out)]
    proc = subprocess.run(
        [*command, "--waivers", str(waivers)], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = [line.strip() for line in proc.stdout.splitlines()]
    assert "UNWAIVED CKV_AWS_24 network/aws_security_group.ssh" in lines, proc.stdout
    assert lines[-1] == "FAILED"


def test_the_command_passes_the_synthesized_estate(
    scanned: Any, synth_dir: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setattr(gate, "scan", lambda _out: scanned)  # the module's one checkov run
    assert gate.main(["--out", str(synth_dir)]) == 0
    out = capsys.readouterr().out
    assert "UNWAIVED" not in out and "EXPIRED" not in out
    # and the same command refuses the same estate when one reviewed waiver is gone
    kept = [
        w for w in json.loads(gate.WAIVERS.read_text())["waivers"] if w["check"] != "CKV2_AWS_11"
    ]
    less = synth_dir.parent / "fewer-waivers.json"
    less.write_text(json.dumps({"waivers": kept}))
    assert gate.main(["--out", str(synth_dir), "--waivers", str(less)]) == 1
    assert "UNWAIVED CKV2_AWS_11 network/aws_vpc.vpc_6776A399" in capsys.readouterr().out


# --- waivers that exist only because of the live estate (`adopted_only`) ----------------------


def test_an_adopted_only_waiver_never_applies_to_an_environment_built_fresh() -> None:
    live = gate.Waiver("C", ("s/a",), "r", "o", datetime.date(2027, 1, 1), (), adopted_only=True)
    assert live.active(frozenset()) and live.active(frozenset(), adopted=True)
    assert not live.active(frozenset(), adopted=False)
    design = replace(live, adopted_only=False)  # a design decision: both kinds of environment
    assert design.active(frozenset(), adopted=False)
    switched = replace(live, when=(("flow_logs", False),))
    assert not switched.active(frozenset({"flow_logs"}), adopted=True)
    result = gate.evaluate([], {}, [live], frozenset(), datetime.date(2026, 12, 6),
                           [("C", "s/a")], adopted=False)  # fmt: skip
    assert result.unwaived == ["C s/a"]
    result = gate.evaluate([], {}, [live], frozenset(), datetime.date(2026, 12, 6), [("C", "s/a")])
    assert result.unwaived == []


def test_the_output_s_environment_says_whether_it_is_adopted() -> None:
    assert gate._adopted("production") is True
    assert gate._adopted("staging") is False
    assert gate._adopted("staging-recovery") is False
    with pytest.raises(ConfigError, match=r"^environment: 'nowhere' \(synth.json\) is unknown$"):
        gate._adopted("nowhere")


@pytest.fixture(scope="module")
def staging_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import app
    import config

    out = tmp_path_factory.mktemp("staging") / "cdktf.out"
    app.synth(config.load("staging"), out)
    return out


def test_staging_passes_the_gate_without_the_live_estate_s_waivers(
    staging_out: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Staging is built fresh: it passes with the reviewed waivers, and a waiver it relies on
    turns into a failure once marked as existing only because of the live estate."""
    assert gate.main(["--out", str(staging_out)]) == 0
    printed = capsys.readouterr().out
    assert "0 unwaived" in printed
    on = len(config.load("staging").hardening.on())  # read from the output's own stamp
    assert printed.startswith(f"security gate ({on} hardening switches on): ") and on > 20
    waivers = json.loads(gate.WAIVERS.read_text())["waivers"]
    for w in waivers:
        if w["check"] == "CKV_AWS_157":  # single-AZ database: a design choice, here marked live
            w["adopted_only"] = True
    marked = tmp_path / "waivers.json"
    marked.write_text(json.dumps({"waivers": waivers}))
    assert gate.main(["--out", str(staging_out), "--waivers", str(marked)]) == 1
    out = capsys.readouterr().out
    assert "UNWAIVED CKV_AWS_157 data/aws_db_instance.postgres_primary_11FB0C6D" in out
