"""Finds literal secret values in synthesized Terraform JSON."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

PATTERNS = {
    "AWS access key id": re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "WireGuard key": re.compile(
        r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=(?![A-Za-z0-9+/=])"
    ),
    "Sentry DSN": re.compile(r"https://[0-9a-f]{32}@[\w.-]+/\d+"),
    "URL with credentials": re.compile(r"[a-z]+://[^/\s:@]+:[^/\s@]+@"),
    "La Granja peer endpoint": re.compile(r"mynetname\.net"),
}
# Arguments that carry a secret: they may only hold references, never literals.
SECRET_ARGUMENTS = {
    "aws_db_instance": {"password", "password_wo"},
    "aws_ssm_parameter": {"value", "insecure_value", "value_wo"},
    "aws_secretsmanager_secret_version": {"secret_string", "secret_binary", "secret_string_wo"},
    "aws": {"access_key", "secret_key", "token"},
    "cloudflare": {"api_token", "api_key"},
}


def _walk(node: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{path}[{i}]")
    else:
        yield path, node


def find_secrets(doc: dict[str, Any]) -> list[str]:
    """Paths and kinds of every literal that looks like a secret."""
    found = []
    for path, value in _walk(doc, ""):
        if not isinstance(value, str):
            continue
        for kind, pattern in PATTERNS.items():
            if pattern.search(value):
                found.append(f"{path}: {kind}")
        parts = path.split(".")
        # .resource.<type>.<name>.<argument>  or  .provider.<name>[i].<argument>
        if parts[1] == "resource" and len(parts) == 5:
            kind, argument = parts[2], parts[4]
        elif parts[1] == "provider" and len(parts) == 4:
            kind, argument = parts[2].split("[")[0], parts[3]
        else:
            continue
        if argument in SECRET_ARGUMENTS.get(kind, ()) and "${" not in value:
            found.append(f"{path}: literal value of a secret argument")
    return found
