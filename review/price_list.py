"""`make cost-prices`: refresh the price catalog (`review/prices.json`) from AWS's Price List
API, for review in a pull request like any other change.

For each catalog entry it asks `pricing:GetProducts` (the API's us-east-1 endpoint; any
identity allowed `pricing:GetProducts`) for the entry's service and usage type in its region,
plus the entry's own `filters` (engine, deployment, operating system...), and reads the
on-demand price per unit in USD. Tiered prices keep the first tier that costs something (the
estate is small). Exactly one price must come back: none or several different ones leave the
entry as it was and name it in the output for a person to look at. Changed entries get the
new `usd`, today's `read` and `how: price-list-api`; the command prints each change.
"""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path
from typing import Any, Protocol

from review.pricers import CATALOG
from runtime import cli

GLOBAL_SERVICES = ("AmazonCloudFront",)
"""Services whose prices are not per region (the Price List has no regionCode for them)."""


class PricingClient(Protocol):
    def get_products(self, **kwargs: Any) -> dict[str, Any]: ...


def _filters(entry: dict[str, Any]) -> list[dict[str, str]]:
    wanted = {"usagetype": entry["usage_type"], **entry.get("filters", {})}
    if entry["service"] not in GLOBAL_SERVICES:
        wanted["regionCode"] = entry["region"]
    return [{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in sorted(wanted.items())]


def _on_demand_usd(product: dict[str, Any]) -> set[float]:
    """The first non-zero tier of each on-demand offer of one product."""
    found: set[float] = set()
    for offer in product.get("terms", {}).get("OnDemand", {}).values():
        tiers = sorted(offer.get("priceDimensions", {}).values(),
                       key=lambda d: float(d.get("beginRange", "0")))  # fmt: skip
        priced = [
            float(d["pricePerUnit"]["USD"]) for d in tiers if "USD" in d.get("pricePerUnit", {})
        ]
        nonzero = [usd for usd in priced if usd > 0]
        if nonzero or priced:
            found.add((nonzero or priced)[0])
    return found


def price_of(client: PricingClient, entry: dict[str, Any]) -> set[float]:
    """Every distinct on-demand USD price the API returns for `entry` (all pages)."""
    prices: set[float] = set()
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {"ServiceCode": entry["service"], "Filters": _filters(entry)}
        if token:
            kwargs["NextToken"] = token
        answer = client.get_products(**kwargs)
        for item in answer.get("PriceList", []):
            prices |= _on_demand_usd(json.loads(item) if isinstance(item, str) else item)
        token = answer.get("NextToken")
        if not token:
            return prices


def refresh(client: PricingClient, catalog: dict[str, Any], today: datetime.date) -> list[str]:
    """Update `catalog` in place; one line per change and per entry a person must look at."""
    lines: list[str] = []
    for entry in catalog["prices"]:
        prices = price_of(client, entry)
        if len(prices) != 1:
            seen = ", ".join(f"{p:g}" for p in sorted(prices)) or "none"
            lines.append(f"check by hand: {entry['key']}: {len(prices)} prices ({seen}); kept")
            continue
        (usd,) = prices
        if round(usd, 6) != round(float(entry["usd"]), 6):
            lines.append(
                f"changed: {entry['key']}: {entry['usd']:g} -> {usd:g} USD per {entry['unit']}"
            )
        entry.update(usd=usd, read=today.isoformat(), how="price-list-api")
    return lines


def dump(catalog: dict[str, Any]) -> str:
    """The catalog as the file keeps it: one price per line, so a refresh's diff is a line
    per changed price."""
    prices = ",\n".join(f"    {json.dumps(p, ensure_ascii=False)}" for p in catalog["prices"])
    free = ",\n".join(f"    {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}"
                      for k, v in catalog["free"].items())  # fmt: skip
    return (
        "{\n"
        f'  "about": {json.dumps(catalog["about"], ensure_ascii=False)},\n'
        f'  "hours_per_month": {catalog["hours_per_month"]},\n'
        f'  "prices": [\n{prices}\n  ],\n'
        f'  "free": {{\n{free}\n  }}\n'
        "}\n"
    )


def main(argv: list[str] | None = None, client: PricingClient | None = None) -> int:
    parser = cli.command("python -m review.price_list", __doc__)
    parser.add_argument("--catalog", type=Path, default=CATALOG)
    parser.add_argument("--dry-run", action="store_true", help="print the changes only")
    args = cli.parse(parser, argv)
    if client is None:
        import boto3

        client = boto3.client("pricing", region_name="us-east-1")
    catalog = json.loads(args.catalog.read_text())
    try:
        lines = refresh(client, catalog, datetime.datetime.now(datetime.UTC).date())
    except Exception as err:  # botocore's errors: no credentials, no network, access denied
        return cli.one_line_error(err, message=f"the Price List API did not answer: {err}")
    print("\n".join(lines) or "no price changed")
    if not args.dry_run:
        args.catalog.write_text(dump(catalog))
        print(f"wrote {args.catalog}: review the diff before merging it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
