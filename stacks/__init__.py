"""One module per stack; `STACKS` lists them in deployment order."""

from stacks.compute import ComputeStack
from stacks.data import DataStack
from stacks.edge import EdgeStack
from stacks.network import NetworkStack
from stacks.state import StateStack

# (name, class, the stacks whose state it needs: its declared dependencies)
STACKS = (
    ("state", StateStack, ()),
    ("network", NetworkStack, ("state",)),
    ("data", DataStack, ("state", "network")),
    ("compute", ComputeStack, ("state", "network", "data")),
    ("edge", EdgeStack, ("state", "compute")),
)

__all__ = ["STACKS", "ComputeStack", "DataStack", "EdgeStack", "NetworkStack", "StateStack"]
