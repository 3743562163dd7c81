"""The JSONata evaluator plugged into moto's Step Functions interpreter.

moto ports LocalStack's ASL interpreter but leaves its JSONata evaluator as a stub (LocalStack uses
a JVM bridge), so every JSONata state fails out of the box. moto composes one self-contained
expression per evaluation — ``($states := {...}; $var := ...; <the state's expression>)`` — so the
evaluator only has to evaluate text: :func:`evaluate` does that with jsonata-python.

Two Step Functions JSONata functions are missing from jsonata-python, and moto declares them as
JSONata functions returning the text "Function $x is currently not supported" (a silently wrong
value). :func:`evaluate` binds real implementations (:func:`sfn_uuid`, :func:`sfn_hash`), and
``moto_patches`` removes moto's placeholder declarations so these bindings are the ones used.

:func:`encode_variable_declarations` replaces moto's text encoding of variables, which wrote string
values as ``"<raw text>"`` without escaping (a string containing ``"`` or ``\\`` broke the next
state) and JSON-escaped non-ASCII text as UTF-16 surrogate pairs that jsonata-python decodes into
unencodable lone surrogates (an emoji in a variable broke the execution's output).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import sys
import uuid
from typing import Any

_RECURSION_LIMIT = sys.getrecursionlimit()
import jsonata  # noqa: E402 - its first import sets the process's recursion limit to 10,000

# jsonata-python raises the recursion limit process-wide, which would hide deep recursion (and the
# RecursionErrors AWS Lambda's default limit produces) everywhere else in local mode: restore it.
sys.setrecursionlimit(_RECURSION_LIMIT)

__all__ = [
    "HASH_ALGORITHMS",
    "JSONataEvaluationError",
    "encode_variable_declarations",
    "evaluate",
    "sfn_hash",
    "sfn_uuid",
]

# The algorithms Step Functions' $hash accepts (same set as the States.Hash intrinsic).
HASH_ALGORITHMS: dict[str, str] = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}


class JSONataEvaluationError(Exception):
    """A Step Functions JSONata function was called with invalid arguments."""


def sfn_uuid() -> str:
    """``$uuid()``: a random version-4 UUID in its canonical text form, as Step Functions returns."""
    return str(uuid.uuid4())


def sfn_hash(value: Any = None, algorithm: Any = "SHA-256") -> str:
    """``$hash(value, algorithm)``: the lowercase hex digest of a string, as Step Functions returns.

    The algorithm defaults to SHA-256; an unknown algorithm or a non-string value is an error
    (Step Functions fails the state rather than hashing a serialization).
    """
    if not isinstance(value, str):
        raise JSONataEvaluationError(f"$hash: the value to hash must be a string, got {value!r}")
    name = HASH_ALGORITHMS.get(str(algorithm))
    if name is None:
        raise JSONataEvaluationError(
            f"$hash: unsupported algorithm {algorithm!r}; use one of {sorted(HASH_ALGORITHMS)}"
        )
    return hashlib.new(name, value.encode("utf-8")).hexdigest()


def evaluate(expression: str) -> Any:
    """Evaluate a self-contained JSONata expression composed by moto's interpreter.

    Errors are re-raised as moto's ``JSONataException`` (what LocalStack's JVM bridge raises), so the
    interpreter turns them into a failed state instead of crashing the execution thread.
    """
    from moto.stepfunctions.parser.asl.jsonata.jsonata import JSONataException

    try:
        compiled = jsonata.Jsonata(expression)
        compiled.register_lambda("uuid", sfn_uuid)
        compiled.register_lambda("hash", sfn_hash)
        return compiled.evaluate(None)
    except Exception as exc:
        raise JSONataException("UNKNOWN", str(exc)) from exc


def _json_default(obj: Any) -> Any:
    if isinstance(obj, datetime.date | datetime.datetime):
        return obj.isoformat()
    return str(obj)


def _literal(value: Any) -> str:
    # JSON is a subset of JSONata literal syntax. ensure_ascii=False keeps non-ASCII characters
    # verbatim (no surrogate-pair escapes); quotes, backslashes and control characters are escaped.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_json_default)


def encode_variable_declarations(bindings: dict[str, Any]) -> str:
    """Encode variables as JSONata declarations ``$name:=<literal>;`` (moto's format, escaped)."""
    return "".join(f"{name}:={_literal(value)};" for name, value in bindings.items())
