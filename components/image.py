"""Registry credentials and a service's image, built and pushed with pulumi-docker."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pulumi_aws as aws
import pulumi_docker as docker

from components.build_context import build_inputs_hash, build_tag


def registry_credentials() -> docker.RegistryArgs:
    """Fetch one ECR authorization token for the account's registry in the provider's Region.

    Every repository of one account and Region shares this registry, so one token serves all
    services. The token's password is marked secret, so state and the plan store it encrypted.
    """
    token = aws.ecr.get_authorization_token_output()
    return docker.RegistryArgs(
        # `proxy_endpoint` is `https://<account>.dkr.ecr.<region>.amazonaws.com`, and Docker wants
        # the bare host.
        server=token.proxy_endpoint.apply(lambda endpoint: endpoint.removeprefix("https://")),
        username=token.user_name,
        password=pulumi.Output.secret(token.password),
    )


def create_image(
    name: str,
    *,
    repository_url: pulumi.Input[str],
    root: Path,
    context: str,
    dockerfile: str,
    platform: str,
    registry: docker.RegistryArgs,
    parent: pulumi.Resource,
) -> docker.Image:
    """Build the service's image for `platform` and push it, tagged by its content hash.

    The tag changes when a file Docker sends for this context, the Dockerfile, the platform, the
    pulumi-docker version or the builder version changes. Editing one service does not rebuild or
    redeploy the others.
    """
    builder = docker.BuilderVersion.BUILDER_BUILD_KIT
    content_hash = build_inputs_hash(root / context, dockerfile=dockerfile, platform=platform)
    tag = build_tag(content_hash, builder=builder.value)
    return docker.Image(
        f"{name}-image",
        image_name=pulumi.Output.concat(repository_url, ":", tag),
        build=docker.DockerBuildArgs(
            context=context,
            dockerfile=f"{context}/{dockerfile}",
            platform=platform,
            builder_version=builder,
        ),
        registry=registry,
        opts=pulumi.ResourceOptions(parent=parent),
    )
