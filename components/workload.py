"""The pieces that run one service on ECS Fargate: logs, roles, task definition, routing, scaling."""

from __future__ import annotations

import json
from collections.abc import Mapping

import pulumi
import pulumi_aws as aws

from components.config import Autoscaling, ServiceConfig
from components.container_definitions import ContainerSpec, render_container_definitions

# Target-group health check, in seconds. ELB defaults are interval 30, healthy threshold 5 and a
# deregistration delay of 300. With these values a new task is in service after 2 x 10 s, and an
# old one is drained in 15 s (the arithmetic is in docs/rollouts.md).
TARGET_HEALTH_INTERVAL = 10
TARGET_HEALTH_TIMEOUT = 5
TARGET_HEALTHY_THRESHOLD = 2
TARGET_UNHEALTHY_THRESHOLD = 3
DEREGISTRATION_DELAY = 15
HEALTH_CHECK_GRACE_PERIOD = 30

ECS_TASKS_TRUST = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Principal": {"Service": "ecs-tasks.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }],
}, sort_keys=True)


def execution_policy(repository_arn: str, log_group_arn: str, secret_arns: list[str]) -> str:
    """Return the execution role's policy: pull from one repository, write one log group, read secrets.

    `ecr:GetAuthorizationToken` does not support resource-level permissions, so it needs `*`.
    """
    statements = [
        {"Sid": "EcrToken", "Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"], "Resource": "*"},
        {
            "Sid": "EcrPull",
            "Effect": "Allow",
            "Action": ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            "Resource": repository_arn,
        },
        {
            "Sid": "Logs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": f"{log_group_arn}:log-stream:*",
        },
    ]
    if secret_arns:
        statements.append({
            "Sid": "Secrets",
            "Effect": "Allow",
            "Action": ["secretsmanager:GetSecretValue"],
            "Resource": sorted(secret_arns),
        })
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, sort_keys=True)


def create_execution_role(
    name: str,
    *,
    repository_arn: pulumi.Output[str],
    log_group_arn: pulumi.Output[str],
    secret_arns: list[pulumi.Input[str]],
    tags: dict[str, str],
    parent: pulumi.Resource,
) -> tuple[aws.iam.Role, aws.iam.RolePolicy]:
    """Create the role ECS uses to pull the image, write logs and fetch secrets for the task.

    Returns the role and its inline policy. ECS uses the policy's permissions when a task starts,
    so the ECS service must depend on the policy, not only on the role.
    """
    child = pulumi.ResourceOptions(parent=parent)
    role = aws.iam.Role(f"{name}-execution-role", assume_role_policy=ECS_TASKS_TRUST, tags=tags, opts=child)
    policy = pulumi.Output.all(repository_arn, log_group_arn, *secret_arns).apply(
        lambda values: execution_policy(values[0], values[1], list(values[2:]))
    )
    role_policy = aws.iam.RolePolicy(f"{name}-execution-policy", role=role.id, policy=policy, opts=child)
    return role, role_policy


def create_task_definition(
    name: str,
    *,
    family: str,
    service: ServiceConfig,
    architecture: str,
    image: pulumi.Output[str],
    log_group: pulumi.Output[str],
    region: str,
    environment: Mapping[str, pulumi.Input[str]],
    secrets: Mapping[str, pulumi.Input[str]],
    execution_role_arn: pulumi.Output[str],
    task_role_arn: pulumi.Output[str],
    tags: dict[str, str],
    parent: pulumi.Resource,
) -> aws.ecs.TaskDefinition:
    """Register a Fargate task definition whose only container runs `image` (a digest reference)."""
    env_names = sorted(environment)
    secret_names = sorted(secrets)
    definitions = pulumi.Output.all(
        image, log_group, *[environment[key] for key in env_names], *[secrets[key] for key in secret_names]
    ).apply(lambda values: render_container_definitions(ContainerSpec(
        name=service.name,
        image=values[0],
        port=service.port,
        health_check_command=service.health_check_command,
        log_group=values[1],
        region=region,
        environment=dict(zip(env_names, values[2:2 + len(env_names)])),
        secrets=dict(zip(secret_names, values[2 + len(env_names):])),
    )))
    return aws.ecs.TaskDefinition(
        f"{name}-task",
        family=family,
        requires_compatibilities=["FARGATE"],
        network_mode="awsvpc",
        cpu=str(service.cpu),
        memory=str(service.memory),
        runtime_platform={"operating_system_family": "LINUX", "cpu_architecture": architecture},
        execution_role_arn=execution_role_arn,
        task_role_arn=task_role_arn,
        container_definitions=definitions,
        tags=tags,
        opts=pulumi.ResourceOptions(parent=parent),
    )


