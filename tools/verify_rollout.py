"""Check that each ECS service finished its rollout on the stack's task definition.

`pulumi up` can report success although the ECS deployment circuit breaker later marks
the rollout FAILED and rolls the service back to its previous task definition. This
check reads the stack outputs, calls ECS DescribeServices and compares the PRIMARY
deployment of each service with the `taskDefinitionArn` that the stack exported.

Usage:
    pulumi stack output --json --stack STACK \
        | python -m tools.verify_rollout --outputs -

Exit status: 0 when every service is OK, 1 when any service FAILED or is still
IN PROGRESS after the wait, 2 for invalid input or a failed AWS call.

Field names (`services`, `failures`, `status`, `deployments`, `taskDefinition`,
`rolloutState`, `rolloutStateReason`, `runningCount`, `desiredCount`) come from
botocore's ECS service model, botocore/data/ecs/2014-11-13/service-2.json.gz, shapes
DescribeServicesResponse, Service, Deployment and Failure.
"""

from __future__ import annotations

import argparse
import enum
import json
import logging
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

logger = logging.getLogger("verify_rollout")

EXIT_OK = 0
EXIT_NOT_OK = 1
EXIT_INVALID = 2

# DescribeServicesRequest.services in the botocore ECS model: "You may specify up to 10
# services to describe in a single operation."
DESCRIBE_SERVICES_MAX_NAMES = 10

DEFAULT_INTERVAL_SECONDS = 10.0


class InvalidStackOutputsError(ValueError):
    """Stack outputs that cannot be read or lack a key this check needs."""


class EcsRequestError(RuntimeError):
    """Failed ECS API call, with a message naming the region and what to do next."""


class Verdict(enum.Enum):
    OK = "OK"
    FAILED = "FAILED"
    IN_PROGRESS = "IN PROGRESS"


@dataclass(frozen=True)
class ExpectedService:
    """Service as the stack deployed it."""

    key: str  # key under "services" in the stack outputs, such as "frontend"
    service_name: str
    task_definition_arn: str


@dataclass(frozen=True)
class StackOutputs:
    region: str
    cluster_name: str
    services: tuple[ExpectedService, ...]


@dataclass(frozen=True)
class ServiceResult:
    service: ExpectedService
    verdict: Verdict
    reason: str


@dataclass(frozen=True)
class DescribedServices:
    """DescribeServices results for one cluster, keyed by service name."""

    services: dict[str, dict[str, Any]]
    failures: dict[str, dict[str, Any]]


# Stack outputs


def read_outputs_text(path: str, stdin: TextIO) -> tuple[str, str]:
    """Read the stack outputs from `path`, or from `stdin` when `path` is "-".

    Returns the text and a source label for error messages.
    """
    if path == "-":
        source = "stdin"
        text = stdin.read()
    else:
        source = path
        try:
            with open(path, encoding="utf-8") as outputs_file:
                text = outputs_file.read()
        except FileNotFoundError:
            raise InvalidStackOutputsError(f"outputs file not found: {path}") from None
        except (OSError, UnicodeDecodeError) as err:
            raise InvalidStackOutputsError(
                f"cannot read outputs file {path}: {err}"
            ) from None

    if not text.strip():
        raise InvalidStackOutputsError(
            f"stack outputs from {source} are empty. Check that "
            "`pulumi stack output --json --stack STACK` succeeded."
        )
    return text, source


def _require_string(
    mapping: dict[str, Any], key: str, key_path: str, source: str
) -> str:
    if key not in mapping:
        raise InvalidStackOutputsError(
            f"missing key '{key_path}' in stack outputs from {source}"
        )
    value = mapping[key]
    if not isinstance(value, str) or not value:
        raise InvalidStackOutputsError(
            f"invalid value for key '{key_path}' in stack outputs from {source}: "
            f"expected a non-empty string, got {json.dumps(value)}"
        )
    return value


