"""Every rollout step is a configuration of its own: each must synthesize, validate, pass the
security gate and replace only what it says (`make rollout-steps`, run by `.ci/run`).

`make test` covers the two presets (`adopt`, `hardened`); this covers the seven states in
between and the one after (`waf_enforce`), which production goes through one pull request at
a time (docs/profiles.md, "Rollout order"). It is a target of its own because it synthesizes
and scans nine configurations (about a minute and a half on 2 cores); `.ci/run` runs it while
the emulated estate waits on the AWS provider.
"""

from __future__ import annotations

import datetime
from dataclasses import replace
from pathlib import Path

import pytest

import app
import config
from config.hardening import STEPS, Hardening
from review import security_gate as gate
from review.replacement_guard import acknowledgements, compare_outputs
from runtime import terraform
from runtime.synthesized import Synthesized

PROD = config.load()
TODAY = datetime.date(2026, 12, 6)
REPLACED = {"8 bridge volume": ["aws_instance.wireguard_instance_A99769E4"]}
"""The stateful resources each step replaces (review/replacements.json acknowledges them)."""
REMOVED = {
    "3 network": [
        "aws_vpc_security_group_egress_rule.sg_wireguard_out_all_E896B893",
        "aws_vpc_security_group_ingress_rule.sg_wireguard_in_vpc_642EE8AF",
    ],
    "4 origin": ["aws_vpc_security_group_ingress_rule.sg_alb_in_http_63BF2935"],
}
"""What each step deletes outright: rules the narrowed tables no longer hold."""


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """adopt, then every step's cumulative configuration, synthesized once each."""
    root = tmp_path_factory.mktemp("rollout")
    done = {"adopt": root / "adopt"}
    app.synth(replace(PROD, hardening=PROD.hardening.preset("adopt")), done["adopt"])
    for step in STEPS:
        done[step] = root / step.split()[0]
        app.synth(replace(PROD, hardening=Hardening().through(step)), done[step])
    return done


def test_the_steps_end_at_the_hardened_preset() -> None:
    last_of_rollout = [step for step in STEPS][-2]
    assert Hardening().through(last_of_rollout).on() == Hardening().preset("hardened").on()
    assert Hardening().through(last_of_rollout).profile == "hardened"
    assert Hardening().through("1 observe").profile == "rollout"


@pytest.mark.parametrize("step", list(STEPS))
def test_each_step_passes_the_security_gate(outputs: dict[str, Path], step: str) -> None:
    reports, stacks = gate.scan(outputs[step])
    switches = Synthesized(outputs[step]).switches
    assert switches == frozenset(Hardening().through(step).on())
    result = gate.evaluate(
        reports, stacks, gate.load_waivers(), switches, TODAY, gate.audit(stacks)
    )
    assert result.checks_run > 300
    assert (result.unwaived, result.stale, result.parsing_errors) == ([], [], [])


@pytest.mark.parametrize("step", list(STEPS))
def test_each_step_replaces_only_what_it_says(outputs: dict[str, Path], step: str) -> None:
    steps = ["adopt", *STEPS]
    before, after = outputs[steps[steps.index(step) - 1]], outputs[step]
    diffs = compare_outputs(before, after, acknowledgements(before, after))
    assert [v for d in diffs for v in d.violations] == []
    replaced = [a.split()[1] for d in diffs for a in d.acknowledged]
    assert replaced == REPLACED.get(step, [])
    assert sorted(r for d in diffs for r in d.removed) == REMOVED.get(step, [])
    assert any(d.added or d.changed for d in diffs), f"{step} changes something"


@pytest.mark.parametrize("step", list(STEPS))
def test_each_step_validates_with_terraform(
    outputs: dict[str, Path], step: str, tmp_path: Path
) -> None:
    for name, stack in Synthesized(outputs[step]).stacks().items():
        result = terraform.validate_stack(name, stack, tmp_path / name)
        assert result.valid, (name, result.errors)
