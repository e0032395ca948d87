"""Tests for tools.verify_rollout against moto's in-process ECS emulator.

What moto 5.2.5 models, read from moto/ecs/models.py (Service.__init__,
update_service, describe_services):
- CreateService gives the service one deployment with status PRIMARY on the service's
  task definition. Its rolloutState is COMPLETED when the MOTO_ECS_SERVICE_RUNNING
  environment variable (read at CreateService time, default 0) is at least
  desiredCount, and IN_PROGRESS otherwise. The state never changes afterwards.
- rolloutState is never FAILED, and a service never has more than one deployment.
- UpdateService changes the service's taskDefinition but not the PRIMARY deployment's.
- DescribeServices returns a failure with reason MISSING for unknown names, returns
  deleted services with status INACTIVE, and accepts more than 10 names per call.
The cases moto cannot produce use botocore's Stubber, whose add_response validates
each response against the ECS service model.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from tools import verify_rollout

REGION = "ap-south-1"
ACCOUNT = "123456789012"  # moto's default account id
CLUSTER = "storefront-dev"
SERVICE_KEYS = ("frontend", "backend", "order-service")
REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def fake_aws_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Use fake credentials and hide any real AWS configuration on this machine."""
    for name in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_ECS",
        "MOTO_ECS_SERVICE_RUNNING",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "absent-aws-config"))
    monkeypatch.setenv(
        "AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "absent-aws-credentials")
    )
    # Keeps botocore from asking the EC2 instance metadata endpoint for credentials.
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def ecs() -> Any:
    with mock_aws():
        client = boto3.client("ecs", region_name=REGION)
        client.create_cluster(clusterName=CLUSTER)
        yield client


def register_task_definition(ecs: Any, family: str) -> str:
    response = ecs.register_task_definition(
        family=family,
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="256",
        memory="512",
        containerDefinitions=[
            {"name": family, "image": f"registry.example/{family}@sha256:{'a' * 64}"}
        ],
    )
    return response["taskDefinition"]["taskDefinitionArn"]


def create_service(
    ecs: Any,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    task_definition_arn: str,
    running_count: int = 1,
) -> None:
    # moto reads MOTO_ECS_SERVICE_RUNNING when the service is created. It sets
    # rolloutState COMPLETED when the value is at least desiredCount, else IN_PROGRESS.
    monkeypatch.setenv("MOTO_ECS_SERVICE_RUNNING", str(running_count))
    ecs.create_service(
        cluster=CLUSTER,
        serviceName=name,
        taskDefinition=task_definition_arn,
        desiredCount=1,
        launchType="FARGATE",
        deploymentConfiguration={
            "deploymentCircuitBreaker": {"enable": True, "rollback": True}
        },
    )


