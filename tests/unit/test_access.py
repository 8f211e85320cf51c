"""Access rules, the callback map, `next=` checking, and accounts (creation, expiry, bulk import, sign-in
with lockout) on a throw-away SQLite database."""

from __future__ import annotations

import csv
import functools
import io
import threading
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from auth import accounts
from auth.access import (ADMIN, ALLOW, AUTHENTICATED, FORBIDDEN, PUBLIC, UNAUTHENTICATED, Policy, Principal,
                         decide, normalise_access, rules_from_registry, section, shell_callback)
from auth.accounts import AccountError, RateLimits, authenticate, parse_expiry
from auth.db import Database
from auth.guard import ROUTER, CallbackMapError, build_callback_map
from auth.models import AuditEvent, Group, User, utcnow
from auth.views import safe_next

# -- decide --------------------------------------------------------------------------------------------------
ANON = Principal()
MEMBER = Principal("m@x.fr", "Membre", frozenset({"mobilite"}))
OTHER = Principal("o@x.fr", "Autre", frozenset({"finances"}))
NO_GROUP = Principal("n@x.fr", "Sans groupe")
ADMIN_USER = Principal("a@x.fr", "Admin", frozenset(), is_admin=True)
GROUPS = frozenset({"mobilite"})

TRUTH = {  # access -> {principal: decision}
    PUBLIC: {"anon": ALLOW, "member": ALLOW, "other": ALLOW, "no group": ALLOW, "admin": ALLOW},
    AUTHENTICATED: {"anon": UNAUTHENTICATED, "member": ALLOW, "other": ALLOW, "no group": ALLOW, "admin": ALLOW},
    ADMIN: {"anon": UNAUTHENTICATED, "member": FORBIDDEN, "other": FORBIDDEN, "no group": FORBIDDEN, "admin": ALLOW},
    GROUPS: {"anon": UNAUTHENTICATED, "member": ALLOW, "other": FORBIDDEN, "no group": FORBIDDEN, "admin": ALLOW},
}
PRINCIPALS = {"anon": ANON, "member": MEMBER, "other": OTHER, "no group": NO_GROUP, "admin": ADMIN_USER}


@pytest.mark.parametrize("access,who", [(a, w) for a in TRUTH for w in PRINCIPALS],
                         ids=[f"{a if isinstance(a, str) else 'groups'}-{w}" for a in TRUTH for w in PRINCIPALS])
def test_decide_truth_table(access, who):
    assert decide(PRINCIPALS[who], access) == TRUTH[access][who]


def test_groups_limited_to_communes_narrow_where_a_member_reports():
    issy = Principal("i@x.fr", "Issy", frozenset({"flotte-issy"}), scopes=(("flotte-issy", frozenset({"92040"})),))
    two = Principal("d@x.fr", "Deux", frozenset({"flotte-issy", "flotte-meudon"}),
                    scopes=(("flotte-issy", frozenset({"92040"})), ("flotte-meudon", frozenset({"92048"}))))
    mixed = Principal("m@x.fr", "Mixte", frozenset({"flotte-issy", "flotte"}),
                      scopes=(("flotte-issy", frozenset({"92040"})),))
    elsewhere = Principal("e@x.fr", "Ailleurs", frozenset({"flotte-issy", "elus"}),
                          scopes=(("flotte-issy", frozenset({"92040"})),))
    policy = Policy({"/flotte/plein": frozenset({"flotte"}), "/public": PUBLIC, "/compte": AUTHENTICATED},
                    lambda: {"/flotte/plein": frozenset({"flotte-issy", "flotte-meudon"})})
    assert policy.communes(issy, "/flotte/plein") == {"92040"}
    assert policy.communes(two, "/flotte/plein") == {"92040", "92048"}  # the union of their groups
    assert policy.communes(mixed, "/flotte/plein") is None  # an unlimited group grants it: everywhere
    assert policy.communes(elsewhere, "/flotte/plein") == {"92040"}  # only the groups granting the form count
    assert policy.communes(ADMIN_USER, "/flotte/plein") is None
    assert policy.communes(OTHER, "/flotte/plein") == frozenset()  # no group grants it: nowhere
    assert policy.communes(issy, "/public") is None and policy.communes(issy, "/compte") is None


