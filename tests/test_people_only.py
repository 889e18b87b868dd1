"""Changes only people apply (policies/people.py): said of a plan, before anything runs."""

from __future__ import annotations

from typing import Any

import pytest

from policies.people import needs_people


def _change(rtype: str, actions: list[str], before: Any = None, after: Any = None) -> dict:
    return {
        "address": f"{rtype}.x",
        "mode": "managed",
        "type": rtype,
        "change": {"actions": actions, "before": before, "after": after, "after_unknown": {}},
    }


@pytest.mark.parametrize(
    "rtype",
    ["aws_s3_bucket_policy", "aws_s3_bucket_lifecycle_configuration",
     "aws_s3_bucket_public_access_block", "aws_s3_bucket_ownership_controls",
     "aws_s3_bucket_server_side_encryption_configuration", "aws_s3_bucket_versioning",
     "aws_s3_bucket"],
)  # fmt: skip
def test_any_change_to_a_backup_bucket_needs_a_person(rtype: str) -> None:
    for actions in (["create"], ["update"], ["delete"], ["delete", "create"]):
        found = needs_people("data", [_change(rtype, actions, {"a": 1}, {"a": 2})])
        assert len(found) == 1 and found[0].startswith(f"{rtype}.x: "), actions
        assert "open the backups to another account or expire them" in found[0]


def test_a_secrets_settings_need_a_person_its_tags_do_not() -> None:
    tagged = _change("aws_secretsmanager_secret", ["update"], {"tags": {}}, {"tags": {"a": "b"}})
    assert needs_people("data", [tagged]) == []
    described = _change(
        "aws_secretsmanager_secret", ["update"], {"description": ""}, {"description": "x"}
    )
    assert needs_people("data", [described]) == [
        "aws_secretsmanager_secret.x: update (a secret's settings: UpdateSecret also sets the "
        "value, which only people do)"
    ]
    created = _change("aws_secretsmanager_secret", ["create"], None, {"name": "fluxion/x"})
    assert needs_people("data", [created]) == []  # a new, empty container is CI's


def test_the_rest_of_a_ci_stack_is_cis() -> None:
    changes = [
        _change("aws_db_instance", ["update"], {"a": 1}, {"a": 2}),
        _change("aws_s3_bucket_policy", ["update"], {"a": 1}, {"a": 2}),  # edge: site buckets
        _change("aws_s3_bucket", ["no-op"]),
    ]
    assert needs_people("data", changes[:1]) == []
    assert needs_people("edge", changes[1:]) == []
    assert needs_people("data", changes[2:]) == []


@pytest.mark.parametrize("stack", ["state", "identity"])
def test_every_change_of_a_people_stack_needs_a_person(stack: str) -> None:
    found = needs_people(stack, [_change("aws_iam_role", ["update"], {"a": 1}, {"a": 2})])
    assert found == [f"aws_iam_role.x: update (the {stack} stack)"]
