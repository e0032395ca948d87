"""The stack's typed configuration, validated in full before any resource is registered."""

from __future__ import annotations

import ipaddress
import re
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic.alias_generators import to_camel

from components import fargate
from components.lifecycle import LifecycleSettings

Environment = Literal["development", "production"]
Architecture = Literal["X86_64", "ARM64"]

# Values that CloudWatch Logs accepts for `retentionInDays` (PutRetentionPolicy, botocore's model).
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
                      2557, 2922, 3288, 3653)

# Endpoints a task in a private subnet with no NAT gateway needs to start: the ECR API and registry,
# S3 for image layers, and CloudWatch Logs for the awslogs driver.
PULL_ENDPOINTS = ("ecr.api", "ecr.dkr", "logs", "s3")
# Every endpoint this program can create. S3 is a gateway endpoint, the rest interface ones.
KNOWN_ENDPOINTS = (*PULL_ENDPOINTS, "secretsmanager")

ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")
# A complete secret ARN ends with a hyphen and six random characters, which IAM policies must match.
SECRET_ARN = re.compile(r"arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}")
CERTIFICATE_ARN = re.compile(r"arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/.+")
ACCOUNT_ID = re.compile(r"\d{12}")
TAG_FILTER = re.compile(r"[0-9a-zA-Z._*-]{1,128}")
# CreatePullThroughCacheRule's credentialArn pattern, from botocore's ECR model.
PULL_THROUGH_SECRET_ARN = re.compile(r"arn:aws(-\w+)*:secretsmanager:[a-zA-Z0-9-:]+:secret:ecr\-pullthroughcache/[a-zA-Z0-9/_+=.@-]+")
# Upstream registries and their URLs, from CreatePullThroughCacheRule in botocore's ECR model. The
# ECR User Guide lists which of them require a Secrets Manager secret.
UPSTREAM_REGISTRIES = {
    "ecr-public": "public.ecr.aws",
    "k8s": "registry.k8s.io",
    "quay": "quay.io",
    "docker-hub": "registry-1.docker.io",
    "github-container-registry": "ghcr.io",
    "gitlab-container-registry": "registry.gitlab.com",
}
AUTHENTICATED_UPSTREAMS = ("docker-hub", "github-container-registry", "gitlab-container-registry")
REGION = re.compile(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d")
PATH_PATTERN = re.compile(r"/[A-Za-z0-9_\-.$/~\"'@:+?*&]*")


class ConfigError(Exception):
    """Raised with every problem found in a stack's configuration, one message each."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


class FieldError(ValueError):
    """A problem found by a check across fields, reported at the key of `field` (camelCase, dotted)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=True,
        use_attribute_docstrings=True,
    )


class Autoscaling(_Model):
    """Target tracking on the service's average CPU, and on memory where a target is given."""

    min_count: int = Field(ge=1)
    """Minimum number of tasks autoscaling keeps running."""
    max_count: int = Field(ge=1, le=1000)
    """Maximum number of tasks autoscaling may run."""
    cpu_target_percent: int = Field(default=60, ge=10, le=90)
    """Average CPU utilisation, in percent, that target tracking holds."""
    memory_target_percent: Optional[int] = Field(default=None, ge=10, le=90)
    """Average memory utilisation, in percent, that a second policy holds. Off when unset."""

    @model_validator(mode="after")
    def _max_not_below_min(self) -> Autoscaling:
        if self.max_count < self.min_count:
            raise FieldError("maxCount", f"maxCount {self.max_count} is below minCount {self.min_count}. "
                             "Set maxCount to at least minCount.")
        return self


class SecretRef(_Model):
    """A Secrets Manager secret: an existing one by ARN, or one created from a secret config key."""

    arn: Optional[str] = None
    """ARN of an existing Secrets Manager secret."""
    config_key: Optional[str] = None
    """Secret stack config key whose value becomes a new Secrets Manager secret."""

    @model_validator(mode="after")
    def _exactly_one_source(self) -> SecretRef:
        if (self.arn is None) == (self.config_key is None):
            raise ValueError("give exactly one of arn (an existing secret) or configKey "
                             "(a key set with `pulumi config set --secret`).")
        if self.arn is not None and not SECRET_ARN.fullmatch(self.arn):
            raise FieldError("arn", f"{self.arn!r} is not a complete Secrets Manager secret ARN. Use the full "
                             "ARN, arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-XXXXXX, with the six "
                             "characters Secrets Manager appends.")
        return self


