"""The stack's share of the account's ECR registry: encryption key, scanning, replication, caches."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from components.config import UPSTREAM_REGISTRIES, EcrSettings, RegistrySettings

SCAN_FREQUENCIES = {"scan-on-push": "SCAN_ON_PUSH", "continuous": "CONTINUOUS_SCAN"}


@dataclass(frozen=True)
class RegistryArgs:
    """Inputs of a `Registry`. `repository_prefix` is the stack's `<project>/<stack>` namespace.

    `project` is the project name, whose repositories of every stack the scanning rule covers.
    Left unset, it is the first segment of `repository_prefix`.
    """

    ecr: EcrSettings
    settings: RegistrySettings
    repository_prefix: str
    protect: bool
    tags: dict[str, str]
    project: Optional[str] = None

    @property
    def project_prefix(self) -> str:
        """The `<project>` namespace that every stack's repositories share."""
        return self.project or self.repository_prefix.split("/", 1)[0]


class Registry(pulumi.ComponentResource):
    """Registry-level settings: the stack's key, replication and caches, and the project's scanning."""

    def __init__(self, name: str, args: RegistryArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("storefront:index:Registry", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        settings = args.settings

        self.kms_key_arn: Optional[pulumi.Output[str]] = None
        if args.ecr.encryption == "KMS":
            key = aws.kms.Key(
                f"{name}-ecr-key",
                description=f"Encrypts the images in the {args.repository_prefix}/ repositories",
                enable_key_rotation=True,
                deletion_window_in_days=30,
                tags=args.tags,
                # Deleting the key makes every image encrypted with it unreadable.
                opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
            )
            aws.kms.Alias(
                f"{name}-ecr-key-alias",
                name=f"alias/{args.repository_prefix.replace('/', '-')}-ecr",
                target_key_id=key.key_id,
                opts=child,
            )
            self.kms_key_arn = key.arn

        if settings.enhanced_scanning != "off":
            # ECR keeps one scanning configuration per registry, and with enhanced scanning a
            # repository that matches no filter is not scanned at all ("Filters to choose which
            # repositories are scanned in Amazon ECR", ECR User Guide). The one stack that sets
            # this must therefore cover the repositories of every stack of the project.
            aws.ecr.RegistryScanningConfiguration(
                f"{name}-scanning",
                scan_type="ENHANCED",
                rules=[{
                    "scan_frequency": SCAN_FREQUENCIES[settings.enhanced_scanning],
                    "repository_filters": [{"filter": f"{args.project_prefix}/*", "filter_type": "WILDCARD"}],
                }],
                opts=child,
            )

        if settings.replication:
            account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
            aws.ecr.ReplicationConfiguration(
                f"{name}-replication",
                replication_configuration={"rules": [{
                    "destinations": [
                        {"region": destination.region, "registry_id": destination.registry_id or account}
                        for destination in settings.replication
                    ],
                    "repository_filters": [{"filter": f"{args.repository_prefix}/", "filter_type": "PREFIX_MATCH"}],
                }]},
                opts=child,
            )

        for rule in settings.pull_through_cache:
            aws.ecr.PullThroughCacheRule(
                f"{name}-cache-{rule.prefix.replace('/', '-')}",
                ecr_repository_prefix=rule.prefix,
                upstream_registry_url=UPSTREAM_REGISTRIES[rule.upstream],
                credential_arn=rule.credential_arn,
                opts=child,
            )

        self.register_outputs({"kmsKeyArn": self.kms_key_arn})
