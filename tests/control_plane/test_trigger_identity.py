"""``cloudtrail_event(actor_arn=…)``: the caller in CloudTrail's ``userIdentity`` block."""

from __future__ import annotations

import pytest

from control_plane.registrar.trigger import cloudtrail_event, parse_trigger

ARN = "arn:aws:lambda:us-east-1:123456789012:function:tool-x-dev"


def test_no_actor_no_user_identity():
    assert "userIdentity" not in cloudtrail_event("CreateFunction", ARN)["detail"]


@pytest.mark.parametrize(
    ("actor", "identity"),
    [
        (
            "arn:aws:iam::210987654321:user/ci/deployer",
            {"type": "IAMUser", "accountId": "210987654321", "userName": "deployer"},
        ),
        (
            "arn:aws:sts::123456789012:assumed-role/deploy-role/session-1",
            {"type": "AssumedRole", "accountId": "123456789012"},
        ),
        ("arn:aws:iam::123456789012:root", {"type": "Root", "accountId": "123456789012"}),
    ],
)
def test_actor_arn_gives_the_identity_type_account_and_user(actor, identity):
    event = cloudtrail_event("TagResource", ARN, actor_arn=actor, tag_keys=None)
    assert event["detail"]["userIdentity"] == {**identity, "arn": actor}
    trigger = parse_trigger(event)  # an identity changes nothing the registrar reads
    assert trigger is not None and trigger.function_name == "tool-x-dev"
