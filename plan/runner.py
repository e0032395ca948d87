"""Run the Pulumi program in Pulumi's mock runtime with a stack's config, and record the result."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import runpy
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime import stack as runtime_stack
from pulumi.runtime.config import set_all_config
from pulumi.runtime.sync_await import _sync_await

from components.config import StackConfig
from components.config_loader import REGION_KEY, load_config
from plan.mocks import PlanMocks, RecordingMonitor, mask

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER_SECRET = "plan-placeholder-secret"


@dataclass(frozen=True)
class StackFile:
    """A stack's settings as the engine would pass them: config values as text, and secret keys."""

    project: str
    stack: str
    values: dict[str, str]
    secret_keys: frozenset[str]
    notes: tuple[str, ...] = ()

    def parsed_values(self) -> dict[str, Any]:
        """Return config values decoded as the program's loader receives them."""
        parsed: dict[str, Any] = {}
        for key, text in self.values.items():
            parsed[key] = "[secret]" if key in self.secret_keys else _decode(text)
        return parsed


@dataclass
class Plan:
    """The registrations and outputs of one program run, sorted by URN so the order is stable."""

    project: str
    stack: str
    resources: list[dict[str, Any]]
    outputs: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    invokes: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        document = {
            "project": self.project,
            "stack": self.stack,
            "resources": self.resources,
            "outputs": self.outputs,
            "warnings": self.warnings,
        }
        return json.dumps(document, indent=2, sort_keys=True) + "\n"


class StackFileError(Exception):
    """Raised when a stack file is missing or is not the YAML mapping Pulumi expects."""


class _PulumiYamlLoader(yaml.SafeLoader):
    """A YAML loader that reads like Pulumi's own: duplicate keys are errors, and only true and
    false are booleans (YAML 1.1 would also turn yes, no, on and off into booleans)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_PulumiYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_PulumiYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def _load_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_PulumiYamlLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise StackFileError(f"{path.name}: invalid YAML{where}: {problem}.") from None


def read_stack_file(stack: str, root: Path = ROOT) -> StackFile:
    """Read `Pulumi.yaml` and `Pulumi.<stack>.yaml`, turning values into the engine's text form.

    Raises `StackFileError` for a missing file, invalid YAML or a file that is not a mapping.
    """
    project = _load_yaml(root / "Pulumi.yaml")["name"]
    path = root / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        stacks = sorted(p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in root.glob("Pulumi.*.yaml"))
        raise StackFileError(f"no stack file {path.name}. Stacks here: {', '.join(stacks)}.")
    document = _load_yaml(path)
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise StackFileError(f"{path.name}: expected a mapping with a `config:` key at the top level.")
    config = document.get("config") or {}
    if not isinstance(config, dict):
        raise StackFileError(f"{path.name}: `config:` must be a mapping of keys such as aws:region to values.")
    values: dict[str, str] = {}
    secret_keys: set[str] = set()
    for key, value in config.items():
        full_key = key if ":" in key else f"{project}:{key}"
        if isinstance(value, dict) and set(value) == {"secure"}:
            # The ciphertext needs the stack's secrets provider, so the plan never decrypts it.
            values[full_key] = PLACEHOLDER_SECRET
            secret_keys.add(full_key)
        elif isinstance(value, str):
            values[full_key] = value
        else:
            values[full_key] = json.dumps(value)

    notes = []
    for config_key in _referenced_secret_keys(values.get(f"{project}:services")):
        full_key = f"{project}:{config_key}"
        if full_key not in values:
            values[full_key] = PLACEHOLDER_SECRET
            secret_keys.add(full_key)
            notes.append(f"{full_key} is not set in {path.name}, so the plan used a placeholder secret. "
                         f"Set it with `pulumi config set --secret {config_key} VALUE --stack {stack}`.")
    return StackFile(project, stack, values, frozenset(secret_keys), tuple(notes))


def load_stack_config(stack_file: StackFile, root: Path = ROOT) -> StackConfig:
    """Validate a stack's config exactly as the program does. Raises `ConfigError`."""
    return load_config(
        stack_file.parsed_values(),
        project=stack_file.project,
        stack=stack_file.stack,
        root=root,
        secret_keys=stack_file.secret_keys,
    )


def run_plan(stack: str, root: Path = ROOT) -> Plan:
    """Run the program for `stack` under mocks and return every registration and output.

    Raises `ConfigError` before the program runs when the stack's config is invalid.
    """
    stack_file = read_stack_file(stack, root)
    config = load_stack_config(stack_file, root)
    # A fresh context per run, because the Pulumi runtime keeps its settings in context variables.
    return contextvars.Context().run(_run, stack_file, config.region, root)


def _run(stack_file: StackFile, region: str, root: Path) -> Plan:
    # A failed earlier run leaves its error in the runtime's shared RPC manager. Start clean.
    runtime_settings.SETTINGS.rpc_manager.clear()
    warnings: list[str] = []
    logger = logging.getLogger(f"plan.{stack_file.stack}")
    logger.propagate = False
    logger.handlers = [_ListHandler(warnings)]

    plan_mocks = PlanMocks(region=region, root=root)
    monitor = RecordingMonitor(plan_mocks)
    pulumi.runtime.set_mocks(plan_mocks, stack_file.project, stack_file.stack, preview=False,
                             logger=logger, monitor=monitor)
    set_all_config(dict(stack_file.values), sorted(stack_file.secret_keys))

    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    program = str(root / "__main__.py")
    _sync_await(runtime_stack.run_pulumi_func(lambda: runpy.run_path(program, run_name="__main__")))

    stack_resource = runtime_settings.get_root_resource()
    outputs = {}
    for name, value in sorted(stack_resource.outputs.items()):
        output = pulumi.Output.from_input(value)
        resolved = _sync_await(output.future())
        outputs[name] = "[secret]" if _sync_await(output.is_secret()) else mask(_plain(resolved))

    resources = [
        {
            "urn": registration.urn,
            "type": registration.type,
            "name": registration.name,
            "parent": registration.parent,
            "protect": registration.protect,
            "dependencies": registration.dependencies,
            "deleteBeforeReplace": registration.delete_before_replace,
            "inputs": mask(registration.inputs),
            "outputs": mask(registration.outputs),
        }
        for registration in sorted(monitor.registrations.values(), key=lambda item: item.urn)
    ]
    return Plan(
        project=stack_file.project,
        stack=stack_file.stack,
        resources=resources,
        outputs=outputs,
        warnings=sorted(set(warnings)),
        notes=list(stack_file.notes),
        invokes=list(plan_mocks.invokes),
    )


class _ListHandler(logging.Handler):
    def __init__(self, sink: list[str]):
        super().__init__(level=logging.WARNING)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(record.getMessage())


def _plain(value: Any) -> Any:
    """Turn resolved output values (which may hold nested outputs' plain values) into JSON data."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def _decode(text: str) -> Any:
    if text[:1] in ("{", "["):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def _referenced_secret_keys(services_text: str | None) -> list[str]:
    if not services_text:
        return []
    services = _decode(services_text)
    keys = []
    for service in services if isinstance(services, list) else []:
        secrets = service.get("secrets") if isinstance(service, dict) else None
        for ref in (secrets or {}).values() if isinstance(secrets, dict) else []:
            if isinstance(ref, dict) and isinstance(ref.get("configKey"), str):
                keys.append(ref["configKey"])
    return sorted(set(keys))


__all__ = ["Plan", "StackFile", "StackFileError", "read_stack_file", "load_stack_config", "run_plan", "REGION_KEY"]
