"""Turn raw stack config values into a `StackConfig`, or a `ConfigError` listing every problem."""

from __future__ import annotations

import types
import typing
import json
import re
from collections import Counter
from collections.abc import Mapping
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from components import fargate
from components.config import PULL_ENDPOINTS, ConfigError, FieldError, StackConfig
from components.naming import repository_name

REGION_KEY = "aws:region"
STACK_NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
# 20 keeps `<stack>-alb-` plus Pulumi's 7-character suffix within ELB's 32-character name limit.
STACK_NAME_MAX = 20
CONFIG_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
# Namespaces of config that Pulumi itself or other providers read. This program ignores them.
OTHER_NAMESPACES = ("pulumi", "docker")


def _aws_provider_keys() -> frozenset[str]:
    """List the config keys the pulumi-aws provider reads, from its SDK's config module."""
    import inspect

    import pulumi_aws.config  # noqa: F401 - loads the module that defines the class below
    from pulumi_aws.config import vars as aws_config
    from pydantic.alias_generators import to_camel

    names = [name for name, member in inspect.getmembers(aws_config._ExportableConfig) if isinstance(member, property)]
    return frozenset(f"aws:{to_camel(name)}" for name in names)


AWS_PROVIDER_KEYS = _aws_provider_keys()


def load_config(
    values: Mapping[str, Any],
    *,
    project: str,
    stack: str,
    root: Path,
    secret_keys: frozenset[str] = frozenset(),
) -> StackConfig:
    """Validate the stack's config values, keyed as in `Pulumi.<stack>.yaml` (`project:key`).

    Raises `ConfigError` with one message per problem. Nothing is registered before this returns.
    """
    namespace = f"{project}:"
    data: dict[str, Any] = {"project": project, "stack": stack}
    problems: list[str] = []

    if not STACK_NAME.fullmatch(stack) or len(stack) > STACK_NAME_MAX:
        # The stack name is part of the cluster, repository, log group and load balancer names.
        raise ConfigError([f"stack name {stack!r} is invalid. Use lowercase letters and digits in words "
                           f"joined by single hyphens, at most {STACK_NAME_MAX} characters, because it is "
                           "part of the ECS cluster, ECR repository and load balancer names."])

    region = values.get(REGION_KEY)
    if region is None:
        problems.append(f"{REGION_KEY}: missing. Set it with `pulumi config set aws:region ap-south-1`.")
    else:
        data["region"] = region

    reported: set[str] = set()
    referenced_secrets = _secret_config_keys(values.get(f"{namespace}services"))
    settable = {field.alias or name for name, field in StackConfig.model_fields.items()}
    settable -= {"project", "stack", "region"}
    for config_key in sorted(referenced_secrets & settable):
        problems.append(f"{namespace}services: secrets configKey {config_key!r} names a setting of this "
                        "program. Choose another key for the secret, such as mongodbUri.")
    for config_key in sorted(referenced_secrets - settable):
        if not CONFIG_KEY.fullmatch(config_key):
            problems.append(f"{namespace}services: secrets configKey {config_key!r} is not a usable config "
                            "key. Use letters, digits, hyphens and underscores, starting with a letter.")

    for key, value in values.items():
        namespace_of_key = key.split(":", 1)[0] if ":" in key else ""
        short = key[len(namespace):]
        if namespace_of_key == "aws":
            if key not in AWS_PROVIDER_KEYS:
                problems.append(f"{key}: unknown aws provider key. Allowed: {', '.join(sorted(AWS_PROVIDER_KEYS))}.")
        elif namespace_of_key in OTHER_NAMESPACES:
            continue
        elif not key.startswith(namespace):
            problems.append(f"{key}: unknown namespace {namespace_of_key!r}. This program reads "
                            f"{namespace}*, aws:* and pulumi:* keys.")
        elif short in settable:
            if key in secret_keys:
                problems.append(f"{key}: must not be a secret. Set it as plain config.")
                reported.add(short)
            else:
                data[short] = value
        elif short in referenced_secrets:
            if key not in secret_keys:
                problems.append(f"{key}: must be a secret. Set it with `pulumi config set --secret {short}`.")
        else:
            allowed = ", ".join(sorted(settable))
            problems.append(f"{key}: unknown key. Allowed keys: {allowed}, or a key named by a "
                            "service's secrets.*.configKey.")

    for config_key in sorted(referenced_secrets - settable):
        if f"{namespace}{config_key}" not in values and CONFIG_KEY.fullmatch(config_key):
            problems.append(f"{namespace}{config_key}: missing, but a service's secrets refer to it. "
                            f"Set it with `pulumi config set --secret {config_key} VALUE`.")

    problems.extend(_service_list_problems(namespace, values.get(f"{namespace}services")))

    config = None
    try:
        # Strict JSON-mode validation: "3000" is not a port and "yes" is not a boolean, as in
        # Pulumi's own YAML reading, where only true and false are booleans.
        config = StackConfig.model_validate_json(json.dumps(data), strict=True, context={"root": root})
    except ValidationError as error:
        errors = error.errors()
        if region is None:
            # The missing region was reported above under its real key, aws:region.
            reported.add("region")
        # Keys already reported above would only repeat here as missing.
        errors = [item for item in errors if not (item["type"] == "missing" and item["loc"][0] in reported)]
        problems.extend(_format_errors(namespace, errors, data.get("services")))

    if config is not None:
        problems.extend(_cross_problems(namespace, config))
    if problems:
        raise ConfigError(list(dict.fromkeys(problems)))
    if config is None:
        raise ConfigError([f"{namespace}: the config could not be read, and no single key was at fault."])
    return config


