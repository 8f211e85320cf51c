"""Transactions by intent on SQLite: reads never wait for a writer; a write that cannot get the lock is not
stored (and says so), it never half-happens."""

import sqlite3

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from auth.accounts import add_group
from auth.db import Database
from auth.models import Group


def test_reads_do_not_queue_behind_a_writer_and_a_blocked_write_stores_nothing(tmp_path):
    path = tmp_path / "pilote.db"
    db = Database(f"sqlite:///{path}", busy_timeout=0.5)
    db.migrate()
    with db.session() as s:
        add_group(s, "avant", "Avant")
    writer = sqlite3.connect(path, isolation_level=None, timeout=0)
    writer.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        with db.read() as s:  # a read takes no lock: it answers at once, from the last commit
            assert s.scalar(select(func.count()).select_from(Group)) == 1
        with pytest.raises(OperationalError, match="locked"):  # busy_timeout x attempts, then refused
            with db.session() as s:
                add_group(s, "pendant", "Pendant")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    with db.read() as s:
        assert s.scalars(select(Group.slug)).all() == ["avant"]  # the refused write left nothing behind
    with db.session() as s:
        add_group(s, "apres", "Après")
    with db.read() as s:
        assert sorted(s.scalars(select(Group.slug))) == ["apres", "avant"]


def test_a_writer_kept_waiting_past_busy_timeout_asks_for_the_lock_again(tmp_path, caplog):
    """Another process holds the write lock longer than one busy_timeout, but less than the attempts: the
    write waits, asks again, and is stored once."""
    import threading

    path = tmp_path / "pilote.db"
    db = Database(f"sqlite:///{path}", busy_timeout=0.3, write_attempts=5)
    db.migrate()
    writer = sqlite3.connect(path, isolation_level=None, timeout=0, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.8, lambda: writer.execute("ROLLBACK"))
    release.start()
    try:
        with caplog.at_level("WARNING", logger="pilote.db"):
            with db.session() as s:
                add_group(s, "patient", "Patient")
    finally:
        release.join()
        writer.close()
    assert "write lock asked again" in caplog.text
    with db.read() as s:
        assert s.scalars(select(Group.slug)).all() == ["patient"]


def test_a_worker_booting_while_another_holds_the_new_file_waits_for_wal_and_never_fails(tmp_path, caplog,
                                                                                          monkeypatch):
    """gunicorn's workers boot together: one migrates the new file while the other connects. Switching to WAL
    needs the file to itself; the second waits and asks again, and if the file stays busy it boots anyway
    (CI once saw "Worker failed to boot" with "database is locked" from PRAGMA journal_mode)."""
    import threading

    import auth.db as db_module

    path = tmp_path / "pilote.db"
    holder = sqlite3.connect(path, isolation_level=None, timeout=0, check_same_thread=False)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")  # a neighbour's migration, on a file still in the default mode
    release = threading.Timer(0.6, lambda: holder.execute("ROLLBACK"))
    release.start()
    try:
        with Database(f"sqlite:///{path}", busy_timeout=0.05).engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        release.join()
    holder.close()
    try:  # a file held for good: the worker still boots, in the default mode
        other = tmp_path / "other.db"
        sqlite3.connect(other).execute("CREATE TABLE t (x)")
        keeper = sqlite3.connect(other, isolation_level=None, timeout=0)
        keeper.execute("BEGIN EXCLUSIVE")
        monkeypatch.setattr(db_module, "WAL_ATTEMPTS", 2)
        with caplog.at_level("WARNING", logger="pilote.db"):
            Database(f"sqlite:///{other}", busy_timeout=0.05).engine.connect().close()
        assert "not switched to WAL" in caplog.text
    finally:
        keeper.execute("ROLLBACK")
        keeper.close()
