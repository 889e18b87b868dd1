"""The network's settings: the VPC, its subnets and the WireGuard bridge to La Granja."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import ClassVar

from config.checks import IPv4, Pattern, Rule, disjoint, network, validate
from config.errors import ConfigError


@dataclass(frozen=True, kw_only=True)
class NetworkConfig:
    """The VPC and the WireGuard bridge to La Granja (seed: "Red y Conectividad")."""

    vpc_name: str
    """Name tag of the VPC."""
    vpc_cidr: str
    """The VPC's IPv4 range (CIDR, no host bits)."""
    public_subnets: tuple[tuple[str, str], ...]
    """(AZ, CIDR) pairs, in AWS CDK's allocation order (public subnets first, then private)."""
    private_subnets: tuple[tuple[str, str], ...]
    """(AZ, CIDR) pairs, one per AZ of `public_subnets`."""
    nat_az: str
    """The AZ of the single NAT gateway (cost saving: one NAT for both AZs)."""
    etl_az: str
    """ETL tasks run in this AZ's private subnet, away from the WireGuard bridge's AZ."""
    on_premises_cidr: str
    """La Granja's network (CIDR), reached through the WireGuard bridge."""
    wireguard_az: str
    """The bridge's AZ (its private subnet holds `wireguard_private_ip`)."""
    wireguard_private_ip: str
    """Fixed private IPv4 address of the bridge, inside the private subnet of `wireguard_az`."""
    wireguard_tunnel_cidr: str
    """The tunnel's own addresses (CIDR), outside the VPC and La Granja's network."""
    wireguard_instance_type: str
    """The bridge's EC2 instance type (e.g. `t3.micro`)."""
    wireguard_secret_name: str
    """Secrets Manager name of the bridge's WireGuard configuration (read at boot)."""
    wireguard_source_dest_check: bool = False
    """Must stay False: the bridge forwards packets that are neither from nor to itself."""

    RULES: ClassVar[tuple[Rule, ...]] = (
        Pattern("vpc_name", r"[A-Za-z0-9][A-Za-z0-9._-]{0,254}", "is not a Name tag"),
        IPv4("wireguard_private_ip"),
        Pattern(
            "wireguard_instance_type", r"[a-z][a-z0-9-]*\.[a-z0-9]+", "is not an instance type"
        ),
        Pattern("wireguard_secret_name", r"[A-Za-z0-9/_+=.@-]{1,512}", "is not a secret name"),
    )

    def __post_init__(self) -> None:
        validate(self, "network", self.RULES)
        vpc = network("network.vpc_cidr", self.vpc_cidr)
        disjoint(
            {
                "network.vpc_cidr": vpc,
                "network.on_premises_cidr": network(
                    "network.on_premises_cidr", self.on_premises_cidr
                ),
                "network.wireguard_tunnel_cidr": network(
                    "network.wireguard_tunnel_cidr", self.wireguard_tunnel_cidr
                ),
            }
        )
        self._check_subnets(vpc)
        for name in ("nat_az", "etl_az", "wireguard_az"):
            if getattr(self, name) not in self.azs:
                raise ConfigError.invalid(
                    f"network.{name}",
                    getattr(self, name),
                    f"is not one of the VPC's AZs {self.azs!r}",
                )
        home = dict(self.private_subnets)[self.wireguard_az]
        if ipaddress.IPv4Address(self.wireguard_private_ip) not in ipaddress.IPv4Network(home):
            raise ConfigError.invalid(
                "network.wireguard_private_ip",
                self.wireguard_private_ip,
                f"is outside its subnet {home} (private, {self.wireguard_az})",
            )
        if self.wireguard_source_dest_check:
            raise ConfigError(
                "network.wireguard_source_dest_check: True; the route to "
                f"{self.on_premises_cidr} via the bridge needs it False (the instance forwards)",
                field="network.wireguard_source_dest_check",
                value=True,
                expected="False",
            )

    def _check_subnets(self, vpc: ipaddress.IPv4Network) -> None:
        subnets: dict[str, ipaddress.IPv4Network] = {}
        for role, pairs in (("public", self.public_subnets), ("private", self.private_subnets)):
            azs = [az for az, _ in pairs]
            if len(set(azs)) != len(azs):
                raise ConfigError(
                    f"network.{role}_subnets: AZs {azs!r} repeat; one subnet per AZ",
                    field=f"network.{role}_subnets",
                    value=azs,
                )
            for az, value in pairs:
                name = f"network.{role}_subnets[{az}]"
                net = network(name, value)
                if not net.subnet_of(vpc):
                    raise ConfigError.invalid(name, value, f"is outside the VPC {self.vpc_cidr}")
                subnets[name] = net
        disjoint(subnets)
        private_azs = [az for az, _ in self.private_subnets]
        if sorted(private_azs) != sorted(self.azs):
            raise ConfigError.invalid(
                "network.private_subnets", private_azs, f"must cover the public AZs {self.azs!r}"
            )

    @property
    def azs(self) -> tuple[str, ...]:
        """The VPC's AZs, in order."""
        return tuple(az for az, _ in self.public_subnets)

    def az_fields(self) -> list[tuple[str, str]]:
        """Every AZ this config names, with the field that names it."""
        named = [
            (f"{role}_subnets", az)
            for role in ("public", "private")
            for az, _ in getattr(self, f"{role}_subnets")
        ]
        return named + [(n, getattr(self, n)) for n in ("nat_az", "etl_az", "wireguard_az")]
