"""Building blocks of JSONata ASL: expression strings and safely embedded literal data.

In a JSONata state machine, every string of ``Arguments``/``Output``/``Assign``/... that starts with
``{%`` and ends with ``%}`` is evaluated. The template's expressions are constants of this package;
user data (system prompt, tool descriptions, schemas) is embedded as JSON literals through
:func:`literal`, never spliced into expression text. :func:`literal` neutralizes the strings that an
interpreter would not take literally: an expression-looking ``{% … %}`` (Step Functions would run
it) and, for moto's ASL lexer, strings that look like JSONPath (``$…``) or intrinsic functions
(``States.…``). Each becomes ``{% "<the same text as a JSON string literal>" %}``, an expression
whose value is exactly the original text (JSON string literals are JSONata string literals).
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["expr", "is_expression", "literal"]

_OPEN, _CLOSE = "{%", "%}"


def expr(body: str) -> str:
    """``{% body %}``: a JSONata expression field value."""
    return f"{_OPEN} {body.strip()} {_CLOSE}"


def is_expression(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(_OPEN) and value.endswith(_CLOSE)


def _needs_quoting(text: str) -> bool:
    return is_expression(text) or text.startswith("$") or text.startswith("States.")


def literal(value: Any) -> Any:
    """``value`` (JSON data) made safe to place in a JSONata template field as a literal."""
    if isinstance(value, str):
        return expr(json.dumps(value, ensure_ascii=False)) if _needs_quoting(value) else value
    if isinstance(value, dict):
        return {str(k): literal(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [literal(v) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    raise TypeError(f"not JSON data: {type(value).__name__}")
