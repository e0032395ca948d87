"""ECR lifecycle policies: typed settings, the policy document, its validation and an offline preview.

The policy rules and their evaluation follow three pages of the Amazon ECR User Guide:
"Lifecycle policy properties in Amazon ECR", "Automate the cleanup of images by using lifecycle
policies in Amazon ECR" (its section "Lifecycle policy evaluation rules") and "Examples of
lifecycle policies in Amazon ECR". API field names and length limits come from botocore's ECR
service model (API version 2015-09-21, as shipped in botocore 1.44.8). The module imports no
Pulumi code, so the preview tool and the tests run without a stack.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, Literal, NamedTuple, Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

# The program tags every image it builds `build-` plus 16 lowercase hex digits of its content
# hash (BUILD_TAG_PREFIX in components/build_context.py). Keep these in step with it.
BUILD_TAG_PREFIX = "build-"
BUILD_TAG_PATTERN = BUILD_TAG_PREFIX + "*"
SAMPLE_BUILD_TAG = BUILD_TAG_PREFIX + "0123456789abcdef"

Environment = Literal["development", "production"]
Severity = Literal["error", "warning"]

TAG_STATUSES = ("tagged", "untagged", "any")
COUNT_TYPES = ("imageCountMoreThan", "sinceImagePushed", "sinceImagePulled", "sinceImageTransitioned")
AGE_COUNT_TYPES = ("sinceImagePushed", "sinceImagePulled", "sinceImageTransitioned")
STORAGE_CLASSES = ("standard", "archive")
ACTION_TYPES = ("expire", "transition")
COUNT_UNIT = "days"
ARCHIVE_STORAGE_CLASS = "archive"

# The keys ECR documents for each object of a policy, in the order render_policy writes them.
POLICY_KEYS = ("rules",)
RULE_KEYS = ("rulePriority", "description", "selection", "action")
SELECTION_KEYS = (
    "tagStatus",
    "tagPatternList",
    "tagPrefixList",
    "storageClass",
    "countType",
    "countUnit",
    "countNumber",
)
ACTION_KEYS = ("type", "targetStorageClass")

# "Rules per lifecycle policy": 50, not adjustable (Amazon ECR service quotas).
MAX_RULES = 50
# `LifecyclePolicyText` is 100 to 30720 characters in botocore's ECR model (PutLifecyclePolicy,
# StartLifecyclePolicyPreview). The service quotas page also lists 30,720 characters.
MIN_POLICY_TEXT_LENGTH = 100
MAX_POLICY_TEXT_LENGTH = 30720
# "There is a maximum limit of four wildcards (*) per string" (Lifecycle policy properties).
MAX_PATTERN_WILDCARDS = 4
# Archived images have a minimum storage duration of 90 days, and a lifecycle policy cannot
# delete images archived for less than that ("Archiving an image" in the ECR User Guide).
MIN_DAYS_IN_ARCHIVE = 90
# `ImageTag` is 1 to 300 characters in botocore's ECR model.
MAX_IMAGE_TAG_LENGTH = 300
# NOTE: ECR documents no length limit for `description` and no maximum for `countNumber` or
# `rulePriority`. Only the length of the whole policy text is checked for them.

SECONDS_PER_DAY = 86400
_MISSING = object()


@dataclass(frozen=True)
class Violation:
    """A problem in a lifecycle policy document.

    `rule_priority` is None for a problem of the whole policy, or of a rule without a valid
    rulePriority. `field` is the dotted path inside the rule (`selection.countNumber`), `rule`
    for a rule that is not an object, or the top-level key (`rules`) for the whole policy.
    """

    rule_priority: Optional[int]
    field: str
    message: str
    severity: Severity = "error"


class InvalidPolicyError(ValueError):
    """Raised by `preview` for a policy with errors. `violations` lists them."""

    def __init__(self, violations: Sequence[Violation]):
        super().__init__("\n".join(violation.message for violation in violations))
        self.violations = list(violations)


class InvalidImageDataError(ValueError):
    """Raised by `preview` for image details it cannot read. The message names the image and field."""


# ---------------------------------------------------------------------------------------------
# Typed settings
# ---------------------------------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=True)


class TagRule(_Model):
    """A rule for tagged images, applied after the rule for build-tagged images.

    Give one tag list and one criterion. `keepNewest` keeps the newest N matching images
    (countType imageCountMoreThan). `daysSincePush` acts on images pushed more than N days ago
    (sinceImagePushed). `daysSincePull` acts on images not pulled for more than N days
    (sinceImagePulled), which ECR allows only with the `transition` action.
    """

    description: Optional[str] = None
    tag_prefix_list: Optional[tuple[str, ...]] = None
    tag_pattern_list: Optional[tuple[str, ...]] = None
    keep_newest: Optional[int] = Field(default=None, ge=1)
    days_since_push: Optional[int] = Field(default=None, ge=1)
    days_since_pull: Optional[int] = Field(default=None, ge=1)
    action: Literal["expire", "transition"] = "expire"

    @field_validator("tag_prefix_list", "tag_pattern_list")
    @classmethod
    def _tag_list_is_usable(cls, entries: Optional[tuple[str, ...]]) -> Optional[tuple[str, ...]]:
        if entries is None:
            return None
        if not entries:
            raise ValueError("the tag list is empty. List at least one tag prefix or pattern.")
        for entry in entries:
            if not entry:
                raise ValueError("the tag list contains an empty string. Remove it.")
        return entries

    @model_validator(mode="after")
    def _one_list_one_criterion(self) -> TagRule:
        if (self.tag_prefix_list is None) == (self.tag_pattern_list is None):
            raise ValueError("give exactly one of tagPrefixList or tagPatternList.")
        for pattern in self.tag_pattern_list or ():
            if pattern.count("*") > MAX_PATTERN_WILDCARDS:
                raise ValueError(
                    f"tag pattern {pattern!r} has {pattern.count('*')} wildcards, but ECR allows at "
                    f"most {MAX_PATTERN_WILDCARDS} per pattern. Remove wildcards."
                )
        criteria = [self.keep_newest, self.days_since_push, self.days_since_pull]
        if sum(value is not None for value in criteria) != 1:
            raise ValueError("give exactly one of keepNewest, daysSincePush or daysSincePull.")
        if self.days_since_pull is not None and self.action != "transition":
            raise ValueError(
                "daysSincePull needs action: transition, because ECR allows the sinceImagePulled "
                "count type only with the transition action."
            )
        return self


class LifecycleSettings(_Model):
    """Lifecycle rules for a service's ECR repository, with camelCase keys in stack config.

    `build_policy` emits the rules in this order:

    1. Untagged images expire `untaggedExpireDays` after push (no rule when it is null).
    2. Images with a `build-*` tag expire beyond the newest `rollbackWindow` of them.
    3. Each of `tagRules`.
    4. Images expire beyond the newest `keepNewestAny`, unless an earlier rule selected them.
    5. If `archiveExpireDays` is set, archived images expire that many days after archiving.

    A field left out takes the production default.
    """

    untagged_expire_days: Optional[int] = Field(default=7, ge=1)
    rollback_window: int = Field(default=10, ge=1)
    tag_rules: tuple[TagRule, ...] = ()
    keep_newest_any: int = Field(default=30, ge=1)
    archive_expire_days: Optional[int] = Field(default=None, ge=MIN_DAYS_IN_ARCHIVE)

    @model_validator(mode="after")
    def _built_policy_is_valid(self) -> LifecycleSettings:
        errors = [
            violation.message
            for violation in validate_policy(build_policy(self))
            if violation.severity == "error"
        ]
        if errors:
            raise ValueError("the lifecycle policy built from these settings is invalid: " + " ".join(errors))
        return self


_ENVIRONMENT_DEFAULTS: dict[str, dict[str, int]] = {
    "development": {"untagged_expire_days": 3, "rollback_window": 3, "keep_newest_any": 10},
    "production": {"untagged_expire_days": 7, "rollback_window": 10, "keep_newest_any": 30},
}


def defaults_for(environment: Environment) -> LifecycleSettings:
    """Return the default lifecycle settings of an environment, "development" or "production"."""
    try:
        values = _ENVIRONMENT_DEFAULTS[environment]
    except KeyError:
        raise ValueError(f'unknown environment {environment!r}. Use "development" or "production".') from None
    return LifecycleSettings(**values)


# ---------------------------------------------------------------------------------------------
# Policy document
# ---------------------------------------------------------------------------------------------


def build_policy(settings: LifecycleSettings) -> dict[str, Any]:
    """Build the ECR lifecycle policy document for `settings`, with rulePriority 1, 2, … in order."""
    rules: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    if settings.untagged_expire_days is not None:
        days = settings.untagged_expire_days
        rules.append(
            (
                f"Expire untagged images more than {days} days after push",
                {
                    "tagStatus": "untagged",
                    "countType": "sinceImagePushed",
                    "countUnit": COUNT_UNIT,
                    "countNumber": days,
                },
                {"type": "expire"},
            )
        )
    # The build-tag rule comes before every other tagged rule. An image that a rule selects is
    # out of reach of later rules, so no later rule can act on a build-tagged image.
    rules.append(
        (
            f"Keep the newest {settings.rollback_window} {BUILD_TAG_PATTERN} images, expire older ones",
            {
                "tagStatus": "tagged",
                "tagPatternList": [BUILD_TAG_PATTERN],
                "countType": "imageCountMoreThan",
                "countNumber": settings.rollback_window,
            },
            {"type": "expire"},
        )
    )
    rules.extend(_tag_rule_parts(tag_rule) for tag_rule in settings.tag_rules)
    rules.append(
        (
            f"Keep the newest {settings.keep_newest_any} images, "
            "expire older ones that no earlier rule selected",
            {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": settings.keep_newest_any},
            {"type": "expire"},
        )
    )
    if settings.archive_expire_days is not None:
        rules.append(
            (
                f"Expire images archived more than {settings.archive_expire_days} days ago",
                {
                    "tagStatus": "any",
                    "storageClass": ARCHIVE_STORAGE_CLASS,
                    "countType": "sinceImageTransitioned",
                    "countUnit": COUNT_UNIT,
                    "countNumber": settings.archive_expire_days,
                },
                {"type": "expire"},
            )
        )
    return {
        "rules": [
            {"rulePriority": priority, "description": description, "selection": selection, "action": action}
            for priority, (description, selection, action) in enumerate(rules, start=1)
        ]
    }


def _tag_rule_parts(rule: TagRule) -> tuple[str, dict[str, Any], dict[str, Any]]:
    if rule.tag_pattern_list is not None:
        selection: dict[str, Any] = {"tagStatus": "tagged", "tagPatternList": list(rule.tag_pattern_list)}
        tags = ", ".join(rule.tag_pattern_list)
    else:
        selection = {"tagStatus": "tagged", "tagPrefixList": list(rule.tag_prefix_list or ())}
        tags = ", ".join(f"{prefix}*" for prefix in rule.tag_prefix_list or ())
    verb = "Expire" if rule.action == "expire" else "Archive"
    if rule.keep_newest is not None:
        selection.update(countType="imageCountMoreThan", countNumber=rule.keep_newest)
        summary = f"{verb} {tags} images beyond the newest {rule.keep_newest}"
    elif rule.days_since_push is not None:
        selection.update(countType="sinceImagePushed", countUnit=COUNT_UNIT, countNumber=rule.days_since_push)
        summary = f"{verb} {tags} images more than {rule.days_since_push} days after push"
    else:
        selection.update(countType="sinceImagePulled", countUnit=COUNT_UNIT, countNumber=rule.days_since_pull)
        summary = f"{verb} {tags} images not pulled for more than {rule.days_since_pull} days"
    action: dict[str, Any] = {"type": rule.action}
    if rule.action == "transition":
        action["targetStorageClass"] = ARCHIVE_STORAGE_CLASS
    return rule.description or summary, selection, action


def render_policy(policy: Mapping[str, Any]) -> str:
    """Render a policy document as canonical JSON text.

    Rules are sorted by rulePriority, and the keys of each object follow RULE_KEYS,
    SELECTION_KEYS and ACTION_KEYS. Keys whose value is None are left out, and the separators
    carry no whitespace, so equal policies give equal bytes. Raises ValueError for a key that
    ECR does not document or a rule without an integer rulePriority, since rendering would
    otherwise drop or misplace it.
    """
    _reject_unknown_keys(policy, POLICY_KEYS, "the policy")
    rules = policy.get("rules")
    if not isinstance(rules, list):
        raise ValueError(f"the policy's rules must be a list, got {_show(rules)}. Run validate_policy first.")
    for position, rule in enumerate(rules, start=1):
        if not isinstance(rule, Mapping) or not _is_int(rule.get("rulePriority")):
            raise ValueError(
                f"rule at position {position} has no integer rulePriority. Run validate_policy first."
            )
    ordered = [_ordered_rule(rule) for rule in sorted(rules, key=lambda rule: rule["rulePriority"])]
    return json.dumps({"rules": ordered}, separators=(",", ":"), ensure_ascii=False)


def _ordered_rule(rule: Mapping[str, Any]) -> dict[str, Any]:
    where = f"rule {rule['rulePriority']}"
    _reject_unknown_keys(rule, RULE_KEYS, where)
    ordered = _ordered_object(rule, RULE_KEYS)
    for key, allowed in (("selection", SELECTION_KEYS), ("action", ACTION_KEYS)):
        value = ordered.get(key)
        if isinstance(value, Mapping):
            _reject_unknown_keys(value, allowed, f"{where} {key}")
            ordered[key] = _ordered_object(value, allowed)
    return ordered


def _ordered_object(source: Mapping[str, Any], keys: Sequence[str]) -> dict[str, Any]:
    return {key: source[key] for key in keys if source.get(key) is not None}


def _reject_unknown_keys(source: Any, allowed: Sequence[str], where: str) -> None:
    if not isinstance(source, Mapping):
        raise ValueError(f"{where} must be a JSON object, got {_show(source)}. Run validate_policy first.")
    unknown = sorted(str(key) for key in source if key not in allowed)
    if unknown:
        raise ValueError(f"{where} has keys that ECR does not document: {', '.join(unknown)}. Remove them.")


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _TagList:
    """A valid tagPatternList or tagPrefixList of a tagged rule."""

    key: str
    entries: tuple[str, ...]

    def selected_tags(self) -> frozenset[tuple[str, str]]:
        """Return the entries in a form where lists selecting the same tags compare equal.

        A prefix `p` selects the same tags as the pattern `p*`, unless `p` contains a `*`,
        which a prefix takes literally.
        """
        if self.key == "tagPatternList":
            return frozenset(("pattern", entry) for entry in self.entries)
        return frozenset(
            ("prefix", entry) if "*" in entry else ("pattern", entry + "*") for entry in self.entries
        )


class _SelectionFacts(NamedTuple):
    """The valid values of a rule's selection, with defaults where a value is invalid or missing."""

    tag_status: Optional[str] = None
    storage_class: str = "standard"
    tag_list: Optional[_TagList] = None
    count_type: Optional[str] = None
    count_number: Any = _MISSING


