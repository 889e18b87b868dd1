"""The operations command's own error: one line, exit 2."""

from __future__ import annotations

from config.errors import CREDENTIAL_ERRORS, ExpectedError


def aws_error(err: BaseException, field: str) -> str | None:
    """`Code` or `Message` of a botocore ClientError's response; None for other errors."""
    value = getattr(err, "response", {}).get("Error", {}).get(field)
    return str(value) if value else None


def credentials_problem(err: BaseException) -> str | None:
    """One line when `err` is about the credentials (none, expired, revoked), else None."""
    code = aws_error(err, "Code") or type(err).__name__
    if code not in CREDENTIAL_ERRORS:
        return None
    return (
        f"credentials: {code}: AWS credentials are missing, expired or revoked (not a problem "
        "of the estate): renew them (aws sso login, or the role) and run again"
    )


class OpsError(ExpectedError):
    """Bad input or a missing prerequisite; the message names the field, value and source."""
