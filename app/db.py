"""Database engine and sessions: Postgres in deployment, SQLite in the embedded default."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from sqlalchemy import Connection, DateTime, Engine, create_engine, event
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from app.errors import ConflictError
from common.private import private_dir, private_file
from common.settings import get_settings


class UtcDateTime(TypeDecorator[datetime]):
    """Timestamps are stored and returned as aware UTC, on both databases."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store aware UTC times only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> uuid.UUID:
    return uuid.uuid4()


class Base(DeclarativeBase):
    pass


def flush_unique(db: Session, conflict: str) -> None:
    """Flushes the new rows; one that takes a unique key already held rolls back and answers 409 `conflict`."""
    try:
        db.flush()
    except IntegrityError:
        db.rollback()
        raise ConflictError(conflict) from None


def _sqlite_pragmas(busy_timeout_s: float) -> Callable[[DBAPIConnection, object], None]:
    def on_connect(dbapi_connection: DBAPIConnection, _record: object) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={round(busy_timeout_s * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
        # Let SQLAlchemy issue BEGIN itself (see _sqlite_begin).
        dbapi_connection.isolation_level = None

    return on_connect


def _sqlite_begin(connection: Connection) -> None:
    # Take the write lock up front: a read-then-write transaction in WAL mode would
    # otherwise fail when another process wrote in between (API and worker share it).
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, sqlite_busy_timeout_s: float = 30) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": sqlite_busy_timeout_s})
        event.listen(engine, "connect", _sqlite_pragmas(sqlite_busy_timeout_s))
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


@functools.cache
def get_engine() -> Engine:
    settings = get_settings()
    if settings.resolved_database_url.startswith("sqlite"):
        private_dir(settings.resolved_data_dir)
        if not settings.database_url:
            # SQLite would create it 0644 under a default umask; its -wal/-shm files copy this mode.
            private_file(settings.resolved_data_dir / "likeness.db")
    return make_engine(settings.resolved_database_url, settings.sqlite_busy_timeout_s)


@functools.cache
def session_factory() -> sessionmaker[Session]:
    return sessionmaker(get_engine(), expire_on_commit=False)


def get_db() -> Iterator[Session]:
    """One session per request; the route's service commits what it changed."""
    with session_factory()() as session:
        yield session