@dataclass(frozen=True)
class _RuleFacts:
    """Facts of one rule that the cross-rule checks use. A field is None where its value is invalid."""

    position: int
    priority: Optional[int]
    label: str
    tag_status: Optional[str]
    storage_class: str
    tag_list: Optional[_TagList]
    action_type: Optional[str]


def validate_policy(policy: Any) -> list[Violation]:
    """Check a policy document against every rule the ECR User Guide documents.

    Returns errors (ECR would reject the policy, or the policy cannot work as written) and
    warnings (the policy is accepted but can never expire an image, or contains a tag entry
    that can never match). Each message names the rule priority, the field, the bad value and
    the fix. An empty list means the policy is valid.
    """
    if not isinstance(policy, Mapping):
        return [
            _violation(
                None,
                "policy",
                "rules",
                "must be a JSON object with a rules list",
                policy,
                'Write the policy as {"rules": [...]}.',
            )
        ]
    violations = _unknown_key_violations(None, "policy", "", policy, POLICY_KEYS)
    rules = policy.get("rules", _MISSING)
    if not isinstance(rules, list):
        violations.append(
            _violation(
                None,
                "policy",
                "rules",
                "must be a list of rules",
                rules,
                'Write the policy as {"rules": [...]}.',
            )
        )
        return violations
    if not rules:
        violations.append(
            _violation(None, "policy", "rules", "must contain at least one rule", rules, "Add a rule.")
        )
    if len(rules) > MAX_RULES:
        violations.append(
            _violation(
                None,
                "policy",
                "rules",
                f"may contain at most {MAX_RULES} rules",
                len(rules),
                "Merge or remove rules.",
            )
        )
    facts: list[_RuleFacts] = []
    for position, rule in enumerate(rules, start=1):
        rule_facts, rule_violations = _validate_rule(position, rule)
        violations.extend(rule_violations)
        if rule_facts is not None:
            facts.append(rule_facts)
    violations.extend(_duplicate_priority_violations(facts))
    violations.extend(_storage_class_violations(facts))
    violations.extend(_policy_length_violations(policy))
    action_types = [rule_facts.action_type for rule_facts in facts]
    # Only a policy whose actions are all valid is known to expire nothing.
    if action_types and None not in action_types and "expire" not in action_types:
        violations.append(
            _violation(
                None,
                "policy",
                "rules",
                'contain no rule with action type "expire"',
                action_types,
                "Nothing will ever be deleted. "
                "Add an expire rule if the repository should not grow without limit.",
                severity="warning",
            )
        )
    return violations


