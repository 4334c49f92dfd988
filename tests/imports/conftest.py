"""The API fixtures (a real uvicorn on the session's store) for the import tests."""

from tests.api.conftest import api_factory

__all__ = ["api_factory"]
