"""How the project runs Terraform when a run is interrupted or the state is locked
(`runtime.terraform.run`), with a stand-in `terraform` (a shell script) in its place."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import pytest

from config import ConfigError
from runtime import terraform

LOCK_ERROR = """
Error: Error acquiring the state lock

Error message: operation error S3: PutObject, https response error StatusCode: 412,
PreconditionFailed: At least one of the pre-conditions you specified did not hold
Lock Info:
  ID:        4b0c3c3e-5d1a-8f2e-1d7a-0c9f6b1e2a33
  Path:      fluxion-tfstate-611395766952/fluxion/production/data.tfstate
  Operation: OperationTypeApply
  Who:       runner@gh-7
  Version:   1.11.4
  Created:   2026-12-06 03:12:00.123456 +0000 UTC
  Info:

Terraform acquires a state lock to protect the state from being written
by multiple users at the same time. Please resolve the issue above and try
again. For most commands, you can disable locking with the "-lock=false"
flag, but this is not recommended.
"""


def _stand_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> Path:
    script = tmp_path / "terraform"
    script.write_text(f"#!/usr/bin/env bash\n{body}\n")
    script.chmod(0o755)
    monkeypatch.setattr(terraform, "terraform_binary", lambda: str(script))
    stack = tmp_path / "data"
    stack.mkdir()
    return stack


def test_a_held_lock_is_one_line_naming_the_holder_and_the_way_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "lock.txt").write_text(LOCK_ERROR)
    stack = _stand_in(tmp_path, monkeypatch, f"cat {tmp_path / 'lock.txt'} >&2; exit 1")
    with pytest.raises(terraform.Locked) as raised:
        terraform.run(["plan", "-input=false"], stack)
    assert str(raised.value) == (
        "data: the state is locked by runner@gh-7 since 2026-12-06 03:12:00.123456 +0000 UTC "
        "(OperationTypeApply, lock 4b0c3c3e-5d1a-8f2e-1d7a-0c9f6b1e2a33): another deploy is "
        "running, or one died (runner lost, killed); once it is known to be dead: python -m "
        "ops state-unlock data --lock-id 4b0c3c3e-5d1a-8f2e-1d7a-0c9f6b1e2a33"
    )
    assert "\n" not in str(raised.value)


def test_other_failures_are_not_called_a_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack = _stand_in(tmp_path, monkeypatch, "echo 'Error: Invalid provider' >&2; exit 1")
    with pytest.raises(ConfigError) as raised:
        terraform.run(["plan"], stack)
    assert not isinstance(raised.value, terraform.Locked)
    assert str(raised.value) == "terraform plan in data: Error: Invalid provider"
    assert terraform.lock_holder("Error: Invalid provider") == {}


def test_an_interrupt_reaches_terraform_once_and_terraform_is_left_to_stop_gracefully(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Terraform (the stand-in) takes a second to write its state after SIGINT: it is
    waited for, not killed (subprocess.run kills it 0.25 s after a Ctrl-C), and it gets
    exactly one SIGINT (a second one would make the real one exit at once)."""
    seen = tmp_path / "interrupts"
    ready = tmp_path / "ready"
    stack = _stand_in(
        tmp_path,
        monkeypatch,
        f"trap 'echo INT >> {seen}; sleep 1; echo state-written >> {seen}; exit 1' INT\n"
        f"touch {ready}\nfor i in $(seq 100); do sleep 0.1; done; exit 0",
    )

    def interrupt_when_ready() -> None:
        for _ in range(100):
            if ready.exists():
                break
            threading.Event().wait(0.05)
        os.kill(os.getpid(), signal.SIGINT)  # a Ctrl-C: KeyboardInterrupt in the main thread

    # a Ctrl-C is KeyboardInterrupt (whatever handler an earlier test or the runner left)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        threading.Thread(target=interrupt_when_ready).start()
        with pytest.raises(terraform.Interrupted) as raised:
            terraform.run(["apply", "deploy.tfplan"], stack)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert seen.read_text().split() == ["INT", "state-written"]
    assert str(raised.value) == "data: terraform apply interrupted (1 interrupt; exit 1)"


def test_sigterm_is_an_interrupt_only_while_terraform_may_run() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with terraform.sigterm_interrupts():
        assert signal.getsignal(signal.SIGTERM) is signal.default_int_handler
    assert signal.getsignal(signal.SIGTERM) is before


def test_revoked_credentials_during_an_apply_are_one_line_about_the_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack = _stand_in(
        tmp_path,
        monkeypatch,
        "echo 'Error: creating ECS Service (backend): operation error ECS: CreateService, https "
        "response error StatusCode: 403, RequestID: f, api error ExpiredToken: The security "
        "token included in the request is expired' >&2; exit 1",
    )
    with pytest.raises(ConfigError) as raised:
        terraform.run(["apply", "deploy.tfplan"], stack)
    assert str(raised.value).startswith(
        "credentials: ExpiredToken during terraform apply in data: the AWS credentials are "
        "missing, expired or revoked (not a problem of the estate)"
    )
    assert terraform.credentials_code("api error AccessDenied: no") is None
    assert terraform.credentials_code("no valid credential sources for S3 Backend found") == (
        "NoCredentialProviders"
    )


def test_a_failure_shows_the_providers_errors_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A persistent AWS error: the provider's `Error:` lines lead the one line (the tail of
    Terraform's output is only where the error was)."""
    (tmp_path / "out.txt").write_text(
        "Error: reading CloudFront Cache Policy: operation error CloudFront: ListCachePolicies, "
        "exceeded maximum number of attempts, 10, https response error StatusCode: 503\n\n"
        "  with data.aws_cloudfront_cache_policy.p,\n  on cdk.tf.json line 1:\n   1: {}\n\n"
        "Error: reading CloudFront Origin Request Policy: StatusCode: 503\n\n  with data.x,\n"
        "  on cdk.tf.json line 2:\n   2: {}\n"
    )
    stack = _stand_in(tmp_path, monkeypatch, f"cat {tmp_path / 'out.txt'} >&2; exit 1")
    with pytest.raises(ConfigError) as raised:
        terraform.run(["plan"], stack)
    assert str(raised.value) == (
        "terraform plan in data: Error: reading CloudFront Cache Policy: operation error "
        "CloudFront: ListCachePolicies, exceeded maximum number of attempts, 10, https response "
        "error StatusCode: 503 | Error: reading CloudFront Origin Request Policy: StatusCode: 503"
    )
