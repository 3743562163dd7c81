"""The platform's stacks."""
