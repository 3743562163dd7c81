"""SnapStart hooks: preload imports the SDKs named in the environment; hooks register only under Lambda."""

from __future__ import annotations

import subprocess
import sys
import types

import pytest

from llm_gateway import snapstart
from llm_gateway.errors import InvalidRequest


def test_preload_imports_the_configured_sdks_in_a_fresh_process():
    code = (
        "import os, sys; os.environ['SFA_LLM_PRELOAD_PROVIDERS'] = 'openai, offline';"
        "import llm_gateway.handler;"
        "assert 'openai' not in sys.modules;"
        "from llm_gateway.snapstart import preload;"
        "print(preload()); assert 'openai' in sys.modules and 'anthropic' not in sys.modules"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "['openai', 'offline']"


def test_unknown_provider_is_a_configuration_error():
    with pytest.raises(InvalidRequest):
        snapstart.preload(["no-such-provider"])


def test_hooks_register_only_where_the_runtime_offers_them(monkeypatch):
    assert snapstart.install_hooks() is False  # no snapshot_restore_py outside Lambda
    registered: dict[str, object] = {}
    fake = types.ModuleType("snapshot_restore_py")
    fake.register_before_snapshot = lambda fn: registered.setdefault("before", fn)
    fake.register_after_restore = lambda fn: registered.setdefault("after", fn)
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", fake)
    assert snapstart.install_hooks() is True
    assert registered == {"before": snapstart.preload, "after": snapstart.reseed}
