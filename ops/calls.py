"""AWS calls as data: printed before they run, asked about when they change something."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ops.errors import OpsError, aws_error, credentials_problem


@dataclass(frozen=True)
class Call:
    """One AWS API call: `service.operation(**params)` (boto3 names)."""

    service: str
    operation: str
    params: dict[str, Any]
    redacted: tuple[str, ...] = ()
    """Parameters printed as `<redacted>` (a secret's value): the call is shown, never them."""
    region: str | None = None
    """Another region than the environment's (a snapshot copied to the recovery region)."""

    def __str__(self) -> str:
        shown = {k: "<redacted>" if k in self.redacted else v for k, v in self.params.items()}
        where = f" (in {self.region})" if self.region else ""
        return f"{self.service}.{self.operation}{where} {json.dumps(shown, sort_keys=True)}"


@dataclass
class CallRunner:
    """Runs calls with `client(service)`; `say` prints, `ask` confirms a change."""

    client: Callable[..., Any]
    """`client(service)`, or `client(service, region)` for a call in another region."""
    say: Callable[[str], None]
    ask: Callable[[str], bool]
    yes: bool = False
    dry_run: bool = False

    def read(self, call: Call) -> Any:
        """A read-only call: printed, then made; in a dry run printed only (None)."""
        if self.dry_run:
            self.say(f"  read (dry run, not made): {call}")
            return None
        self.say(f"  read: {call}")
        return self._make(call)

    def change(self, calls: list[Call], question: str) -> list[Any] | None:
        """Calls that change the estate: all printed, one question, then made in order.
        None when nothing was made (a dry run or a no)."""
        for call in calls:
            self.say(f"  call: {call}")
        if self.dry_run:
            self.say("dry run: no call made")
            return None
        if not self.yes and not self.ask(question):
            self.say("not confirmed: no call made")
            return None
        return [self._make(call) for call in calls]

    def _make(self, call: Call) -> Any:
        try:
            client = (
                self.client(call.service, call.region) if call.region else self.client(call.service)
            )
            return getattr(client, call.operation)(**call.params)
        except Exception as err:
            if (credentials := credentials_problem(err)) is not None:
                raise OpsError(credentials) from None
            message = aws_error(err, "Message") or str(err)
            first = " ".join(message.split())[:300]  # one line, whatever the service sent
            raise OpsError(f"{call.service}.{call.operation}: {first}") from None
