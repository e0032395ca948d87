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
    assert problem.startswith("storefront:services[backend].memory: invalid value 4096")
    assert "cpu 256" in problem
    assert "512, 1024, 2048" in problem


def test_unknown_cpu_rejected():
    values = dev_values()
    service(values, "frontend")["cpu"] = 300
    problems = problems_for(values)
    assert problems[0].startswith("storefront:services[frontend].cpu: invalid value 300")
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
    assert any(p.startswith(f"storefront:services[{name}].name: invalid value {name!r}") for p in problems), problems
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
    assert problem.startswith("storefront:services[backend]: build context 'services' has no Dockerfile.")


def test_context_outside_project_rejected():
    values = dev_values()
    service(values, "backend")["context"] = "../elsewhere"
    problems = problems_for(values)
    assert any("storefront:services[backend].context: invalid value '../elsewhere'" in p for p in problems)


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
    assert problem.startswith("storefront:architecture: invalid value 'arm64'")
    assert "'X86_64' or 'ARM64'" in problem


def test_log_retention_must_be_allowed():
    values = dev_values()
    values["storefront:deployment"]["logRetentionDays"] = 10
    [problem] = problems_for(values)
    assert problem.startswith("storefront:deployment.logRetentionDays: invalid value 10")
    assert "1, 3, 5, 7, 14, 30" in problem


def test_call_to_unknown_service_rejected():
    values = dev_values()
    service(values, "backend")["calls"] = ["payments"]
    problems = problems_for(values)
    assert any(p.startswith("storefront:services[backend].calls: 'payments' is not another service") for p in problems)


def test_call_cycle_rejected():
    values = dev_values()
    service(values, "order-service")["calls"] = ["backend"]
    problems = problems_for(values)
    assert any("the calls form a cycle" in p for p in problems), problems


def test_public_service_needs_path_patterns():
    values = dev_values()
    service(values, "frontend").pop("pathPatterns")
    [problem] = problems_for(values)
    assert problem.startswith("storefront:services[frontend]: a public service needs pathPatterns")


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
    assert "storefront:services[frontend].memory: invalid value 3" in message
    assert "Traceback" not in message
    assert {registration.type for registration in monitor.registrations.values()} <= {"pulumi:pulumi:Stack"}
