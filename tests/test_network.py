"""The network stack says what is live (seed: "Red y Conectividad", "VPN Bridge", SG table)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import by_path, ref, resources

SUBNETS = {
    "vpc/public_us_east_1a": ("10.0.0.0/24", "us-east-1a", True),
    "vpc/public_us_east_1b": ("10.0.1.0/24", "us-east-1b", True),
    "vpc/private_us_east_1a": ("10.0.2.0/24", "us-east-1a", False),
    "vpc/private_us_east_1b": ("10.0.3.0/24", "us-east-1b", False),
}


@pytest.fixture(scope="module")
def net(stacks: dict[str, Any]) -> dict[str, Any]:
    return stacks["network"]


def test_vpc(net: dict[str, Any]) -> None:
    (vpc,) = resources(net, "aws_vpc").values()
    assert vpc["cidr_block"] == "10.0.0.0/16"
    assert vpc["enable_dns_support"] is True
    assert vpc["enable_dns_hostnames"] is True
    assert vpc["tags"] == {"Name": "fluxion-vpc"}


def test_subnets_by_role_and_az(net: dict[str, Any]) -> None:
    assert len(resources(net, "aws_subnet")) == len(SUBNETS)
    for path, (block, az, public) in SUBNETS.items():
        subnet = by_path(net, "aws_subnet", path)
        assert (subnet["cidr_block"], subnet["availability_zone"]) == (block, az), path
        assert subnet["map_public_ip_on_launch"] is public, path
        assert subnet["vpc_id"] == ref(net, "aws_vpc", "vpc/vpc", "id")


def test_one_nat_in_the_first_public_subnet(net: dict[str, Any]) -> None:
    (eip,) = resources(net, "aws_eip").values()
    assert eip["domain"] == "vpc"
    (nat,) = resources(net, "aws_nat_gateway").values()
    assert nat["subnet_id"] == ref(net, "aws_subnet", "vpc/public_us_east_1a", "id")
    assert nat["allocation_id"] == ref(net, "aws_eip", "vpc/nat_eip", "allocation_id")
    assert len(resources(net, "aws_internet_gateway")) == 1


@pytest.mark.parametrize("path", sorted(SUBNETS))
def test_a_route_table_per_subnet(net: dict[str, Any], path: str) -> None:
    table = ref(net, "aws_route_table", f"{path}_rt", "id")
    assoc = by_path(net, "aws_route_table_association", f"{path}_rta")
    assert assoc == assoc | {
        "route_table_id": table,
        "subnet_id": ref(net, "aws_subnet", path, "id"),
    }
    default = by_path(net, "aws_route", f"{path}_default")
    assert default["route_table_id"] == table
    assert default["destination_cidr_block"] == "0.0.0.0/0"
    if "public" in path:
        assert default["gateway_id"] == ref(net, "aws_internet_gateway", "vpc/igw", "id")
        assert "nat_gateway_id" not in default
    else:
        assert default["nat_gateway_id"] == ref(net, "aws_nat_gateway", "vpc/nat", "id")
        assert "gateway_id" not in default
    assert len(resources(net, "aws_route_table")) == 4


def test_on_premises_route_on_every_private_table_via_the_eni(net: dict[str, Any]) -> None:
    eni = ref(net, "aws_instance", "wireguard/instance", "primary_network_interface_id")
    routes = [r for r in resources(net, "aws_route").values() if "192.168" in str(r)]
    assert len(routes) == 2
    tables = {r["route_table_id"] for r in routes}
    assert tables == {
        ref(net, "aws_route_table", "vpc/private_us_east_1a_rt", "id"),
        ref(net, "aws_route_table", "vpc/private_us_east_1b_rt", "id"),
    }
    for route in routes:
        assert route["destination_cidr_block"] == "192.168.0.0/16"
        assert route["network_interface_id"] == eni
    assert all("instance_id" not in r for r in resources(net, "aws_route").values())


def test_wireguard_instance(net: dict[str, Any]) -> None:
    wg = by_path(net, "aws_instance", "wireguard/instance")
    assert wg["instance_type"] == "t3.micro"
    assert wg["subnet_id"] == ref(net, "aws_subnet", "vpc/private_us_east_1a", "id")
    assert wg["private_ip"] == "10.0.2.251"
    assert wg["source_dest_check"] is False
    assert wg["metadata_options"]["http_tokens"] == "required"
    assert wg["vpc_security_group_ids"] == [ref(net, "aws_security_group", "sg/wireguard", "id")]
    # replacing the adopted bridge would cut La Granja off: AMI/user data never force it
    assert set(wg["lifecycle"]["ignore_changes"]) >= {"ami", "user_data"}
    assert wg["user_data_replace_on_change"] is False
    assert "ssm_parameter" in wg["ami"]


def test_the_bridge_runs_with_the_identity_stacks_profile(net: dict[str, Any]) -> None:
    wg = by_path(net, "aws_instance", "wireguard/instance")
    assert wg["iam_instance_profile"] == (
        "${data.terraform_remote_state.identity.outputs.bridge_instance_profile_name}"
    )
    assert not [t for t in net["resource"] if t.startswith("aws_iam_")]


def test_wireguard_user_data(net: dict[str, Any]) -> None:
    script = by_path(net, "aws_instance", "wireguard/instance")["user_data"]
    assert "dnf install -y wireguard-tools" in script
    assert "--secret-id fluxion/wireguard-config" in script
    assert "Address = 10.32.0.24/32" in script
    assert "AllowedIPs = 192.168.0.0/16" in script
    assert "Endpoint = $(jq -r .peer_endpoint" in script
    assert "persistent_keepalive // 25" in script
    assert "net.ipv4.ip_forward=1" in script
    assert "systemctl enable --now wg-quick@wg0" in script
    for rule in (
        "iptables -t nat -A POSTROUTING -o wg0 -j MASQUERADE",
        "iptables -A FORWARD -i ens5 -o wg0 -j ACCEPT",
        "iptables -A FORWARD -i wg0 -o ens5 -m state --state RELATED,ESTABLISHED -j ACCEPT",
    ):
        assert rule in script
    # Terraform would try to interpolate `${...}`; every placeholder must be filled
    assert "${" not in script and "%{" not in script
    # no key material or peer address in the config
    assert "PrivateKey = $(jq" in script
    assert "mynetname" not in script


def _rules(net: dict[str, Any]) -> set[tuple[Any, ...]]:
    group_of = {
        ref(net, "aws_security_group", f"sg/{role}", "id"): role
        for role in ("alb", "backend", "etl", "wireguard", "rds")
    }
    found = set()
    for direction, kind in (
        ("in", "aws_vpc_security_group_ingress_rule"),
        ("out", "aws_vpc_security_group_egress_rule"),
    ):
        for rule in resources(net, kind).values():
            peer = group_of.get(rule.get("referenced_security_group_id", ""), rule.get("cidr_ipv4"))
            found.add(
                (
                    group_of[rule["security_group_id"]],
                    direction,
                    rule["ip_protocol"],
                    rule.get("from_port"),
                    peer,
                )
            )
            assert rule.get("from_port") == rule.get("to_port")
    return found


def test_security_groups_match_the_seed_table(net: dict[str, Any]) -> None:
    assert _rules(net) == {
        ("alb", "in", "tcp", 80, "0.0.0.0/0"),
        ("alb", "out", "tcp", 8001, "backend"),
        ("backend", "in", "tcp", 8001, "alb"),
        ("backend", "out", "tcp", 5432, "rds"),
        ("backend", "out", "-1", None, "0.0.0.0/0"),
        ("etl", "out", "tcp", 5432, "rds"),
        ("etl", "out", "-1", None, "0.0.0.0/0"),
        ("wireguard", "in", "-1", None, "10.0.0.0/16"),
        ("wireguard", "out", "-1", None, "0.0.0.0/0"),
        ("rds", "in", "tcp", 5432, "backend"),
        ("rds", "in", "tcp", 5432, "etl"),
        ("rds", "in", "tcp", 5432, "wireguard"),
    }
    for group in resources(net, "aws_security_group").values():
        assert "ingress" not in group and "egress" not in group, "rules are standalone"


def test_published_outputs_point_at_the_right_resources(net: dict[str, Any]) -> None:
    out = {k: v["value"] for k, v in net["output"].items()}
    assert out["etl_subnet_id"] == ref(net, "aws_subnet", "vpc/private_us_east_1b", "id")
    assert out["wireguard_eni_id"] == ref(
        net, "aws_instance", "wireguard/instance", "primary_network_interface_id"
    )
    assert out["private_subnet_ids"] == [
        ref(net, "aws_subnet", "vpc/private_us_east_1a", "id"),
        ref(net, "aws_subnet", "vpc/private_us_east_1b", "id"),
    ]
    assert out["rds_security_group_id"] == ref(net, "aws_security_group", "sg/rds", "id")
