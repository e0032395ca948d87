"""One service of the application: its repository, its image and its Fargate workload."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import pulumi
import pulumi_aws as aws
import pulumi_docker as docker

from components import fargate, workload
from components.config import ServiceConfig, StackConfig
from components.image import create_image
from components.naming import repository_name
from components.repository import create_repository, lifecycle_policy_text


@dataclass(frozen=True)
class Routing:
    """Attachment point of a public service's target group: the ALB listener and the rule priority."""

    vpc_id: pulumi.Input[str]
    listener_arn: pulumi.Input[str]
    load_balancer_security_group_id: pulumi.Input[str]
    priority: int


@dataclass(frozen=True)
class ServiceDeploymentArgs:
    """Inputs of a `ServiceDeployment`.

    `called` contains the already created services this one calls. `network_dependencies` are
    resources, such as the `Network` component, that must exist before the ECS service starts tasks.
    """

    service: ServiceConfig
    stack: StackConfig
    root: Path
    registry: docker.RegistryArgs
    cluster: aws.ecs.Cluster
    namespace_arn: pulumi.Input[str]
    vpc_id: pulumi.Input[str]
    subnet_ids: pulumi.Input[list[str]]
    assign_public_ip: bool
    routing: Optional[Routing] = None
    kms_key_arn: Optional[pulumi.Input[str]] = None
    called: tuple[ServiceDeployment, ...] = ()
    is_called: bool = False
    tags: dict[str, str] = field(default_factory=dict)
    network_dependencies: tuple[pulumi.Resource, ...] = ()


