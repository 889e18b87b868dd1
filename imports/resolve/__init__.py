"""Read-only resolver: finds the live IDs the seed does not give and writes them for review.

Describe calls are the source of truth (keyed by what the code and the seed know: CIDRs,
names, the resources that use a security group...); the resource list of the AWS CDK stack
(`EnvironmentConfig.cloudformation_stack`) is a cross-check that reports live resources no
construct adopts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from config import ConfigError, EnvironmentConfig
from imports import inventory
from imports.resolve import cloudflare, compute, data, edge, network, security_groups
from imports.resolve.context import ResolveContext

READ_PREFIXES = ("describe_", "list_", "get_", "head_")
# Read calls that would return a secret value: never made.
FORBIDDEN = frozenset(
    {
        "get_secret_value",
        "get_parameter",
        "get_parameters",
        "get_parameters_by_path",
        "get_parameter_history",
    }
)


class ReadOnlyClient:
    """A boto3 client that allows metadata reads only: no writes, no secret values."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        if name in ("get_paginator", "exceptions", "meta"):
            return getattr(self._client, name)
        if name in FORBIDDEN or not name.startswith(READ_PREFIXES):
            raise PermissionError(f"the resolver is read-only: {name} is not allowed")
        return getattr(self._client, name)


def run(
    env: EnvironmentConfig,
    client: Callable[[str], Any],
    *,
    cloudformation_stack: str | None = None,
    cloudflare_token: str | None = None,
    cloudflare_api: str = cloudflare.API,
) -> dict[str, Any]:
    """Resolve everything reachable; return the inventory document (validated entries)."""
    account = client("sts").get_caller_identity()["Account"]
    if account != env.account_id:
        raise ConfigError(
            f"credentials are for account {account}, the config is for {env.account_id}"
        )
    ctx = ResolveContext(env, client)
    for name, step in STEPS:
        _guarded(ctx, name, step)
    if cloudflare_token:
        token = cloudflare_token
        _guarded(ctx, "cloudflare", lambda c: cloudflare.resolve(c, token, cloudflare_api))
    else:
        ctx.gap("edge: CLOUDFLARE_API_TOKEN is not set; Cloudflare record IDs not resolved")
    stack = cloudformation_stack or env.cloudformation_stack
    _guarded(ctx, "cloudformation", lambda c: _cross_check(c, stack))
    entries = _valid(ctx)
    return {
        "environment": env.name,
        "account_id": env.account_id,
        "region": env.region,
        "cloudformation_stack": cloudformation_stack,
        "generated_by": "python -m imports.resolve (read-only describe/list calls)",
        "resources": sorted(entries, key=lambda e: (e["stack"], e["path"])),
        "notes": ctx.notes,
        "gaps": ctx.gaps,
        "complete": not ctx.gaps,
    }


STEPS: tuple[tuple[str, Callable[[ResolveContext], None]], ...] = (
    ("network", network.resolve),
    ("data", data.resolve),
    ("compute", compute.resolve),
    ("security groups", security_groups.resolve),
    ("edge", edge.resolve),
)


def _guarded(ctx: ResolveContext, name: str, step: Callable[[ResolveContext], None]) -> None:
    """Run one step; an AWS error or a response without an expected field ends that step
    with a note naming it, and the run goes on (the output is then incomplete)."""
    try:
        step(ctx)
    except ClientError as err:
        error = err.response.get("Error", {})
        operation = getattr(err, "operation_name", "?")
        ctx.gap(
            f"{name}: {operation} failed with {error.get('Code')}: {error.get('Message', '')}"
            "; the rest of this step was skipped"
        )
    except ConfigError:
        raise
    except OSError as err:  # an HTTP API (Cloudflare) that did not answer
        ctx.gap(f"{name}: {err}; step skipped")
    except (KeyError, IndexError, ValueError) as err:
        ctx.gap(f"{name}: a response lacked an expected field ({err!r}); step skipped")


def _valid(ctx: ResolveContext) -> list[dict[str, Any]]:
    """Entries that pass the inventory's own validation; the rest become notes."""
    kept = []
    for entry in ctx.entries:
        try:
            inventory.parse(
                {"account_id": ctx.env.account_id, "region": ctx.env.region, "resources": [entry]},
                ctx.env,
                origin="resolver",
            )
        except ConfigError as err:
            ctx.note(f"rejected: {err}")
            continue
        kept.append(entry)
    return kept


def _cross_check(ctx: ResolveContext, stack_name: str) -> None:
    cfn = ctx.client("cloudformation")
    try:
        pages = cfn.get_paginator("list_stack_resources").paginate(StackName=stack_name)
        physical = [r for page in pages for r in page["StackResourceSummaries"]]
    except ClientError as err:
        ctx.note(f"cloudformation: {stack_name}: {err.response['Error']['Code']}")
        return
    ids = [str(e["id"]) for e in ctx.entries]
    for resource in physical:
        pid = resource.get("PhysicalResourceId", "")
        if resource["ResourceType"] == "AWS::CDK::Metadata" or not pid:
            continue
        owners = [e for e, i in zip(ctx.entries, ids, strict=True) if pid == i or pid in i]
        for entry in owners:
            entry["source"] += f" (in {stack_name} as {resource['LogicalResourceId']})"
        if not owners:
            ctx.note(
                f"cloudformation: {resource['LogicalResourceId']} "
                f"({resource['ResourceType']}, {pid}) is adopted by no construct"
            )
