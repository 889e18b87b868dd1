"""The security gate runs checkov for real and can fail (parse errors, empty scans, findings)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest

from config import ConfigError
from review import security_gate as gate

TODAY = datetime.date(2026, 11, 28)
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
    result = gate.evaluate(reports, stacks, gate.load_waivers(), "adopt", TODAY)
    assert result.parsing_errors == []
    assert result.checks_run > 300, "checkov really ran over all five stacks"
    scanned_stacks = {resource.split("/")[0] for _, resource in result.findings}
    assert scanned_stacks == {"state", "network", "data", "compute", "edge"}
    assert result.unwaived == [] and result.expired == [] and result.stale == []
    assert not result.failed


def test_a_finding_without_a_waiver_fails(scanned: Any) -> None:
    reports, stacks = scanned
    waivers = [w for w in gate.load_waivers() if w.check != "CKV2_AWS_11"]
    result = gate.evaluate(reports, stacks, waivers, "adopt", TODAY)
    assert result.unwaived == ["CKV2_AWS_11 network/aws_vpc.vpc_6776A399"]
    assert result.failed
    assert "UNWAIVED CKV2_AWS_11 network/aws_vpc.vpc_6776A399" in gate.render(result, "adopt")


def test_a_stale_waiver_is_reported_and_an_expired_one_fails(scanned: Any) -> None:
    reports, stacks = scanned
    extra = gate.Waiver(
        "CKV_AWS_18", ("data/aws_s3_bucket.gone",), ("adopt",), "r", "o", datetime.date(2027, 1, 1)
    )
    result = gate.evaluate(reports, stacks, [*gate.load_waivers(), extra], "adopt", TODAY)
    assert result.stale == ["CKV_AWS_18 data/aws_s3_bucket.gone"]
    assert not result.failed, "stale waivers are reported, not fatal"
    later = gate.evaluate(reports, stacks, gate.load_waivers(), "adopt", datetime.date(2027, 6, 1))
    assert later.failed and later.expired


def test_import_blocks_make_checkov_fail_to_parse_and_the_gate_fails(tmp_path: Path) -> None:
    raw = dict(OPEN_SSH, **{"import": [{"to": "aws_security_group.ssh", "id": "sg-12345678"}]})
    out = _outdir(tmp_path, {"raw": raw})
    # bypass preprocessing to show what checkov does with the raw cdktf output
    reports, stacks = gate.scan(out, raw=True)
    result = gate.evaluate(reports, stacks, [], "adopt", TODAY)
    assert result.failed
    assert result.parsing_errors or result.checks_run == 0


def test_preprocessing_strips_nulls_so_an_open_port_is_found(tmp_path: Path) -> None:
    out = _outdir(tmp_path, {"ssh": OPEN_SSH})
    finding = ("CKV_AWS_24", "ssh/aws_security_group.ssh")  # SSH open to the internet
    raw = gate.evaluate(*gate.scan(out, raw=True), [], "adopt", TODAY)
    assert finding not in raw.findings, "with the nulls, checkov misses it (why we strip)"
    result = gate.evaluate(*gate.scan(out), [], "adopt", TODAY)
    assert finding in result.findings
    assert result.failed


def test_an_empty_scan_fails(tmp_path: Path) -> None:
    out = _outdir(tmp_path, {"empty": {"terraform": {"required_version": ">= 1.11"}}})
    reports, stacks = gate.scan(out)
    result = gate.evaluate(reports, stacks, [], "adopt", TODAY)
    assert result.checks_run == 0
    assert result.failed
    assert "NO CHECK RAN" in gate.render(result, "adopt")


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


@pytest.mark.parametrize(
    ("waiver", "message"),
    [
        ({"check": "X"}, r"fields must be exactly"),
        (
            {
                "check": "X",
                "resources": ["a"],
                "profiles": ["adopt"],
                "reason": "r",
                "owner": "o",
                "review_by": "2027-01-01",
            },
            r"resources must be '<stack>/<address>'",
        ),
        (
            {
                "check": "X",
                "resources": ["s/a"],
                "profiles": ["adopt"],
                "reason": " ",
                "owner": "o",
                "review_by": "2027-01-01",
            },
            r"reason ' ' must be a non-empty string",
        ),
        (
            {
                "check": "X",
                "resources": ["s/a"],
                "profiles": ["adopt"],
                "reason": "r",
                "owner": "o",
                "review_by": "soon",
            },
            r"review_by 'soon' is not a date",
        ),
    ],
)
def test_bad_waivers(tmp_path: Path, waiver: dict[str, Any], message: str) -> None:
    path = tmp_path / "waivers.json"
    path.write_text(json.dumps({"waivers": [waiver]}))
    with pytest.raises(ConfigError, match=message):
        gate.load_waivers(path)


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
