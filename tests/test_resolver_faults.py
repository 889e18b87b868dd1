"""The resolver survives faults: each becomes a note naming what it concerns, the run goes on,
and the result says whether it is complete (moto in server mode, plus injected faults)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.awsrequest
import pytest
from botocore.exceptions import ClientError

import config
from imports.resolve import ReadOnlyClient, run
from imports.resolve.__main__ import retries
from tests.conftest import ROOT
from tests.moto_server import moto_server
from tests.world import World, seed

PROD = config.load()


@pytest.fixture(scope="module")
def world() -> Iterator[tuple[str, World, boto3.Session]]:
    with moto_server(PROD.account_id) as url:
        session = boto3.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=PROD.region
        )
        yield url, seed(lambda s: session.client(s, endpoint_url=url), PROD), session


class Faulty:
    """A client whose `operation` raises `code` (or answers without `drop`), else the real one."""

    def __init__(self, real: Any, operation: str, code: str = "", drop: str = "") -> None:
        self.real, self.operation, self.code, self.drop = real, operation, code, drop

    def __getattr__(self, name: str) -> Any:
        call = getattr(self.real, name)
        if name != self.operation:
            return call
        if self.code:

            def fail(**_kwargs: Any) -> Any:
                raise ClientError({"Error": {"Code": self.code, "Message": "injected"}}, name)

            return fail

        def without(**kwargs: Any) -> Any:
            answer = call(**kwargs)
            for item in answer.get("LoadBalancers", []):
                item.pop(self.drop, None)
            return answer

        return without


def _resolve(url: str, session: boto3.Session, faults: dict[str, Faulty]) -> Any:
    def client(service: str) -> Any:
        real = ReadOnlyClient(session.client(service, endpoint_url=url))
        fault = faults.get(service)
        if fault is None:
            return real
        fault.real = real
        return fault

    return run(PROD, client)


def _paths(doc: dict[str, Any]) -> set[str]:
    return {e["path"] for e in doc["resources"]}


def test_access_denied_on_one_service_is_a_note_and_the_rest_resolves(world: Any) -> None:
    url, _, session = world
    doc = _resolve(url, session, {"rds": Faulty(None, "describe_db_instances", "AccessDenied")})
    assert doc["complete"] is False
    assert "data: fluxion-postgres-v2: AccessDenied" in doc["gaps"]
    assert "postgres/primary" not in _paths(doc)
    assert {"vpc/vpc", "backend_repository/repository", "cluster"} <= _paths(doc)


def test_a_target_naming_a_deleted_role_is_a_note(world: Any) -> None:
    url, w, session = world
    role = w.ids["roles/events"]
    iam = session.client("iam", endpoint_url=url)
    for name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
        iam.delete_role_policy(RoleName=role, PolicyName=name)
    for policy in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]:
        iam.detach_role_policy(RoleName=role, PolicyArn=policy["PolicyArn"])
    iam.delete_role(RoleName=role)
    doc = _resolve(url, session, {})
    assert f"identity: roles/events: role {role}: NoSuchEntity; not adopted" in doc["gaps"]
    assert "roles/events" not in _paths(doc)
    assert {"inventario_sync_30min/rule", "roles/execution"} <= _paths(doc)


def test_a_response_without_an_optional_field_is_read_as_its_default(world: Any) -> None:
    url, _, session = world
    faults = {"elbv2": Faulty(None, "describe_load_balancers", drop="Scheme")}
    doc = _resolve(url, session, faults)
    (alb,) = [e for e in doc["resources"] if e["path"] == "lb/alb"]
    assert alb["live"]["internal"] is False


def test_a_response_without_a_required_field_ends_that_step_only(world: Any) -> None:
    url, _, session = world
    doc = _resolve(
        url, session, {"elbv2": Faulty(None, "describe_load_balancers", drop="LoadBalancerArn")}
    )
    assert any(g.startswith("compute: a response lacked an expected field") for g in doc["gaps"])
    assert "vpc/vpc" in _paths(doc)


def test_attempts_are_ten_unless_the_operator_says_otherwise(monkeypatch: Any) -> None:
    monkeypatch.delenv("AWS_MAX_ATTEMPTS", raising=False)
    assert retries().retries == {"max_attempts": 10, "mode": "standard"}
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    assert retries().retries == {"mode": "standard"}  # botocore reads the variable


def test_throttled_calls_are_retried(world: Any, monkeypatch: Any) -> None:
    """Two Throttling answers, then the real one: the client with retries() gets through."""
    url, _, session = world
    monkeypatch.delenv("AWS_MAX_ATTEMPTS", raising=False)
    sts = session.client("sts", endpoint_url=url, config=retries())
    answered = {"throttled": 0}

    def throttle(request: Any, **_kwargs: Any) -> Any:
        if answered["throttled"] < 2:
            answered["throttled"] += 1
            body = (
                b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>"
                b"<Message>Rate exceeded</Message></Error></ErrorResponse>"
            )
            return botocore.awsrequest.AWSResponse(request.url, 400, {}, _Raw(body))
        return None

    sts.meta.events.register("before-send.sts.GetCallerIdentity", throttle)
    assert sts.get_caller_identity()["Account"] == PROD.account_id
    assert answered["throttled"] == 2
    once = session.client(
        "sts", endpoint_url=url, config=botocore.config.Config(retries={"max_attempts": 1})
    )
    answered["throttled"] = 0
    once.meta.events.register("before-send.sts.GetCallerIdentity", throttle)
    with pytest.raises(ClientError, match="Throttling"):
        once.get_caller_identity()


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_kwargs: Any) -> Iterator[bytes]:
        yield self.body

    def read(self, *_args: Any) -> bytes:
        return self.body


@pytest.mark.parametrize(
    ("extra_env", "message"),
    [
        (
            {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""},
            "error: AWS: Unable to locate credentials",
        ),
        ({"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y"}, "error: AWS: Could not connect"),
    ],
)
def test_no_credentials_or_no_endpoint_is_one_line(
    extra_env: dict[str, str], message: str, tmp_path: Any
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    nowhere = str(tmp_path / "none")
    env.update(extra_env, AWS_CONFIG_FILE=nowhere, AWS_SHARED_CREDENTIALS_FILE=nowhere,
               AWS_EC2_METADATA_DISABLED="true", AWS_MAX_ATTEMPTS="1")  # fmt: skip
    env = {k: v for k, v in env.items() if v != ""}
    proc = subprocess.run(
        [sys.executable, "-m", "imports.resolve", "--endpoint-url", "http://127.0.0.1:9",
         "--out", str(tmp_path / "out.json")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0, proc.stderr
    assert proc.stderr.startswith(message), proc.stderr
    assert not (tmp_path / "out.json").exists()
