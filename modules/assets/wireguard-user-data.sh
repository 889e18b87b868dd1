#!/bin/bash
# WireGuard bridge to La Granja. Keys, peer and endpoint live in Secrets Manager
# (${secret_name}); nothing secret is in this script, in Terraform config or in state.
set -euo pipefail
dnf install -y wireguard-tools jq awscli

umask 077
mkdir -p /etc/wireguard
# Secret JSON: {"private_key", "peer_public_key", "peer_endpoint", "persistent_keepalive"}
cfg=$(aws secretsmanager get-secret-value --region ${region} \
  --secret-id ${secret_name} --query SecretString --output text)
cat > /etc/wireguard/wg0.conf <<WG
[Interface]
Address = ${tunnel_address}
PrivateKey = $(jq -r .private_key <<<"$cfg")

[Peer]
PublicKey = $(jq -r .peer_public_key <<<"$cfg")
Endpoint = $(jq -r .peer_endpoint <<<"$cfg")
AllowedIPs = ${on_premises_cidr}
PersistentKeepalive = $(jq -r '.persistent_keepalive // 25' <<<"$cfg")
WG
unset cfg

sysctl -w net.ipv4.ip_forward=1
echo 'net.ipv4.ip_forward = 1' > /etc/sysctl.d/99-wireguard-forward.conf

systemctl enable --now wg-quick@wg0

iptables -t nat -A POSTROUTING -o wg0 -j MASQUERADE
iptables -A FORWARD -i ens5 -o wg0 -j ACCEPT
iptables -A FORWARD -i wg0 -o ens5 -m state --state RELATED,ESTABLISHED -j ACCEPT