class ServiceDeployment(pulumi.ComponentResource):
    """A service built from source, pushed to its own ECR repository and run pinned to the digest."""

    def __init__(self, name: str, args: ServiceDeploymentArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("storefront:index:ServiceDeployment", name, None, opts)
        service, stack = args.service, args.stack
        child = pulumi.ResourceOptions(parent=self)
        tags = {**args.tags, "service": service.name}
        prefix = f"{stack.project}-{stack.stack}"
        self._config, self._stack, self._tags, self._is_called = service, stack, tags, args.is_called

        self.lifecycle_policy, policy_warnings = lifecycle_policy_text(stack)
        for warning in policy_warnings:
            pulumi.log.warn(f"lifecycle policy of {service.name}: {warning} Adjust storefront:ecr.lifecycle.", self)
        self.repository = create_repository(
            name,
            repository_name=repository_name(stack, service),
            settings=stack.ecr,
            kms_key_arn=args.kms_key_arn,
            lifecycle_policy=self.lifecycle_policy,
            protect=stack.protected,
            tags=tags,
            parent=self,
        )
        self.image = create_image(
            name,
            repository_url=self.repository.repository_url,
            root=args.root,
            context=service.context,
            dockerfile=service.dockerfile,
            platform=fargate.DOCKER_PLATFORMS[stack.architecture],
            registry=args.registry,
            parent=self,
        )
        # The task definition names the image by digest, so a task always runs the exact bytes
        # that were pushed, and a tag that moves later cannot change what is running.
        self.image_ref = self.image.repo_digest

        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=f"/ecs/{stack.project}/{stack.stack}/{service.name}",
            retention_in_days=stack.deployment.log_retention_days,
            tags=tags,
            opts=child,
        )
        # Resources that must exist before the ECS service starts its first tasks. Pulumi orders
        # creation only by inputs and `depends_on`, and the service's inputs reference few of these.
        startup: list[pulumi.Resource] = list(args.network_dependencies)

        secret_arns, secret_versions = self._secret_arns(name, tags)
        startup.extend(secret_versions)
        execution_role, execution_policy = workload.create_execution_role(
            name,
            repository_arn=self.repository.arn,
            log_group_arn=self.log_group.arn,
            secret_arns=list(secret_arns.values()),
            tags=tags,
            parent=self,
        )
        startup.append(execution_policy)
        # The application's own AWS permissions. It has none until a service needs some.
        task_role = aws.iam.Role(
            f"{name}-task-role", assume_role_policy=workload.ECS_TASKS_TRUST, tags=tags, opts=child
        )

        environment: dict[str, pulumi.Input[str]] = dict(service.environment)
        for callee in args.called:
            environment[callee.url_variable] = callee.internal_url
        self.task_definition = workload.create_task_definition(
            name,
            family=f"{prefix}-{service.name}",
            service=service,
            architecture=stack.architecture,
            image=self.image_ref,
            log_group=self.log_group.name,
            region=stack.region,
            environment=environment,
            secrets=secret_arns,
            execution_role_arn=execution_role.arn,
            task_role_arn=task_role.arn,
            tags=tags,
            parent=self,
        )

        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            vpc_id=args.vpc_id,
            description=f"Tasks of {service.name}",
            tags=tags,
            opts=child,
        )
        # Tasks reach ECR, CloudWatch Logs, Secrets Manager and called services over the VPC's routes.
        egress = aws.vpc.SecurityGroupEgressRule(
            f"{name}-egress",
            security_group_id=self.security_group.id,
            ip_protocol="-1",
            cidr_ipv4="0.0.0.0/0",
            opts=child,
        )
        startup.append(egress)
        # A task resolves a Service Connect endpoint only if it starts after the endpoint exists
        # ("Amazon ECS Service Connect components", ECS Developer Guide). So this service waits for
        # each called ECS service and for the rule that opens its port to this service's tasks.
        for callee in args.called:
            startup.append(callee.service)
            startup.append(callee.allow_caller(name, self.security_group, parent=self))

        load_balancers = []
        if args.routing is not None:
            target_group, listener_rule = workload.create_target_group(
                name,
                service=service,
                vpc_id=args.routing.vpc_id,
                listener_arn=args.routing.listener_arn,
                priority=args.routing.priority,
                tags=tags,
                parent=self,
            )
            from_load_balancer = aws.vpc.SecurityGroupIngressRule(
                f"{name}-from-load-balancer",
                security_group_id=self.security_group.id,
                referenced_security_group_id=args.routing.load_balancer_security_group_id,
                ip_protocol="tcp",
                from_port=service.port,
                to_port=service.port,
                opts=child,
            )
            # Without the rule no request reaches new tasks, and without the ingress rule the
            # target group's health checks fail, so ECS would stop the tasks as unhealthy.
            startup.extend([listener_rule, from_load_balancer])
            load_balancers = [{
                "target_group_arn": target_group.arn,
                "container_name": service.name,
                "container_port": service.port,
            }]

        self.service = self._create_service(name, args, load_balancers, tags, startup)
        if service.autoscaling is not None:
            workload.create_autoscaling(
                name,
                settings=service.autoscaling,
                cluster_name=args.cluster.name,
                service_name=self.service.name,
                parent=self,
            )

        self.outputs = {
            "repositoryUrl": self.repository.repository_url,
            "imageRef": self.image_ref,
            "taskDefinitionArn": self.task_definition.arn,
            "serviceName": self.service.name,
            "logGroup": self.log_group.name,
        }
        self.register_outputs(self.outputs)

    @property
    def url_variable(self) -> str:
        """Name of the environment variable that gives callers this service's base URL."""
        return self._config.name.upper().replace("-", "_") + "_URL"

    @property
    def internal_url(self) -> str:
        """Base URL that Service Connect resolves inside the cluster's namespace."""
        return f"http://{self._config.name}:{self._config.port}"

    def allow_caller(
        self, caller: str, caller_group: aws.ec2.SecurityGroup, parent: pulumi.Resource
    ) -> aws.vpc.SecurityGroupIngressRule:
        """Let tasks in `caller_group` reach this service's port, and nothing else in.

        Returns the rule, which the caller's ECS service must depend on.
        """
        return aws.vpc.SecurityGroupIngressRule(
            f"{caller}-to-{self._config.name}",
            security_group_id=self.security_group.id,
            referenced_security_group_id=caller_group.id,
            ip_protocol="tcp",
            from_port=self._config.port,
            to_port=self._config.port,
            opts=pulumi.ResourceOptions(parent=parent),
        )

    def _secret_arns(
        self, name: str, tags: dict[str, str]
    ) -> tuple[dict[str, pulumi.Input[str]], list[aws.secretsmanager.SecretVersion]]:
        """Return each secret variable's ARN and the secret versions that this stack creates.

        ECS reads a task's secrets when the task starts, so the ECS service waits for the versions
        that give the new secrets their values.
        """
        service, stack = self._config, self._stack
        arns: dict[str, pulumi.Input[str]] = {}
        versions: list[aws.secretsmanager.SecretVersion] = []
        for variable, ref in sorted(service.secrets.items()):
            if ref.arn is not None:
                arns[variable] = ref.arn
                continue
            secret = aws.secretsmanager.Secret(
                f"{name}-{variable.lower().replace('_', '-')}",
                name=f"{stack.project}/{stack.stack}/{service.name}/{variable}",
                recovery_window_in_days=30 if stack.protected else 0,
                tags=self._tags,
                opts=pulumi.ResourceOptions(parent=self, protect=stack.protected),
            )
            version = aws.secretsmanager.SecretVersion(
                f"{name}-{variable.lower().replace('_', '-')}-value",
                secret_id=secret.id,
                secret_string=pulumi.Config(stack.project).require_secret(ref.config_key),
                opts=pulumi.ResourceOptions(parent=self),
            )
            versions.append(version)
            arns[variable] = secret.arn
        return arns, versions

    def _create_service(
        self,
        name: str,
        args: ServiceDeploymentArgs,
        load_balancers: list,
        tags: dict,
        depends_on: list[pulumi.Resource],
    ) -> aws.ecs.Service:
        service, stack = args.service, args.stack
        deployment = stack.deployment
        capacity = {"capacity_provider_strategies": [{"capacity_provider": "FARGATE_SPOT", "weight": 1}]}
        if not deployment.fargate_spot:
            capacity = {"launch_type": "FARGATE"}
        # NOTE: a discovery name must be unique within the Cloud Map namespace (ServiceConnectService
        # `discoveryName` docs in botocore's ECS model). If this ECS service is ever replaced, Pulumi
        # by default creates the new one while the old one still uses the name. How ECS handles
        # that clash is not verified here, so review any plan that replaces a called service.
        connect_services = [{
            "port_name": service.name,
            "discovery_name": service.name,
            "client_alias": [{"port": service.port, "dns_name": service.name}],
        }] if self._is_called else []
        ignore = ["desiredCount"] if service.autoscaling is not None else []
        return aws.ecs.Service(
            f"{name}-service",
            cluster=args.cluster.arn,
            task_definition=self.task_definition.arn,
            desired_count=service.autoscaling.min_count if service.autoscaling else service.desired_count,
            platform_version="LATEST",
            **capacity,
            network_configuration={
                "subnets": args.subnet_ids,
                "security_groups": [self.security_group.id],
                "assign_public_ip": args.assign_public_ip,
            },
            load_balancers=load_balancers,
            health_check_grace_period_seconds=workload.HEALTH_CHECK_GRACE_PERIOD if load_balancers else None,
            deployment_circuit_breaker={"enable": True, "rollback": True},
            deployment_minimum_healthy_percent=deployment.minimum_healthy_percent,
            deployment_maximum_percent=deployment.maximum_percent,
            service_connect_configuration={
                "enabled": True,
                "namespace": args.namespace_arn,
                "services": connect_services,
            },
            # pulumi-aws's `ecs/service.py` docstring states that updating `capacity_provider_strategies`
            # requires `force_new_deployment = true`, so switching Fargate Spot on or off applies.
            force_new_deployment=True,
            enable_execute_command=False,
            propagate_tags="SERVICE",
            enable_ecs_managed_tags=True,
            wait_for_steady_state=True,
            tags=tags,
            # Autoscaling owns the desired count once the service exists.
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=ignore, depends_on=depends_on),
        )