def _secret_config_keys(services: Any) -> set[str]:
    keys: set[str] = set()
    for service in services if isinstance(services, list) else []:
        secrets = service.get("secrets") if isinstance(service, dict) else None
        for ref in secrets.values() if isinstance(secrets, dict) else []:
            if isinstance(ref, dict) and isinstance(ref.get("configKey"), str):
                keys.add(ref["configKey"])
    return keys


def _service_list_problems(namespace: str, services: Any) -> list[str]:
    """Check what spans services: unique names, and calls that name another service of the stack."""
    if not isinstance(services, list):
        return []
    names = [service.get("name") for service in services if isinstance(service, dict)]
    valid_names = sorted({name for name in names if isinstance(name, str) and fargate.SERVICE_NAME.fullmatch(name)})
    problems = []
    for name, count in Counter(names).items():
        if isinstance(name, str) and count > 1:
            indexes = [str(index) for index, other in enumerate(names) if other == name]
            problems.append(f"{namespace}services[{name}].name: {name!r} is used by {count} services "
                            f"(indexes {', '.join(indexes)}). Service names must be unique.")
    for service in services:
        calls = service.get("calls") if isinstance(service, dict) else None
        if not isinstance(calls, list):
            continue
        own = service.get("name")
        for called in calls:
            if called == own:
                problems.append(f"{namespace}services[{own}].calls: a service cannot call itself. Remove {own!r}.")
            elif called not in names:
                others = ", ".join(name for name in valid_names if name != own) or "none"
                problems.append(f"{namespace}services[{own}].calls: {called!r} is not a service of this stack. "
                                f"Allowed: {others}.")
    problems.extend(_call_cycles(namespace, services))
    return problems


def _call_cycles(namespace: str, services: list[Any]) -> list[str]:
    graph = {
        service["name"]: [
            name for name in service.get("calls") if isinstance(name, str) and name != service["name"]
        ]
        for service in services
        if isinstance(service, dict) and isinstance(service.get("name"), str) and isinstance(service.get("calls"), list)
    }
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as error:
        cycle = error.args[1]
        return [f"{namespace}services[{cycle[0]}].calls: the calls form a cycle {' -> '.join(cycle)}. "
                "Remove one of these calls."]
    return []


