"""The whole program under Pulumi mocks, for the dev and prod stacks: what it registers, exactly."""

from __future__ import annotations

import hashlib
import json
import re
from importlib import metadata

from components.build_context import build_tag, context_files
from conftest import children, of_type, one
from plan.runner import run_plan

SERVICES = ("backend", "frontend", "order-service")
DIGEST_REF = re.compile(r"\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com/storefront/(dev|prod)/[a-z-]+@sha256:[0-9a-f]{64}")


def container_of(plan, service: str) -> dict:
    task = one(plan, "aws:ecs/taskDefinition:TaskDefinition", f"{service}-task")
    containers = json.loads(task["inputs"]["containerDefinitions"])
    assert len(containers) == 1
    return containers[0]


def test_one_component_per_service(plan):
    components = of_type(plan, "storefront:index:ServiceDeployment")
    assert sorted(component["name"] for component in components) == list(SERVICES)


def test_component_children_are_parented(plan):
    for component in of_type(plan, "storefront:index:ServiceDeployment"):
        kids = children(plan, component)
        assert {kid["type"] for kid in kids} >= {
            "aws:ecr/repository:Repository",
            "aws:ecr/lifecyclePolicy:LifecyclePolicy",
            "docker:index/image:Image",
            "aws:ecs/taskDefinition:TaskDefinition",
            "aws:ecs/service:Service",
            "aws:cloudwatch/logGroup:LogGroup",
        }
        for kid in kids:
            assert kid["name"].startswith(component["name"] + "-"), kid["name"]


def test_component_outputs_registered(plan):
    for component in of_type(plan, "storefront:index:ServiceDeployment"):
        outputs = component["outputs"]
        assert set(outputs) == {"repositoryUrl", "imageRef", "taskDefinitionArn", "serviceName", "logGroup"}
        assert DIGEST_REF.fullmatch(outputs["imageRef"])


def test_repository_names_include_stack(plans):
    names = {
        stack: sorted(r["inputs"]["name"] for r in of_type(plan, "aws:ecr/repository:Repository"))
        for stack, plan in plans.items()
    }
    assert names["dev"] == [f"storefront/dev/{service}" for service in SERVICES]
    assert names["prod"] == [f"storefront/prod/{service}" for service in SERVICES]
    assert not set(names["dev"]) & set(names["prod"])


def test_repository_settings_per_stack(plans):
    for repository in of_type(plans["dev"], "aws:ecr/repository:Repository"):
        assert repository["inputs"]["imageScanningConfiguration"] == {"scanOnPush": True}
        assert repository["inputs"]["forceDelete"] is True
        assert repository["protect"] is False
    for repository in of_type(plans["prod"], "aws:ecr/repository:Repository"):
        assert repository["inputs"]["imageScanningConfiguration"] == {"scanOnPush": True}
        assert repository["inputs"]["imageTagMutability"] == "IMMUTABLE"
        assert repository["inputs"]["forceDelete"] is False
        assert repository["protect"] is True


def test_one_lifecycle_policy_per_repository(plan):
    repositories = of_type(plan, "aws:ecr/repository:Repository")
    policies = of_type(plan, "aws:ecr/lifecyclePolicy:LifecyclePolicy")
    assert sorted(p["inputs"]["repository"] for p in policies) == sorted(r["inputs"]["name"] for r in repositories)


def test_lifecycle_policy_is_canonical(plan):
    for policy in of_type(plan, "aws:ecr/lifecyclePolicy:LifecyclePolicy"):
        text = policy["inputs"]["policy"]
        document = json.loads(text)
        priorities = [rule["rulePriority"] for rule in document["rules"]]
        assert priorities == sorted(priorities)
        assert "null" not in text
        assert document["rules"][-1]["selection"]["tagStatus"] == "any"
        assert any(rule["selection"]["tagStatus"] == "untagged" for rule in document["rules"])


def test_image_platform_matches_task(plan):
    platforms = {"X86_64": "linux/amd64", "ARM64": "linux/arm64"}
    for service in SERVICES:
        image = one(plan, "docker:index/image:Image", f"{service}-image")
        task = one(plan, "aws:ecs/taskDefinition:TaskDefinition", f"{service}-task")
        architecture = task["inputs"]["runtimePlatform"]["cpuArchitecture"]
        assert task["inputs"]["runtimePlatform"]["operatingSystemFamily"] == "LINUX"
        assert image["inputs"]["build"]["platform"] == platforms[architecture]


