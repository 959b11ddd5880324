# syntax=docker/dockerfile:1
#
# Likeness images, one Dockerfile, two targets:
#   docker build --target api    -t likeness-api .     FastAPI + built UI, no torch (also runs `likeness migrate`)
#   docker build --target worker -t likeness-worker .  Celery GPU worker: `.[worker]` with PyTorch's CUDA build
# docker-compose.yml builds both. Stages: frontend (node) -> deps-api -> deps-worker -> source -> api / worker.
#
# The code finds alembic.ini, migrations/ and frontend/dist beside its own source, so the
# project is installed in editable mode from /app into the venv (/opt/venv).

ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG NODE_IMAGE=node:20-slim

# ---- the browser UI: static files the API serves -------------------------------------------
FROM ${NODE_IMAGE} AS frontend
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

# ---- common Python base --------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS python-base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

# ---- dependencies of the API (torch-free), read from pyproject.toml --------------------------
FROM python-base AS deps-api
COPY pyproject.toml /tmp/pyproject.toml
# requirements.txt: [project] dependencies plus the extras named on the command line
RUN printf '%s\n' \
      'import sys, tomllib' \
      'project = tomllib.load(open("/tmp/pyproject.toml", "rb"))["project"]' \
      'extras = [d for name in sys.argv[1:] for d in project["optional-dependencies"][name]]' \
      'print("\n".join(project["dependencies"] + extras))' > /tmp/requirements.py \
 && python -m venv "$VIRTUAL_ENV" \
 && python /tmp/requirements.py > /tmp/requirements-api.txt
RUN --mount=type=cache,target=/root/.cache/pip \
    pip install "setuptools>=69" -r /tmp/requirements-api.txt

# ---- dependencies of the worker: the API's plus `.[worker]` ----------------------------------
FROM deps-api AS deps-worker
# PyPI's default Linux torch wheel is the CUDA build (its CUDA libraries come as pip packages).
# Its version comes from this argument: pin it with e.g. --build-arg TORCH_SPEC=torch==2.7.1
ARG TORCH_SPEC="torch>=2.3,<3"
# hadolint ignore=DL3013
RUN --mount=type=cache,target=/root/.cache/pip \
    python /tmp/requirements.py worker > /tmp/requirements-worker.txt \
 && pip install "${TORCH_SPEC}" \
 && pip install -r /tmp/requirements-worker.txt \
 && pip install --no-deps "piq==0.8.0"

# ---- the source tree, as it sits in /app in both images --------------------------------------
FROM python-base AS source
WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY app/ app/
COPY common/ common/
COPY cli/ cli/
COPY worker/ worker/
COPY migrations/ migrations/
COPY --from=frontend /src/frontend/dist frontend/dist

# ---- runtime base: a non-root user and the mount points (named volumes inherit their owner) ---
FROM python-base AS runtime
RUN groupadd --system --gid 10001 likeness \
 && useradd --system --uid 10001 --gid likeness --create-home --home-dir /home/likeness likeness \
 && mkdir -p /data /models \
 && chown likeness:likeness /data /models
# Nothing is downloaded at run time: weights come from /models (or a Hugging Face cache there).
ENV LIKENESS_DATA_DIR=/data \
    HF_HUB_OFFLINE=1
WORKDIR /app

# ---- worker: `likeness worker` (Celery, one process per GPU) ---------------------------------
FROM runtime AS worker
COPY --from=deps-worker /opt/venv /opt/venv
COPY --from=source /app /app
RUN pip install --no-deps --no-build-isolation --no-cache-dir -e . && rm -rf /app/build
USER 10001:10001
# The Celery parent answers pings while its child runs a job; the name is --hostname worker@%h.
HEALTHCHECK --interval=30s --timeout=20s --start-period=60s --retries=3 \
    CMD ["sh", "-c", "celery -A worker.celery_app inspect ping --destination \"worker@$HOSTNAME\" --timeout 10 >/dev/null"]
STOPSIGNAL SIGTERM
CMD ["likeness", "worker"]

# ---- api (the default target): uvicorn serving the API and the built UI ----------------------
FROM runtime AS api
COPY --from=deps-api /opt/venv /opt/venv
COPY --from=source /app /app
RUN pip install --no-deps --no-build-isolation --no-cache-dir -e . && rm -rf /app/build
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=10s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request as u; sys.exit(u.urlopen('http://127.0.0.1:8000/api/health', timeout=8).status != 200)"]
CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000", "--no-proxy-headers"]
