"""Stack config validation: each bad value gets one message naming the key, the value and the fix."""

from __future__ import annotations

import contextvars
import copy
import json

import pulumi
import pytest

from components.config import ConfigError
from components.config_loader import load_config
from conftest import ROOT
from plan.mocks import PlanMocks, RecordingMonitor
from plan.runner import read_stack_file


def dev_values() -> dict:
    stack_file = read_stack_file("dev")
    return copy.deepcopy(stack_file.parsed_values())


def problems_for(values: dict) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(values, project="storefront", stack="dev", root=ROOT,
                    secret_keys=frozenset({"storefront:mongodbUri"}))
    return caught.value.problems


def service(values: dict, name: str) -> dict:
    return next(entry for entry in values["storefront:services"] if entry["name"] == name)


def test_dev_and_prod_configs_load():
    for stack in ("dev", "prod"):
        stack_file = read_stack_file(stack)
        config = load_config(stack_file.parsed_values(), project="storefront", stack=stack, root=ROOT,
                             secret_keys=stack_file.secret_keys)
        assert [s.name for s in config.services] == ["frontend", "backend", "order-service"]


def test_cpu_memory_pair_rejected():
    values = dev_values()
    service(values, "backend")["memory"] = 4096
    [problem] = problems_for(values)
    assert problem.startswith("storefront:services[backend].memory: 4096 MiB is not offered by Fargate")
    assert "cpu 256" in problem
    assert "512, 1024, 2048" in problem


def test_unknown_cpu_rejected():
    values = dev_values()
    service(values, "frontend")["cpu"] = 300
    problems = problems_for(values)
    assert problems[0].startswith("storefront:services[frontend].cpu: 300 is not a Fargate task cpu value.")
    assert "256, 512, 1024, 2048, 4096, 8192, 16384" in problems[0]


def test_large_task_size_accepted():
    values = dev_values()
    service(values, "backend").update(cpu=8192, memory=20480)
    load_config(values, project="storefront", stack="dev", root=ROOT, secret_keys=frozenset({"storefront:mongodbUri"}))


@pytest.mark.parametrize("name", ["Backend", "back_end", "-backend", "backend-", "back--end", "a" * 33, "b.e"])
def test_invalid_service_name_rejected(name):
    values = dev_values()
    entry = service(values, "order-service")
    entry["name"] = name
    service(values, "backend")["calls"] = []
    problems = problems_for(values)
    assert any(p.startswith(f"storefront:services[{name}].name: {name!r} is not a valid service name.") for p in problems), problems
    assert any("lowercase letters and digits" in p for p in problems)


def test_duplicate_service_names_rejected():
    values = dev_values()
    service(values, "order-service")["name"] = "frontend"
    service(values, "backend")["calls"] = []
    service(values, "frontend")["public"] = False
    service(values, "frontend").pop("pathPatterns")
    problems = problems_for(values)
    assert any("storefront:services[frontend].name: 'frontend' is used by 2 services (indexes 0, 2)" in p
               for p in problems), problems


def test_context_without_dockerfile_rejected():
    values = dev_values()
    service(values, "backend")["context"] = "services"
    [problem] = problems_for(values)
    assert problem.startswith("storefront:services[backend].context: build context 'services' has no Dockerfile.")


def test_context_outside_project_rejected():
    values = dev_values()
    service(values, "backend")["context"] = "../elsewhere"
    problems = problems_for(values)
    assert any(p.startswith("storefront:services[backend].context: '../elsewhere' must be a path inside the project") for p in problems), problems


def test_misspelled_service_key_rejected():
    values = dev_values()
    service(values, "backend")["desiredCont"] = 2
    [problem] = problems_for(values)
    assert problem.startswith("storefront:services[backend].desiredCont: unknown key.")
    assert "desiredCount" in problem


def test_unknown_top_level_key_rejected():
    values = dev_values()
    values["storefront:servces"] = []
    [problem] = problems_for(values)
    assert problem.startswith("storefront:servces: unknown key.")
    assert "services" in problem


def test_missing_region_rejected():
    values = dev_values()
    del values["aws:region"]
    assert problems_for(values) == ["aws:region: missing. Set it with `pulumi config set aws:region ap-south-1`."]


def test_unknown_architecture_rejected():
    values = dev_values()
    values["storefront:architecture"] = "arm64"
    [problem] = problems_for(values)
    assert problem.startswith('storefront:architecture: invalid value "arm64"')
    assert "'X86_64' or 'ARM64'" in problem


