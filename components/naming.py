"""Physical names derived from the project, stack and service names."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from components.config import ServiceConfig, StackConfig


def repository_name(stack: StackConfig, service: ServiceConfig) -> str:
    """Return `<project>/<stack>/<service>`, unique per stack when stacks share an account."""
    return f"{stack.project}/{stack.stack}/{service.name}"