def check_build_tags_covered(policy: Any, sample_tag: str = SAMPLE_BUILD_TAG) -> list[Violation]:
    """Warn when no rule would select an active image tagged only `sample_tag`.

    Such an image is selected by a tagged rule whose tag list matches the tag, or by a
    `tagStatus: any` rule. Without either, the images the program builds are never cleaned up.
    """
    rules = policy.get("rules") if isinstance(policy, Mapping) else None
    for rule in rules if isinstance(rules, list) else ():
        selection = rule.get("selection") if isinstance(rule, Mapping) else None
        if not isinstance(selection, Mapping):
            continue
        if selection.get("storageClass", "standard") != "standard":
            continue
        status = selection.get("tagStatus")
        if status == "any":
            return []
        if (
            status == "tagged"
            and _has_string_tag_lists(selection)
            and _selection_matches_tags(selection, (sample_tag,))
        ):
            return []
    message = (
        f'policy: rules select no image tagged "{sample_tag}" and contain no tagStatus "any" rule, so '
        "build-tagged images are never expired. Add a tagged rule with tagPatternList "
        f'["{BUILD_TAG_PATTERN}"] or a final tagStatus "any" rule.'
    )
    return [Violation(None, "rules", message, "warning")]


def _has_string_tag_lists(selection: Mapping[str, Any]) -> bool:
    lists = [selection[key] for key in ("tagPatternList", "tagPrefixList") if key in selection]
    return (
        len(lists) == 1 and isinstance(lists[0], list) and all(isinstance(entry, str) for entry in lists[0])
    )


