"""Database engine, sessions and automatic, idempotent schema migration (Alembic)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event issues BEGIN itself
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")  # several workers read while one writes
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _begin(conn) -> None:
    read_only = conn.get_execution_options().get("pilote_read_only", False)
    conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


class Database:
    def __init__(self, url: str):
        self.url = url
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(url, future=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
            # Transactions by intent. A reader that later writes fails at once ("database is locked") if
            # another writer committed meanwhile, without waiting for busy_timeout: so a transaction that may
            # write takes the write lock at BEGIN (IMMEDIATE) and writers queue. Read-only ones (the guard's
            # look-ups on every request, the admin's tables) BEGIN deferred and never wait for writers (WAL).
            event.listen(self.engine, "begin", _begin)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._readers = sessionmaker(self.engine.execution_options(pilote_read_only=True), expire_on_commit=False)

    def migrate(self) -> None:
        """Bring the schema to the latest revision; does nothing when it already is."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        self._restrict_file()

    def _restrict_file(self) -> None:
        """The SQLite file holds password hashes and sessions: readable by the app's user only (and its WAL
        companions, which hold recent pages of it)."""
        if not self.url.startswith("sqlite:///"):
            return
        path = Path(self.url.removeprefix("sqlite:///"))
        for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            if part.exists():
                part.chmod(0o600)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction: it does not queue behind writers (SQLite WAL), and must not write."""
        session = self._readers()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction that may write: committed when the block ends, rolled back on any error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
