"""Cloudflare zone and DNS record IDs (read-only API calls with CLOUDFLARE_API_TOKEN)."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from typing import Any

from imports.resolve.context import ResolveContext

API = "https://api.cloudflare.com/client/v4"


def _get(base: str, token: str, path: str, **query: str) -> list[dict[str, Any]]:
    url = f"{base}{path}?{urllib.parse.urlencode(query)}"
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        body = json.loads(response.read())
    if not body.get("success"):
        raise RuntimeError(f"Cloudflare {path}: {body.get('errors')}")
    return list(body["result"])


def resolve(ctx: ResolveContext, token: str, base: str = API) -> None:
    env = ctx.env
    zones = _get(base, token, "/zones", name=env.domain)
    if len(zones) != 1:
        ctx.note(f"edge: {len(zones)} Cloudflare zones named {env.domain}")
        return
    zone = zones[0]["id"]
    wanted = {f"{s.subdomain}_record": f"{s.subdomain}.{env.domain}" for s in env.edge.sites}
    wanted[f"{env.edge.api_subdomain}_record"] = f"{env.edge.api_subdomain}.{env.domain}"
    validation = ctx.facts.get("validation_record")
    if validation:
        wanted["wildcard/validation"] = validation["Name"].rstrip(".")
    for path, name in wanted.items():
        records = _get(base, token, f"/zones/{zone}/dns_records", name=name, type="CNAME")
        if len(records) != 1:
            ctx.note(f"edge: {len(records)} CNAME records named {name} in Cloudflare")
            continue
        record = records[0]
        ctx.add(
            "edge",
            path,
            "cloudflare_dns_record",
            f"{zone}/{record['id']}",
            f"Cloudflare API dns_records name={name}",
            proxied=record.get("proxied", False),
            ttl=record.get("ttl"),
        )
