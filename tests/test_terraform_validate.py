"""Real Terraform validates every synthesized stack of both profiles, with the deployed provider."""

from __future__ import annotations

import json
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from config import ConfigError
from runtime import terraform
from runtime.synthesized import Synthesized
from tests.conftest import STACK_NAMES

PROFILES = ("adopt", "hardened")
# The AWS provider version the live estate runs, which every stack pins on either engine (cdktf's
# bindings, cdktf-cdktf-provider-aws 20.1.0, are generated for it; CDK Terrain's for 6.69.1).
ESTATE_AWS_VERSION = "5.100.0"
CLOUDFLARE_PARTS = {
    "data.cloudflare_zone.zone",
    "cloudflare_dns_record.admin_record",
    "cloudflare_dns_record.api_record",
    "cloudflare_dns_record.docs_record",
}


@pytest.fixture(scope="session")
def validations(
    synth_dir: Path, hardened_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[tuple[str, str], terraform.Validation]:
    """Every (profile, stack) validated once; two at a time (2 cores)."""
    work = tmp_path_factory.mktemp("validate")
    jobs = {
        (profile, name): (stack, work / profile / name)
        for profile, outdir in (("adopt", synth_dir), ("hardened", hardened_dir))
        for name, stack in Synthesized(outdir).stacks().items()
    }
    # The first init alone: it fills the plugin cache. Terraform's cache is not safe for two
    # first installs at once ("mkdir ... file exists" on a fresh clone, seen in CI).
    first, *rest = jobs
    done = {first: terraform.validate_stack(first[1], *jobs[first])}
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {key: pool.submit(terraform.validate_stack, key[1], *jobs[key]) for key in rest}
        return done | {key: future.result() for key, future in futures.items()}


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("name", STACK_NAMES)
def test_terraform_validates_the_stack(
    validations: dict[tuple[str, str], terraform.Validation], profile: str, name: str
) -> None:
    result = validations[(profile, name)]
    assert result.valid, result.errors
    assert result.errors == []


@pytest.mark.parametrize("profile", PROFILES)
def test_only_the_cloudflare_parts_of_edge_are_left_out(
    validations: dict[tuple[str, str], terraform.Validation], profile: str
) -> None:
    left_out = set(validations[(profile, "edge")].left_out)
    assert left_out >= CLOUDFLARE_PARTS
    assert all(a.startswith(("cloudflare_", "data.cloudflare_")) for a in left_out)
    assert any(a.startswith("cloudflare_dns_record.wildcard_validation") for a in left_out)
    for name in (n for n in STACK_NAMES if n != "edge"):
        if profile == "hardened" and name == "compute":
            # the ALB's regional certificate is validated by a record in the Cloudflare zone
            assert sorted(validations[(profile, name)].left_out) == [
                "cloudflare_dns_record.origin_certificate_validation_607D2B6C",
                "data.cloudflare_zone.zone",
            ]
            continue
        assert validations[(profile, name)].left_out == []


def test_validation_used_the_provider_the_estate_runs(
    validations: dict[tuple[str, str], terraform.Validation], stacks: dict[str, Any]
) -> None:
    """Tested version == deployed version: the lock file Terraform wrote names the estate's."""
    for name, stack in stacks.items():
        pinned = stack["terraform"]["required_providers"]["aws"]["version"]
        assert pinned == ESTATE_AWS_VERSION, name
    lock = validations[("adopt", "network")].lock_file
    assert lock is not None
    found = re.search(
        r'provider "registry.terraform.io/hashicorp/aws" \{\s*version\s*=\s*"([^"]+)"', lock
    )
    assert found, lock
    assert found.group(1) == ESTATE_AWS_VERSION


def test_validation_fails_on_a_broken_stack(stacks: dict[str, Any], tmp_path: Path) -> None:
    broken = json.loads(json.dumps(stacks["network"]))
    (vpc_id,) = broken["resource"]["aws_vpc"]
    broken["resource"]["aws_vpc"][vpc_id]["no_such_argument"] = True
    result = terraform.validate_stack("network", broken, tmp_path / "broken")
    assert not result.valid
    assert any("no_such_argument" in e for e in result.errors), result.errors


def test_validate_command_exits_1_naming_the_error(
    stacks: dict[str, Any], manifest: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    (out / "stacks" / "state").mkdir(parents=True)
    broken = json.loads(json.dumps(stacks["state"]))
    broken["resource"]["aws_s3_bucket"] = {"x": {"bucket": "b", "acl_typo": "private"}}
    (out / "stacks" / "state" / "cdk.tf.json").write_text(json.dumps(broken))
    entry = manifest["stacks"]["state"]
    (out / "manifest.json").write_text(
        json.dumps(
            {"stacks": {"state": {**entry, "synthesizedStackPath": "stacks/state/cdk.tf.json"}}}
        )
    )
    code = terraform.main(["validate", "--out", str(out), "--workdir", str(tmp_path / "w")])
    assert code == 1


def test_without_provider_refuses_a_dangling_reference() -> None:
    stack = {
        "provider": {"aws": [{}], "cloudflare": [{}]},
        "resource": {
            "cloudflare_dns_record": {"r": {"name": "x"}},
            "aws_s3_bucket": {"b": {"bucket": "${cloudflare_dns_record.r.name}"}},
        },
    }
    with pytest.raises(
        ConfigError, match=r"still referenced after removal: \['cloudflare_dns_record.r'\]"
    ):
        terraform.without_provider(stack, "cloudflare")


def test_without_provider_removes_every_part() -> None:
    stack = {
        "terraform": {"required_providers": {"aws": {}, "cloudflare": {}}},
        "provider": {"aws": [{}], "cloudflare": [{}]},
        "data": {"cloudflare_zone": {"z": {}}},
        "resource": {"cloudflare_dns_record": {"r": {"zone_id": "${data.cloudflare_zone.z.id}"}}},
        "import": [
            {"to": "cloudflare_dns_record.r", "id": "a/b"},
            {"to": "aws_vpc.v", "id": "vpc-1"},
        ],
    }
    out, removed = terraform.without_provider(stack, "cloudflare")
    assert sorted(removed) == ["cloudflare_dns_record.r", "data.cloudflare_zone.z"]
    assert "cloudflare" not in json.dumps(out)
    assert out["import"] == [{"to": "aws_vpc.v", "id": "vpc-1"}]


def _mirror(root: Path) -> Path:
    binary = root / "registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64"
    binary.mkdir(parents=True)
    (binary / "terraform-provider-aws_v5.100.0_x5").write_text("")
    return root


def test_cli_config_installs_mirrored_providers_from_the_mirror(tmp_path: Path) -> None:
    mirror = _mirror(tmp_path / "mirror")
    text = terraform.cli_config_text(mirror, tmp_path / "cache")
    assert f'path    = "{mirror}"' in text
    assert 'include = ["registry.terraform.io/hashicorp/aws"]' in text
    assert 'exclude = ["registry.terraform.io/hashicorp/aws"]' in text
    assert "disable_checkpoint = true" in text


def test_cli_config_without_a_mirror_uses_the_registry(tmp_path: Path) -> None:
    text = terraform.cli_config_text(None, tmp_path / "cache")
    assert "provider_installation" not in text
    assert "plugin_cache_dir" in text


def test_mirror_setting_must_hold_a_provider(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(
        ConfigError, match=rf"FLUXION_TF_PLUGIN_MIRROR: '{empty}' holds no provider"
    ):
        terraform.find_mirror({"FLUXION_TF_PLUGIN_MIRROR": str(empty)})
    mirror = _mirror(tmp_path / "mirror")
    assert terraform.find_mirror({"FLUXION_TF_PLUGIN_MIRROR": str(mirror)}) == mirror


def test_project_terraform_never_warns_about_the_cli_config(tmp_path: Path) -> None:
    """The machine points TF_CLI_CONFIG_FILE at a missing file; the project's calls do not."""
    env = terraform.terraform_env({"TF_CLI_CONFIG_FILE": str(tmp_path / "missing")})
    assert env["TF_CLI_CONFIG_FILE"] == str(tmp_path / "missing")  # the check can fail
    proc = subprocess.run(
        [terraform.terraform_binary(), "version"],
        env=terraform.terraform_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert proc.stdout.startswith("Terraform v1.")
    assert "CLI configuration" not in proc.stderr + proc.stdout
    warned = subprocess.run(
        [terraform.terraform_binary(), "version"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Unable to open CLI configuration file" in warned.stderr + warned.stdout


def test_a_validated_stack_is_not_validated_again_but_a_changed_one_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache key is the stack itself (and Terraform's version): same stack, no Terraform
    call; any change to it, Terraform again. An invalid result is never kept."""
    cache, calls = tmp_path / "cache", []
    real_run = terraform.run

    def counting(args: list[str], *rest: Any, **kw: Any) -> str:
        calls.append(args[0])
        return real_run(args, *rest, **kw)

    monkeypatch.setattr(terraform, "run", counting)
    stack = {"resource": {"terraform_data": {"a": {"input": "v1"}}}}
    first = terraform.validate_stack("s", stack, tmp_path / "w1", cache)
    assert first.valid and calls.count("validate") == 1
    again = terraform.validate_stack("s", stack, tmp_path / "w2", cache)
    assert again.valid and calls.count("validate") == 1  # from the cache
    assert not (tmp_path / "w2").exists()
    changed = {"resource": {"terraform_data": {"a": {"input": "v2"}}}}
    assert terraform.validate_stack("s", changed, tmp_path / "w3", cache).valid
    assert calls.count("validate") == 2
    broken = {"resource": {"terraform_data": {"a": {"no_such_argument": 1}}}}
    for attempt in ("w4", "w5"):
        assert not terraform.validate_stack("s", broken, tmp_path / attempt, cache).valid
    assert calls.count("validate") == 4  # asked again: a failure is not remembered
