"""The mocks themselves: callbacks really run, and nothing unmodelled gets a made-up result."""

from __future__ import annotations

import contextvars

import pulumi
import pulumi_aws as aws
import pytest

from conftest import ROOT
from plan.mocks import PlanMocks, RecordingMonitor, mask


def _run_under_mocks(program):
    """Run `program` in a fresh Pulumi mock runtime and return the monitor, or raise its error."""

    def run():
        plan_mocks = PlanMocks(region="ap-south-1", root=ROOT)
        monitor = RecordingMonitor(plan_mocks)
        pulumi.runtime.set_mocks(plan_mocks, "storefront", "test", preview=False, monitor=monitor)

        @pulumi.runtime.test
        def body():
            return program()

        body()
        return monitor

    return contextvars.Context().run(run)


def test_canary_apply_callbacks_run():
    seen = []

    def program():
        group = aws.cloudwatch.LogGroup("canary", name="/canary", retention_in_days=7)
        return group.arn.apply(lambda arn: seen.append(arn))

    _run_under_mocks(program)
    assert seen == ["arn:aws:logs:ap-south-1:123456789012:log-group:/canary"]


def test_canary_failing_assert_fails():
    def program():
        group = aws.cloudwatch.LogGroup("canary", name="/canary", retention_in_days=7)

        def check(name):
            assert name == "/something-else"

        return group.name.apply(check)

    with pytest.raises(AssertionError):
        _run_under_mocks(program)


def test_unmocked_invoke_raises():
    def program():
        return aws.ec2.get_vpc_output(default=True).id

    with pytest.raises(Exception, match="no model of provider function aws:ec2/getVpc:getVpc"):
        _run_under_mocks(program)


def test_unmocked_resource_type_raises():
    def program():
        return aws.s3.Bucket("unmodelled").arn

    with pytest.raises(Exception, match="no model of resource type aws:s3/bucket:Bucket"):
        _run_under_mocks(program)


def test_secret_input_stays_secret():
    def program():
        version = aws.secretsmanager.SecretVersion(
            "canary-value", secret_id="canary", secret_string=pulumi.Output.secret("hunter2")
        )
        return version.secret_string

    monitor = _run_under_mocks(program)
    registration = next(r for r in monitor.registrations.values() if r.name == "canary-value")
    assert mask(registration.inputs)["secretString"] == "[secret]"
    assert mask(registration.outputs)["secretString"] == "[secret]"
    assert "hunter2" not in repr(mask(registration.outputs))
