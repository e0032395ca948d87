"""Property tests of the offline preview over random push histories."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.lifecycle import (
    LifecycleSettings,
    TagRule,
    build_policy,
    defaults_for,
    preview,
    validate_policy,
)

NOW = datetime(2025, 6, 1, tzinfo=timezone.utc)
MAX_AGE_SECONDS = 400 * 86400
OTHER_TAG_STEMS = ("latest", "v1", "prod", "release", "buildx", "build", "nightly", "pr")


def as_time(seconds_ago: int, epoch: bool) -> Any:
    moment = NOW - timedelta(seconds=seconds_ago)
    return moment.timestamp() if epoch else moment.isoformat()


@st.composite
def push_histories(draw: st.DrawFn, with_archived: bool = False) -> list[dict[str, Any]]:
    """Draw DescribeImages imageDetails with distinct push times.

    Each image is untagged or carries up to three tags, mixing `build-<16 hex>` tags with
    other tags (some of which, like `buildx-…`, only resemble the build scheme). Every tag is
    unique in the repository, as ECR requires.
    """
    count = draw(st.integers(min_value=0, max_value=40))
    ages = draw(st.lists(st.integers(0, MAX_AGE_SECONDS), min_size=count, max_size=count, unique=True))
    images = []
    for index, age in enumerate(ages):
        tags = []
        for slot, kind in enumerate(draw(st.lists(st.sampled_from(["build", "other"]), max_size=3))):
            if kind == "build":
                random_hex = draw(st.integers(0, 0xFFFFFF))
                tags.append(f"build-{index:08x}{slot:02x}{random_hex:06x}")
            else:
                tags.append(f"{draw(st.sampled_from(OTHER_TAG_STEMS))}-{index}-{slot}")
        detail: dict[str, Any] = {
            "imageDigest": f"sha256:{index:064x}",
            "imagePushedAt": as_time(age, epoch=draw(st.booleans())),
        }
        if tags:
            detail["imageTags"] = tags
        if draw(st.booleans()):
            detail["lastRecordedPullTime"] = as_time(draw(st.integers(0, age)), epoch=False)
        if with_archived and draw(st.integers(0, 4)) == 0:
            detail["imageStatus"] = "ARCHIVED"
            detail["lastArchivedAt"] = as_time(draw(st.integers(0, age)), epoch=False)
        images.append(detail)
    return images


def push_time(detail: dict[str, Any]) -> datetime:
    value = detail["imagePushedAt"]
    if isinstance(value, float):
        return datetime.fromtimestamp(value, tz=timezone.utc)
    return datetime.fromisoformat(value)


def newest_build_tagged(images: list[dict[str, Any]], count: int) -> set[str]:
    """Return the digests of the newest `count` images that carry a tag starting with `build-`."""
    build_tagged = [
        detail for detail in images if any(tag.startswith("build-") for tag in detail.get("imageTags", []))
    ]
    build_tagged.sort(key=push_time, reverse=True)
    return {detail["imageDigest"] for detail in build_tagged[:count]}


def acted_on(policy: dict[str, Any], images: list[dict[str, Any]]) -> set[str]:
    return {entry["imageDigest"] for entry in preview(policy, images, NOW)["previewResults"]}


@st.composite
def custom_settings(draw: st.DrawFn) -> LifecycleSettings:
    """Draw lifecycle settings with extra tag rules for tags other than the build tags."""
    stems = draw(
        st.lists(
            st.sampled_from(["v", "prod", "release", "nightly", "pr", "buildx"]), unique=True, max_size=4
        )
    )
    tag_rules = []
    for stem in stems:
        criterion = draw(st.sampled_from(["keepNewest", "daysSincePush", "daysSincePull"]))
        rule: dict[str, Any] = {criterion: draw(st.integers(1, 60))}
        if criterion == "daysSincePull" or draw(st.booleans()):
            rule["action"] = "transition"
        if draw(st.booleans()):
            rule["tagPatternList"] = [stem + "*"]
        else:
            rule["tagPrefixList"] = [stem]
        tag_rules.append(TagRule.model_validate(rule))
    return LifecycleSettings(
        untagged_expire_days=draw(st.none() | st.integers(1, 30)),
        rollback_window=draw(st.integers(1, 15)),
        tag_rules=tuple(tag_rules),
        keep_newest_any=draw(st.integers(1, 40)),
        archive_expire_days=draw(st.none() | st.integers(90, 400)),
    )


@st.composite
def random_policies(draw: st.DrawFn) -> dict[str, Any]:
    """Draw valid lifecycle policies mixing every rule kind, with non-sequential priorities."""
    rules: list[tuple[dict[str, Any], dict[str, Any]]] = []
    if draw(st.booleans()):
        rules.append((count_or_age(draw, {"tagStatus": "untagged"}), {"type": "expire"}))
    stems = draw(
        st.lists(st.sampled_from(["build-", "v", "prod", "release", "b", "pr"]), unique=True, max_size=4)
    )
    for stem in stems:
        tags = {"tagPatternList": [stem + "*"]} if draw(st.booleans()) else {"tagPrefixList": [stem]}
        action = draw(
            st.sampled_from([{"type": "expire"}, {"type": "transition", "targetStorageClass": "archive"}])
        )
        rules.append((count_or_age(draw, {"tagStatus": "tagged", **tags}), action))
    if draw(st.booleans()):
        rules.append((count_or_age(draw, {"tagStatus": "any"}), {"type": "expire"}))
    if draw(st.booleans()):
        selection = {
            "tagStatus": "any",
            "storageClass": "archive",
            "countType": "sinceImageTransitioned",
            "countUnit": "days",
            "countNumber": draw(st.integers(90, 300)),
        }
        rules.append((selection, {"type": "expire"}))
    if not rules:
        rules.append((count_or_age(draw, {"tagStatus": "any"}), {"type": "expire"}))
    priorities = sorted(
        draw(st.lists(st.integers(1, 1000), min_size=len(rules), max_size=len(rules), unique=True))
    )
    return {
        "rules": [
            {"rulePriority": priority, "selection": selection, "action": action}
            for priority, (selection, action) in zip(priorities, rules)
        ]
    }


def count_or_age(draw: st.DrawFn, selection: dict[str, Any]) -> dict[str, Any]:
    if draw(st.booleans()):
        return {**selection, "countType": "imageCountMoreThan", "countNumber": draw(st.integers(1, 20))}
    return {
        **selection,
        "countType": "sinceImagePushed",
        "countUnit": "days",
        "countNumber": draw(st.integers(1, 300)),
    }


@pytest.mark.parametrize("environment", ["production", "development"])
@settings(deadline=None)
@given(images=push_histories())
def test_defaults_keep_newest_build_images(environment: str, images: list[dict[str, Any]]):
    lifecycle = defaults_for(environment)
    protected = newest_build_tagged(images, lifecycle.rollback_window)

    assert acted_on(build_policy(lifecycle), images) & protected == set()


@settings(deadline=None)
@given(lifecycle=custom_settings(), images=push_histories(with_archived=True))
def test_custom_settings_keep_newest_build_images(lifecycle: LifecycleSettings, images: list[dict[str, Any]]):
    active = [detail for detail in images if detail.get("imageStatus", "ACTIVE") == "ACTIVE"]
    protected = newest_build_tagged(active, lifecycle.rollback_window)

    assert acted_on(build_policy(lifecycle), images) & protected == set()


@pytest.mark.parametrize("environment", ["production", "development"])
@settings(deadline=None)
@given(images=push_histories())
def test_defaults_act_on_each_image_once(environment: str, images: list[dict[str, Any]]):
    results = preview(build_policy(defaults_for(environment)), images, NOW)["previewResults"]
    counts = Counter(entry["imageDigest"] for entry in results)

    assert [digest for digest, count in counts.items() if count > 1] == []


@settings(deadline=None)
@given(policy=random_policies(), images=push_histories(with_archived=True))
def test_random_policies_act_on_each_image_once(policy: dict[str, Any], images: list[dict[str, Any]]):
    assert [violation for violation in validate_policy(policy) if violation.severity == "error"] == []

    result = preview(policy, images, NOW)
    counts = Counter(entry["imageDigest"] for entry in result["previewResults"])
    expiring = sum(entry["action"]["type"] == "EXPIRE" for entry in result["previewResults"])
    priorities = {rule["rulePriority"] for rule in policy["rules"]}

    assert [digest for digest, count in counts.items() if count > 1] == []
    assert result["summary"]["expiringImageTotalCount"] == expiring
    assert {entry["appliedRulePriority"] for entry in result["previewResults"]} <= priorities
    assert preview(policy, images, NOW) == result
