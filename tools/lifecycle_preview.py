"""Preview offline which images an ECR lifecycle policy would expire or archive.

Run from the repository root:

    python -m tools.lifecycle_preview --policy policy.json --images images.json [--now 2025-06-01T00:00:00Z]
    python -m tools.lifecycle_preview --stack dev --service order-service --images images.json

`--images` takes the output of `aws ecr describe-images`, or its `imageDetails` list. The policy
is validated first, and each problem goes to stderr as one line. With an error the status is 2.
Otherwise the preview goes to stdout as JSON in the shape of GetLifecyclePolicyPreview's output,
and the status is 0. An unreadable input file also gives status 2, with one line on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Optional

from components.lifecycle import (
    InvalidImageDataError,
    check_build_tags_covered,
    preview,
    validate_policy,
)

EXIT_OK = 0
EXIT_INVALID = 2


class InputError(Exception):
    """An input that cannot be used, reported as one line on stderr with exit status 2."""


def main(argv: Optional[list[str]] = None) -> int:
    """Run the preview with command-line arguments `argv` and return the exit status."""
    parser = _argument_parser()
    args = parser.parse_args(argv)
    if args.stack is not None and args.service is None:
        parser.error("--stack needs --service NAME")
    if args.policy is not None and args.service is not None:
        parser.error("--service works only with --stack")
    try:
        policy = (
            _policy_from_stack(args.stack, args.service) if args.stack else _policy_from_file(args.policy)
        )
        images = _images_from_file(args.images)
        now = _parse_now(args.now)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INVALID

    violations = validate_policy(policy) + check_build_tags_covered(policy)
    for violation in violations:
        print(f"{violation.severity}: {violation.message}", file=sys.stderr)
    if any(violation.severity == "error" for violation in violations):
        return EXIT_INVALID
    try:
        result = preview(policy, images, now)
    except InvalidImageDataError as error:
        print(f"error: {args.images}: {error}", file=sys.stderr)
        return EXIT_INVALID
    print(json.dumps(result, sort_keys=True, indent=2))
    return EXIT_OK


def _argument_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tools.lifecycle_preview",
        description="Validate an ECR lifecycle policy and preview offline which images it would expire "
        "or archive. Exits 0 after printing the preview, 2 for an invalid policy or input.",
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--policy", metavar="FILE", help="lifecycle policy JSON file")
    source.add_argument(
        "--stack",
        metavar="STACK",
        help="Pulumi stack whose configured policy to preview, together with --service",
    )
    parser.add_argument(
        "--service", metavar="NAME", help="service of --stack whose repository policy to preview"
    )
    parser.add_argument(
        "--images",
        metavar="FILE",
        required=True,
        help="JSON output of `aws ecr describe-images`, or its imageDetails list",
    )
    parser.add_argument(
        "--now",
        metavar="ISO-8601",
        help="time to evaluate the policy at, such as 2025-06-01T00:00:00Z. A time without a zone is "
        "taken as UTC. Default: the current time",
    )
    return parser


def _policy_from_file(path: str) -> Any:
    policy = _read_json(path, "policy")
    # `aws ecr get-lifecycle-policy` prints the policy as a string inside its output.
    if isinstance(policy, dict) and isinstance(policy.get("lifecyclePolicyText"), str):
        policy = _parse_json(policy["lifecyclePolicyText"], f"{path} lifecyclePolicyText")
    return policy


def _policy_from_stack(stack: str, service: str) -> Any:
    try:
        from plan.policies import rendered_policy_for
    except ImportError as error:
        raise InputError(
            "--stack and --service need the Pulumi program's config loader "
            f"(plan.policies.rendered_policy_for), which could not be imported: {error}. "
            "Use --policy FILE instead."
        ) from None
    # The loader belongs to the Pulumi program and raises its own error types for a bad stack
    # or service, so any exception from it is reported as one line.
    try:
        text = rendered_policy_for(stack, service)
    except Exception as error:
        detail = " ".join(str(error).split())
        raise InputError(
            f"failed to load the lifecycle policy of service {service!r} in stack {stack!r}: {detail}"
        ) from None
    return _parse_json(text, f"the policy of service {service!r} in stack {stack!r}")


def _images_from_file(path: str) -> Any:
    data = _read_json(path, "images")
    if isinstance(data, dict):
        if not isinstance(data.get("imageDetails"), list):
            raise InputError(
                f"images file {path} is a JSON object without an imageDetails list. "
                "Pass the output of `aws ecr describe-images` or a list of imageDetails."
            )
        return data["imageDetails"]
    if not isinstance(data, list):
        raise InputError(
            f"images file {path} must contain a JSON list or the describe-images output, "
            f"got a JSON {type(data).__name__}."
        )
    return data


def _read_json(path: str, kind: str) -> Any:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise InputError(f"failed to read {kind} file {path}: {reason}.") from None
    return _parse_json(text, f"{kind} file {path}")


def _parse_json(text: str, origin: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            f"{origin} is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}."
        ) from None


def _parse_now(value: Optional[str]) -> datetime:
    if value is None:
        return datetime.now(timezone.utc)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"--now {value!r} is not an ISO-8601 time. Use a time such as 2025-06-01T00:00:00Z."
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


if __name__ == "__main__":
    sys.exit(main())
