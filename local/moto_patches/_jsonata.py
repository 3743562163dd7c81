"""JSONata in moto's Step Functions interpreter: a real evaluator and properly escaped variables."""

from __future__ import annotations

from typing import Any

from local import jsonata_eval
from local.moto_patches._registry import patch

__all__ = ["apply"]


def apply() -> None:
    from moto.stepfunctions.parser.asl.component.intrinsic import jsonata as intrinsic
    from moto.stepfunctions.parser.asl.eval import states, variable_store
    from moto.stepfunctions.parser.asl.jsonata import jsonata

    # Quirk: `_eval_jsonata` is None (LocalStack's JVM bridge is not ported).
    patch(jsonata, "_eval_jsonata", jsonata_eval.evaluate)
    # Quirk: $uuid/$hash are declared as JSONata functions returning "... not supported"; drop the
    # declarations so the evaluator's real bindings are used.
    declarations = dict(intrinsic._DECLARATION_BY_VARIABLE_REFERENCE)
    for name in ("$uuid", "$hash"):
        declarations.pop(name, None)
    patch(intrinsic, "_DECLARATION_BY_VARIABLE_REFERENCE", declarations)
    # Quirk: string variables are written as f'"{value}"' (no escaping: `"` or `\` breaks the next
    # state) and other values with ensure_ascii JSON (emoji → lone surrogates). The function is
    # imported by name into two modules: patch all three references.
    for module in (jsonata, states, variable_store):
        patch(module, "encode_jsonata_variable_declarations", _encode_declarations)


def _encode_declarations(bindings: dict[str, Any]) -> str:
    return jsonata_eval.encode_variable_declarations(bindings)
