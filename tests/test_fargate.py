"""Production depth of the Fargate path: network, security groups, routing, scaling, secrets."""

from __future__ import annotations

import json

import pulumi
import pytest
import yaml

from components.config import NetworkSettings
from components.network import Network, NetworkArgs
from conftest import ROOT, children, of_type, one
from plan.mocks import PlanMocks
from plan.runner import run_plan
from test_config import dev_values, problems_for
from test_dependencies import run_under_mocks


def group_id(plan, name: str) -> str:
    return one(plan, "aws:ec2/securityGroup:SecurityGroup", name)["outputs"]["id"]


def balancer_group_id(plan) -> str:
    """Return the load balancer's security group ID, whatever name the component was given."""
    [component] = of_type(plan, "storefront:index:LoadBalancer")
    [group] = [kid for kid in children(plan, component) if kid["type"] == "aws:ec2/securityGroup:SecurityGroup"]
    return group["outputs"]["id"]


def ingress_to(plan, target: str) -> list[dict]:
    return [rule["inputs"] for rule in of_type(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
            if rule["inputs"]["securityGroupId"] == target]


def ingress_of(plan, name: str) -> list[dict]:
    return ingress_to(plan, group_id(plan, name))


def test_subnets_per_zone(plans):
    for stack, zones in (("dev", 2), ("prod", 3)):
        subnets = of_type(plans[stack], "aws:ec2/subnet:Subnet")
        public = [s for s in subnets if s["inputs"]["tags"]["Tier"] == "public"]
        private = [s for s in subnets if s["inputs"]["tags"]["Tier"] == "private"]
        assert len(public) == zones
        assert len(private) == zones
        assert len({s["inputs"]["availabilityZone"] for s in public}) == zones


def test_subnets_skip_local_zones(plan):
    # The mock's zone list contains an opted-in Local Zone, `<region>-plan-1a`, that sorts first.
    zones = {s["inputs"]["availabilityZone"] for s in of_type(plan, "aws:ec2/subnet:Subnet")}
    assert zones <= {"ap-south-1a", "ap-south-1b", "ap-south-1c"}


def test_too_few_zones_raise_run_error():
    class TwoZones(PlanMocks):
        def _zone_names(self, request: dict) -> list[str]:
            return [f"{self.region}a", f"{self.region}b"]

    def program():
        settings = NetworkSettings(availability_zones=3)
        return Network("net", NetworkArgs(settings=settings, region="ap-south-1", tags={})).vpc_id

    with pytest.raises(pulumi.RunError) as caught:
        run_under_mocks(program, TwoZones(region="ap-south-1", root=ROOT))
    message = str(caught.value)
    assert message.startswith("storefront:network.availabilityZones is 3, but the Availability Zone lookup "
                              "for ap-south-1 returned 2 available zones that need no opt-in "
                              "(ap-south-1a, ap-south-1b).")
    assert "Lower storefront:network.availabilityZones" in message


def test_dev_tasks_public_without_nat(plans):
    plan = plans["dev"]
    assert of_type(plan, "aws:ec2/natGateway:NatGateway") == []
    public_ids = {s["outputs"]["id"] for s in of_type(plan, "aws:ec2/subnet:Subnet")
                  if s["inputs"]["tags"]["Tier"] == "public"}
    for service in of_type(plan, "aws:ecs/service:Service"):
        network = service["inputs"]["networkConfiguration"]
        assert network["assignPublicIp"] is True
        assert set(network["subnets"]) == public_ids


def test_prod_tasks_private_behind_nat(plans):
    plan = plans["prod"]
    assert len(of_type(plan, "aws:ec2/natGateway:NatGateway")) == 3
    private_ids = {s["outputs"]["id"] for s in of_type(plan, "aws:ec2/subnet:Subnet")
                   if s["inputs"]["tags"]["Tier"] == "private"}
    for service in of_type(plan, "aws:ecs/service:Service"):
        network = service["inputs"]["networkConfiguration"]
        assert network["assignPublicIp"] is False
        assert set(network["subnets"]) == private_ids
    for table in of_type(plan, "aws:ec2/routeTable:RouteTable"):
        if "private" in table["name"]:
            [route] = table["inputs"]["routes"]
            assert route["natGatewayId"].startswith("nat-")


def test_http_only_balancer_closes_443(plan):
    rules = ingress_to(plan, balancer_group_id(plan))
    assert [(rule["fromPort"], rule["toPort"], rule["cidrIpv4"]) for rule in rules] == [(80, 80, "0.0.0.0/0")]


def test_task_groups_never_open_to_internet(plan):
    for name in ("frontend", "backend", "order-service"):
        for rule in ingress_of(plan, f"{name}-sg"):
            assert "cidrIpv4" not in rule
            assert rule["referencedSecurityGroupId"].startswith("sg-")


def test_public_tasks_accept_only_load_balancer(plan):
    balancer = balancer_group_id(plan)
    for name, port in (("frontend", 8080), ("backend", 3000)):
        [rule] = ingress_of(plan, f"{name}-sg")
        assert rule["referencedSecurityGroupId"] == balancer
        assert (rule["fromPort"], rule["toPort"], rule["ipProtocol"]) == (port, port, "tcp")


def test_internal_service_accepts_only_callers(plan):
    [rule] = ingress_of(plan, "order-service-sg")
    assert rule["referencedSecurityGroupId"] == group_id(plan, "backend-sg")
    assert (rule["fromPort"], rule["toPort"]) == (3001, 3001)


def test_http_only_without_certificate(plan):
    [listener] = of_type(plan, "aws:lb/listener:Listener")
    assert listener["inputs"]["port"] == 80
    assert listener["inputs"]["protocol"] == "HTTP"
    assert any("no certificate is configured" in warning for warning in plan.warnings)


def test_certificate_enables_https(project_copy):
    stack_path = project_copy / "Pulumi.prod.yaml"
    document = yaml.safe_load(stack_path.read_text())
    arn = "arn:aws:acm:ap-south-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
    document["config"]["storefront:loadBalancer"] = {"certificateArn": arn}
    stack_path.write_text(yaml.safe_dump(document))
    plan = run_plan("prod", root=project_copy)
    listeners = {listener["inputs"]["port"]: listener["inputs"] for listener in of_type(plan, "aws:lb/listener:Listener")}
    assert listeners[80]["defaultActions"][0]["type"] == "redirect"
    assert listeners[80]["defaultActions"][0]["redirect"]["protocol"] == "HTTPS"
    assert listeners[443]["protocol"] == "HTTPS"
    assert listeners[443]["certificateArn"] == arn
    assert listeners[443]["sslPolicy"].startswith("ELBSecurityPolicy-TLS13")
    https_arn = next(l["outputs"]["arn"] for l in of_type(plan, "aws:lb/listener:Listener") if l["inputs"]["port"] == 443)
    for rule in of_type(plan, "aws:lb/listenerRule:ListenerRule"):
        assert rule["inputs"]["listenerArn"] == https_arn
    assert not any("no certificate" in warning for warning in plan.warnings)
    ingress = ingress_to(plan, balancer_group_id(plan))
    assert sorted((rule["fromPort"], rule["cidrIpv4"]) for rule in ingress) == [(80, "0.0.0.0/0"), (443, "0.0.0.0/0")]


def test_target_groups_check_fast(plan):
    for group in of_type(plan, "aws:lb/targetGroup:TargetGroup"):
        check = group["inputs"]["healthCheck"]
        assert check["path"] == "/healthz"
        assert check["interval"] <= 10
        assert check["healthyThreshold"] <= 3
        assert group["inputs"]["deregistrationDelay"] <= 30
        assert group["inputs"]["targetType"] == "ip"


def test_container_health_check_has_start_period(plan):
    for task in of_type(plan, "aws:ecs/taskDefinition:TaskDefinition"):
        [container] = json.loads(task["inputs"]["containerDefinitions"])
        check = container["healthCheck"]
        assert check["command"][0] == "CMD-SHELL"
        assert check["startPeriod"] > 0
        assert f":{container['portMappings'][0]['containerPort']}/" in check["command"][1]


def test_deployment_bounds_per_stack(plans):
    expected = {"dev": (50, 200), "prod": (100, 200)}
    for stack, (minimum, maximum) in expected.items():
        for service in of_type(plans[stack], "aws:ecs/service:Service"):
            assert service["inputs"]["deploymentMinimumHealthyPercent"] == minimum
            assert service["inputs"]["deploymentMaximumPercent"] == maximum
            assert service["inputs"]["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}


def test_prod_autoscaling_on_cpu_and_memory(plans):
    plan = plans["prod"]
    targets = {t["name"]: t["inputs"] for t in of_type(plan, "aws:appautoscaling/target:Target")}
    assert targets["backend-scaling"]["minCapacity"] == 2
    assert targets["backend-scaling"]["maxCapacity"] == 10
    service_name = one(plan, "aws:ecs/service:Service", "backend-service")["outputs"]["name"]
    assert targets["backend-scaling"]["resourceId"] == f"service/storefront-prod/{service_name}"
    policies = {p["name"]: p["inputs"]["targetTrackingScalingPolicyConfiguration"]
                for p in of_type(plan, "aws:appautoscaling/policy:Policy")}
    assert policies["backend-cpu-tracking"]["predefinedMetricSpecification"]["predefinedMetricType"] == \
        "ECSServiceAverageCPUUtilization"
    assert policies["backend-memory-tracking"]["predefinedMetricSpecification"]["predefinedMetricType"] == \
        "ECSServiceAverageMemoryUtilization"
    assert "frontend-memory-tracking" not in policies


def test_capacity_per_stack(plans):
    for service in of_type(plans["dev"], "aws:ecs/service:Service"):
        assert service["inputs"]["capacityProviderStrategies"] == [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]
    for service in of_type(plans["prod"], "aws:ecs/service:Service"):
        assert service["inputs"]["launchType"] == "FARGATE"
    insights = {stack: one(plan, "aws:ecs/cluster:Cluster", f"storefront-{stack}-cluster")["inputs"]["settings"]
                for stack, plan in plans.items()}
    assert insights["prod"] == [{"name": "containerInsights", "value": "enabled"}]
    assert insights["dev"] == [{"name": "containerInsights", "value": "disabled"}]


def test_backend_reaches_orders_by_name(plan):
    namespace = of_type(plan, "aws:servicediscovery/httpNamespace:HttpNamespace")[0]
    orders = one(plan, "aws:ecs/service:Service", "order-service-service")["inputs"]["serviceConnectConfiguration"]
    assert orders["enabled"] is True
    assert orders["namespace"] == namespace["outputs"]["arn"]
    [server] = orders["services"]
    assert server["portName"] == "order-service"
    assert server["clientAlias"] == [{"dnsName": "order-service", "port": 3001}]
    task = one(plan, "aws:ecs/taskDefinition:TaskDefinition", "backend-task")
    [container] = json.loads(task["inputs"]["containerDefinitions"])
    assert {"name": "ORDER_SERVICE_URL", "value": "http://order-service:3001"} in container["environment"]
    assert "elb.amazonaws.com" not in json.dumps(container["environment"])


def test_mongodb_uri_injected_from_secret(plan):
    secret = one(plan, "aws:secretsmanager/secret:Secret", "backend-mongodb-uri")
    task = one(plan, "aws:ecs/taskDefinition:TaskDefinition", "backend-task")
    [container] = json.loads(task["inputs"]["containerDefinitions"])
    assert container["secrets"] == [{"name": "MONGODB_URI", "valueFrom": secret["outputs"]["arn"]}]
    assert all(item["name"] != "MONGODB_URI" for item in container["environment"])
    policy = json.loads(one(plan, "aws:iam/rolePolicy:RolePolicy", "backend-execution-policy")["inputs"]["policy"])
    [statement] = [s for s in policy["Statement"] if s["Sid"] == "Secrets"]
    assert statement["Resource"] == [secret["outputs"]["arn"]]
    for other in ("frontend", "order-service"):
        other_policy = one(plan, "aws:iam/rolePolicy:RolePolicy", f"{other}-execution-policy")["inputs"]["policy"]
        assert "secretsmanager" not in other_policy


def test_existing_secret_arn_used_as_is(project_copy):
    stack_path = project_copy / "Pulumi.dev.yaml"
    document = yaml.safe_load(stack_path.read_text())
    arn = "arn:aws:secretsmanager:ap-south-1:123456789012:secret:shared/mongodb-AbCdEf"
    backend = next(s for s in document["config"]["storefront:services"] if s["name"] == "backend")
    backend["secrets"] = {"MONGODB_URI": {"arn": arn}}
    stack_path.write_text(yaml.safe_dump(document))
    plan = run_plan("dev", root=project_copy)
    assert of_type(plan, "aws:secretsmanager/secret:Secret") == []
    policy = json.loads(one(plan, "aws:iam/rolePolicy:RolePolicy", "backend-execution-policy")["inputs"]["policy"])
    assert [s["Resource"] for s in policy["Statement"] if s["Sid"] == "Secrets"] == [[arn]]


def test_private_subnets_need_pull_endpoints():
    values = dev_values()
    values["storefront:network"] = {"taskSubnets": "private", "natGateways": "none", "vpcEndpoints": ["ecr.api", "s3"]}
    [problem] = problems_for(values)
    assert problem.startswith("storefront:network.vpcEndpoints: tasks in private subnets with natGateways 'none'")
    assert "ecr.dkr, logs, secretsmanager" in problem


def test_private_subnets_with_endpoints_accepted(project_copy):
    stack_path = project_copy / "Pulumi.dev.yaml"
    document = yaml.safe_load(stack_path.read_text())
    document["config"]["storefront:network"] = {
        "taskSubnets": "private", "natGateways": "none",
        "vpcEndpoints": ["ecr.api", "ecr.dkr", "logs", "s3", "secretsmanager"],
    }
    stack_path.write_text(yaml.safe_dump(document))
    plan = run_plan("dev", root=project_copy)
    endpoints = {e["inputs"]["serviceName"]: e["inputs"] for e in of_type(plan, "aws:ec2/vpcEndpoint:VpcEndpoint")}
    assert endpoints["com.amazonaws.ap-south-1.s3"]["vpcEndpointType"] == "Gateway"
    private_tables = {t["outputs"]["id"] for t in of_type(plan, "aws:ec2/routeTable:RouteTable") if "private" in t["name"]}
    assert set(endpoints["com.amazonaws.ap-south-1.s3"]["routeTableIds"]) == private_tables
    for name in ("ecr.api", "ecr.dkr", "logs", "secretsmanager"):
        endpoint = endpoints[f"com.amazonaws.ap-south-1.{name}"]
        assert endpoint["vpcEndpointType"] == "Interface"
        assert endpoint["privateDnsEnabled"] is True
    assert of_type(plan, "aws:ec2/natGateway:NatGateway") == []


@pytest.mark.parametrize("network, fragment", [
    ({"availabilityZones": 1}, "storefront:network.availabilityZones: invalid value 1"),
    ({"cidrBlock": "10.0.0.0/8"}, "storefront:network.cidrBlock: '10.0.0.0/8' has prefix length /8."),
    ({"vpcEndpoints": ["ecr"]}, "storefront:network.vpcEndpoints: unknown endpoints ['ecr']. Allowed: ecr.api"),
    ({"natGateways": "single"}, 'storefront:network.natGateways: invalid value "single": expected \'none\''),
])
def test_invalid_network_rejected(network, fragment):
    values = dev_values()
    values["storefront:network"] = network
    problems = problems_for(values)
    assert any(problem.startswith(fragment) for problem in problems), problems


def test_log_retention_per_stack(plans):
    assert {g["inputs"]["retentionInDays"] for g in of_type(plans["dev"], "aws:cloudwatch/logGroup:LogGroup")} == {7}
    assert all(g["inputs"]["retentionInDays"] >= 30 for g in of_type(plans["prod"], "aws:cloudwatch/logGroup:LogGroup"))


def test_spot_needs_x86_64():
    values = dev_values()
    values["storefront:architecture"] = "ARM64"
    [problem] = problems_for(values)
    assert problem.startswith("storefront:deployment.fargateSpot: Fargate Spot runs only X86_64 tasks")
    assert "storefront:architecture is ARM64" in problem


EXISTING = {
    "vpcId": "vpc-0123456789abcdef0",
    "publicSubnetIds": ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"],
    "privateSubnetIds": ["subnet-0bbbbbbbbbbbbbbb1", "subnet-0bbbbbbbbbbbbbbb2"],
    "privateRouteTableIds": ["rtb-0ccccccccccccccc1", "rtb-0ccccccccccccccc2"],
}


def test_existing_vpc_used_as_given(project_copy):
    stack_path = project_copy / "Pulumi.prod.yaml"
    document = yaml.safe_load(stack_path.read_text())
    document["config"]["storefront:network"] = {
        "cidrBlock": "172.31.0.0/16", "taskSubnets": "private", "natGateways": "existing",
        "vpcEndpoints": ["s3"], "existing": EXISTING,
    }
    stack_path.write_text(yaml.safe_dump(document))
    plan = run_plan("prod", root=project_copy)
    assert of_type(plan, "aws:ec2/vpc:Vpc") == []
    assert of_type(plan, "aws:ec2/subnet:Subnet") == []
    assert of_type(plan, "aws:ec2/natGateway:NatGateway") == []
    [balancer] = of_type(plan, "aws:lb/loadBalancer:LoadBalancer")
    assert balancer["inputs"]["subnets"] == EXISTING["publicSubnetIds"]
    for service in of_type(plan, "aws:ecs/service:Service"):
        assert service["inputs"]["networkConfiguration"]["subnets"] == EXISTING["privateSubnetIds"]
    [endpoint] = of_type(plan, "aws:ec2/vpcEndpoint:VpcEndpoint")
    assert endpoint["inputs"]["routeTableIds"] == EXISTING["privateRouteTableIds"]
    assert endpoint["inputs"]["vpcId"] == EXISTING["vpcId"]


@pytest.mark.parametrize("network, fragment", [
    ({"existing": EXISTING}, "storefront:network.cidrBlock: an existing VPC needs cidrBlock"),
    ({"cidrBlock": "172.31.0.0/16", "natGateways": "one-per-az", "existing": EXISTING},
     "storefront:network.natGateways: the program does not add NAT gateways to an existing VPC"),
    ({"natGateways": "existing"}, "storefront:network.natGateways: natGateways 'existing' needs an existing VPC"),
    ({"cidrBlock": "172.31.0.0/16", "taskSubnets": "private", "natGateways": "existing",
      "existing": {**EXISTING, "privateSubnetIds": []}},
     "storefront:network.existing.privateSubnetIds: taskSubnets 'private' with an existing VPC needs at least two"),
    ({"cidrBlock": "172.31.0.0/16", "vpcEndpoints": ["s3"], "existing": {**EXISTING, "privateRouteTableIds": []}},
     "storefront:network.existing.privateRouteTableIds: the s3 gateway endpoint needs existing.privateRouteTableIds"),
    ({"cidrBlock": "172.31.0.0/16", "existing": {**EXISTING, "vpcId": "vpc-xyz"}},
     "storefront:network.existing.vpcId: 'vpc-xyz' is not a VPC ID"),
    ({"cidrBlock": "172.31.0.0/16", "existing": {**EXISTING, "publicSubnetIds": ["subnet-0aaaaaaaaaaaaaaa1"]}},
     "storefront:network.existing.publicSubnetIds:"),
    ({"cidrBlock": "10.0.0.0/24"}, "storefront:network.cidrBlock: cidrBlock 10.0.0.0/24 is too small"),
])
def test_invalid_existing_vpc_rejected(network, fragment):
    values = dev_values()
    values["storefront:network"] = network
    problems = problems_for(values)
    assert any(problem.startswith(fragment) for problem in problems), problems
