"""Account operations shared by the CLI, the admin page and the sign-in form. Every change is audited."""

from __future__ import annotations

import csv
import io
import math
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from auth.models import AuditEvent, Grant, Group, User, UserSession, utcnow

MIN_PASSWORD = 12
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
# Checked when the account does not exist, so that a wrong email costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class AccountError(ValueError):
    """A request on accounts that cannot be done; the message is fit for the user (French)."""


@dataclass(frozen=True)
class RateLimits:
    """Sign-in failures slow the next attempts down; they never lock an account for good.

    * one address on one account: ``free`` failures, then each further attempt waits 1, 2, 4… seconds after
      the last failure, at most ``max_delay`` (the owner, at their own desk, waits no longer than that);
    * one account from any address: ``account_attack`` failures in the window is a distributed attack on it,
      the one pattern that slows its owner elsewhere too: ``account_delay`` after each failure;
    * one address on any account (a spray; a town hall's agents share one address): ``client_spray``
      failures, then growing delays of at most ``client_delay``.
    Failures are read from the audit table, so every worker and host sees the same counts.
    """
    free: int = 3
    max_delay: timedelta = timedelta(minutes=5)
    account_attack: int = 30
    account_delay: timedelta = timedelta(seconds=30)
    client_spray: int = 20
    client_delay: timedelta = timedelta(seconds=60)
    window: timedelta = timedelta(minutes=15)


def growing_delay(failures: list[datetime], free: int, cap: timedelta, now: datetime) -> timedelta:
    """What is left to wait after ``failures`` (in time order): nothing for the first ``free``, then
    1, 2, 4… seconds after the last one, at most ``cap``."""
    if len(failures) < free:
        return timedelta(0)
    wait = min(timedelta(seconds=2 ** min(len(failures) - free, 20)), cap)
    return max(timedelta(0), failures[-1] + wait - now)


def audit(s: Session, event: str, actor: str | None = None, target: str | None = None,
          client: str | None = None, detail: str = "") -> None:
    # Cut to the columns' sizes: PostgreSQL refuses longer text (SQLite would keep it), and a probe's
    # path or address must not turn an audit row into an error.
    cut = lambda value, size: value[:size] if value is not None else None  # noqa: E731
    s.add(AuditEvent(event=event[:40], actor=cut(actor, 254), target=cut(target, 254), client=cut(client, 64),
                     detail=detail[:2000]))


def normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not _EMAIL_RE.match(email) or len(email) > 254:
        raise AccountError(f"adresse électronique invalide : {email!r}")
    return email


