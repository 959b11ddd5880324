"""`likeness`: run the embedded default, run workers, manage users, inspect models and the audit trail."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

import click

from cli.bench_arch import arch_options
from cli.bench_witness import witness as bench_witness
from cli.children import exit_on_sigterm, start_child, stop_child
from cli.common import database_label
from cli.common import migrate_or_exit as _migrate
from cli.common import redacted as _redacted
from cli.progress import echo_result, json_option, progress
from cli.training import dataset_group, evaluate, train_group
from common.models import ModelChoice, ModelNotFoundError, resolve_model
from common.private import restrict_umask
from common.settings import get_settings


def _model_or_exit() -> ModelChoice:
    try:
        choice = resolve_model(get_settings())
    except ModelNotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    if choice.random_weights:
        click.secho("No Stable Diffusion weights found (LIKENESS_MODEL unset): using the tiny random-weight "
                    "model. Images will be noise, not sketches.", fg="yellow", err=True)
    return choice


def _first_admin_hint() -> None:
    """`likeness run` on a database with no accounts: say exactly how to make the first admin."""
    from sqlalchemy import func, select

    from app.db import session_factory
    from app.users.models import User

    with session_factory()() as db:
        if db.scalar(select(func.count()).select_from(User)):
            return
    settings = get_settings()
    where = (f"LIKENESS_DATA_DIR={settings.resolved_data_dir} " if not settings.database_url
             else "(with the same LIKENESS_DATABASE_URL) ")
    click.secho("No accounts yet. Create the first admin from another terminal:", fg="yellow", err=True)
    click.echo(f"  {where}likeness create-user --username admin --password 'a long passphrase' --role admin",
               err=True)


def _broker_or_exit() -> None:
    from app.jobs.queue import broker_reachable

    if not broker_reachable():
        raise click.ClickException(f"LIKENESS_BROKER_URL: cannot reach {_redacted(get_settings().resolved_broker_url)}")


def _worker_command(concurrency: int = 1, name: str = "worker@%h") -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "worker.celery_app", "worker", "--loglevel", "INFO",
            "--pool", "prefork", "--concurrency", str(concurrency), "--queues", "generate", "--hostname", name]


@click.group()
def main() -> None:
    """Likeness: forensic sketch composites with Stable Diffusion."""
    restrict_umask()  # the database, blobs, keys and broker files it writes are the owner's alone
    if get_settings().log_format == "json":
        from common.logs import configure_logging

        configure_logging(level=logging.WARNING)  # the CLI's own warnings as JSON lines too


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--worker/--no-worker", default=True, help="start one embedded worker process")
def run(host: str, port: int, worker: bool) -> None:
    """The embedded default: migrate, then serve the API and the UI with one worker."""
    import uvicorn

    _model_or_exit()
    _migrate()
    _first_admin_hint()
    _broker_or_exit()
    exit_on_sigterm()
    child = start_child(_worker_command(name="embedded@%h")) if worker else None
    try:
        # The app itself believes forwarded headers, and only from LIKENESS_TRUSTED_PROXIES
        # (app/security/proxies.py); uvicorn's own handling would trust any loopback client.
        uvicorn.run("app.main:app", host=host, port=port, log_level="info", proxy_headers=False)
    finally:
        if child is not None:
            stop_child(child)


@main.command()
@click.option("--concurrency", default=1, show_default=True, help="processes; one per GPU")
@click.option("--name", default="worker@%h", show_default=True)
def worker(concurrency: int, name: str) -> None:
    """A generation worker (deployment: one per GPU, on any number of hosts)."""
    _model_or_exit()
    os.execv(sys.executable, _worker_command(concurrency, name))


@main.command()
def migrate() -> None:
    """Apply the database migrations (alembic upgrade head); with LIKENESS_DB_APP_ROLE, set up that role."""
    _migrate()
    click.echo("database is at the newest migration")
    settings = get_settings()
    if settings.db_app_role:
        from app.db_roles import RoleSettingError, grant_app_role

        try:
            grant_app_role(settings.resolved_database_url, settings.db_app_role, settings.db_app_password)
        except RoleSettingError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"role {settings.db_app_role} may use the tables; the audit tables only to read and insert")


@main.command("create-user")
@click.option("--username", required=True)
@click.option("--password", required=True)
@click.option("--role", type=click.Choice(["admin", "artist"]), default="artist", show_default=True)
def create_user(username: str, password: str, role: str) -> None:
    """Create an account (run by an administrator on the server)."""
    from app.db import session_factory
    from app.errors import DomainError
    from app.users.actor import system_actor
    from app.users.service import create_user as create

    _migrate()
    with session_factory()() as db:
        try:
            user = create(db, system_actor("cli"), username, password, role)
        except DomainError as exc:
            raise click.ClickException(exc.detail) from None
    click.echo(f"created {role} {user.username} ({user.id}) in {database_label()}")


@main.command()
def models() -> None:
    """What weights are installed, and which the workers will use."""
    settings = get_settings()
    info: dict[str, Any] = {"LIKENESS_MODEL": settings.model, "device": settings.device, "dtype": settings.dtype}
    try:
        info["will_use"] = resolve_model(settings).as_dict()
    except ModelNotFoundError as exc:
        info["error"] = str(exc)
    click.echo(json.dumps(info, indent=2))
    if "error" in info:
        sys.exit(1)


@main.group(invoke_without_command=True)
@click.option("--rounds", default=5, show_default=True, help="refinement rounds timed")
@click.option("--candidates", default=4, show_default=True)
@click.option("--size", default=512, show_default=True, help="image width and height")
@click.option("--steps", default=30, show_default=True, help="scheduler steps (img2img runs strength × steps)")
@click.option("--port", default=0, help="port for the scratch system (default: a free one)")
@click.option("--database-url", default="", help="an EMPTY Postgres database to run on, as deployed "
              "(default: the embedded SQLite); drop it afterwards")
@click.option("--broker-url", default="", help="an EMPTY Redis database no worker listens on "
              "(redis://host:6379/N; default: the embedded file broker)")
@json_option
@arch_options
@click.pass_context
def bench(ctx: click.Context, rounds: int, candidates: int, size: int, steps: int, port: int,
          database_url: str, broker_url: str, as_json: bool, **arch: Any) -> None:
    """Time refinement rounds through the whole system against the bare diffusers call
    (`likeness bench witness`: convergence with a simulated witness; --arch: the engine against bare
    diffusers on that architecture's full size, random weights)."""
    if ctx.invoked_subcommand is not None:
        return
    if arch["arch"]:
        from cli.bench_arch import run_arch_command

        return run_arch_command(size, candidates, steps, rounds, arch)
    from cli.bench import run_bench

    with progress("bench rounds", rounds + 1, as_json) as bar:
        result = run_bench(rounds, candidates, size, steps, port,
                           on_round=lambda done, total, fields: bar.update(done, total, **fields),
                           database_url=database_url, broker_url=broker_url)
    echo_result(result, as_json)
    if as_json:
        return
    click.echo(
        f"round of {candidates} at {size}², {steps} steps, strength 0.3: system {result['system_round_s']:.3f} s, "
        f"bare diffusers {result['bare_pipeline_s']:.3f} s, ratio {result['ratio']:.3f} (aim <= 1.10); "
        f"enqueue-to-start median {result['enqueue_to_start_ms']['median']:.0f} ms, "
        f"p95 {result['enqueue_to_start_ms']['p95']:.0f} ms; GET session {result['get_session_rps']:.0f} req/s; "
        f"engine alone vs bare diffusers: ratio {result['engine_vs_bare']['ratio']:.3f} (aim <= 1.05)"
    )
    phases = ", ".join(f"{name} {ms:.0f} ms" for name, ms in result["worker_phases_ms"].items())
    click.echo(f"worker job {result['worker_job_s']:.3f} s (median): {phases}; "
               f"its draw vs bare diffusers {result['worker_draw_vs_bare']:.3f}")
    png = result["png_encode"]
    click.echo(f"evidence PNGs of one round: these candidates {png['candidates_ms']:.0f} ms, as many pencil "
               f"sketches {png['pencil_sketches_ms']:.0f} ms; ratio with sketch-sized PNGs "
               f"{result['ratio_with_sketch_pngs']:.3f} (an estimate)")


bench.add_command(bench_witness)


@main.command()
@click.option("--users", default=20, show_default=True)
@click.option("--duration", default="2m", show_default=True, help="locust run time, e.g. 30s, 2m")
@json_option
def loadtest(users: int, duration: str, as_json: bool) -> None:
    """Load the main routes of a scratch embedded system on loopback; print p50/p99 and errors."""
    from cli.bench import run_loadtest

    with progress("loadtest seconds", None, as_json) as bar:
        summary = run_loadtest(users, duration, on_tick=lambda done, total, fields: bar.update(done, total, **fields))
    echo_result({"summary": summary}, as_json, summary)


@main.group()
def audit() -> None:
    """The audit trail."""


@audit.command("verify")
def audit_verify() -> None:
    """Walk the hash chain; exit 1 and name the first bad event if it is broken."""
    from app.audit.service import record, verify_chain
    from app.db import session_factory
    from app.users.actor import system_actor

    click.echo(f"database: {database_label()}", err=True)
    with session_factory()() as db:
        report = verify_chain(db)
        record(db, system_actor("cli"), "audit.verify", outcome="success" if report.ok else "broken",
               details=report.as_dict())
        db.commit()
    click.echo(json.dumps(report.as_dict()))
    if not report.ok:
        sys.exit(1)



@main.group("export")
def export_group() -> None:
    """Disclosure packages (made by GET /api/cases/{id}/export)."""


@export_group.command("verify")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--public-key", "public_key", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="the force's published public key (PEM); without it the key inside the package is used")
@click.option("--allow-unpinned", is_flag=True,
              help="exit 0 for an intact package checked only with the key it carries")
def export_verify(file: Path, public_key: Path | None, allow_unpinned: bool) -> None:
    """Check a package offline; exit 1 naming every file or check that failed, 3 if the key was not pinned."""
    from app.exports.verify import verify_package

    result = verify_package(file, public_key.read_text() if public_key else None)
    click.echo(json.dumps(result.as_dict(), indent=2))
    for error in result.errors:
        click.secho(f"FAILED: {error}", fg="red", err=True)
    if not result.ok:
        sys.exit(1)
    fingerprint = result.summary.get("public_key_sha256")
    if public_key is None:
        # Anyone can re-sign a changed package with a key of their own: only a pinned key proves who signed.
        click.secho(f"NOT PINNED: checked with the public key the package carries, SHA-256 {fingerprint}. "
                    "Compare it with the fingerprint your force published, or pass --public-key PEM.",
                    fg="yellow", err=True)
        if not allow_unpinned:
            sys.exit(3)
    else:
        click.echo(f"signed by the pinned key, SHA-256 {fingerprint}", err=True)


@main.group()
def keys() -> None:
    """The Ed25519 key that signs disclosure packages."""


@keys.command("generate")
@click.option("--path", "path", type=click.Path(dir_okay=False, path_type=Path),
              help="where to write it (default: LIKENESS_SIGNING_KEY, else DATA_DIR/keys/export-signing.pem)")
@click.option("--force", is_flag=True, help="replace an existing key (packages it signed stay verifiable)")
def keys_generate(path: Path | None, force: bool) -> None:
    """Write a new private key (PEM, mode 0600) and print its public key to publish."""
    from app.exports import signing

    configured = get_settings().resolved_signing_key_path
    target = (path or configured).expanduser().resolve()
    try:
        key = signing.generate_key_file(target, overwrite=force)
    except signing.SigningKeyError as exc:
        raise click.ClickException(f"{exc}; pass --force to replace it") from None
    if target == configured:
        _record_key_generated(target, signing.fingerprint(key))
    click.echo(f"wrote {target}", err=True)
    click.echo(f"public key SHA-256: {signing.fingerprint(key)}", err=True)
    click.echo(signing.public_pem(key), nl=False)


def _record_key_generated(path: Path, fingerprint: str) -> None:
    """The key the app signs with changed: that is on the audit trail."""
    from app.audit.service import record
    from app.db import session_factory
    from app.users.actor import system_actor

    _migrate()
    with session_factory()() as db:
        record(db, system_actor("cli"), "export.key_generate", entity_type="signing_key", entity_id=fingerprint,
               details={"public_key_sha256": fingerprint, "path": str(path)})
        db.commit()


main.add_command(dataset_group)
main.add_command(train_group)
main.add_command(evaluate)


if __name__ == "__main__":
    main()