def test_database_grants_widen_a_group_resource():
    assert decide(OTHER, GROUPS) == FORBIDDEN
    assert decide(OTHER, GROUPS, granted=frozenset({"finances"})) == ALLOW
    assert decide(NO_GROUP, GROUPS, granted=frozenset({"finances"})) == FORBIDDEN
    assert decide(ANON, GROUPS, granted=frozenset({"finances"})) == UNAUTHENTICATED  # never below "signed in"
    assert decide(OTHER, ADMIN, granted=frozenset({"finances"})) == FORBIDDEN  # admin pages are not grantable
    policy = Policy({"/m": GROUPS, "/m#s": frozenset({"elus"}), "/": PUBLIC},
                    lambda: {"/m#s": frozenset({"finances"})})
    assert policy.allows(OTHER, "/m#s") and not policy.allows(OTHER, "/m")
    assert policy.decide(ANON, "/m#s") == UNAUTHENTICATED
    assert policy.decide(ANON, "/") == ALLOW
    assert policy.resources() == ["/", "/m", "/m#s"]


def test_policy_fails_closed_on_undeclared_resources():
    policy = Policy({"/": PUBLIC}, lambda: {"/secret": frozenset({"mobilite"})})
    assert policy.access("/secret") == ADMIN
    assert policy.decide(MEMBER, "/secret") == FORBIDDEN  # a grant does not open an undeclared resource
    assert policy.decide(ANON, "/secret") == UNAUTHENTICATED
    assert policy.decide(ADMIN_USER, "/secret") == ALLOW


# -- declarations --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value,expected", [
    (None, PUBLIC), ("public", PUBLIC), ("authenticated", AUTHENTICATED), ("admin", ADMIN),
    (["mobilite"], frozenset({"mobilite"})), (("a", "b"), frozenset({"a", "b"})), ({"a"}, frozenset({"a"})),
])
def test_normalise_access(value, expected):
    assert normalise_access(value) == expected


@pytest.mark.parametrize("value", ["", "Public", "everyone", "mobilite", [], (), ["mobilite", 3], [None], 5,
                                   {"mobilite": True}, True])
def test_normalise_access_errors(value):
    with pytest.raises(ValueError, match="access must be"):
        normalise_access(value)


def test_rules_from_registry_with_sections():
    registry = {
        "pages.home": {"path": "/"},  # no access declared: public
        "pages.mob": {"path": "/mobilite", "access": "public", "sections": {"exploitation": ["mobilite"],
                                                                          "elus": ("elus", "mobilite")}},
        "pages.fin": {"path": "/finances", "access": ["finances"], "sections": None},
        "pages.admin": {"path": "/admin", "access": "admin"},
    }
    assert rules_from_registry(registry) == {
        "/": PUBLIC, "/mobilite": PUBLIC, "/mobilite#exploitation": frozenset({"mobilite"}),
        "/mobilite#elus": frozenset({"elus", "mobilite"}), "/finances": frozenset({"finances"}), "/admin": ADMIN}
    with pytest.raises(ValueError):
        rules_from_registry({"p": {"path": "/p", "sections": {"s": "mobilite"}}})  # a bare string, not a list


# -- the callback map ----------------------------------------------------------------------------------------
def page_callback():
    return None


@section("exploitation")
def section_callback():
    return None


@section("undeclared")
def undeclared_section_callback():
    return None


@shell_callback
def shell_cb():
    return None


def orphan_callback():
    return None


