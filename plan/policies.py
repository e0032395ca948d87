"""The lifecycle policy the program renders for a stack's service, without running the program."""

from __future__ import annotations

from components.repository import lifecycle_policy_text
from plan.runner import load_stack_config, read_stack_file


def rendered_policy_for(stack: str, service: str) -> str:
    """Return the canonical policy JSON that `pulumi up` would attach to `service`'s repository.

    Raises `ConfigError` for an invalid stack config and `ValueError` for an unknown service.
    """
    config = load_stack_config(read_stack_file(stack))
    names = [entry.name for entry in config.services]
    if service not in names:
        raise ValueError(f"service {service!r} is not in stack {stack}. Services: {', '.join(names)}.")
    text, _ = lifecycle_policy_text(config)
    return text
