"""The errors a user can fix: each becomes one line and exit status 2 (`runtime/cli.py`).

`ExpectedError` is the base every command's own error derives from (`ConfigError` here for bad
input, `deploy.errors.Refused`, `ops.errors.OpsError`, `review.github.GitHubError`); its
`prefix` starts the line (`error:`, `refused:`).
"""

from __future__ import annotations


class ExpectedError(Exception):
    """An error the user can fix; the message is the one line they see after `prefix`."""

    prefix = "error"


class ConfigError(ExpectedError, ValueError):
    """Invalid configuration or props; the message names the field and the bad value.

    `field` (dotted, e.g. `compute.desired_count`), `value` and `expected` are carried as
    attributes too, so a caller that adds where the value came from (an environment variable,
    a flag) never parses the message. Errors that are not about one field leave them empty.
    """

    def __init__(
        self, message: str, *, field: str = "", value: object = None, expected: str = ""
    ) -> None:
        super().__init__(message)
        self.field, self.value, self.expected = field, value, expected

    @classmethod
    def invalid(cls, field: str, value: object, expected: str) -> ConfigError:
        """`<field>: <value!r> <expected>`, e.g. `region: 'us-east' is not an AWS region name`."""
        return cls(f"{field}: {value!r} {expected}", field=field, value=value, expected=expected)

    def came_from(self, source: str) -> ConfigError:
        """The same error, its message prefixed by where the value came from."""
        return ConfigError(
            f"{source}: {self}", field=self.field, value=self.value, expected=self.expected
        )


CREDENTIAL_ERRORS = frozenset({
    "NoCredentialsError", "PartialCredentialsError", "CredentialRetrievalError",
    "TokenRetrievalError", "UnauthorizedSSOTokenError", "SSOTokenLoadError",
    "ExpiredToken", "ExpiredTokenException", "RequestExpired", "InvalidClientTokenId",
    "InvalidAccessKeyId", "SignatureDoesNotMatch", "UnrecognizedClientException",
})  # fmt: skip
"""botocore exception names and AWS error codes that say the credentials are missing, expired
or wrong: the caller's, not the estate's, problem."""
