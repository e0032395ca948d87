"""A service's private ECR repository and its lifecycle policy."""

from __future__ import annotations

import json
from typing import Optional

import pulumi
import pulumi_aws as aws

from components.config import EcrSettings, StackConfig
from components.lifecycle import build_policy, check_build_tags_covered, defaults_for, render_policy, validate_policy


def lifecycle_policy_text(config: StackConfig) -> tuple[str, list[str]]:
    """Render the stack's lifecycle policy, and return it with the validator's warnings.

    Errors cannot occur here, because the config model rejects settings that build an invalid policy.
    """
    settings = config.ecr.lifecycle or defaults_for(config.environment)
    policy = build_policy(settings)
    violations = validate_policy(policy) + check_build_tags_covered(policy)
    warnings = [violation.message for violation in violations if violation.severity == "warning"]
    return render_policy(policy), warnings


PULL_ACTIONS = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]


def pull_policy(accounts: tuple[str, ...]) -> str:
    """Return a repository policy that lets `accounts` pull images and do nothing else."""
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "CrossAccountPull",
            "Effect": "Allow",
            "Principal": {"AWS": [f"arn:aws:iam::{account}:root" for account in sorted(accounts)]},
            "Action": PULL_ACTIONS,
        }],
    }, sort_keys=True)


def create_repository(
    name: str,
    *,
    repository_name: str,
    settings: EcrSettings,
    kms_key_arn: Optional[pulumi.Input[str]],
    lifecycle_policy: str,
    protect: bool,
    tags: dict[str, str],
    parent: pulumi.Resource,
) -> aws.ecr.Repository:
    """Create the repository, its one lifecycle policy and any cross-account pull policy."""
    encryption: dict = {"encryption_type": "AES256"}
    if settings.encryption == "KMS":
        encryption = {"encryption_type": "KMS", "kms_key": kms_key_arn}
    repository = aws.ecr.Repository(
        f"{name}-repository",
        name=repository_name,
        image_tag_mutability=settings.image_tag_mutability,
        image_tag_mutability_exclusion_filters=[
            {"filter": tag_filter, "filter_type": "WILDCARD"} for tag_filter in settings.tag_mutability_exclusions
        ],
        image_scanning_configuration={"scan_on_push": settings.scan_on_push},
        encryption_configurations=[encryption],
        force_delete=settings.force_delete,
        tags=tags,
        # `protect` makes Pulumi refuse to delete the repository, and with it the images that
        # running tasks and rollbacks pull, until the option is removed on purpose. The name is
        # fixed, so a replacement created before the old repository is deleted would clash with it.
        opts=pulumi.ResourceOptions(parent=parent, protect=protect, delete_before_replace=True),
    )
    aws.ecr.LifecyclePolicy(
        f"{name}-lifecycle-policy",
        repository=repository.name,
        policy=lifecycle_policy,
        opts=pulumi.ResourceOptions(parent=parent),
    )
    if settings.pull_accounts:
        aws.ecr.RepositoryPolicy(
            f"{name}-pull-policy",
            repository=repository.name,
            policy=pull_policy(settings.pull_accounts),
            opts=pulumi.ResourceOptions(parent=parent),
        )
    return repository
