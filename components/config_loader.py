"""Turn raw stack config values into a `StackConfig`, or a `ConfigError` listing every problem."""

from __future__ import annotations

import types
import typing
import json
from collections import Counter
from collections.abc import Mapping
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from components import fargate
from components.config import PULL_ENDPOINTS, ConfigError, StackConfig
from components.naming import repository_name

REGION_KEY = "aws:region"


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

    region = values.get(REGION_KEY)
    if region is None:
        problems.append(f"{REGION_KEY}: missing. Set it with `pulumi config set aws:region ap-south-1`.")
    else:
        data["region"] = region

    referenced_secrets = _secret_config_keys(values.get(f"{namespace}services"))
    settable = {field.alias or name for name, field in StackConfig.model_fields.items()}
    settable -= {"project", "stack", "region"}
    for key, value in values.items():
        if not key.startswith(namespace):
            continue
        short = key[len(namespace):]
        if short in settable:
            data[short] = value
        elif short in referenced_secrets:
            if short not in secret_keys and key not in secret_keys:
                problems.append(f"{key}: must be a secret. Set it with `pulumi config set --secret {short}`.")
        else:
            allowed = ", ".join(sorted(settable))
            problems.append(f"{key}: unknown key. Allowed keys: {allowed}, or a key named by a "
                            "service's secrets.*.configKey.")

    for config_key in sorted(referenced_secrets):
        if f"{namespace}{config_key}" not in values:
            problems.append(f"{namespace}{config_key}: missing, but a service's secrets refer to it. "
                            f"Set it with `pulumi config set --secret {config_key}`.")

    problems.extend(_service_list_problems(namespace, values.get(f"{namespace}services")))

    config = None
    try:
        config = StackConfig.model_validate(data, context={"root": root})
    except ValidationError as error:
        # A missing region was reported above under its real key, aws:region.
        errors = [item for item in error.errors() if item["loc"] != ("region",)]
        problems.extend(_format_errors(namespace, errors, data.get("services")))

    if config is not None:
        problems.extend(_cross_problems(namespace, config))
    if problems:
        raise ConfigError(list(dict.fromkeys(problems)))
    assert config is not None
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
    """Check what spans services: unique names, and calls that name a service of the stack."""
    if not isinstance(services, list):
        return []
    names = [service.get("name") for service in services if isinstance(service, dict)]
    problems = []
    for name, count in Counter(names).items():
        if isinstance(name, str) and count > 1:
            indexes = [str(index) for index, other in enumerate(names) if other == name]
            problems.append(f"{namespace}services[{name}].name: {name!r} is used by {count} services "
                            f"(indexes {', '.join(indexes)}). Service names must be unique.")
    for service in services:
        if not isinstance(service, dict):
            continue
        for called in service.get("calls") or []:
            if called not in names or called == service.get("name"):
                problems.append(f"{namespace}services[{service.get('name')}].calls: {called!r} is not "
                                f"another service of this stack. Allowed: "
                                f"{', '.join(str(name) for name in names if name != service.get('name'))}.")
    problems.extend(_call_cycles(namespace, services))
    return problems


def _call_cycles(namespace: str, services: list[Any]) -> list[str]:
    graph = {
        service["name"]: [name for name in service.get("calls") or [] if isinstance(name, str)]
        for service in services
        if isinstance(service, dict) and isinstance(service.get("name"), str)
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
        key = _key_path(namespace, location, services)
        if item["type"] == "extra_forbidden":
            allowed = ", ".join(_allowed_keys(location[:-1]))
            messages.append(f"{key}: unknown key. Allowed keys here: {allowed}.")
            continue
        if item["type"] == "missing":
            messages.append(f"{key}: missing. It is required.")
            continue
        reason = str(item["ctx"]["error"]) if item["type"] == "value_error" else item["msg"] + "."
        if isinstance(item["input"], (dict, list)):
            # A whole entry failed a check across its keys, and the reason names the values.
            messages.append(f"{key}: {reason}")
        else:
            messages.append(f"{key}: invalid value {item['input']!r}: {reason}")
    return messages


def _key_path(namespace: str, location: list[Any], services: Any) -> str:
    """Spell an error location as the key a user edits, naming services where the name is known."""
    if not location:
        return namespace.rstrip(":")
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