class ServiceConfig(_Model):
    """One service of the application: how to build it and how to run it."""

    name: str
    """Service name: lowercase words joined by hyphens. Used in the repository, task family and container names."""
    port: int = Field(ge=1, le=65535)
    """Container port the service listens on."""
    context: str
    """Docker build context, relative to Pulumi.yaml."""
    dockerfile: str = "Dockerfile"
    """Dockerfile path inside the build context."""
    cpu: int
    """Task CPU units: 256, 512, 1024, 2048, 4096, 8192 or 16384."""
    memory: int
    """Task memory in MiB. Must be a Fargate size for the chosen cpu."""
    desired_count: int = Field(default=1, ge=0, le=1000)
    """Tasks to run when autoscaling is off."""
    health_check_path: str = "/healthz"
    """Path the load balancer's target group checks."""
    health_check_command: str = Field(min_length=1)
    """Shell command for the container health check (`CMD-SHELL`). It must exist in the image."""
    public: bool = False
    """Whether the load balancer routes to this service."""
    path_patterns: tuple[str, ...] = ()
    """ALB path patterns routed to a public service, such as `/api/*`."""
    calls: tuple[str, ...] = ()
    """Services this one calls. Each gets `<NAME>_URL` in the environment and allows this service in."""
    environment: dict[str, str] = {}
    """Plain environment variables. Never put secrets here."""
    secrets: dict[str, SecretRef] = {}
    """Environment variables filled from Secrets Manager: `{arn: ...}` or `{configKey: ...}`."""
    autoscaling: Optional[Autoscaling] = None
    """Target-tracking autoscaling: minCount, maxCount, cpuTargetPercent, memoryTargetPercent."""

    @field_validator("name")
    @classmethod
    def _name_is_valid(cls, name: str) -> str:
        if not fargate.SERVICE_NAME.fullmatch(name) or len(name) > fargate.SERVICE_NAME_MAX:
            raise ValueError(f"{name!r} is not a valid service name. Use lowercase letters and digits "
                             f"in words joined by single hyphens, at most {fargate.SERVICE_NAME_MAX} "
                             "characters, so that ECR and ECS both accept it.")
        return name

    @field_validator("cpu")
    @classmethod
    def _cpu_is_fargate_size(cls, cpu: int) -> int:
        if cpu not in fargate.FARGATE_TASK_SIZES:
            allowed = ", ".join(str(value) for value in fargate.FARGATE_TASK_SIZES)
            raise ValueError(f"{cpu} is not a Fargate task cpu value. Allowed: {allowed}.")
        return cpu

    @field_validator("memory")
    @classmethod
    def _memory_fits_cpu(cls, memory: int, info: ValidationInfo) -> int:
        cpu = info.data.get("cpu")
        if cpu is not None and memory not in fargate.FARGATE_TASK_SIZES[cpu]:
            raise ValueError(f"{memory} MiB is not offered by Fargate with cpu {cpu}. "
                             f"Allowed memory for cpu {cpu}: {fargate.memory_choices(cpu)}.")
        return memory

    @field_validator("health_check_path")
    @classmethod
    def _path_is_absolute(cls, path: str) -> str:
        if not path.startswith("/") or len(path) > 1024:
            raise ValueError(f"{path!r} must start with '/' and be at most 1024 characters.")
        return path

    @field_validator("path_patterns")
    @classmethod
    def _patterns_are_paths(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        # ELB guide, "Condition types for listener rules": up to three values per condition.
        if len(patterns) > 3:
            raise ValueError(f"{len(patterns)} patterns given, but one ALB rule condition takes at most 3.")
        for pattern in patterns:
            # An ALB path pattern is at most 128 characters (ELBv2 PathPatternConditionConfig).
            if not PATH_PATTERN.fullmatch(pattern) or len(pattern) > 128:
                raise ValueError(f"{pattern!r} is not an ALB path pattern. Start with '/' and use at "
                                 "most 128 characters of letters, digits and -_.$/~\"'@:+?*&.")
        return patterns

    @field_validator("environment", "secrets")
    @classmethod
    def _env_names_are_valid(cls, values: dict[str, Any]) -> dict[str, Any]:
        for key in values:
            if not ENV_NAME.fullmatch(key):
                raise ValueError(f"{key!r} is not a valid environment variable name. Use uppercase "
                                 "letters, digits and underscores, not starting with a digit.")
        return values

    @field_validator("context")
    @classmethod
    def _context_is_relative(cls, context: str, info: ValidationInfo) -> str:
        if Path(context).is_absolute() or ".." in Path(context).parts:
            raise ValueError(f"{context!r} must be a path inside the project, relative to Pulumi.yaml.")
        return context

    @field_validator("dockerfile")
    @classmethod
    def _dockerfile_is_inside_context(cls, dockerfile: str) -> str:
        if Path(dockerfile).is_absolute() or ".." in Path(dockerfile).parts:
            raise ValueError("the Dockerfile must be inside the build context, given relative to it, so "
                             "that its changes are part of the content hash.")
        return dockerfile

    @field_validator("health_check_command")
    @classmethod
    def _command_is_not_blank(cls, command: str) -> str:
        if not command.strip():
            raise ValueError("the command is blank, so the check would always pass. Give a command that "
                             "fails when the service is unhealthy.")
        return command

    @model_validator(mode="after")
    def _dockerfile_exists(self, info: ValidationInfo) -> ServiceConfig:
        root = (info.context or {}).get("root")
        if root is not None:
            dockerfile = Path(root) / self.context / self.dockerfile
            if not dockerfile.is_file():
                raise FieldError("context", f"build context {self.context!r} has no {self.dockerfile}. "
                                 f"Expected a file at {dockerfile}.")
        return self

    @model_validator(mode="after")
    def _public_has_routes(self) -> ServiceConfig:
        if self.public and not self.path_patterns:
            raise FieldError("pathPatterns", "a public service needs pathPatterns, for example ['/api/*'], so the "
                             "load balancer can route to it.")
        if not self.public and self.path_patterns:
            raise FieldError("pathPatterns", "pathPatterns is set on an internal service. Set public: true or "
                             "remove pathPatterns.")
        return self


class EcrSettings(_Model):
    """Repository settings that apply to every service's repository in the stack."""

    force_delete: bool = False
    """Let `pulumi destroy` delete repositories that still hold images."""
    image_tag_mutability: Literal["MUTABLE", "IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION"] = "IMMUTABLE"
    """ECR tag mutability. The *_WITH_EXCLUSION values need tagMutabilityExclusions."""
    tag_mutability_exclusions: tuple[str, ...] = ()
    """Wildcard tag filters exempt from the mutability setting, such as `latest` or `dev-*`."""
    scan_on_push: bool = True
    """ECR basic scanning of each pushed image."""
    encryption: Literal["AES256", "KMS"] = "AES256"
    """AES256, or KMS with a customer managed key (rotation on) that the stack creates."""
    pull_accounts: tuple[str, ...] = ()
    """AWS account IDs allowed to pull (and only pull) from the repositories."""
    lifecycle: Optional[LifecycleSettings] = None
    """Lifecycle rules. Unset means the defaults for the environment."""

    @field_validator("tag_mutability_exclusions")
    @classmethod
    def _exclusions_are_filters(cls, filters: tuple[str, ...]) -> tuple[str, ...]:
        # ImageTagMutabilityExclusionFilters: 1 to 5 filters of `[0-9a-zA-Z._*-]{1,128}` (botocore's ECR model).
        if len(filters) > 5:
            raise ValueError(f"{len(filters)} filters given, but ECR allows at most 5.")
        for tag_filter in filters:
            if not TAG_FILTER.fullmatch(tag_filter):
                raise ValueError(f"{tag_filter!r} is not a tag filter. Use 1 to 128 of letters, digits and ._*-")
        return filters

    @field_validator("pull_accounts")
    @classmethod
    def _accounts_are_ids(cls, accounts: tuple[str, ...]) -> tuple[str, ...]:
        for account in accounts:
            if not ACCOUNT_ID.fullmatch(account):
                raise ValueError(f"{account!r} is not an AWS account ID. Use 12 digits, quoted in YAML.")
        return accounts

    @model_validator(mode="after")
    def _exclusions_match_mutability(self) -> EcrSettings:
        with_exclusion = self.image_tag_mutability.endswith("_WITH_EXCLUSION")
        if with_exclusion and not self.tag_mutability_exclusions:
            raise FieldError("tagMutabilityExclusions", f"imageTagMutability {self.image_tag_mutability} needs tagMutabilityExclusions, "
                             "1 to 5 wildcard tag filters.")
        if not with_exclusion and self.tag_mutability_exclusions:
            raise FieldError("tagMutabilityExclusions", f"tagMutabilityExclusions is set, but imageTagMutability is {self.image_tag_mutability}. "
                             "Use IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION, or remove the exclusions.")
        return self


class ReplicationDestination(_Model):
    """A Region, and optionally another account, that ECR copies the stack's images to."""

    region: str
    """Destination AWS Region."""
    registry_id: Optional[str] = None
    """Destination account ID. Unset means this account."""

    @field_validator("region")
    @classmethod
    def _region_is_valid(cls, region: str) -> str:
        if not REGION.fullmatch(region):
            raise ValueError(f"{region!r} is not an AWS Region code such as eu-west-1.")
        return region

    @field_validator("registry_id")
    @classmethod
    def _registry_is_account(cls, registry: Optional[str]) -> Optional[str]:
        if registry is not None and not ACCOUNT_ID.fullmatch(registry):
            raise ValueError(f"{registry!r} is not an AWS account ID. Use 12 digits, quoted in YAML.")
        return registry


class PullThroughCacheRule(_Model):
    """A pull through cache rule that mirrors a public registry under a repository prefix."""

    prefix: str
    """Repository prefix in this registry, such as `ecr-public` or `docker-hub`."""
    upstream: Literal[tuple(UPSTREAM_REGISTRIES)]  # type: ignore[valid-type]
    """Upstream registry, as ECR names it."""
    credential_arn: Optional[str] = None
    """Secrets Manager secret named `ecr-pullthroughcache/...` with the upstream credentials."""

    @field_validator("prefix")
    @classmethod
    def _prefix_is_valid(cls, prefix: str) -> str:
        # PullThroughCacheRuleRepositoryPrefix: 2 to 30 characters (botocore's ECR model).
        if not 2 <= len(prefix) <= 30 or not fargate.ECR_REPOSITORY_NAME.fullmatch(prefix):
            raise ValueError(f"{prefix!r} is not a repository prefix. Use 2 to 30 lowercase letters, digits "
                             "and . _ - / as in repository names.")
        return prefix

    @model_validator(mode="after")
    def _credentials_match_upstream(self) -> PullThroughCacheRule:
        needs = self.upstream in AUTHENTICATED_UPSTREAMS
        if needs and self.credential_arn is None:
            raise FieldError("credentialArn", f"upstream {self.upstream} requires credentialArn, the ARN of a Secrets Manager "
                             "secret whose name starts with ecr-pullthroughcache/.")
        if not needs and self.credential_arn is not None:
            raise FieldError("credentialArn", f"upstream {self.upstream} takes no credentials. Remove credentialArn.")
        if self.credential_arn is not None and not PULL_THROUGH_SECRET_ARN.fullmatch(self.credential_arn):
            raise FieldError("credentialArn", f"{self.credential_arn!r} is not a Secrets Manager secret ARN whose name starts "
                             "with ecr-pullthroughcache/.")
        return self


class RegistrySettings(_Model):
    """Settings of the account's registry in this Region, shared by every repository in it.

    NOTE: ECR keeps one scanning and one replication configuration per account and Region, so only
    one stack per account and Region should set these, or the stacks overwrite each other.
    """

    enhanced_scanning: Literal["off", "scan-on-push", "continuous"] = "off"
    """Amazon Inspector scanning of every repository of the project: off, scan-on-push or continuous."""
    replication: tuple[ReplicationDestination, ...] = ()
    """Destinations ECR replicates the stack's repositories to."""
    pull_through_cache: tuple[PullThroughCacheRule, ...] = ()
    """Pull through cache rules for public base images."""


class ExistingVpc(_Model):
    """A VPC and subnets made outside this program, used in place of the VPC it would build."""

    vpc_id: str
    """ID of the existing VPC."""
    public_subnet_ids: tuple[str, ...] = Field(min_length=2)
    """Public subnets in at least two Availability Zones, for the load balancer and public tasks."""
    private_subnet_ids: tuple[str, ...] = ()
    """Private subnets for tasks and interface endpoints."""
    private_route_table_ids: tuple[str, ...] = ()
    """Route tables of the private subnets, for the S3 gateway endpoint."""

    @field_validator("vpc_id")
    @classmethod
    def _vpc_id_is_valid(cls, vpc_id: str) -> str:
        if not re.fullmatch(r"vpc-[0-9a-f]{8}([0-9a-f]{9})?", vpc_id):
            raise ValueError(f"{vpc_id!r} is not a VPC ID such as vpc-0123456789abcdef0.")
        return vpc_id

    @field_validator("public_subnet_ids", "private_subnet_ids", "private_route_table_ids")
    @classmethod
    def _ids_are_valid(cls, ids: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        prefix = "rtb" if info.field_name == "private_route_table_ids" else "subnet"
        for resource_id in ids:
            if not re.fullmatch(rf"{prefix}-[0-9a-f]{{8}}([0-9a-f]{{9}})?", resource_id):
                raise ValueError(f"{resource_id!r} is not an ID such as {prefix}-0123456789abcdef0.")
        if len(set(ids)) != len(ids):
            raise ValueError("the list repeats an ID. List each one once.")
        return ids


class NetworkSettings(_Model):
    """The VPC the program builds or reuses, and where tasks run in it."""

    cidr_block: str = "10.0.0.0/16"
    """IPv4 block of the VPC: /16 to /20 for a VPC the program builds, or the existing VPC's block."""
    availability_zones: int = Field(default=2, ge=2, le=6)
    """Availability Zones to spread subnets over."""
    task_subnets: Literal["public", "private"] = "public"
    """Subnet tier for tasks: public (with public IPs) or private."""
    nat_gateways: Literal["none", "one-per-az", "existing"] = "none"
    """NAT for private subnets: none, one-per-az (built here) or existing (an existing VPC's own)."""
    vpc_endpoints: tuple[str, ...] = ()
    """VPC endpoints to create: ecr.api, ecr.dkr, logs, s3, secretsmanager."""
    existing: Optional[ExistingVpc] = None
    """An existing VPC to use instead of building one: vpcId, publicSubnetIds, privateSubnetIds, privateRouteTableIds."""

    @field_validator("cidr_block")
    @classmethod
    def _cidr_is_valid(cls, cidr: str) -> str:
        try:
            network = ipaddress.IPv4Network(cidr)
        except ValueError:
            raise ValueError(f"{cidr!r} is not an IPv4 CIDR block such as 10.0.0.0/16.") from None
        # A VPC's IPv4 block is /16 to /28 (Amazon VPC User Guide, "VPC CIDR blocks").
        if not 16 <= network.prefixlen <= 28:
            raise ValueError(f"{cidr!r} has prefix length /{network.prefixlen}. A VPC takes /16 to /28.")
        return cidr

    @field_validator("vpc_endpoints")
    @classmethod
    def _endpoints_are_known(cls, endpoints: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [endpoint for endpoint in endpoints if endpoint not in KNOWN_ENDPOINTS]
        if unknown:
            raise ValueError(f"unknown endpoints {unknown}. Allowed: {', '.join(KNOWN_ENDPOINTS)}.")
        return endpoints

    @model_validator(mode="after")
    def _fits_the_vpc(self) -> NetworkSettings:
        existing = self.existing
        if existing is None:
            # The program carves 2 x 6 subnets of 1/16 of the block each, so it needs /20 or larger.
            if ipaddress.IPv4Network(self.cidr_block).prefixlen > 20:
                raise FieldError("cidrBlock", f"cidrBlock {self.cidr_block} is too small for the VPC this program builds. "
                                 "Use /16 to /20.")
            if self.nat_gateways == "existing":
                raise FieldError("natGateways", "natGateways 'existing' needs an existing VPC. Set existing, or use "
                                 "'none' or 'one-per-az'.")
            return self
        if "cidr_block" not in self.model_fields_set:
            raise FieldError("cidrBlock", "an existing VPC needs cidrBlock set to that VPC's IPv4 block, which the "
                             "security group rules use.")
        if self.nat_gateways == "one-per-az":
            raise FieldError("natGateways", "the program does not add NAT gateways to an existing VPC. Use natGateways "
                             "'existing' if its private subnets already route through NAT, or 'none'.")
        if self.task_subnets == "private" and len(existing.private_subnet_ids) < 2:
            raise FieldError("existing.privateSubnetIds", "taskSubnets 'private' with an existing VPC needs at least two "
                             "existing.privateSubnetIds.")
        if "s3" in self.vpc_endpoints and not existing.private_route_table_ids:
            raise FieldError("existing.privateRouteTableIds", "the s3 gateway endpoint needs existing.privateRouteTableIds, the route "
                             "tables of the private subnets.")
        return self


class LoadBalancerSettings(_Model):
    """The stack's Application Load Balancer."""

    certificate_arn: Optional[str] = None
    """ACM certificate for HTTPS. Without one the load balancer serves HTTP only."""
    # NOTE: AWS lists this as a TLS 1.3 policy for ALB HTTPS listeners. It is not validated here
    # against a live account; ELBv2 rejects an unknown name when the listener is created.
    ssl_policy: str = "ELBSecurityPolicy-TLS13-1-2-2021-06"
    """TLS policy of the HTTPS listener."""

    @field_validator("certificate_arn")
    @classmethod
    def _certificate_is_acm_arn(cls, arn: Optional[str]) -> Optional[str]:
        if arn is not None and not CERTIFICATE_ARN.fullmatch(arn):
            raise ValueError(f"{arn!r} is not an ACM certificate ARN "
                             "(arn:aws:acm:REGION:ACCOUNT:certificate/ID).")
        return arn


class DeploymentSettings(_Model):
    """ECS rolling-deployment bounds, as percentages of the desired count."""

    minimum_healthy_percent: int = Field(default=100, ge=0, le=100)
    """Lowest share of desired tasks kept running during a deployment."""
    maximum_percent: int = Field(default=200, ge=100, le=200)
    """Highest share of desired tasks running during a deployment."""
    log_retention_days: int = 30
    """CloudWatch Logs retention in days, one of the values CloudWatch accepts."""
    container_insights: bool = False
    """CloudWatch Container Insights on the cluster."""
    fargate_spot: bool = False
    """Run tasks on Fargate Spot capacity."""

    @model_validator(mode="after")
    def _deployment_can_progress(self) -> DeploymentSettings:
        # With both at 100, ECS can neither start a replacement task first nor stop an old one first.
        if self.maximum_percent <= self.minimum_healthy_percent:
            raise FieldError("maximumPercent", f"maximumPercent {self.maximum_percent} must be above minimumHealthyPercent "
                             f"{self.minimum_healthy_percent}, or a rolling deployment cannot replace tasks.")
        return self

    @field_validator("log_retention_days")
    @classmethod
    def _retention_is_allowed(cls, days: int) -> int:
        if days not in LOG_RETENTION_DAYS:
            allowed = ", ".join(str(value) for value in LOG_RETENTION_DAYS)
            raise ValueError(f"{days} is not a CloudWatch Logs retention. Allowed days: {allowed}.")
        return days


class StackConfig(_Model):
    """Everything the program reads from `Pulumi.<stack>.yaml`."""

    project: str
    stack: str
    region: str
    """AWS Region, from `aws:region`."""
    environment: Environment
    """development or production: picks lifecycle defaults and protection."""
    architecture: Architecture = "X86_64"
    """CPU architecture of tasks and images: X86_64 or ARM64."""
    ecr: EcrSettings = EcrSettings()
    """Repository settings."""
    registry: RegistrySettings = RegistrySettings()
    """Registry-wide settings: enhanced scanning, replication, pull through cache."""
    network: NetworkSettings = NetworkSettings()
    """VPC settings."""
    load_balancer: LoadBalancerSettings = LoadBalancerSettings()
    """Load balancer settings."""
    deployment: DeploymentSettings = DeploymentSettings()
    """Deployment, logging and capacity settings."""
    services: tuple[ServiceConfig, ...] = Field(min_length=1)
    """The services to build and run."""

    @field_validator("region")
    @classmethod
    def _region_is_valid(cls, region: str) -> str:
        if not REGION.fullmatch(region):
            raise ValueError(f"{region!r} is not an AWS Region code such as ap-south-1.")
        return region

    @property
    def protected(self) -> bool:
        """Whether stateful resources get Pulumi's `protect` option."""
        return self.environment == "production"

    def service(self, name: str) -> ServiceConfig:
        return next(service for service in self.services if service.name == name)

    def creation_order(self) -> list[ServiceConfig]:
        """Order services so that each comes after every service it calls.

        The loader has already rejected cycles in `calls`.
        """
        graph = {service.name: service.calls for service in self.services}
        return [self.service(name) for name in TopologicalSorter(graph).static_order()]

    def listener_priorities(self) -> dict[str, int]:
        """Assign ALB listener-rule priorities: more specific paths first, a bare `/*` last."""
        public = [service for service in self.services if service.public]

        def specificity(service: ServiceConfig) -> tuple[bool, int, str]:
            catch_all = any(pattern in ("/*", "*") for pattern in service.path_patterns)
            longest = max(len(pattern) for pattern in service.path_patterns)
            return (catch_all, -longest, service.name)

        return {service.name: 10 * (rank + 1) for rank, service in enumerate(sorted(public, key=specificity))}
