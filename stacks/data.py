"""data: everything that cannot be rebuilt (database, secrets, backups)."""

from __future__ import annotations

from cdktf_cdktf_provider_aws.db_subnet_group import DbSubnetGroup
from constructs import Construct

from config import EnvironmentConfig
from modules.secret_containers import SecretContainers
from stacks.base import FluxionStack
from stacks.contract import DataOutputs, NetworkOutputs, publish, read, remote_state

SECRETS = {
    "postgres_credentials": "fluxion/postgres-credentials",
    "sql_credentials": "fluxion/sql-credentials",
    "wireguard_config": "fluxion/wireguard-config",
    "production": "fluxion/production",
    "db_credentials": "fluxion/db-credentials",
}


class DataStack(FluxionStack):
    def __init__(self, scope: Construct, id_: str, *, config: EnvironmentConfig) -> None:
        super().__init__(scope, id_, config=config)
        network = read(NetworkOutputs, remote_state(self, config, "network"))
        subnets = DbSubnetGroup(self, "db_subnets", subnet_ids=network.private_subnet_ids)
        secrets = SecretContainers(self, "secrets", names=SECRETS)
        self.outputs = DataOutputs(
            db_subnet_group_name=subnets.name,
            **{f"{key}_secret_arn": arn for key, arn in secrets.arns.items()},
        )
        publish(self, self.outputs)
