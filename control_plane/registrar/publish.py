"""Publishing the Lambda version an accepted ``name@version`` runs (docs/design.md §4).

Agents invoke the qualified ARN recorded in the registry, never ``$LATEST``: the registrar publishes
exactly the code and configuration it validated. ``PublishVersion`` carries the ``CodeSha256`` (and,
on AWS, the ``RevisionId``) that was read, so a deploy that lands in between fails the call with
``PreconditionFailedException`` and the registrar re-reads; the answer is checked against what was
validated too, in case the service published something else (e.g. Lambda returns the latest version
unchanged when nothing changed since it was published).
"""

from __future__ import annotations

from typing import Any

from control_plane.aws import call
from control_plane.errors import ReleaseRaceError
from control_plane.registrar.observe import (
    Observation,
    PublishedVersion,
    config_digest,
    configuration_summary,
)

__all__ = ["publish_version"]


def publish_version(lambda_client: Any, obs: Observation) -> PublishedVersion:
    """Publish ``obs``'s function as it was read; ``ReleaseRaceError`` when it changed since."""
    assert obs.manifest is not None and obs.code_sha256 is not None
    params: dict[str, Any] = {
        "FunctionName": obs.function_name,
        "CodeSha256": obs.code_sha256,
        "Description": f"{obs.manifest.name}@{obs.manifest.version}"[:256],
    }
    if obs.revision_id:
        params["RevisionId"] = obs.revision_id
    answer = call(lambda_client.publish_version, **params)
    published = PublishedVersion(
        arn=str(answer["FunctionArn"]),
        version=str(answer["Version"]),
        code_sha256=str(answer.get("CodeSha256") or ""),
        config_digest=config_digest(configuration_summary(answer)),
    )
    if published.code_sha256 != obs.code_sha256 or published.config_digest != obs.config_digest:
        raise ReleaseRaceError(
            f"{obs.function_name} changed while version {published.version} was published "
            "(code or configuration differs from what was validated); re-reading"
        )
    if not published.version.isdigit():
        raise ReleaseRaceError(f"PublishVersion answered version {published.version!r}, not a number")
    return published