def test_log_retention_must_be_allowed():
    values = dev_values()
    values["storefront:deployment"]["logRetentionDays"] = 10
    [problem] = problems_for(values)
    assert problem.startswith("storefront:deployment.logRetentionDays: 10 is not a CloudWatch Logs retention.")
    assert "1, 3, 5, 7, 14, 30" in problem


def test_call_to_unknown_service_rejected():
    values = dev_values()
    service(values, "backend")["calls"] = ["payments"]
    problems = problems_for(values)
    assert any(p.startswith("storefront:services[backend].calls: 'payments' is not a service of this stack.") for p in problems)


def test_call_cycle_rejected():
    values = dev_values()
    service(values, "order-service")["calls"] = ["backend"]
    problems = problems_for(values)
    assert any("the calls form a cycle" in p for p in problems), problems


def test_public_service_needs_path_patterns():
    values = dev_values()
    service(values, "frontend").pop("pathPatterns")
    [problem] = problems_for(values)
    assert problem.startswith("storefront:services[frontend].pathPatterns: a public service needs pathPatterns")


def test_duplicate_path_patterns_rejected():
    values = dev_values()
    service(values, "backend")["pathPatterns"] = ["/*"]
    [problem] = problems_for(values)
    assert "path pattern '/*' is routed to 2 services" in problem


def test_secret_config_key_must_be_secret():
    values = dev_values()
    values["storefront:mongodbUri"] = "mongodb://plain"
    with pytest.raises(ConfigError) as caught:
        load_config(values, project="storefront", stack="dev", root=ROOT, secret_keys=frozenset())
    assert caught.value.problems == [
        "storefront:mongodbUri: must be a secret. Set it with `pulumi config set --secret mongodbUri`."
    ]


def test_several_problems_reported_together():
    values = dev_values()
    service(values, "frontend")["cpu"] = 100
    service(values, "backend")["port"] = 70000
    values["storefront:typo"] = 1
    problems = problems_for(values)
    assert len(problems) == 3
    assert {p.split(":", 2)[1].split(" ")[0] for p in problems} == {
        "services[frontend].cpu", "services[backend].port", "typo"
    }


def test_invalid_config_registers_nothing():
    """The program itself, not only the plan command, stops before registering anything."""
    stack_file = read_stack_file("dev")
    broken = dict(stack_file.values)
    services = json.loads(broken["storefront:services"])
    services[0]["memory"] = 3
    broken["storefront:services"] = json.dumps(services)

    def run():
        plan_mocks = PlanMocks(region="ap-south-1", root=ROOT)
        monitor = RecordingMonitor(plan_mocks)
        pulumi.runtime.set_mocks(plan_mocks, "storefront", "dev", preview=False, monitor=monitor)
        pulumi.runtime.set_all_config(broken, sorted(stack_file.secret_keys))
        from pulumi.runtime.stack import run_pulumi_func
        from pulumi.runtime.sync_await import _sync_await
        import runpy

        with pytest.raises(pulumi.RunError) as caught:
            _sync_await(run_pulumi_func(lambda: runpy.run_path(str(ROOT / "__main__.py"), run_name="__main__")))
        return monitor, str(caught.value)

    monitor, message = contextvars.Context().run(run)
    assert "storefront:services[frontend].memory: 3 MiB is not offered by Fargate with cpu 256." in message
    assert "Traceback" not in message
    assert {registration.type for registration in monitor.registrations.values()} <= {"pulumi:pulumi:Stack"}


def _set(values: dict, path: str, value) -> dict:
    """Set `storefront:services[backend].port`-style paths, or a whole top-level key."""
    if path.startswith("services["):
        name, rest = path[len("services["):].split("].", 1)
        service(values, name)[rest] = value
        if rest == "secrets":
            # The stack file's secret key is no longer referenced, so it would be reported as unknown.
            values.pop("storefront:mongodbUri")
    else:
        values[path] = value
    return values


CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"