def _require_object(
    mapping: dict[str, Any], key: str, key_path: str, source: str
) -> dict[str, Any]:
    if key not in mapping:
        raise InvalidStackOutputsError(
            f"missing key '{key_path}' in stack outputs from {source}"
        )
    value = mapping[key]
    if not isinstance(value, dict):
        raise InvalidStackOutputsError(
            f"invalid value for key '{key_path}' in stack outputs from {source}: "
            f"expected a JSON object, got {type(value).__name__}"
        )
    return value


def parse_stack_outputs(
    text: str, source: str, region_override: str | None
) -> StackOutputs:
    """Parse `pulumi stack output --json` text, ignoring keys this check does not use.

    `region` may be missing when `region_override` is given. Raises
    InvalidStackOutputsError naming the first missing or invalid key.
    """
    try:
        document = json.loads(text)
    except json.JSONDecodeError as err:
        raise InvalidStackOutputsError(
            f"invalid JSON in stack outputs from {source}: {err.msg} "
            f"at line {err.lineno} column {err.colno}"
        ) from None
    if not isinstance(document, dict):
        raise InvalidStackOutputsError(
            f"invalid stack outputs from {source}: expected a JSON object, "
            f"got {type(document).__name__}"
        )

    if region_override:
        region = region_override
    elif "region" in document:
        region = _require_string(document, "region", "region", source)
    else:
        raise InvalidStackOutputsError(
            f"missing key 'region' in stack outputs from {source}. "
            "Export it from the stack or pass --region."
        )

    cluster_name = _require_string(document, "clusterName", "clusterName", source)
    services_by_key = _require_object(document, "services", "services", source)
    if not services_by_key:
        raise InvalidStackOutputsError(
            f"key 'services' in stack outputs from {source} is empty"
        )

    services = []
    for key in services_by_key:
        entry = _require_object(services_by_key, key, f"services.{key}", source)
        services.append(
            ExpectedService(
                key=key,
                service_name=_require_string(
                    entry, "serviceName", f"services.{key}.serviceName", source
                ),
                task_definition_arn=_require_string(
                    entry,
                    "taskDefinitionArn",
                    f"services.{key}.taskDefinitionArn",
                    source,
                ),
            )
        )
    return StackOutputs(
        region=region, cluster_name=cluster_name, services=tuple(services)
    )


def select_services(outputs: StackOutputs, keys: Sequence[str] | None) -> StackOutputs:
    """Keep the services whose key under "services" is in `keys`.

    Returns `outputs` unchanged when `keys` is empty or None.
    """
    if not keys:
        return outputs
    known = {service.key for service in outputs.services}
    unknown = [key for key in keys if key not in known]
    if unknown:
        raise InvalidStackOutputsError(
            f"unknown service '{unknown[0]}' in --service. The stack outputs contain: "
            + ", ".join(sorted(known))
        )
    selected_keys = set(keys)
    selected = tuple(
        service for service in outputs.services if service.key in selected_keys
    )
    return StackOutputs(
        region=outputs.region, cluster_name=outputs.cluster_name, services=selected
    )


# ECS calls


def create_ecs_client(region: str) -> Any:
    """Create an ECS client, raising EcsRequestError when botocore rejects the region.

    A new session resolves credentials from the current environment instead of reusing
    the ones cached in boto3's default session.
    """
    try:
        session = boto3.session.Session(region_name=region)
        return session.client("ecs", config=Config(retries={"mode": "standard"}))
    except BotoCoreError as err:
        raise EcsRequestError(
            f"cannot create an ECS client for region {region!r}: {err}"
        ) from None


def _service_name_from_arn(arn: str) -> str:
    # Service ARNs end in ".../service/NAME" or ".../service/CLUSTER/NAME".
    return arn.rsplit("/", 1)[-1]


