"""Shared fixtures: whole-program plans for each stack, run once per session under Pulumi mocks."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from plan.runner import Plan, run_plan  # noqa: E402

STACKS = ("dev", "prod")
PROGRAM_FILES = ("Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml", "__main__.py")


@pytest.fixture(scope="session")
def plans() -> dict[str, Plan]:
    return {stack: run_plan(stack) for stack in STACKS}


@pytest.fixture(params=STACKS)
def plan(request, plans) -> Plan:
    return plans[request.param]


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """Copy the program, its stack files and the services' sources into a scratch directory."""
    for name in PROGRAM_FILES:
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "services", tmp_path / "services", ignore=shutil.ignore_patterns("node_modules"))
    return tmp_path


def of_type(plan: Plan, type_: str) -> list[dict]:
    return [resource for resource in plan.resources if resource["type"] == type_]


def one(plan: Plan, type_: str, name: str) -> dict:
    matches = [resource for resource in of_type(plan, type_) if resource["name"] == name]
    assert len(matches) == 1, f"expected one {type_} named {name}, found {len(matches)}"
    return matches[0]


def children(plan: Plan, parent: dict) -> list[dict]:
    return [resource for resource in plan.resources if resource["parent"] == parent["urn"]]
