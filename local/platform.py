"""The platform's resources on the emulator, created from the same code the CDK app uses.

Table specs, the registrar's rule pattern and every resource name come from ``control_plane``
(``registry.table``, ``registrar.trigger``, ``deployment``); the Lambdas run the project's own
handler code, zipped from the source tree like the CDK bundle (dependencies come from this
interpreter, as a layer would provide them).
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from control_plane import deployment as names
from control_plane.agents.iam import boundary_policy_document
from control_plane.config import ANY_FUNCTION, registry_bus_name
from control_plane.registrar import REGISTRAR_EVENT_PATTERN
from control_plane.registry import create_tables
from local.testing import build_zip, ensure_lambda_role

__all__ = [
    "LOCAL_RELEASE_GRACE_SECONDS",
    "PlatformResources",
    "create_content_bucket",
    "deploy_platform",
    "platform_code_zip",
]

# How long a release in progress may take locally before the registrar decides (AWS default: 120).
LOCAL_RELEASE_GRACE_SECONDS = "10"
_PACKAGES = ("control_plane", "llm_gateway", "agent_templates", "tool_sdk")
_SOURCE_ROOT = Path(__file__).resolve().parents[1]
# Keys local mode copies from the caller's environment into the LLM secret (never into Lambda env).
_KEY_NAMES = ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY")
_PASSTHROUGH = ("SFA_ANTHROPIC_BASE_URL", "SFA_OPENAI_BASE_URL", "SFA_GEMINI_BASE_URL", "SFA_LLM_ALIASES")


@dataclass
class PlatformResources:
    env: str
    functions: dict[str, str] = field(default_factory=dict)  # role → function ARN
    cloudtrail_queue_url: str = ""
    bus_arn: str = ""
    content_bucket: str = ""
    llm_keys_found: list[str] = field(default_factory=list)


def platform_code_zip() -> bytes:
    """The platform packages' source as a Lambda deployment zip (deterministic)."""
    files: dict[str, str | bytes] = {}
    for package in _PACKAGES:
        for path in sorted((_SOURCE_ROOT / package).rglob("*")):
            if path.is_file() and path.suffix in (".py", ".json") and "__pycache__" not in path.parts:
                files[str(path.relative_to(_SOURCE_ROOT))] = path.read_bytes()
    return build_zip(files)


def deploy_platform(aws: Any, env: str = "dev", environ: dict[str, str] | None = None) -> PlatformResources:
    """Create tables, buses, the boundary policy, the platform Lambdas and their wiring."""
    environ = dict(os.environ if environ is None else environ)
    res = PlatformResources(env=env)
    create_tables(aws.client("dynamodb"), env)
    events = aws.client("events")
    res.bus_arn = events.create_event_bus(Name=registry_bus_name(env))["EventBusArn"]
    iam = aws.client("iam")
    with contextlib.suppress(iam.exceptions.EntityAlreadyExistsException):
        iam.create_policy(
            PolicyName=names.agent_boundary_policy_name(env),
            PolicyDocument=json.dumps(
                boundary_policy_document(aws.region, aws.account_id, registry_bus_name(env), env=env)
            ),
        )
    keys = {k: environ[k] for k in _KEY_NAMES if environ.get(k)}
    res.llm_keys_found = sorted(keys)
    _put_secret(aws.client("secretsmanager"), names.llm_secret_name(env), json.dumps(keys))

    res.content_bucket = create_content_bucket(aws, env)
    code = platform_code_zip()
    common = {
        "SFA_ENV": env,
        "POWERTOOLS_METRICS_NAMESPACE": "SfnAgents",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": environ.get("SFA_LOCAL_LOG_LEVEL", "WARNING"),
    }
    gateway_env = {
        **common,
        "SFA_CONTENT_BUCKET": res.content_bucket,
        # The emulator enforces no IAM, so any registered function is callable as a tool (on AWS
        # only tool-*-{env} and extra_agent_function_arns): the tool invoker's cap matches that.
        "SFA_EXTRA_TOOL_FUNCTION_ARNS": f"arn:aws:lambda:{aws.region}:{aws.account_id}:function:*",
        **{k: environ[k] for k in _PASSTHROUGH if environ.get(k)},
    }
    arn = _function(aws, names.gateway_function_name(env), names.GATEWAY_HANDLER, code, gateway_env, 120)
    res.functions["gateway"] = arn
    # The registrar's delayed re-checks of held releases go to the queue it is fed from; local mode's
    # grace window is shorter than AWS's 120 s default (SFA_RELEASE_GRACE_SECONDS, docs/registry.md).
    res.cloudtrail_queue_url = _cloudtrail_rule(aws, env)
    # the content bucket also switches the regenerator's offload on (control_plane.regenerator.config)
    cp_env = {
        **common,
        "SFA_GATEWAY_FUNCTION_ARN": arn,
        "SFA_CONTENT_BUCKET": res.content_bucket,
        "SFA_REGISTRAR_RECHECK_QUEUE_URL": res.cloudtrail_queue_url,
        "SFA_RELEASE_GRACE_SECONDS": environ.get("SFA_RELEASE_GRACE_SECONDS") or LOCAL_RELEASE_GRACE_SECONDS,
        # One environment per emulator and no IAM (the tool cap above is every function too): any
        # tagged function registers, whatever its name. On AWS the default scope is tool-*-{env}
        # (control_plane.config); set this variable to try a narrower scope locally.
        "SFA_REGISTRAR_ALLOWED_PREFIXES": environ.get("SFA_REGISTRAR_ALLOWED_PREFIXES") or ANY_FUNCTION,
    }
    res.functions["registrar"] = _function(
        aws, names.registrar_function_name(env), names.REGISTRAR_HANDLER, code, cp_env, 30
    )
    res.functions["reconciler"] = _function(
        aws, names.reconciler_function_name(env), names.RECONCILER_HANDLER, code, cp_env, 300
    )
    if _has_module("control_plane.regenerator.handler"):
        res.functions["regenerator"] = _function(
            aws, names.regenerator_function_name(env), names.REGENERATOR_HANDLER, code, cp_env, 120
        )
        _stream_mappings(aws, env, res.functions["regenerator"])
    return res