def _validate_rule(position: int, rule: Any) -> tuple[Optional[_RuleFacts], list[Violation]]:
    if not isinstance(rule, Mapping):
        label = f"rule at position {position}"
        return None, [
            _violation(
                None,
                label,
                "rule",
                "must be a JSON object",
                rule,
                "Write each rule as an object with rulePriority, selection and action.",
            )
        ]
    raw_priority = rule.get("rulePriority", _MISSING)
    priority = raw_priority if _is_int(raw_priority) and raw_priority >= 1 else None
    label = f"rule {priority}" if priority is not None else f"rule at position {position}"
    violations = _unknown_key_violations(priority, label, "", rule, RULE_KEYS)
    if priority is None:
        violations.append(
            _violation(
                None,
                label,
                "rulePriority",
                "must be an integer of at least 1",
                raw_priority,
                "Give each rule a unique rulePriority of 1 or more. Rules apply from the lowest number.",
            )
        )
    description = rule.get("description", _MISSING)
    if description is not _MISSING and not isinstance(description, str):
        violations.append(
            _violation(
                priority,
                label,
                "description",
                "must be a string",
                description,
                "Write the description as text or remove it.",
            )
        )

    selection = rule.get("selection", _MISSING)
    selection_facts = _SelectionFacts()
    if isinstance(selection, Mapping):
        selection_facts, selection_violations = _validate_selection(priority, label, selection)
        violations.extend(selection_violations)
    else:
        violations.append(
            _violation(
                priority,
                label,
                "selection",
                "must be a JSON object",
                selection,
                "Add a selection with tagStatus, countType and countNumber.",
            )
        )

    action = rule.get("action", _MISSING)
    action_type: Optional[str] = None
    if isinstance(action, Mapping):
        action_type, action_violations = _validate_action(priority, label, action)
        violations.extend(action_violations)
    else:
        violations.append(
            _violation(
                priority,
                label,
                "action",
                "must be a JSON object",
                action,
                'Add an action such as {"type": "expire"}.',
            )
        )
    violations.extend(
        _pairing_violations(
            priority, label, selection_facts.count_type, selection_facts.count_number, action_type
        )
    )
    facts = _RuleFacts(
        position,
        priority,
        label,
        selection_facts.tag_status,
        selection_facts.storage_class,
        selection_facts.tag_list,
        action_type,
    )
    return facts, violations


def _validate_selection(
    priority: Optional[int], label: str, selection: Mapping[str, Any]
) -> tuple[_SelectionFacts, list[Violation]]:
    violations = _unknown_key_violations(priority, label, "selection.", selection, SELECTION_KEYS)

    tag_status = selection.get("tagStatus", _MISSING)
    if tag_status not in TAG_STATUSES:
        violations.append(
            _violation(
                priority,
                label,
                "selection.tagStatus",
                "must be one of " + _choices(TAG_STATUSES),
                tag_status,
                "Set tagStatus to tagged, untagged or any.",
            )
        )
        tag_status = None
    tag_list, tag_violations = _validate_tag_lists(priority, label, selection, tag_status)
    violations.extend(tag_violations)

    count_type = selection.get("countType", _MISSING)
    if count_type not in COUNT_TYPES:
        violations.append(
            _violation(
                priority,
                label,
                "selection.countType",
                "must be one of " + _choices(COUNT_TYPES),
                count_type,
                "Use imageCountMoreThan to keep the newest N images, or a since* "
                'count type with countUnit "days".',
            )
        )
        count_type = None

    count_unit = selection.get("countUnit", _MISSING)
    if count_type in AGE_COUNT_TYPES and count_unit != COUNT_UNIT:
        violations.append(
            _violation(
                priority,
                label,
                "selection.countUnit",
                f'must be "days" when countType is "{count_type}"',
                count_unit,
                'Set countUnit to "days".',
            )
        )
    if count_type == "imageCountMoreThan" and count_unit is not _MISSING:
        violations.append(
            _violation(
                priority,
                label,
                "selection.countUnit",
                'must be left out when countType is "imageCountMoreThan"',
                count_unit,
                "Remove countUnit.",
            )
        )

    count_number = selection.get("countNumber", _MISSING)
    if not (_is_int(count_number) and count_number >= 1):
        violations.append(
            _violation(
                priority,
                label,
                "selection.countNumber",
                "must be an integer of at least 1",
                count_number,
                "Set countNumber to a positive whole number.",
            )
        )
        count_number = _MISSING

    storage_class, storage_violations = _validate_storage_class(priority, label, selection, count_type)
    violations.extend(storage_violations)
    return _SelectionFacts(tag_status, storage_class, tag_list, count_type, count_number), violations