@pytest.mark.parametrize("path, value, expected", [
    ("aws:region", "mumbai", "aws:region: 'mumbai' is not an AWS Region code"),
    ("services[backend].calls", 7, "storefront:services[backend].calls: invalid value 7: expected a list."),
    ("services[backend].calls", "order-service",
     'storefront:services[backend].calls: invalid value "order-service": expected a list.'),
    ("services[backend].calls", ["backend"], "storefront:services[backend].calls: a service cannot call itself."),
    ("services[backend].port", "3000", 'storefront:services[backend].port: invalid value "3000": expected a whole number.'),
    ("services[backend].cpu", 256.0, "storefront:services[backend].cpu: invalid value 256.0: expected a whole number."),
    ("services[backend].public", "yes", 'storefront:services[backend].public: invalid value "yes": expected true or false.'),
    ("services[backend].dockerfile", "../frontend/Dockerfile",
     "storefront:services[backend].dockerfile: invalid value \"../frontend/Dockerfile\": the Dockerfile must be inside"),
    ("services[backend].healthCheckCommand", " ", "storefront:services[backend].healthCheckCommand: the command is blank"),
    ("services[backend].pathPatterns", ["/a", "/b", "/c", "/d"],
     "storefront:services[backend].pathPatterns: 4 patterns given, but one ALB rule condition takes at most 3."),
    ("services[backend].environment", {"MONGODB_URI": "mongodb://x"},
     "storefront:services[backend].environment.MONGODB_URI: also set in secrets."),
    ("services[backend].environment", {"ORDER_SERVICE_URL": "http://elsewhere"},
     "storefront:services[backend].environment.ORDER_SERVICE_URL: the program sets this from Service Connect"),
    ("services[backend].secrets", {"MONGODB_URI": {"arn": "arn:aws:secretsmanager:ap-south-1:123456789012:secret:db"}},
     "storefront:services[backend].secrets.MONGODB_URI.arn: 'arn:aws:secretsmanager:ap-south-1:123456789012:secret:db' is not a complete"),
    ("services[backend].secrets", {"MONGODB_URI": {"configKey": "environment"}},
     "storefront:services: secrets configKey 'environment' names a setting of this program."),
    ("services[backend].secrets", {"MONGODB_URI": {"configKey": "mongo uri!"}},
     "storefront:services: secrets configKey 'mongo uri!' is not a usable config key."),
    ("storefront:loadBalancer", {"certificateArn": CERTIFICATE},
     "storefront:loadBalancer.certificateArn: the certificate is in us-east-1, but the load balancer is in ap-south-1."),
    ("storefront:network", {"natGateways": "one-per-az"},
     "storefront:network.natGateways: 'one-per-az' builds NAT gateways that tasks in public subnets never use."),
    ("storefront:deployment", {"minimumHealthyPercent": 100, "maximumPercent": 100},
     "storefront:deployment.maximumPercent: maximumPercent 100 must be above minimumHealthyPercent 100"),
    ("storefrnt:deployment", {"fargateSpot": False}, "storefrnt:deployment: unknown namespace 'storefrnt'."),
    ("aws:regoin", "ap-south-1", "aws:regoin: unknown aws provider key."),
])
def test_bad_value_gets_one_message(path, value, expected):
    problems = problems_for(_set(dev_values(), path, value))
    assert len(problems) == 1, problems
    assert problems[0].startswith(expected), problems


def test_desired_count_conflicts_with_autoscaling():
    values = dev_values()
    service(values, "backend")["autoscaling"] = {"minCount": 1, "maxCount": 2}
    [problem] = problems_for(values)
    assert problem.startswith("storefront:services[backend].desiredCount: autoscaling sets the task count")


@pytest.mark.parametrize("stack", ["Dev", "dev_1", "dev.1", "a" * 21])
def test_invalid_stack_name_rejected(stack):
    with pytest.raises(ConfigError) as caught:
        load_config(dev_values(), project="storefront", stack=stack, root=ROOT,
                    secret_keys=frozenset({"storefront:mongodbUri"}))
    [problem] = caught.value.problems
    assert problem.startswith(f"stack name {stack!r} is invalid.")


def test_plain_setting_must_not_be_secret():
    values = dev_values()
    with pytest.raises(ConfigError) as caught:
        load_config(values, project="storefront", stack="dev", root=ROOT,
                    secret_keys=frozenset({"storefront:mongodbUri", "storefront:environment"}))
    assert caught.value.problems == ["storefront:environment: must not be a secret. Set it as plain config."]


def test_pulumi_namespace_accepted():
    values = dev_values()
    values["pulumi:tags"] = {"team": "platform"}
    load_config(values, project="storefront", stack="dev", root=ROOT, secret_keys=frozenset({"storefront:mongodbUri"}))
