"""worker/engine stays pure: no web framework, database, task queue or app imports."""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[3] / "worker" / "engine"
FORBIDDEN = {"fastapi", "starlette", "sqlalchemy", "alembic", "celery", "kombu", "app", "worker.tasks"}


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def is_forbidden(module: str) -> bool:
    return any(module == bad or module.startswith(bad + ".") for bad in FORBIDDEN)


def test_the_engine_imports_nothing_forbidden() -> None:
    files = sorted(ENGINE.rglob("*.py"))
    assert len(files) >= 5
    bad = {f"{f.name}: {m}" for f in files for m in imported_modules(f) if is_forbidden(m)}
    assert not bad


def test_the_check_catches_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import sqlalchemy.orm\nfrom app.cases import models\nfrom common.spec import Mode\n")
    assert {m for m in imported_modules(sample) if is_forbidden(m)} == {"sqlalchemy.orm", "app.cases"}
