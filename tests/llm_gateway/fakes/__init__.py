"""Local HTTP servers speaking each provider's wire protocol (tests only)."""

from tests.llm_gateway.fakes.server import FakeServer, Recorded, Reply

__all__ = ["FakeServer", "Recorded", "Reply"]
