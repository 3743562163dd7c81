from __future__ import annotations

from typing import Any

import pytest

from tests.tool_sdk.helpers import make_manifest_data


@pytest.fixture
def manifest_data() -> dict[str, Any]:
    return make_manifest_data()
