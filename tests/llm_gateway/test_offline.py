"""The offline provider (not a language model): its exact rule, its heuristics, and a real
multi-turn tool loop driven through the gateway like the agent state machine does."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import llm_gateway.providers.offline as offline_module
from llm_gateway.models import ToolSpec
from llm_gateway.providers.offline import OfflineProvider, exact_tool_mentions
from llm_gateway.providers.offline_args import build_arguments, choose_tool
from tests.llm_gateway.harness import make_harness

TOOLS: list[dict[str, Any]] = [
    {
        "name": "reverse_text",
        "description": "Reverse the characters of a text.",
        "input_schema": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
    },
    {
        "name": "text",
        "description": "Echo a text.",
        "input_schema": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
    },
    {
        "name": "convert_units",
        "description": "Convert a distance between kilometres and miles.",
        "input_schema": {
            "type": "object",
            "properties": {
                "value": {"type": "number"},
                "from_unit": {"type": "string", "enum": ["km", "mi"]},
                "to_unit": {"type": "string", "enum": ["km", "mi"]},
            },
            "required": ["value", "from_unit", "to_unit"],
        },
    },
]
IMPLEMENTATIONS = {
    "reverse_text": lambda a: a["text"][::-1],
    "text": lambda a: a["text"],
    "convert_units": lambda a: (
        f"{a['value'] * (1.609344 if a['from_unit'] == 'mi' else 1 / 1.609344):.2f} {a['to_unit']}"
    ),
}


def ask(messages: list[dict[str, Any]], tools: list[dict[str, Any]] = TOOLS, **kw: Any) -> Any:
    return make_harness(keys={}).complete(model="offline", tools=tools, messages=messages, **kw)


def test_is_documented_as_not_a_language_model() -> None:
    assert OfflineProvider.is_language_model is False and not OfflineProvider.needs_api_key
    assert "NOT a language model" in (offline_module.__doc__ or "")


def test_exact_rule_calls_the_named_tool_with_that_object() -> None:
    response = ask([{"role": "user", "content": 'reverse_text {"text": "abc"}'}])
    assert response.stop_reason == "tool_use"
    assert [(c.name, c.input) for c in response.tool_calls] == [("reverse_text", {"text": "abc"})]
    assert response.provider == "offline" and response.model == "default"


def test_several_mentions_are_parallel_calls_in_order() -> None:
    text = 'first text {"text": "a {b}"} then reverse_text{"text": "xyz"}, and text {"text": "c"}'
    response = ask([{"role": "user", "content": text}])
    assert [(c.name, c.input) for c in response.tool_calls] == [
        ("text", {"text": "a {b}"}),
        ("reverse_text", {"text": "xyz"}),
        ("text", {"text": "c"}),
    ]
    assert len({c.id for c in response.tool_calls}) == 3


def test_mentions_need_a_registered_name_and_a_json_object() -> None:
    specs = [ToolSpec(**t) for t in TOOLS]
    assert exact_tool_mentions('unknown_tool {"text": "a"}', specs) == []
    assert exact_tool_mentions("reverse_text {not json}", specs) == []
    assert exact_tool_mentions('reverse_text ["a"]', specs) == []
    assert exact_tool_mentions('my_reverse_text {"text": "a"}', specs) == []
    assert exact_tool_mentions('reverse_text {"text": "a"}', []) == []


def test_after_tool_results_it_answers_with_each_result_verbatim() -> None:
    prompt = {"role": "user", "content": 'reverse_text {"text": "abc"} text {"text": "e"}'}
    first = ask([prompt])
    results = {
        "role": "user",
        "content": [
            {"type": "tool_result", "tool_use_id": first.tool_calls[0].id, "content": "cba"},
            {
                "type": "tool_result",
                "tool_use_id": first.tool_calls[1].id,
                "content": [{"type": "text", "text": "multi\nline"}],
                "is_error": True,
            },
        ],
    }
    final = ask([prompt, first.message.model_dump(), results])
    assert final.stop_reason == "end_turn" and final.tool_calls == []
    text = final.message.text()
    assert "- reverse_text: cba" in text and "- text failed: multi\nline" in text
    assert "not a language model" in text


def test_heuristic_picks_the_tool_and_builds_arguments_from_the_prompt() -> None:
    response = ask([{"role": "user", "content": "How many km is 26.2 mi? Convert the distance please."}])
    assert [(c.name, c.input) for c in response.tool_calls] == [
        ("convert_units", {"value": 26.2, "from_unit": "km", "to_unit": "km"})
    ]
    named = ask([{"role": "user", "content": "convert distance value=5 from_unit=mi to_unit=km"}])
    assert named.tool_calls[0].input == {"value": 5.0, "from_unit": "mi", "to_unit": "km"}
    quoted = ask([{"role": "user", "content": 'Please reverse "hello world"'}])
    assert (quoted.tool_calls[0].name, quoted.tool_calls[0].input) == (
        "reverse_text",
        {"text": "hello world"},
    )


def test_no_matching_tool_gives_a_plain_answer() -> None:
    response = ask([{"role": "user", "content": "Good morning!"}], tools=TOOLS[:1])
    assert response.stop_reason == "end_turn" and response.tool_calls == []
    assert "No tool matches" in response.message.text() and "Good morning!" in response.message.text()


def test_ids_are_deterministic_and_differ_between_turns() -> None:
    messages = [{"role": "user", "content": 'text {"text": "a"}'}]
    first, again = ask(messages), ask(messages)
    assert first.tool_calls[0].id == again.tool_calls[0].id
    results = {
        "role": "user",
        "content": [{"type": "tool_result", "tool_use_id": first.tool_calls[0].id, "content": "a"}],
    }
    answer = ask([*messages, first.message.model_dump(), results])
    later = ask([*messages, first.message.model_dump(), results, answer.message.model_dump(), *messages])
    assert later.tool_calls[0].id != first.tool_calls[0].id


def test_long_answers_stop_at_max_tokens() -> None:
    response = ask([{"role": "user", "content": "hi " * 200}], tools=[], max_tokens=10)
    assert response.stop_reason == "max_tokens" and len(response.message.text()) == 40


def run_agent(prompts: list[str], max_turns: int = 6) -> tuple[list[dict[str, Any]], list[str]]:
    """The agent state machine's loop (docs/design.md §7), in Python: LLM → tools → tool_result → LLM."""
    h = make_harness(keys={})
    messages: list[dict[str, Any]] = []
    answers: list[str] = []
    for prompt in prompts:
        messages.append({"role": "user", "content": prompt})
        for _ in range(max_turns):
            response = h.complete(model="offline", tools=TOOLS, messages=messages)
            messages.append(response.to_dict()["message"])
            if response.stop_reason != "tool_use":
                answers.append(response.message.text())
                break
            messages.append(
                {
                    "role": "user",
                    "content": [
                        {
                            "type": "tool_result",
                            "tool_use_id": c.id,
                            "content": IMPLEMENTATIONS[c.name](c.input),
                        }
                        for c in response.tool_calls
                    ],
                }
            )
        else:
            pytest.fail("max turns")
    return messages, answers


