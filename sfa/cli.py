"""The ``sfa`` command: a thin composition of command groups (each imports its package lazily)."""

from __future__ import annotations

import typer

from sfa.commands import agent, approval, deploy, events, local, manifest, tags, tools

__all__ = ["app", "main"]

app = typer.Typer(
    name="sfa",
    help="sfn-agents: self-registering AI agents on AWS.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """Without AWS_ENDPOINT_URL, commands talk to a running ``sfa local up`` if there is one."""
    from sfa.context import adopt_local_environment

    adopt_local_environment()


app.add_typer(manifest.app, name="manifest")
app.add_typer(tags.app, name="tags")
app.add_typer(local.app, name="local")
app.add_typer(tools.app, name="tools")
app.add_typer(agent.app, name="agent")
app.add_typer(events.app, name="events")
app.command("deploy-tool")(deploy.deploy_tool_command)
app.command("approve")(approval.approve)
app.command("deny")(approval.deny)


@app.command("synth")
def synth_command(
    env: str = typer.Option("dev", help="Environment name (resource names end in -{env})."),
) -> None:
    """Write the CDK templates offline (needs the infra extra; same as `make synth`)."""
    try:
        from infra.cli import synth
    except ImportError as exc:  # the base install has no CDK
        from sfa.output import fail

        fail(f"sfa synth needs the infra extra (pip install 'sfn-agents[infra]'): {exc}")
    synth(env=env)


@app.command("demo")
def demo_command() -> None:
    """The whole loop, locally, in about a minute (what `make demo` runs)."""
    from sfa.demo import run_demo

    raise typer.Exit(run_demo())


def main() -> None:
    app()
