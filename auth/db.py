"""Database engine, sessions and automatic, idempotent schema migration (Alembic)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from auth.models import AuditEvent, Grant, Group, Revision, User

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
LOG = logging.getLogger("pilote.db")
MIGRATION_LOCK = 0x70696C6F  # PostgreSQL advisory lock: hosts starting together migrate one after the other
BUSY_TIMEOUT = 5.0  # seconds SQLite waits for the write lock, per attempt
WRITE_ATTEMPTS = 3  # attempts to take the write lock before a write is refused (nothing stored)


def engine_url(url: str) -> str:
    """``postgresql://`` means psycopg 3 (the driver the project installs), not SQLAlchemy's psycopg2 default."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def _busy(exc: OperationalError) -> bool:
    """SQLite's "database is locked" (another writer kept the lock past busy_timeout)."""
    message = str(exc.orig).lower()
    return "database is locked" in message or "database is busy" in message


WAL_ATTEMPTS = 8


def _wal(cursor) -> None:
    """WAL mode, so that several workers read while one writes. The mode is kept by the file: once any process
    has switched it, the others find it so. Switching needs the file to itself, which a booting neighbour's
    migration may hold: ask again for a while, then go on in the default mode rather than fail to boot."""
    import sqlite3

    for attempt in range(WAL_ATTEMPTS):
        try:
            if cursor.execute("PRAGMA journal_mode=WAL").fetchone()[0].lower() == "wal":
                return
        except sqlite3.OperationalError:
            pass
        time.sleep(0.1 * (attempt + 1))
    LOG.warning("accounts database not switched to WAL (busy): concurrent readers will wait for writers")


def _sqlite_pragmas(busy_timeout: float):
    def connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event issues BEGIN itself
        cursor = dbapi_connection.cursor()
        # busy_timeout first: switching a new file to WAL takes a lock, and workers booting together (gunicorn)
        # would otherwise fail at once with "database is locked" (seen in CI: "Worker failed to boot").
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        _wal(cursor)
        cursor.close()
    return connect


def _begin(conn) -> None:
    read_only = conn.get_execution_options().get("pilote_read_only", False)
    conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


# The rows /admin shows: a transaction that adds, changes or deletes one of them raises the "accounts" revision
# as it commits, so what was kept under the old revision is never served again (data_access.render_cache). The
# counter is the transaction's last write: holding its lock, a transaction waits on no other row (raised at the
# flush, it deadlocked on PostgreSQL a sign-in purging sessions against a session ended on another request).
ACCOUNT_ROWS = (User, Group, Grant, AuditEvent)
ACCOUNT_TABLES = {row.__tablename__ for row in ACCOUNT_ROWS} | {"memberships"}
ACCOUNTS = "accounts"
_WRITTEN = "pilote_accounts_written"


def _note_account_rows(session: Session, _context, _instances) -> None:
    if any(isinstance(row, ACCOUNT_ROWS) for row in (*session.new, *session.dirty, *session.deleted)):
        session.info[_WRITTEN] = True


def _note_account_statements(state) -> None:
    """A bulk statement (``session.execute(update(User)…)``, an insert into memberships) writes account rows
    without the unit of work seeing them."""
    table = getattr(state.statement, "table", None) if (state.is_update or state.is_delete or state.is_insert) else None
    if getattr(table, "name", None) in ACCOUNT_TABLES:
        state.session.info[_WRITTEN] = True


def _raise_revision(session: Session) -> None:
    session.flush()  # what is pending first (commit would flush it after this hook)
    if session.info.pop(_WRITTEN, False):
        session.execute(update(Revision).where(Revision.name == ACCOUNTS).values(n=Revision.n + 1))


def _forget_account_rows(session: Session) -> None:
    session.info.pop(_WRITTEN, None)


class Database:
    def __init__(self, url: str, busy_timeout: float = BUSY_TIMEOUT, write_attempts: int = WRITE_ATTEMPTS):
        self.url = url = engine_url(url)
        self.write_attempts = write_attempts
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        # pre_ping: a PostgreSQL connection dropped by a restart or a proxy is replaced, not handed out.
        self.engine: Engine = create_engine(url, future=True, pool_pre_ping=not url.startswith("sqlite"))
        self.dialect = self.engine.dialect.name
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas(busy_timeout))
            # Transactions by intent. A reader that later writes fails at once ("database is locked") if
            # another writer committed meanwhile, without waiting for busy_timeout: so a transaction that may
            # write takes the write lock at BEGIN (IMMEDIATE) and writers queue. Read-only ones (the guard's
            # look-ups on every request, the admin's tables) BEGIN deferred and never wait for writers (WAL).
            event.listen(self.engine, "begin", _begin)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._readers = sessionmaker(self.engine.execution_options(pilote_read_only=True), expire_on_commit=False)
        event.listen(self._sessions, "before_flush", _note_account_rows)
        event.listen(self._sessions, "do_orm_execute", _note_account_statements)
        event.listen(self._sessions, "before_commit", _raise_revision)
        event.listen(self._sessions, "after_rollback", _forget_account_rows)

    def migrate(self) -> None:
        """Bring the schema to the latest revision; does nothing when it already is.

        Every process (app workers, each `python -m auth`) calls this at start: an up-to-date schema is
        seen by a read, without the write lock, so a burst of starting processes does not queue on it."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        head = ScriptDirectory.from_config(config).get_current_head()
        with self.engine.execution_options(pilote_read_only=True).connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
        if current != head:
            for attempt in range(1, self.write_attempts + 1):
                try:
                    with self.engine.begin() as connection:
                        if self.dialect == "postgresql":  # SQLite's BEGIN IMMEDIATE serialises them already
                            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
                        config.attributes["connection"] = connection
                        command.upgrade(config, "head")
                    break
                except OperationalError as exc:
                    if not _busy(exc) or attempt == self.write_attempts:
                        raise
                    time.sleep(0.05 * attempt)
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

    def revision(self, name: str = ACCOUNTS) -> int | None:
        """The revision of ``name``'s rows (raised by every write to them); None when the database has no such
        counter (nothing may then be kept under it)."""
        with self.read() as s:
            return s.scalar(select(Revision.n).where(Revision.name == name))

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
        """A transaction that may write: committed when the block ends, rolled back on any error.

        On SQLite the write lock is taken first (BEGIN IMMEDIATE), before the block runs; when another writer
        keeps it past busy_timeout, it is asked for again a few times, then the write is refused with
        OperationalError and nothing is stored. On PostgreSQL writers wait on the rows they share."""
        session = self._sessions()
        try:
            self._take_write_lock(session)
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def _take_write_lock(self, session: Session) -> None:
        if self.dialect != "sqlite":
            return
        for attempt in range(1, self.write_attempts + 1):
            try:
                session.connection()  # BEGIN IMMEDIATE: waits up to busy_timeout for the lock
                return
            except OperationalError as exc:
                session.rollback()
                if not _busy(exc) or attempt == self.write_attempts:
                    raise
                LOG.warning("accounts database busy, write lock asked again (%d/%d)", attempt, self.write_attempts)
                time.sleep(0.05 * attempt)
