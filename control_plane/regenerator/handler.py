"""The regenerator Lambda: DynamoDB stream batches (ToolRegistry and AgentRegistry) → ``Regenerator``.

Thin: parse the batch into changes (pure), let the core regenerate each affected agent once, then
report through Powertools' ``BatchProcessor`` which records failed — every record that contributed
to an agent whose regeneration failed with a retryable error — so the event source mapping
(``ReportBatchItemFailures``) retries from the first of them. Deterministic failures (an unresolvable
selector, a policy that cannot fit) are recorded on the agent and not retried.

Event source mapping filter that saves invocations on AgentRegistry (optional; the code filters
anyway): ``{"dynamodb": {"Keys": {"agent_name": {"S": [{"anything-but": {"prefix": "sel#"}}]}}}}``.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from control_plane.regenerator.changes import (
    AgentChange,
    ToolChange,
    agent_change,
    merge_tool_changes,
    source_table,
    tool_change,
)
from control_plane.regenerator.config import RegeneratorConfig
from control_plane.regenerator.errors import RegenerationIncompleteError
from control_plane.regenerator.outcome import AgentOutcome
from control_plane.regenerator.service import Regenerator

__all__ = ["HANDLER", "get_regenerator", "handle", "handler", "plan_batch"]

HANDLER = "control_plane.regenerator.handler.handler"
SERVICE = "sfa-regenerator"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace="SfnAgents", service=SERVICE)
tracer = Tracer(service=SERVICE)

_regenerator: Regenerator | None = None


def get_regenerator(context: Any = None) -> Regenerator:
    """The process's regenerator, configured on first use (account from the function's ARN)."""
    global _regenerator
    if _regenerator is None:
        arn = str(getattr(context, "invoked_function_arn", "") or "")
        account = arn.split(":")[4] if arn.count(":") >= 5 else None
        _regenerator = Regenerator(RegeneratorConfig.from_env(account_id=account), logger=logger)
    return _regenerator


def plan_batch(
    records: list[dict[str, Any]], config: RegeneratorConfig
) -> tuple[list[ToolChange], list[AgentChange], dict[str, list[str]]]:
    """Changes in a batch, and for each record (by sequence number) the agents or tools it names."""
    tool_changes: list[ToolChange] = []
    agent_changes: list[AgentChange] = []
    sources: dict[str, list[str]] = {}
    for record in records:
        seq = str((record.get("dynamodb") or {}).get("SequenceNumber", ""))
        table = source_table(record)
        if table == config.base.tool_table:
            change = tool_change(record)
            if change is not None:
                tool_changes.append(change)
                sources[seq] = [f"tool:{change.tool_name}"]
        elif table == config.base.agent_table:
            spec_change = agent_change(record)
            if spec_change is not None:
                agent_changes.append(spec_change)
                sources[seq] = [f"agent:{spec_change.agent_name}"]
    return merge_tool_changes(tool_changes), agent_changes, sources


def _failed_sources(outcomes: list[AgentOutcome]) -> set[str]:
    failed: set[str] = set()
    for outcome in outcomes:
        if outcome.action == "failed" and outcome.retryable:
            failed.add(f"agent:{outcome.agent}")
            failed.update(f"tool:{ref.split('@', 1)[0]}" for ref in outcome.triggers)
    return failed


def handle(event: dict[str, Any], regenerator: Regenerator, context: Any = None) -> dict[str, Any]:
    """Process one stream batch; returns the partial batch response (``batchItemFailures``)."""
    records = event.get("Records") or []
    if not records:  # Powertools refuses an empty batch
        return {"batchItemFailures": []}
    tool_changes, agent_changes, sources = plan_batch(records, regenerator.config)
    failed: set[str]
    try:
        outcomes = regenerator.process(tool_changes, agent_changes)
        failed = _failed_sources(outcomes)
    except Exception:  # the index lookup itself failed: retry every record that mattered
        logger.exception("regeneration batch failed")
        outcomes, failed = [], {s for names in sources.values() for s in names}
    for outcome in outcomes:
        logger.info(f"agent {outcome.action}", extra=outcome.as_dict())
    for action, count in sorted(Counter(o.action for o in outcomes).items()):
        metrics.add_metric(name=f"Agent_{action}", unit=MetricUnit.Count, value=count)
    metrics.add_metric(name="RecordsIgnored", unit=MetricUnit.Count, value=len(records) - len(sources))
    metrics.add_metric(
        name="VersionsPruned", unit=MetricUnit.Count, value=sum(len(o.pruned) for o in outcomes)
    )
    metrics.add_metric(
        name="VersionPruneFailed", unit=MetricUnit.Count, value=sum(1 for o in outcomes if o.prune_error)
    )

    def record_handler(record: DynamoDBRecord) -> None:
        names = sources.get(str(record.dynamodb.sequence_number if record.dynamodb else ""), [])
        hit = sorted(set(names) & failed)
        if hit:
            raise RegenerationIncompleteError(f"regeneration incomplete for {', '.join(hit)}")

    processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )


@logger.inject_lambda_context(log_event=False, clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return handle(event, get_regenerator(context), context)
