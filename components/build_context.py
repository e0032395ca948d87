"""Content hashing of a Docker build context, for image tags and the offline plan's digests."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path

from docker.utils.build import exclude_paths

from components.lifecycle import BUILD_TAG_PREFIX

# Every image this program builds is tagged `build-` plus the first 16 hex digits of a hash of its
# content hash and its builder. The lifecycle policy's build-tag rule selects that prefix.
BUILD_TAG_HEX_DIGITS = 16


def context_files(context: Path, dockerfile: str = "Dockerfile") -> list[str]:
    """List the files, relative to `context`, that Docker sends for a build, in sorted order.

    The selection is docker-py's implementation of `.dockerignore`, which keeps the Dockerfile
    and `.dockerignore` themselves, as Docker does.
    """
    ignore_file = context / ".dockerignore"
    patterns: list[str] = []
    if ignore_file.is_file():
        lines = ignore_file.read_text(encoding="utf-8").splitlines()
        patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    selected = exclude_paths(str(context), patterns, dockerfile=dockerfile)
    return sorted(path for path in selected if (context / path).is_file())


def build_inputs_hash(
    context: Path,
    *,
    dockerfile: str = "Dockerfile",
    build_args: Mapping[str, str] | None = None,
    platform: str,
) -> str:
    """Return the sha256 hex digest of everything that determines the built image.

    That is each sent file's path, mode and bytes, the Dockerfile's path, the build args and the
    target platform. Equal sources give equal hashes on any machine and in any directory.
    """
    digest = hashlib.sha256()

    def add(label: str, value: bytes) -> None:
        digest.update(label.encode() + b"\0" + len(value).to_bytes(8, "big") + value)

    add("platform", platform.encode())
    add("dockerfile", dockerfile.encode())
    for name, value in sorted((build_args or {}).items()):
        add(f"arg:{name}", value.encode())
    for relative in context_files(context, dockerfile):
        path = context / relative
        executable = os.access(path, os.X_OK)
        add(f"file:{Path(relative).as_posix()}:{'x' if executable else '-'}", path.read_bytes())
    return digest.hexdigest()


def build_tag(content_hash: str, *, builder: str, pulumi_docker_version: str | None = None) -> str:
    """Return the image tag for a build: content hash, pulumi-docker version and builder version.

    pulumi-docker rebuilds an image when its own hash of the build changes, and that hash also
    changes with a pulumi-docker upgrade or another `builder_version`. A rebuild produces a new
    digest, which an IMMUTABLE repository rejects under an existing tag, so both versions are part
    of the tag. `pulumi_docker_version` defaults to the installed pulumi-docker package.
    """
    if pulumi_docker_version is None:
        pulumi_docker_version = metadata.version("pulumi-docker")
    digest = hashlib.sha256()
    for part in (content_hash, pulumi_docker_version, builder):
        digest.update(part.encode() + b"\0")
    return BUILD_TAG_PREFIX + digest.hexdigest()[:BUILD_TAG_HEX_DIGITS]
