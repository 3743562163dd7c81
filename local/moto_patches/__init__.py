"""Every change local mode makes to moto 5.2.5, in one place (verified-facts.md, "moto" section).

Each patch names the quirk it works around and has a test in ``tests/local/test_local_moto_patches*.py``.
:func:`apply` installs them (idempotent; ``LocalAws.start`` calls it) and :func:`remove` restores
moto's originals (``LocalAws.stop``), so importing ``local`` changes nothing and a test that uses
moto's own ``mock_aws`` after the emulator stopped sees stock moto. moto is pinned exactly
(pyproject ``[local]``) because these patches reach into its internals.

Quirks handled here (by module: one per service, ``_registry`` keeps what was replaced):

* ``_jsonata``: the JSONata evaluator is a stub → plug in jsonata-python, with real
  ``$uuid()``/``$hash()``.
* ``_jsonata``: variables are inlined into expressions as text, strings unescaped → escape them.
* ``_stepfunctions``: StartExecution without ``name`` collides in execution mode → a unique name.
* ``_stepfunctions``: StartExecution on an alias ARN fails, on a version ARN crashes → run the
  version's definition (and DescribeExecution names the version and alias, as AWS).
* ``_stepfunctions``: SendTaskFailure drops ``cause`` → pass it through.
* ``_stepfunctions``: ``states:startExecution`` tasks send PascalCase arguments to boto3 (KeyError)
  and read PascalCase results from its camelCase response → convert both ways, as AWS does.
* ``_sfn_versions``: ListStateMachineVersions and DeleteStateMachineVersion are not implemented →
  answer them from moto's version dict (newest first, paginated; an alias's version → Conflict).
* ``_lambda``: Lambda without Docker echoes, for any name → run the real code; unknown names → 404.
* ``_lambda``: Invoke ignores ``Qualifier`` (and reads it from the event payload) → the query string.
* ``_lambda``: PublishVersion ignores its ``CodeSha256``/``RevisionId`` preconditions → 412
  PreconditionFailedException as AWS (``RevisionId`` only once moto has one: it is None).
* ``_dynamodb``: DynamoDB stream → Lambda delivery is synchronous and loses records →
  ``local.streams``.
* ``_dynamodb``: TransactWriteItems deep-copies the whole table once per item → once per table.
"""

from __future__ import annotations

from local.lambda_runner import LambdaRunner
from local.moto_patches import _dynamodb, _jsonata, _lambda, _sfn_versions, _stepfunctions
from local.moto_patches._registry import MISSING, lock, original, originals, state
from local.streams import StreamPump

__all__ = ["apply", "is_applied", "remove"]

# The registry under the names tests (and debugging sessions) use: the same objects, not copies.
_originals = originals
_state = state
_original = original


def is_applied() -> bool:
    return bool(originals)


def apply(runner: LambdaRunner, pump: StreamPump) -> None:
    """Install every patch (once) and route Lambda invocations to ``runner``."""
    with lock:
        state["runner"], state["pump"] = runner, pump
        if originals:
            return
        _jsonata.apply()
        _stepfunctions.apply()
        _sfn_versions.apply()
        _lambda.apply()
        _dynamodb.apply()


def remove() -> None:
    """Restore moto's originals (reverse order) and forget the runner."""
    with lock:
        while originals:
            owner, name, value = originals.pop()
            if value is MISSING:
                delattr(owner, name)
            else:
                setattr(owner, name, value)
        state["runner"], state["pump"] = None, None
