"""The worked examples of the Amazon ECR User Guide, run through the offline preview.

Each policy is the one the page shows. Where the page lists the repository contents and the
outcome, the test uses those images and expects that outcome. Where the page gives only a
policy and what it is for, the test builds a small repository around the stated purpose.
The page "Examples of lifecycle policies in Amazon ECR" uses tagPatternList in its current
edition and tagPrefixList in an earlier one, so those examples run with both lists.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from components.lifecycle import preview, validate_policy

NOW = datetime(2025, 6, 1, tzinfo=timezone.utc)


def digest_of(name: str) -> str:
    return "sha256:" + hashlib.sha256(name.encode()).hexdigest()


def ago(days: float) -> str:
    return (NOW - timedelta(days=days)).isoformat()


def image(name: str, tags: list[str], pushed_days_ago: float, **details: Any) -> dict[str, Any]:
    """Return DescribeImages imageDetails for an image; an empty tag list means untagged."""
    detail: dict[str, Any] = {"imageDigest": digest_of(name), "imagePushedAt": ago(pushed_days_ago)}
    if tags:
        detail["imageTags"] = tags
    detail.update(details)
    return detail


def outcome(policy: dict[str, Any], images: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Return the preview's action type per image name, for the images some rule acts on."""
    names = {detail["imageDigest"]: name for name, detail in images.items()}
    result = preview(policy, list(images.values()), NOW)
    return {names[entry["imageDigest"]]: entry["action"]["type"] for entry in result["previewResults"]}


def tag_list(kind: str, prefixes: list[str]) -> dict[str, list[str]]:
    """Return the selection's tag list as prefixes, or as the equivalent `prefix*` patterns."""
    if kind == "tagPrefixList":
        return {"tagPrefixList": prefixes}
    return {"tagPatternList": [prefix + "*" for prefix in prefixes]}


def count_rule(priority: int, tags: dict[str, list[str]], count: int) -> dict[str, Any]:
    return {
        "rulePriority": priority,
        "description": f"Rule {priority}",
        "selection": {"tagStatus": "tagged", **tags, "countType": "imageCountMoreThan", "countNumber": count},
        "action": {"type": "expire"},
    }


def errors_of(policy: dict[str, Any]) -> list[str]:
    return [violation.message for violation in validate_policy(policy) if violation.severity == "error"]


# Examples of lifecycle policies in Amazon ECR: "Filtering on image age".
def test_pattern_age_expires_old_prod_images():
    policy = {
        "rules": [
            {
                "rulePriority": 1,
                "description": "Expire images older than 14 days",
                "selection": {
                    "tagStatus": "tagged",
                    "tagPatternList": ["prod*"],
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": 14,
                },
                "action": {"type": "expire"},
            }
        ]
    }
    images = {
        "old prod": image("old prod", ["prod-1"], 20),
        "old production team": image("old production team", ["production-team1"], 15),
        "exactly 14 days": image("exactly 14 days", ["prod-2"], 14),
        "new prod": image("new prod", ["prod-3"], 3),
        "old dev": image("old dev", ["dev-1"], 30),
        "old untagged": image("old untagged", [], 30),
    }

    assert errors_of(policy) == []
    assert outcome(policy, images) == {"old prod": "EXPIRE", "old production team": "EXPIRE"}


# Examples of lifecycle policies in Amazon ECR: "Filtering on last pulled time", and the archive
# example "Archiving images not pulled in a specified number of days", which shows the same policy.
def test_pull_age_archives_unpulled_images():
    policy = {
        "rules": [
            {
                "rulePriority": 1,
                "description": "Archive images not pulled in 90 days",
                "selection": {
                    "tagStatus": "any",
                    "countType": "sinceImagePulled",
                    "countUnit": "days",
                    "countNumber": 90,
                },
                "action": {"type": "transition", "targetStorageClass": "archive"},
            }
        ]
    }
    images = {
        "pulled long ago": image("pulled long ago", ["v1"], 300, lastRecordedPullTime=ago(100)),
        "pulled recently": image("pulled recently", ["v2"], 300, lastRecordedPullTime=ago(10)),
        "never pulled, old": image("never pulled, old", [], 120),
        "never pulled, new": image("never pulled, new", ["v3"], 30),
        "already archived": image(
            "already archived", ["v0"], 400, imageStatus="ARCHIVED", lastArchivedAt=ago(200)
        ),
    }

    result = preview(policy, list(images.values()), NOW)

    assert errors_of(policy) == []
    assert outcome(policy, images) == {"pulled long ago": "TRANSITION", "never pulled, old": "TRANSITION"}
    assert result["summary"] == {
        "expiringImageTotalCount": 0,
        "transitioningImageTotalCounts": [{"targetStorageClass": "ARCHIVE", "imageTotalCount": 2}],
    }


