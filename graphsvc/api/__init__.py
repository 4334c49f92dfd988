"""The versioned REST API (FastAPI): ``create_app`` in :mod:`graphsvc.app`."""
