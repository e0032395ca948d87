"""Typed lifecycle settings, the defaults per environment, build_policy and canonical rendering."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from components.lifecycle import (
    BUILD_TAG_PREFIX,
    LifecycleSettings,
    TagRule,
    build_policy,
    check_build_tags_covered,
    defaults_for,
    render_policy,
    validate_policy,
)

PRODUCTION_POLICY = (
    '{"rules":['
    '{"rulePriority":1,"description":"Expire untagged images more than 7 days after push",'
    '"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":7},'
    '"action":{"type":"expire"}},'
    '{"rulePriority":2,"description":"Keep the newest 10 build-* images, expire older ones",'
    '"selection":{"tagStatus":"tagged","tagPatternList":["build-*"],"countType":"imageCountMoreThan",'
    '"countNumber":10},"action":{"type":"expire"}},'
    '{"rulePriority":3,"description":"Keep the newest 30 images, expire older ones that no earlier rule selected",'
    '"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":30},'
    '"action":{"type":"expire"}}]}'
)

DEVELOPMENT_POLICY = (
    '{"rules":['
    '{"rulePriority":1,"description":"Expire untagged images more than 3 days after push",'
    '"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":3},'
    '"action":{"type":"expire"}},'
    '{"rulePriority":2,"description":"Keep the newest 3 build-* images, expire older ones",'
    '"selection":{"tagStatus":"tagged","tagPatternList":["build-*"],"countType":"imageCountMoreThan",'
    '"countNumber":3},"action":{"type":"expire"}},'
    '{"rulePriority":3,"description":"Keep the newest 10 images, expire older ones that no earlier rule selected",'
    '"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":10},'
    '"action":{"type":"expire"}}]}'
)

# Stack config as YAML gives it: camelCase keys, lists.
CUSTOM_CONFIG: dict[str, Any] = {
    "untaggedExpireDays": 2,
    "rollbackWindow": 5,
    "tagRules": [
        {"tagPatternList": ["release-*"], "keepNewest": 20},
        {"tagPrefixList": ["pr-"], "daysSincePush": 14, "description": "Expire pull request images"},
        {"tagPatternList": ["v*"], "daysSincePull": 90, "action": "transition"},
    ],
    "keepNewestAny": 50,
    "archiveExpireDays": 365,
}


def ordered_pairs(text: str) -> Any:
    """Parse JSON keeping each object as its list of (key, value) pairs, in text order."""
    return json.loads(text, object_pairs_hook=list)


# ---------------------------------------------------------------------------------------------
# Defaults
# ---------------------------------------------------------------------------------------------


def test_production_defaults_render_exactly():
    assert render_policy(build_policy(defaults_for("production"))) == PRODUCTION_POLICY


def test_development_defaults_render_exactly():
    assert render_policy(build_policy(defaults_for("development"))) == DEVELOPMENT_POLICY


@pytest.mark.parametrize(("environment", "window"), [("production", 10), ("development", 3)])
def test_defaults_rollback_window(environment: str, window: int):
    settings = defaults_for(environment)
    build_rule = build_policy(settings)["rules"][1]

    assert settings.rollback_window == window
    assert build_rule["selection"]["tagPatternList"] == ["build-*"]
    assert build_rule["selection"]["countType"] == "imageCountMoreThan"
    assert build_rule["selection"]["countNumber"] == window


@pytest.mark.parametrize("environment", ["production", "development"])
def test_defaults_pass_every_check(environment: str):
    policy = build_policy(defaults_for(environment))

    assert validate_policy(policy) == []
    assert check_build_tags_covered(policy) == []


@pytest.mark.parametrize("environment", ["production", "development"])
def test_defaults_end_with_any_cap(environment: str):
    last = build_policy(defaults_for(environment))["rules"][-1]

    assert last["selection"]["tagStatus"] == "any"
    assert last["selection"]["countType"] == "imageCountMoreThan"


def test_development_keeps_fewer_builds_than_production():
    assert defaults_for("development").rollback_window < defaults_for("production").rollback_window


def test_model_defaults_are_production_defaults():
    assert LifecycleSettings() == defaults_for("production")


def test_unknown_environment_rejected():
    with pytest.raises(ValueError, match="unknown environment 'staging'"):
        defaults_for("staging")


def test_build_tag_prefix_matches_build_context():
    pytest.importorskip("docker")
    from components.build_context import BUILD_TAG_PREFIX as program_prefix

    assert BUILD_TAG_PREFIX == program_prefix


# ---------------------------------------------------------------------------------------------
# Settings from stack config
# ---------------------------------------------------------------------------------------------


def test_settings_read_camel_case_config():
    settings = LifecycleSettings.model_validate(CUSTOM_CONFIG)

    assert settings.untagged_expire_days == 2
    assert settings.rollback_window == 5
    assert settings.tag_rules[0].tag_pattern_list == ("release-*",)
    assert settings.tag_rules[2].action == "transition"
    assert settings.archive_expire_days == 365


def test_settings_accept_field_names():
    settings = LifecycleSettings(rollback_window=4, keep_newest_any=12)

    assert settings.rollback_window == 4
    assert settings.keep_newest_any == 12


def test_settings_reject_unknown_key():
    with pytest.raises(ValidationError, match="rollbackWindowSize"):
        LifecycleSettings.model_validate({"rollbackWindowSize": 5})


def test_settings_are_frozen():
    settings = defaults_for("production")

    with pytest.raises(ValidationError):
        settings.rollback_window = 1


def test_custom_settings_build_rules_in_order():
    policy = build_policy(LifecycleSettings.model_validate(CUSTOM_CONFIG))
    rules = policy["rules"]

    assert [rule["rulePriority"] for rule in rules] == [1, 2, 3, 4, 5, 6, 7]
    assert [rule["selection"]["tagStatus"] for rule in rules] == [
        "untagged",
        "tagged",
        "tagged",
        "tagged",
        "tagged",
        "any",
        "any",
    ]
    assert rules[1]["selection"]["tagPatternList"] == ["build-*"]
    assert rules[2]["selection"] == {
        "tagStatus": "tagged",
        "tagPatternList": ["release-*"],
        "countType": "imageCountMoreThan",
        "countNumber": 20,
    }
    assert rules[3]["description"] == "Expire pull request images"
    assert rules[3]["selection"]["tagPrefixList"] == ["pr-"]
    assert rules[3]["selection"]["countType"] == "sinceImagePushed"
    assert rules[4]["selection"]["countType"] == "sinceImagePulled"
    assert rules[4]["action"] == {"type": "transition", "targetStorageClass": "archive"}
    assert rules[6]["selection"]["storageClass"] == "archive"
    assert rules[6]["selection"]["countType"] == "sinceImageTransitioned"
    assert validate_policy(policy) == []


def test_untagged_rule_can_be_disabled():
    rules = build_policy(LifecycleSettings(untagged_expire_days=None))["rules"]

    assert [rule["selection"]["tagStatus"] for rule in rules] == ["tagged", "any"]


@pytest.mark.parametrize(
    ("tag_rule", "expected"),
    [
        ({"keepNewest": 5}, "give exactly one of tagPrefixList or tagPatternList"),
        (
            {"tagPrefixList": ["a"], "tagPatternList": ["b*"], "keepNewest": 5},
            "give exactly one of tagPrefixList or tagPatternList",
        ),
        ({"tagPatternList": ["a*"]}, "give exactly one of keepNewest, daysSincePush or daysSincePull"),
        (
            {"tagPatternList": ["a*"], "keepNewest": 5, "daysSincePush": 3},
            "give exactly one of keepNewest, daysSincePush or daysSincePull",
        ),
        ({"tagPatternList": ["a*"], "daysSincePull": 30}, "daysSincePull needs action: transition"),
        ({"tagPatternList": ["a*b*c*d*e*f"], "keepNewest": 5}, "has 5 wildcards"),
        ({"tagPatternList": [], "keepNewest": 5}, "the tag list is empty"),
        ({"tagPatternList": [""], "keepNewest": 5}, "the tag list contains an empty string"),
        ({"tagPatternList": ["a*"], "keepNewest": 0}, "greater than or equal to 1"),
        ({"tagPatternList": ["a*"], "keepNewest": 5, "action": "delete"}, "'expire' or 'transition'"),
    ],
)
def test_tag_rule_rejects_invalid_config(tag_rule: dict[str, Any], expected: str):
    with pytest.raises(ValidationError, match=expected):
        TagRule.model_validate(tag_rule)


def test_tag_rule_repeating_build_pattern_rejected():
    config = {"tagRules": [{"tagPrefixList": ["build-"], "daysSincePush": 1}]}

    with pytest.raises(ValidationError, match="selects the same tags as the tag list of rule 2"):
        LifecycleSettings.model_validate(config)


def test_archive_expiry_needs_90_days():
    with pytest.raises(ValidationError, match="greater than or equal to 90"):
        LifecycleSettings(archive_expire_days=30)


def test_too_many_tag_rules_rejected():
    # With the untagged, build-tag and final rules, 48 tag rules make 51 rules.
    tag_rules = [{"tagPatternList": [f"team{number}-*"], "keepNewest": 5} for number in range(48)]

    with pytest.raises(ValidationError, match="may contain at most 50 rules, got 51"):
        LifecycleSettings.model_validate({"tagRules": tag_rules})


# ---------------------------------------------------------------------------------------------
# Canonical rendering
# ---------------------------------------------------------------------------------------------


def test_equal_settings_render_identical_bytes():
    first = LifecycleSettings.model_validate(CUSTOM_CONFIG)
    second = LifecycleSettings.model_validate(json.loads(json.dumps(CUSTOM_CONFIG)))

    assert first is not second
    assert render_policy(build_policy(first)).encode() == render_policy(build_policy(second)).encode()


def test_rendering_sorts_rules_by_priority():
    policy = build_policy(defaults_for("production"))
    shuffled = {"rules": list(reversed(policy["rules"]))}

    assert render_policy(shuffled) == render_policy(policy)
    assert [rule["rulePriority"] for rule in json.loads(render_policy(shuffled))["rules"]] == [1, 2, 3]


def test_rendering_fixes_key_order():
    rule = {
        "action": {"targetStorageClass": "archive", "type": "transition"},
        "selection": {
            "countNumber": 30,
            "countUnit": "days",
            "countType": "sinceImagePushed",
            "tagPatternList": ["prod*"],
            "tagStatus": "tagged",
        },
        "description": "Archive old prod images",
        "rulePriority": 4,
    }
    archive_rule = {
        "action": {"type": "expire"},
        "selection": {
            "countNumber": 365,
            "countUnit": "days",
            "countType": "sinceImageTransitioned",
            "storageClass": "archive",
            "tagStatus": "any",
        },
        "rulePriority": 9,
    }

    parsed = ordered_pairs(render_policy({"rules": [archive_rule, rule]}))
    rules = parsed[0][1]
    first = dict(rules[0])
    second = dict(rules[1])

    assert [key for key, _ in parsed] == ["rules"]
    assert [key for key, _ in rules[0]] == ["rulePriority", "description", "selection", "action"]
    assert [key for key, _ in first["selection"]] == [
        "tagStatus",
        "tagPatternList",
        "countType",
        "countUnit",
        "countNumber",
    ]
    assert [key for key, _ in first["action"]] == ["type", "targetStorageClass"]
    assert [key for key, _ in rules[1]] == ["rulePriority", "selection", "action"]
    assert [key for key, _ in second["selection"]] == [
        "tagStatus",
        "storageClass",
        "countType",
        "countUnit",
        "countNumber",
    ]


def test_rendering_puts_prefix_list_after_tag_status():
    rule = {
        "rulePriority": 1,
        "selection": {
            "countNumber": 3,
            "countType": "imageCountMoreThan",
            "tagPrefixList": ["v"],
            "tagStatus": "tagged",
        },
        "action": {"type": "expire"},
    }

    selection = dict(ordered_pairs(render_policy({"rules": [rule]}))[0][1][0])["selection"]

    assert [key for key, _ in selection] == ["tagStatus", "tagPrefixList", "countType", "countNumber"]


def test_rendering_drops_null_values():
    rule = {
        "rulePriority": 1,
        "description": None,
        "selection": {
            "tagStatus": "any",
            "tagPatternList": None,
            "storageClass": None,
            "countType": "imageCountMoreThan",
            "countUnit": None,
            "countNumber": 5,
        },
        "action": {"type": "expire", "targetStorageClass": None},
    }

    text = render_policy({"rules": [rule]})

    assert "null" not in text
    assert text == (
        '{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan",'
        '"countNumber":5},"action":{"type":"expire"}}]}'
    )


@pytest.mark.parametrize("environment", ["production", "development"])
def test_rendering_has_no_whitespace_between_tokens(environment: str):
    text = render_policy(build_policy(defaults_for(environment)))

    assert "\n" not in text
    assert text == json.dumps(json.loads(text), separators=(",", ":"), ensure_ascii=False)


def test_rendering_keeps_non_ascii_text():
    settings = LifecycleSettings(
        tag_rules=(TagRule(tag_pattern_list=("é*",), keep_newest=2, description="Café"),)
    )

    assert '"description":"Café"' in render_policy(build_policy(settings))


def test_rendering_rejects_unknown_key():
    rule = {**build_policy(defaults_for("production"))["rules"][0], "enabled": True}

    with pytest.raises(ValueError, match="rule 1 has keys that ECR does not document: enabled"):
        render_policy({"rules": [rule]})


def test_rendering_rejects_rule_without_priority():
    with pytest.raises(ValueError, match="rule at position 1 has no integer rulePriority"):
        render_policy({"rules": [{"selection": {}, "action": {}}]})
