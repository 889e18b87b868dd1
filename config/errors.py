"""The one exception type for bad input, and how every entry point reports it.

Every command turns an expected error into one line on stderr (what was wrong, the value,
where it came from, what to run) and exit status 2. `FLUXION_DEBUG=1` in the environment, or
`--debug` on a command that takes arguments, adds the traceback above that line; an unexpected
error always shows its traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback

DEBUG = "FLUXION_DEBUG"


class ConfigError(ValueError):
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


def debug_from_argv(argv: list[str]) -> None:
    """For an entry point without an argument parser (`python main.py --debug`)."""
    if "--debug" in argv:
        os.environ[DEBUG] = "1"


def parse_args(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """`parser.parse_args(argv)` with the shared `--debug` flag, which switches tracebacks on."""
    parser.add_argument(
        "--debug", action="store_true", help="show the traceback of an expected error too"
    )
    args = parser.parse_args(argv)
    if args.debug:
        os.environ[DEBUG] = "1"
    return args


def one_line_error(err: BaseException, prefix: str = "error", *, message: str | None = None) -> int:
    """Print the one line (with the traceback first when debugging); return exit status 2."""
    if os.environ.get(DEBUG) == "1":
        traceback.print_exception(err)
    print(f"{prefix}: {message if message is not None else err}", file=sys.stderr, flush=True)
    return 2
