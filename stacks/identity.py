"""identity: every workload role, applied by people (like `state`), never by a CI role.

A role's trust policy has no IAM condition key, so whoever may create a role or write its
policy may hand the account to anyone: no CI credential may (the guardrail denies every IAM
write). The CI stacks only *pass* these roles, by exact name, to the one service each is for.
Each role's grants are offered by the constructs that own the resources (`modules.ecr
.pull_grant`, ...) on ARNs built from names (`policies.arns`), so this stack reads no other
stack's state and comes right after `state`. In `hardened` each role also carries its own
permissions boundary: its grants, fixed at review, so nothing attached later widens it.
"""

from __future__ import annotations

from collections.abc import Mapping

from constructs import Construct

from config import EnvironmentConfig
from config.estate import (
    CONTAINERS,
    audit_trail_name,
    backup_buckets,
    flow_log_group_name,
    resource_prefix,
)
from modules.backend_service import exec_grant
from modules.detection import Detection, DetectionProps
from modules.ecr import pull_grant
from modules.ecs_roles import EcsRoles, EcsRolesProps
from modules.fargate_task import log_write_grant
from modules.flow_logs import delivery_grant
from modules.iam import inline_policy, service_role
from modules.scheduled_task import run_grant
from modules.secret_containers import read_grant
from modules.wireguard import SSM_CORE, bridge_grant
from policies import actions as act
from policies.arns import Arns
from policies.document import Statement, allow, deny, policy_json
from policies.workloads import (
    ROLES,
    boundary_name,
    instance_profile_name,
    role_name,
)
from runtime.engine.aws.iam_instance_profile import IamInstanceProfile
from runtime.engine.aws.iam_policy import IamPolicy
from runtime.engine.aws.iam_role import IamRole
from runtime.engine.aws.iam_role_policy_attachment import IamRolePolicyAttachment
from runtime.engine.aws.iam_service_linked_role import IamServiceLinkedRole
from stacks.base import FluxionStack
from stacks.contract import IdentityOutputs, publish

VPC_ORIGIN_SERVICE = "vpcorigin.cloudfront.amazonaws.com"
"""CloudFront VPC origins' service-linked role (`hardened`: the API's internal ALB)."""