def _validate_tag_lists(
    priority: Optional[int], label: str, selection: Mapping[str, Any], tag_status: Optional[str]
) -> tuple[Optional[_TagList], list[Violation]]:
    violations: list[Violation] = []
    present = [key for key in ("tagPatternList", "tagPrefixList") if key in selection]
    if tag_status == "tagged" and not present:
        violations.append(
            _violation(
                priority,
                label,
                "selection.tagPatternList",
                'or tagPrefixList is required when tagStatus is "tagged"',
                _MISSING,
                'Add a tagPatternList such as ["prod*"], or a tagPrefixList.',
            )
        )
    if tag_status == "tagged" and len(present) == 2:
        violations.append(
            _violation(
                priority,
                label,
                "selection.tagPrefixList",
                "cannot be combined with tagPatternList in one rule",
                selection["tagPrefixList"],
                "Keep one of the two lists. Use a second rule for the other.",
            )
        )
    if tag_status in ("untagged", "any"):
        for key in present:
            violations.append(
                _violation(
                    priority,
                    label,
                    f"selection.{key}",
                    f'must be left out when tagStatus is "{tag_status}"',
                    selection[key],
                    f'Remove {key}, or set tagStatus to "tagged".',
                )
            )
    tag_list: Optional[_TagList] = None
    for key in present:
        entries = selection[key]
        list_violations = _tag_list_violations(priority, label, key, entries)
        violations.extend(list_violations)
        list_is_valid = not any(violation.severity == "error" for violation in list_violations)
        if list_is_valid and tag_status == "tagged" and len(present) == 1:
            tag_list = _TagList(key, tuple(entries))
    return tag_list, violations


def _tag_list_violations(priority: Optional[int], label: str, key: str, entries: Any) -> list[Violation]:
    field = f"selection.{key}"
    if not isinstance(entries, list) or not entries:
        return [
            _violation(
                priority,
                label,
                field,
                "must be a non-empty list of strings",
                entries,
                "List at least one tag prefix or pattern.",
            )
        ]
    violations: list[Violation] = []
    for entry in entries:
        if not isinstance(entry, str) or not entry:
            violations.append(
                _violation(
                    priority,
                    label,
                    field,
                    "must contain only non-empty strings",
                    entry,
                    "Remove the entry or write it as a non-empty string.",
                )
            )
            continue
        if key == "tagPatternList" and entry.count("*") > MAX_PATTERN_WILDCARDS:
            violations.append(
                _violation(
                    priority,
                    label,
                    field,
                    f"entries may contain at most {MAX_PATTERN_WILDCARDS} wildcards (*)",
                    entry,
                    "Remove wildcards from the pattern.",
                )
            )
        literal_length = len(entry.replace("*", "")) if key == "tagPatternList" else len(entry)
        if literal_length > MAX_IMAGE_TAG_LENGTH:
            violations.append(
                _violation(
                    priority,
                    label,
                    field,
                    f"entry needs more than {MAX_IMAGE_TAG_LENGTH} characters in a tag, "
                    "the maximum tag length, so it can never match",
                    entry,
                    "Shorten the entry.",
                    severity="warning",
                )
            )
    return violations


def _validate_storage_class(
    priority: Optional[int], label: str, selection: Mapping[str, Any], count_type: Optional[str]
) -> tuple[str, list[Violation]]:
    storage_class = selection.get("storageClass", _MISSING)
    field = "selection.storageClass"
    if storage_class is not _MISSING and storage_class not in STORAGE_CLASSES:
        fix = 'Set storageClass to "archive" for sinceImageTransitioned, or leave it out for "standard".'
        return "standard", [
            _violation(
                priority, label, field, "must be one of " + _choices(STORAGE_CLASSES), storage_class, fix
            )
        ]
    if count_type == "sinceImageTransitioned" and storage_class != ARCHIVE_STORAGE_CLASS:
        return ARCHIVE_STORAGE_CLASS, [
            _violation(
                priority,
                label,
                field,
                'must be "archive" when countType is "sinceImageTransitioned"',
                storage_class,
                'Set storageClass to "archive".',
            )
        ]
    if (
        count_type in ("imageCountMoreThan", "sinceImagePushed", "sinceImagePulled")
        and storage_class == ARCHIVE_STORAGE_CLASS
    ):
        return ARCHIVE_STORAGE_CLASS, [
            _violation(
                priority,
                label,
                field,
                f'must be "standard" or left out when countType is "{count_type}"',
                storage_class,
                'Use countType "sinceImageTransitioned" to select '
                "archived images, or remove storageClass.",
            )
        ]
    return "standard" if storage_class is _MISSING else storage_class, []


def _validate_action(
    priority: Optional[int], label: str, action: Mapping[str, Any]
) -> tuple[Optional[str], list[Violation]]:
    violations = _unknown_key_violations(priority, label, "action.", action, ACTION_KEYS)
    action_type = action.get("type", _MISSING)
    if action_type not in ACTION_TYPES:
        violations.append(
            _violation(
                priority,
                label,
                "action.type",
                "must be one of " + _choices(ACTION_TYPES),
                action_type,
                'Set type to "expire" to delete images or "transition" to archive them.',
            )
        )
        action_type = None
    target = action.get("targetStorageClass", _MISSING)
    if action_type == "transition" and target != ARCHIVE_STORAGE_CLASS:
        violations.append(
            _violation(
                priority,
                label,
                "action.targetStorageClass",
                'must be "archive" when type is "transition"',
                target,
                'Set targetStorageClass to "archive".',
            )
        )
    # ECR documents targetStorageClass only for transition, so it is rejected on expire.
    if action_type == "expire" and target is not _MISSING:
        violations.append(
            _violation(
                priority,
                label,
                "action.targetStorageClass",
                'must be left out when type is "expire"',
                target,
                "Remove targetStorageClass.",
            )
        )
    return action_type, violations


