"""mypy (`make lint`) makes each `# type: ignore` name its error code; this makes it say why."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
IGNORE = re.compile(r"#\s*type:\s*ignore")
WITH_REASON = re.compile(r"#\s*type:\s*ignore\[[a-z-]+(,\s*[a-z-]+)*\]\s+#\s*\S")


def unexplained(text: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), 1) if IGNORE.search(line) and not WITH_REASON.search(line)]


def test_the_check_tells_a_reason_from_none() -> None:
    assert unexplained("x = 1  # type: ignore[valid-type]  # mypy wants literals\n") == []
    assert unexplained("x = 1  # type: ignore[valid-type]\ny = 2  # type: ignore\n") == [1, 2]


def test_every_type_ignore_carries_its_code_and_reason() -> None:
    found = {f"{path.relative_to(REPO)}:{n}" for package in ("app", "common", "worker", "cli")
             for path in (REPO / package).rglob("*.py") for n in unexplained(path.read_text(encoding="utf-8"))}
    assert found == set(), "add `  # why` after each of these: " + ", ".join(sorted(found))
