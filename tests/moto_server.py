"""moto in server mode on 127.0.0.1 (a free port), started and stopped by the tests.

moto's server may ignore SIGTERM: the server runs in its own process group, which gets
SIGTERM, then SIGKILL if it is still there after a few seconds, so no server outlives its test.
A test process that never reaches its teardown (killed by a signal, or by mutmut's timeout)
takes its server with it: on Linux the server is started with a parent-death signal.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]
# Loaded here, not in the forked child (no import between fork and exec).
_PRCTL = ctypes.CDLL(None, use_errno=True).prctl if sys.platform == "linux" else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with(parent: int) -> Callable[[], None]:
    """For the child, before exec: SIGKILL when `parent` ends (Linux's PR_SET_PDEATHSIG, kept
    across exec); if it already has, end now. Elsewhere nothing: teardown is the only stop."""

    def arm() -> None:
        if _PRCTL is not None:
            _PRCTL(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
            if os.getppid() != parent:  # the parent died before the signal was armed
                os._exit(1)

    return arm


def stop(proc: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    """End the server's whole process group: SIGTERM, then SIGKILL after `grace` seconds."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=grace)
            break
        except subprocess.TimeoutExpired:
            continue
    proc.wait(timeout=30)


@contextmanager
def moto_server(
    account_id: str,
    *,
    patched: bool = False,
    log: IO[bytes] | None = None,
    settings: dict[str, str] | None = None,
) -> Iterator[str]:
    """Yield the endpoint URL of a fresh moto server emulating `account_id`; stop it after.

    `patched`: the e2e emulator (`tests/e2e/emulator.py`), moto with its reviewed workarounds.
    """
    port = _free_port()
    # ACM certificates issue at once; AWS managed IAM policies exist (SSM core)
    env = dict(
        os.environ,
        MOTO_ACM_VALIDATION_WAIT="-1",
        MOTO_IAM_LOAD_MANAGED_POLICIES="true",
        MOTO_ACCOUNT_ID=account_id,
        **(settings or {}),  # more MOTO_* settings (e.g. MOTO_ECS_SERVICE_RUNNING)
    )
    # The emulator is not the project's code: `make test` measures coverage in every Python
    # subprocess (COVERAGE_PROCESS_CONFIG), which would only slow the server down.
    env.pop("COVERAGE_PROCESS_CONFIG", None)
    if patched:
        command = [sys.executable, "-m", "tests.e2e.emulator", "--port", str(port)]
    else:
        command = [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1"]
        command += ["-p", str(port)]
    proc = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=log or subprocess.DEVNULL,
        stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=_die_with(os.getpid()),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=2).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto server did not start: {command}") from None
                time.sleep(0.2)
        yield url
    finally:
        stop(proc)
