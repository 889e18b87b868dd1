"""A one-container Fargate task definition: env as plain values, credentials as `secrets`."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from constructs import Construct

from config import ConfigError
from policies.document import Statement, allow
from runtime.engine.aws.ecs_task_definition import EcsTaskDefinition, EcsTaskDefinitionVolume

SECRET_NAME = re.compile(
    r"PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIAL|DSN", re.IGNORECASE
)
"""Environment names that say "secret": their value must come through `secrets`."""
SECRET_VALUES = {
    "an AWS access key id": re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),
    # 40 base64 characters, but not a 40-hex-digit git SHA (an image tag)
    "an AWS secret access key": re.compile(
        r"(?<![A-Za-z0-9/+=])(?![0-9a-f]{40}(?![A-Za-z0-9/+=]))[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])"
    ),
    "a private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "a URL with credentials": re.compile(r"[a-z]+://[^/\s:@]+:[^/\s@]+@"),
    "a Sentry DSN": re.compile(r"https://[0-9a-f]{32}@[\w.-]+/\d+"),
}
"""Values that look like a credential whatever their name."""


@dataclass(frozen=True)
class FargateTaskProps:
    family: str
    """The task definition family (a live name for adopted tasks)."""
    container_name: str
    """The task's one container."""
    image: str
    """`<repository url>:<tag>`."""
    execution_role_arn: str
    """The role ECS uses to pull the image, write logs and read `secrets`."""
    task_role_arn: str
    """The role the container's code runs with."""
    log_group: str
    """The CloudWatch log group the `awslogs` driver writes to."""
    region: str
    """The log group's region."""
    cpu_units: int = 1024
    """Task CPU units (1024 = 1 vCPU); with `memory_mib`, a Fargate size. Default: 1024."""
    memory_mib: int = 2048
    """Task memory in MiB. Default: 2048."""
    port: int | None = None
    """Container port mapped for the load balancer (TCP). Default: none (no port)."""
    environment: dict[str, str] = field(default_factory=dict)
    """Plain environment variables; a secret-looking name or value is refused. Default: none."""
    secrets: dict[str, str] = field(default_factory=dict)
    """Env var -> ARN (`<secret-arn>:<json-key>::` or an SSM parameter ARN), read at start.
    Default: none."""
    not_secret: frozenset[str] = frozenset()
    """Environment names reviewed as not secret although their name says so (e.g. a
    `TOKEN_TTL`): the name check skips them; the value check still applies. Default: none."""
    read_only_root: bool = False
    """Mount the image read-only (`hardened`): code an attacker drops does not persist, and
    the image cannot be changed at run time. `scratch_paths` stay writable. Default: off (as
    live)."""
    scratch_paths: tuple[str, ...] = ("/tmp",)
    """With `read_only_root`: writable paths, each a task-scoped volume on Fargate's ephemeral
    storage (gone with the task). Python's `tempfile` and pip's caches use `/tmp`. Default:
    `/tmp`."""

    def __post_init__(self) -> None:
        for name, value in sorted(self.environment.items()):
            where = f"{self.family}: environment {name}"
            if "${" in value:  # a reference (remote state, a resource attribute), not a literal
                continue
            if SECRET_NAME.search(name) and name not in self.not_secret:
                raise ConfigError(
                    f"{where} holds a literal value and its name says secret: pass it in "
                    "`secrets` (Secrets Manager or SSM), or list the name in `not_secret`"
                )
            for kind, pattern in SECRET_VALUES.items():
                if pattern.search(value):
                    raise ConfigError(f"{where}: the value looks like {kind}; pass it in `secrets`")


def container_definitions(props: FargateTaskProps) -> str:
    """The task's container definitions as ECS stores them (sorted, so plans stay stable)."""
    container: dict[str, object] = {
        "name": props.container_name,
        "image": props.image,
        "essential": True,
        "environment": [{"name": k, "value": v} for k, v in sorted(props.environment.items())],
        "secrets": [{"name": k, "valueFrom": v} for k, v in sorted(props.secrets.items())],
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": props.log_group,
                "awslogs-region": props.region,
                "awslogs-stream-prefix": props.container_name,
            },
        },
    }
    if props.port is not None:
        container["portMappings"] = [{"containerPort": props.port, "protocol": "tcp"}]
    if props.read_only_root:
        container["readonlyRootFilesystem"] = True
        container["mountPoints"] = [
            {"sourceVolume": volume, "containerPath": path, "readOnly": False}
            for volume, path in scratch_volumes(props).items()
        ]
    return json.dumps([container])


def scratch_volumes(props: FargateTaskProps) -> dict[str, str]:
    """Volume name -> writable path, for a read-only root (`/tmp` -> `scratch-tmp`)."""
    if not props.read_only_root:
        return {}
    return {"scratch" + path.replace("/", "-"): path for path in props.scratch_paths}


class FargateTask(Construct):
    def __init__(self, scope: Construct, id_: str, *, props: FargateTaskProps) -> None:
        super().__init__(scope, id_)
        self.definition = EcsTaskDefinition(
            self,
            "definition",
            family=props.family,
            requires_compatibilities=["FARGATE"],
            network_mode="awsvpc",
            cpu=str(props.cpu_units),
            memory=str(props.memory_mib),
            execution_role_arn=props.execution_role_arn,
            task_role_arn=props.task_role_arn,
            container_definitions=container_definitions(props),
            volume=[EcsTaskDefinitionVolume(name=name) for name in scratch_volumes(props)] or None,
            # A changed definition registers a new revision; keep the old one registered so
            # running tasks and rollbacks can still use it.
            skip_destroy=True,
        )


def log_write_grant(log_group_arns: list[str]) -> list[Statement]:
    """Writing container logs through the `awslogs` driver (an execution role's part).
    `log_group_arns`: the groups' ARNs as the provider gives them (without `:*`)."""
    return [
        allow(
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            [f"{arn}:*" for arn in log_group_arns],
        )
    ]
