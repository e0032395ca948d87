"""Print a plan as a tree of resources grouped by component, with each type's key properties."""

from __future__ import annotations

import json
from typing import Any

from plan.runner import Plan

# Properties worth reading in a review, per resource type, as dotted paths into inputs or outputs.
KEY_PROPERTIES: dict[str, tuple[str, ...]] = {
    "aws:ecr/repository:Repository": (
        "name", "imageTagMutability", "imageTagMutabilityExclusionFilters", "imageScanningConfiguration.scanOnPush",
        "forceDelete", "encryptionConfigurations.0.encryptionType", "encryptionConfigurations.0.kmsKey", "tags",
        "repositoryUrl",
    ),
    "aws:ecr/repositoryPolicy:RepositoryPolicy": ("policy",),
    "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration": ("scanType", "rules"),
    "aws:ecr/replicationConfiguration:ReplicationConfiguration": ("replicationConfiguration",),
    "aws:ecr/pullThroughCacheRule:PullThroughCacheRule": ("ecrRepositoryPrefix", "upstreamRegistryUrl", "credentialArn"),
    "aws:kms/key:Key": ("enableKeyRotation", "deletionWindowInDays", "arn"),
    "aws:kms/alias:Alias": ("name",),
    "docker:index/image:Image": ("imageName", "build.platform", "repoDigest", "registry.server", "registry.password"),
    "aws:ecs/taskDefinition:TaskDefinition": ("family", "cpu", "memory", "runtimePlatform.cpuArchitecture", "arn"),
    "aws:ecs/service:Service": (
        "name", "desiredCount", "launchType", "capacityProviderStrategies.0.capacityProvider",
        "deploymentCircuitBreaker", "deploymentMinimumHealthyPercent", "deploymentMaximumPercent",
        "networkConfiguration.assignPublicIp", "serviceConnectConfiguration.services.0.discoveryName",
    ),
    "aws:ecs/cluster:Cluster": ("name", "settings.0.value"),
    "aws:cloudwatch/logGroup:LogGroup": ("name", "retentionInDays"),
    "aws:iam/role:Role": ("name",),
    "aws:iam/rolePolicy:RolePolicy": ("policy",),
    "aws:ec2/vpc:Vpc": ("cidrBlock",),
    "aws:ec2/subnet:Subnet": ("cidrBlock", "availabilityZone"),
    "aws:ec2/natGateway:NatGateway": ("subnetId",),
    "aws:ec2/vpcEndpoint:VpcEndpoint": ("serviceName", "vpcEndpointType", "privateDnsEnabled"),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (
        "fromPort", "toPort", "cidrIpv4", "referencedSecurityGroupId",
    ),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ("ipProtocol", "fromPort", "toPort", "cidrIpv4"),
    "aws:lb/loadBalancer:LoadBalancer": ("internal", "dnsName", "enableDeletionProtection"),
    "aws:lb/listener:Listener": ("port", "protocol", "sslPolicy", "defaultActions.0.type"),
    "aws:lb/listenerRule:ListenerRule": ("priority", "conditions.0.pathPattern.values"),
    "aws:lb/targetGroup:TargetGroup": (
        "port", "deregistrationDelay", "healthCheck.path", "healthCheck.interval", "healthCheck.healthyThreshold",
    ),
    "aws:servicediscovery/httpNamespace:HttpNamespace": ("name",),
    "aws:secretsmanager/secret:Secret": ("name", "arn"),
    "aws:secretsmanager/secretVersion:SecretVersion": ("secretString",),
    "aws:appautoscaling/target:Target": ("resourceId", "minCapacity", "maxCapacity"),
    "aws:appautoscaling/policy:Policy": (
        "targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification.predefinedMetricType",
        "targetTrackingScalingPolicyConfiguration.targetValue",
    ),
}


def render_tree(plan: Plan) -> str:
    """Return the plan as text: a header, the resource tree, warnings and the stack outputs."""
    lines = [
        f"Offline plan for {plan.project}/{plan.stack}: what the program registers with Pulumi's mock",
        "engine. It is not `pulumi preview`: no AWS account or Docker engine was contacted, and",
        "IDs, ARNs and digests are computed stand-ins.",
        "",
    ]
    children: dict[str | None, list[dict[str, Any]]] = {}
    for resource in plan.resources:
        children.setdefault(resource["parent"], []).append(resource)

    def walk(resource: dict[str, Any], indent: str, last: bool, top: bool) -> None:
        if top:
            branch, continuation = "", ""
        elif last:
            branch, continuation = "└── ", "    "
        else:
            branch, continuation = "├── ", "│   "
        protect = "  [protected]" if resource.get("protect") else ""
        lines.append(f"{indent}{branch}{resource['type']}  {resource['name']}{protect}")
        detail_indent = indent + continuation
        kids = children.get(resource["urn"], [])
        for text in _details(resource):
            lines.append(f"{detail_indent}{'│ ' if kids else '  '}    {text}")
        for index, kid in enumerate(kids):
            walk(kid, detail_indent, index == len(kids) - 1, False)

    for root in children.get(None, []):
        walk(root, "", True, True)

    lines.append("")
    lines.append(f"{len(plan.resources)} resources, {sum(1 for r in plan.resources if r['type'].startswith(('aws:', 'docker:')))} of them in AWS or Docker.")
    for note in plan.notes:
        lines.append(f"note: {note}")
    for warning in plan.warnings:
        lines.append(f"warning: {warning}")
    lines.append("")
    lines.append("Outputs:")
    lines.extend("  " + line for line in json.dumps(plan.outputs, indent=2, sort_keys=True).splitlines())
    return "\n".join(lines) + "\n"


def _details(resource: dict[str, Any]) -> list[str]:
    properties = {**resource.get("outputs", {}), **resource.get("inputs", {})}
    texts = []
    for path in KEY_PROPERTIES.get(resource["type"], ()):
        value = _lookup(properties, path)
        if value is not None:
            texts.append(f"{path} = {_short(value)}")
    if resource["type"] == "aws:ecr/lifecyclePolicy:LifecyclePolicy":
        texts.extend(_policy_lines(properties.get("policy")))
    if resource["type"] == "aws:ecs/taskDefinition:TaskDefinition":
        texts.extend(_container_lines(properties.get("containerDefinitions")))
    return texts


def _lookup(properties: dict[str, Any], path: str) -> Any:
    value: Any = properties
    for part in path.split("."):
        if isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            return None
    return value


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text if len(text) <= 140 else text[:137] + "..."


def _policy_lines(policy: Any) -> list[str]:
    if not isinstance(policy, str):
        return []
    rules = json.loads(policy).get("rules", [])
    return [f"rule {rule.get('rulePriority')}: {json.dumps({k: v for k, v in rule.items() if k != 'rulePriority'})}"
            for rule in rules]


def _container_lines(definitions: Any) -> list[str]:
    if not isinstance(definitions, str):
        return []
    lines = []
    for container in json.loads(definitions):
        lines.append(f"container {container['name']}: image = {container['image']}")
        env = ", ".join(f"{item['name']}={item['value']}" for item in container.get("environment", []))
        secrets = ", ".join(f"{item['name']} from {item['valueFrom']}" for item in container.get("secrets", []))
        health = " ".join(container.get("healthCheck", {}).get("command", []))
        lines.append(f"container {container['name']}: environment = [{env}] secrets = [{secrets}]")
        lines.append(f"container {container['name']}: healthCheck = {health}")
    return lines
