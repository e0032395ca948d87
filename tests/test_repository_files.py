"""Files that must agree with each other: README's config table, the Makefile's venv, CI's command."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

from conftest import ROOT
from tools import config_reference


def test_readme_config_table_is_current():
    assert config_reference.main(["--check"]) == 0


def test_makefile_venv_matches_pulumi_yaml():
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
    makefile = (ROOT / "Makefile").read_text()
    [venv] = re.findall(r"^VENV := (\S+)$", makefile, flags=re.MULTILINE)
    assert project["runtime"]["options"]["virtualenv"] == venv


def test_ci_runs_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme.split("\n## ")[0]
    assert re.search(r"^make test$", ci, flags=re.MULTILINE)


def test_workflows_match_github_schema():
    workflows = sorted(str(path) for path in (ROOT / ".github" / "workflows").glob("*.yml"))
    assert workflows
    result = subprocess.run(
        [str(Path(sys.executable).parent / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *workflows],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfiles_pass_hadolint():
    dockerfiles = sorted(str(path) for path in (ROOT / "services").glob("*/Dockerfile"))
    assert len(dockerfiles) == 3
    result = subprocess.run([str(Path(sys.executable).parent / "hadolint"), *dockerfiles],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_base_images_pinned_by_digest():
    for dockerfile in (ROOT / "services").glob("*/Dockerfile"):
        for line in dockerfile.read_text().splitlines():
            if line.startswith("FROM "):
                assert re.search(r"@sha256:[0-9a-f]{64}( AS \w+)?$", line), f"{dockerfile}: {line}"
