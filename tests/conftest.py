"""Shared pytest configuration: only loads the local emulator's fixtures (``aws``, ...)."""

pytest_plugins = ["local.pytest_plugin"]
