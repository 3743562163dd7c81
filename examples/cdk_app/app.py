"""Example user app: two tools and one agent on a deployed sfn-agents platform.

Deploys into the account/region of an environment whose platform stacks (``sfa-shared-{env}``,
``sfa-llm-{env}``) are already deployed; it refers to them by name only (no cross-stack exports):

* ``convert_units`` — a Python tool (``examples/tools/convert_units``), ``tool-convert_units-{env}``;
* ``text_stats`` — a Node.js tool (``examples/tools/text_stats/index.mjs``), ``tool-text_stats-{env}``.
  It is plain JavaScript, not TypeScript: a TypeScript tool would need a compiler (tsc/esbuild from
  npm) at synth time, and synth must work offline without one. ``ToolFunction`` is the same for
  any runtime — point ``code`` at your compiled output;
* the ``trip-planner`` agent (``examples/agents/trip-planner.yaml``), which selects
  ``convert_units@^1`` and every tool tagged ``text``;
* a subscription that sends the agent's regeneration events to an SQS queue.

Run: ``cdk deploy --app "python examples/cdk_app/app.py" -c env=dev`` (see docs/deploy.md), or
synthesize with ``python examples/cdk_app/app.py`` (writes ``cdk.out``).
"""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra import Agent, RegistrySubscription, ToolFunction

__all__ = ["EXAMPLES", "ExampleToolsStack", "build_app"]

EXAMPLES = Path(__file__).resolve().parents[1]
_EXCLUDE = ["__pycache__", "*.pyc", "manifest.yaml"]


class ExampleToolsStack(cdk.Stack):
    """Attributes: ``convert_units`` (Python), ``text_stats`` (JavaScript), ``word_freq`` (TypeScript)
    (``ToolFunction``), ``agent`` (``Agent``),
    ``events_queue``, ``subscription``."""

    def __init__(self, scope: Construct, construct_id: str, *, env_name: str, **kwargs: object) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        tools = EXAMPLES / "tools"
        self.convert_units = ToolFunction(
            self,
            "ConvertUnits",
            env=env_name,
            manifest=tools / "convert_units" / "manifest.yaml",
            code=lambda_.Code.from_asset(str(tools / "convert_units"), exclude=_EXCLUDE),
            handler="handler.handler",
            runtime=lambda_.Runtime.PYTHON_3_14,
        )
        self.text_stats = ToolFunction(
            self,
            "TextStats",
            env=env_name,
            manifest=tools / "text_stats" / "manifest.yaml",
            code=lambda_.Code.from_asset(str(tools / "text_stats"), exclude=_EXCLUDE),
            handler="index.handler",
            runtime=lambda_.Runtime.NODEJS_24_X,
        )
        # TypeScript, deployed from its compiled dist/: `make test` builds it; before synthesizing this
        # app yourself, run `npm ci && npm run build` in examples/tools/word_freq.
        self.word_freq = ToolFunction(
            self,
            "WordFreq",
            env=env_name,
            manifest=tools / "word_freq" / "manifest.yaml",
            code=lambda_.Code.from_asset(str(tools / "word_freq" / "dist")),
            handler="index.handler",
            runtime=lambda_.Runtime.NODEJS_24_X,
        )
        self.agent = Agent(self, "TripPlanner", env=env_name, spec=EXAMPLES / "agents" / "trip-planner.yaml")
        # The Agent's spec names its tools by selector, not by construct: deploy the tools first so
        # the first rendering already finds them (later changes re-render on their own).
        self.agent.node.add_dependency(self.convert_units, self.text_stats, self.word_freq)

        self.events_queue = sqs.Queue(
            self,
            "AgentEvents",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=cdk.Duration.days(4),
        )
        cdk.Validations.of(self.events_queue).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions::AwsSolutions-SQS3",
                reason="An example inbox of registry events; EventBridge retries delivery itself.",
            )
        )
        self.subscription = RegistrySubscription(
            self,
            "AgentEventsSubscription",
            env=env_name,
            event_types=["AgentRegenerated", "AgentRegenerationFailed"],
            detail={"agent_name": [self.agent.agent_name]},
            targets=[targets.SqsQueue(self.events_queue)],  # type: ignore[arg-type]
        )


def build_app(outdir: str | None = None, context: dict[str, object] | None = None) -> cdk.App:
    app = cdk.App(outdir=outdir, context=context or None)
    env_name = str(app.node.try_get_context("env") or "dev")
    ExampleToolsStack(app, f"sfa-example-tools-{env_name}", env_name=env_name)
    return app


if __name__ == "__main__":
    build_app().synth()
