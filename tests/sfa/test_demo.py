"""`make demo` runs `sfa demo`: the whole story must keep working (it checks every step itself)."""

from __future__ import annotations

import os
import subprocess
import sys


def test_demo_tells_the_whole_story_and_exits_zero(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and not k.endswith("_API_KEY")}
    env["SFA_HOME"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "sfa", "demo"], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    for beat in (
        "LLM: offline:default",
        "event ToolRegistered           convert_units@1.0.0",
        "event ToolRegistered           text_stats@1.0.0",
        "live alias → version 1; tools: convert_units@1.0.0, text_stats@1.0.0",
        "tool convert_units",
        "live alias → version 2; tools: convert_units@1.1.0, text_stats@1.0.0",
        '{"value":22.7835,"unit":"nmi"}',
        "event ToolDeregistered         text_stats@1.0.0 — manifest_removed",
        "live alias → version 3; tools: convert_units@1.1.0",
        "the loop works end to end",
    ):
        assert beat in out, beat
