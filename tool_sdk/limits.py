"""What a tool manifest may contain: every size, depth and count limit in one place.

A leaf module (no imports): ``tool_sdk`` checks these before any expensive work (decompression,
JSON parsing, metaschema validation, provider translation), and each rejection states the limit and
the measured value. docs/registry.md ("Limits") explains the choices to tool authors.
"""

from __future__ import annotations

__all__ = [
    "MAX_DESCRIPTION_CHARS",
    "MAX_ENUM_VALUES",
    "MAX_EXPANDED_SCHEMA_BYTES",
    "MAX_MANIFEST_BYTES",
    "MAX_REF_NESTING",
    "MAX_SCHEMA_DEPTH",
    "MAX_SCHEMA_STRING_CHARS",
    "SCHEMA_CACHE_ENTRIES",
]

# The whole manifest as canonical JSON (UTF-8 bytes, decompressed). The 40 tags only bound the
# *compressed* manifest; this bounds what it inflates to. Every agent sends the specs of all its
# tools on every LLM call, and the renderer caps that fixed payload at 160,000 bytes (below Step
# Functions' 256 KB state limit): 16 KiB keeps room for at least 9 maximal tools beside a 10 KB
# system prompt, and for dozens of ordinary ones (0.5-3 KB each).
MAX_MANIFEST_BYTES = 16_384

# JSON nesting levels of ``input_schema`` / ``output_schema`` (the schema object itself is level 1),
# before and after $ref expansion. A registry item stores the schema as a top-level map attribute,
# and DynamoDB accepts at most 32 levels (the attribute is level 1, so 31 maps/lists around a
# value): 24 leaves room for the item layout to nest it deeper later. Every object property costs
# two levels (the schema, then its ``properties`` map), so 24 is ~11 nested objects, above OpenAI's
# strict-mode limit of 10 (no other provider documents one).
MAX_SCHEMA_DEPTH = 24

# $refs resolved inside one another (a -> b -> c ...) while expanding: bounds the resolver's stack;
# a legitimate schema nests one $ref per object level at most, which MAX_SCHEMA_DEPTH already caps.
MAX_REF_NESTING = 24

# ``input_schema`` as JSON once every non-recursive local $ref is replaced by its target (what the
# providers receive). Reuse through $ref may double a schema, not more: nested references that use
# the next level twice grow exponentially, and the expansion aborts as soon as it passes this.
MAX_EXPANDED_SCHEMA_BYTES = 32_768

# Values of one ``enum`` in a schema. OpenAI adds a 7,500-character cap on enums of more than 250
# values; a longer list belongs in the tool's code, not in every LLM call.
MAX_ENUM_VALUES = 250

# Any one string in a schema: property names, descriptions, patterns, enum values, defaults. A
# property description is a sentence or two; 2,048 characters is ~500 tokens.
MAX_SCHEMA_STRING_CHARS = 2_048

# The tool description, for every provider. Providers' own, smaller limits (OpenAI: 1,024) are
# reported as that provider's portability verdict, not a rejection for all (llm_gateway.schemas).
MAX_DESCRIPTION_CHARS = 4_096

# Entries of each content cache (metaschema verdicts, provider translations): keyed by SHA-256 of
# the schema text, least recently used first out, so memory stays bounded whatever arrives.
SCHEMA_CACHE_ENTRIES = 64
