"""Turns the inventory into `import` blocks: exactly one per adopted resource, in its stack."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from config import ConfigError
from imports.inventory import Entry, Inventory
from runtime.engine.aws.data_aws_acm_certificate import DataAwsAcmCertificate
from runtime.engine.aws.data_aws_lb import DataAwsLb
from runtime.engine.aws.data_aws_lb_listener import DataAwsLbListener
from runtime.engine.aws.data_aws_secretsmanager_secret import DataAwsSecretsmanagerSecret
from runtime.engine.core import TerraformDataSource, TerraformResource, TerraformStack

LOOKUP_CLASSES: dict[str, Any] = {
    "aws_lb": DataAwsLb,
    "aws_lb_listener": DataAwsLbListener,
    "aws_acm_certificate": DataAwsAcmCertificate,
    "aws_secretsmanager_secret": DataAwsSecretsmanagerSecret,
}
RESOLVE_COMMAND = ".venv/bin/python -m imports.resolve --env {env}"


@dataclass
class StackAdoption:
    stack: str
    resources: int = 0
    imported: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    addresses: dict[str, str] = field(default_factory=dict)
    """Construct path -> Terraform address, for every resource of the stack."""


def resources_by_path(stack: TerraformStack) -> dict[str, TerraformResource]:
    """Every resource of the stack keyed by its construct path below the stack."""
    prefix = f"{stack.node.path}/"
    return {
        node.node.path.removeprefix(prefix): node
        for node in stack.node.find_all()
        if isinstance(node, TerraformResource)
    }


def attach(
    stack: TerraformStack, entries: dict[str, Entry], *, use_import_from: bool = False
) -> StackAdoption:
    """Add an import block to each resource the inventory names; report the rest.

    The blocks are written as one `import` override per stack, the same JSON that cdktf's
    `resource.import_from(id)` writes: on cdktf 0.21 each `import_from` adds ~80 ms to the
    synthesis (3 s for 40 blocks, a third of the whole synth). `use_import_from=True` takes
    the cdktf way; `tests/test_inventory.py` checks that both give the same blocks.
    """
    found = resources_by_path(stack)
    kinds = {path: resource.terraform_resource_type for path, resource in found.items()}
    for path, entry in sorted(entries.items()):
        if path not in found:
            raise ConfigError(f"inventory: {entry.where} points at no resource of the stack")
        if kinds[path] != entry.type:
            raise ConfigError(f"inventory: {entry.where} is a {kinds[path]} in the code")
    adoption = StackAdoption(stack.node.id, resources=len(found))
    lookups: dict[str, str] = {}
    blocks = []
    for path, resource in sorted(found.items()):
        adoption.addresses[path] = f"{kinds[path]}.{resource.friendly_unique_id}"
        if path not in entries:
            adoption.missing.append(f"{path} ({kinds[path]})")
            continue
        import_id = _import_id(stack, entries[path], entries, lookups)
        if use_import_from:
            resource.import_from(import_id)
        else:
            blocks.append({"to": adoption.addresses[path], "id": import_id})
        adoption.imported.append(path)
    if blocks:
        stack.add_override("import", blocks)
    return adoption


def _import_id(
    stack: TerraformStack, entry: Entry, entries: dict[str, Entry], lookups: dict[str, str]
) -> str:
    if entry.id is not None:
        return entry.id
    if entry.path in lookups:
        return lookups[entry.path]
    assert entry.lookup is not None
    args = {}
    for name, value in entry.lookup.args.items():
        if isinstance(value, str) and value.startswith("@"):
            ref = value[1:]
            if ref not in entries:
                raise ConfigError(f"inventory: {entry.where} refers to {value!r}, not in it")
            value = _import_id(stack, entries[ref], entries, lookups)
        args[name] = value
    key = "import_" + entry.path.replace("/", "_")
    source: TerraformDataSource = LOOKUP_CLASSES[entry.lookup.data](stack, key, **args)
    lookups[entry.path] = f"${{{source.fqn}.{entry.lookup.attribute}}}"
    return lookups[entry.path]


def attach_all(stacks: dict[str, TerraformStack], inventory: Inventory) -> list[StackAdoption]:
    return [attach(stacks[name], inventory.for_stack(name)) for name in stacks]


def summary(adoptions: list[StackAdoption]) -> str:
    """One line per adopted stack: what `make synth` prints (`report` has the details)."""
    lines = [
        f"{a.stack}: {a.resources} resources, {len(a.imported)} with an import block"
        + (f", {len(a.missing)} not yet adopted" if a.missing else "")
        for a in adoptions
    ]
    if any(a.missing for a in adoptions):
        lines.append("not yet adopted: `make adoption-report` lists them and what to run")
    return "\n".join(lines)


def report(adoptions: list[StackAdoption], inventory: Inventory) -> str:
    """One readable summary: what is imported, what is not, and the command that fixes it."""
    total = sum(a.resources for a in adoptions)
    done = sum(len(a.imported) for a in adoptions)
    lines = [f"adoption ({inventory.environment}): {done} of {total} resources have an import "
             f"block (inventory: {', '.join(inventory.files) or 'none'})"]  # fmt: skip
    for a in adoptions:
        lines.append(f"  {a.stack}: {len(a.imported)}/{a.resources}")
        lines.extend(f"    no import yet: {m}" for m in a.missing)
    if done < total:
        lines.append("Resolve the missing IDs with read-only AWS calls, then review the file:")
        lines.append(f"  {RESOLVE_COMMAND.format(env=inventory.environment)}")
    return "\n".join(lines)
