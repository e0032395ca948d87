"""Fargate task sizes, CPU architectures and the names ECR and ECS accept."""

import re

# Task-level cpu (CPU units) to the memory values (MiB) Fargate accepts with it, from the
# `memory` documentation of RegisterTaskDefinition in botocore's ECS service model.
FARGATE_TASK_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: (1024, 2048, 3072, 4096),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}

# ECS `runtimePlatform.cpuArchitecture` to the Docker build platform that produces images for it.
DOCKER_PLATFORMS: dict[str, str] = {
    "X86_64": "linux/amd64",
    "ARM64": "linux/arm64",
}

# `RepositoryName` pattern and length (2 to 256) from botocore's ECR service model.
ECR_REPOSITORY_NAME = re.compile(r"[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*")
ECR_REPOSITORY_NAME_MAX = 256

# A service name is used in the ECR repository name, the ECS service name, the task definition
# family and the container name. ECS allows letters, numbers, hyphens and underscores there, and
# ECR allows only lowercase, so the name must satisfy both: lowercase words joined by hyphens.
SERVICE_NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
# 20 keeps the target group's autonamed `<service>-tg-` plus Pulumi's 7-character suffix within
# ELB's 32-character name limit.
SERVICE_NAME_MAX = 20


def memory_choices(cpu: int) -> str:
    """Describe the memory values Fargate accepts for a cpu value, for error messages."""
    values = FARGATE_TASK_SIZES[cpu]
    if len(values) <= 4:
        return ", ".join(str(value) for value in values)
    step = values[1] - values[0]
    return f"{values[0]} to {values[-1]} in steps of {step}"
