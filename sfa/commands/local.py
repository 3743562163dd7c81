"""``sfa local up|status``: the whole platform on an embedded AWS emulator (docs/design.md §9)."""

from __future__ import annotations

import os
import signal
import threading
from typing import Annotated

import typer

from sfa.output import err, fail, out, print_json

__all__ = ["app"]

app = typer.Typer(help="Run the platform locally on an embedded AWS emulator.", no_args_is_help=True)


@app.command("up")
def up(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0: a free one).")] = 0,
    env: Annotated[str, typer.Option(help="Deployment environment name.")] = "dev",
) -> None:
    """Start the emulator and the control plane in the foreground (Ctrl-C stops it).

    Prints a line ``AWS_ENDPOINT_URL=http://127.0.0.1:N`` once ready.
    """
    from local import LocalAws
    from local.controlplane import LocalControlPlane
    from sfa.context import local_state, write_local_state

    running = local_state()
    if running:
        fail(f"local mode already runs at {running['endpoint_url']} (pid {running['pid']})")
    aws = LocalAws()
    try:
        aws.start(port or None)
    except Exception as exc:
        fail(f"cannot start the emulator: {exc}")
    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    try:
        with err.status("deploying the platform (tables, buses, registrar, regenerator, gateway)…"):
            plane = LocalControlPlane(aws, env).start()
        state = {"pid": os.getpid(), "endpoint_url": aws.endpoint_url, "region": aws.region, "env": env}
        write_local_state(state)
        keys = plane.resources.llm_keys_found if plane.resources else []
        err.print(
            f"sfn-agents local mode ({env}) — LLM keys: {', '.join(keys) or 'none (use offline:default)'}"
        )
        typer.echo(f"AWS_ENDPOINT_URL={aws.endpoint_url}", err=False)
        env_vars = " ".join(f"{k}={v}" for k, v in aws.environment().items())
        typer.echo(f"export {env_vars}")
        stopping.wait()
        plane.stop()
    finally:
        write_local_state(None)
        aws.stop()
        err.print("local mode stopped")


@app.command("status")
def status(json_output: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False) -> None:
    """Whether local mode runs, where, and what it holds."""
    from sfa.context import aws_client, local_state

    state = local_state()
    if not state:
        fail("local mode is not running (start it with: sfa local up)")
    lam = aws_client("lambda")
    functions = [
        f["FunctionName"]
        for page in lam.get_paginator("list_functions").paginate()
        for f in page["Functions"]
    ]
    sfn = aws_client("stepfunctions")
    machines = [m["name"] for m in sfn.list_state_machines()["stateMachines"]]
    summary = {**state, "functions": sorted(functions), "state_machines": sorted(machines)}
    if json_output:
        print_json(summary)
        return
    out.print(f"running at {state['endpoint_url']} (pid {state['pid']}, env {state['env']})", markup=False)
    out.print(f"  {len(functions)} Lambda functions, {len(machines)} state machines", markup=False)
