"""CLI command: ``graphsvc serve`` (the REST API with uvicorn)."""

from __future__ import annotations

import typer

from graphsvc.api.server import uvicorn_options
from graphsvc.config import get_settings


def serve_command(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8000, "--port", help="TCP port."),
    workers: int = typer.Option(
        1, "--workers", min=1, help="Worker processes (they share the store)."
    ),
) -> None:
    """Serve the REST API on the configured store (embedded FalkorDB under
    GRAPHSVC_DATA_DIR unless NEO4J_URI is set). Docs at /docs, OpenAPI at /openapi.json.

    Refuses to start outside development with the placeholder map-link secret.

    Example: graphsvc serve --host 0.0.0.0 --port 8000
    """
    import uvicorn

    settings = get_settings()
    settings.check_production_ready()
    if settings.uses_neo4j:
        # Fail here, in one line naming the server, rather than in the workers' start-up
        # (a traceback in the log and uvicorn's exit code 3).
        from graphsvc.store.runners import Neo4jRunner

        runner = Neo4jRunner.from_settings(settings)
        try:
            runner.ensure_schema()
        finally:
            runner.close()
    uvicorn.run(
        "graphsvc.app:create_app",
        **uvicorn_options(
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level=settings.log_level.lower(),
        ),
    )


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root app."""
    app.command("serve")(serve_command)
