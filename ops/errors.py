"""The operations command's own error: one line, exit 2."""

from __future__ import annotations

from config.errors import ExpectedError


def aws_error(err: BaseException, field: str) -> str | None:
    """`Code` or `Message` of a botocore ClientError's response; None for other errors."""
    value = getattr(err, "response", {}).get("Error", {}).get(field)
    return str(value) if value else None


class OpsError(ExpectedError):
    """Bad input or a missing prerequisite; the message names the field, value and source."""
