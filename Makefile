# Two commands do all set-up on a fresh machine:
#   make run    the embedded default (SQLite, file broker, one worker) on http://127.0.0.1:8000
#   make test   lint, unit, integration (Postgres + Redis + Celery) and browser tests
VENV ?= .venv
PY := $(VENV)/bin/python
# On a machine without a GPU, take PyTorch's CPU build first (a bare `torch`
# requirement would pull several GB of CUDA packages). GPU hosts: set TORCH_SPEC.
TORCH_SPEC ?= torch==2.13.0
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install frontend browser lint api-types

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "$(TORCH_SPEC)"
	$(PY) -m pip install --quiet -e ".[worker,dev]"
	$(PY) -m pip install --quiet --no-deps "piq==0.8.0"  # FSIM; see pyproject.toml
	touch $@

install: $(VENV)/.installed

frontend:
	@if [ -f frontend/package.json ]; then cd frontend && npm ci --no-audit --no-fund && npm run build; fi

# Debian's Chromium for the browser tests; Playwright never downloads a browser here.
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

run: install frontend
	$(VENV)/bin/likeness run --host $(HOST) --port $(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m mypy

# The frontend's API types from the server's OpenAPI schema (run after changing a route or schema).
api-types: install
	$(PY) scripts/openapi.py

test: install frontend browser lint
	@if [ -f frontend/package.json ]; then cd frontend && npm run lint && npm test; fi
	$(PY) scripts/openapi.py --check
	$(PY) -m pytest
