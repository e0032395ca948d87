"""Registration options that the plan's JSON does not carry: dependencies, aliases, delete-before-replace."""

from __future__ import annotations

import contextvars
from collections.abc import Callable

import pulumi
import pulumi_aws as aws
import pulumi_docker as docker
import pytest
from pulumi.runtime import settings as runtime_settings

from components.config_loader import load_config
from components.network import Network, NetworkArgs
from components.service import ServiceDeployment, ServiceDeploymentArgs
from conftest import ROOT, STACKS
from plan import runner
from plan.mocks import PlanMocks, RecordingMonitor, Registration
from test_config import dev_values

PUBLIC = ("backend", "frontend")
SERVICES = ("backend", "frontend", "order-service")


def run_under_mocks(program: Callable[[], object], plan_mocks: PlanMocks | None = None) -> RecordingMonitor:
    """Run `program` in a fresh Pulumi mock runtime and return the monitor, or raise its error."""

    def run() -> RecordingMonitor:
        mocks = plan_mocks or PlanMocks(region="ap-south-1", root=ROOT)
        monitor = RecordingMonitor(mocks)
        pulumi.runtime.set_mocks(mocks, "storefront", "test", preview=False, monitor=monitor)

        @pulumi.runtime.test
        def body():
            return program()

        body()
        return monitor

    try:
        return contextvars.Context().run(run)
    finally:
        # The runtime keeps a failed run's error in process-wide settings, and the next program run
        # in this process, such as `run_plan`, would raise it again.
        runtime_settings.SETTINGS.rpc_manager.clear()
        runtime_settings.SETTINGS.outputs.clear()


@pytest.fixture(scope="module")
def monitors() -> dict[str, RecordingMonitor]:
    """Run the whole program per stack, as `run_plan` does, and keep each stack's monitor."""
    captured: list[RecordingMonitor] = []

    class KeptMonitor(RecordingMonitor):
        def __init__(self, plan_mocks: PlanMocks):
            super().__init__(plan_mocks)
            captured.append(self)

    result = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(runner, "RecordingMonitor", KeptMonitor)
        for stack in STACKS:
            runner.run_plan(stack)
            result[stack] = captured[-1]
    return result


@pytest.fixture(params=STACKS)
def monitor(request, monitors) -> RecordingMonitor:
    return monitors[request.param]


def registered(monitor: RecordingMonitor, type_: str, name: str) -> Registration:
    matches = [r for r in monitor.registrations.values() if r.type == type_ and r.name == name]
    assert len(matches) == 1, f"expected one {type_} named {name}, found {len(matches)}"
    return matches[0]


def ecs_service(monitor: RecordingMonitor, service: str) -> Registration:
    return registered(monitor, "aws:ecs/service:Service", f"{service}-service")


def test_caller_waits_for_called_service(monitor):
    callee = ecs_service(monitor, "order-service")
    assert callee.urn in ecs_service(monitor, "backend").dependencies


def test_caller_waits_for_ingress_rule(monitor):
    rule = registered(monitor, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
                      "backend-to-order-service")
    assert rule.urn in ecs_service(monitor, "backend").dependencies


def test_called_service_ignores_callers(monitor):
    dependencies = ecs_service(monitor, "order-service").dependencies
    assert ecs_service(monitor, "backend").urn not in dependencies
    assert ecs_service(monitor, "frontend").urn not in dependencies


def test_service_waits_for_execution_policy(monitor):
    for service in SERVICES:
        policy = registered(monitor, "aws:iam/rolePolicy:RolePolicy", f"{service}-execution-policy")
        assert policy.urn in ecs_service(monitor, service).dependencies, service


def test_service_waits_for_secret_value(monitor):
    version = registered(monitor, "aws:secretsmanager/secretVersion:SecretVersion", "backend-mongodb-uri-value")
    assert version.urn in ecs_service(monitor, "backend").dependencies


def test_service_waits_for_egress_rule(monitor):
    for service in SERVICES:
        egress = registered(monitor, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", f"{service}-egress")
        assert egress.urn in ecs_service(monitor, service).dependencies, service


def test_public_service_waits_for_routing(monitor):
    for service in PUBLIC:
        dependencies = ecs_service(monitor, service).dependencies
        rule = registered(monitor, "aws:lb/listenerRule:ListenerRule", f"{service}-route")
        ingress = registered(monitor, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
                             f"{service}-from-load-balancer")
        assert rule.urn in dependencies, service
        assert ingress.urn in dependencies, service


def test_target_group_aliases_old_name(monitor):
    for service in PUBLIC:
        group = registered(monitor, "aws:lb/targetGroup:TargetGroup", f"{service}-tg")
        assert {"name": f"{service}-targets"} in group.aliases


def test_repository_deleted_before_replace(monitor):
    for service in SERVICES:
        repository = registered(monitor, "aws:ecr/repository:Repository", f"{service}-repository")
        assert repository.delete_before_replace is True, service


def test_network_dependencies_reach_service():
    config = load_config(dev_values(), project="storefront", stack="dev", root=ROOT,
                         secret_keys=frozenset({"storefront:mongodbUri"}))
    orders = next(service for service in config.services if service.name == "order-service")

    def program():
        network = Network("net", NetworkArgs(settings=config.network, region=config.region, tags={}))
        cluster = aws.ecs.Cluster("cluster", name="cluster")
        deployment = ServiceDeployment("order-service", ServiceDeploymentArgs(
            service=orders,
            stack=config,
            root=ROOT,
            registry=docker.RegistryArgs(server="registry.invalid", username="AWS", password="unused"),
            cluster=cluster,
            namespace_arn="arn:aws:servicediscovery:ap-south-1:123456789012:namespace/ns-plan",
            vpc_id=network.vpc_id,
            subnet_ids=network.task_subnet_ids,
            assign_public_ip=network.tasks_in_public_subnets,
            network_dependencies=(network,),
        ))
        return deployment.service.urn

    monitor = run_under_mocks(program)
    dependencies = ecs_service(monitor, "order-service").dependencies
    # Route table associations and the internet gateway are not inputs of the service, so only
    # `network_dependencies` makes the service wait for them.
    associations = [r for r in monitor.registrations.values()
                    if r.type == "aws:ec2/routeTableAssociation:RouteTableAssociation"]
    assert len(associations) == 4
    for association in associations:
        assert association.urn in dependencies, association.name
    gateway = registered(monitor, "aws:ec2/internetGateway:InternetGateway", "net-igw")
    assert gateway.urn in dependencies
