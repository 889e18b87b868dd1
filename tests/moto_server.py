"""moto in server mode on 127.0.0.1 (a free port), started and stopped by the tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def moto_server(account_id: str) -> Iterator[str]:
    """Yield the endpoint URL of a fresh moto server emulating `account_id`; stop it after."""
    port = _free_port()
    # ACM certificates issue at once; AWS managed IAM policies exist (SSM core)
    env = dict(
        os.environ,
        MOTO_ACM_VALIDATION_WAIT="-1",
        MOTO_IAM_LOAD_MANAGED_POLICIES="true",
        MOTO_ACCOUNT_ID=account_id,
    )
    binary = Path(sys.executable).parent / "moto_server"
    proc = subprocess.Popen(
        [str(binary), "-H", "127.0.0.1", "-p", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
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
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