def create_target_group(
    name: str,
    *,
    service: ServiceConfig,
    vpc_id: pulumi.Input[str],
    listener_arn: pulumi.Input[str],
    priority: int,
    tags: dict[str, str],
    parent: pulumi.Resource,
) -> tuple[aws.lb.TargetGroup, aws.lb.ListenerRule]:
    """Create the service's target group and the listener rule that routes its paths to it.

    Returns both, because the ECS service must wait for the rule before its tasks take traffic.
    """
    child = pulumi.ResourceOptions(parent=parent)
    target_group = aws.lb.TargetGroup(
        # The autonamed name is `<name>-tg-` plus 7 characters, and ELB allows at most 32 (the
        # CreateTargetGroup `Name` docs in botocore's ELBv2 model), so `name` must be at most 20.
        f"{name}-tg",
        port=service.port,
        protocol="HTTP",
        target_type="ip",
        vpc_id=vpc_id,
        deregistration_delay=DEREGISTRATION_DELAY,
        health_check={
            "path": service.health_check_path,
            "protocol": "HTTP",
            "matcher": "200-399",
            "interval": TARGET_HEALTH_INTERVAL,
            "timeout": TARGET_HEALTH_TIMEOUT,
            "healthy_threshold": TARGET_HEALTHY_THRESHOLD,
            "unhealthy_threshold": TARGET_UNHEALTHY_THRESHOLD,
        },
        tags=tags,
        # The alias maps a target group created under the earlier logical name to this one, so
        # existing stacks do not replace it.
        opts=pulumi.ResourceOptions(parent=parent, aliases=[pulumi.Alias(name=f"{name}-targets")]),
    )
    rule = aws.lb.ListenerRule(
        f"{name}-route",
        listener_arn=listener_arn,
        priority=priority,
        conditions=[{"path_pattern": {"values": list(service.path_patterns)}}],
        actions=[{"type": "forward", "target_group_arn": target_group.arn}],
        tags=tags,
        opts=child,
    )
    return target_group, rule


def create_autoscaling(
    name: str,
    *,
    settings: Autoscaling,
    cluster_name: pulumi.Input[str],
    service_name: pulumi.Input[str],
    parent: pulumi.Resource,
) -> None:
    """Scale the service's desired count between min and max by target tracking."""
    child = pulumi.ResourceOptions(parent=parent)
    target = aws.appautoscaling.Target(
        f"{name}-scaling",
        service_namespace="ecs",
        scalable_dimension="ecs:service:DesiredCount",
        resource_id=pulumi.Output.concat("service/", cluster_name, "/", service_name),
        min_capacity=settings.min_count,
        max_capacity=settings.max_count,
        opts=child,
    )
    metrics = {"cpu": ("ECSServiceAverageCPUUtilization", settings.cpu_target_percent)}
    if settings.memory_target_percent is not None:
        metrics["memory"] = ("ECSServiceAverageMemoryUtilization", settings.memory_target_percent)
    for label, (metric, percent) in metrics.items():
        aws.appautoscaling.Policy(
            f"{name}-{label}-tracking",
            policy_type="TargetTrackingScaling",
            service_namespace=target.service_namespace,
            scalable_dimension=target.scalable_dimension,
            resource_id=target.resource_id,
            target_tracking_scaling_policy_configuration={
                "target_value": percent,
                "predefined_metric_specification": {"predefined_metric_type": metric},
                # Scale out fast on load, scale in slowly so short dips do not stop tasks.
                "scale_out_cooldown": 60,
                "scale_in_cooldown": 300,
            },
            opts=child,
        )
