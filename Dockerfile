# Backend image: the `fleet` CLI. One image serves every process of the stack; compose picks
# the subcommand (`migrate`, `ingest`, `relay`, `projector`, `api`, `simulator`).
#
#   docker build -t fleet-manager:local .
#   docker run --rm --env-file .env fleet-manager:local migrate
#
# No secret is baked in: every setting comes from the environment at run time (.env.example).
# The health check lives in docker-compose.yml, not here.

ARG PYTHON_IMAGE=python:3.11-slim

# -- builder: a virtualenv at /opt/venv holding the package and its pinned dependencies -------
FROM ${PYTHON_IMAGE} AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src

# Dependencies first, in their own layer: a code change then reinstalls only the package.
COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install --no-cache-dir -c constraints.txt -r /tmp/requirements.txt

# The whole context (trimmed by .dockerignore); setuptools installs only the packages that
# pyproject.toml lists, so nothing else reaches the venv.
COPY . .
RUN pip install --no-cache-dir -c constraints.txt . \
    && fleet --help > /dev/null

# -- runtime: the venv and the SQL migrations, run as an unprivileged user --------------------
FROM ${PYTHON_IMAGE} AS runtime

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    FLEET_MIGRATIONS_DIR=/app/migrations \
    FLEET_STATE_DIR=/app/.state \
    FLEET_API_HOST=0.0.0.0 \
    FLEET_METRICS_HOST=0.0.0.0

RUN groupadd --system --gid 10001 fleet \
    && useradd --system --uid 10001 --gid fleet --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin fleet \
    && install -d -o root -g root -m 0755 /app \
    && install -d -o fleet -g fleet -m 0700 /app/.state

COPY --from=builder /opt/venv /opt/venv
COPY migrations/ /app/migrations/

WORKDIR /app
USER 10001:10001

# 8000: `fleet api` (and its /metrics); 8001: `fleet simulator` (demo); 9100: worker /metrics.
EXPOSE 8000 8001 9100

ENTRYPOINT ["fleet"]
CMD ["--help"]
