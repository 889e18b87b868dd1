"""What an environment builds beyond its core: parts production has that another may leave off."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Features:
    """Parts of the estate an environment may leave off (default: all on, as production).

    A stack builds only what its environment turns on, and the contract between stacks still
    holds: an output whose resource is off is the empty string (or, for the replica, the
    primary's, which then takes the backend's reads), so consumers never change shape."""

    bridge: bool = True
    """The WireGuard bridge to La Granja's SQL Server (its instance, profile and secret's
    use). Off: the ETL's SQL Server reads have nowhere to go (staging runs them against test
    data or not at all)."""
    replica: bool = True
    """The read replica and its parameter group. Off: the backend reads from the primary."""
    legacy_backups: bool = True
    """The three legacy backup buckets adopted as they are (`fluxion-backups`, `-v2`, `-v3`).
    Off: only the managed backup bucket."""
    owns_account: bool = True
    """The environment owns its account's one-of-a-kind resources: the GitHub OIDC provider
    (one per issuer per account) and with it the CI identity, (with `detection`) the
    multi-region audit trail, and (with `internal_origin`) CloudFront's VPC-origin
    service-linked role. Off for a recovery environment built in
    another environment's account, which already owns them: people apply a recovery."""
