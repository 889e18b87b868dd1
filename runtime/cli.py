"""The one scaffold of every command: its parser, the shared options, and the exit-2 mapping.

Every command (`python main.py`, `python -m deploy`, `python -m ops`, the gates, the scripts)
builds its parser with `command()` and the shared options below, so `--environment`,
`--profile`, `--out`, `--debug` and `--yes` mean the same everywhere, and runs its body with
`run()`: an expected error (`config.errors.ExpectedError`: bad configuration, a refusal, a
missing prerequisite) becomes one line on stderr, `<prefix>: <what, the value, where it came
from, what to run>`, and exit status 2. `FLUXION_DEBUG=1` in the environment, or `--debug`,
adds the traceback above that line; an unexpected error always shows its traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

# Nothing from `config` at import time: importing it validates every environment, and main.py
# must be able to report a configuration that does not validate, in one line.

ROOT = Path(__file__).resolve().parents[1]
DEBUG = "FLUXION_DEBUG"


def command(prog: str, doc: str | None) -> argparse.ArgumentParser:
    """A command's parser, its help the module's docstring."""
    return argparse.ArgumentParser(
        prog=prog, description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )


def environment(parser: argparse.ArgumentParser) -> None:
    """`--environment` (or `--env`): default FLUXION_ENV, else the default environment."""
    from config import DEFAULT_ENVIRONMENT

    parser.add_argument(
        "--environment",
        "--env",
        dest="environment",
        default=os.environ.get("FLUXION_ENV") or DEFAULT_ENVIRONMENT,
        help="the environment (config/environments.py; default: FLUXION_ENV or production)",
    )


def profile(parser: argparse.ArgumentParser) -> None:
    """`--profile adopt|hardened`: a preset instead of the environment's own switches."""
    from config import PROFILES

    parser.add_argument(
        "--profile",
        choices=PROFILES,
        default=os.environ.get("FLUXION_PROFILE") or None,
        help="a preset instead of the environment's own hardening switches "
        "(default: FLUXION_PROFILE, else the environment's)",
    )


def out(parser: argparse.ArgumentParser) -> None:
    """`--out`: the synthesized output folder (default: cdktf.out)."""
    parser.add_argument("--out", type=Path, default=ROOT / "cdktf.out", help="default: cdktf.out")


def parse(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """`parser.parse_args(argv)` with the shared `--debug` flag, which switches tracebacks on."""
    parser.add_argument(
        "--debug", action="store_true", help="show the traceback of an expected error too"
    )
    args = parser.parse_args(argv)
    if args.debug:
        os.environ[DEBUG] = "1"
    return args


def debug_from_argv(argv: list[str]) -> None:
    """For an entry point without an argument parser (`python main.py --debug`)."""
    if "--debug" in argv:
        os.environ[DEBUG] = "1"


def one_line_error(err: BaseException, prefix: str = "error", *, message: str | None = None) -> int:
    """Print the one line (with the traceback first when debugging); return exit status 2."""
    if os.environ.get(DEBUG) == "1":
        traceback.print_exception(err)
    print(f"{prefix}: {message if message is not None else err}", file=sys.stderr, flush=True)
    return 2


def run(body: Callable[[], int]) -> int:
    """`body()`, with every expected error turned into its one line and exit status 2."""
    from config.errors import ExpectedError  # not at import: main.py reports a bad config

    try:
        return body()
    except ExpectedError as err:
        return one_line_error(err, err.prefix)


def confirm(question: str) -> bool:
    """Ask on a terminal; anything but `y` (and no terminal at all) is no."""
    if not sys.stdin.isatty():
        return False
    return input(f"{question} [y/N] ").strip().lower() == "y"