def deploy_storefront(ecs: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Create the three services with COMPLETED rollouts and return stack outputs."""
    services = {}
    for key in SERVICE_KEYS:
        arn = register_task_definition(ecs, key)
        create_service(ecs, monkeypatch, key, arn)
        services[key] = {
            "serviceName": key,
            "taskDefinitionArn": arn,
            "imageRef": f"registry.example/{key}@sha256:{'a' * 64}",
        }
    return {"region": REGION, "clusterName": CLUSTER, "services": services}


def write_outputs(tmp_path: Path, outputs: Any) -> str:
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(outputs), encoding="utf-8")
    return str(path)


def run_check(
    capsys: pytest.CaptureFixture[str], argv: list[str], ecs_client: Any = None
) -> tuple[int, list[str], str]:
    exit_code = verify_rollout.main(argv, ecs_client=ecs_client)
    captured = capsys.readouterr()
    return exit_code, captured.out.splitlines(), captured.err


def line_for(lines: list[str], key: str) -> str:
    matches = [
        line for line in lines if f"  {key}" in line and not line.startswith("Summary")
    ]
    assert len(matches) == 1, lines
    return matches[0]


def record_describe_calls(client: Any) -> list[list[str]]:
    """Record the service names in each DescribeServices request of the client."""
    calls: list[list[str]] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        calls.append(list(params["services"]))

    client.meta.events.register("provide-client-params.ecs.DescribeServices", record)
    return calls


def reject_http_requests(client: Any) -> None:
    """Fail the test if the client reaches the point of sending an HTTP request."""

    def fail(**_: Any) -> None:
        raise AssertionError("the client tried to send an HTTP request")

    client.meta.events.register("before-send.ecs", fail)


def deployment(
    task_definition_arn: str,
    status: str = "PRIMARY",
    rollout_state: str = "COMPLETED",
    reason: str = "ECS deployment ecs-svc/1 completed.",
    running_count: int = 1,
) -> dict[str, Any]:
    return {
        "id": f"ecs-svc/{status.lower()}",
        "status": status,
        "taskDefinition": task_definition_arn,
        "desiredCount": 1,
        "pendingCount": 1 - running_count,
        "runningCount": running_count,
        "failedTasks": 0,
        "rolloutState": rollout_state,
        "rolloutStateReason": reason,
    }


def described_service(name: str, deployments: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "serviceArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/{CLUSTER}/{name}",
        "serviceName": name,
        "clusterArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/{CLUSTER}",
        "status": "ACTIVE",
        "desiredCount": 1,
        "runningCount": 1,
        "taskDefinition": deployments[0]["taskDefinition"],
        "deployments": deployments,
    }


def task_definition_arn(family: str, revision: int) -> str:
    return f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/{family}:{revision}"


def single_service_outputs(key: str, arn: str) -> dict[str, Any]:
    return {
        "region": REGION,
        "clusterName": CLUSTER,
        "services": {key: {"serviceName": key, "taskDefinitionArn": arn}},
    }


# Checks against moto


def test_all_services_ok(
    ecs: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys
) -> None:
    outputs = deploy_storefront(ecs, monkeypatch)

    exit_code, lines, stderr = run_check(
        capsys, ["--outputs", write_outputs(tmp_path, outputs)]
    )

    assert exit_code == 0, lines
    assert stderr == ""
    for key in SERVICE_KEYS:
        line = line_for(lines, key)
        assert line.startswith("OK ")
        assert outputs["services"][key]["taskDefinitionArn"] in line
    assert lines[-1].startswith(
        "Summary: 3 OK, 0 FAILED, 0 IN PROGRESS of 3 service(s)"
    )


def test_primary_on_older_revision_is_rollback(
    ecs: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys
) -> None:
    outputs = deploy_storefront(ecs, monkeypatch)
    # moto has no circuit breaker, so this test builds the state that a rollback leaves
    # behind. The stack registered backend:2, but the PRIMARY deployment uses backend:1.
    previous_arn = outputs["services"]["backend"]["taskDefinitionArn"]
    stack_arn = register_task_definition(ecs, "backend")
    outputs["services"]["backend"]["taskDefinitionArn"] = stack_arn

    exit_code, lines, _ = run_check(
        capsys, ["--outputs", write_outputs(tmp_path, outputs)]
    )

    assert exit_code == 1
    line = line_for(lines, "backend")
    assert line.startswith("FAILED ")
    assert "rolled back" in line
    assert previous_arn in line
    assert stack_arn in line
    assert line_for(lines, "frontend").startswith("OK ")
    assert lines[-1].startswith("Summary: 2 OK, 1 FAILED, 0 IN PROGRESS")


def test_missing_service_fails(
    ecs: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys
) -> None:
    outputs = deploy_storefront(ecs, monkeypatch)
    outputs["services"]["order-service"]["serviceName"] = "order-service-renamed"

    exit_code, lines, _ = run_check(
        capsys, ["--outputs", write_outputs(tmp_path, outputs)]
    )

    assert exit_code == 1
    line = line_for(lines, "order-service")
    assert line.startswith("FAILED ")
    assert "not found in cluster 'storefront-dev'" in line
    assert "MISSING" in line


def test_inactive_service_fails(
    ecs: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys
) -> None:
    outputs = deploy_storefront(ecs, monkeypatch)
    ecs.delete_service(cluster=CLUSTER, service="frontend", force=True)

    exit_code, lines, _ = run_check(
        capsys, ["--outputs", write_outputs(tmp_path, outputs)]
    )

    assert exit_code == 1
    line = line_for(lines, "frontend")
    assert line.startswith("FAILED ")
    assert "status is INACTIVE" in line


def test_service_without_primary_deployment_fails(
    ecs: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys
) -> None:
    # moto lists no deployments for a service with the CODE_DEPLOY controller.
    arn = register_task_definition(ecs, "frontend")
    ecs.create_service(
        cluster=CLUSTER,
        serviceName="frontend",
        taskDefinition=arn,
        desiredCount=1,
        launchType="FARGATE",
        deploymentController={"type": "CODE_DEPLOY"},
    )
    outputs = single_service_outputs("frontend", arn)

    exit_code, lines, _ = run_check(
        capsys, ["--outputs", write_outputs(tmp_path, outputs)]
    )

    assert exit_code == 1
    assert "no PRIMARY deployment" in line_for(lines, "frontend")


def test_region_flag_overrides_outputs(
    ecs: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys
) -> None:
    outputs = deploy_storefront(ecs, monkeypatch)
    outputs["region"] = "eu-west-1"

    exit_code, lines, _ = run_check(
        capsys, ["--outputs", write_outputs(tmp_path, outputs), "--region", REGION]
    )

    assert exit_code == 0, lines
    assert f"({REGION})" in lines[-1]


def test_cluster_in_other_region_is_error(
    ecs: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys
) -> None:
    outputs = deploy_storefront(ecs, monkeypatch)
    outputs["region"] = "eu-west-1"

    exit_code, lines, stderr = run_check(
        capsys, ["--outputs", write_outputs(tmp_path, outputs)]
    )

    assert exit_code == 2
    assert lines == []
    assert "cluster 'storefront-dev' not found in region eu-west-1" in stderr
    assert len(stderr.splitlines()) == 1


def test_service_flag_checks_subset(
    ecs: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys
) -> None:
    outputs = deploy_storefront(ecs, monkeypatch)
    outputs["services"]["backend"]["taskDefinitionArn"] = register_task_definition(
        ecs, "backend"
    )
    path = write_outputs(tmp_path, outputs)

    exit_code, lines, _ = run_check(
        capsys,
        ["--outputs", path, "--service", "frontend", "--service", "order-service"],
    )

    assert exit_code == 0, lines
    assert all("backend" not in line for line in lines)
    assert lines[-1].startswith(
        "Summary: 2 OK, 0 FAILED, 0 IN PROGRESS of 2 service(s)"
    )


def test_unknown_service_flag_is_error(
    ecs: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys
) -> None:
    outputs = deploy_storefront(ecs, monkeypatch)

    exit_code, lines, stderr = run_check(
        capsys, ["--outputs", write_outputs(tmp_path, outputs), "--service", "payments"]
    )

    assert exit_code == 2
    assert lines == []
    assert "unknown service 'payments' in --service" in stderr
    assert "backend, frontend, order-service" in stderr


def test_max_names_matches_service_model() -> None:
    client = boto3.client("ecs", region_name=REGION)
    request_shape = client.meta.service_model.operation_model(
        "DescribeServices"
    ).input_shape
    documentation = request_shape.members["services"].documentation

    assert (
        f"up to {verify_rollout.DESCRIBE_SERVICES_MAX_NAMES} services" in documentation
    )


def test_services_over_max_are_batched(
    ecs: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys
) -> None:
    # moto accepts any number of names in one DescribeServices call, so the test
    # records the requests instead of relying on moto to reject a batch that is too
    # large.
    maximum = verify_rollout.DESCRIBE_SERVICES_MAX_NAMES
    service_count = 2 * maximum + 3
    arn = register_task_definition(ecs, "worker")
    services = {}
    for index in range(service_count):
        name = f"worker-{index:02d}"
        create_service(ecs, monkeypatch, name, arn)
        services[name] = {"serviceName": name, "taskDefinitionArn": arn}
    outputs = {"region": REGION, "clusterName": CLUSTER, "services": services}
    calls = record_describe_calls(ecs)

    exit_code, lines, _ = run_check(
        capsys, ["--outputs", write_outputs(tmp_path, outputs)], ecs_client=ecs
    )

    assert exit_code == 0, lines
    assert [len(names) for names in calls] == [maximum, maximum, 3]
    assert sorted(name for names in calls for name in names) == sorted(services)
    assert lines[-1].startswith(f"Summary: {service_count} OK, 0 FAILED, 0 IN PROGRESS")


def test_wait_times_out_in_progress(
    ecs: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys
) -> None:
    outputs = deploy_storefront(ecs, monkeypatch)
    # With no running tasks moto reports rolloutState IN_PROGRESS and never changes it.
    arn = register_task_definition(ecs, "checkout")
    create_service(ecs, monkeypatch, "checkout", arn, running_count=0)
    outputs["services"]["checkout"] = {
        "serviceName": "checkout",
        "taskDefinitionArn": arn,
    }
    calls = record_describe_calls(ecs)

    exit_code, lines, _ = run_check(
        capsys,
        [
            "--outputs",
            write_outputs(tmp_path, outputs),
            "--wait",
            "0.2",
            "--interval",
            "0.05",
        ],
        ecs_client=ecs,
    )

    assert exit_code == 1
    line = line_for(lines, "checkout")
    assert line.startswith("IN PROGRESS ")
    assert "rollout IN_PROGRESS" in line
    assert len(calls) >= 3
    assert sorted(calls[0]) == sorted(outputs["services"])
    # Services that reached a final state are not described again.
    assert all(names == ["checkout"] for names in calls[1:])
    assert lines[-1].startswith("Summary: 3 OK, 0 FAILED, 1 IN PROGRESS")


def test_in_progress_without_wait_suggests_wait(
    ecs: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys
) -> None:
    arn = register_task_definition(ecs, "frontend")
    create_service(ecs, monkeypatch, "frontend", arn, running_count=0)
    outputs = single_service_outputs("frontend", arn)

    exit_code, lines, _ = run_check(
        capsys, ["--outputs", write_outputs(tmp_path, outputs)]
    )

    assert exit_code == 1
    assert line_for(lines, "frontend").startswith("IN PROGRESS ")
    assert "Pass --wait SECONDS" in lines[-1]


# Bad input. These tests run inside the moto mock, so a missed validation cannot reach
# AWS.


@pytest.mark.parametrize(
    ("outputs_text", "expected_message"),
    [
        ("{not json", "invalid JSON in stack outputs"),
        ("", "are empty"),
        ("[]", "expected a JSON object, got list"),
        (json.dumps({"clusterName": CLUSTER, "services": {}}), "missing key 'region'"),
        (json.dumps({"region": REGION, "services": {}}), "missing key 'clusterName'"),
        (
            json.dumps({"region": REGION, "clusterName": CLUSTER}),
            "missing key 'services'",
        ),
        (
            json.dumps({"region": REGION, "clusterName": CLUSTER, "services": {}}),
            "key 'services'",
        ),
        (
            json.dumps(
                {
                    "region": REGION,
                    "clusterName": CLUSTER,
                    "services": {"frontend": "x"},
                }
            ),
            "key 'services.frontend'",
        ),
        (
            json.dumps(
                {
                    "region": REGION,
                    "clusterName": CLUSTER,
                    "services": {"frontend": {"serviceName": "frontend"}},
                }
            ),
            "missing key 'services.frontend.taskDefinitionArn'",
        ),
        (
            json.dumps(
                {
                    "region": REGION,
                    "clusterName": 7,
                    "services": {
                        "frontend": {
                            "serviceName": "frontend",
                            "taskDefinitionArn": "arn",
                        }
                    },
                }
            ),
            "invalid value for key 'clusterName'",
        ),
    ],
)
def test_bad_outputs_file_is_error(
    ecs: Any, tmp_path: Path, capsys, outputs_text: str, expected_message: str
) -> None:
    path = tmp_path / "outputs.json"
    path.write_text(outputs_text, encoding="utf-8")

    exit_code, lines, stderr = run_check(capsys, ["--outputs", str(path)])

    assert exit_code == 2
    assert lines == []
    assert expected_message in stderr
    assert len(stderr.splitlines()) == 1
    assert "Traceback" not in stderr


def test_missing_outputs_file_is_error(ecs: Any, tmp_path: Path, capsys) -> None:
    missing = tmp_path / "no-such-outputs.json"

    exit_code, lines, stderr = run_check(capsys, ["--outputs", str(missing)])

    assert exit_code == 2
    assert lines == []
    assert stderr == f"verify_rollout: error: outputs file not found: {missing}\n"


def test_negative_wait_is_usage_error(tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        verify_rollout.main(["--outputs", "-", "--wait", "-1"])

    assert exit_info.value.code == 2
    assert "seconds must be 0 or more" in capsys.readouterr().err


def test_stdin_invalid_json_exits_2() -> None:
    # Runs the module as the Makefile target does. The input is rejected before any AWS
    # call.
    completed = subprocess.run(
        [sys.executable, "-m", "tools.verify_rollout", "--outputs", "-"],
        input='{"region": "ap-south-1",',
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=60,
        check=False,
    )

    assert completed.returncode == 2
    assert completed.stdout == ""
    assert completed.stderr.startswith(
        "verify_rollout: error: invalid JSON in stack outputs from stdin"
    )
    assert len(completed.stderr.splitlines()) == 1


def test_missing_credentials_is_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    create_client = verify_rollout.create_ecs_client

    def create_guarded_client(region: str) -> Any:
        client = create_client(region)
        reject_http_requests(client)
        return client

    monkeypatch.setattr(verify_rollout, "create_ecs_client", create_guarded_client)
    outputs = single_service_outputs("frontend", task_definition_arn("frontend", 1))

    exit_code, lines, stderr = run_check(
        capsys, ["--outputs", write_outputs(tmp_path, outputs)]
    )

    assert exit_code == 2
    assert lines == []
    assert "no AWS credentials found for region ap-south-1" in stderr
    assert "AWS_PROFILE" in stderr
    assert len(stderr.splitlines()) == 1


# Cases moto cannot produce, stubbed with responses that Stubber validates against the
# ECS service model.


@pytest.fixture
def stubbed_ecs() -> Any:
    client = boto3.client("ecs", region_name=REGION)
    reject_http_requests(client)
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def test_rollout_failed_is_reported(stubbed_ecs: Any, tmp_path: Path, capsys) -> None:
    # moto 5.2.5 sets rolloutState only to COMPLETED or IN_PROGRESS and has no circuit
    # breaker, so this response is stubbed. It is the state that a failed rollout leaves
    # when rollback is turned off.
    client, stubber = stubbed_ecs
    arn = task_definition_arn("frontend", 4)
    reason = "ECS deployment circuit breaker: tasks failed to start."
    stubber.add_response(
        "describe_services",
        {
            "services": [
                described_service(
                    "frontend", [deployment(arn, rollout_state="FAILED", reason=reason)]
                )
            ]
        },
        expected_params={"cluster": CLUSTER, "services": ["frontend"]},
    )
    outputs = single_service_outputs("frontend", arn)

    exit_code, lines, _ = run_check(
        capsys, ["--outputs", write_outputs(tmp_path, outputs)], ecs_client=client
    )

    assert exit_code == 1
    line = line_for(lines, "frontend")
    assert line.startswith("FAILED ")
    assert f"rollout FAILED on {arn}: {reason}" in line


def test_wait_ends_when_rollout_completes(
    stubbed_ecs: Any, tmp_path: Path, capsys
) -> None:
    # moto never lists a second deployment or changes rolloutState after CreateService,
    # so the two polls of a rollout that finishes are stubbed.
    client, stubber = stubbed_ecs
    old_arn = task_definition_arn("frontend", 3)
    new_arn = task_definition_arn("frontend", 4)
    in_progress = [
        deployment(
            new_arn,
            rollout_state="IN_PROGRESS",
            reason="ECS deployment ecs-svc/1 in progress.",
            running_count=0,
        ),
        deployment(old_arn, status="ACTIVE"),
    ]
    request = {"cluster": CLUSTER, "services": ["frontend"]}
    stubber.add_response(
        "describe_services",
        {"services": [described_service("frontend", in_progress)]},
        request,
    )
    stubber.add_response(
        "describe_services",
        {"services": [described_service("frontend", [deployment(new_arn)])]},
        request,
    )
    outputs = single_service_outputs("frontend", new_arn)

    exit_code, lines, _ = run_check(
        capsys,
        [
            "--outputs",
            write_outputs(tmp_path, outputs),
            "--wait",
            "30",
            "--interval",
            "0.01",
        ],
        ecs_client=client,
    )

    assert exit_code == 0, lines
    assert line_for(lines, "frontend").startswith("OK ")


def test_leftover_deployment_after_wait_fails(
    stubbed_ecs: Any, tmp_path: Path, capsys
) -> None:
    # moto never lists more than one deployment for a service, so this response is
    # stubbed.
    client, stubber = stubbed_ecs
    old_arn = task_definition_arn("frontend", 3)
    new_arn = task_definition_arn("frontend", 4)
    deployments = [deployment(new_arn), deployment(old_arn, status="ACTIVE")]
    stubber.add_response(
        "describe_services",
        {"services": [described_service("frontend", deployments)]},
        {"cluster": CLUSTER, "services": ["frontend"]},
    )
    outputs = single_service_outputs("frontend", new_arn)

    exit_code, lines, _ = run_check(
        capsys, ["--outputs", write_outputs(tmp_path, outputs)], ecs_client=client
    )

    assert exit_code == 1
    line = line_for(lines, "frontend")
    assert line.startswith("FAILED ")
    assert "2 deployments are still present" in line


def test_access_denied_is_error(stubbed_ecs: Any, tmp_path: Path, capsys) -> None:
    # moto checks IAM policies only when INITIAL_NO_AUTH_ACTION_COUNT is set (its default
    # in moto/settings.py is infinity), so the error is stubbed.
    client, stubber = stubbed_ecs
    stubber.add_client_error(
        "describe_services",
        service_error_code="AccessDeniedException",
        service_message="User is not authorized to perform: ecs:DescribeServices",
        http_status_code=400,
    )
    outputs = single_service_outputs("frontend", task_definition_arn("frontend", 1))

    exit_code, lines, stderr = run_check(
        capsys, ["--outputs", write_outputs(tmp_path, outputs)], ecs_client=client
    )

    assert exit_code == 2
    assert lines == []
    assert "access denied for ecs:DescribeServices" in stderr
    assert len(stderr.splitlines()) == 1


def test_missing_rollout_state_uses_counts(
    stubbed_ecs: Any, tmp_path: Path, capsys
) -> None:
    # The Deployment shape makes rolloutState optional (ECS omits it behind a Classic
    # Load Balancer), but moto always sets it, so these responses are stubbed.
    client, stubber = stubbed_ecs
    arn = task_definition_arn("frontend", 4)
    request = {"cluster": CLUSTER, "services": ["frontend"]}
    for running_count in (0, 1):
        primary = deployment(arn, running_count=running_count)
        del primary["rolloutState"]
        del primary["rolloutStateReason"]
        response = {"services": [described_service("frontend", [primary])]}
        stubber.add_response("describe_services", response, request)
    outputs = single_service_outputs("frontend", arn)
    path = write_outputs(tmp_path, outputs)

    first_exit_code, first_lines, _ = run_check(capsys, ["--outputs", path], client)
    second_exit_code, second_lines, _ = run_check(capsys, ["--outputs", path], client)

    assert first_exit_code == 1
    assert line_for(first_lines, "frontend").startswith("IN PROGRESS ")
    assert "no rolloutState returned, 0/1 tasks running" in first_lines[0]
    assert second_exit_code == 0
    assert line_for(second_lines, "frontend").startswith("OK ")
    assert "no rolloutState returned, 1/1 tasks running" in second_lines[0]