def describe_services(
    client: Any, cluster_name: str, service_names: Sequence[str]
) -> DescribedServices:
    """Call DescribeServices in batches of at most DESCRIBE_SERVICES_MAX_NAMES names.

    Raises EcsRequestError when a call fails.
    """
    unique_names = list(dict.fromkeys(service_names))
    found: dict[str, dict[str, Any]] = {}
    failures: dict[str, dict[str, Any]] = {}
    for start in range(0, len(unique_names), DESCRIBE_SERVICES_MAX_NAMES):
        batch = unique_names[start : start + DESCRIBE_SERVICES_MAX_NAMES]
        response = _call_describe_services(client, cluster_name, batch)
        for service in response.get("services", []):
            found[service["serviceName"]] = service
        for failure in response.get("failures", []):
            failures[_service_name_from_arn(failure.get("arn", ""))] = failure
    return DescribedServices(services=found, failures=failures)


def _call_describe_services(
    client: Any, cluster_name: str, batch: list[str]
) -> dict[str, Any]:
    region = client.meta.region_name
    try:
        return client.describe_services(cluster=cluster_name, services=batch)
    except NoCredentialsError:
        raise EcsRequestError(
            f"no AWS credentials found for region {region}. Set AWS_PROFILE "
            "(run `aws sso login` first for an SSO profile) or AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY, then run again."
        ) from None
    except ClientError as err:
        code = err.response.get("Error", {}).get("Code", "Unknown")
        message = err.response.get("Error", {}).get("Message", str(err))
        if code == "ClusterNotFoundException":
            raise EcsRequestError(
                f"cluster '{cluster_name}' not found in region {region}. Check "
                "'clusterName' in the stack outputs and the region, which --region "
                "overrides."
            ) from None
        if code == "AccessDeniedException":
            raise EcsRequestError(
                f"access denied for ecs:DescribeServices on cluster '{cluster_name}' "
                f"in region {region}: {message}. Use credentials whose IAM policy "
                "allows ecs:DescribeServices."
            ) from None
        raise EcsRequestError(
            f"ECS DescribeServices failed for cluster '{cluster_name}' "
            f"in region {region}: {code}: {message}"
        ) from None
    except BotoCoreError as err:
        raise EcsRequestError(
            f"ECS DescribeServices failed for cluster '{cluster_name}' "
            f"in region {region}: {err}"
        ) from None


# Assessment


def assess_service(
    expected: ExpectedService,
    cluster_name: str,
    described: DescribedServices,
    wait_over: bool,
) -> ServiceResult:
    """Compare one described service with what the stack deployed.

    While the wait is not over, a COMPLETED rollout whose older deployments are still
    present counts as IN_PROGRESS. Once `wait_over` is true it counts as FAILED.
    """
    service = described.services.get(expected.service_name)
    if service is None:
        return _assess_absent_service(expected, cluster_name, described)

    status = service.get("status")
    if status != "ACTIVE":
        return ServiceResult(
            expected,
            Verdict.FAILED,
            f"service status is {status}, expected ACTIVE "
            "(a deleted service is DRAINING, then INACTIVE)",
        )

    deployments = service.get("deployments", [])
    primary = next((d for d in deployments if d.get("status") == "PRIMARY"), None)
    if primary is None:
        return ServiceResult(
            expected,
            Verdict.FAILED,
            f"no PRIMARY deployment among {len(deployments)} deployment(s). This check "
            "supports only the rolling update (ECS) deployment controller.",
        )

    actual_arn = primary.get("taskDefinition")
    if actual_arn != expected.task_definition_arn:
        reason = (
            f"rolled back: the PRIMARY deployment uses task definition {actual_arn}, "
            f"but the stack deployed {expected.task_definition_arn}"
        )
        if primary.get("rolloutState"):
            state_reason = primary.get("rolloutStateReason", "")
            reason += f" (rolloutState {primary['rolloutState']}: {state_reason})"
        return ServiceResult(expected, Verdict.FAILED, reason)

    return _assess_rollout_state(expected, primary, len(deployments), wait_over)


