"""Every change local mode makes to moto 5.2.5, in one place (verified-facts.md, "moto" section).

Each patch names the quirk it works around and has a test in ``tests/local/test_local_moto_patches.py``.
:func:`apply` installs them (idempotent; ``LocalAws.start`` calls it) and :func:`remove` restores
moto's originals (``LocalAws.stop``), so importing ``local`` changes nothing and a test that uses
moto's own ``mock_aws`` after the emulator stopped sees stock moto. moto is pinned exactly
(pyproject ``[local]``) because these patches reach into its internals.

Quirks handled here:

* JSONata evaluator is a stub → plug in jsonata-python, with real ``$uuid()``/``$hash()``.
* Variables are inlined into expressions as text, strings unescaped → escape them properly.
* StartExecution without ``name`` collides in execution mode → generate a unique name.
* StartExecution on an alias ARN fails, on a version ARN crashes → run the version's definition.
* SendTaskFailure drops ``cause`` → pass it through.
* ``states:startExecution`` tasks send PascalCase arguments to boto3 (KeyError) and read PascalCase
  results from its camelCase response → convert both ways, as AWS's integration does.
* Lambda without Docker echoes, for any name → run the real code; unknown names → 404.
* Invoke ignores ``Qualifier`` (and reads it from the event payload) → read the query string.
* DynamoDB stream → Lambda delivery is synchronous and loses records → ``local.streams``.
* TransactWriteItems deep-copies the whole table once per item → once per table (a speed fix).
"""

from __future__ import annotations

import copy
import datetime
import json
import random
import threading
import uuid
from typing import Any

from local import jsonata_eval
from local.lambda_runner import LambdaRunner, invoke_from_moto
from local.streams import StreamPump

__all__ = ["apply", "is_applied", "remove"]

_MISSING = object()
_lock = threading.RLock()
_originals: list[tuple[Any, str, Any]] = []  # (owner, attribute, original value or _MISSING)
_state: dict[str, Any] = {"runner": None, "pump": None}


def is_applied() -> bool:
    return bool(_originals)


def apply(runner: LambdaRunner, pump: StreamPump) -> None:
    """Install every patch (once) and route Lambda invocations to ``runner``."""
    with _lock:
        _state["runner"], _state["pump"] = runner, pump
        if _originals:
            return
        _patch_jsonata()
        _patch_stepfunctions()
        _patch_lambda()
        _patch_streams()
        _patch_transactions()


def remove() -> None:
    """Restore moto's originals (reverse order) and forget the runner."""
    with _lock:
        while _originals:
            owner, name, original = _originals.pop()
            if original is _MISSING:
                delattr(owner, name)
            else:
                setattr(owner, name, original)
        _state["runner"], _state["pump"] = None, None


def _set(owner: Any, name: str, value: Any) -> None:
    _originals.append((owner, name, owner.__dict__.get(name, _MISSING)))
    setattr(owner, name, value)


def _original(owner: Any, name: str) -> Any:
    for patched_owner, patched_name, original in _originals:
        if patched_owner is owner and patched_name == name:
            return original
    return getattr(owner, name)


# -- JSONata -----------------------------------------------------------------------------------


def _patch_jsonata() -> None:
    from moto.stepfunctions.parser.asl.component.intrinsic import jsonata as intrinsic
    from moto.stepfunctions.parser.asl.eval import states, variable_store
    from moto.stepfunctions.parser.asl.jsonata import jsonata

    # Quirk: `_eval_jsonata` is None (LocalStack's JVM bridge is not ported).
    _set(jsonata, "_eval_jsonata", jsonata_eval.evaluate)
    # Quirk: $uuid/$hash are declared as JSONata functions returning "... not supported"; drop the
    # declarations so the evaluator's real bindings are used.
    declarations = dict(intrinsic._DECLARATION_BY_VARIABLE_REFERENCE)
    for name in ("$uuid", "$hash"):
        declarations.pop(name, None)
    _set(intrinsic, "_DECLARATION_BY_VARIABLE_REFERENCE", declarations)
    # Quirk: string variables are written as f'"{value}"' (no escaping: `"` or `\` breaks the next
    # state) and other values with ensure_ascii JSON (emoji → lone surrogates). The function is
    # imported by name into two modules: patch all three references.
    for module in (jsonata, states, variable_store):
        _set(module, "encode_jsonata_variable_declarations", _encode_declarations)


def _encode_declarations(bindings: dict[str, Any]) -> str:
    return jsonata_eval.encode_variable_declarations(bindings)


# -- Step Functions ----------------------------------------------------------------------------


def _patch_stepfunctions() -> None:
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend
    from moto.stepfunctions.responses import StepFunctionResponse

    _set(StepFunctionsParserBackend, "start_execution", _start_execution)
    _set(StepFunctionResponse, "send_task_failure", _send_task_failure)
    _set(StepFunctionResponse, "describe_execution", _describe_execution)
    _patch_sfn_integration()


