"""Large payloads by reference: the platform's content bucket (docs/large-payloads.md).

Step Functions caps state data at 256 KB, so a value larger than a threshold (default 64 KB) is
stored in S3 and replaced in state by a small reference::

    {"$ref": "s3://sfa-content-…/content/<sha256>/<random>", "sha256": "<hex>", "bytes": 2097152,
     "kind": "text", "preview": "first 256 characters…"}

``kind`` is ``text`` (a string), ``json`` (any JSON value) or ``messages`` (a list of conversation
messages: in a list, the reference stands for *all* of them and resolving splices them in place).

References are validated before anything is read: the bucket must be the platform's, the key must
be ``{prefix}/{sha256}/{32 hex}`` (what :meth:`ContentStore.put` writes; the random part makes
keys unguessable) with the same ``sha256`` as the reference, and the object's bytes must match
``sha256`` and ``bytes``. Anything else raises :class:`~tool_sdk.errors.InvalidReferenceError` or
:class:`~tool_sdk.errors.ContentIntegrityError`; nothing is followed outside the platform bucket. A
reference must name the object exactly: the per-process cache is keyed by the whole key (random part
included), so a reference with a known ``sha256`` but another random part is looked up in S3 — where
there is no such object (:class:`~tool_sdk.errors.ContentNotFoundError`).

Light on purpose (docs/design.md §10): boto3 is imported only when a store first needs its client. A
Python tool may offload its own result (``ContentStore.from_env().offload(result)``, which needs
``s3:PutObject`` on the bucket); tools in any other language just return JSON and the platform's
tool invoker offloads for them.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import uuid
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from tool_sdk.errors import ContentIntegrityError, ContentNotFoundError, InvalidReferenceError

__all__ = [
    "DEFAULT_PREFIX",
    "DEFAULT_PREVIEW_CHARS",
    "DEFAULT_THRESHOLD_BYTES",
    "REF_KEY",
    "ContentStore",
    "is_ref",
    "payload_bytes",
]

REF_KEY = "$ref"
DEFAULT_PREFIX = "content"
DEFAULT_THRESHOLD_BYTES = 64 * 1024
DEFAULT_PREVIEW_CHARS = 256
_KINDS = ("text", "json", "messages")
_CACHE_BYTES = 64 * 1024 * 1024  # resolved objects kept per process (immutable: keyed by object key)


def is_ref(value: Any) -> bool:
    """Whether ``value`` is a content reference (a dict with a string ``$ref``)."""
    return isinstance(value, dict) and isinstance(value.get(REF_KEY), str)


def _encode(value: Any) -> tuple[bytes, str]:
    if isinstance(value, str):
        return value.encode("utf-8"), "text"
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=False)
    return text.encode("utf-8"), "json"


def payload_bytes(value: Any) -> int:
    """The size ``value`` takes in state: UTF-8 bytes of a string, of compact JSON otherwise."""
    return len(_encode(value)[0])


class ContentStore:
    """The content bucket: ``put``/``get`` references, ``offload`` above the threshold, ``resolve``.

    ``client`` is a boto3 S3 client (created lazily when None). Reads are cached per process by
    the exact object key (objects are immutable), so a long conversation is fetched once per warm
    Lambda. The key — random part included — is the cache key, never the digest alone: a reference
    that has a cached object's ``sha256`` but not its key is read from S3 (and fails there), so
    knowing a digest is never enough to obtain content.
    """

    def __init__(
        self,
        bucket: str,
        *,
        prefix: str = DEFAULT_PREFIX,
        threshold_bytes: int = DEFAULT_THRESHOLD_BYTES,
        preview_chars: int = DEFAULT_PREVIEW_CHARS,
        client: Any | None = None,
    ) -> None:
        if not bucket or "/" in bucket:
            raise ValueError(f"not a bucket name: {bucket!r}")
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.threshold_bytes = threshold_bytes
        self.preview_chars = preview_chars
        self._client = client
        self._key_re = re.compile(rf"^{re.escape(self.prefix)}/([0-9a-f]{{64}})/[0-9a-f]{{32}}$")
        self._cache: OrderedDict[tuple[str, str], Any] = OrderedDict()  # (key, kind) -> value
        self._cache_sizes: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, client: Any | None = None
    ) -> ContentStore | None:
        """From ``SFA_CONTENT_BUCKET`` (None when unset), ``SFA_CONTENT_PREFIX``,
        ``SFA_CONTENT_THRESHOLD_BYTES`` and ``SFA_CONTENT_PREVIEW_CHARS``."""
        env = os.environ if environ is None else environ
        bucket = env.get("SFA_CONTENT_BUCKET")
        if not bucket:
            return None
        return cls(
            bucket,
            prefix=env.get("SFA_CONTENT_PREFIX") or DEFAULT_PREFIX,
            threshold_bytes=int(env.get("SFA_CONTENT_THRESHOLD_BYTES") or DEFAULT_THRESHOLD_BYTES),
            preview_chars=int(env.get("SFA_CONTENT_PREVIEW_CHARS") or DEFAULT_PREVIEW_CHARS),
            client=client,
        )

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3  # lazily: tool_sdk stays light

            self._client = boto3.client("s3")
        return self._client

    # -- writing -----------------------------------------------------------------------------

    def put(self, value: Any, *, kind: str | None = None) -> dict[str, Any]:
        """Store ``value`` (a string, or any JSON value) and return its reference."""
        data, natural = _encode(value)
        kind = kind or natural
        if kind not in _KINDS:
            raise ValueError(f"unknown content kind {kind!r}")
        digest = hashlib.sha256(data).hexdigest()
        key = f"{self.prefix}/{digest}/{uuid.uuid4().hex}"
        self.client.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=data,
            ContentType="text/plain; charset=utf-8" if kind == "text" else "application/json",
        )
        self._remember((key, kind), value, len(data))
        preview_source = value if isinstance(value, str) else data.decode("utf-8")
        return {
            REF_KEY: f"s3://{self.bucket}/{key}",
            "sha256": digest,
            "bytes": len(data),
            "kind": kind,
            "preview": preview_source[: self.preview_chars],
        }

    def offload(self, value: Any, *, threshold_bytes: int | None = None, kind: str | None = None) -> Any:
        """``value`` itself when it is small (or already a reference), else its reference."""
        if is_ref(value):
            return value
        limit = self.threshold_bytes if threshold_bytes is None else threshold_bytes
        if payload_bytes(value) <= limit:
            return value
        return self.put(value, kind=kind)

    # -- reading -----------------------------------------------------------------------------

    def validate(self, ref: Any) -> str:
        """The object key of a well-formed reference into this store; raises InvalidReferenceError."""
        if not is_ref(ref):
            raise InvalidReferenceError(f"not a content reference: {str(ref)[:200]}")
        url = ref[REF_KEY]
        bucket, sep, key = url.removeprefix("s3://").partition("/")
        if not url.startswith("s3://") or not sep or bucket != self.bucket:
            raise InvalidReferenceError(
                f"reference {url[:200]!r} is outside the platform content bucket s3://{self.bucket}/"
            )
        match = self._key_re.match(key)
        if not match:
            raise InvalidReferenceError(
                f"reference {url[:200]!r}: keys must be {self.prefix}/<sha256>/<32 hex> "
                "(written by the platform)"
            )
        if ref.get("sha256") != match.group(1):
            raise InvalidReferenceError(f"reference {url[:200]!r}: sha256 does not match the key")
        if not isinstance(ref.get("bytes"), int) or ref.get("kind", "text") not in _KINDS:
            raise InvalidReferenceError(
                f"reference {url[:200]!r}: bytes must be an integer and kind one of {_KINDS}"
            )
        return key

    def get(self, ref: Any) -> Any:
        """The value a reference stands for (validated, integrity-checked, cached)."""
        key = self.validate(ref)
        digest, kind = ref["sha256"], ref.get("kind", "text")
        entry = (key, kind)
        with self._lock:
            if entry in self._cache:
                if self._cache_sizes[entry] != ref["bytes"]:
                    raise ContentIntegrityError(f"{ref[REF_KEY]}: content does not match its sha256/bytes")
                self._cache.move_to_end(entry)
                return self._cache[entry]
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except Exception as exc:
            code = getattr(exc, "response", {}).get("Error", {}).get("Code")
            if code in ("NoSuchKey", "404", "NotFound"):
                raise ContentNotFoundError(f"{ref[REF_KEY]}: no such object (expired?)") from None
            raise
        if len(body) != ref["bytes"] or hashlib.sha256(body).hexdigest() != digest:
            raise ContentIntegrityError(f"{ref[REF_KEY]}: content does not match its sha256/bytes")
        try:
            text = body.decode("utf-8")
            value = text if kind == "text" else json.loads(text)
        except ValueError:  # UnicodeDecodeError, JSONDecodeError: not what the reference says
            raise ContentIntegrityError(f"{ref[REF_KEY]}: content is not {kind} content") from None
        self._remember(entry, value, len(body))
        return value

    def resolve(self, value: Any) -> Any:
        """``value`` with every reference replaced by its content, recursively; a ``messages``
        reference inside a list is spliced (it stands for several elements)."""
        if is_ref(value):
            return self.resolve(self.get(value))
        if isinstance(value, list):
            out: list[Any] = []
            for item in value:
                if is_ref(item) and item.get("kind") == "messages":
                    out.extend(self.resolve(self.get(item)))
                else:
                    out.append(self.resolve(item))
            return out
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        return value

    def _remember(self, entry: tuple[str, str], value: Any, size: int) -> None:
        if size > _CACHE_BYTES // 4:
            return
        with self._lock:
            self._cache[entry] = value
            self._cache_sizes[entry] = size
            self._cache.move_to_end(entry)
            while sum(self._cache_sizes.values()) > _CACHE_BYTES and self._cache:
                old, _ = self._cache.popitem(last=False)
                self._cache_sizes.pop(old, None)
