"""Pulumi mocks that return what AWS and Docker would, and a monitor that records every registration.

Outputs are computed from the inputs: IDs and name suffixes come from a hash of the resource's URN,
so equal programs give equal plans. An image's digest is the sha256 of its build inputs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pulumi
from pulumi.runtime import mocks, rpc
from pulumi.runtime.proto import resource_pb2
from pulumi.runtime.sync_await import _sync_await

from components.build_context import build_inputs_hash

# AWS's own placeholder account ID from its documentation. No real account is involved.
ACCOUNT_ID = "123456789012"
SECRET_MASK = "[secret]"


class UnmockedInvokeError(Exception):
    """Raised for a provider function that the plan does not model, so no result is made up."""


class PhysicalNameTooLongError(Exception):
    """Raised when a resource's physical name exceeds the limit AWS sets for its type."""


# Maximum physical name length per resource type, from the `Name` docs of CreateLoadBalancer and
# CreateTargetGroup in botocore's ELBv2 model, `roleNameType` in its IAM model and CreateService
# `serviceName` in its ECS model. Autonaming (`NewUniqueHex` in Pulumi's Go SDK) raises an error
# for a name that would exceed the limit, rather than truncating it.
NAME_LIMITS = {
    "aws:lb/loadBalancer:LoadBalancer": 32,
    "aws:lb/targetGroup:TargetGroup": 32,
    "aws:iam/role:Role": 64,
    "aws:ecs/service:Service": 255,
}

# Pulumi's autonaming appends a hyphen and this many random characters to the logical name.
AUTONAME_SUFFIX_LENGTH = 7

# The stand-in zones of every Region: three Availability Zones and one opted-in Local Zone. The
# Local Zone's name is made up for the plan and matches no real zone.
_ZONE_SUFFIXES = (("a", "opt-in-not-required"), ("b", "opt-in-not-required"),
                  ("c", "opt-in-not-required"), ("-plan-1a", "opted-in"))


def _hex(seed: str, length: int) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:length]


def is_secret(value: Any) -> bool:
    return rpc.is_rpc_secret(value)


def unwrap(value: Any) -> Any:
    """Return `value` with every secret marker removed, for computing outputs."""
    if rpc.is_rpc_secret(value):
        return unwrap(rpc.unwrap_rpc_secret(value))
    if isinstance(value, dict):
        return {key: unwrap(item) for key, item in value.items()}
    if isinstance(value, list):
        return [unwrap(item) for item in value]
    return value


def mask(value: Any) -> Any:
    """Return `value` with every secret replaced by `"[secret]"`, for the plan.

    Whole floats become ints, because the wire format carries every number as a double.
    """
    if rpc.is_rpc_secret(value):
        return SECRET_MASK
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: mask(item) for key, item in value.items()}
    if isinstance(value, list):
        return [mask(item) for item in value]
    return value


