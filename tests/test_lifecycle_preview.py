"""Offline preview behaviour beyond the documented examples: times, ties, storage classes, input errors."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from components.lifecycle import (
    InvalidImageDataError,
    InvalidPolicyError,
    build_policy,
    defaults_for,
    preview,
)

NOW = datetime(2025, 6, 1, tzinfo=timezone.utc)


def digest_of(name: str) -> str:
    return "sha256:" + hashlib.sha256(name.encode()).hexdigest()


def image(name: str, tags: list[str], pushed_at: Any, **details: Any) -> dict[str, Any]:
    detail: dict[str, Any] = {"imageDigest": digest_of(name), "imagePushedAt": pushed_at}
    if tags:
        detail["imageTags"] = tags
    detail.update(details)
    return detail


def ago(days: float = 0, seconds: float = 0) -> str:
    return (NOW - timedelta(days=days, seconds=seconds)).isoformat()


def single_rule(selection: dict[str, Any], action: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"rules": [{"rulePriority": 1, "selection": selection, "action": action or {"type": "expire"}}]}


def keep_newest(count: int) -> dict[str, Any]:
    return single_rule({"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": count})


def older_than(days: int, count_type: str = "sinceImagePushed", status: str = "any") -> dict[str, Any]:
    selection = {"tagStatus": status, "countType": count_type, "countUnit": "days", "countNumber": days}
    if count_type == "sinceImagePulled":
        return single_rule(selection, {"type": "transition", "targetStorageClass": "archive"})
    return single_rule(selection)


def acted_digests(policy: dict[str, Any], images: list[dict[str, Any]], now: datetime = NOW) -> list[str]:
    return [entry["imageDigest"] for entry in preview(policy, images, now)["previewResults"]]


# ---------------------------------------------------------------------------------------------
# Times
# ---------------------------------------------------------------------------------------------


def test_epoch_seconds_and_iso_times_agree():
    epoch = (NOW - timedelta(days=20)).timestamp()
    images = [
        image("epoch float", ["a"], epoch),
        image("epoch int", ["b"], int(epoch)),
        image("iso utc", ["c"], ago(20)),
        image(
            "iso offset",
            ["d"],
            (NOW - timedelta(days=20)).astimezone(timezone(timedelta(hours=-7))).isoformat(),
        ),
        image("iso z", ["e"], (NOW - timedelta(days=20)).strftime("%Y-%m-%dT%H:%M:%SZ")),
    ]

    results = preview(older_than(14), images, NOW)["previewResults"]

    assert len(results) == 5
    assert {entry["imagePushedAt"] for entry in results} == {(NOW - timedelta(days=20)).isoformat()}


def test_naive_times_are_utc():
    images = [image("naive", ["a"], "2025-05-01T00:00:00")]

    result = preview(older_than(30), images, datetime(2025, 5, 31, 0, 0, 1))

    assert [entry["imagePushedAt"] for entry in result["previewResults"]] == ["2025-05-01T00:00:00+00:00"]


def test_exact_age_boundary_not_expired():
    images = [image("exactly", ["a"], ago(14)), image("one second more", ["b"], ago(14, seconds=1))]

    assert acted_digests(older_than(14), images) == [digest_of("one second more")]


def test_future_push_time_is_never_old():
    images = [image("future", ["a"], (NOW + timedelta(days=3)).isoformat())]

    assert acted_digests(older_than(1), images) == []


# ---------------------------------------------------------------------------------------------
# Counting
# ---------------------------------------------------------------------------------------------


def test_count_orders_by_push_time():
    images = [image("new", ["a"], ago(1)), image("old", ["b"], ago(5)), image("middle", ["c"], ago(3))]

    assert acted_digests(keep_newest(2), images) == [digest_of("old")]


def test_equal_push_times_later_entry_counts_newer():
    images = [image("first", ["a"], ago(2)), image("second", ["b"], ago(2))]

    assert acted_digests(keep_newest(1), images) == [digest_of("first")]


def test_count_orders_restored_image_by_restore_time():
    images = [
        image("restored", ["a"], ago(300), lastActivatedAt=ago(1)),
        image("pushed recently", ["b"], ago(10)),
    ]

    assert acted_digests(keep_newest(1), images) == [digest_of("pushed recently")]


def test_count_includes_images_an_earlier_rule_selected():
    policy = {
        "rules": [
            {
                "rulePriority": 1,
                "selection": {
                    "tagStatus": "tagged",
                    "tagPatternList": ["keep*"],
                    "countType": "imageCountMoreThan",
                    "countNumber": 100,
                },
                "action": {"type": "expire"},
            },
            {
                "rulePriority": 2,
                "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 2},
                "action": {"type": "expire"},
            },
        ]
    }
    images = [
        image("kept 1", ["keep-1"], ago(1)),
        image("kept 2", ["keep-2"], ago(2)),
        image("other", ["other"], ago(3)),
    ]

    assert acted_digests(policy, images) == [digest_of("other")]


# ---------------------------------------------------------------------------------------------
# Pull times and storage classes
# ---------------------------------------------------------------------------------------------


def test_pull_age_uses_last_pull():
    images = [
        image("pulled recently", ["a"], ago(400), lastRecordedPullTime=ago(5)),
        image("pulled long ago", ["b"], ago(400), lastRecordedPullTime=ago(95)),
    ]

    assert acted_digests(older_than(90, "sinceImagePulled"), images) == [digest_of("pulled long ago")]


def test_pull_age_uses_restore_when_not_pulled_since():
    images = [
        image(
            "restored, not pulled", ["a"], ago(400), lastRecordedPullTime=ago(300), lastActivatedAt=ago(10)
        ),
        image(
            "restored, pulled later", ["b"], ago(400), lastRecordedPullTime=ago(5), lastActivatedAt=ago(100)
        ),
        image("restored long ago", ["c"], ago(400), lastActivatedAt=ago(120)),
    ]

    assert acted_digests(older_than(90, "sinceImagePulled"), images) == [digest_of("restored long ago")]


def test_activating_images_are_never_selected():
    images = [
        image("activating", ["a"], ago(50), imageStatus="ACTIVATING", lastArchivedAt=ago(200)),
        image("active old", ["b"], ago(40)),
        image("active new", ["c"], ago(1)),
    ]

    assert acted_digests(keep_newest(1), images) == [digest_of("active old")]


def test_archived_images_ignored_by_standard_rules():
    images = [image("archived", ["a"], ago(500), imageStatus="ARCHIVED", lastArchivedAt=ago(200))]

    assert acted_digests(older_than(30), images) == []


def test_archived_result_reports_archive_storage_class():
    policy = single_rule(
        {
            "tagStatus": "any",
            "storageClass": "archive",
            "countType": "sinceImageTransitioned",
            "countUnit": "days",
            "countNumber": 90,
        }
    )
    images = [image("archived", ["v1"], ago(500), imageStatus="ARCHIVED", lastArchivedAt=ago(200))]

    assert preview(policy, images, NOW)["previewResults"] == [
        {
            "imageDigest": digest_of("archived"),
            "imageTags": ["v1"],
            "imagePushedAt": ago(500),
            "action": {"type": "EXPIRE"},
            "appliedRulePriority": 1,
            "storageClass": "ARCHIVE",
        }
    ]


# ---------------------------------------------------------------------------------------------
# Output shape and order
# ---------------------------------------------------------------------------------------------


def test_results_ordered_by_rule_then_push_time():
    policy = build_policy(defaults_for("development"))
    images = [
        image("other newest", ["latest"], ago(0.5)),
        image("untagged 9", [], ago(9)),
        image("untagged 5", [], ago(5)),
        *[image(f"build {day}", [f"build-{day:016x}"], ago(day)) for day in range(1, 7)],
        *[image(f"other {day}", [f"v{day}"], ago(day + 0.25)) for day in range(1, 12)],
    ]

    results = preview(policy, images, NOW)["previewResults"]
    keys = [(entry["appliedRulePriority"], entry["imagePushedAt"]) for entry in results]

    assert [entry["appliedRulePriority"] for entry in results] == sorted(
        entry["appliedRulePriority"] for entry in results
    )
    assert keys == sorted(keys)
    assert {entry["appliedRulePriority"] for entry in results} == {1, 2, 3}


def test_untagged_result_has_empty_tag_list():
    results = preview(older_than(1, status="untagged"), [image("untagged", [], ago(3))], NOW)[
        "previewResults"
    ]

    assert results[0]["imageTags"] == []


def test_nothing_acted_on_gives_empty_results():
    assert preview(keep_newest(5), [image("only", ["a"], ago(1))], NOW) == {
        "previewResults": [],
        "summary": {"expiringImageTotalCount": 0},
    }


def test_summary_counts_expire_and_transition_separately():
    policy = {
        "rules": [
            {
                "rulePriority": 1,
                "selection": {
                    "tagStatus": "tagged",
                    "tagPatternList": ["old*"],
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": 30,
                },
                "action": {"type": "transition", "targetStorageClass": "archive"},
            },
            {
                "rulePriority": 2,
                "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 1},
                "action": {"type": "expire"},
            },
        ]
    }
    images = [
        image("old 1", ["old-1"], ago(40)),
        image("old 2", ["old-2"], ago(50)),
        image("x", ["x"], ago(3)),
        image("y", ["y"], ago(2)),
        image("z", ["z"], ago(1)),
    ]

    summary = preview(policy, images, NOW)["summary"]

    assert summary == {
        "expiringImageTotalCount": 2,
        "transitioningImageTotalCounts": [{"targetStorageClass": "ARCHIVE", "imageTotalCount": 2}],
    }


# ---------------------------------------------------------------------------------------------
# Invalid input
# ---------------------------------------------------------------------------------------------


def test_invalid_policy_raises_with_violations():
    with pytest.raises(InvalidPolicyError) as raised:
        preview(
            single_rule({"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 0}), [], NOW
        )

    assert [violation.field for violation in raised.value.violations] == ["selection.countNumber"]


@pytest.mark.parametrize(
    ("images", "message"),
    [
        ({"imageDetails": []}, "images must be a list of DescribeImages imageDetails, got dict."),
        (["sha256:aa"], 'image 1: must be a JSON object, got "sha256:aa".'),
        ([{"imagePushedAt": 1.0}], "image 1: imageDigest must be a non-empty string, got null."),
        ([{"imageDigest": "sha256:aa"}], "image sha256:aa: imagePushedAt is missing. Add the push time."),
        (
            [{"imageDigest": "sha256:aa", "imagePushedAt": "yesterday"}],
            'image sha256:aa: imagePushedAt must be an ISO-8601 time or epoch seconds, got "yesterday". '
            "Use the value that aws ecr describe-images prints.",
        ),
        (
            [{"imageDigest": "sha256:aa", "imagePushedAt": True}],
            "image sha256:aa: imagePushedAt must be an ISO-8601 time or epoch seconds, got true. "
            "Use the value that aws ecr describe-images prints.",
        ),
        (
            [{"imageDigest": "sha256:aa", "imagePushedAt": 1.0, "imageTags": "v1"}],
            'image sha256:aa: imageTags must be a list of non-empty strings, got "v1".',
        ),
        (
            [{"imageDigest": "sha256:aa", "imagePushedAt": 1.0, "imageStatus": "DELETED"}],
            'image sha256:aa: imageStatus must be one of ACTIVE, ARCHIVED, ACTIVATING, got "DELETED".',
        ),
        (
            [{"imageDigest": "sha256:aa", "imagePushedAt": 1.0, "imageStatus": "ARCHIVED"}],
            "image sha256:aa: imageStatus is ARCHIVED but lastArchivedAt is missing. Add the archive time.",
        ),
        (
            [
                {"imageDigest": "sha256:aa", "imagePushedAt": 1.0},
                {"imageDigest": "sha256:aa", "imagePushedAt": 2.0},
            ],
            "image 2: imageDigest sha256:aa repeats image 1. List each image once.",
        ),
    ],
    ids=[
        "not a list",
        "entry not an object",
        "digest missing",
        "push time missing",
        "push time unreadable",
        "push time boolean",
        "tags not a list",
        "unknown status",
        "archived without archive time",
        "repeated digest",
    ],
)
def test_unreadable_image_details_raise(images: Any, message: str):
    with pytest.raises(InvalidImageDataError) as raised:
        preview(keep_newest(1), images, NOW)

    assert str(raised.value) == message