# Examples of lifecycle policies in Amazon ECR: "Filtering on archive transition time".
def test_archive_age_expires_long_archived():
    policy = {
        "rules": [
            {
                "rulePriority": 1,
                "description": "Expire images archived for more than 365 days",
                "selection": {
                    "tagStatus": "any",
                    "storageClass": "archive",
                    "countType": "sinceImageTransitioned",
                    "countUnit": "days",
                    "countNumber": 365,
                },
                "action": {"type": "expire"},
            }
        ]
    }
    images = {
        "archived long ago": image(
            "archived long ago", ["v1"], 900, imageStatus="ARCHIVED", lastArchivedAt=ago(400)
        ),
        "archived recently": image(
            "archived recently", ["v2"], 900, imageStatus="ARCHIVED", lastArchivedAt=ago(100)
        ),
        "active and old": image("active and old", ["v3"], 1000),
    }

    assert errors_of(policy) == []
    assert outcome(policy, images) == {"archived long ago": "EXPIRE"}


# Examples of lifecycle policies in Amazon ECR: "Filtering on image count".
def test_untagged_count_keeps_newest_one():
    policy = {
        "rules": [
            {
                "rulePriority": 1,
                "description": "Keep only one untagged image, expire all others",
                "selection": {"tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 1},
                "action": {"type": "expire"},
            }
        ]
    }
    images = {
        "untagged 3 days": image("untagged 3 days", [], 3),
        "untagged 2 days": image("untagged 2 days", [], 2),
        "untagged 1 day": image("untagged 1 day", [], 1),
        "tagged 9 days": image("tagged 9 days", ["v1"], 9),
    }

    assert errors_of(policy) == []
    assert outcome(policy, images) == {"untagged 3 days": "EXPIRE", "untagged 2 days": "EXPIRE"}


def multiple_rules_repository() -> dict[str, dict[str, Any]]:
    return {
        "A": image("A", ["beta-1", "prod-1"], 10),
        "B": image("B", ["beta-2", "prod-2"], 9),
        "C": image("C", ["beta-3"], 8),
    }


# Examples of lifecycle policies in Amazon ECR: "Filtering on multiple rules", Example A.
@pytest.mark.parametrize("kind", ["tagPatternList", "tagPrefixList"])
def test_earlier_rule_shields_images_it_selected(kind: str):
    policy = {
        "rules": [
            count_rule(1, tag_list(kind, ["prod"]), 1),
            count_rule(2, tag_list(kind, ["beta"]), 1),
        ]
    }

    assert errors_of(policy) == []
    assert outcome(policy, multiple_rules_repository()) == {"A": "EXPIRE"}


# Examples of lifecycle policies in Amazon ECR: "Filtering on multiple rules", Example B.
@pytest.mark.parametrize("kind", ["tagPatternList", "tagPrefixList"])
def test_rule_order_changes_what_expires(kind: str):
    policy = {
        "rules": [
            count_rule(1, tag_list(kind, ["beta"]), 1),
            count_rule(2, tag_list(kind, ["prod"]), 1),
        ]
    }

    assert errors_of(policy) == []
    assert outcome(policy, multiple_rules_repository()) == {"A": "EXPIRE", "B": "EXPIRE"}


# Examples of lifecycle policies in Amazon ECR: "Filtering on multiple tags in a single rule",
# Example A.
@pytest.mark.parametrize("kind", ["tagPatternList", "tagPrefixList"])
def test_tag_list_needs_every_entry(kind: str):
    policy = {
        "rules": [
            {
                "rulePriority": 1,
                "description": "Rule 1",
                "selection": {
                    "tagStatus": "tagged",
                    **tag_list(kind, ["alpha", "beta"]),
                    "countType": "sinceImagePushed",
                    "countNumber": 5,
                    "countUnit": "days",
                },
                "action": {"type": "expire"},
            }
        ]
    }
    images = {
        "A": image("A", ["alpha-1"], 12),
        "B": image("B", ["beta-1"], 11),
        "C": image("C", ["alpha-2", "beta-2"], 10),
        "D": image("D", ["alpha-3"], 4),
        "E": image("E", ["beta-3"], 3),
        "F": image("F", ["alpha-4", "beta-4"], 2),
    }

    assert errors_of(policy) == []
    assert outcome(policy, images) == {"C": "EXPIRE"}


# Examples of lifecycle policies in Amazon ECR: "Filtering on multiple tags in a single rule",
# Example B.
@pytest.mark.parametrize("kind", ["tagPatternList", "tagPrefixList"])
def test_extra_tags_do_not_exclude_image(kind: str):
    policy = {"rules": [count_rule(1, tag_list(kind, ["alpha", "beta"]), 1)]}
    images = {
        "A": image("A", ["alpha-1", "beta-1", "gamma-1"], 10),
        "B": image("B", ["alpha-2", "beta-2"], 9),
        "C": image("C", ["alpha-3", "beta-3", "gamma-2"], 8),
    }

    assert errors_of(policy) == []
    assert outcome(policy, images) == {"A": "EXPIRE", "B": "EXPIRE"}


# Examples of lifecycle policies in Amazon ECR: "Filtering on all images", Example A.
def test_any_count_keeps_only_newest_image():
    policy = {
        "rules": [
            {
                "rulePriority": 1,
                "description": "Rule 1",
                "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 1},
                "action": {"type": "expire"},
            }
        ]
    }
    images = {
        "A": image("A", ["alpha-1"], 4),
        "B": image("B", ["beta-1"], 3),
        "C": image("C", [], 2),
        "D": image("D", ["alpha-2"], 1),
    }

    assert errors_of(policy) == []
    assert outcome(policy, images) == {"A": "EXPIRE", "B": "EXPIRE", "C": "EXPIRE"}


# Examples of lifecycle policies in Amazon ECR: "Filtering on all images", Example B. D and E are
# both pushed 1 day ago. The page keeps E, which the preview does because E comes later in the
# image list, and E is not older than 1 day, so rule 2 leaves it alone.
@pytest.mark.parametrize("kind", ["tagPatternList", "tagPrefixList"])
def test_all_rule_types_combined(kind: str):
    policy = {
        "rules": [
            count_rule(1, tag_list(kind, ["alpha"]), 1),
            {
                "rulePriority": 2,
                "description": "Rule 2",
                "selection": {
                    "tagStatus": "untagged",
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": 1,
                },
                "action": {"type": "expire"},
            },
            {
                "rulePriority": 3,
                "description": "Rule 3",
                "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 1},
                "action": {"type": "expire"},
            },
        ]
    }
    images = {
        "A": image("A", ["alpha-1", "beta-1"], 4),
        "B": image("B", [], 3),
        "C": image("C", ["alpha-2"], 2),
        "D": image("D", ["git hash"], 1),
        "E": image("E", [], 1),
    }
    result = preview(policy, list(images.values()), NOW)
    rule_of = {entry["imageDigest"]: entry["appliedRulePriority"] for entry in result["previewResults"]}

    assert errors_of(policy) == []
    assert outcome(policy, images) == {"A": "EXPIRE", "B": "EXPIRE", "D": "EXPIRE"}
    assert rule_of == {digest_of("A"): 1, digest_of("B"): 2, digest_of("D"): 3}


# Examples of lifecycle policies in Amazon ECR, archive examples: "Archiving images older than a
# specified number of days".
def test_push_age_archives_old_prod_images():
    policy = {
        "rules": [
            {
                "rulePriority": 1,
                "description": "Archive production images older than 30 days",
                "selection": {
                    "tagStatus": "tagged",
                    "tagPatternList": ["prod*"],
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": 30,
                },
                "action": {"type": "transition", "targetStorageClass": "archive"},
            }
        ]
    }
    images = {
        "old prod": image("old prod", ["prod-1"], 45),
        "new prod": image("new prod", ["prod-2"], 5),
        "old test": image("old test", ["test-1"], 45),
    }
    result = preview(policy, list(images.values()), NOW)

    assert errors_of(policy) == []
    assert outcome(policy, images) == {"old prod": "TRANSITION"}
    assert result["previewResults"][0]["action"] == {"type": "TRANSITION", "targetStorageClass": "ARCHIVE"}


# Examples of lifecycle policies in Amazon ECR, archive examples: "Combining archive and expire
# rules". Each storage class has its own tagStatus "any" rule.
def test_archive_then_expire_per_storage_class():
    policy = {
        "rules": [
            {
                "rulePriority": 1,
                "description": "Archive images older than 30 days",
                "selection": {
                    "tagStatus": "any",
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": 30,
                },
                "action": {"type": "transition", "targetStorageClass": "archive"},
            },
            {
                "rulePriority": 2,
                "description": "Expire images archived for more than 365 days",
                "selection": {
                    "tagStatus": "any",
                    "storageClass": "archive",
                    "countType": "sinceImageTransitioned",
                    "countUnit": "days",
                    "countNumber": 365,
                },
                "action": {"type": "expire"},
            },
        ]
    }
    images = {
        "active, old": image("active, old", ["v5"], 40),
        "active, new": image("active, new", [], 10),
        "archived long ago": image(
            "archived long ago", ["v1"], 800, imageStatus="ARCHIVED", lastArchivedAt=ago(400)
        ),
        "archived recently": image(
            "archived recently", ["v2"], 500, imageStatus="ARCHIVED", lastArchivedAt=ago(200)
        ),
    }

    assert errors_of(policy) == []
    assert outcome(policy, images) == {"active, old": "TRANSITION", "archived long ago": "EXPIRE"}
