"""The deploy's own error: a refusal to apply, not a configuration mistake."""

from __future__ import annotations

from config.errors import ExpectedError


class Refused(ExpectedError):
    """The deploy will not go ahead (dirty tree, another commit or profile, a stale or
    changed plan, a guard refusal...). The message is the one line the user sees."""

    prefix = "refused"