def dash_wrapped(fn):
    """Like Dash's @callback: a wrapper whose markers are on the original function."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)

    return wrapper


THIS_PAGE = {__name__: {"path": "/essai", "access": ["mobilite"], "sections": {"exploitation": ["mobilite"]}}}


def test_build_callback_map_ties_callbacks_to_their_page_section_or_shell():
    callbacks = {
        "page-out.children": {"callback": dash_wrapped(page_callback)},
        "section-out.children": {"callback": dash_wrapped(section_callback)},
        "..nav.href...menu.is_open..": {"callback": dash_wrapped(shell_cb)},
        ".._pages_content.children..._pages_store.data..": {"callback": dash_wrapped(orphan_callback)},
        "_pages_dummy.children": {"callback": None},  # clientside: nothing runs on the server
    }
    assert build_callback_map(callbacks, THIS_PAGE) == {
        "page-out.children": "/essai", "section-out.children": "/essai#exploitation",
        "..nav.href...menu.is_open..": PUBLIC, ".._pages_content.children..._pages_store.data..": ROUTER}


def test_build_callback_map_refuses_a_callback_outside_page_modules():
    with pytest.raises(CallbackMapError, match="neither in a page module nor marked @shell_callback"):
        build_callback_map({"x.children": {"callback": dash_wrapped(orphan_callback)}}, {})
    with pytest.raises(CallbackMapError, match="orphan_callback"):  # a page module elsewhere changes nothing
        build_callback_map({"x.children": {"callback": orphan_callback}},
                           {"pages.other": {"path": "/other", "access": "public"}})


def test_build_callback_map_refuses_an_undeclared_section():
    with pytest.raises(CallbackMapError, match="section 'undeclared' is not declared by /essai"):
        build_callback_map({"x.children": {"callback": dash_wrapped(undeclared_section_callback)}}, THIS_PAGE)
    no_sections = {__name__: {"path": "/essai", "access": "public"}}
    with pytest.raises(CallbackMapError):
        build_callback_map({"x.children": {"callback": section_callback}}, no_sections)


# -- next= ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("target,expected", [
    (None, "/"), ("", "/"), ("/", "/"), ("/mobilite", "/mobilite"),
    ("/mobilite?commune=92040", "/mobilite?commune=92040"), ("/espace-agents#groupes", "/espace-agents#groupes"),
    ("/%2F%2Fevil.example", "/%2F%2Fevil.example"),  # a path on this site (the browser does not decode it)
    ("//evil.example", "/"), ("///evil.example", "/"), ("https://evil.example/x", "/"), ("http:/evil", "/"),
    ("/\\evil.example", "/"), ("\\\\evil.example", "/"), ("/\tevil", "/"), ("/\nevil", "/"), ("/\x00", "/"),
    ("javascript:alert(1)", "/"), ("%2F%2Fevil.example", "/"), ("mobilite", "/"), (" //evil.example", "/"),
    ("/" + "a" * 2000, "/"),
])
def test_safe_next(target, expected):
    assert safe_next(target) == expected


# -- accounts ------------------------------------------------------------------------------------------------
@pytest.fixture
def db(database_url):
    """Accounts, groups, grants and audit on SQLite and on PostgreSQL (tests/conftest.py)."""
    database = Database(database_url)
    database.migrate()
    database.migrate()  # idempotent
    return database


@pytest.fixture
def cheap_hashes(monkeypatch):
    """scrypt costs ~0.1 s per hash: bulk tests use a cheap method (what is tested is not the hash)."""
    monkeypatch.setattr(accounts, "generate_password_hash",
                        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1"))
    monkeypatch.setattr(accounts, "_DUMMY_HASH", generate_password_hash("dummy", method="pbkdf2:sha256:1"))


PASSWORD = "un-mot-de-passe-solide"


def make_groups(s, *slugs):
    for slug in slugs:
        accounts.add_group(s, slug, slug.capitalize())


def test_create_user_errors(db, cheap_hashes):
    with db.session() as s:
        make_groups(s, "mobilite")
        accounts.create_user(s, "Agent@GPSO.fr", "Agent", PASSWORD, ["mobilite"])
    with db.session() as s:
        with pytest.raises(AccountError, match="existe déjà"):
            accounts.create_user(s, "agent@gpso.fr", "Encore", PASSWORD)
        with pytest.raises(AccountError, match="au moins 12"):
            accounts.create_user(s, "court@gpso.fr", "Court", "a" * 11)
        for email in ("", "sans-arobase", "a@b", "a b@c.fr", "a@b c.fr", "x" * 250 + "@g.fr"):
            with pytest.raises(AccountError, match="adresse électronique invalide"):
                accounts.create_user(s, email, "Mauvais", PASSWORD)
        with pytest.raises(AccountError, match="aucun groupe"):
            accounts.create_user(s, "g@gpso.fr", "G", PASSWORD, ["inconnu"])
        with pytest.raises(AccountError, match="nom est obligatoire"):
            accounts.create_user(s, "n@gpso.fr", "  ", PASSWORD)
        user, generated = accounts.create_user(s, "gen@gpso.fr", "Généré", None)
        assert generated and len(generated) >= accounts.MIN_PASSWORD
    with db.session() as s:
        assert accounts.count_users(s) == 2
        assert authenticate(s, "gen@gpso.fr", generated, "10.0.0.1").user is not None
        assert authenticate(s, " AGENT@gpso.FR ", PASSWORD, "10.0.0.1").user.email == "agent@gpso.fr"


@pytest.mark.parametrize("value,expected", [
    ("2026-03-05", datetime(2026, 3, 5, 23, 59, 59)), ("05/03/2026", datetime(2026, 3, 5, 23, 59, 59)),
    (" 2026-03-05 ", datetime(2026, 3, 5, 23, 59, 59)), (date(2026, 3, 5), datetime(2026, 3, 5, 23, 59, 59)),
    (datetime(2026, 3, 5, 12, 0, tzinfo=timezone.utc), datetime(2026, 3, 5, 12, 0)), (None, None), ("", None),
])
def test_parse_expiry(value, expected):
    assert parse_expiry(value) == expected


@pytest.mark.parametrize("value", ["2026-13-01", "31/02/2026", "5 mars 2026", "2026/03/05", "demain", "+90d"])
def test_parse_expiry_errors(value):
    with pytest.raises(AccountError, match="date de fin invalide"):
        parse_expiry(value)


def onboarding_sheet() -> tuple[str, list[str], dict[int, str]]:
    """174 good accounts in 26 groups, and 4 bad rows; returns the CSV, the good emails and
    {line number: expected reason} of the bad rows."""
    groups = [f"direction-{i:02d}" for i in range(1, 27)]
    rows, good = [], []
    for i in range(174):
        email = f"agent{i:03d}@gpso.fr"
        mine = [groups[i % 26]] + ([groups[(i * 7 + 3) % 26]] if i % 3 == 0 else [])
        expires = (date.today() + timedelta(days=30 + i)).strftime("%d/%m/%Y") if i % 10 == 0 else ""
        rows.append([email, f"Agent {i}", "|".join(dict.fromkeys(mine)), expires])
        good.append(email)
    bad = {  # inserted before good row i; a line number is the row's position + 1 (line 1 is the header)
        10: (["pas-une-adresse", "Mauvaise adresse", groups[0], ""], "adresse électronique invalide"),
        50: (["inconnu@gpso.fr", "Groupe inconnu", "direction-99", ""], "groupe(s) inconnu(s) : direction-99"),
        100: (["agent005@gpso.fr", "Doublon", groups[1], ""], "agent005@gpso.fr apparaît deux fois"),
        150: (["date@gpso.fr", "Mauvaise date", groups[2], "31/02/2026"], "date de fin invalide"),
    }
    lines, out = {}, []
    for i, row in enumerate(rows):
        if i in bad:
            out.append(bad[i][0])
            lines[len(out) + 1] = bad[i][1]
        out.append(row)
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["email", "name", "groups", "expires_at"])
    writer.writerows(out)
    return text.getvalue(), good, lines


def test_import_csv_of_174_accounts_in_26_groups(db, cheap_hashes):
    text, good, bad_lines = onboarding_sheet()
    with db.session() as s:
        make_groups(s, *[f"direction-{i:02d}" for i in range(1, 27)])
    told = []
    with db.session() as s:
        report = accounts.import_csv(s, "\ufeff" + text, actor="admin@gpso.fr", progress=lambda *d: told.append(d))
    assert sorted(report.created) == sorted(good) and len(report.created) == 174
    total = told[-1][1]  # every row's password hashed, one report each: progress the CLI prints
    assert total >= 174 and told == [(i, total) for i in range(1, total + 1)]
    assert [line for line, _ in report.errors] == sorted(bad_lines)
    for line, reason in report.errors:
        assert bad_lines[line] in reason, (line, reason)
    assert set(report.passwords) == set(good) and all(len(p) >= 12 for p in report.passwords.values())
    with db.session() as s:
        assert accounts.count_users(s) == 174
        assert s.scalar(select(func.count(Group.id))) == 26
        sizes = {g.slug: len(g.members) for g in s.scalars(select(Group))}
        assert all(size >= 6 for size in sizes.values()) and sum(sizes.values()) == 174 + 58
        partner = s.scalar(select(User).where(User.email == "agent010@gpso.fr"))
        assert partner.expires_at is not None and partner.expires_at.date() == date.today() + timedelta(days=40)
        assert authenticate(s, "agent042@gpso.fr", report.passwords["agent042@gpso.fr"], "10.0.0.2").user
        summary = s.scalars(select(AuditEvent.detail).where(AuditEvent.detail.like("import-csv%"))).all()
        assert summary == ["import-csv: 174 created, 4 rejected"]


def test_import_csv_reports_a_bad_header(db):
    with db.session() as s:
        report = accounts.import_csv(s, "courriel;nom\nx@y.fr;X\n")
    assert report.created == [] and report.errors[0][0] == 1 and "en-tête attendu" in report.errors[0][1]


def test_import_csv_survives_another_writer(tmp_path, monkeypatch):
    """Onboarding while the app records a sign-in: another connection writes while a row is being created.
    SQLite should make one of them wait (busy_timeout), not abort the import with "database is locked"."""
    url = f"sqlite:///{tmp_path / 'auth.db'}"
    importer, app = Database(url), Database(url)
    importer.migrate()
    hashes, app_errors, writers = [], [], []

    def app_signs_someone_in():
        try:
            with app.session() as other:
                accounts.audit(other, "login", "someone@gpso.fr", "someone@gpso.fr", "10.0.0.9")
        except Exception as exc:  # noqa: BLE001
            app_errors.append(exc)

    def hash_while_the_app_writes(password):  # called by create_user between its reads and its writes
        hashes.append(password)
        if len(hashes) == 2:
            writer = threading.Thread(target=app_signs_someone_in)
            writer.start()
            writer.join(0.5)  # done at once when nothing blocks it; else it waits for the import
            writers.append(writer)
        return generate_password_hash(password, method="pbkdf2:sha256:1")

    monkeypatch.setattr(accounts, "generate_password_hash", hash_while_the_app_writes)
    with importer.session() as s:
        report = accounts.import_csv(s, "email,name,groups,expires_at\na@gpso.fr,A,,\nb@gpso.fr,B,,\nc@gpso.fr,C,,\n")
    for writer in writers:
        writer.join(10)
    assert report.created == ["a@gpso.fr", "b@gpso.fr", "c@gpso.fr"] and report.errors == []
    assert not app_errors


# -- signing in ----------------------------------------------------------------------------------------------
def failure_times(s, email: str) -> list[datetime]:
    return list(s.scalars(select(AuditEvent.at).where(AuditEvent.event == "login_failed",
                                                      AuditEvent.target == email).order_by(AuditEvent.at)))


@pytest.fixture
def agent(db, cheap_hashes):
    with db.session() as s:
        accounts.create_user(s, "agent@gpso.fr", "Agent", PASSWORD)
    return "agent@gpso.fr"


def test_failures_slow_the_next_attempts_down_and_the_owner_signs_in_after_the_delay(db, agent):
    with db.session() as s:
        t0 = datetime(2026, 12, 1, 9, 0, 0)
        for attempt in range(3):  # the first failures cost nothing
            result = authenticate(s, agent, f"faux-{attempt}", "10.0.0.1", now=t0)
            assert result.user is None and result.retry_after is None
        s.flush()
        last = failure_times(s, agent)[-1]
        # Then 1 s, 2 s, 4 s… after the last failure; the password is not checked meanwhile.
        waiting = authenticate(s, agent, PASSWORD, "10.0.0.1", now=last)
        assert waiting.user is None and waiting.retry_after == 1
        assert authenticate(s, agent, "faux", "10.0.0.1", now=last + timedelta(seconds=1)).retry_after is None
        s.flush()
        last = failure_times(s, agent)[-1]
        assert authenticate(s, agent, PASSWORD, "10.0.0.1", now=last + timedelta(seconds=1)).retry_after == 1
        # Another address is not slowed down by this one's failures.
        assert authenticate(s, agent, PASSWORD, "10.0.0.2", now=last).user is not None
        ok = authenticate(s, agent, PASSWORD, "10.0.0.1", now=last + timedelta(seconds=2))
        assert ok.user is not None
        events = [e for e, in s.execute(select(AuditEvent.event).order_by(AuditEvent.id))]
    assert events.count("login_failed") == 4 and "throttled" in events and events[-1] == "login"


def test_the_delay_grows_but_never_beyond_its_cap(db):
    t = datetime(2026, 12, 1, 9, 0, 0)
    failures = [t] * 3
    assert accounts.growing_delay(failures[:2], 3, timedelta(minutes=5), t) == timedelta(0)
    assert accounts.growing_delay(failures, 3, timedelta(minutes=5), t) == timedelta(seconds=1)
    assert accounts.growing_delay([t] * 7, 3, timedelta(minutes=5), t) == timedelta(seconds=16)
    assert accounts.growing_delay([t] * 100, 3, timedelta(minutes=5), t) == timedelta(minutes=5)
    assert accounts.growing_delay([t] * 100, 3, timedelta(minutes=5), t + timedelta(minutes=6)) == timedelta(0)


def test_a_distributed_attack_slows_the_account_down_everywhere_for_30_s(db, agent):
    limits = RateLimits()
    t0 = datetime(2026, 12, 1, 9, 0, 0)
    with db.session() as s:
        for attempt in range(limits.account_attack):  # one failure each from many addresses
            authenticate(s, agent, "faux", f"192.0.2.{attempt}", now=t0)
        s.flush()
        last = failure_times(s, agent)[-1]
        assert authenticate(s, agent, PASSWORD, "10.9.9.9", now=last).retry_after == 30
        assert authenticate(s, agent, PASSWORD, "10.9.9.9", now=last + timedelta(seconds=30)).user is not None


def test_a_spray_from_one_address_delays_its_other_accounts_by_at_most_a_minute(db, agent):
    with db.session() as s:
        for attempt in range(100):
            authenticate(s, f"inconnu{attempt}@gpso.fr", "faux", "10.0.0.7")
        s.flush()
        last = s.scalars(select(AuditEvent.at).where(AuditEvent.client == "10.0.0.7")
                         .order_by(AuditEvent.at.desc())).first()
        waiting = authenticate(s, agent, PASSWORD, "10.0.0.7", now=last)
        assert waiting.user is None and 1 <= waiting.retry_after <= 60
        assert authenticate(s, agent, PASSWORD, "10.0.0.8", now=last).user is not None  # another address
        assert authenticate(s, agent, PASSWORD, "10.0.0.7", now=last + timedelta(seconds=60)).user is not None


def test_disabled_and_expired_accounts_cannot_sign_in(db, agent):
    with db.session() as s:
        accounts.create_user(s, "partenaire@velo.fr", "Partenaire", PASSWORD, expires_at=date.today())
    with db.session() as s:
        assert authenticate(s, "partenaire@velo.fr", PASSWORD, "10.0.0.1").user is not None  # until end of day
        accounts.set_expiry(s, "partenaire@velo.fr", date.today() - timedelta(days=1))
        accounts.set_active(s, agent, False)
    with db.session() as s:
        for email in (agent, "partenaire@velo.fr"):
            result = authenticate(s, email, PASSWORD, "10.0.0.1")
            assert result.user is None and result.retry_after is None
        reasons = s.scalars(select(AuditEvent.detail).where(AuditEvent.event == "login_failed")).all()
        assert sorted(reasons) == ["account disabled", "account expired"]
        accounts.set_active(s, agent, True)
        accounts.set_expiry(s, "partenaire@velo.fr", None)
    with db.session() as s:
        assert authenticate(s, agent, PASSWORD, "10.0.0.3").user is not None
        assert authenticate(s, "partenaire@velo.fr", PASSWORD, "10.0.0.3").user is not None


def test_expiry_is_checked_against_now(db, agent):
    with db.session() as s:
        accounts.set_expiry(s, agent, date.today() + timedelta(days=2))
    with db.session() as s:
        later = utcnow() + timedelta(days=3)
        assert authenticate(s, agent, PASSWORD, "10.0.0.1", now=later).user is None
        assert authenticate(s, agent, PASSWORD, "10.0.0.1").user is not None