def check_password_strength(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise AccountError(f"le mot de passe doit compter au moins {MIN_PASSWORD} caractères")


def checked_text(value: str, what: str, size: int = 200) -> str:
    """A name or direction as stored: stripped, and no longer than its column (PostgreSQL enforces it)."""
    value = (value or "").strip()
    if len(value) > size:
        raise AccountError(f"{what} ne doit pas dépasser {size} caractères ({len(value)} saisis)")
    return value


def generate_password() -> str:
    return secrets.token_urlsafe(15)  # 20 characters


def parse_expiry(value: str | date | datetime | None) -> datetime | None:
    """An end date: access lasts until the end of that day (naive UTC)."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime.combine(value, time.max).replace(microsecond=0)
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.combine(datetime.strptime(text, fmt).date(), time.max).replace(microsecond=0)
        except ValueError:
            continue
    raise AccountError(f"date de fin invalide : {text!r} (attendu AAAA-MM-JJ ou JJ/MM/AAAA)")


def get_user(s: Session, email: str) -> User:
    user = s.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise AccountError(f"aucun compte {email}")
    return user


def get_group(s: Session, slug: str) -> Group:
    group = s.scalar(select(Group).where(Group.slug == slug))
    if group is None:
        raise AccountError(f"aucun groupe {slug!r}")
    return group


def create_user(s: Session, email: str, name: str, password: str | None = None, groups: list[str] = (),
                admin: bool = False, expires_at=None, actor: str | None = None,
                password_hash: str | None = None) -> tuple[User, str | None]:
    """Create an account; returns it and the generated password when none was given (shown once).

    ``password_hash`` (of a generated password) lets bulk imports hash outside the transaction."""
    email = normalise_email(email)
    if s.scalar(select(User).where(User.email == email)) is not None:
        raise AccountError(f"le compte {email} existe déjà")
    name = checked_text(name, "le nom")
    if not name:
        raise AccountError("le nom est obligatoire")
    generated = None
    if password_hash is None:
        if password is None:
            password = generated = generate_password()
        check_password_strength(password)
        password_hash = generate_password_hash(password)
    user = User(email=email, name=name, password_hash=password_hash, active=True,
                is_admin=admin, expires_at=parse_expiry(expires_at), created_at=utcnow())
    user.groups = [get_group(s, slug) for slug in groups]
    s.add(user)
    audit(s, "admin_change", actor, email, detail=f"create user groups={','.join(groups)} admin={admin} "
                                                  f"expires={user.expires_at or '-'}")
    return user, generated


def set_password(s: Session, email: str, password: str, actor: str | None = None) -> None:
    check_password_strength(password)
    user = get_user(s, email)
    user.password_hash = generate_password_hash(password)
    end_sessions(s, user, "password changed", actor)
    audit(s, "admin_change", actor, user.email, detail="set password")


def end_sessions(s: Session, user: User, reason: str, actor: str | None = None) -> None:
    ended = s.execute(delete(UserSession).where(UserSession.user_id == user.id)).rowcount
    if ended:
        audit(s, "session_ended", actor, user.email, detail=f"{ended} session(s) ended: {reason}")


def set_active(s: Session, email: str, active: bool, actor: str | None = None) -> None:
    user = get_user(s, email)
    user.active = active
    if not active:
        end_sessions(s, user, "account disabled", actor)
    audit(s, "admin_change", actor, user.email, detail="enable" if active else "disable")


def set_expiry(s: Session, email: str, when, actor: str | None = None) -> None:
    user = get_user(s, email)
    user.expires_at = parse_expiry(when)
    audit(s, "admin_change", actor, user.email, detail=f"expires={user.expires_at or '-'}")


def add_group(s: Session, slug: str, name: str, direction: str = "", actor: str | None = None) -> Group:
    if not _SLUG_RE.match(slug or ""):
        raise AccountError(f"identifiant de groupe invalide : {slug!r} (minuscules, chiffres, tirets)")
    if s.scalar(select(Group).where(Group.slug == slug)) is not None:
        raise AccountError(f"le groupe {slug!r} existe déjà")
    group = Group(slug=slug, name=checked_text(name, "le nom du groupe") or slug,
                  direction=checked_text(direction, "la direction"))
    s.add(group)
    audit(s, "admin_change", actor, slug, detail=f"create group {name!r} direction={direction!r}")
    return group


def add_member(s: Session, email: str, slug: str, actor: str | None = None) -> None:
    user, group = get_user(s, email), get_group(s, slug)
    if group not in user.groups:
        user.groups.append(group)
        audit(s, "admin_change", actor, user.email, detail=f"add to group {slug}")


def remove_member(s: Session, email: str, slug: str, actor: str | None = None) -> None:
    user, group = get_user(s, email), get_group(s, slug)
    if group in user.groups:
        user.groups.remove(group)
        audit(s, "admin_change", actor, user.email, detail=f"remove from group {slug}")


def grant(s: Session, slug: str, resource: str, known: set[str] | None = None, actor: str | None = None) -> None:
    """Let group ``slug`` see ``resource`` (a dashboard path or ``path#section``)."""
    checked_text(resource, "la ressource")
    if known is not None and resource not in known:
        raise AccountError(f"ressource inconnue : {resource!r} ; connues : {', '.join(sorted(known))}")
    group = get_group(s, slug)
    if not any(g.resource == resource for g in group.grants):
        group.grants.append(Grant(resource=resource, created_at=utcnow()))
        audit(s, "admin_change", actor, slug, detail=f"grant {resource}")


def revoke(s: Session, slug: str, resource: str, actor: str | None = None) -> None:
    group = get_group(s, slug)
    for g in list(group.grants):
        if g.resource == resource:
            group.grants.remove(g)
            audit(s, "admin_change", actor, slug, detail=f"revoke {resource}")
            return
    raise AccountError(f"le groupe {slug!r} n'a pas accès à {resource!r}")


def set_communes(s: Session, slug: str, codes, known: dict[str, str] | None = None, actor: str | None = None) -> None:
    """Limit group ``slug`` to the communes ``codes`` (INSEE codes; none: the whole territory). ``known``:
    code -> name of the territory's communes, the only ones accepted."""
    codes = sorted({str(c).strip() for c in (codes or []) if str(c).strip()})
    if known is not None:
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise AccountError(f"commune inconnue du territoire : {', '.join(unknown)} ; "
                               f"connues : {', '.join(f'{c} ({n})' for c, n in sorted(known.items()))}")
    group = get_group(s, slug)
    value = checked_text(" ".join(codes), "la liste des communes", 400)
    if group.communes != value:
        group.communes = value
        audit(s, "admin_change", actor, slug, detail=f"communes={value or 'toutes'}")


def set_home(s: Session, slug: str, path: str, known: set[str] | None = None, actor: str | None = None) -> None:
    """Group ``slug``'s home page (its members land there after signing in); empty: the catalogue. ``known``:
    the pages that may be a home."""
    path = (path or "").strip()
    if path and known is not None and path not in known:
        raise AccountError(f"page inconnue : {path!r} ; pages possibles : {', '.join(sorted(known))}")
    group = get_group(s, slug)
    value = checked_text(path, "la page d'accueil", 200)
    if group.home != value:
        group.home = value
        audit(s, "admin_change", actor, slug, detail=f"accueil={value or 'catalogue'}")


def home_of(user: User) -> str | None:
    """The home page of the first of ``user``'s groups (by identifier) that has one."""
    return next((g.home for g in sorted(user.groups, key=lambda g: g.slug) if g.home), None)


def granted_groups(s: Session) -> dict[str, frozenset[str]]:
    """resource -> groups granted it in the database."""
    result: dict[str, set[str]] = {}
    for resource, slug in s.execute(select(Grant.resource, Group.slug).join(Group)):
        result.setdefault(resource, set()).add(slug)
    return {k: frozenset(v) for k, v in result.items()}


# -- signing in ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SignIn:
    user: User | None
    retry_after: int | None = None  # seconds to wait, when refused because of recent failures


def _recent_failures(s: Session, since: datetime, **where: str) -> list[datetime]:
    conditions = [getattr(AuditEvent, column) == value for column, value in where.items()]
    return list(s.scalars(select(AuditEvent.at).where(AuditEvent.event == "login_failed", AuditEvent.at > since,
                                                      *conditions).order_by(AuditEvent.at)))


def authenticate(s: Session, email: str, password: str, client: str, limits: RateLimits = RateLimits(),
                 now: datetime | None = None) -> SignIn:
    """Check a sign-in. Refusals never say whether the account exists."""
    now = now or utcnow()
    try:
        email = normalise_email(email)
    except AccountError:
        email = (email or "").strip().lower()[:254]
    since = now - limits.window
    by_account = _recent_failures(s, since, target=email)
    waits = [growing_delay(_recent_failures(s, since, target=email, client=client), limits.free, limits.max_delay, now),
             growing_delay(_recent_failures(s, since, client=client), limits.client_spray, limits.client_delay, now)]
    if len(by_account) >= limits.account_attack:
        waits.append(max(timedelta(0), by_account[-1] + limits.account_delay - now))
    wait = max(waits)
    if wait > timedelta(0):  # the password is not even checked: a delay that guesses could skip is none
        seconds = max(1, math.ceil(wait.total_seconds()))
        audit(s, "throttled", email, email, client, f"asked to wait {seconds} s")
        return SignIn(None, seconds)
    user = s.scalar(select(User).where(User.email == email))
    ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, password or "")
    if not ok or user is None or not user.may_sign_in(now):
        reason = ("unknown account" if user is None else "wrong password" if not ok
                  else "account disabled" if not user.active else "account expired")
        audit(s, "login_failed", email, email, client, reason)
        return SignIn(None)
    user.last_login_at = now
    audit(s, "login", email, email, client)
    return SignIn(user)


# -- bulk onboarding -------------------------------------------------------------------------------------
@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)
    passwords: dict[str, str] = field(default_factory=dict)  # generated, shown once


