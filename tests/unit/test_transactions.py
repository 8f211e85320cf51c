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
    db = Database(f"sqlite:///{path}")
    db.migrate()
    with db.session() as s:
        add_group(s, "avant", "Avant")
    writer = sqlite3.connect(path, isolation_level=None, timeout=0)
    writer.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        with db.read() as s:  # a read takes no lock: it answers at once, from the last commit
            assert s.scalar(select(func.count()).select_from(Group)) == 1
        with pytest.raises(OperationalError, match="locked"):  # busy_timeout (5 s), then refused
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
