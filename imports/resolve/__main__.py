"""python -m imports.resolve [--environment production] [--out FILE] ... (read-only AWS calls).

Exit status: 0 the output is complete; 1 it was written but something could not be resolved
(each such thing is a note naming it: an AWS error on one service, a resource that no longer
exists, a Cloudflare API that did not answer); 2 nothing was written (bad input, no
credentials, an unreachable endpoint, another account). Throttled calls are retried (botocore's
standard mode, up to 10 attempts) before they count as an error.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

import config
from imports.inventory import resolved_path
from imports.resolve import ReadOnlyClient, cloudflare, run
from runtime import cli


def retries() -> Config:
    """Ten attempts (standard mode) unless AWS_MAX_ATTEMPTS says otherwise.

    The inventory is read once, before a review, so patience beats speed; an
    operator who wants a fast failure (or a test that points at a closed port)
    sets AWS_MAX_ATTEMPTS, which botocore reads and validates itself.
    """
    if os.environ.get("AWS_MAX_ATTEMPTS"):
        return Config(retries={"mode": "standard"})
    return Config(retries={"max_attempts": 10, "mode": "standard"})


def main(argv: list[str] | None = None) -> int:
    parser = cli.command("python -m imports.resolve", __doc__)
    cli.environment(parser)
    parser.add_argument("--profile", help="AWS profile (default: the usual credential chain)")
    parser.add_argument("--endpoint-url", help="AWS endpoint (an emulator, for tests)")
    parser.add_argument(
        "--cloudformation-stack", help="default: the environment's cloudformation_stack"
    )
    parser.add_argument("--cloudflare-api", default=cloudflare.API)
    parser.add_argument("--out", type=Path, help="default: imports/resolved/<env>.json")
    args = cli.parse(parser, argv)
    try:
        env = config.load(args.environment)
        session = boto3.Session(profile_name=args.profile, region_name=env.region)

        def client(service: str) -> ReadOnlyClient:
            return ReadOnlyClient(
                session.client(service, endpoint_url=args.endpoint_url, config=retries())
            )

        doc = run(
            env,
            client,
            cloudformation_stack=args.cloudformation_stack,
            cloudflare_token=os.environ.get("CLOUDFLARE_API_TOKEN"),
            cloudflare_api=args.cloudflare_api,
        )
    except config.ConfigError as err:
        return cli.one_line_error(err)
    except (BotoCoreError, ClientError) as err:  # no credentials, no endpoint, STS refused
        return cli.one_line_error(err, message=f"AWS: {err} (nothing was written)")
    out = args.out or resolved_path(env.name)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=2) + "\n")
    print(f"wrote {len(doc['resources'])} resolved entries to {out}; review it, then `make synth`")
    for note in doc["notes"]:
        print(f"  note: {note}")
    if not doc["complete"]:
        print("incomplete: see the notes above; resolve them or review what is missing")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
