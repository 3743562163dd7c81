"""moto patches (local/moto_patches/), one file per service: here the patch registry and JSONata;
``_sfn`` (executions), ``_sfn_versions``, ``_lambda`` and ``_dynamodb`` hold the others."""

from __future__ import annotations

import json

import pytest

from local import moto_patches
from local.testing import create_state_machine, wait_for_execution
from tests.local.helpers import output


def test_apply_is_idempotent(aws):
    assert moto_patches.is_applied()
    before = list(moto_patches._originals)
    moto_patches.apply(moto_patches._state["runner"], moto_patches._state["pump"])
    assert moto_patches._originals == before


QUOTES = 'She said "stop" \\ then C:\\path\\n, a tab\t, emoji 😀 and {"json": true}'


def test_string_variables_with_quotes_and_backslashes(aws):
    """Quirk (c): moto inlined top-level string variables unescaped into the next expression."""
    sfn = aws.client("stepfunctions")
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Remember",
        "States": {
            "Remember": {
                "Type": "Pass",
                "Assign": {
                    "prompt": "{% $states.input.prompt %}",
                    "nested": {"p": "{% $states.input.prompt %}"},
                },
                "Next": "Use",
            },
            "Use": {
                "Type": "Pass",
                "End": True,
                "Output": {
                    "prompt": "{% $prompt %}",
                    "length": "{% $length($prompt) %}",
                    "nested": "{% $nested.p %}",
                },
            },
        },
    }
    arn = create_state_machine(aws, "quotes", definition)["stateMachineArn"]
    started = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"prompt": QUOTES}))
    out = output(wait_for_execution(aws, started["executionArn"]))
    assert out == {"prompt": QUOTES, "length": len(QUOTES), "nested": QUOTES}


def test_moto_encoding_quirk_still_exists_upstream():
    """Canary: moto's own encoder still breaks on quotes (drop the patch when this fails)."""
    import jsonata
    from moto.stepfunctions.parser.asl.jsonata import jsonata as moto_jsonata

    original = dict((n, o) for owner, n, o in moto_patches._originals if owner is moto_jsonata)
    encode = original.get(
        "encode_jsonata_variable_declarations", moto_jsonata.encode_jsonata_variable_declarations
    )
    with pytest.raises(Exception):  # noqa: B017 (jsonata-python raises plain exceptions)
        jsonata.Jsonata("(" + encode({"$p": 'a "b"'}) + "$p)").evaluate(None)


def test_jsonata_uuid_and_hash_return_real_values(aws):
    """jsonata-python lacks $uuid/$hash and moto declared them as 'not supported' strings."""
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Pass",
                "End": True,
                "Output": {
                    "u1": "{% $uuid() %}",
                    "u2": "{% $uuid() %}",
                    "sha256": "{% $hash($states.input.text, 'SHA-256') %}",
                    "md5": "{% $hash('abc', 'MD5') %}",
                    "sha1": "{% $hash('abc', 'SHA-1') %}",
                    "sha512": "{% $hash('abc', 'SHA-512') %}",
                },
            }
        },
    }
    arn = create_state_machine(aws, "fns", definition)["stateMachineArn"]
    sfn = aws.client("stepfunctions")
    started = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"text": "hello"}))
    out = output(wait_for_execution(aws, started["executionArn"]))
    uuid_v4 = r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
    import re

    assert re.match(uuid_v4, out["u1"]) and re.match(uuid_v4, out["u2"])
    assert out["u1"] != out["u2"]
    assert out["sha256"] == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
    assert out["md5"] == "900150983cd24fb0d6963f7d28e17f72"
    assert out["sha1"] == "a9993e364706816aba3e25717850c26c9cd0d89d"
    assert out["sha512"].startswith("ddaf35a193617aba") and len(out["sha512"]) == 128


def test_jsonata_hash_with_a_bad_algorithm_fails_the_state(aws):
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "End": True, "Output": "{% $hash('abc', 'CRC32') %}"}},
    }
    arn = create_state_machine(aws, "badhash", definition)["stateMachineArn"]
    started = aws.client("stepfunctions").start_execution(stateMachineArn=arn)
    assert wait_for_execution(aws, started["executionArn"])["status"] == "FAILED"
