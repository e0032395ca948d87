"""Canonical `containerDefinitions` JSON for a service's Fargate task definition."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

# Container health check timing, in seconds. ECS defaults are interval 30, timeout 5, retries 3 and
# no start period. A 10-second interval marks a new task healthy three times sooner.
HEALTH_CHECK_INTERVAL = 10
HEALTH_CHECK_TIMEOUT = 5
HEALTH_CHECK_RETRIES = 3
HEALTH_CHECK_START_PERIOD = 15


@dataclass(frozen=True)
class ContainerSpec:
    """The resolved values that make up a service's single container definition."""

    name: str
    image: str
    port: int
    health_check_command: str
    log_group: str
    region: str
    environment: Mapping[str, str] = field(default_factory=dict)
    secrets: Mapping[str, str] = field(default_factory=dict)


def render_container_definitions(spec: ContainerSpec) -> str:
    """Render the container definitions as canonical JSON.

    Keys are sorted, environment variables and secrets are sorted by name, nothing is null, and
    equal specs give byte-identical text, so a preview shows a diff only when something changed.
    """
    container = {
        "name": spec.name,
        "image": spec.image,
        "essential": True,
        "portMappings": [{
            "name": spec.name,
            "containerPort": spec.port,
            "hostPort": spec.port,
            "protocol": "tcp",
            "appProtocol": "http",
        }],
        "environment": [{"name": key, "value": value} for key, value in sorted(spec.environment.items())],
        "secrets": [{"name": key, "valueFrom": arn} for key, arn in sorted(spec.secrets.items())],
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": spec.log_group,
                "awslogs-region": spec.region,
                "awslogs-stream-prefix": spec.name,
            },
        },
        "healthCheck": {
            "command": ["CMD-SHELL", spec.health_check_command],
            "interval": HEALTH_CHECK_INTERVAL,
            "timeout": HEALTH_CHECK_TIMEOUT,
            "retries": HEALTH_CHECK_RETRIES,
            "startPeriod": HEALTH_CHECK_START_PERIOD,
        },
        # The init process reaps zombies and forwards SIGTERM, so tasks stop within the stop timeout.
        "linuxParameters": {"initProcessEnabled": True},
    }
    return json.dumps([container], sort_keys=True, separators=(",", ":"))
