"""One module per stack; `STACKS` lists them in deployment order."""

from config import estate
from config.estate import DEPENDS_ON
from stacks.base import FluxionStack
from stacks.compute import ComputeStack
from stacks.data import DataStack
from stacks.edge import EdgeStack
from stacks.identity import IdentityStack
from stacks.monitoring import MonitoringStack
from stacks.network import NetworkStack
from stacks.state import StateStack

_CLASSES: dict[str, type[FluxionStack]] = {
    "state": StateStack,
    "identity": IdentityStack,
    "network": NetworkStack,
    "data": DataStack,
    "compute": ComputeStack,
    "edge": EdgeStack,
    "monitoring": MonitoringStack,
}
# (name, class, the stacks whose state it needs), in the order and with the dependencies of
# `config.estate` (the one list of stacks).
STACK_CLASSES = tuple((name, _CLASSES[name], DEPENDS_ON[name]) for name in estate.STACKS)

__all__ = [
    "STACK_CLASSES",
    "ComputeStack",
    "DataStack",
    "EdgeStack",
    "IdentityStack",
    "MonitoringStack",
    "NetworkStack",
    "StateStack",
]