def test_drives_a_real_multi_turn_tool_loop() -> None:
    messages, answers = run_agent(
        [
            'reverse_text {"text": "stressed"} and '
            'convert_units {"value": 10, "from_unit": "mi", "to_unit": "km"}',
            "convert 5 km to mi distance to_unit=mi",
        ]
    )
    assert "- reverse_text: desserts" in answers[0] and "- convert_units: 16.09 km" in answers[0]
    assert "- convert_units: 3.11 mi" in answers[1]
    assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant"] * 2


# --- argument building --------------------------------------------------------------------------

_leaf = st.one_of(
    st.just({"type": "string"}),
    st.just({"type": "string", "maxLength": 3}),
    st.just({"type": "integer", "minimum": 2, "maximum": 9}),
    st.just({"type": "number"}),
    st.just({"type": "boolean"}),
    st.just({"type": "string", "enum": ["red", "green"]}),
    st.just({"type": ["integer", "null"]}),
    st.just({"anyOf": [{"type": "string"}, {"type": "null"}]}),
)
_schema = st.recursive(
    _leaf,
    lambda inner: st.one_of(
        st.builds(lambda i: {"type": "array", "items": i, "minItems": 1}, inner),
        st.builds(
            lambda p: {"type": "object", "properties": p, "required": sorted(p)},
            st.dictionaries(st.from_regex(r"[a-z]{1,5}", fullmatch=True), inner, max_size=3),
        ),
    ),
    max_leaves=6,
)


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(st.from_regex(r"[a-z]{1,5}", fullmatch=True), _schema, max_size=4), st.text(max_size=40)
)
def test_built_arguments_validate_against_the_schema(props: dict[str, Any], prompt: str) -> None:
    schema = {"type": "object", "properties": props, "required": sorted(props)}
    args = build_arguments(schema, prompt)
    jsonschema.validate(args, schema)
    assert build_arguments(schema, prompt) == args  # deterministic


def test_choose_tool_ties_go_to_the_first_tool() -> None:
    specs = [
        ToolSpec(name="a_tool", description="count words"),
        ToolSpec(name="b_tool", description="count words"),
    ]
    assert choose_tool("count the words", specs) is specs[0]
    assert choose_tool("nothing relevant", specs) is None