def import_csv(s: Session, text: str, actor: str | None = None, progress=None) -> ImportReport:
    """Create the accounts of a CSV (email, name, groups separated by ';' or '|', expires_at).

    Each bad row is reported with its line number and skipped; good rows are imported. ``progress(done,
    total)`` is told of the passwords hashed, the slow part (~0.1 s each: 170 accounts take half a minute).
    """
    report = ImportReport()
    text = text.lstrip("\ufeff")
    sample = text[:2000]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    expected = {"email", "name", "groups", "expires_at"}
    headers = {h.strip().lower() for h in (reader.fieldnames or [])}
    if not {"email", "name"} <= headers:
        report.errors.append((1, f"en-tête attendu : {', '.join(sorted(expected))} ; reçu : {', '.join(sorted(headers))}"))
        return report
    rows = [(line, {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if k})
            for line, row in enumerate(reader, start=2)]
    # Hashing is deliberately slow (~0.1 s each): done before the first query, so the database's
    # write lock is not held while 174 passwords are hashed and sign-ins can go on meanwhile.
    passwords = {line: generate_password() for line, _ in rows}
    hashes = {}
    for done, (line, password) in enumerate(passwords.items(), start=1):
        hashes[line] = generate_password_hash(password)
        if progress is not None:
            progress(done, len(passwords))
    known_groups = {g.slug for g in s.scalars(select(Group))}
    seen = set()
    for line, row in rows:
        try:
            email = normalise_email(row.get("email", ""))
            if email in seen:
                raise AccountError(f"{email} apparaît deux fois dans le fichier")
            groups = [g.strip() for g in re.split(r"[|;]", row.get("groups", "")) if g.strip()]
            unknown = [g for g in groups if g not in known_groups]
            if unknown:
                raise AccountError(f"groupe(s) inconnu(s) : {', '.join(unknown)}")
            with s.begin_nested():  # a bad row must not undo the good ones
                create_user(s, email, row.get("name", ""), groups=groups, expires_at=row.get("expires_at") or None,
                            actor=actor, password_hash=hashes[line])
            seen.add(email)
            report.created.append(email)
            report.passwords[email] = passwords[line]
        except AccountError as exc:
            report.errors.append((line, str(exc)))
    audit(s, "admin_change", actor, None, detail=f"import-csv: {len(report.created)} created, "
                                                 f"{len(report.errors)} rejected")
    return report


def count_users(s: Session) -> int:
    return s.scalar(select(func.count(User.id)))
