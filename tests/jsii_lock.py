"""Under mutation testing only: one jsii caller at a time in mutmut's process tree.

mutmut's fork server imports the tests (`pytest --collect-only`) and then forks a process per
mutant, two at a time. Importing the tests starts the jsii kernel (one `node` process, one
pipe), so the mutants' processes share it: their requests interleaved and a test read another
process's answer (`TypeError: argument of type 'ObjRef' is not iterable` in a synthesis), a
mutant then counted as killed by a garbled answer. A clean checkout's run reported 0 survivors
in the security gate where the honest figure, each mutant run alone, was 21.

`serialize(_NodeProcess, path)` wraps the one method every request goes through (`send`: write a
request, read its answer): each round trip holds an exclusive `flock` on `path`, opened anew in
each process (a lock taken through a forked file description excludes nobody). A callback's
round trips are separate requests, and another process's request between them is answered in
its turn (the kernel serves requests one at a time, nested ones too). Installed only when
mutmut runs the tests (`tests/conftest.py`): a normal run's xdist workers each have their own
kernel. Not `Kernel`'s methods: `jsii` binds them as module functions when it is imported.
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


class _Holder:
    def __init__(self, path: Path) -> None:
        self.path, self.pid, self.depth = path, -1, 0
        self.file: IO[str] | None = None

    def enter(self) -> None:
        if self.pid != os.getpid():  # a fork: this process's own file description
            self.pid, self.depth, self.file = os.getpid(), 0, self.path.open("a")
        if self.depth == 0:
            assert self.file is not None
            fcntl.flock(self.file, fcntl.LOCK_EX)
        self.depth += 1

    def leave(self) -> None:
        self.depth -= 1
        if self.depth == 0 and self.file is not None:
            fcntl.flock(self.file, fcntl.LOCK_UN)


def serialize(process_class: type, path: Path, calls: tuple[str, ...] = CALLS) -> None:
    holder = _Holder(path)

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
