"""One test per check of validate_policy and check_build_tags_covered, with the exact violation."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from components.lifecycle import (
    MAX_RULES,
    Violation,
    check_build_tags_covered,
    render_policy,
    tag_matches_pattern,
    validate_policy,
)


def any_rule(priority: int = 1, **selection: Any) -> dict[str, Any]:
    """Return a valid rule that keeps the newest 5 images of any tag status."""
    return {
        "rulePriority": priority,
        "description": "Keep the newest 5 images",
        "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 5, **selection},
        "action": {"type": "expire"},
    }


def tagged_rule(priority: int, **selection: Any) -> dict[str, Any]:
    """Return a valid rule that keeps the newest 5 images tagged `prod*`."""
    return {
        "rulePriority": priority,
        "description": "Keep the newest 5 prod images",
        "selection": {
            "tagStatus": "tagged",
            "tagPatternList": ["prod*"],
            "countType": "imageCountMoreThan",
            "countNumber": 5,
            **selection,
        },
        "action": {"type": "expire"},
    }


def untagged_rule(priority: int, days: int = 7) -> dict[str, Any]:
    return {
        "rulePriority": priority,
        "description": "Expire old untagged images",
        "selection": {
            "tagStatus": "untagged",
            "countType": "sinceImagePushed",
            "countUnit": "days",
            "countNumber": days,
        },
        "action": {"type": "expire"},
    }


def archive_expiry_rule(priority: int, days: int = 365) -> dict[str, Any]:
    return {
        "rulePriority": priority,
        "description": "Expire images archived long ago",
        "selection": {
            "tagStatus": "any",
            "storageClass": "archive",
            "countType": "sinceImageTransitioned",
            "countUnit": "days",
            "countNumber": days,
        },
        "action": {"type": "expire"},
    }


def policy_of(*rules: dict[str, Any]) -> dict[str, Any]:
    return {"rules": list(rules)}


def with_selection(rule: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """Return a copy of `rule` whose selection has `changes`; a value of None removes the key."""
    changed = copy.deepcopy(rule)
    for key, value in changes.items():
        if value is None:
            changed["selection"].pop(key, None)
        else:
            changed["selection"][key] = value
    return changed


def error(priority: int | None, field: str, message: str) -> Violation:
    return Violation(priority, field, message, "error")


def warning(priority: int | None, field: str, message: str) -> Violation:
    return Violation(priority, field, message, "warning")


# ---------------------------------------------------------------------------------------------
# Valid policies
# ---------------------------------------------------------------------------------------------


def test_valid_policy_has_no_violations():
    policy = policy_of(untagged_rule(1), tagged_rule(2), any_rule(3))

    assert validate_policy(policy) == []


def test_priorities_need_not_be_sequential():
    policy = policy_of(untagged_rule(10), tagged_rule(20), any_rule(30))

    assert validate_policy(policy) == []


def test_documented_wildcard_examples_are_valid():
    # Lifecycle policy properties in Amazon ECR: ["*test*1*2*3", "test*1*2*3*"] is valid.
    policy = policy_of(tagged_rule(1, tagPatternList=["*test*1*2*3", "test*1*2*3*"]))

    assert validate_policy(policy) == []


def test_any_rule_per_storage_class_valid():
    transition = {
        "rulePriority": 1,
        "description": "Archive images older than 30 days",
        "selection": {
            "tagStatus": "any",
            "countType": "sinceImagePushed",
            "countUnit": "days",
            "countNumber": 30,
        },
        "action": {"type": "transition", "targetStorageClass": "archive"},
    }

    assert validate_policy(policy_of(transition, archive_expiry_rule(2))) == []


def test_untagged_and_any_rule_together_are_valid():
    assert validate_policy(policy_of(untagged_rule(1), any_rule(2))) == []


# ---------------------------------------------------------------------------------------------
# Policy structure
# ---------------------------------------------------------------------------------------------


def test_policy_must_be_object():
    assert validate_policy(["rules"]) == [
        error(
            None,
            "rules",
            'policy: rules must be a JSON object with a rules list, got ["rules"]. '
            'Write the policy as {"rules": [...]}.',
        )
    ]


def test_policy_rejects_unknown_top_level_key():
    policy = {**policy_of(any_rule()), "version": 2}

    assert validate_policy(policy) == [
        error(
            None,
            "version",
            "policy: version is not a field of a lifecycle policy, got 2. "
            "Remove it. Allowed fields here: rules.",
        )
    ]


def test_rules_must_be_list():
    assert validate_policy({"rules": {"rulePriority": 1}}) == [
        error(
            None,
            "rules",
            'policy: rules must be a list of rules, got {"rulePriority": 1}. '
            'Write the policy as {"rules": [...]}.',
        )
    ]


def test_rules_must_not_be_empty():
    violations = validate_policy({"rules": []})

    assert (
        error(None, "rules", "policy: rules must contain at least one rule, got []. Add a rule.")
        in violations
    )


def test_rules_limited_to_fifty():
    rules = [
        tagged_rule(priority, tagPatternList=[f"team{priority}-*"]) for priority in range(1, MAX_RULES + 2)
    ]

    assert validate_policy(policy_of(*rules)) == [
        error(None, "rules", "policy: rules may contain at most 50 rules, got 51. Merge or remove rules.")
    ]


def test_fifty_rules_are_accepted():
    rules = [
        tagged_rule(priority, tagPatternList=[f"team{priority}-*"]) for priority in range(1, MAX_RULES + 1)
    ]

    assert validate_policy(policy_of(*rules)) == []


def test_rule_must_be_object():
    assert validate_policy(policy_of(any_rule(), "expire")) == [
        error(
            None,
            "rule",
            'rule at position 2: rule must be a JSON object, got "expire". '
            "Write each rule as an object with rulePriority, selection and action.",
        )
    ]


def test_policy_text_longer_than_limit():
    rule = any_rule()
    rule["description"] = "x" * 30720
    length = len(render_policy(policy_of(rule)))

    assert length > 30720
    assert validate_policy(policy_of(rule)) == [
        error(
            None,
            "rules",
            "policy: rules must render to 100 to 30720 characters of JSON (LifecyclePolicyText "
            f'in the ECR API), got "{length} characters". Shorten descriptions or tag lists, or merge rules.',
        )
    ]


def test_policy_text_shorter_than_limit():
    # The canonical text of this policy is {"rules":[{"rulePriority":1}]}, 30 characters.
    violations = validate_policy({"rules": [{"rulePriority": 1}]})

    assert (
        error(
            None,
            "rules",
            "policy: rules must render to 100 to 30720 characters of JSON "
            '(LifecyclePolicyText in the ECR API), got "30 characters". Add or complete rules.',
        )
        in violations
    )


# ---------------------------------------------------------------------------------------------
# Rule fields
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"), [(0, "0"), (-3, "-3"), (True, "true"), (1.5, "1.5"), ("1", '"1"')]
)
def test_rule_priority_must_be_positive_integer(value: Any, shown: str):
    rule = any_rule()
    rule["rulePriority"] = value

    assert validate_policy(policy_of(rule)) == [
        error(
            None,
            "rulePriority",
            f"rule at position 1: rulePriority must be an integer of at least 1, got {shown}. "
            "Give each rule a unique rulePriority of 1 or more. Rules apply from the lowest number.",
        )
    ]


def test_rule_priority_is_required():
    rule = any_rule()
    del rule["rulePriority"]

    assert validate_policy(policy_of(rule)) == [
        error(
            None,
            "rulePriority",
            "rule at position 1: rulePriority must be an integer of at least 1, got nothing. "
            "Give each rule a unique rulePriority of 1 or more. Rules apply from the lowest number.",
        )
    ]


def test_rule_priority_must_be_unique():
    policy = policy_of(tagged_rule(2), tagged_rule(2, tagPatternList=["dev*"]), any_rule(3))

    assert validate_policy(policy) == [
        error(
            2,
            "rulePriority",
            "rule 2 (position 2): rulePriority must be unique, got 2, which the rule at "
            "position 1 also uses. Give this rule another rulePriority.",
        )
    ]


def test_rule_rejects_unknown_key():
    rule = any_rule()
    rule["enabled"] = True

    assert validate_policy(policy_of(rule)) == [
        error(
            1,
            "enabled",
            "rule 1: enabled is not a field of a lifecycle policy, got true. "
            "Remove it. Allowed fields here: rulePriority, description, selection, action.",
        )
    ]


def test_description_must_be_string():
    rule = any_rule()
    rule["description"] = ["keep", "five"]

    assert validate_policy(policy_of(rule)) == [
        error(
            1,
            "description",
            'rule 1: description must be a string, got ["keep", "five"]. '
            "Write the description as text or remove it.",
        )
    ]


def test_description_is_optional():
    rule = any_rule()
    del rule["description"]

    assert validate_policy(policy_of(rule)) == []


def test_selection_is_required():
    rule = any_rule()
    del rule["selection"]

    assert error(
        1,
        "selection",
        "rule 1: selection must be a JSON object, got nothing. "
        "Add a selection with tagStatus, countType and countNumber.",
    ) in validate_policy(policy_of(rule))


def test_selection_rejects_unknown_key():
    rule = with_selection(any_rule(), tagStatusList=["any"])

    assert validate_policy(policy_of(rule)) == [
        error(
            1,
            "selection.tagStatusList",
            "rule 1: selection.tagStatusList is not a field of a lifecycle policy, got "
            '["any"]. Remove it. Allowed fields here: tagStatus, tagPatternList, tagPrefixList, storageClass, '
            "countType, countUnit, countNumber.",
        )
    ]


# ---------------------------------------------------------------------------------------------
# Tag status and tag lists
# ---------------------------------------------------------------------------------------------


def test_tag_status_must_be_known():
    rule = with_selection(any_rule(), tagStatus="TAGGED")

    assert validate_policy(policy_of(rule)) == [
        error(
            1,
            "selection.tagStatus",
            'rule 1: selection.tagStatus must be one of "tagged", "untagged", "any", '
            'got "TAGGED". Set tagStatus to tagged, untagged or any.',
        )
    ]


def test_tagged_rule_needs_tag_list():
    rule = with_selection(tagged_rule(1), tagPatternList=None)

    assert validate_policy(policy_of(rule)) == [
        error(
            1,
            "selection.tagPatternList",
            "rule 1: selection.tagPatternList or tagPrefixList is required when "
            'tagStatus is "tagged", got nothing. Add a tagPatternList such as ["prod*"], or a tagPrefixList.',
        )
    ]


def test_tagged_rule_takes_one_tag_list():
    rule = with_selection(tagged_rule(1), tagPrefixList=["prod"])

    assert validate_policy(policy_of(rule)) == [
        error(
            1,
            "selection.tagPrefixList",
            "rule 1: selection.tagPrefixList cannot be combined with tagPatternList in "
            'one rule, got ["prod"]. Keep one of the two lists. Use a second rule for the other.',
        )
    ]


@pytest.mark.parametrize("status", ["untagged", "any"])
def test_untagged_and_any_rules_take_no_tag_list(status: str):
    rule = with_selection(any_rule(), tagStatus=status, tagPrefixList=["prod"])

    assert validate_policy(policy_of(rule)) == [
        error(
            1,
            "selection.tagPrefixList",
            f"rule 1: selection.tagPrefixList must be left out when tagStatus is "
            f'"{status}", got ["prod"]. Remove tagPrefixList, or set tagStatus to "tagged".',
        )
    ]


def test_tag_list_must_not_be_empty():
    rule = with_selection(tagged_rule(1), tagPatternList=[])

    assert validate_policy(policy_of(rule)) == [
        error(
            1,
            "selection.tagPatternList",
            "rule 1: selection.tagPatternList must be a non-empty list of strings, "
            "got []. List at least one tag prefix or pattern.",
        )
    ]


@pytest.mark.parametrize(("entry", "shown"), [("", '""'), (7, "7")])
def test_tag_list_entries_must_be_strings(entry: Any, shown: str):
    rule = with_selection(tagged_rule(1), tagPatternList=["prod*", entry])

    assert validate_policy(policy_of(rule)) == [
        error(
            1,
            "selection.tagPatternList",
            f"rule 1: selection.tagPatternList must contain only non-empty strings, "
            f"got {shown}. Remove the entry or write it as a non-empty string.",
        )
    ]


def test_tag_pattern_allows_four_wildcards_at_most():
    # Lifecycle policy properties in Amazon ECR: ["test*1*2*3*4*5*6"] is invalid.
    rule = with_selection(tagged_rule(1), tagPatternList=["test*1*2*3*4*5*6"])

    assert validate_policy(policy_of(rule)) == [
        error(
            1,
            "selection.tagPatternList",
            "rule 1: selection.tagPatternList entries may contain at most 4 wildcards "
            '(*), got "test*1*2*3*4*5*6". Remove wildcards from the pattern.',
        )
    ]


def test_tag_entry_longer_than_any_tag_warns():
    entry = "p" * 301
    rule = with_selection(tagged_rule(1), tagPatternList=[entry + "*"])

    assert validate_policy(policy_of(rule)) == [
        warning(
            1,
            "selection.tagPatternList",
            "rule 1: selection.tagPatternList entry needs more than 300 characters "
            f'in a tag, the maximum tag length, so it can never match, got "{entry}*". Shorten the entry.',
        )
    ]


def test_tag_lists_unique_per_storage_class():
    policy = policy_of(tagged_rule(1), tagged_rule(2, countNumber=9), any_rule(3))

    assert validate_policy(policy) == [
        error(
            2,
            "selection.tagPatternList",
            "rule 2: selection.tagPatternList selects the same tags as the tag list "
            'of rule 1, got ["prod*"], but the tag lists of the standard storage class rules must be unique. '
            "Merge the two rules or change one list.",
        )
    ]


def test_prefix_and_equal_pattern_count_as_same_list():
    prefix_rule = with_selection(tagged_rule(2), tagPatternList=None, tagPrefixList=["prod"])

    assert validate_policy(policy_of(tagged_rule(1), prefix_rule)) == [
        error(
            2,
            "selection.tagPrefixList",
            "rule 2: selection.tagPrefixList selects the same tags as the tag list "
            'of rule 1, got ["prod"], but the tag lists of the standard storage class rules must be unique. '
            "Merge the two rules or change one list.",
        )
    ]


def test_only_one_untagged_rule_per_storage_class():
    policy = policy_of(untagged_rule(1), untagged_rule(2, days=30), any_rule(3))

    assert validate_policy(policy) == [
        error(
            2,
            "selection.tagStatus",
            'rule 2: selection.tagStatus is "untagged", but rule 1 already selects the '
            "untagged images of the standard storage class, and only one rule per storage class may. "
            "Merge the two rules or remove one.",
        )
    ]


def test_any_rule_must_come_last_in_storage_class():
    policy = policy_of(any_rule(1), tagged_rule(3))

    assert validate_policy(policy) == [
        error(
            1,
            "selection.tagStatus",
            'rule 1: selection.tagStatus is "any", so this rule needs the highest '
            "rulePriority of the standard storage class rules, got 1 while rule 3 comes later. Give this rule a "
            "rulePriority above 3.",
        )
    ]


# ---------------------------------------------------------------------------------------------
# Count type, unit and number
# ---------------------------------------------------------------------------------------------


def test_count_type_must_be_known():
    rule = with_selection(any_rule(), countType="imageCountGreaterThan")

    assert validate_policy(policy_of(rule)) == [
        error(
            1,
            "selection.countType",
            'rule 1: selection.countType must be one of "imageCountMoreThan", '
            '"sinceImagePushed", "sinceImagePulled", "sinceImageTransitioned", got "imageCountGreaterThan". '
            'Use imageCountMoreThan to keep the newest N images, or a since* count type with countUnit "days".',
        )
    ]


def test_age_count_type_needs_count_unit():
    rule = with_selection(untagged_rule(1), countUnit=None)

    assert validate_policy(policy_of(rule)) == [
        error(
            1,
            "selection.countUnit",
            'rule 1: selection.countUnit must be "days" when countType is '
            '"sinceImagePushed", got nothing. Set countUnit to "days".',
        )
    ]


def test_count_unit_must_be_days():
    rule = with_selection(untagged_rule(1), countUnit="hours")

    assert validate_policy(policy_of(rule)) == [
        error(
            1,
            "selection.countUnit",
            'rule 1: selection.countUnit must be "days" when countType is '
            '"sinceImagePushed", got "hours". Set countUnit to "days".',
        )
    ]


def test_image_count_takes_no_count_unit():
    rule = with_selection(any_rule(), countUnit="days")

    assert validate_policy(policy_of(rule)) == [
        error(
            1,
            "selection.countUnit",
            "rule 1: selection.countUnit must be left out when countType is "
            '"imageCountMoreThan", got "days". Remove countUnit.',
        )
    ]


@pytest.mark.parametrize(
    ("value", "shown"), [(0, "0"), (-1, "-1"), (2.5, "2.5"), (False, "false"), ("5", '"5"')]
)
def test_count_number_must_be_positive_integer(value: Any, shown: str):
    rule = with_selection(any_rule(), countNumber=value)

    assert validate_policy(policy_of(rule)) == [
        error(
            1,
            "selection.countNumber",
            f"rule 1: selection.countNumber must be an integer of at least 1, "
            f"got {shown}. Set countNumber to a positive whole number.",
        )
    ]


def test_count_number_is_required():
    rule = with_selection(any_rule(), countNumber=None)

    assert validate_policy(policy_of(rule)) == [
        error(
            1,
            "selection.countNumber",
            "rule 1: selection.countNumber must be an integer of at least 1, "
            "got nothing. Set countNumber to a positive whole number.",
        )
    ]


# ---------------------------------------------------------------------------------------------
# Storage class, action and their pairings
# ---------------------------------------------------------------------------------------------


def test_storage_class_must_be_known():
    rule = with_selection(any_rule(), storageClass="glacier")

    assert validate_policy(policy_of(rule)) == [
        error(
            1,
            "selection.storageClass",
            'rule 1: selection.storageClass must be one of "standard", "archive", '
            'got "glacier". Set storageClass to "archive" for sinceImageTransitioned, or leave it out for '
            '"standard".',
        )
    ]


def test_standard_storage_class_may_be_explicit():
    assert validate_policy(policy_of(with_selection(any_rule(), storageClass="standard"))) == []


def test_transitioned_count_needs_archive_storage_class():
    rule = with_selection(archive_expiry_rule(1), storageClass=None)

    assert validate_policy(policy_of(rule)) == [
        error(
            1,
            "selection.storageClass",
            'rule 1: selection.storageClass must be "archive" when countType is '
            '"sinceImageTransitioned", got nothing. Set storageClass to "archive".',
        )
    ]


@pytest.mark.parametrize("count_type", ["imageCountMoreThan", "sinceImagePushed"])
def test_archive_storage_class_needs_transitioned_count(count_type: str):
    unit = "days" if count_type == "sinceImagePushed" else None
    rule = with_selection(any_rule(), storageClass="archive", countType=count_type, countUnit=unit)

    assert validate_policy(policy_of(rule)) == [
        error(
            1,
            "selection.storageClass",
            f'rule 1: selection.storageClass must be "standard" or left out when '
            f'countType is "{count_type}", got "archive". Use countType "sinceImageTransitioned" to select '
            "archived images, or remove storageClass.",
        )
    ]


def test_archived_images_stay_90_days_before_expiry():
    assert validate_policy(policy_of(archive_expiry_rule(1, days=89))) == [
        error(
            1,
            "selection.countNumber",
            "rule 1: selection.countNumber must be at least 90 when countType is "
            '"sinceImageTransitioned", because archived images have a 90-day minimum storage duration, got 89. '
            "Set countNumber to 90 or more.",
        )
    ]
    assert validate_policy(policy_of(archive_expiry_rule(1, days=90))) == []


def test_action_is_required():
    rule = any_rule()
    del rule["action"]

    assert error(
        1,
        "action",
        "rule 1: action must be a JSON object, got nothing. Add an action such as " '{"type": "expire"}.',
    ) in validate_policy(policy_of(rule))


def test_action_rejects_unknown_key():
    rule = any_rule()
    rule["action"]["storageClass"] = "archive"

    assert validate_policy(policy_of(rule)) == [
        error(
            1,
            "action.storageClass",
            "rule 1: action.storageClass is not a field of a lifecycle policy, got "
            '"archive". Remove it. Allowed fields here: type, targetStorageClass.',
        )
    ]


def test_action_type_must_be_known():
    rule = any_rule()
    rule["action"]["type"] = "delete"

    assert validate_policy(policy_of(rule)) == [
        error(
            1,
            "action.type",
            'rule 1: action.type must be one of "expire", "transition", got "delete". '
            'Set type to "expire" to delete images or "transition" to archive them.',
        )
    ]


@pytest.mark.parametrize(
    ("target", "shown"), [(None, "nothing"), ("ARCHIVE", '"ARCHIVE"'), ("standard", '"standard"')]
)
def test_transition_needs_archive_target(target: Any, shown: str):
    rule = any_rule()
    rule["action"] = (
        {"type": "transition"} if target is None else {"type": "transition", "targetStorageClass": target}
    )

    violations = validate_policy(policy_of(rule))

    assert (
        error(
            1,
            "action.targetStorageClass",
            'rule 1: action.targetStorageClass must be "archive" when type is '
            f'"transition", got {shown}. Set targetStorageClass to "archive".',
        )
        in violations
    )


def test_expire_takes_no_target_storage_class():
    rule = any_rule()
    rule["action"]["targetStorageClass"] = "archive"

    assert validate_policy(policy_of(rule)) == [
        error(
            1,
            "action.targetStorageClass",
            "rule 1: action.targetStorageClass must be left out when type is "
            '"expire", got "archive". Remove targetStorageClass.',
        )
    ]


def test_pull_age_only_with_transition():
    rule = with_selection(any_rule(), countType="sinceImagePulled", countUnit="days", countNumber=90)

    assert validate_policy(policy_of(rule)) == [
        error(
            1,
            "action.type",
            'rule 1: action.type must be "transition" when countType is "sinceImagePulled", '
            'got "expire". Archive with sinceImagePulled first, then expire with a sinceImageTransitioned rule on '
            'storageClass "archive".',
        )
    ]


def test_transitioned_count_only_with_expire():
    rule = archive_expiry_rule(1)
    rule["action"] = {"type": "transition", "targetStorageClass": "archive"}

    assert validate_policy(policy_of(rule)) == [
        error(
            1,
            "action.type",
            'rule 1: action.type must be "expire" when countType is "sinceImageTransitioned", '
            'got "transition". Set type to "expire".',
        ),
        warning(
            None,
            "rules",
            'policy: rules contain no rule with action type "expire", got ["transition"]. '
            "Nothing will ever be deleted. Add an expire rule if the repository should not grow without limit.",
        ),
    ]


# ---------------------------------------------------------------------------------------------
# Warnings
# ---------------------------------------------------------------------------------------------


def test_policy_without_expire_action_warns():
    rule = any_rule()
    rule["action"] = {"type": "transition", "targetStorageClass": "archive"}

    assert validate_policy(policy_of(rule)) == [
        warning(
            None,
            "rules",
            'policy: rules contain no rule with action type "expire", got ["transition"]. '
            "Nothing will ever be deleted. Add an expire rule if the repository should not grow without limit.",
        )
    ]


def test_uncovered_build_tags_warn():
    policy = policy_of(untagged_rule(1), tagged_rule(2))

    assert check_build_tags_covered(policy) == [
        warning(
            None,
            "rules",
            'policy: rules select no image tagged "build-0123456789abcdef" and contain no '
            'tagStatus "any" rule, so build-tagged images are never expired. Add a tagged rule with '
            'tagPatternList ["build-*"] or a final tagStatus "any" rule.',
        )
    ]


@pytest.mark.parametrize(
    "rule",
    [
        tagged_rule(2, tagPatternList=["build-*"]),
        with_selection(tagged_rule(2), tagPatternList=None, tagPrefixList=["build-"]),
        any_rule(2),
    ],
    ids=["pattern", "prefix", "any"],
)
def test_build_tags_covered_gives_no_warning(rule: dict[str, Any]):
    assert check_build_tags_covered(policy_of(untagged_rule(1), rule)) == []


def test_archive_class_rule_does_not_cover_build_tags():
    assert len(check_build_tags_covered(policy_of(archive_expiry_rule(1)))) == 1


# ---------------------------------------------------------------------------------------------
# Tag pattern matching
# ---------------------------------------------------------------------------------------------


# Automate the cleanup of images by using lifecycle policies in Amazon ECR, evaluation rules:
# `prod*` matches tags that begin with prod, `*prod*` matches tags that contain it.
@pytest.mark.parametrize(
    ("pattern", "tag", "matches"),
    [
        ("prod*", "prod", True),
        ("prod*", "prod1", True),
        ("prod*", "production-team1", True),
        ("prod*", "repo-production", False),
        ("*prod*", "repo-production", True),
        ("*prod*", "prod-team", True),
        ("*prod*", "staging", False),
        ("build-*", "build-0123456789abcdef", True),
        ("build-*", "buildx-1", False),
        ("v1.?", "v1.2", False),
        ("v1.?", "v1.?", True),
    ],
)
def test_tag_pattern_matching(pattern: str, tag: str, matches: bool):
    assert tag_matches_pattern(tag, pattern) is matches
