# graphsvc API and alert scheduler image (docker-compose.yml runs both from it).
# Production talks to Neo4j (NEO4J_URI); the embedded FalkorDB ships in the wheel but
# stays unused when NEO4J_URI is set.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    GRAPHSVC_DATA_DIR=/var/lib/graphsvc

WORKDIR /src
# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml README.md ./
COPY graphsvc/__init__.py graphsvc/__init__.py
RUN pip install --quiet . && pip uninstall --quiet -y graphsvc
COPY graphsvc graphsvc
COPY queries queries
COPY visual visual
RUN pip install --quiet --no-deps . && rm -rf /src

RUN useradd --system --create-home --uid 10001 graphsvc \
    && mkdir -p /var/lib/graphsvc && chown graphsvc /var/lib/graphsvc
USER graphsvc
WORKDIR /home/graphsvc

EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=5 \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4).status != 200)"
CMD ["graphsvc", "serve", "--host", "0.0.0.0", "--port", "8000"]
