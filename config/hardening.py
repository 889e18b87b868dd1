"""Hardening as reviewed switches: one per improvement, grouped by the rollout step it lands in.

`adopt` is every switch off: the live estate, weaknesses included, so adoption plans no change.
`hardened` is every switch on. In between, a rollout step is an ordinary reviewed change: turn
that step's switches on in `config/environments.py`, see the plan in the pull request, apply
it with `make apply-reviewed` (docs/profiles.md, "Rollout order"). Stacks read the switches,
never the profile. Switches that only make sense after another one say so in `REQUIRES`, and
the configuration refuses to load otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from config.checks import Retention, Rule, validate
from config.errors import ConfigError

STEPS: dict[str, tuple[str, ...]] = {
    "1 observe": (
        "log_retention",
        "flow_logs",
        "performance_insights",
        "replica_log_export",
        "alb_access_logs",
        "distribution_logs",
        "web_acl",
        "detection",
    ),
    "2 protect": (
        "deletion_protection",
        "copy_tags_to_snapshot",
        "security_headers",
        "drop_invalid_headers",
        "legacy_backups_locked",
        "workload_boundaries",
    ),
    "3 network": ("default_sg_emptied", "bridge_egress_narrowed", "bridge_from_etl_only"),
    "4 origin": ("https_origin", "internal_origin"),
    "5 pipeline": ("immutable_images",),
    "6 credentials": (
        "app_db_secret",
        "backend_app_db_user",
        "execution_role_split",
        "read_only_root",
        "managed_master_password",
    ),
    "7 tls to the database": ("force_ssl",),
    "8 bridge volume": ("encrypted_bridge_root",),
    "9 waf enforcement": ("waf_enforce",),
}
"""The rollout steps of docs/profiles.md, in order, and the switches each one turns on."""

REQUIRES: dict[str, tuple[str, ...]] = {
    "internal_origin": ("https_origin",),
    "backend_app_db_user": ("app_db_secret",),
    "managed_master_password": ("backend_app_db_user",),
    "waf_enforce": ("web_acl",),
}
"""Switch -> the switches that must be on before it (the order the rollout needs)."""

PROFILES = ("adopt", "hardened")
"""The presets a command may ask for (`--profile`, FLUXION_PROFILE): `adopt`, every switch off;
`hardened`, every switch of the rollout on (steps 1-8). Step 9, `waf_enforce`, comes a week
later, after the count-mode matches were reviewed: no preset turns it on or off."""
AFTER_THE_ROLLOUT = "9 waf enforcement"


@dataclass(frozen=True, kw_only=True)
class Hardening:
    """The hardening switches (all off: as live) and the settings the improvements use."""

    # --- step 1, observe: nothing replaced, no response changes --------------------------
    log_retention: bool = False
    """Every managed log group keeps `log_retention_days` (live: 7)."""
    flow_logs: bool = False
    """VPC flow logs (all traffic, CloudWatch, 10-minute aggregation) and their delivery role."""
    performance_insights: bool = False
    """Performance Insights (free 7-day retention) on the primary and the replica."""
    replica_log_export: bool = False
    """The replica exports its PostgreSQL log to CloudWatch (its log group created first)."""
    alb_access_logs: bool = False
    """The ALB's access logs into the log bucket (`alb/`)."""
    distribution_logs: bool = False
    """Every distribution's standard logs (v2) into the log bucket (`cloudfront/`)."""
    web_acl: bool = False
    """One WAF web ACL of AWS managed rule groups on every distribution, counting (see
    `waf_enforce`), its logs in `aws-waf-logs-fluxion-<env>-edge`."""
    detection: bool = False
    """A CloudTrail trail and EventBridge rules to an encrypted SNS topic for identity writes,
    backup bucket changes, user-data changes, foreign images and secret value writes."""
    # --- step 2, protect ------------------------------------------------------------------
    deletion_protection: bool = False
    """Deletion protection on the ALB and the replica (the primary always has it)."""
    copy_tags_to_snapshot: bool = False
    """Both instances copy their tags to their snapshots."""
    security_headers: bool = False
    """AWS's managed security-headers response policy on every distribution."""
    drop_invalid_headers: bool = False
    """The ALB drops HTTP headers with invalid names (request smuggling)."""
    legacy_backups_locked: bool = False
    """The legacy backup buckets get a public access block, SSE-S3, a TLS-only policy and
    versioning (like the managed one)."""
    workload_boundaries: bool = False
    """Each workload role carries its own permissions boundary (its grants, never an
    escalation or an IAM write)."""
    # --- step 3, network --------------------------------------------------------------------
    default_sg_emptied: bool = False
    """The VPC's default security group stripped of its rules (nothing may use it)."""
    bridge_egress_narrowed: bool = False
    """The WireGuard bridge's egress narrowed to UDP 51820 (tunnel) and TCP 443."""
    bridge_from_etl_only: bool = False
    """The bridge reachable from the ETL tasks' group only (live: the whole VPC)."""
    # --- step 4, origin (at night: the API is down while CloudFront deploys) ----------------
    https_origin: bool = False
    """The ALB gets a regional certificate and an HTTPS :443 listener reachable from
    CloudFront's origin-facing prefix list; the API origin becomes `https-only`."""
    internal_origin: bool = False
    """The ALB becomes internal, in the private subnets (replaced), reached through a
    CloudFront VPC origin (its service-linked role in the identity stack); :80 only redirects
    and no longer accepts the internet."""
    # --- step 5, pipeline -------------------------------------------------------------------
    immutable_images: bool = False
    """ECR tag immutability (with the SHA-tag pipeline: `make deploy` then refuses `latest`)."""
    # --- step 6, credentials ----------------------------------------------------------------
    app_db_secret: bool = False
    """The empty `fluxion/postgres-app` container (the DBA puts the application user's value)."""
    backend_app_db_user: bool = False
    """The backend logs in as its own PostgreSQL user (`fluxion/postgres-app`), no longer the
    master; its execution role reads that secret instead of the master's."""
    execution_role_split: bool = False
    """One execution role per image: the backend's reads only its secrets, the ETL's only its
    own (live: one role reads all four)."""
    read_only_root: bool = False
    """Task definitions mount the image read-only, `/tmp` a task-scoped volume."""
    managed_master_password: bool = False
    """RDS owns the master password in a secret of its own. RDS sets a new password when this
    turns on: every client must have stopped logging in as the master first."""
    # --- step 7, 8, 9 ----------------------------------------------------------------------
    force_ssl: bool = False
    """`rds.force_ssl = 1` on both parameter groups: plain connections are refused at once."""
    encrypted_bridge_root: bool = False
    """The bridge's root volume encrypted: **replaces the bridge** (same private IP)."""
    waf_enforce: bool = False
    """The web ACL blocks what its rule groups match (off: they count only, until a week of
    matches has been reviewed)."""

    # --- settings the switches use ----------------------------------------------------------
    log_retention_days: int = 30
    """Retention of every managed log group with `log_retention` (and of the logs hardening
    adds), in days; a CloudWatch-accepted value."""
    alert_emails: tuple[str, ...] = ()
    """Who the security alerts topic e-mails (with `detection`); each address confirms once.
    Default: none (subscribe later: the topic is there)."""

    RULES: ClassVar[tuple[Rule, ...]] = (Retention("log_retention_days"),)

    def __post_init__(self) -> None:
        validate(self, "hardening", self.RULES)
        for email in self.alert_emails:
            if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", email):
                raise ConfigError.invalid(
                    "hardening.alert_emails", email, "is not an e-mail address"
                )
        for switch, needed in REQUIRES.items():
            missing = [n for n in needed if getattr(self, switch) and not getattr(self, n)]
            if missing:
                raise ConfigError.invalid(
                    f"hardening.{switch}", True, f"needs {missing[0]} on first (rollout order)"
                )

    @classmethod
    def switches(cls) -> tuple[str, ...]:
        """Every switch, in rollout order."""
        return tuple(name for step in STEPS.values() for name in step)

    def on(self) -> tuple[str, ...]:
        """The switches that are on, in rollout order."""
        return tuple(name for name in self.switches() if getattr(self, name))

    @classmethod
    def rollout(cls) -> tuple[str, ...]:
        """The switches of the rollout (steps 1-8): the `hardened` preset turns them on."""
        return tuple(s for step, names in STEPS.items() if step != AFTER_THE_ROLLOUT for s in names)

    def preset(self, name: str) -> Hardening:
        """These settings with every rollout switch off (`adopt`: `waf_enforce` too, which
        needs the web ACL) or on (`hardened`: `waf_enforce` as the environment has it)."""
        if name not in PROFILES:
            raise ConfigError.invalid("profile", name, f"is not one of {', '.join(PROFILES)}")
        on = name == "hardened"
        changes: dict[str, Any] = {s: on for s in self.rollout()}
        if not on:
            changes["waf_enforce"] = False
        return replace(self, **changes)

    def through(self, step: str) -> Hardening:
        """Every switch of the steps up to and including `step` on, the later ones off."""
        if step not in STEPS:
            raise ConfigError.invalid("step", step, f"is not one of {', '.join(STEPS)}")
        steps = list(STEPS)
        done = {s for k in steps[: steps.index(step) + 1] for s in STEPS[k]}
        changes: dict[str, Any] = {s: s in done for s in self.switches()}
        return replace(self, **changes)

    @property
    def profile(self) -> str:
        """`adopt` (every switch off), `hardened` (every rollout switch on), else `rollout`."""
        on = self.on()
        if not on:
            return "adopt"
        return "hardened" if set(self.rollout()) <= set(on) else "rollout"
