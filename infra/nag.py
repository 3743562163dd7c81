"""cdk-nag acknowledgements: one helper, so every suppression names its rule, finding and reason.

cdk-nag 3.x uses CDK's native ``Validations.of(scope).acknowledge(...)``; a rule that reports several
findings on one resource (``AwsSolutions-IAM5`` per wildcard) needs one acknowledgement per finding,
so a suppression can never hide a finding nobody looked at.
"""

from __future__ import annotations

from collections.abc import Iterable

import aws_cdk as cdk
from constructs import IConstruct

__all__ = ["NAG_PACK", "acknowledge", "finding_id", "nag_resource"]

NAG_PACK = "AwsSolutions"


def finding_id(rule: str, finding: str | None = None) -> str:
    """``AwsSolutions::AwsSolutions-IAM5[Resource::*]`` for rule ``IAM5`` and finding ``Resource::*``."""
    base = f"{NAG_PACK}-{rule}"
    return f"{NAG_PACK}::{base}[{finding}]" if finding else f"{NAG_PACK}::{base}"


def acknowledge(scope: IConstruct, rule: str, reason: str, findings: Iterable[str] = ()) -> None:
    """Acknowledge ``rule`` (e.g. ``"IAM5"``) on ``scope`` for each of ``findings`` (or the whole rule).

    ``reason`` must say why the finding is acceptable here (it documents the decision in the code).
    """
    if not reason.strip():
        raise ValueError("an acknowledgement needs a reason")
    ids = [finding_id(rule, f) for f in findings] or [finding_id(rule)]
    for ident in ids:
        cdk.Validations.of(scope).acknowledge(cdk.Acknowledgment(id=ident, reason=reason))


def nag_resource(scope: IConstruct, arn: str) -> str:
    """The finding cdk-nag reports for a wildcard ``arn``: ``Resource::`` + the ARN with pseudo
    parameters as ``<AWS::Region>`` and attributes as ``<Logical.Attr>`` (its own notation), so an
    acknowledgement matches whether the stack is environment-agnostic or not."""
    return "Resource::" + _render(cdk.Stack.of(scope).resolve(arn))


def _render(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        ((key, arg),) = value.items()
        if key == "Ref":
            return f"<{arg}>"
        if key == "Fn::GetAtt":
            return f"<{arg[0]}.{arg[1]}>"
        if key == "Fn::Join":
            return str(arg[0]).join(_render(v) for v in arg[1])
    raise ValueError(f"cannot render {value!r} as a cdk-nag finding")