@dataclass
class PlanMocks(pulumi.runtime.Mocks):
    """Outputs for each resource type the program uses, shaped like the real providers' outputs."""

    region: str
    root: Path
    account: str = ACCOUNT_ID
    invokes: list[str] = field(default_factory=list)

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        inputs = unwrap(args.inputs)
        urn_seed = f"{pulumi.get_stack()}::{args.typ}::{args.name}"
        builder = _OUTPUTS.get(args.typ)
        if builder is None:
            if args.custom:
                raise UnmockedInvokeError(f"the plan has no model of resource type {args.typ}. Add one to plan/mocks.py.")
            return "", inputs
        resource_id, computed = builder(self, args.name, inputs, urn_seed)
        _check_name_length(args.typ, args.name, inputs, computed)
        return resource_id, {**inputs, **computed, "id": resource_id}

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict:
        self.invokes.append(args.token)
        if args.token == "aws:ecr/getAuthorizationToken:getAuthorizationToken":
            registry = args.args.get("registryId") or self.account
            return {
                "id": self.region,
                "registryId": registry,
                "proxyEndpoint": f"https://{registry}.dkr.ecr.{self.region}.amazonaws.com",
                "userName": "AWS",
                "password": "plan-placeholder-password",
                "authorizationToken": "plan-placeholder-token",
                "expiresAt": "1970-01-01T00:00:00Z",
            }
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "id": self.account,
                "accountId": self.account,
                "arn": f"arn:aws:iam::{self.account}:user/plan",
                "userId": "AIDAPLANPLACEHOLDER",
            }
        if args.token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            # NOTE: every Region gets the same stand-in zones here. Real Regions differ.
            names = self._zone_names(args.args)
            return {"id": self.region, "names": names, "zoneIds": [], "groupNames": [self.region]}
        raise UnmockedInvokeError(f"the plan has no model of provider function {args.token}. Add one to plan/mocks.py.")

    def arn(self, service: str, resource: str, *, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{resource}"

    def _zone_names(self, request: dict) -> list[str]:
        """Return the stand-in zones that pass the request's `state` and `opt-in-status` filters.

        Every stand-in zone is available. Any other filter raises, so no result is made up.
        """
        zones = [(f"{self.region}{suffix}", status) for suffix, status in _ZONE_SUFFIXES]
        state = request.get("state")
        if state not in (None, "available"):
            zones = []
        for entry in request.get("filters") or []:
            if entry.get("name") != "opt-in-status":
                raise UnmockedInvokeError(f"the plan has no model of the getAvailabilityZones filter "
                                          f"{entry.get('name')!r}. Add one to plan/mocks.py.")
            allowed = set(entry.get("values") or [])
            zones = [(name, status) for name, status in zones if status in allowed]
        return [name for name, _ in zones]


def _autoname(name: str, inputs: dict, seed: str, key: str = "name") -> str:
    """Mimic Pulumi's autonaming: the logical name plus seven characters, unless a name was given."""
    return inputs.get(key) or f"{name}-{_hex(seed, AUTONAME_SUFFIX_LENGTH)}"


def _check_name_length(typ: str, name: str, inputs: dict, computed: dict) -> None:
    """Raise `PhysicalNameTooLongError` when the physical name exceeds the limit for `typ`."""
    limit = NAME_LIMITS.get(typ)
    physical = computed.get("name")
    if limit is None or physical is None or len(physical) <= limit:
        return
    if inputs.get("name"):
        fix = "Shorten its `name` input."
    else:
        fix = (f"Autonaming adds {AUTONAME_SUFFIX_LENGTH + 1} characters to the logical name, so shorten "
               f"the logical name to at most {limit - AUTONAME_SUFFIX_LENGTH - 1} characters.")
    raise PhysicalNameTooLongError(
        f"{typ} {name!r}: physical name {physical!r} is {len(physical)} characters, but the limit is "
        f"{limit}. {fix}"
    )


def _ecr_repository(mocks: PlanMocks, name: str, inputs: dict, seed: str) -> tuple[str, dict]:
    repo = inputs["name"]
    return repo, {
        "arn": mocks.arn("ecr", f"repository/{repo}"),
        "registryId": mocks.account,
        "repositoryUrl": f"{mocks.account}.dkr.ecr.{mocks.region}.amazonaws.com/{repo}",
    }


def _docker_image(mocks: PlanMocks, name: str, inputs: dict, seed: str) -> tuple[str, dict]:
    build = inputs.get("build") or {}
    context = build.get("context", ".")
    dockerfile = str(Path(build.get("dockerfile", f"{context}/Dockerfile")).relative_to(context))
    digest = build_inputs_hash(
        mocks.root / context,
        dockerfile=dockerfile,
        build_args=build.get("args") or {},
        platform=build.get("platform", ""),
    )
    image_name = inputs["imageName"]
    repository = image_name.rsplit(":", 1)[0]
    repo_digest = f"{repository}@sha256:{digest}"
    return repo_digest, {"repoDigest": repo_digest, "baseImageName": image_name, "context": context, "dockerfile": dockerfile}


def _named_arn(service: str, kind: str, separator: str = "/") -> Callable[..., tuple[str, dict]]:
    def build(mocks: PlanMocks, name: str, inputs: dict, seed: str) -> tuple[str, dict]:
        physical = _autoname(name, inputs, seed)
        region = service != "iam"
        return physical, {"name": physical, "arn": mocks.arn(service, f"{kind}{separator}{physical}", region=region)}
    return build


def _log_group(mocks: PlanMocks, name: str, inputs: dict, seed: str) -> tuple[str, dict]:
    group = _autoname(name, inputs, seed)
    return group, {"name": group, "arn": mocks.arn("logs", f"log-group:{group}")}


def _task_definition(mocks: PlanMocks, name: str, inputs: dict, seed: str) -> tuple[str, dict]:
    family = inputs["family"]
    # ECS numbers a family's revisions 1, 2, 3 as they are registered, which no plan can know.
    # This stand-in number comes from the inputs, so a changed definition gets a changed ARN.
    revision = 1 + int(_hex(json.dumps(inputs, sort_keys=True), 8), 16) % 999
    return family, {
        "revision": revision,
        "arn": mocks.arn("ecs", f"task-definition/{family}:{revision}"),
        "arnWithoutRevision": mocks.arn("ecs", f"task-definition/{family}"),
    }


def _ecs_service(mocks: PlanMocks, name: str, inputs: dict, seed: str) -> tuple[str, dict]:
    service = _autoname(name, inputs, seed)
    cluster = str(inputs.get("cluster", "")).rsplit("/", 1)[-1]
    arn = mocks.arn("ecs", f"service/{cluster}/{service}")
    return arn, {"name": service, "arn": arn}


def _load_balancer(mocks: PlanMocks, name: str, inputs: dict, seed: str) -> tuple[str, dict]:
    balancer = _autoname(name, inputs, seed)
    arn = mocks.arn("elasticloadbalancing", f"loadbalancer/app/{balancer}/{_hex(seed, 16)}")
    dns = f"{balancer}-{int(_hex(seed, 8), 16) % 10**10}.{mocks.region}.elb.amazonaws.com"
    return arn, {"name": balancer, "arn": arn, "arnSuffix": arn.split(":loadbalancer/")[1], "dnsName": dns}


def _listener_like(kind: str) -> Callable[..., tuple[str, dict]]:
    def build(mocks: PlanMocks, name: str, inputs: dict, seed: str) -> tuple[str, dict]:
        arn = mocks.arn("elasticloadbalancing", f"{kind}/app/{name}/{_hex(seed, 16)}/{_hex(seed + 'x', 16)}")
        return arn, {"arn": arn}
    return build


def _target_group(mocks: PlanMocks, name: str, inputs: dict, seed: str) -> tuple[str, dict]:
    group = _autoname(name, inputs, seed)
    arn = mocks.arn("elasticloadbalancing", f"targetgroup/{group}/{_hex(seed, 16)}")
    return arn, {"name": group, "arn": arn, "arnSuffix": arn.split(":", 5)[5]}


def _ec2(prefix: str, kind: str) -> Callable[..., tuple[str, dict]]:
    def build(mocks: PlanMocks, name: str, inputs: dict, seed: str) -> tuple[str, dict]:
        resource_id = f"{prefix}-{_hex(seed, 17)}"
        computed = {"arn": mocks.arn("ec2", f"{kind}/{resource_id}")}
        if prefix == "eipalloc":
            computed["allocationId"] = resource_id
        return resource_id, computed
    return build


def _namespace(mocks: PlanMocks, name: str, inputs: dict, seed: str) -> tuple[str, dict]:
    namespace_id = f"ns-{_hex(seed, 16)}"
    return namespace_id, {"arn": mocks.arn("servicediscovery", f"namespace/{namespace_id}")}


def _secret(mocks: PlanMocks, name: str, inputs: dict, seed: str) -> tuple[str, dict]:
    secret = _autoname(name, inputs, seed)
    # Secrets Manager appends a hyphen and six random characters to the name in the ARN.
    arn = mocks.arn("secretsmanager", f"secret:{secret}-{_hex(seed, 6)}")
    return arn, {"arn": arn, "name": secret}


def _kms_key(mocks: PlanMocks, name: str, inputs: dict, seed: str) -> tuple[str, dict]:
    digits = _hex(seed, 32)
    key_id = f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"
    return key_id, {"keyId": key_id, "arn": mocks.arn("kms", f"key/{key_id}")}


def _kms_alias(mocks: PlanMocks, name: str, inputs: dict, seed: str) -> tuple[str, dict]:
    alias = inputs["name"]
    return alias, {"arn": mocks.arn("kms", alias), "targetKeyArn": mocks.arn("kms", f"key/{inputs.get('targetKeyId')}")}


def _registry_wide(mocks: PlanMocks, name: str, inputs: dict, seed: str) -> tuple[str, dict]:
    return mocks.account, {"registryId": mocks.account}


def _pull_through_rule(mocks: PlanMocks, name: str, inputs: dict, seed: str) -> tuple[str, dict]:
    return inputs["ecrRepositoryPrefix"], {"registryId": mocks.account}


def _plain_id(mocks: PlanMocks, name: str, inputs: dict, seed: str) -> tuple[str, dict]:
    return f"{name}-{_hex(seed, 8)}", {}


def _scaling_policy(mocks: PlanMocks, name: str, inputs: dict, seed: str) -> tuple[str, dict]:
    policy = _autoname(name, inputs, seed)
    resource = inputs.get("resourceId", "")
    arn = mocks.arn("autoscaling", f"scalingPolicy:{_hex(seed, 8)}-{_hex(seed, 4)}:resource/ecs/{resource}:policyName/{policy}")
    return policy, {"name": policy, "arn": arn}


_OUTPUTS: dict[str, Callable[..., tuple[str, dict]]] = {
    "aws:ecr/repository:Repository": _ecr_repository,
    "aws:ecr/repositoryPolicy:RepositoryPolicy": lambda mocks, name, inputs, seed: (inputs["repository"], {"registryId": mocks.account}),
    "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration": _registry_wide,
    "aws:ecr/replicationConfiguration:ReplicationConfiguration": _registry_wide,
    "aws:ecr/pullThroughCacheRule:PullThroughCacheRule": _pull_through_rule,
    "aws:kms/key:Key": _kms_key,
    "aws:kms/alias:Alias": _kms_alias,
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": lambda mocks, name, inputs, seed: (inputs["repository"], {"registryId": mocks.account}),
    "docker:index/image:Image": _docker_image,
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "aws:iam/role:Role": _named_arn("iam", "role"),
    "aws:iam/rolePolicy:RolePolicy": _plain_id,
    "aws:ecs/taskDefinition:TaskDefinition": _task_definition,
    "aws:ecs/cluster:Cluster": _named_arn("ecs", "cluster"),
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": _plain_id,
    "aws:ecs/service:Service": _ecs_service,
    "aws:ec2/vpc:Vpc": _ec2("vpc", "vpc"),
    "aws:ec2/subnet:Subnet": _ec2("subnet", "subnet"),
    "aws:ec2/internetGateway:InternetGateway": _ec2("igw", "internet-gateway"),
    "aws:ec2/routeTable:RouteTable": _ec2("rtb", "route-table"),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": _ec2("rtbassoc", "route-table-association"),
    "aws:ec2/securityGroup:SecurityGroup": _ec2("sg", "security-group"),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _ec2("sgr", "security-group-rule"),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": _ec2("sgr", "security-group-rule"),
    "aws:ec2/eip:Eip": _ec2("eipalloc", "elastic-ip"),
    "aws:ec2/natGateway:NatGateway": _ec2("nat", "natgateway"),
    "aws:ec2/vpcEndpoint:VpcEndpoint": _ec2("vpce", "vpc-endpoint"),
    "aws:lb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:lb/listener:Listener": _listener_like("listener"),
    "aws:lb/listenerRule:ListenerRule": _listener_like("listener-rule"),
    "aws:lb/targetGroup:TargetGroup": _target_group,
    "aws:servicediscovery/httpNamespace:HttpNamespace": _namespace,
    "aws:secretsmanager/secret:Secret": _secret,
    "aws:secretsmanager/secretVersion:SecretVersion": _plain_id,
    "aws:appautoscaling/target:Target": _plain_id,
    "aws:appautoscaling/policy:Policy": _scaling_policy,
}


@dataclass
class Registration:
    """One resource as the engine saw it: inputs as registered, outputs as returned.

    `dependencies` are the URNs the resource waits for, from its inputs and `depends_on`, with
    each component expanded to its children. `aliases` are the resource's earlier names, types or URNs.
    """

    urn: str
    type: str
    name: str
    parent: str | None
    custom: bool
    protect: bool
    inputs: dict
    outputs: dict = field(default_factory=dict)
    dependencies: list[str] = field(default_factory=list)
    delete_before_replace: bool = False
    aliases: list[dict[str, str]] = field(default_factory=list)


class RecordingMonitor(mocks.MockMonitor):
    """A mock monitor that keeps each registration with its secrets still marked.

    Like the engine, it marks an output secret when the input of the same name was secret, and
    marks `additionalSecretOutputs` secret too, so the program receives the same secrecy as under the engine.
    """

    def __init__(self, plan_mocks: PlanMocks):
        super().__init__(plan_mocks)
        self.registrations: dict[str, Registration] = {}

    def RegisterResource(self, request):  # noqa: N802 - the engine's RPC name
        urn = self.make_urn(request.parent, request.type, request.name)
        inputs = rpc.deserialize_properties(request.object)
        registration = Registration(
            urn=urn,
            type=request.type,
            name=request.name,
            parent=request.parent or None,
            custom=bool(request.custom),
            protect=bool(request.protect),
            inputs=inputs,
            dependencies=sorted(request.dependencies),
            delete_before_replace=bool(request.deleteBeforeReplace),
            aliases=_alias_specs(request),
        )
        self.registrations[urn] = registration
        if request.type == "pulumi:pulumi:Stack":
            return resource_pb2.RegisterResourceResponse(urn=urn)

        mocks._ensure_event_loop()
        resource_args = pulumi.runtime.MockResourceArgs(
            typ=request.type, name=request.name, inputs=inputs, provider=request.provider,
            resource_id=request.importId, custom=request.custom or False,
        )
        resource_id, state = self.mocks.new_resource(resource_args)
        secret_names = {key for key, value in inputs.items() if is_secret(value)}
        secret_names |= set(request.additionalSecretOutputs)
        state = {key: rpc.wrap_rpc_secret(value) if key in secret_names else value for key, value in state.items()}
        registration.outputs = state
        self.resources[urn] = mocks.MockMonitor.ResourceRegistration(urn, resource_id, state)
        serialized = _sync_await(rpc.serialize_properties(state, {}))
        return resource_pb2.RegisterResourceResponse(urn=urn, id=resource_id, object=serialized)

    def RegisterResourceOutputs(self, request):  # noqa: N802 - the engine's RPC name
        registration = self.registrations.get(request.urn)
        if registration is not None and not registration.custom:
            registration.outputs = rpc.deserialize_properties(request.outputs)
        return super().RegisterResourceOutputs(request)


def _alias_specs(request) -> list[dict[str, str]]:
    """Return each alias of a registration as its set fields, for example `{"name": "old-name"}`."""
    aliases = [{"urn": urn} for urn in request.aliasURNs]
    for alias in request.aliases:
        if not alias.HasField("spec"):
            aliases.append({"urn": alias.urn})
            continue
        spec = alias.spec
        fields = {"name": spec.name, "type": spec.type, "stack": spec.stack, "project": spec.project,
                  "parentUrn": spec.parentUrn}
        aliases.append({key: value for key, value in fields.items() if value})
    return aliases
