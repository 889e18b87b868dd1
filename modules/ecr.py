"""An ECR repository with scan on push and a lifecycle policy that keeps recent images."""

from __future__ import annotations

import json
from dataclasses import dataclass

from constructs import Construct

from policies.document import Statement, allow
from runtime.engine.aws.ecr_lifecycle_policy import EcrLifecyclePolicy
from runtime.engine.aws.ecr_repository import (
    EcrRepository,
    EcrRepositoryImageScanningConfiguration,
)
from runtime.engine.core import TerraformResourceLifecycle

KEEP_IMAGES = 30


def keep_recent_policy(count: int) -> str:
    """Expire everything but the `count` most recent images (rollback needs a few)."""
    return json.dumps(
        {
            "rules": [
                {
                    "rulePriority": 1,
                    "description": f"Keep the {count} most recent images",
                    "selection": {
                        "tagStatus": "any",
                        "countType": "imageCountMoreThan",
                        "countNumber": count,
                    },
                    "action": {"type": "expire"},
                }
            ]
        }
    )


@dataclass(frozen=True)
class RepositoryProps:
    name: str
    """The repository's name."""
    keep_images: int = KEEP_IMAGES
    """Images the lifecycle policy keeps (the most recent). Default: 30."""
    immutable: bool = False
    """Refuse pushing a tag twice. Default: off (as live, the seed pushes `:latest`)."""


class Repository(Construct):
    def __init__(self, scope: Construct, id_: str, *, props: RepositoryProps) -> None:
        super().__init__(scope, id_)
        immutable = props.immutable
        self.repository = EcrRepository(
            self,
            "repository",
            name=props.name,
            # live: the pipeline pushes `:latest` and forces a new deployment (seed runbook);
            # `immutable` (hardened): the pipeline pushes git-SHA tags instead
            image_tag_mutability="IMMUTABLE" if immutable else "MUTABLE",
            image_scanning_configuration=EcrRepositoryImageScanningConfiguration(scan_on_push=True),
            force_delete=False,
            lifecycle=TerraformResourceLifecycle(prevent_destroy=True),
        )
        EcrLifecyclePolicy(
            self,
            "lifecycle",
            repository=self.repository.name,
            policy=keep_recent_policy(props.keep_images),
        )


def pull_grant(repository_arns: list[str]) -> list[Statement]:
    """What pulling the repositories' images takes (an execution role's part)."""
    return [
        allow(["ecr:GetAuthorizationToken"], "*"),  # account-level call, no ARN
        allow(
            ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            repository_arns,
        ),
    ]
