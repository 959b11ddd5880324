"""The frontend's API types, generated from the server's OpenAPI schema.

    python scripts/openapi.py           regenerate frontend/src/api/schema.d.ts
    python scripts/openapi.py --check   fail if that file no longer matches the server
    python scripts/openapi.py --json F  only write the schema as JSON to F

The types come from openapi-typescript (a frontend devDependency), run on a
JSON dump of `app.main.app.openapi()`. Run it after changing a route or schema.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FRONTEND = REPO / "frontend"
TYPES = FRONTEND / "src" / "api" / "schema.d.ts"
GENERATOR = FRONTEND / "node_modules" / ".bin" / "openapi-typescript"


def schema_json() -> str:
    from app.main import create_app  # the API's own routes and models; torch-free

    return json.dumps(create_app().openapi(), indent=2, sort_keys=True) + "\n"


def generate(out: Path) -> None:
    """Writes the TypeScript types for the current schema to `out`."""
    if not GENERATOR.exists():
        sys.exit(f"{GENERATOR} is missing: run `cd frontend && npm ci` first")
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "openapi.json"
        spec.write_text(schema_json())
        # A field with a default is optional in a request body: the generator must not make it required.
        command = [str(GENERATOR), str(spec), "--output", str(out), "--default-non-nullable", "false"]
        subprocess.run(command, check=True, cwd=FRONTEND, stdout=subprocess.DEVNULL)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the generated types are stale")
    parser.add_argument("--json", type=Path, help="only write the OpenAPI schema as JSON to this file")
    args = parser.parse_args(argv)
    if args.json:
        args.json.write_text(schema_json())
        return 0
    if not args.check:
        generate(TYPES)
        print(f"wrote {TYPES.relative_to(REPO)}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "schema.d.ts"
        generate(fresh)
        if not TYPES.exists() or fresh.read_text() != TYPES.read_text():
            print(f"{TYPES.relative_to(REPO)} is stale: the server's schema changed. "
                  "Run `make api-types` (or `cd frontend && npm run gen:api`) and commit the result.", file=sys.stderr)
            return 1
    print(f"{TYPES.relative_to(REPO)} matches the server's schema")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    raise SystemExit(main())
