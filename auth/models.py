"""Accounts, groups, memberships, grants and audit events (SQLAlchemy 2 ORM).

Datetimes are stored as naive UTC (SQLite has no time zones); ``utcnow()`` gives that form.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


class Base(DeclarativeBase):
    pass


memberships = Table(
    "memberships",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)  # stored lower-case
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)  # partners' end of access
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    groups: Mapped[list["Group"]] = relationship(secondary=memberships, back_populates="members",
                                                 order_by="Group.slug")

    def is_expired(self, now: datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or utcnow())

    def may_sign_in(self, now: datetime | None = None) -> bool:
        return self.active and not self.is_expired(now)

    @property
    def group_slugs(self) -> frozenset[str]:
        return frozenset(g.slug for g in self.groups)

    @property
    def group_scopes(self) -> tuple[tuple[str, frozenset[str]], ...]:
        """(group, its communes) for the groups limited to some communes."""
        return tuple((g.slug, g.commune_codes) for g in self.groups if g.commune_codes)


class Group(Base):
    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(200))
    direction: Mapped[str] = mapped_column(String(200), default="")
    # The communes (INSEE codes, space-separated) its members may report on; empty: the whole territory.
    communes: Mapped[str] = mapped_column(String(400), default="")
    # Where its members land after signing in (a page path); empty: the catalogue.
    home: Mapped[str] = mapped_column(String(200), default="")

    members: Mapped[list[User]] = relationship(secondary=memberships, back_populates="groups")
    grants: Mapped[list["Grant"]] = relationship(back_populates="group", cascade="all, delete-orphan")

    @property
    def commune_codes(self) -> frozenset[str]:
        return frozenset((self.communes or "").split())


class Grant(Base):
    """Group → resource: a dashboard path (``/flotte``) or a section of one (``/mobilite#exploitation``)."""

    __tablename__ = "grants"
    __table_args__ = (UniqueConstraint("group_id", "resource"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    resource: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    group: Mapped[Group] = relationship(back_populates="grants")


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    event: Mapped[str] = mapped_column(String(40), index=True)  # see auth.audit.EVENTS
    actor: Mapped[str | None] = mapped_column(String(254), nullable=True, index=True)  # email, or None
    target: Mapped[str | None] = mapped_column(String(254), nullable=True, index=True)
    client: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)  # client address
    detail: Mapped[str] = mapped_column(Text, default="")


class Revision(Base):
    """A counter per kind of rows, raised by every write to them (auth.db): what was built from the accounts
    (the /admin page, kept by the render cache) is kept under it, in every worker and host sharing the
    database. ``accounts``: users, groups, memberships, grants and the audit log."""

    __tablename__ = "revisions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


class UserSession(Base):
    """One signed-in session. The cookie holds a random token; only its hash is stored here."""

    __tablename__ = "sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    client: Mapped[str | None] = mapped_column(String(64), nullable=True)


class FieldReport(Base):
    """One row of a collaborative dataset, written by an agent through a form (data_access.reports).

    ``values`` holds the row's fields as JSON, checked against the dataset's catalog schema. ``token`` makes a
    double tap or a retry one record; deletion is soft (``deleted_at``) and audited."""

    __tablename__ = "field_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset: Mapped[str] = mapped_column(String(64), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    values: Mapped[str] = mapped_column(Text)
    commune_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    author: Mapped[str] = mapped_column(String(254), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    updated_by: Mapped[str] = mapped_column(String(254))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    deleted_by: Mapped[str | None] = mapped_column(String(254), nullable=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)  # +1 at each correction or deletion: the cache key


class FieldPhoto(Base):
    """A photo attached to reports: stored under the data directory by the hash of its cleaned bytes."""

    __tablename__ = "field_photos"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    dataset: Mapped[str] = mapped_column(String(64), index=True)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by: Mapped[str] = mapped_column(String(254))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
