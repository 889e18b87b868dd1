"""`tests/jsii_lock.py`: under mutmut, one jsii caller at a time across forked processes."""

from __future__ import annotations

import fcntl
import os
import select
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.jsii_lock import STALE_EXIT, serialize


def _held_by_another(path: Path) -> bool:
    """Whether some other open file description holds the lock (a second process's view)."""
    with path.open("a") as other:
        try:
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(other, fcntl.LOCK_UN)
        return False


def test_a_kernel_call_and_the_calls_it_makes_hold_the_lock_and_release_it(tmp_path: Path) -> None:
    lock = tmp_path / "kernel.lock"
    seen: list[tuple[str, bool]] = []

    class Kernel:
        def invoke(self) -> str:  # a callback into Python makes a nested kernel call
            seen.append(("invoke", _held_by_another(lock)))
            return self.get()

        def get(self) -> str:
            seen.append(("get", _held_by_another(lock)))
            return "value"

        def fail(self) -> None:
            raise ZeroDivisionError

    serialize(Kernel, lock, calls=("invoke", "get", "fail"))
    assert Kernel().invoke() == "value"  # nested: no deadlock
    assert seen == [("invoke", True), ("get", True)]
    assert not _held_by_another(lock), "released after the outermost call"
    with pytest.raises(ZeroDivisionError):  # a failing call releases it too
        Kernel().fail()
    assert not _held_by_another(lock)


def test_a_forked_process_waits_for_the_call_its_parent_is_in(tmp_path: Path) -> None:
    """mutmut forks while it is between calls, never inside one; a lock taken
    through the file description a fork shares would not exclude the other process at all."""
    read, write = os.pipe()

    class Kernel:
        def invoke(self) -> tuple[int, bool]:
            pid = os.fork()
            if pid == 0:  # the child calls while the parent is inside its call
                Kernel().get()
                os.write(write, b"1")
                os._exit(0)
            blocked = not select.select([read], [], [], 0.5)[0]
            return pid, blocked

        def get(self) -> None:
            return None

    serialize(Kernel, tmp_path / "kernel.lock", calls=("invoke", "get"))
    pid, blocked = Kernel().invoke()
    assert blocked, "the child's call went through while the parent held the lock"
    assert select.select([read], [], [], 10)[0] and os.read(read, 1) == b"1"
    os.waitpid(pid, 0)


def test_every_request_of_a_real_kernel_goes_through_the_lock(tmp_path: Path) -> None:
    """jsii's own kernel, in a process of its own: a construct made and read back."""
    import subprocess
    import sys

    script = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
from jsii._kernel.providers.process import _NodeProcess
from tests import jsii_lock
from runtime import provider_loader
provider_loader.use_locked_node()
seen = []
jsii_lock._Holder.enter = lambda self, f=jsii_lock._Holder.enter: (seen.append(1), f(self))[1]
jsii_lock.serialize(_NodeProcess, __import__("pathlib").Path({str(tmp_path / "k.lock")!r}))
import constructs
from runtime.engine.core import App
root = App(outdir={str(tmp_path / "out")!r})
assert constructs.Construct(root, "child").node.path == "child"
print(len(seen))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout.split()[-1]) >= 3, (
        "loads, the app, the construct and its path: each a request"
    )


def _in_a_child(call: Callable[[], object]) -> int:
    """The exit code of a forked process that makes `call` (0 when it returns)."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover (reported by its exit code)
        try:
            call()
        finally:
            os._exit(0)
    for _ in range(200):  # 10 s: a lock that excludes its own process hangs, it does not fail
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    raise AssertionError("the call hung")


def test_a_holder_killed_inside_a_round_trip_stops_every_later_caller(tmp_path: Path) -> None:
    """Its answer may still be in the pipe: reading on would shift every later answer by one."""
    lock = tmp_path / "kernel.lock"

    class Kernel:
        def send(self) -> None:
            return None

    serialize(Kernel, lock, calls=("send",))
    assert lock.read_text() == "", "a new mutmut process starts with no holder"
    assert _in_a_child(Kernel().send) == 0 and lock.read_text() == ""
    lock.write_text("4242")  # a process killed between its request and its answer
    assert _in_a_child(Kernel().send) == STALE_EXIT
    assert _in_a_child(Kernel().send) == STALE_EXIT, "and the next one too"


def test_only_the_installing_process_stops_the_kernel_and_installing_twice_is_one(
    tmp_path: Path,
) -> None:
    stopped = tmp_path / "stopped"

    class Kernel:
        def send(self) -> None:
            return None

        def stop(self) -> None:
            with stopped.open("a") as file:
                file.write(f"{os.getpid()}\n")

    serialize(Kernel, tmp_path / "kernel.lock", calls=("send",))
    serialize(Kernel, tmp_path / "kernel.lock", calls=("send",))  # a second wrap would hang
    assert _in_a_child(Kernel().send) == 0
    assert _in_a_child(Kernel().stop) == 0 and not stopped.exists()
    Kernel().stop()
    assert stopped.read_text() == f"{os.getpid()}\n"