def _pairing_violations(
    priority: Optional[int],
    label: str,
    count_type: Optional[str],
    count_number: Any,
    action_type: Optional[str],
) -> list[Violation]:
    violations: list[Violation] = []
    if count_type == "sinceImagePulled" and action_type == "expire":
        violations.append(
            _violation(
                priority,
                label,
                "action.type",
                'must be "transition" when countType is "sinceImagePulled"',
                action_type,
                "Archive with sinceImagePulled first, then expire with a sinceImageTransitioned "
                'rule on storageClass "archive".',
            )
        )
    if count_type == "sinceImageTransitioned" and action_type == "transition":
        violations.append(
            _violation(
                priority,
                label,
                "action.type",
                'must be "expire" when countType is "sinceImageTransitioned"',
                action_type,
                'Set type to "expire".',
            )
        )
    if (
        count_type == "sinceImageTransitioned"
        and _is_int(count_number)
        and count_number < MIN_DAYS_IN_ARCHIVE
    ):
        violations.append(
            _violation(
                priority,
                label,
                "selection.countNumber",
                f'must be at least {MIN_DAYS_IN_ARCHIVE} when countType is "sinceImageTransitioned", '
                f"because archived images have a {MIN_DAYS_IN_ARCHIVE}-day minimum storage duration",
                count_number,
                f"Set countNumber to {MIN_DAYS_IN_ARCHIVE} or more.",
            )
        )
    return violations


def _duplicate_priority_violations(facts: list[_RuleFacts]) -> list[Violation]:
    violations: list[Violation] = []
    first_position: dict[int, int] = {}
    for rule in facts:
        if rule.priority is None:
            continue
        if rule.priority in first_position:
            violations.append(
                Violation(
                    rule.priority,
                    "rulePriority",
                    f"{rule.label} (position {rule.position}): rulePriority must be unique, got "
                    f"{rule.priority}, which the rule at position {first_position[rule.priority]} also "
                    "uses. Give this rule another rulePriority.",
                )
            )
        else:
            first_position[rule.priority] = rule.position
    return violations


def _storage_class_violations(facts: list[_RuleFacts]) -> list[Violation]:
    """Check the evaluation rules that the ECR User Guide states per storage class.

    Among the rules of one storage class, a tagStatus "any" rule must have the highest
    rulePriority, only one rule may select untagged images, and the tag lists must be unique.
    The archive example "Combining archive and expire rules" has a tagStatus "any" rule in
    each storage class, which is why these checks group rules by storage class.
    """
    violations: list[Violation] = []
    for storage_class in STORAGE_CLASSES:
        group = sorted(
            (rule for rule in facts if rule.storage_class == storage_class and rule.tag_status),
            key=lambda rule: (rule.priority is None, rule.priority or 0, rule.position),
        )
        violations.extend(_any_rule_not_last_violations(storage_class, group))
        violations.extend(_extra_untagged_rule_violations(storage_class, group))
        violations.extend(_repeated_tag_list_violations(storage_class, group))
    return violations


def _any_rule_not_last_violations(storage_class: str, group: list[_RuleFacts]) -> list[Violation]:
    highest = max((rule.priority for rule in group if rule.priority is not None), default=None)
    return [
        Violation(
            rule.priority,
            "selection.tagStatus",
            f'{rule.label}: selection.tagStatus is "any", so this rule needs the highest rulePriority '
            f"of the {storage_class} storage class rules, got {rule.priority} while rule {highest} "
            f"comes later. Give this rule a rulePriority above {highest}.",
        )
        for rule in group
        if rule.tag_status == "any" and rule.priority is not None and rule.priority != highest
    ]


def _extra_untagged_rule_violations(storage_class: str, group: list[_RuleFacts]) -> list[Violation]:
    untagged = [rule for rule in group if rule.tag_status == "untagged"]
    return [
        Violation(
            rule.priority,
            "selection.tagStatus",
            f'{rule.label}: selection.tagStatus is "untagged", but {untagged[0].label} already '
            f"selects the untagged images of the {storage_class} storage class, and only one rule "
            "per storage class may. Merge the two rules or remove one.",
        )
        for rule in untagged[1:]
    ]


def _repeated_tag_list_violations(storage_class: str, group: list[_RuleFacts]) -> list[Violation]:
    violations: list[Violation] = []
    first_rule_with: dict[frozenset[tuple[str, str]], _RuleFacts] = {}
    for rule in group:
        if rule.tag_list is None:
            continue
        earlier = first_rule_with.setdefault(rule.tag_list.selected_tags(), rule)
        if earlier is rule:
            continue
        violations.append(
            Violation(
                rule.priority,
                f"selection.{rule.tag_list.key}",
                f"{rule.label}: selection.{rule.tag_list.key} selects the same tags as the tag list of "
                f"{earlier.label}, got {_show(list(rule.tag_list.entries))}, but the tag lists of the "
                f"{storage_class} storage class rules must be unique. Merge the two rules or change one list.",
            )
        )
    return violations


def _policy_length_violations(policy: Mapping[str, Any]) -> list[Violation]:
    # The canonical text is what the program submits. For a policy that cannot be rendered,
    # the compact JSON of the document is measured instead.
    try:
        text = render_policy(policy)
    except (ValueError, TypeError):
        text = json.dumps(policy, separators=(",", ":"), ensure_ascii=False, default=str)
    if MIN_POLICY_TEXT_LENGTH <= len(text) <= MAX_POLICY_TEXT_LENGTH:
        return []
    return [
        _violation(
            None,
            "policy",
            "rules",
            f"must render to {MIN_POLICY_TEXT_LENGTH} to {MAX_POLICY_TEXT_LENGTH} characters of JSON "
            "(LifecyclePolicyText in the ECR API)",
            f"{len(text)} characters",
            (
                "Add or complete rules."
                if len(text) < MIN_POLICY_TEXT_LENGTH
                else "Shorten descriptions or tag lists, or merge rules."
            ),
        )
    ]


