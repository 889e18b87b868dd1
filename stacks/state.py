"""state: the bootstrap stack (local backend); owns the bucket of every other stack's state."""

from __future__ import annotations

from constructs import Construct

from config import EnvironmentConfig
from modules.private_bucket import PrivateBucket, PrivateBucketProps
from stacks.base import FluxionStack
from stacks.contract import StateOutputs, publish


class StateStack(FluxionStack):
    def __init__(self, scope: Construct, id_: str, *, config: EnvironmentConfig) -> None:
        super().__init__(scope, id_, config=config)
        bucket = PrivateBucket(
            self,
            "state_bucket",
            props=PrivateBucketProps(name=config.state_bucket, versioned=True),
        )
        self.outputs = StateOutputs(state_bucket_name=bucket.bucket.bucket)
        publish(self, self.outputs)
