"""The offline plan: its JSON shape, its determinism, and which resources a source change touches."""

from __future__ import annotations

import json
import subprocess
import sys

import pulumi_aws as aws
import pytest
import yaml

from components.build_context import context_files
from components.config import LoadBalancerSettings
from components.load_balancer import LoadBalancer, LoadBalancerArgs
from conftest import ROOT, one
from plan.mocks import NAME_LIMITS
from plan.runner import StackFileError, read_stack_file, run_plan
from test_dependencies import run_under_mocks


def _changed_names(before, after) -> set[str]:
    old = {resource["urn"]: resource for resource in before.resources}
    new = {resource["urn"]: resource for resource in after.resources}
    assert old.keys() == new.keys()
    return {new[urn]["name"] for urn in new if old[urn] != new[urn]}


def test_plan_json_shape(plan):
    document = json.loads(plan.to_json())
    assert {"project", "stack", "resources", "outputs"} <= set(document)
    assert document["project"] == "storefront"
    for resource in document["resources"]:
        assert {"urn", "type", "name", "parent", "inputs", "outputs"} <= set(resource)
    roots = [resource for resource in document["resources"] if resource["parent"] is None]
    assert [resource["type"] for resource in roots] == ["pulumi:pulumi:Stack"]


def test_plan_inputs_use_camel_case(plan):
    task = one(plan, "aws:ecs/taskDefinition:TaskDefinition", "frontend-task")
    assert "containerDefinitions" in task["inputs"]
    assert "container_definitions" not in task["inputs"]


def test_plan_is_byte_identical(plans):
    for stack in ("dev", "prod"):
        assert run_plan(stack).to_json() == plans[stack].to_json()


def test_plan_masks_secrets(plans):
    version = one(plans["prod"], "aws:secretsmanager/secretVersion:SecretVersion", "backend-mongodb-uri-value")
    assert version["inputs"]["secretString"] == "[secret]"
    for plan in plans.values():
        assert "plan-placeholder" not in plan.to_json()


def test_source_change_touches_one_service(project_copy):
    before = run_plan("dev", root=project_copy)
    context = project_copy / "services" / "order-service"
    source = next(path for path in context_files(context) if path.endswith(".js"))
    (context / source).write_text((context / source).read_text() + "\n// changed\n")
    after = run_plan("dev", root=project_copy)
    assert _changed_names(before, after) == {
        "order-service", "order-service-image", "order-service-task", "order-service-service",
    }


def test_ignored_file_changes_nothing(project_copy):
    before = run_plan("dev", root=project_copy)
    ignored = project_copy / "services" / "backend" / "test" / "extra.test.js"
    ignored.parent.mkdir(exist_ok=True)
    assert "test/extra.test.js" not in context_files(project_copy / "services" / "backend")
    ignored.write_text("// not sent to Docker\n")
    after = run_plan("dev", root=project_copy)
    assert after.to_json() == before.to_json()


