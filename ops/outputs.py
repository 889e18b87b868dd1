"""The stacks' published outputs, read from their remote state (or a recorded file).

Reading a state object needs only `s3:GetObject` on `<state bucket>/<prefix>/<env>/<stack>
.tfstate`, which the plan role has. `--outputs FILE` reads a recorded `{stack: {name: value}}`
document instead (tests, or an engineer without state access): then no AWS call is made.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from config import EnvironmentConfig
from ops.errors import OpsError, aws_error, credentials_problem


@dataclass
class Outputs:
    """`get("network", "etl_subnet_id")`, each stack read once, on first use."""

    config: EnvironmentConfig
    client: Callable[[str], Any] | None
    recorded: dict[str, dict[str, Any]] | None = None
    _cache: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_file(cls, config: EnvironmentConfig, path: Path) -> Outputs:
        try:
            recorded = json.loads(path.read_text())
        except OSError as err:
            raise OpsError(f"--outputs: {path}: {err.strerror}") from None
        except ValueError as err:
            raise OpsError(f"--outputs: {path} is not JSON ({err})") from None
        return cls(config, None, recorded)

    def stack(self, stack: str) -> dict[str, Any]:
        if stack not in self._cache:
            self._cache[stack] = self._read(stack)
        return self._cache[stack]

    def get(self, stack: str, name: str) -> Any:
        values = self.stack(stack)
        if name not in values:
            raise OpsError(
                f"{stack}: output {name!r} is not in its state (have {sorted(values)}); "
                f"deploy the current code of {stack} first"
            )
        return values[name]

    def _read(self, stack: str) -> dict[str, Any]:
        if self.recorded is not None:
            if stack not in self.recorded:
                raise OpsError(f"--outputs: no outputs of {stack!r} in the recorded file")
            return dict(self.recorded[stack])
        assert self.client is not None
        bucket, key = self.config.state_bucket, self.config.state_key(stack)
        try:
            body = self.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
        except Exception as err:  # botocore's ClientError, NoCredentialsError, ...
            if (credentials := credentials_problem(err)) is not None:
                raise OpsError(credentials) from None
            code = aws_error(err, "Code") or type(err).__name__
            raise OpsError(
                f"{stack}: no state at s3://{bucket}/{key} ({code}): is the stack deployed? "
                f"(make deploy-stack STACK={stack})"
            ) from None
        state = json.loads(body)
        return {name: out["value"] for name, out in state.get("outputs", {}).items()}