def _cross_problems(namespace: str, config: StackConfig) -> list[str]:
    problems = []
    network = config.network
    if network.task_subnets == "public" and network.nat_gateways == "one-per-az":
        problems.append(f"{namespace}network.natGateways: 'one-per-az' builds NAT gateways that tasks in "
                        "public subnets never use. Set taskSubnets to 'private' or natGateways to 'none'.")

    certificate = config.load_balancer.certificate_arn
    if certificate is not None and certificate.split(":")[3] != config.region:
        problems.append(f"{namespace}loadBalancer.certificateArn: the certificate is in {certificate.split(':')[3]}, "
                        f"but the load balancer is in {config.region}. Use an ACM certificate from {config.region}.")

    url_variables = {callee: callee.upper().replace("-", "_") + "_URL" for service in config.services
                     for callee in service.calls}
    for service in config.services:
        key = f"{namespace}services[{service.name}]"
        for variable in sorted(set(service.environment) & set(service.secrets)):
            problems.append(f"{key}.environment.{variable}: also set in secrets. Keep it in one of the two.")
        for callee in service.calls:
            if url_variables[callee] in service.environment:
                problems.append(f"{key}.environment.{url_variables[callee]}: the program sets this from "
                                f"Service Connect because the service calls {callee}. Remove it.")
        if service.autoscaling is not None and "desired_count" in service.model_fields_set:
            problems.append(f"{key}.desiredCount: autoscaling sets the task count between minCount and "
                            "maxCount. Remove desiredCount.")
    if network.task_subnets == "private" and network.nat_gateways == "none":
        needed = set(PULL_ENDPOINTS)
        if any(service.secrets for service in config.services):
            needed.add("secretsmanager")
        missing = sorted(needed - set(network.vpc_endpoints))
        if missing:
            problems.append(
                f"{namespace}network.vpcEndpoints: tasks in private subnets with natGateways 'none' "
                f"cannot pull images or write logs without the endpoints {', '.join(missing)}. "
                "Add them to vpcEndpoints, or set natGateways to 'one-per-az'.")

    for service in config.services:
        name = repository_name(config, service)
        if not fargate.ECR_REPOSITORY_NAME.fullmatch(name) or len(name) > fargate.ECR_REPOSITORY_NAME_MAX:
            problems.append(f"{namespace}services[{service.name}]: the ECR repository name {name!r}, made "
                            "from project, stack and service names, is not one ECR accepts. Use a stack "
                            "name of lowercase letters, digits and single hyphens.")

    if config.deployment.fargate_spot and config.architecture != "X86_64":
        # Amazon ECS Developer Guide, "AWS Fargate capacity providers": Fargate Spot runs only
        # Linux tasks with the X86_64 architecture.
        problems.append(f"{namespace}deployment.fargateSpot: Fargate Spot runs only X86_64 tasks, but "
                        f"{namespace}architecture is {config.architecture}. Set architecture to X86_64 or "
                        "fargateSpot to false.")

    prefixes = Counter(rule.prefix for rule in config.registry.pull_through_cache)
    for prefix, count in prefixes.items():
        if count > 1:
            problems.append(f"{namespace}registry.pullThroughCache: prefix {prefix!r} is used by {count} rules. "
                            "Each rule needs its own prefix.")
    for destination in config.registry.replication:
        if destination.region == config.region and destination.registry_id is None:
            problems.append(f"{namespace}registry.replication: destination region {destination.region} is the "
                            "stack's own Region and account. Replicate to another Region or set registryId.")

    patterns = Counter(pattern for service in config.services for pattern in service.path_patterns)
    for pattern, count in patterns.items():
        if count > 1:
            problems.append(f"{namespace}services: path pattern {pattern!r} is routed to {count} "
                            "services. Give each public service its own pathPatterns.")
    return problems


def _format_errors(namespace: str, errors: list[Any], services: Any) -> list[str]:
    messages = []
    failed = [tuple(item["loc"]) for item in errors]
    for item in errors:
        inner = [loc for loc in failed if len(loc) > len(item["loc"]) and loc[:len(item["loc"])] == tuple(item["loc"])]
        if item["type"] == "too_short" and inner:
            # pydantic also reports a list as too short when its entries failed, which misleads.
            continue
        location = list(item["loc"])
        error = item.get("ctx", {}).get("error")
        if isinstance(error, FieldError):
            location += error.field.split(".")
        key = _key_path(namespace, location, services)
        if item["type"] == "extra_forbidden":
            allowed = ", ".join(_allowed_keys(location[:-1]))
            messages.append(f"{key}: unknown key. Allowed keys here: {allowed}.")
        elif item["type"] == "missing":
            messages.append(f"{key}: missing. It is required.")
        elif item["type"] == "value_error":
            value = item["input"]
            if isinstance(value, (str, int, float)) and str(value) not in str(error):
                messages.append(f"{key}: invalid value {_show(value)}: {error}")
            else:
                messages.append(f"{key}: {error}")
        else:
            messages.append(f"{key}: invalid value {_show(item['input'])}: {_reason(item)}")
    return messages