def _assess_absent_service(
    expected: ExpectedService, cluster_name: str, described: DescribedServices
) -> ServiceResult:
    failure = described.failures.get(expected.service_name)
    if failure is None:
        reason = (
            "DescribeServices returned neither the service nor a failure for it "
            f"in cluster '{cluster_name}'"
        )
    elif failure.get("reason") == "MISSING":
        reason = (
            f"service not found in cluster '{cluster_name}' "
            "(DescribeServices failure reason MISSING)"
        )
    else:
        detail = f", {failure['detail']}" if failure.get("detail") else ""
        reason = (
            f"DescribeServices failure for {failure.get('arn')}: "
            f"{failure.get('reason')}{detail}"
        )
    return ServiceResult(expected, Verdict.FAILED, reason)


def _assess_rollout_state(
    expected: ExpectedService,
    primary: dict[str, Any],
    deployment_count: int,
    wait_over: bool,
) -> ServiceResult:
    arn = expected.task_definition_arn
    rollout_state = primary.get("rolloutState")
    state_reason = primary.get("rolloutStateReason") or "no rolloutStateReason given"
    running_count = primary.get("runningCount", 0)
    desired_count = primary.get("desiredCount", 0)
    tasks = f"{running_count}/{desired_count} tasks running"

    if rollout_state == "FAILED":
        reason = f"rollout FAILED on {arn}: {state_reason}"
        return ServiceResult(expected, Verdict.FAILED, reason)

    if rollout_state == "IN_PROGRESS":
        reason = (
            f"rollout IN_PROGRESS on {arn}, {tasks}, "
            f"{deployment_count} deployment(s) present: {state_reason}"
        )
        return ServiceResult(expected, Verdict.IN_PROGRESS, reason)

    if rollout_state == "COMPLETED":
        completion = f"rollout COMPLETED on {arn}"
    elif rollout_state is None:
        # The Deployment shape documents that rolloutState is returned only for rolling
        # update services that are not behind a Classic Load Balancer. Without it, the
        # rollout counts as complete once the PRIMARY deployment runs all desired tasks.
        completion = f"no rolloutState returned, {tasks} on {arn}"
        if running_count < desired_count:
            return ServiceResult(expected, Verdict.IN_PROGRESS, completion)
    else:
        reason = (
            f"unrecognized rolloutState {rollout_state} on {arn}, "
            "expected COMPLETED, IN_PROGRESS or FAILED"
        )
        return ServiceResult(expected, Verdict.FAILED, reason)

    if deployment_count > 1:
        verdict = Verdict.FAILED if wait_over else Verdict.IN_PROGRESS
        reason = (
            f"{completion}, but {deployment_count} deployments are still present, "
            "so an older deployment has not finished draining"
        )
        return ServiceResult(expected, verdict, reason)

    return ServiceResult(expected, Verdict.OK, completion)


def verify_rollout(
    client: Any,
    outputs: StackOutputs,
    wait_seconds: float,
    interval_seconds: float,
) -> list[ServiceResult]:
    """Describe the services until each is OK or FAILED or `wait_seconds` have passed.

    Only services still IN_PROGRESS are described again, every `interval_seconds`.
    Returns one result per service, in the order of `outputs.services`.
    """
    deadline = time.monotonic() + wait_seconds
    results: dict[str, ServiceResult] = {}
    pending = list(outputs.services)

    while True:
        names = [service.service_name for service in pending]
        described = describe_services(client, outputs.cluster_name, names)
        remaining = deadline - time.monotonic()
        wait_over = remaining <= 0
        for service in pending:
            results[service.key] = assess_service(
                service, outputs.cluster_name, described, wait_over
            )

        pending = [s for s in pending if results[s.key].verdict is Verdict.IN_PROGRESS]
        if not pending or wait_over:
            break

        pause = min(interval_seconds, remaining)
        logger.info(
            "%d service(s) still in progress (%s), checking again in %.0f s, "
            "%.0f s of the wait left",
            len(pending),
            ", ".join(service.key for service in pending),
            pause,
            remaining,
        )
        time.sleep(pause)

    return [results[service.key] for service in outputs.services]


# Command line


