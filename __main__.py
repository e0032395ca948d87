"""Storefront: each service built from source, pushed to ECR and run on ECS Fargate by digest."""

from pathlib import Path

import pulumi
import pulumi_aws as aws

from components.config_loader import read_stack_config
from components.image import registry_credentials
from components.load_balancer import LoadBalancer, LoadBalancerArgs
from components.network import Network, NetworkArgs
from components.registry import Registry, RegistryArgs
from components.service import Routing, ServiceDeployment, ServiceDeploymentArgs

ROOT = Path(__file__).resolve().parent

# 1. Config: validated in full before anything is registered.
config = read_stack_config(ROOT)
prefix = f"{config.project}-{config.stack}"
tags = {"project": config.project, "stack": config.stack, "managed-by": "pulumi"}

# 2. Shared pieces: registry settings, network, load balancer, service namespace, cluster, ECR login.
registry_settings = Registry(
    prefix,
    RegistryArgs(
        ecr=config.ecr,
        settings=config.registry,
        repository_prefix=f"{config.project}/{config.stack}",
        project=config.project,
        protect=config.protected,
        tags=tags,
    ),
)
network = Network(prefix, NetworkArgs(settings=config.network, region=config.region, tags=tags))
load_balancer = LoadBalancer(
    config.stack,
    LoadBalancerArgs(
        settings=config.load_balancer,
        vpc_id=network.vpc_id,
        vpc_cidr=config.network.cidr_block,
        subnet_ids=network.public_subnet_ids,
        protect=config.protected,
        tags=tags,
    ),
    opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(name=prefix)]),
)
namespace = aws.servicediscovery.HttpNamespace(
    f"{prefix}-namespace",
    name=f"{prefix}.internal",
    description=f"Service Connect names for {prefix}",
    tags=tags,
)
cluster = aws.ecs.Cluster(
    f"{prefix}-cluster",
    name=prefix,
    settings=[{
        "name": "containerInsights",
        "value": "enabled" if config.deployment.container_insights else "disabled",
    }],
    service_connect_defaults={"namespace": namespace.arn},
    tags=tags,
)
capacity = aws.ecs.ClusterCapacityProviders(
    f"{prefix}-capacity",
    cluster_name=cluster.name,
    capacity_providers=["FARGATE", "FARGATE_SPOT"],
)
registry = registry_credentials()

# 3. One component per service, each after the services it calls.
priorities = config.listener_priorities()
called_names = {name for service in config.services for name in service.calls}
deployments: dict[str, ServiceDeployment] = {}
for service in config.creation_order():
    routing = None
    if service.public:
        routing = Routing(
            vpc_id=network.vpc_id,
            listener_arn=load_balancer.listener.arn,
            load_balancer_security_group_id=load_balancer.security_group.id,
            priority=priorities[service.name],
        )
    deployments[service.name] = ServiceDeployment(
        service.name,
        ServiceDeploymentArgs(
            service=service,
            stack=config,
            root=ROOT,
            registry=registry,
            cluster=cluster,
            namespace_arn=namespace.arn,
            vpc_id=network.vpc_id,
            subnet_ids=network.task_subnet_ids,
            assign_public_ip=network.tasks_in_public_subnets,
            routing=routing,
            kms_key_arn=registry_settings.kms_key_arn,
            called=tuple(deployments[name] for name in service.calls),
            is_called=service.name in called_names,
            network_dependencies=(network,),
            tags=tags,
        ),
        opts=pulumi.ResourceOptions(depends_on=[capacity]),
    )

# 4. Outputs, read by `make verify-rollout` and by people.
pulumi.export("region", config.region)
pulumi.export("clusterName", cluster.name)
pulumi.export("url", load_balancer.url)
pulumi.export("services", {name: deployment.outputs for name, deployment in sorted(deployments.items())})
