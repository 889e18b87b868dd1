"""The emulator's own promise: no server outlives the test process that started it, even when
that process is killed before its teardown runs (a signal, mutmut's timeout)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import suppress
from pathlib import Path

import pytest

from tests.conftest import ROOT

# A test process in miniature: starts a server, says its pid and address, then waits to die.
_HOLDER = """
import subprocess, time
from tests import moto_server as m

class Told(subprocess.Popen):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        print(self.pid, flush=True)

m.subprocess.Popen = Told
with m.moto_server("123456789012") as url:
    print(url, flush=True)
    time.sleep(600)
"""


def _alive(pid: int) -> bool:
    """Running (a zombie left for an init that does not reap counts as gone)."""
    status = Path(f"/proc/{pid}/status")
    with suppress(OSError):
        return "\nState:\tZ" not in status.read_text()
    return False


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(f"{url}/moto-api/", timeout=2).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(sys.platform != "linux", reason="the parent-death signal is Linux's")
def test_a_server_ends_with_a_test_process_killed_before_its_teardown() -> None:
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER], cwd=ROOT, text=True,
                              stdout=subprocess.PIPE, start_new_session=True)  # fmt: skip
    server = 0
    try:
        assert holder.stdout is not None
        server, url = int(holder.stdout.readline()), holder.stdout.readline().strip()
        assert _alive(server) and _answers(url), "the server did not start"
        holder.send_signal(signal.SIGKILL)  # no teardown, no `finally`
        holder.wait(timeout=30)
        deadline = time.monotonic() + 20
        while _alive(server) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(server), f"moto server {server} outlived the process that started it"
        assert not _answers(url)
    finally:
        for pid in (holder.pid, server):
            with suppress(OSError):
                if pid:
                    os.killpg(pid, signal.SIGKILL)
        holder.wait(timeout=30)