def _unknown_key_violations(
    priority: Optional[int], label: str, prefix: str, source: Mapping[str, Any], allowed: Sequence[str]
) -> list[Violation]:
    return [
        _violation(
            priority,
            label,
            f"{prefix}{key}",
            "is not a field of a lifecycle policy",
            source[key],
            f"Remove it. Allowed fields here: {', '.join(allowed)}.",
        )
        for key in source
        if key not in allowed
    ]


def _violation(
    priority: Optional[int],
    label: str,
    field: str,
    requirement: str,
    value: Any,
    fix: str,
    severity: Severity = "error",
) -> Violation:
    message = f"{label}: {field} {requirement}, got {_show(value)}. {fix}"
    return Violation(priority, field, message, severity)


def _show(value: Any) -> str:
    if value is _MISSING:
        return "nothing"
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def _choices(values: Sequence[str]) -> str:
    return ", ".join(f'"{value}"' for value in values)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# ---------------------------------------------------------------------------------------------
# Tag matching
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=1024)
def _pattern_regex(pattern: str) -> re.Pattern[str]:
    # `*` matches any run of characters, including none, so `prod*` matches `prod` and `prod1`.
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")), re.DOTALL)


def tag_matches_pattern(tag: str, pattern: str) -> bool:
    """Return whether `tag` matches a tagPatternList entry, with `*` as the only wildcard."""
    return _pattern_regex(pattern).fullmatch(tag) is not None


def _selection_matches_tags(selection: Mapping[str, Any], tags: Sequence[str]) -> bool:
    # A list matches when every entry matches at least one of the image's tags.
    if not tags:
        return False
    if "tagPatternList" in selection:
        return all(
            any(tag_matches_pattern(tag, pattern) for tag in tags) for pattern in selection["tagPatternList"]
        )
    # Prefixes are literal text. The evaluation rules call them "wildcard filters" once, but the
    # properties page describes them only as prefixes.
    return all(any(tag.startswith(prefix) for tag in tags) for prefix in selection.get("tagPrefixList", ()))


# ---------------------------------------------------------------------------------------------
# Offline preview
# ---------------------------------------------------------------------------------------------

# DescribeImages `imageStatus` to lifecycle storage class. ACTIVATING images are being restored
# from archive. No rule selects them, because ECR does not document how its evaluator treats them.
_IMAGE_STATUS_STORAGE_CLASS: dict[str, Optional[str]] = {
    "ACTIVE": "standard",
    "ARCHIVED": "archive",
    "ACTIVATING": None,
}


@dataclass(frozen=True)
class _Image:
    position: int
    digest: str
    tags: tuple[str, ...]
    pushed_at: datetime
    last_pulled_at: Optional[datetime]
    last_archived_at: Optional[datetime]
    last_activated_at: Optional[datetime]
    storage_class: Optional[str]


def preview(policy: Mapping[str, Any], images: Sequence[Mapping[str, Any]], now: datetime) -> dict[str, Any]:
    """Evaluate offline which images ECR's lifecycle policy preview would act on at `now`.

    `images` are DescribeImages `imageDetails` entries. `imagePushedAt` and the other times may
    be ISO-8601 strings or epoch seconds. Times without a zone, and a naive `now`, are taken as
    UTC. The result has the shape of GetLifecyclePolicyPreview's output: `previewResults` lists
    only images a rule acts on, ordered by appliedRulePriority, push time and digest, and
    `summary` counts them.

    Rules apply from the lowest rulePriority. A rule acts only on images that no earlier rule
    selected, but its image count includes them. Raises InvalidPolicyError for a policy with
    errors and InvalidImageDataError for image details it cannot read.
    """
    errors = [violation for violation in validate_policy(policy) if violation.severity == "error"]
    if errors:
        raise InvalidPolicyError(errors)
    parsed_images = _parse_images(images)
    now = _as_utc(now)
    selected_earlier: set[int] = set()
    acted_on: list[tuple[Mapping[str, Any], _Image]] = []
    for rule in sorted(policy["rules"], key=lambda rule: rule["rulePriority"]):
        selection = rule["selection"]
        matching = [image for image in parsed_images if _rule_selects(selection, image)]
        for image in _images_meeting_count(selection, matching, now):
            # An image acted on here is in `matching`, so no later rule can act on it again.
            if image.position not in selected_earlier:
                acted_on.append((rule, image))
        selected_earlier.update(image.position for image in matching)
    acted_on.sort(
        key=lambda pair: (pair[0]["rulePriority"], pair[1].pushed_at, pair[1].digest, pair[1].position)
    )
    return _preview_output(acted_on)


def _preview_output(acted_on: list[tuple[Mapping[str, Any], _Image]]) -> dict[str, Any]:
    results = []
    expiring = transitioning = 0
    for rule, image in acted_on:
        if rule["action"]["type"] == "expire":
            action: dict[str, str] = {"type": "EXPIRE"}
            expiring += 1
        else:
            action = {"type": "TRANSITION", "targetStorageClass": "ARCHIVE"}
            transitioning += 1
        results.append(
            {
                "imageDigest": image.digest,
                "imageTags": list(image.tags),
                "imagePushedAt": image.pushed_at.isoformat(),
                "action": action,
                "appliedRulePriority": rule["rulePriority"],
                "storageClass": (image.storage_class or "standard").upper(),
            }
        )
    summary: dict[str, Any] = {"expiringImageTotalCount": expiring}
    # botocore's model documents transitioningImageTotalCounts as present only when at least
    # one image will be transitioned.
    if transitioning:
        summary["transitioningImageTotalCounts"] = [
            {"targetStorageClass": "ARCHIVE", "imageTotalCount": transitioning}
        ]
    return {"previewResults": results, "summary": summary}