def test_image_tag_is_content_hash(plan):
    version = metadata.version("pulumi-docker")
    for service in SERVICES:
        image = one(plan, "docker:index/image:Image", f"{service}-image")
        repository, tag = image["inputs"]["imageName"].rsplit(":", 1)
        assert re.fullmatch(r"build-[0-9a-f]{16}", tag)
        assert tag not in ("latest", plan.stack)
        # The mock's digest is the content hash of the build inputs, and the tag hashes it
        # together with the pulumi-docker version and the builder version.
        digest = image["outputs"]["repoDigest"].split("@sha256:")[1]
        builder = image["inputs"]["build"]["builderVersion"]
        assert builder == "BuilderBuildKit"
        expected = hashlib.sha256(f"{digest}\0{version}\0{builder}\0".encode()).hexdigest()[:16]
        assert tag == "build-" + expected
        assert tag != "build-" + digest[:16]
        assert repository.endswith(f"/storefront/{plan.stack}/{service}")


def test_image_tag_changes_with_builder():
    content_hash = hashlib.sha256(b"sources").hexdigest()
    base = build_tag(content_hash, builder="BuilderBuildKit", pulumi_docker_version="5.2.0")
    assert build_tag(content_hash, builder="BuilderBuildKit", pulumi_docker_version="5.2.0") == base
    assert build_tag(content_hash, builder="BuilderBuildKit", pulumi_docker_version="5.3.0") != base
    assert build_tag(content_hash, builder="BuilderV1", pulumi_docker_version="5.2.0") != base
    other_hash = hashlib.sha256(b"other sources").hexdigest()
    assert build_tag(other_hash, builder="BuilderBuildKit", pulumi_docker_version="5.2.0") != base


def test_image_tag_defaults_to_installed_version():
    content_hash = hashlib.sha256(b"sources").hexdigest()
    installed = metadata.version("pulumi-docker")
    assert build_tag(content_hash, builder="BuilderBuildKit") == build_tag(
        content_hash, builder="BuilderBuildKit", pulumi_docker_version=installed
    )


def test_source_change_moves_one_tag(project_copy):
    def tags(plan) -> dict[str, str]:
        return {service: one(plan, "docker:index/image:Image", f"{service}-image")["inputs"]["imageName"]
                for service in SERVICES}

    before = tags(run_plan("dev", root=project_copy))
    context = project_copy / "services" / "backend"
    source = next(path for path in context_files(context) if path.endswith(".js"))
    (context / source).write_text((context / source).read_text() + "\n// changed\n")
    after = tags(run_plan("dev", root=project_copy))
    assert after["backend"] != before["backend"]
    assert after["frontend"] == before["frontend"]
    assert after["order-service"] == before["order-service"]


def test_services_have_distinct_digests(plan):
    digests = {one(plan, "docker:index/image:Image", f"{s}-image")["outputs"]["repoDigest"].split("@")[1]
               for s in SERVICES}
    assert len(digests) == len(SERVICES)


def test_task_runs_pushed_digest(plan):
    for service in SERVICES:
        image = one(plan, "docker:index/image:Image", f"{service}-image")
        container = container_of(plan, service)
        assert container["image"] == image["outputs"]["repoDigest"]
        assert DIGEST_REF.fullmatch(container["image"])


def test_one_registry_token_for_all_services(plan):
    assert plan.invokes.count("aws:ecr/getAuthorizationToken:getAuthorizationToken") == 1


def test_registry_credentials_are_secret(plan):
    for image in of_type(plan, "docker:index/image:Image"):
        assert image["inputs"]["registry"] == "[secret]"
    assert "plan-placeholder" not in plan.to_json()


def test_container_definition_shape(plan):
    for service in SERVICES:
        container = container_of(plan, service)
        assert container["essential"] is True
        [mapping] = container["portMappings"]
        assert mapping["hostPort"] == mapping["containerPort"]
        assert mapping["protocol"] == "tcp"
        names = [item["name"] for item in container["environment"]]
        assert names == sorted(names)
        log = container["logConfiguration"]
        assert log["logDriver"] == "awslogs"
        assert log["options"]["awslogs-group"] == f"/ecs/storefront/{plan.stack}/{service}"
        assert log["options"]["awslogs-region"] == "ap-south-1"
        assert container["healthCheck"]["command"][0] == "CMD-SHELL"


def test_container_definitions_text_is_canonical(plan):
    for task in of_type(plan, "aws:ecs/taskDefinition:TaskDefinition"):
        text = task["inputs"]["containerDefinitions"]
        assert text == json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"))


