"""The deal room's browser tests: Chromium comes from ``tests/visual/conftest.py``, the
app, users and seeded workspace from ``tests/web/conftest.py``."""

from tests.web.conftest import deal_room, deal_room_factory

__all__ = ["deal_room", "deal_room_factory"]
