"""Under mutation testing only: one jsii caller at a time in mutmut's process tree.

mutmut (3.8, `process_isolation = "fork"`, its default) runs its stats and clean runs in its
own process, which imports the tests and so starts the jsii kernel (one `node` process, one
pipe), then forks a process per mutant from it, two at a time. The mutants' processes shared
the kernel: their requests interleaved and a test read another process's answer (`TypeError:
argument of type 'ObjRef' is not iterable` in a synthesis), a mutant then counted as killed by
a garbled answer. A clean checkout's run reported 0 survivors in the security gate where the
honest figure, each mutant run alone, was 21 (64 in the whole module).

`serialize(_NodeProcess, path)` wraps the one method every request goes through (`send`: write a
request, read its answer; jsii binds `Kernel`'s methods as module functions at import, so they
cannot be wrapped): each round trip holds an exclusive `flock` on `path`, opened anew in each
process (a lock taken through a forked file description excludes nobody), and writes the
holder's pid in it until the answer is read. A process killed inside a round trip (mutmut's
timeout) leaves its pid there and maybe its answer in the pipe, so every later caller exits
with `STALE_EXIT` instead of reading it: mutmut calls that `suspicious`, and `make mutants`
runs such mutants again in a fresh mutmut process, with a fresh kernel (scripts/mutants.py).
`stop` (the kernel's exit request, at interpreter exit) is sent by the process that installed
the lock only. Not covered: a Python override that node calls back while another process's
callback is pending (the project has none; jsii answers "Unexpected completion of callback").
Installed only when mutmut runs the tests (`tests/conftest.py`), which also empties the file
for each mutmut process: a normal run's xdist workers each have their own kernel.
"""

from __future__ import annotations

import fcntl
import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

CALLS = ("send",)
"""jsii's `_NodeProcess` method that talks to the kernel process: one request, its answer."""
STALE_EXIT = 97
"""A mutant's process that found the kernel's pipe left mid-answer by a killed one."""


class _Holder:
    def __init__(self, path: Path) -> None:
        self.path, self.pid, self.depth = path, -1, 0
        self.file: IO[str] | None = None

    def enter(self) -> None:
        if self.pid != os.getpid():  # a fork: this process's own file description
            self.pid, self.depth, self.file = os.getpid(), 0, self.path.open("a+")
        if self.depth == 0:
            assert self.file is not None
            fcntl.flock(self.file, fcntl.LOCK_EX)
            self.file.seek(0)
            if self.file.read().strip():  # its holder died inside a round trip
                os._exit(STALE_EXIT)
            self.file.write(str(self.pid))
            self.file.flush()
        self.depth += 1

    def leave(self) -> None:
        self.depth -= 1
        if self.depth == 0 and self.file is not None:
            self.file.truncate(0)
            self.file.flush()
            fcntl.flock(self.file, fcntl.LOCK_UN)


def serialize(process_class: type, path: Path, calls: tuple[str, ...] = CALLS) -> None:
    if getattr(process_class, "_fluxion_serialized", False):  # twice would lock itself out
        return
    path.write_text("")  # a new mutmut process: a new kernel, no earlier holder
    holder, owner = _Holder(path), os.getpid()

    def locked(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def call(*args: Any, **kwargs: Any) -> Any:
            holder.enter()
            try:
                return method(*args, **kwargs)
            finally:
                holder.leave()

        return call

    for name in calls:
        setattr(process_class, name, locked(getattr(process_class, name)))
    stop = getattr(process_class, "stop", None)
    if stop is not None:

        @functools.wraps(stop)
        def stop_if_owner(self: Any) -> None:
            if os.getpid() == owner:  # a mutant's process leaves the shared kernel running
                stop(self)

        process_class.stop = stop_if_owner  # type: ignore[attr-defined]
    process_class._fluxion_serialized = True  # type: ignore[attr-defined]