def _patch_sfn_integration() -> None:
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_sfn as sfn_task,
    )

    cls = sfn_task.StateTaskServiceSfn
    original_params = _original(cls, "_normalise_parameters")

    # Quirk: the Arguments of `arn:aws:states:::states:startExecution(.sync:2)` reach boto3 as
    # `StateMachineArn`/`Name`/`Input` (botocore's serializer raises KeyError: 'StateMachineArn'),
    # and the sync resolvers read `ExecutionArn`/`Output` from boto3's camelCase response. AWS
    # takes and returns the API's PascalCase names: convert at both seams.
    def normalise_parameters(
        self: Any, parameters: dict, boto_service_name: Any = None, service_action_name: Any = None
    ) -> None:
        original_params(self, parameters, boto_service_name, service_action_name)
        if service_action_name is None:
            for key in list(parameters):
                parameters[key[:1].lower() + key[1:]] = parameters.pop(key)

    def normalise_response(
        self: Any, response: Any, boto_service_name: Any = None, service_action_name: Any = None
    ) -> None:
        if isinstance(response, dict):
            for key in list(response):
                value = response.pop(key)
                if isinstance(value, datetime.datetime):
                    value = value.isoformat()
                response[key[:1].upper() + key[1:]] = value

    _set(cls, "_normalise_parameters", normalise_parameters)
    _set(cls, "_normalise_response", normalise_response)


def _start_execution(
    self: Any,
    state_machine_arn: str,
    name: str | None = None,
    execution_input: str | None = None,
    trace_header: str | None = None,
) -> Any:
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend

    # Quirk: without `name` the execution ARN ends in ":None" and a second unnamed start raises
    # ExecutionAlreadyExists. AWS generates a UUID name.
    name = name or str(uuid.uuid4())
    arn_parts = state_machine_arn.split(":")
    if len(arn_parts) <= 7:  # a plain state machine ARN: moto's own path works once named
        original = _original(StepFunctionsParserBackend, "start_execution")
        return original(self, state_machine_arn, name, execution_input, trace_header)
    # Quirk: an alias ARN raises StateMachineDoesNotExist and a version ARN crashes
    # (`_handle_name_input_idempotency` missing on StateMachineVersion). Resolve alias → version
    # and run that version's own definition on the state machine (where executions are listed).
    alias_arn = None
    version_arn = state_machine_arn
    if not arn_parts[-1].isdigit():
        alias_arn = state_machine_arn
        alias = self.describe_state_machine_alias(alias_arn)
        routes = alias.routing_configuration
        weights = [int(r.get("weight", 100)) for r in routes]
        version_arn = random.choices(routes, weights=weights)[0]["stateMachineVersionArn"]
    version = self.describe_state_machine(version_arn)
    state_machine = self.describe_state_machine(version.source_arn)
    existing = state_machine._handle_name_input_idempotency(name, execution_input)
    if existing is not None:
        return existing
    return _start_version_execution(
        self, state_machine, version, name, execution_input, trace_header, alias_arn
    )


def _start_version_execution(
    backend: Any,
    state_machine: Any,
    version: Any,
    name: str,
    execution_input: str | None,
    trace_header: str | None,
    alias_arn: str | None,
) -> Any:
    """moto's ``StepFunctionsParserBackend.start_execution`` body, with the version's definition."""
    from moto.stepfunctions.parser.api import InvalidExecutionInput
    from moto.stepfunctions.parser.backend.execution import Execution

    snapshot = copy.deepcopy(
        state_machine,
        {id(state_machine.executions): [], id(state_machine.backend): state_machine.backend},
    )
    snapshot.definition = version.definition
    snapshot.roleArn = version.roleArn
    input_data = execution_input if execution_input is not None else "{}"
    try:
        json.loads(input_data)
    except ValueError as exc:
        raise InvalidExecutionInput(str(exc)) from None
    execution = Execution(
        name=name,
        sm_type=snapshot.sm_type,
        role_arn=snapshot.roleArn,
        exec_arn=(
            f"arn:{backend.partition}:states:{backend.region_name}:{backend.account_id}"
            f":execution:{state_machine.name}:{name}"
        ),
        account_id=backend.account_id,
        region_name=backend.region_name,
        state_machine=snapshot,
        start_date=datetime.datetime.now(tz=datetime.UTC),
        cloud_watch_logging_session=None,
        input_data=input_data,
        trace_header=trace_header,
        activity_store={},
    )
    execution.sfa_version_arn = version.arn
    execution.sfa_alias_arn = alias_arn
    state_machine.executions.append(execution)
    execution.start()
    return execution