def _reason(item: Mapping[str, Any]) -> str:
    """Say in YAML terms what pydantic expected, instead of Python type names."""
    context = item.get("ctx", {})
    reasons = {
        "tuple_type": "expected a list.",
        "list_type": "expected a list.",
        "dict_type": "expected a mapping of keys to values.",
        "model_type": "expected a mapping of keys to values.",
        "model_attributes_type": "expected a mapping of keys to values.",
        "int_type": "expected a whole number.",
        "int_parsing": "expected a whole number.",
        "bool_type": "expected true or false.",
        "string_type": "expected a string.",
        "too_short": f"expected at least {context.get('min_length')} items.",
        "too_long": f"expected at most {context.get('max_length')} items.",
        "string_too_short": f"expected at least {context.get('min_length')} characters.",
        "greater_than_equal": f"expected at least {context.get('ge')}.",
        "less_than_equal": f"expected at most {context.get('le')}.",
    }
    if item["type"] in reasons:
        return reasons[item["type"]]
    return item["msg"].replace("Input should be", "expected") + "."


def _show(value: Any) -> str:
    """Print a value as it would appear in YAML-like JSON: null, true, "text"."""
    text = json.dumps(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _key_path(namespace: str, location: list[Any], services: Any) -> str:
    """Spell an error location as the key a user edits, naming services where the name is known."""
    if not location:
        return namespace.rstrip(":")
    if location == ["region"]:
        return REGION_KEY
    head, *rest = location
    text = f"{namespace}{head}"
    if head == "services" and rest and isinstance(rest[0], int):
        index = rest.pop(0)
        entry = services[index] if isinstance(services, list) and index < len(services) else None
        name = entry.get("name") if isinstance(entry, dict) else None
        text += f"[{name}]" if isinstance(name, str) else f"[{index}]"
    for part in rest:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _allowed_keys(location: list[Any]) -> list[str]:
    """List the keys accepted by the model at an error location."""
    model: Any = StackConfig
    for part in location:
        if isinstance(part, int) or not (isinstance(model, type) and issubclass(model, BaseModel)):
            continue
        fields = {field.alias or name: field for name, field in model.model_fields.items()}
        if part not in fields:
            # A key of a mapping field such as `secrets`: the value type stays in `model`.
            continue
        model = _model_in(fields[part].annotation)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return sorted(field.alias or name for name, field in model.model_fields.items())
    return []


def _model_in(annotation: Any) -> Any:
    """Find the pydantic model inside an annotation such as `Optional[X]` or `tuple[X, ...]`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in typing.get_args(annotation):
        found = _model_in(argument)
        if found is not None:
            return found
    if isinstance(annotation, types.UnionType):
        return None
    return None


def read_stack_config(root: Path) -> StackConfig:
    """Read and validate the running stack's config from the Pulumi engine.

    Raises `pulumi.RunError`, which Pulumi prints without a stack trace, listing every problem.
    """
    import pulumi
    from pulumi.runtime import config as runtime_config

    # The engine hands the program its config through these two maps, and neither has a public
    # accessor that lists keys. Listing them is what lets a misspelled top-level key be reported.
    raw = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    secret_keys = frozenset(runtime_config.get_config_secret_keys_env()) | frozenset(
        key for key in raw if runtime_config.is_config_secret(key)
    )
    project, stack = pulumi.get_project(), pulumi.get_stack()
    values = {key: _parse_value(value) for key, value in raw.items() if key not in secret_keys}
    values.update({key: "[secret]" for key in raw if key in secret_keys})
    try:
        return load_config(values, project=project, stack=stack, root=root, secret_keys=secret_keys)
    except ConfigError as error:
        raise pulumi.RunError(f"invalid stack config for {project}/{stack}:\n  " + "\n  ".join(error.problems)) from None


def _parse_value(value: Any) -> Any:
    """Decode a structured config value, which the engine passes as JSON text."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
