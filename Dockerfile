# libspace in a container: `libspace serve` by default; the same image runs `libspace worker` and
# `libspace migrate` (see compose.yaml and docs/deploy.md).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# pg_dump and pg_restore for `libspace backup` / `restore` (bookworm's client is 15, like the compose database)
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home-dir /var/lib/libspace --shell /usr/sbin/nologin libspace \
    && install -d -o libspace -g libspace -m 0750 /var/lib/libspace /var/lib/libspace/metrics /var/lib/libspace/outbox

WORKDIR /opt/libspace
# the dependencies first (a layer that survives code changes), then the code; an editable install keeps
# templates/ and static/ beside src/, where the app looks for them
COPY pyproject.toml ./
RUN mkdir src && touch src/__init__.py && pip install -e . && rm -rf src
COPY piccolo_conf.py ./
COPY src ./src
COPY templates ./templates
COPY static ./static
COPY docs ./docs

USER libspace
ENV LIBSPACE_METRICS_DIR=/var/lib/libspace/metrics \
    LIBSPACE_OUTBOX_DIR=/var/lib/libspace/outbox \
    LIBSPACE_LOG_FORMAT=json \
    LIBSPACE_WORKERS=2
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]
CMD ["libspace", "serve", "--host", "0.0.0.0", "--port", "8000"]
