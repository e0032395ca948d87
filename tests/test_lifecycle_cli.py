"""The lifecycle preview command, run as a subprocess from the repository root."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from components.lifecycle import build_policy, defaults_for, render_policy

ROOT = Path(__file__).resolve().parents[1]
NOW = "2025-06-01T00:00:00Z"

# Runs the command with `plan.policies` made unimportable, whether or not the program has it yet.
WITHOUT_PLAN = (
    "import sys; sys.modules['plan'] = None; sys.modules['plan.policies'] = None; "
    "from tools.lifecycle_preview import main; sys.exit(main(sys.argv[1:]))"
)
# Runs the command with a stand-in `plan` package from the directory in the first argument.
WITH_FAKE_PLAN = (
    "import sys; sys.path.insert(0, sys.argv.pop(1)); "
    "from tools.lifecycle_preview import main; sys.exit(main(sys.argv[1:]))"
)

IMAGES = [
    {
        "imageDigest": "sha256:" + "1" * 64,
        "imageTags": ["build-0000000000000001"],
        "imagePushedAt": 1735689600.0,
    },
    {
        "imageDigest": "sha256:" + "2" * 64,
        "imageTags": ["build-0000000000000002"],
        "imagePushedAt": "2025-01-02T00:00:00+00:00",
    },
    {"imageDigest": "sha256:" + "3" * 64, "imagePushedAt": "2025-01-03T00:00:00-07:00"},
]


def run_module(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tools.lifecycle_preview", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def run_code(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def write_json(path: Path, value: Any) -> str:
    path.write_text(json.dumps(value), encoding="utf-8")
    return str(path)


def one_rule_policy(count: int = 1) -> dict[str, Any]:
    return {
        "rules": [
            {
                "rulePriority": 1,
                "description": "Keep the newest build images",
                "selection": {
                    "tagStatus": "tagged",
                    "tagPatternList": ["build-*"],
                    "countType": "imageCountMoreThan",
                    "countNumber": count,
                },
                "action": {"type": "expire"},
            }
        ]
    }


@pytest.fixture
def images_file(tmp_path: Path) -> str:
    return write_json(tmp_path / "images.json", {"imageDetails": IMAGES})


@pytest.fixture
def policy_file(tmp_path: Path) -> str:
    return write_json(tmp_path / "policy.json", one_rule_policy())


# ---------------------------------------------------------------------------------------------
# Exit 0
# ---------------------------------------------------------------------------------------------


def test_valid_policy_prints_preview(policy_file: str, images_file: str):
    completed = run_module("--policy", policy_file, "--images", images_file, "--now", NOW)
    output = json.loads(completed.stdout)

    assert completed.returncode == 0
    assert completed.stderr == ""
    assert completed.stdout == json.dumps(output, sort_keys=True, indent=2) + "\n"
    assert output == {
        "previewResults": [
            {
                "action": {"type": "EXPIRE"},
                "appliedRulePriority": 1,
                "imageDigest": "sha256:" + "1" * 64,
                "imagePushedAt": "2025-01-01T00:00:00+00:00",
                "imageTags": ["build-0000000000000001"],
                "storageClass": "STANDARD",
            }
        ],
        "summary": {"expiringImageTotalCount": 1},
    }


def test_images_may_be_plain_list(tmp_path: Path, policy_file: str):
    images = write_json(tmp_path / "list.json", IMAGES)

    completed = run_module("--policy", policy_file, "--images", images, "--now", NOW)

    assert completed.returncode == 0
    assert json.loads(completed.stdout)["summary"] == {"expiringImageTotalCount": 1}


def test_policy_may_be_get_lifecycle_policy_output(tmp_path: Path, images_file: str):
    output = {"repositoryName": "storefront", "lifecyclePolicyText": json.dumps(one_rule_policy())}
    policy = write_json(tmp_path / "policy.json", output)

    completed = run_module("--policy", policy, "--images", images_file, "--now", NOW)

    assert completed.returncode == 0
    assert len(json.loads(completed.stdout)["previewResults"]) == 1


def test_default_policy_file_previews_cleanly(tmp_path: Path, images_file: str):
    policy = tmp_path / "production.json"
    policy.write_text(render_policy(build_policy(defaults_for("production"))), encoding="utf-8")

    completed = run_module("--policy", str(policy), "--images", images_file, "--now", NOW)

    assert completed.returncode == 0
    assert completed.stderr == ""
    assert json.loads(completed.stdout)["summary"] == {"expiringImageTotalCount": 1}


def test_warnings_go_to_stderr_with_exit_0(tmp_path: Path, images_file: str):
    policy = one_rule_policy()
    policy["rules"][0]["selection"]["tagPatternList"] = ["release-*"]

    completed = run_module(
        "--policy", write_json(tmp_path / "p.json", policy), "--images", images_file, "--now", NOW
    )

    assert completed.returncode == 0
    assert completed.stderr.startswith(
        'warning: policy: rules select no image tagged "build-0123456789abcdef"'
    )
    assert len(completed.stderr.splitlines()) == 1
    assert json.loads(completed.stdout)["previewResults"] == []


def test_now_defaults_to_current_time(policy_file: str, images_file: str):
    completed = run_module("--policy", policy_file, "--images", images_file)

    assert completed.returncode == 0
    assert json.loads(completed.stdout)["summary"] == {"expiringImageTotalCount": 1}


# ---------------------------------------------------------------------------------------------
# Exit 2
# ---------------------------------------------------------------------------------------------


def test_invalid_policy_exits_2(tmp_path: Path, images_file: str):
    policy = one_rule_policy(count=0)
    policy["rules"][0]["action"] = {"type": "delete"}

    completed = run_module("--policy", write_json(tmp_path / "bad.json", policy), "--images", images_file)

    assert completed.returncode == 2
    assert completed.stdout == ""
    assert completed.stderr.splitlines() == [
        "error: rule 1: selection.countNumber must be an integer of at least 1, got 0. "
        "Set countNumber to a positive whole number.",
        'error: rule 1: action.type must be one of "expire", "transition", got "delete". '
        'Set type to "expire" to delete images or "transition" to archive them.',
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "error: failed to read policy file {path}: No such file or directory."),
        (
            "{not json",
            "error: policy file {path} is not valid JSON: Expecting property name enclosed in double "
            "quotes at line 1, column 2.",
        ),
    ],
    ids=["missing", "not json"],
)
def test_unreadable_policy_file_exits_2(tmp_path: Path, images_file: str, content: str | None, expected: str):
    path = tmp_path / "policy.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")

    completed = run_module("--policy", str(path), "--images", images_file)

    assert completed.returncode == 2
    assert completed.stdout == ""
    assert completed.stderr.splitlines() == [expected.format(path=path)]


@pytest.mark.parametrize(
    ("images", "expected"),
    [
        (
            {"images": []},
            "error: images file {path} is a JSON object without an imageDetails list. Pass the output "
            "of `aws ecr describe-images` or a list of imageDetails.",
        ),
        (
            "sha256:aa",
            "error: images file {path} must contain a JSON list or the describe-images output, got a JSON "
            "str.",
        ),
        (
            [{"imageDigest": "sha256:aa", "imagePushedAt": "last week"}],
            'error: {path}: image sha256:aa: imagePushedAt must be an ISO-8601 time or epoch seconds, got "last week". '
            "Use the value that aws ecr describe-images prints.",
        ),
    ],
    ids=["object without imageDetails", "string", "unreadable push time"],
)
def test_unusable_images_file_exits_2(tmp_path: Path, policy_file: str, images: Any, expected: str):
    path = write_json(tmp_path / "images.json", images)

    completed = run_module("--policy", policy_file, "--images", path, "--now", NOW)

    assert completed.returncode == 2
    assert completed.stdout == ""
    assert completed.stderr.splitlines() == [expected.format(path=path)]


def test_invalid_now_exits_2(policy_file: str, images_file: str):
    completed = run_module("--policy", policy_file, "--images", images_file, "--now", "tomorrow")

    assert completed.returncode == 2
    assert completed.stderr.splitlines() == [
        "error: --now 'tomorrow' is not an ISO-8601 time. Use a time such as 2025-06-01T00:00:00Z."
    ]


def test_stack_needs_service(images_file: str):
    completed = run_module("--stack", "dev", "--images", images_file)

    assert completed.returncode == 2
    assert "--stack needs --service NAME" in completed.stderr


def test_policy_and_stack_are_exclusive(policy_file: str, images_file: str):
    completed = run_module(
        "--policy", policy_file, "--stack", "dev", "--service", "web", "--images", images_file
    )

    assert completed.returncode == 2
    assert "not allowed with argument" in completed.stderr


# ---------------------------------------------------------------------------------------------
# --stack and --service
# ---------------------------------------------------------------------------------------------


def test_stack_form_without_config_loader_exits_2(images_file: str):
    completed = run_code(WITHOUT_PLAN, "--stack", "dev", "--service", "web", "--images", images_file)

    assert completed.returncode == 2
    assert completed.stdout == ""
    assert len(completed.stderr.splitlines()) == 1
    assert completed.stderr.startswith(
        "error: --stack and --service need the Pulumi program's config loader (plan.policies.rendered_policy_for), "
        "which could not be imported:"
    )
    assert completed.stderr.rstrip().endswith("Use --policy FILE instead.")


def fake_plan(directory: Path) -> str:
    package = directory / "plan"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "policies.py").write_text(
        textwrap.dedent("""
            from components.lifecycle import build_policy, defaults_for, render_policy


            def rendered_policy_for(stack, service):
                if stack != "dev":
                    raise ValueError(f"no stack named {stack}\\nknown stacks: dev")
                return render_policy(build_policy(defaults_for("development")))
            """),
        encoding="utf-8",
    )
    return str(directory)


def test_stack_form_uses_config_loader(tmp_path: Path, images_file: str):
    completed = run_code(
        WITH_FAKE_PLAN,
        fake_plan(tmp_path),
        "--stack",
        "dev",
        "--service",
        "web",
        "--images",
        images_file,
        "--now",
        NOW,
    )

    # The development defaults expire the untagged image, pushed more than 3 days before NOW.
    assert completed.returncode == 0
    assert completed.stderr == ""
    assert json.loads(completed.stdout)["summary"] == {"expiringImageTotalCount": 1}


def test_stack_form_reports_loader_error_on_one_line(tmp_path: Path, images_file: str):
    completed = run_code(
        WITH_FAKE_PLAN,
        fake_plan(tmp_path),
        "--stack",
        "prod",
        "--service",
        "web",
        "--images",
        images_file,
    )

    assert completed.returncode == 2
    assert completed.stderr.splitlines() == [
        "error: failed to load the lifecycle policy of service 'web' in stack 'prod': "
        "no stack named prod known stacks: dev"
    ]
