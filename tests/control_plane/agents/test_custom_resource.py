"""The Agent construct's custom resource writes and deletes specs in the agent registry."""

from __future__ import annotations

import json

import pytest

from control_plane.agents import AgentRegistry
from control_plane.agents.custom_resource import on_event
from control_plane.registry import create_tables

SPEC = {"name": "cr-agent", "model": "offline:default", "system": "Be brief.", "tools": ["tag:demo"]}


@pytest.fixture
def registry(aws):
    create_tables(aws.client("dynamodb"), "dev")
    return AgentRegistry("AgentRegistry-dev", aws.client("dynamodb"))


def event(kind: str, spec: dict | None = None, physical: str | None = None) -> dict:
    body: dict = {"RequestType": kind, "ResourceProperties": {}}
    if spec is not None:
        body["ResourceProperties"]["SpecJson"] = json.dumps(spec)
    if physical:
        body["PhysicalResourceId"] = physical
    return body


def test_create_update_delete(registry):
    created = on_event(event("Create", SPEC), registry=registry)
    assert created["PhysicalResourceId"] == "cr-agent"
    assert registry.get("cr-agent").spec["system"] == "Be brief."
    on_event(event("Update", {**SPEC, "system": "Be briefer."}, "cr-agent"), registry=registry)
    assert registry.get("cr-agent").spec["system"] == "Be briefer."
    on_event(event("Delete", physical="cr-agent"), registry=registry)
    assert on_event(event("Delete", physical="never-created"), registry=registry)["PhysicalResourceId"]


def test_invalid_spec_fails_with_every_problem(registry):
    with pytest.raises(ValueError, match="max_turns"):
        on_event(event("Create", {**SPEC, "max_turns": 0}), registry=registry)
