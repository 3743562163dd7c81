"""Reading synthesized templates: resources by type and name, IAM statements in readable form.

``render`` turns CloudFormation intrinsics into text so tests can state exact ARNs:
``{"Ref": "AWS::Region"}`` → ``${Region}``, ``{"Fn::GetAtt": [id, "Arn"]}`` → ``<name>.Arn`` where
``name`` is the resource's physical name (table, function, queue, bus, log group …) when it has one.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ARN",
    "by_name",
    "render",
    "resources",
    "role_statements",
    "statement_set",
]

ARN = "arn:${Partition}:{service}:${Region}:${AccountId}:{resource}"
_NAME_KEYS = (
    "TableName",
    "FunctionName",
    "QueueName",
    "LogGroupName",
    "ManagedPolicyName",
    "RoleName",
    "Name",
    "TrailName",
)


def resources(template: dict[str, Any], type_: str) -> dict[str, dict[str, Any]]:
    """Logical id → resource, for resources of ``type_``."""
    return {k: v for k, v in template["Resources"].items() if v["Type"] == type_}


def _physical_name(template: dict[str, Any], logical_id: str) -> str:
    props = template["Resources"].get(logical_id, {}).get("Properties", {})
    for key in _NAME_KEYS:
        if isinstance(props.get(key), str):
            return props[key]
    return logical_id


def by_name(template: dict[str, Any], type_: str, name: str) -> tuple[str, dict[str, Any]]:
    """The one resource of ``type_`` whose physical name is ``name``: ``(logical id, resource)``."""
    found = [(k, v) for k, v in resources(template, type_).items() if _physical_name(template, k) == name]
    assert len(found) == 1, f"{len(found)} {type_} named {name!r}"
    return found[0]


def render(template: dict[str, Any], value: Any) -> str:
    """A readable string for a (possibly intrinsic) CloudFormation value."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        ((key, arg),) = value.items()
        if key == "Ref":
            return (
                "${" + arg.split("::", 1)[1] + "}"
                if arg.startswith("AWS::")
                else _physical_name(template, arg)
            )
        if key == "Fn::GetAtt":
            return f"<{_physical_name(template, arg[0])}.{arg[1]}>"
        if key == "Fn::Join":
            return arg[0].join(render(template, v) for v in arg[1])
        if key == "Fn::ImportValue":
            return f"import:{render(template, arg)}"
    raise AssertionError(f"cannot render {value!r}")


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def role_statements(template: dict[str, Any], role_logical_id: str) -> list[dict[str, Any]]:
    """Every statement of every ``AWS::IAM::Policy`` attached to the role (inline policies too)."""
    out: list[dict[str, Any]] = []
    role = template["Resources"][role_logical_id]
    for policy in role["Properties"].get("Policies", []):
        out += policy["PolicyDocument"]["Statement"]
    for policy in resources(template, "AWS::IAM::Policy").values():
        if {"Ref": role_logical_id} in policy["Properties"].get("Roles", []):
            out += policy["Properties"]["PolicyDocument"]["Statement"]
    return out


def statement_set(template: dict[str, Any], statements: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
    """Statements as comparable tuples: (effect, sorted actions, sorted resources, condition)."""
    result = set()
    for s in statements:
        condition = s.get("Condition")
        rendered_condition = None
        if condition:
            rendered_condition = tuple(
                sorted(
                    (op, key, render(template, val))
                    for op, body in condition.items()
                    for key, val in body.items()
                )
            )
        result.add(
            (
                s["Effect"],
                tuple(sorted(_as_list(s["Action"]))),
                tuple(sorted(render(template, r) for r in _as_list(s["Resource"]))),
                rendered_condition,
            )
        )
    return result
