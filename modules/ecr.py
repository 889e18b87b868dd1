"""An ECR repository with scan on push and a lifecycle policy that keeps recent images."""

from __future__ import annotations

import json

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.ecr_lifecycle_policy import EcrLifecyclePolicy
from cdktf_cdktf_provider_aws.ecr_repository import (
    EcrRepository,
    EcrRepositoryImageScanningConfiguration,
)
from constructs import Construct

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


class Repository(Construct):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        keep: int = KEEP_IMAGES,
        immutable: bool = False,
    ) -> None:
        super().__init__(scope, id_)
        self.repository = EcrRepository(
            self,
            "repository",
            name=name,
            # live: the pipeline pushes `:latest` and forces a new deployment (seed runbook);
            # `immutable` (hardened): the pipeline pushes git-SHA tags instead
            image_tag_mutability="IMMUTABLE" if immutable else "MUTABLE",
            image_scanning_configuration=EcrRepositoryImageScanningConfiguration(scan_on_push=True),
            force_delete=False,
            lifecycle=TerraformResourceLifecycle(prevent_destroy=True),
        )
        EcrLifecyclePolicy(
            self, "lifecycle", repository=self.repository.name, policy=keep_recent_policy(keep)
        )
