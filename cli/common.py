"""Helpers every command group shares; imports no command module, so the groups import it, not each other."""

from __future__ import annotations

import click

from common.private import private_dir
from common.settings import get_settings


def migrate_or_exit() -> None:
    """Brings the database to the newest migration; a bad setting is named, not traced."""
    from sqlalchemy.exc import SQLAlchemyError

    from app.migrate import upgrade_head

    settings = get_settings()
    try:
        private_dir(settings.resolved_data_dir)
    except OSError as exc:
        raise click.ClickException(f"LIKENESS_DATA_DIR={settings.data_dir}: cannot create it ({exc})") from None
    try:
        upgrade_head()
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise click.ClickException(
            f"LIKENESS_DATABASE_URL: cannot migrate {redacted(settings.resolved_database_url)} "
            f"({type(exc).__name__}: {str(exc).splitlines()[0][:200]})") from None
    # Which database this command works on: a command run from another folder would otherwise
    # quietly make a second ./data there (on stderr, so JSON answers on stdout stay clean).
    click.echo(f"database: {database_label()}", err=True)


def database_label() -> str:
    return redacted(get_settings().resolved_database_url)


def redacted(url: str) -> str:
    """The URL without its password, fit for a message or a log."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable URL>"
