"""The WireGuard bridge's key: is it in the boot script, and a new one (docs/operations.md).

The plan role reads the bridge's boot script (`ec2:DescribeInstanceAttribute`: Terraform
reads `user_data` to plan), so any pull request could read a key written into it. This
project's script reads the key from Secrets Manager at boot; the one AWS CDK deployed may
hold it. The runbook: `bridge-key-check`, then `rotate-bridge-key` (a new key pair into the
secret; its public key to La Granja), then replace the bridge so it boots with this project's
script (`make deploy-stack STACK=network REPLACE=<the instance's address>`).
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from ops.calls import Call
from ops.errors import OpsError
from ops.verbs import OpsContext

PRIVATE_KEY = re.compile(r"PrivateKey\s*=\s*[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=")
"""A WireGuard private key written into a config: 32 bytes in base64 (the last character
before `=` carries the low bits); `PrivateKey = $(...)` reads it at boot instead."""


def bridge_instance(ctx: OpsContext) -> str:
    """The bridge's instance, from the network stack's published interface."""
    eni = ctx.outputs.get("network", "wireguard_eni_id")
    found = ctx.runner.read(
        Call("ec2", "describe_network_interfaces", {"NetworkInterfaceIds": [eni]})
    )
    if found is None:
        return "<the bridge's instance>"
    interfaces = found.get("NetworkInterfaces", [])
    instance = interfaces[0].get("Attachment", {}).get("InstanceId") if interfaces else None
    if not instance:
        raise OpsError(f"bridge: network interface {eni} is attached to no instance")
    return str(instance)


def key_check(ctx: OpsContext) -> int:
    """Read-only: does the bridge's boot script hold a WireGuard private key? Never prints it."""
    instance = bridge_instance(ctx)
    found = ctx.runner.read(
        Call(
            "ec2",
            "describe_instance_attribute",
            {"InstanceId": instance, "Attribute": "userData"},
        )
    )
    if found is None:
        return 0
    encoded = found.get("UserData", {}).get("Value", "")
    script = base64.b64decode(encoded).decode(errors="replace") if encoded else ""
    lines = [n for n, line in enumerate(script.splitlines(), 1) if PRIVATE_KEY.search(line)]
    if lines:
        ctx.say(
            f"{instance}: its boot script holds a WireGuard private key (line {lines[0]}): "
            "anyone who can plan can read it. Rotate it: python -m ops rotate-bridge-key, "
            "then replace the bridge (docs/operations.md, 'The bridge's key')"
        )
        return 1
    ctx.say(f"{instance}: no private key in its boot script ({len(script)} bytes read)")
    return 0


def new_key_pair() -> tuple[str, str]:
    """A WireGuard key pair (`wg genkey | wg pubkey`): X25519, base64."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
        PublicFormat,
    )

    key = X25519PrivateKey.generate()
    private = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(private).decode(), base64.b64encode(public).decode()


def rotate_key(ctx: OpsContext) -> int:
    """A new private key into the bridge's secret (the rest of it kept); prints the new
    public key for La Granja's peer. Asks first; the value is never printed."""
    name = ctx.config.network.wireguard_secret_name
    current = ctx.runner.read(Call("secretsmanager", "get_secret_value", {"SecretId": name}))
    if current is None:  # a dry run: show the change without reading the value
        ctx.runner.change([_put(name, {"private_key": "<new>"})], f"rotate the key in {name}?")
        return 0
    try:
        config: dict[str, Any] = json.loads(current["SecretString"])
    except (KeyError, ValueError):
        raise OpsError(f"rotate-bridge-key: {name} does not hold the bridge's JSON") from None
    missing = [k for k in ("private_key", "peer_public_key", "peer_endpoint") if k not in config]
    if missing:
        raise OpsError(f"rotate-bridge-key: {name} has no {', '.join(missing)}")
    private, public = new_key_pair()
    question = f"write a new private key into {name} (the tunnel drops until both ends use it)?"
    if not ctx.runner.change([_put(name, config | {"private_key": private})], question):
        return 0
    ctx.say(
        f"new public key for La Granja's peer: {public}\n"
        "next: La Granja puts it in its peer; then replace the bridge so it boots with it: "
        "make deploy-stack STACK=network REPLACE=<the bridge's address> (docs/operations.md)"
    )
    return 0


def _put(name: str, value: dict[str, Any]) -> Call:
    return Call(
        "secretsmanager",
        "put_secret_value",
        {"SecretId": name, "SecretString": json.dumps(value)},
        redacted=("SecretString",),
    )