def test_task_definition_is_fargate(plan):
    for task in of_type(plan, "aws:ecs/taskDefinition:TaskDefinition"):
        assert task["inputs"]["requiresCompatibilities"] == ["FARGATE"]
        assert task["inputs"]["networkMode"] == "awsvpc"


def test_log_groups_have_retention(plans):
    expected = {"dev": 7, "prod": 90}
    for stack, plan in plans.items():
        groups = of_type(plan, "aws:cloudwatch/logGroup:LogGroup")
        assert len(groups) == len(SERVICES)
        assert {group["inputs"]["retentionInDays"] for group in groups} == {expected[stack]}


def test_execution_role_trusts_ecs_tasks(plan):
    for service in SERVICES:
        role = one(plan, "aws:iam/role:Role", f"{service}-execution-role")
        trust = json.loads(role["inputs"]["assumeRolePolicy"])
        [statement] = trust["Statement"]
        assert statement["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
        assert statement["Action"] == "sts:AssumeRole"


def test_execution_policy_is_minimal(plan):
    for service in SERVICES:
        policy = json.loads(one(plan, "aws:iam/rolePolicy:RolePolicy", f"{service}-execution-policy")["inputs"]["policy"])
        repository = one(plan, "aws:ecr/repository:Repository", f"{service}-repository")
        log_group = one(plan, "aws:cloudwatch/logGroup:LogGroup", f"{service}-logs")
        by_sid = {statement["Sid"]: statement for statement in policy["Statement"]}
        assert by_sid["EcrToken"]["Action"] == ["ecr:GetAuthorizationToken"]
        assert by_sid["EcrPull"]["Resource"] == repository["outputs"]["arn"]
        assert by_sid["Logs"]["Resource"] == log_group["outputs"]["arn"] + ":log-stream:*"
        actions = {action for statement in policy["Statement"] for action in statement["Action"]}
        assert actions <= {
            "ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage",
            "ecr:GetDownloadUrlForLayer", "logs:CreateLogStream", "logs:PutLogEvents",
            "secretsmanager:GetSecretValue",
        }


def test_services_roll_back_on_failure(plan):
    for service in SERVICES:
        ecs_service = one(plan, "aws:ecs/service:Service", f"{service}-service")
        assert ecs_service["inputs"]["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
        task = one(plan, "aws:ecs/taskDefinition:TaskDefinition", f"{service}-task")
        assert ecs_service["inputs"]["taskDefinition"] == task["outputs"]["arn"]


def test_services_force_new_deployment(plan):
    for service in SERVICES:
        ecs_service = one(plan, "aws:ecs/service:Service", f"{service}-service")
        assert ecs_service["inputs"]["forceNewDeployment"] is True


def test_target_groups_use_short_names(plan):
    groups = of_type(plan, "aws:lb/targetGroup:TargetGroup")
    assert sorted(group["name"] for group in groups) == ["backend-tg", "frontend-tg"]
    for group in groups:
        assert len(group["outputs"]["name"]) <= 32


def test_public_services_behind_load_balancer(plan):
    routes = {rule["name"]: rule for rule in of_type(plan, "aws:lb/listenerRule:ListenerRule")}
    assert set(routes) == {"frontend-route", "backend-route"}
    assert routes["backend-route"]["inputs"]["conditions"][0]["pathPattern"]["values"] == ["/api/*"]
    assert routes["frontend-route"]["inputs"]["conditions"][0]["pathPattern"]["values"] == ["/*"]
    assert routes["backend-route"]["inputs"]["priority"] < routes["frontend-route"]["inputs"]["priority"]
    internal = one(plan, "aws:ecs/service:Service", "order-service-service")
    assert "loadBalancers" not in internal["inputs"] or internal["inputs"]["loadBalancers"] == []


def test_outputs_look_real(plan):
    services = plan.outputs["services"]
    assert sorted(services) == list(SERVICES)
    for outputs in services.values():
        assert re.fullmatch(r"arn:aws:ecs:ap-south-1:\d{12}:task-definition/storefront-[a-z]+-[a-z-]+:\d+",
                            outputs["taskDefinitionArn"])
        assert re.fullmatch(r"\d{12}\.dkr\.ecr\.ap-south-1\.amazonaws\.com/storefront/[a-z]+/[a-z-]+",
                            outputs["repositoryUrl"])
    assert plan.outputs["clusterName"] == f"storefront-{plan.stack}"
    assert plan.outputs["url"].endswith(".ap-south-1.elb.amazonaws.com")
