"""Repository and registry settings from stack config: mutability, encryption, access, caches."""

from __future__ import annotations

import fnmatch
import json

import pytest
import yaml

from components.config import EcrSettings, RegistrySettings
from components.registry import RegistryArgs
from conftest import of_type, one
from plan.runner import run_plan
from test_config import dev_values, problems_for

SERVICES = ("backend", "frontend", "order-service")


def plan_with(project_copy, stack: str, **settings) -> object:
    path = project_copy / f"Pulumi.{stack}.yaml"
    document = yaml.safe_load(path.read_text())
    for key, value in settings.items():
        document["config"][f"storefront:{key}"] = value
    path.write_text(yaml.safe_dump(document))
    return run_plan(stack, root=project_copy)


def test_repositories_tagged_with_names(plan):
    for service in SERVICES:
        tags = one(plan, "aws:ecr/repository:Repository", f"{service}-repository")["inputs"]["tags"]
        assert tags["service"] == service
        assert tags["stack"] == plan.stack
        assert tags["project"] == "storefront"


def test_prod_encrypts_with_rotated_key(plans):
    plan = plans["prod"]
    [key] = of_type(plan, "aws:kms/key:Key")
    assert key["inputs"]["enableKeyRotation"] is True
    assert key["protect"] is True
    for repository in of_type(plan, "aws:ecr/repository:Repository"):
        assert repository["inputs"]["encryptionConfigurations"] == [
            {"encryptionType": "KMS", "kmsKey": key["outputs"]["arn"]}
        ]


def test_dev_encrypts_with_aes256(plans):
    assert of_type(plans["dev"], "aws:kms/key:Key") == []
    for repository in of_type(plans["dev"], "aws:ecr/repository:Repository"):
        assert repository["inputs"]["encryptionConfigurations"] == [{"encryptionType": "AES256"}]


def test_prod_registry_settings(plans):
    plan = plans["prod"]
    [scanning] = of_type(plan, "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration")
    assert scanning["inputs"]["scanType"] == "ENHANCED"
    assert scanning["inputs"]["rules"] == [{
        "scanFrequency": "CONTINUOUS_SCAN",
        "repositoryFilters": [{"filter": "storefront/*", "filterType": "WILDCARD"}],
    }]
    [replication] = of_type(plan, "aws:ecr/replicationConfiguration:ReplicationConfiguration")
    [rule] = replication["inputs"]["replicationConfiguration"]["rules"]
    assert rule["destinations"] == [{"region": "ap-southeast-1", "registryId": "123456789012"}]
    assert rule["repositoryFilters"] == [{"filter": "storefront/prod/", "filterType": "PREFIX_MATCH"}]
    [cache] = of_type(plan, "aws:ecr/pullThroughCacheRule:PullThroughCacheRule")
    assert cache["inputs"]["ecrRepositoryPrefix"] == "ecr-public"
    assert cache["inputs"]["upstreamRegistryUrl"] == "public.ecr.aws"


def test_scanning_covers_every_stack(plans):
    [scanning] = of_type(plans["prod"], "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration")
    [rule] = scanning["inputs"]["rules"]
    [repository_filter] = rule["repositoryFilters"]
    assert repository_filter["filterType"] == "WILDCARD"
    for stack, plan in plans.items():
        for repository in of_type(plan, "aws:ecr/repository:Repository"):
            name = repository["inputs"]["name"]
            assert fnmatch.fnmatchcase(name, repository_filter["filter"]), (stack, name)


def test_scanning_prefix_from_project():
    settings = RegistrySettings()
    explicit = RegistryArgs(ecr=EcrSettings(), settings=settings, repository_prefix="storefront/prod",
                            protect=False, tags={}, project="shop")
    derived = RegistryArgs(ecr=EcrSettings(), settings=settings, repository_prefix="storefront/prod",
                           protect=False, tags={})
    assert explicit.project_prefix == "shop"
    assert derived.project_prefix == "storefront"


