"""The real gateway handler with a scripted provider (deployed as a Lambda in long-run tests).

``model: "scripted:N"``: for the first N turns the model calls ``echo`` twice (inputs
``{"turn": t, "call": 0|1}``), then answers ``done after N tool turns; last results: …``. Usage is
10 input and 1 output token per call, so totals are checkable over a whole chain.
"""

from llm_gateway.config import GatewayConfig
from llm_gateway.gateway import Gateway
from llm_gateway.handler import handler as gateway_handler
from llm_gateway.handler import set_gateway
from llm_gateway.models import GatewayResponse, TextBlock, ToolUseBlock
from llm_gateway.providers.base import Provider


class ScriptedProvider(Provider):
    name = "scripted"
    needs_api_key = False

    def complete(self, call):
        messages = call.request.messages
        turn = sum(1 for m in messages if m.role == "assistant") + 1
        if turn <= int(call.model):
            blocks = [
                ToolUseBlock(id=f"call_{turn}_{i}", name="echo", input={"turn": turn, "call": i})
                for i in range(2)
            ]
            return GatewayResponse.build(
                blocks, "tool_use", provider="scripted", model=call.model, input_tokens=10, output_tokens=1
            )
        last = [r.text for r in messages[-1].tool_results()]
        text = f"done after {turn - 1} tool turns; last results: {' | '.join(last)}"
        return GatewayResponse.build(
            [TextBlock(text=text)],
            "end_turn",
            provider="scripted",
            model=call.model,
            input_tokens=10,
            output_tokens=1,
        )


set_gateway(Gateway(GatewayConfig(), providers={"scripted": ScriptedProvider()}))
handler = gateway_handler
