"""sfa: the sfn-agents command line. Each command imports its package lazily (docs/design.md §10)."""

__all__: list[str] = []
