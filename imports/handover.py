"""Hand the estate over from CloudFormation (the AWS CDK stack) to Terraform, safely.

    python -m imports.handover --template template.json \
        --workflow ../app/.github/workflows/deploy.yml --out handover/
    python -m imports.handover --verify current-template.json

Writes the template with `DeletionPolicy: Retain` and `UpdateReplacePolicy: Retain` on every
resource (plus one marker output, so CloudFormation sees an update) and prints the ordered
runbook. `--verify` checks a template fetched after the update: every resource retained.
Refuses to start while the application's workflow still runs `cdk deploy` (it would revert
Terraform's changes, or re-create what the stack deletion removes).
"""

from __future__ import annotations

import copy
import json
import re
import sys
from pathlib import Path
from typing import Any

from config import ConfigError, load
from config.estate import ADOPTED_STACKS
from runtime import cli

RETAIN = {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}
MARKER = "FluxionTerraformHandover"
CDK_DEPLOY = re.compile(r"\bcdk\s+deploy\b|aws-cdk-action|cdk-deploy")


def load_template(path: Path) -> dict[str, Any]:
    text = path.read_text()
    try:
        template = json.loads(text)
    except json.JSONDecodeError as err:
        raise ConfigError(
            f"template {str(path)!r} is not JSON ({err.msg} at line {err.lineno}); fetch it with "
            "`aws cloudformation get-template ... --query TemplateBody --output json`"
        ) from None
    if not isinstance(template, dict) or not isinstance(template.get("Resources"), dict):
        raise ConfigError(f"template {str(path)!r} has no Resources section")
    return template


def retained(template: dict[str, Any]) -> dict[str, Any]:
    """The same template with every resource retained on delete and on replacement."""
    out = copy.deepcopy(template)
    for resource in out["Resources"].values():
        resource.update(RETAIN)
    out.setdefault("Outputs", {})[MARKER] = {
        "Description": "Resources retained for the Terraform adoption; delete the stack next.",
        "Value": "retained",
    }
    return out


def not_retained(template: dict[str, Any]) -> list[str]:
    return [
        f"{name} ({resource.get('Type')}): {key}={resource.get(key)!r}"
        for name, resource in sorted(template["Resources"].items())
        for key in RETAIN
        if resource.get(key) != "Retain"
    ]


def check_workflow(path: Path) -> None:
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if CDK_DEPLOY.search(line) and not line.lstrip().startswith("#"):
            raise ConfigError(
                f"workflow {str(path)!r} line {number} still deploys with AWS CDK "
                f"({line.strip()!r}): remove that job first"
            )


def runbook(stack: str, resources: int, region: str) -> str:
    cfn = f"aws cloudformation --region {region}"
    steps = [
        "0. Freeze: remove the `cdk deploy` job from the application's deploy workflow (this "
        "command checked it with --workflow) and announce no console changes until step 6.",
        "1. Resolve and review the IDs, then check parity and completeness:\n"
        "     .venv/bin/python -m imports.resolve --env production && git diff imports/resolved\n"
        "     make test && FLUXION_STRICT_IMPORTS=1 make synth",
        f"2. Retain every resource in CloudFormation ({resources} resources; nothing changes "
        "in AWS):\n"
        f"     {cfn} update-stack --stack-name {stack} --template-body "
        "file://handover/retained-template.json --capabilities CAPABILITY_IAM "
        "CAPABILITY_NAMED_IAM\n"
        "     (templates over 51,200 bytes: upload to S3 and use --template-url)\n"
        f"     {cfn} wait stack-update-complete --stack-name {stack}\n"
        f"     {cfn} get-template --stack-name {stack} --query TemplateBody --output json "
        "> handover/current.json\n"
        "     .venv/bin/python -m imports.handover --verify handover/current.json",
        "3. Plan every stack with its import blocks, in order, and gate each plan:\n"
        + "\n".join(
            f"     (cd cdktf.out/stacks/{s} && terraform init && terraform plan -out plan.bin "
            f"&& terraform show -json plan.bin > plan.json)"
            for s in ADOPTED_STACKS
        )
        + "\n     .venv/bin/python -m review.plan_summary --adoption "
        + " ".join(f"{s}=cdktf.out/stacks/{s}/plan.json" for s in ADOPTED_STACKS)
        + "\n     expect per stack: N to import, 0 to add, 0 to change, 0 to destroy "
        "(`-detailed-exitcode` cannot show this: an import-only plan exits 2 too)",
        "4. Apply the imports, in the same order:\n"
        + "\n".join(
            f"     (cd cdktf.out/stacks/{s} && terraform apply plan.bin)" for s in ADOPTED_STACKS
        ),
        f"5. Delete the CloudFormation stack; its resources stay (Retain):\n"
        f"     {cfn} delete-stack --stack-name {stack}\n"
        f"     {cfn} wait stack-delete-complete --stack-name {stack}",
        "6. Verify: `make synth`, plan every stack again (no changes), spot-check the database, "
        "the ALB and the three distributions. Terraform alone owns the estate now.",
    ]
    return f"Hand-over of {stack} to Terraform\n\n" + "\n\n".join(steps) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = cli.command("python -m imports.handover", __doc__)
    parser.add_argument("--template", type=Path, help="the stack's current template (JSON)")
    parser.add_argument("--workflow", type=Path, help="the app's deploy workflow to check")
    cli.environment(parser)  # whose CloudFormation stack and region
    parser.add_argument("--stack", help="default: the environment's cloudformation_stack")
    parser.add_argument("--region", help="default: the environment's region")
    parser.add_argument("--out", type=Path, default=Path("handover"))
    parser.add_argument("--verify", type=Path, help="check a fetched template is all Retain")
    args = cli.parse(parser, argv)
    try:
        env = load(args.environment)
        if args.verify:
            missing = not_retained(load_template(args.verify))
            for line in missing:
                print(f"not retained: {line}")
            print("all resources retained" if not missing else f"{len(missing)} not retained")
            return 1 if missing else 0
        if args.template is None:
            parser.error("--template (or --verify) is required")
        if args.workflow is None:
            parser.error("--workflow is required: the CDK deploy job must be gone first")
        check_workflow(args.workflow)
        template = load_template(args.template)
        args.out.mkdir(parents=True, exist_ok=True)
        target = args.out / "retained-template.json"
        target.write_text(json.dumps(retained(template), indent=1) + "\n")
        text = runbook(
            args.stack or env.cloudformation_stack,
            len(template["Resources"]),
            args.region or env.region,
        )
        (args.out / "RUNBOOK.md").write_text(text)
    except ConfigError as err:
        return cli.one_line_error(err)
    except OSError as err:  # a template or workflow that is not there or not readable
        return cli.one_line_error(err, message=f"{err.filename}: {err.strerror}")
    print(f"wrote {target} and {args.out / 'RUNBOOK.md'}\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