def test_cross_account_pull_only(project_copy):
    plan = plan_with(project_copy, "dev", ecr={"forceDelete": True, "imageTagMutability": "MUTABLE",
                                               "pullAccounts": ["111122223333"]})
    policies = of_type(plan, "aws:ecr/repositoryPolicy:RepositoryPolicy")
    assert len(policies) == len(SERVICES)
    [statement] = json.loads(policies[0]["inputs"]["policy"])["Statement"]
    assert statement["Principal"] == {"AWS": ["arn:aws:iam::111122223333:root"]}
    assert sorted(statement["Action"]) == [
        "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
    ]


def test_mutability_exclusions_rendered(project_copy):
    plan = plan_with(project_copy, "dev", ecr={"imageTagMutability": "IMMUTABLE_WITH_EXCLUSION",
                                               "tagMutabilityExclusions": ["latest", "dev-*"]})
    repository = one(plan, "aws:ecr/repository:Repository", "backend-repository")
    assert repository["inputs"]["imageTagMutability"] == "IMMUTABLE_WITH_EXCLUSION"
    assert repository["inputs"]["imageTagMutabilityExclusionFilters"] == [
        {"filter": "latest", "filterType": "WILDCARD"}, {"filter": "dev-*", "filterType": "WILDCARD"},
    ]


def test_docker_hub_cache_with_credentials(project_copy):
    arn = "arn:aws:secretsmanager:ap-south-1:123456789012:secret:ecr-pullthroughcache/docker-hub-AbCdEf"
    plan = plan_with(project_copy, "dev", registry={"pullThroughCache": [
        {"prefix": "docker-hub", "upstream": "docker-hub", "credentialArn": arn},
    ]})
    [cache] = of_type(plan, "aws:ecr/pullThroughCacheRule:PullThroughCacheRule")
    assert cache["inputs"]["upstreamRegistryUrl"] == "registry-1.docker.io"
    assert cache["inputs"]["credentialArn"] == arn


@pytest.mark.parametrize("key, value, fragment", [
    ("ecr", {"imageTagMutability": "IMMUTABLE_WITH_EXCLUSION"},
     "storefront:ecr.tagMutabilityExclusions: imageTagMutability IMMUTABLE_WITH_EXCLUSION needs tagMutabilityExclusions"),
    ("ecr", {"tagMutabilityExclusions": ["latest"]},
     "storefront:ecr.tagMutabilityExclusions: tagMutabilityExclusions is set, but imageTagMutability is IMMUTABLE"),
    ("ecr", {"imageTagMutability": "MUTABLE_WITH_EXCLUSION", "tagMutabilityExclusions": ["a b"]},
     "storefront:ecr.tagMutabilityExclusions: 'a b' is not a tag filter."),
    ("ecr", {"pullAccounts": ["1234"]}, "storefront:ecr.pullAccounts: '1234' is not an AWS account ID."),
    ("ecr", {"encryption": "KMS_DSSE"}, 'storefront:ecr.encryption: invalid value "KMS_DSSE"' ),
    ("registry", {"pullThroughCache": [{"prefix": "docker-hub", "upstream": "docker-hub"}]},
     "storefront:registry.pullThroughCache[0].credentialArn: upstream docker-hub requires credentialArn"),
    ("registry", {"pullThroughCache": [{"prefix": "x", "upstream": "ecr-public"}]},
     "storefront:registry.pullThroughCache[0].prefix: 'x' is not a repository prefix."),
    ("registry", {"pullThroughCache": [{"prefix": "quay", "upstream": "quay", "credentialArn": "arn"}]},
     "storefront:registry.pullThroughCache[0].credentialArn: upstream quay takes no credentials."),
    ("registry", {"pullThroughCache": [{"prefix": "ecr-public", "upstream": "ecr-public"},
                                       {"prefix": "ecr-public", "upstream": "quay"}]},
     "storefront:registry.pullThroughCache: prefix 'ecr-public' is used by 2 rules"),
    ("registry", {"replication": [{"region": "ap-south-1"}]},
     "storefront:registry.replication: destination region ap-south-1 is the stack's own Region"),
    ("registry", {"enhancedScanning": "weekly"}, 'storefront:registry.enhancedScanning: invalid value "weekly"'),
])
def test_invalid_repository_settings_rejected(key, value, fragment):
    values = dev_values()
    values[f"storefront:{key}"] = value
    problems = problems_for(values)
    assert any(problem.startswith(fragment) for problem in problems), problems
