"""The operations command's own error: one line, exit 2."""

from __future__ import annotations


class OpsError(Exception):
    """Bad input or a missing prerequisite; the message names the field, value and source."""