def format_result_line(result: ServiceResult) -> str:
    service = result.service
    label = service.key
    if service.service_name != service.key:
        label = f"{service.key} (service {service.service_name})"
    return f"{result.verdict.value:<11}  {label}: {result.reason}"


def format_summary(
    results: Sequence[ServiceResult], outputs: StackOutputs, wait_seconds: float
) -> str:
    counts = {verdict: 0 for verdict in Verdict}
    for result in results:
        counts[result.verdict] += 1
    summary = (
        f"Summary: {counts[Verdict.OK]} OK, {counts[Verdict.FAILED]} FAILED, "
        f"{counts[Verdict.IN_PROGRESS]} IN PROGRESS of {len(results)} service(s) "
        f"in cluster {outputs.cluster_name} ({outputs.region})."
    )
    if counts[Verdict.IN_PROGRESS] and wait_seconds == 0:
        summary += " Pass --wait SECONDS to poll until the rollouts finish."
    return summary


def _non_negative_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid number of seconds: {text!r}"
        ) from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"seconds must be 0 or more, got {text}")
    return value


def _positive_seconds(text: str) -> float:
    value = _non_negative_seconds(text)
    if value == 0:
        raise argparse.ArgumentTypeError(f"seconds must be more than 0, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tools.verify_rollout",
        description=(
            "Check that each ECS service in the Pulumi stack outputs runs the task "
            "definition the stack deployed and that its rollout COMPLETED. "
            "Exit status: 0 all OK, 1 any FAILED or IN PROGRESS, "
            "2 invalid input or AWS error."
        ),
    )
    parser.add_argument(
        "--outputs",
        required=True,
        metavar="FILE",
        help=(
            "file with the JSON from `pulumi stack output --json`, "
            "or - to read it from stdin"
        ),
    )
    parser.add_argument(
        "--region",
        help="AWS region of the cluster, overriding 'region' in the stack outputs",
    )
    parser.add_argument(
        "--wait",
        type=_non_negative_seconds,
        default=0.0,
        metavar="SECONDS",
        help=(
            "maximum time in seconds to poll until every rollout is OK or FAILED "
            "(default 0, which checks once)"
        ),
    )
    parser.add_argument(
        "--interval",
        type=_positive_seconds,
        default=DEFAULT_INTERVAL_SECONDS,
        metavar="SECONDS",
        help=(
            "time in seconds between polls during --wait "
            f"(default {DEFAULT_INTERVAL_SECONDS:.0f})"
        ),
    )
    parser.add_argument(
        "--service",
        action="append",
        metavar="NAME",
        help=(
            "check only the service with this key under 'services', such as "
            "frontend. Repeat to check several"
        ),
    )
    return parser


def main(argv: Sequence[str] | None = None, ecs_client: Any = None) -> int:
    """Run the check and return the exit status.

    `ecs_client` replaces the boto3 client that main would create, so tests can pass
    a stubbed one.
    """
    args = build_parser().parse_args(argv)

    try:
        text, source = read_outputs_text(args.outputs, sys.stdin)
        outputs = select_services(
            parse_stack_outputs(text, source, args.region), args.service
        )
        client = (
            ecs_client if ecs_client is not None else create_ecs_client(outputs.region)
        )
        results = verify_rollout(client, outputs, args.wait, args.interval)
    except (InvalidStackOutputsError, EcsRequestError) as err:
        print(f"verify_rollout: error: {err}", file=sys.stderr)
        return EXIT_INVALID

    for result in results:
        print(format_result_line(result))
    print(format_summary(results, outputs, args.wait))

    if all(result.verdict is Verdict.OK for result in results):
        return EXIT_OK
    return EXIT_NOT_OK


if __name__ == "__main__":
    # Poll progress goes to stderr, so stdout contains only the result lines and the
    # summary.
    # Other libraries log only WARNING and above, which hides botocore's credential
    # lookup messages.
    logging.basicConfig(
        level=logging.WARNING, format="verify_rollout: %(message)s", stream=sys.stderr
    )
    logger.setLevel(logging.INFO)
    sys.exit(main())