def _rule_selects(selection: Mapping[str, Any], image: _Image) -> bool:
    # The storage class is part of what a rule selects, so a standard-class rule never shields
    # an archived image from an archive-class rule. The example "Combining archive and expire
    # rules" works only that way.
    if image.storage_class is None or image.storage_class != selection.get("storageClass", "standard"):
        return False
    status = selection["tagStatus"]
    if status == "any":
        return True
    if status == "untagged":
        return not image.tags
    return _selection_matches_tags(selection, image.tags)


def _images_meeting_count(
    selection: Mapping[str, Any], matching: list[_Image], now: datetime
) -> list[_Image]:
    count_type, count_number = selection["countType"], selection["countNumber"]
    if count_type == "imageCountMoreThan":
        # Newest first. ECR does not document how it orders images pushed at the same time, so
        # equal times are ordered by position in `images`, and a later entry counts as newer.
        newest_first = sorted(
            matching, key=lambda image: (_count_order_time(image), image.position), reverse=True
        )
        return newest_first[count_number:]
    return [
        image for image in matching if _is_older_than(_age_reference(count_type, image), count_number, now)
    ]


def _count_order_time(image: _Image) -> datetime:
    # "If an image was archived and then restored at any point in the past, the image's
    # last_activated_at is used instead of pushed_at_time" (lifecycle policy evaluation rules).
    return image.last_activated_at or image.pushed_at


def _age_reference(count_type: str, image: _Image) -> Optional[datetime]:
    if count_type == "sinceImagePushed":
        return image.pushed_at
    if count_type == "sinceImagePulled":
        # The last pull, or the last restore when the image was not pulled since, or the push
        # when it was never pulled nor restored.
        recorded = [
            moment for moment in (image.last_pulled_at, image.last_activated_at) if moment is not None
        ]
        return max(recorded) if recorded else image.pushed_at
    return image.last_archived_at


def _is_older_than(moment: Optional[datetime], days: int, now: datetime) -> bool:
    # "Older than N days" is read as strictly more than N * 24 hours before `now`.
    return moment is not None and (now - moment).total_seconds() > days * SECONDS_PER_DAY


def _parse_images(images: Any) -> list[_Image]:
    if isinstance(images, (str, bytes)) or not isinstance(images, Sequence):
        raise InvalidImageDataError(
            f"images must be a list of DescribeImages imageDetails, got {type(images).__name__}."
        )
    parsed: list[_Image] = []
    seen: dict[str, int] = {}
    for position, detail in enumerate(images, start=1):
        image = _parse_image(position, detail)
        if image.digest in seen:
            raise InvalidImageDataError(
                f"image {position}: imageDigest {image.digest} repeats image {seen[image.digest]}. "
                "List each image once."
            )
        seen[image.digest] = position
        parsed.append(image)
    return parsed


def _parse_image(position: int, detail: Any) -> _Image:
    if not isinstance(detail, Mapping):
        raise InvalidImageDataError(f"image {position}: must be a JSON object, got {_show(detail)}.")
    digest = detail.get("imageDigest")
    if not isinstance(digest, str) or not digest:
        raise InvalidImageDataError(
            f"image {position}: imageDigest must be a non-empty string, got {_show(digest)}."
        )
    where = f"image {digest}"

    tags = detail.get("imageTags") or []
    if not isinstance(tags, list) or not all(isinstance(tag, str) and tag for tag in tags):
        raise InvalidImageDataError(
            f"{where}: imageTags must be a list of non-empty strings, got {_show(tags)}."
        )
    status = detail.get("imageStatus", "ACTIVE")
    if status not in _IMAGE_STATUS_STORAGE_CLASS:
        raise InvalidImageDataError(
            f"{where}: imageStatus must be one of {', '.join(_IMAGE_STATUS_STORAGE_CLASS)}, "
            f"got {_show(status)}."
        )

    pushed_at = _parse_time(where, "imagePushedAt", detail.get("imagePushedAt"))
    if pushed_at is None:
        raise InvalidImageDataError(f"{where}: imagePushedAt is missing. Add the push time.")
    last_archived_at = _parse_time(where, "lastArchivedAt", detail.get("lastArchivedAt"))
    if status == "ARCHIVED" and last_archived_at is None:
        raise InvalidImageDataError(
            f"{where}: imageStatus is ARCHIVED but lastArchivedAt is missing. Add the archive time."
        )
    last_pulled_at = _parse_time(where, "lastRecordedPullTime", detail.get("lastRecordedPullTime"))
    last_activated_at = _parse_time(where, "lastActivatedAt", detail.get("lastActivatedAt"))

    return _Image(
        position=position,
        digest=digest,
        tags=tuple(tags),
        pushed_at=pushed_at,
        last_pulled_at=last_pulled_at,
        last_archived_at=last_archived_at,
        last_activated_at=last_activated_at,
        storage_class=_IMAGE_STATUS_STORAGE_CLASS[status],
    )


def _parse_time(where: str, field: str, value: Any) -> Optional[datetime]:
    """Parse an ISO-8601 string or epoch seconds, as the AWS CLI prints timestamps, to UTC."""
    if value is None:
        return None
    try:
        if _is_int(value) or isinstance(value, float):
            return datetime.fromtimestamp(value, tz=timezone.utc)
        if isinstance(value, str):
            return _as_utc(datetime.fromisoformat(value))
    except (ValueError, OverflowError, OSError):
        pass
    raise InvalidImageDataError(
        f"{where}: {field} must be an ISO-8601 time or epoch seconds, got {_show(value)}. "
        "Use the value that aws ecr describe-images prints."
    )


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)