def test_plan_command_writes_json(tmp_path):
    out = tmp_path / "plan.json"
    result = subprocess.run([sys.executable, "-m", "plan", "--stack", "prod", "--out", str(out)],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "storefront:index:ServiceDeployment  backend" in result.stdout
    assert "not `pulumi preview`" in result.stdout
    assert json.loads(out.read_text())["stack"] == "prod"


def test_policy_warning_reaches_plan(monkeypatch):
    from components import lifecycle, repository

    def never_expires(policy):
        return [lifecycle.Violation(rule_priority=None, field="rules", severity="warning",
                                    message="no rule of this policy can ever expire an image.")]

    monkeypatch.setattr(repository, "check_build_tags_covered", never_expires)
    plan = run_plan("dev")
    assert "lifecycle policy of backend: no rule of this policy can ever expire an image. " \
           "Adjust storefront:ecr.lifecycle." in plan.warnings
    written = json.loads(plan.to_json())["warnings"]
    assert any(warning.startswith("lifecycle policy of order-service:") for warning in written)


@pytest.mark.parametrize("text, expected", [
    ("config:\n  aws:region: ap-south-1\n  aws:region: eu-west-1\n",
     "error: Pulumi.broken.yaml: invalid YAML at line 3, column 3: duplicate key 'aws:region'."),
    ("config:\n  aws:region: [ap-south-1\n", "error: Pulumi.broken.yaml: invalid YAML at line 3"),
    ("- config\n", "error: Pulumi.broken.yaml: expected a mapping with a `config:` key at the top level."),
    ("config: [1, 2]\n", "error: Pulumi.broken.yaml: `config:` must be a mapping"),
])
def test_broken_stack_file_one_line(project_copy, text, expected):
    (project_copy / "Pulumi.broken.yaml").write_text(text)
    with pytest.raises(StackFileError) as caught:
        read_stack_file("broken", root=project_copy)
    assert f"error: {caught.value}".startswith(expected)


def test_yaml_on_stays_a_string(project_copy):
    path = project_copy / "Pulumi.dev.yaml"
    document = yaml.safe_load(path.read_text())
    document["config"]["storefront:services"][1]["environment"] = {"DEBUG": "PLACEHOLDER"}
    path.write_text(yaml.safe_dump(document).replace("PLACEHOLDER", "on"))
    plan = run_plan("dev", root=project_copy)
    task = one(plan, "aws:ecs/taskDefinition:TaskDefinition", "backend-task")
    [container] = json.loads(task["inputs"]["containerDefinitions"])
    assert {"name": "DEBUG", "value": "on"} in container["environment"]


def test_missing_stack_file_exit_code():
    result = subprocess.run([sys.executable, "-m", "plan", "--stack", "nosuchstack"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip() == "error: no stack file Pulumi.nosuchstack.yaml. Stacks here: dev, prod."


def register_named(type_: str, logical: str, **inputs):
    """Register one resource of a type in NAME_LIMITS, with just the inputs its mock needs."""
    if type_ == "aws:lb/loadBalancer:LoadBalancer":
        return aws.lb.LoadBalancer(logical, **inputs)
    if type_ == "aws:lb/targetGroup:TargetGroup":
        return aws.lb.TargetGroup(logical, port=80, protocol="HTTP", **inputs)
    if type_ == "aws:iam/role:Role":
        return aws.iam.Role(logical, assume_role_policy="{}", **inputs)
    return aws.ecs.Service(logical, cluster="cluster", **inputs)


@pytest.mark.parametrize("type_, limit", sorted(NAME_LIMITS.items()))
def test_long_autoname_raises(type_, limit):
    # Autonaming appends a hyphen and 7 characters, so the physical name is 1 over the limit.
    logical = "n" * (limit - 7)
    with pytest.raises(Exception) as caught:
        run_under_mocks(lambda: register_named(type_, logical).urn)
    message = str(caught.value)
    assert f"{type_} {logical!r}" in message
    assert f"is {limit + 1} characters, but the limit is {limit}" in message
    assert f"shorten the logical name to at most {limit - 8} characters" in message


@pytest.mark.parametrize("type_, limit", sorted(NAME_LIMITS.items()))
def test_autoname_at_limit_accepted(type_, limit):
    logical = "n" * (limit - 8)
    monitor = run_under_mocks(lambda: register_named(type_, logical).urn)
    [registration] = [r for r in monitor.registrations.values() if r.type == type_]
    assert len(registration.outputs["name"]) == limit


def test_long_given_name_raises():
    given = "g" * 33
    with pytest.raises(Exception, match=f"physical name '{given}' is 33 characters, but the limit is 32"):
        run_under_mocks(lambda: register_named("aws:lb/targetGroup:TargetGroup", "tg", name=given).urn)


def test_longest_names_fit(project_copy):
    # The config validator allows service names of up to 20 characters.
    path = project_copy / "Pulumi.dev.yaml"
    document = yaml.safe_load(path.read_text())
    frontend = next(s for s in document["config"]["storefront:services"] if s["name"] == "frontend")
    frontend["name"] = "storefront-web-front"
    assert len(frontend["name"]) == 20
    path.write_text(yaml.safe_dump(document))
    plan = run_plan("dev", root=project_copy)
    group = one(plan, "aws:lb/targetGroup:TargetGroup", "storefront-web-front-tg")
    assert len(group["outputs"]["name"]) == 31


def test_balancer_name_of_twenty_fits():
    # The config validator allows stack names of up to 20 characters, and the ALB is `<name>-alb`.
    def program():
        balancer = LoadBalancer("s" * 20, LoadBalancerArgs(
            settings=LoadBalancerSettings(),
            vpc_id="vpc-0123456789abcdef0",
            vpc_cidr="10.0.0.0/16",
            subnet_ids=["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"],
            protect=False,
            tags={},
        ))
        return balancer.url

    monitor = run_under_mocks(program)
    [balancer] = [r for r in monitor.registrations.values() if r.type == "aws:lb/loadBalancer:LoadBalancer"]
    assert len(balancer.outputs["name"]) == 32