class IdentityStack(FluxionStack):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: EnvironmentConfig,
        live: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id_, config=config, live=live)
        self.arns = Arns(config)
        self.names = {key: role_name(config, key, self.live) for key in ROLES}
        profile = self._bridge() if config.features.bridge else ""
        flow_logs_arn = ""  # no flow logs (the network stack reads it only with `flow_logs`)
        if config.hardening.flow_logs:
            group = self.arns.log_group(flow_log_group_name(config.network.vpc_name))
            flow = Construct(self, "flow_logs")
            flow_logs_arn = self._role(flow, "flow-logs", delivery_grant(group)).arn
        roles = self._ecs_roles()
        if config.hardening.detection:
            self._detection()
        # an IAM write: people make it, here; one per account (`features.owns_account`)
        if config.hardening.internal_origin and config.features.owns_account:
            IamServiceLinkedRole(
                self, "vpc_origin_service_role", aws_service_name=VPC_ORIGIN_SERVICE
            )
        self.outputs = IdentityOutputs(
            bridge_instance_profile_name=profile,
            flow_logs_role_arn=flow_logs_arn,
            execution_role_arn=roles.execution.arn,
            etl_execution_role_arn=roles.etl_execution.arn,
            backend_task_role_arn=roles.backend_task.arn,
            etl_task_role_arn=roles.etl_task.arn,
            events_role_arn=roles.events.arn,
        )
        publish(self, self.outputs, config)

    def _bridge(self) -> str:
        """The WireGuard bridge's role and instance profile (`features.bridge`): its name."""
        bridge = Construct(self, "wireguard")
        bridge_role = self._role(bridge, "bridge", bridge_grant(self._secret("wireguard_config")))
        # The runbook connects with `aws ssm start-session`.
        IamRolePolicyAttachment(bridge, "ssm_core", role=bridge_role.name, policy_arn=SSM_CORE)
        name = instance_profile_name(self.config, self.live)
        profile = IamInstanceProfile(bridge, "profile", name=name, role=bridge_role.name)
        return str(profile.name)

    def _detection(self) -> None:
        """Detection of what owning a stack still allows (identity, backups, user data,
        images, secret values)."""
        config = self.config
        Detection(
            self,
            "detection",
            props=DetectionProps(
                name=resource_prefix(config.name),
                trail_name=audit_trail_name(config.name),
                account_id=config.account_id,
                region=config.region,
                log_bucket=config.log_bucket,
                backup_buckets=backup_buckets(config),
                alert_emails=config.hardening.alert_emails,
                # one trail per account: its owner's records every region
                trail=config.features.owns_account,
            ),
        )

    def _secret(self, key: str) -> str:
        return self.arns.secret(self.config.names.secrets[key])

    def _boundary(self, key: str, grants: list[Statement]) -> str:
        """`workload_boundaries`: the role's own boundary: its grants, never an escalation."""
        allowed = [*grants]
        if key == "bridge":  # its AWS managed policy (the SSM agent), written out
            allowed += [
                allow([a for a in act.SSM_AGENT if a not in act.SSM_AGENT_SCOPED], "*"),
                allow(
                    act.SSM_AGENT_SCOPED,
                    [
                        self.arns.regional("ec2", "instance/*"),
                        f"arn:aws:ssm:{self.arns.region}:*:*",
                    ],
                ),
            ]
        return str(
            IamPolicy(
                self,
                f"boundary_{key.replace('-', '_')}",
                name=boundary_name(self.config, key),
                description=f"The most the {key} role may ever do (permissions boundary)",
                policy=policy_json(*allowed, deny(act.ESCALATION + act.IAM_WRITES, "*")),
            ).arn
        )

    def _role(self, scope: Construct, key: str, grants: list[Statement]) -> IamRole:
        """A workload role `<scope>/role` with its inline policy (`read_config` for the
        bridge, `delivery` for the flow logs: the live construct keys)."""
        role = service_role(
            scope,
            "role",
            ROLES[key].service,
            name=self.names[key],
            boundary_arn=(
                self._boundary(key, grants) if self.config.hardening.workload_boundaries else None
            ),
        )
        inline_policy(scope, "read_config" if key == "bridge" else "delivery", role, *grants)
        return role

    def _ecs_roles(self) -> EcsRoles:
        """The execution role(s), one task role per image, and EventBridge's role.

        As live, one execution role reads every secret. With `execution_role_split`, one per
        image, each reading only the secrets its task definitions name (the backend can no
        longer read the SQL Server or ETL credentials); with `backend_app_db_user` the backend
        reads the application user's secret instead of the master's."""
        arns, switch = self.arns, self.config.hardening
        app_db = (
            arns.secret(self.config.names.app_db_secret)
            if switch.backend_app_db_user
            else self._secret("postgres_credentials")
        )
        # (secrets, parameters) each image's containers read when they start
        backend: tuple[list[str], list[str]] = ([app_db, self._secret("production")], [])
        etl = ([self._secret("db_credentials"), self._secret("sql_credentials")], [arns.sentry_dsn])
        split = switch.execution_role_split
        etl_execution = "etl-execution" if split else "execution"
        families = sorted({self.config.names(s.task) for s in self.config.compute.schedules})
        grants = {
            "execution": (
                self._execution(["backend"], *backend)
                if split
                else self._execution(list(CONTAINERS), backend[0] + etl[0], etl[1])
            ),
            "backend-task": exec_grant(),
            "etl-task": [],
            "events": run_grant(
                [arns.task_family(f) for f in families],
                arns.cluster,
                [arns.role(self.names[etl_execution]), arns.role(self.names["etl-task"])],
            ),
        } | ({"etl-execution": self._execution(["etl"], *etl)} if split else {})
        return EcsRoles(
            self,
            "roles",
            props=EcsRolesProps(
                names=self.names,
                execution=grants["execution"],
                etl_execution=grants.get("etl-execution"),
                backend_task=grants["backend-task"],
                events=grants["events"],
                boundaries=(
                    {key: self._boundary(key, granted) for key, granted in grants.items()}
                    if switch.workload_boundaries
                    else {}
                ),
            ),
        )

    def _execution(
        self, containers: list[str], secrets: list[str], parameters: list[str]
    ) -> list[Statement]:
        """What an execution role needs for `containers`: pull, log, read their secrets."""
        arns = self.arns
        return [
            *pull_grant([arns.repository(c) for c in containers]),
            *log_write_grant([arns.container_log_group(c) for c in containers]),
            *read_grant(secrets, parameters),
        ]
