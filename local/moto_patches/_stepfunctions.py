"""Step Functions executions: unique names, runs on alias/version ARNs, task failures with their
cause, execution descriptions naming the version, and the ``states:startExecution`` integration."""

from __future__ import annotations

import copy
import datetime
import json
import random
import uuid
from typing import Any

from local.moto_patches._registry import original, patch

__all__ = ["apply"]


def apply() -> None:
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend
    from moto.stepfunctions.responses import StepFunctionResponse

    patch(StepFunctionsParserBackend, "start_execution", _start_execution)
    patch(StepFunctionResponse, "send_task_failure", _send_task_failure)
    patch(StepFunctionResponse, "describe_execution", _describe_execution)
    _patch_sfn_integration()


def _patch_sfn_integration() -> None:
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_sfn as sfn_task,
    )

    cls = sfn_task.StateTaskServiceSfn
    original_params = original(cls, "_normalise_parameters")

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

    patch(cls, "_normalise_parameters", normalise_parameters)
    patch(cls, "_normalise_response", normalise_response)


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
        moto_start = original(StepFunctionsParserBackend, "start_execution")
        return moto_start(self, state_machine_arn, name, execution_input, trace_header)
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

    result = original(StepFunctionResponse, "describe_execution")(self)
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
