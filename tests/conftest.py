"""Shared pytest configuration: loads the local emulator's fixtures (``aws``, ...).

jsonata-python raises the process's recursion limit to 10,000 when first imported; the whole suite
must run with Python's default (1000), as tools and the control plane do on AWS Lambda, so that deep
recursion shows up here. ``local.jsonata_eval`` imports jsonata and restores the limit; importing it
before any test module does (some import ``jsonata`` directly) keeps the limit at 1000 for the run.
"""

import local.jsonata_eval  # noqa: F401  (first import of jsonata: see above)

pytest_plugins = ["local.pytest_plugin"]