def _describe_execution(self: Any) -> Any:
    from moto.stepfunctions.responses import StepFunctionResponse

    result = _original(StepFunctionResponse, "describe_execution")(self)
    execution = self.stepfunction_backend.describe_execution(self._get_param("executionArn"))
    # AWS reports which version/alias an execution ran (null for the unqualified ARN).
    if getattr(execution, "sfa_version_arn", None):
        result.result["stateMachineVersionArn"] = execution.sfa_version_arn
    if getattr(execution, "sfa_alias_arn", None):
        result.result["stateMachineAliasArn"] = execution.sfa_alias_arn
    return result


def _send_task_failure(self: Any) -> Any:
    from moto.core.responses import EmptyResult

    # Quirk: moto's response handler reads `error` but never `cause` ($states.errorOutput.Cause
    # was null).
    self.stepfunction_backend.send_task_failure(
        self._get_param("taskToken"), error=self._get_param("error"), cause=self._get_param("cause")
    )
    return EmptyResult()


# -- Lambda ------------------------------------------------------------------------------------


def _patch_lambda() -> None:
    from moto.awslambda.models import LambdaFunction
    from moto.awslambda.responses import LambdaResponse
    from moto.awslambda_simple.models import LambdaSimpleBackend

    _set(LambdaSimpleBackend, "invoke", _backend_invoke)
    _set(LambdaFunction, "invoke", _function_invoke)
    _set(LambdaResponse, "invoke", _response_invoke)


def _response_invoke(self: Any) -> Any:
    from moto.awslambda.responses import LambdaResponse

    # Quirk: moto reads the parameter "qualifier" — boto3 sends "Qualifier" (so Invoke with a
    # Qualifier ran $LATEST) and, absent from the query, moto took it from the *event payload*
    # (an event with a "qualifier" key broke the call). Answer from the query string only.
    self.querystring["qualifier"] = [self.querystring.get("Qualifier", [None])[0]]
    return _original(LambdaResponse, "invoke")(self)


def _backend_invoke(
    self: Any,
    function_name: str,
    qualifier: str | None,
    body: Any,
    headers: Any,
    response_headers: dict[str, Any],
) -> bytes:
    # Quirk: the simple backend answers for any function name (echo). Look the function up
    # (ResourceNotFoundException for unknown names, as AWS) and run it.
    function = self.get_function(function_name, qualifier)
    payload = function.invoke(body, headers, response_headers)
    response_headers["Content-Length"] = str(len(payload))
    return payload


def _function_invoke(self: Any, body: Any, request_headers: Any, response_headers: Any) -> bytes:
    # Quirk: without Docker moto never runs Lambda code. Every invoke path (Invoke API, Step
    # Functions tasks, SNS/SQS/EventBridge deliveries) ends here: run the real handler.
    runner: LambdaRunner | None = _state["runner"]
    if runner is None:  # unreachable while applied; remove() restores moto's method
        raise RuntimeError("the local Lambda runner is not running")
    return invoke_from_moto(runner, self, body, request_headers, response_headers)


# -- DynamoDB streams --------------------------------------------------------------------------


def _patch_streams() -> None:
    from moto.dynamodb.models.table import StreamRecord, StreamShard

    def add(shard: Any, old: Any, new: Any) -> None:
        # Quirk: moto invokes mapped Lambdas synchronously here and clears the shard after any
        # answer (records lost on failure, sequence numbers reused). Keep every record; the pump
        # delivers asynchronously (see local.streams).
        view_type = shard.table.stream_specification["StreamViewType"]
        event_name = "INSERT" if old is None else "REMOVE" if new is None else "MODIFY"
        seq = len(shard.items) + shard.starting_sequence_number
        shard.items.append(StreamRecord(shard.table, view_type, event_name, old, new, seq))
        pump: StreamPump | None = _state["pump"]
        if pump is not None and shard.table.lambda_event_source_mappings:
            pump.notify(shard)

    _set(StreamShard, "add", add)


# -- DynamoDB transactions ---------------------------------------------------------------------

_tx = threading.local()


def _patch_transactions() -> None:
    """Quirk: ``transact_write_items`` backs up each table with ``copy.deepcopy`` once *per item*
    (stream records included), so a 6-item transaction copied the table 6 times and writes slowed
    down as tables grew. All the copies are taken before any write, so one per table is the same
    backup: the shim below memoizes ``deepcopy`` by object for the duration of one transaction.
    """
    import types

    from moto.dynamodb import models

    def deepcopy(obj: Any, memo: Any = None) -> Any:
        cache = getattr(_tx, "cache", None)
        if cache is None or memo is not None:
            return copy.deepcopy(obj, memo)
        if id(obj) not in cache:
            cache[id(obj)] = copy.deepcopy(obj)
        return cache[id(obj)]

    original = _original(models.DynamoDBBackend, "transact_write_items")

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        _tx.cache = {}
        try:
            return original(self, transact_items)
        finally:
            _tx.cache = None

    _set(models, "copy", types.SimpleNamespace(deepcopy=deepcopy, copy=copy.copy))
    _set(models.DynamoDBBackend, "transact_write_items", transact_write_items)