def create_content_bucket(aws: Any, env: str) -> str:
    """The content bucket (large payloads by reference) with its expiration rule; its name."""
    s3 = aws.client("s3")
    bucket = names.content_bucket_name(aws.account_id, aws.region, env)
    location: dict[str, Any] = {}
    if aws.region != "us-east-1":
        location = {"CreateBucketConfiguration": {"LocationConstraint": aws.region}}
    with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou, s3.exceptions.BucketAlreadyExists):
        s3.create_bucket(Bucket=bucket, **location)
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "expire-offloaded-content",
                    "Status": "Enabled",
                    "Filter": {"Prefix": f"{names.CONTENT_PREFIX}/"},
                    "Expiration": {"Days": names.CONTENT_EXPIRATION_DAYS},
                }
            ]
        },
    )
    return bucket


def _has_module(name: str) -> bool:
    try:
        return find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def _put_secret(secrets: Any, name: str, value: str) -> None:
    try:
        secrets.create_secret(Name=name, SecretString=value)
    except secrets.exceptions.ResourceExistsException:
        secrets.put_secret_value(SecretId=name, SecretString=value)


def _function(aws: Any, name: str, handler: str, code: bytes, env: dict[str, str], timeout: int) -> str:
    lam = aws.client("lambda")
    try:
        lam.get_function(FunctionName=name)
    except lam.exceptions.ResourceNotFoundException:
        return lam.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=ensure_lambda_role(aws),
            Handler=handler,
            Code={"ZipFile": code},
            Timeout=timeout,
            MemorySize=512,
            Environment={"Variables": env},
            Architectures=["arm64"],
        )["FunctionArn"]
    lam.update_function_code(FunctionName=name, ZipFile=code)
    return lam.update_function_configuration(
        FunctionName=name, Handler=handler, Timeout=timeout, Environment={"Variables": env}
    )["FunctionArn"]


def _stream_mappings(aws: Any, env: str, function_arn: str) -> None:
    from control_plane.config import agent_registry_table_name, tool_registry_table_name

    ddb, lam = aws.client("dynamodb"), aws.client("lambda")
    existing = {
        m["EventSourceArn"]
        for m in lam.list_event_source_mappings(FunctionName=function_arn)["EventSourceMappings"]
    }
    for table in (tool_registry_table_name(env), agent_registry_table_name(env)):
        stream_arn = ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
        if stream_arn in existing:
            continue
        lam.create_event_source_mapping(
            EventSourceArn=stream_arn,
            FunctionName=function_arn,
            StartingPosition="TRIM_HORIZON",
            BatchSize=25,
            MaximumRetryAttempts=5,
            BisectBatchOnFunctionError=True,
            FunctionResponseTypes=["ReportBatchItemFailures"],
        )


def _cloudtrail_rule(aws: Any, env: str) -> str:
    """The registrar's rule on the default bus; its target is a queue the CloudTrail pump drains.

    moto implements EventBridge pattern matching and SQS targets but not Lambda targets, so the
    pump plays the part of EventBridge's Lambda invocation (with retries and a dead-letter queue).
    """
    sqs, events = aws.client("sqs"), aws.client("events")
    dlq = sqs.create_queue(QueueName=f"sfa-local-cloudtrail-dlq-{env}")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    queue = sqs.create_queue(
        QueueName=f"sfa-local-cloudtrail-{env}",
        Attributes={
            "VisibilityTimeout": "2",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "5"}),
        },
    )["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    rule = names.registrar_function_name(env) + "-lambda-api-calls"
    events.put_rule(Name=rule, EventPattern=json.dumps(REGISTRAR_EVENT_PATTERN), State="ENABLED")
    events.put_targets(Rule=rule, Targets=[{"Id": "registrar", "Arn": queue_arn}])
    return queue
