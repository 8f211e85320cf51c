"""/admin kept by the render cache, over real HTTP against `python app.py`: each administrator has their own
entry; a non-administrator is refused and served nothing kept; a write to the accounts, from the page, another
process or a sign-in, gives the next view the new tables; and a kept page ends when an account it shows
changes state with time (« expire bientôt »)."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone

import pytest

from tests.integration.field_forms import signed_in
from tests.integration.running_app import Account, HttpDashClient, RunningApp, post_login, view

ADMIN, SECOND_ADMIN, AGENT = "admin@cache.test", "admin2@cache.test", "agent@cache.test"
PARTNER = "partenaire@cache.test"
SOON = timedelta(days=30)  # pages/admin.py: an end of access this close is « expire bientôt »


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    running = RunningApp.start(tmp_path_factory.mktemp("admin-cache"))
    try:
        running.create_accounts([Account(ADMIN, "Admin", admin=True), Account(SECOND_ADMIN, "Autre admin", admin=True),
                                 Account(AGENT, "Agent flotte", groups=("flotte",))], groups=[("flotte", "Flotte")])
        yield running
    finally:
        running.stop()


def account_state(text: str, email: str) -> str | None:
    """The state the accounts table shows for ``email`` (its row: the address, then its cells)."""
    def rows(node):
        if isinstance(node, dict):
            if node.get("type") == "Tr":
                yield node["props"].get("children") or []
            yield from rows(list(node.values()))
        elif isinstance(node, list):
            for child in node:
                yield from rows(child)

    for cells in rows(json.loads(text)):
        if cells and isinstance(cells[0], dict) and cells[0]["props"].get("children") == email:
            return cells[4]["props"]["children"]["props"]["children"]  # État: a badge
    return None


def test_each_administrator_has_their_own_kept_page(app):
    with signed_in(app, ADMIN) as admin, signed_in(app, SECOND_ADMIN) as other:
        first, text = view(admin, "/admin")
        again, same = view(admin, "/admin")
        assert (first, again) == ("calcul", "cache") and same == text
        assert ADMIN in text and account_state(text, AGENT) == "actif"
        # Another administrator sees the same tables, from an entry of their own.
        assert [view(other, "/admin")[0], view(other, "/admin")[0]] == ["calcul", "cache"]


def test_a_non_administrator_is_refused_and_served_nothing_kept(app):
    """/admin kept for an administrator: an agent and a visitor posting the same router request are refused
    (the guard answers before the render cache, app.py), never served from an entry."""
    with signed_in(app, ADMIN) as admin, signed_in(app, AGENT) as agent, app.client() as anonymous:
        view(admin, "/admin")
        assert view(admin, "/admin")[0] == "cache"
        body = HttpDashClient(admin).router_body("/admin", "")
        for client, status in ((agent, 403), (anonymous, 401)):
            response = client.post("/_dash-update-component", json=body)
            assert response.status_code == status and ADMIN not in response.text, response.text[:300]
            assert "X-Pilote-Rendu" not in response.headers


def test_a_write_to_the_accounts_gives_the_next_view_the_new_tables(app):
    with signed_in(app, ADMIN) as admin:
        view(admin, "/admin")
        assert view(admin, "/admin")[0] == "cache"
        # Another process (the CLI) writes to the shared database: a group appears.
        app.cli("add-group", "voirie", "Direction de la voirie")
        how, text = view(admin, "/admin")
        assert how == "calcul" and "Direction de la voirie" in text
        assert view(admin, "/admin")[0] == "cache"
        # A failed sign-in is written to the audit log: the journal shows it at the next view.
        with app.client() as stranger:
            assert post_login(stranger, AGENT, "pas-le-bon-mot-de-passe").status_code == 401
        how, text = view(admin, "/admin")
        assert how == "calcul" and "Échec de connexion" in text


def test_a_kept_page_ends_when_an_account_changes_state(app):
    """A partner whose access ends in 30 days and a few seconds is « actif » now and « expire bientôt » then:
    the page kept now is not served past that moment (it would be for the cache's 10 minutes)."""
    from auth import accounts
    from auth.db import Database

    soon = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0) + SOON + timedelta(seconds=4)
    db = Database(app.env.get("PILOTE_DATABASE_URL") or f"sqlite:///{app.data_dir / 'pilote.db'}")
    try:
        with db.session() as s:
            accounts.create_user(s, PARTNER, "Partenaire", password="un-mot-de-passe-assez-long", expires_at=soon)
    finally:
        db.engine.dispose()
    with signed_in(app, ADMIN) as admin:
        how, text = view(admin, "/admin")
        assert account_state(text, PARTNER) == "actif", how
        assert view(admin, "/admin")[0] == "cache"
        seen, ceiling = [], time.monotonic() + 60
        while time.monotonic() < ceiling:
            how, text = view(admin, "/admin")
            seen.append((how, account_state(text, PARTNER)))
            if seen[-1][1] != "actif":
                break
            time.sleep(0.5)
        assert seen[-1] == ("calcul", "expire bientôt"), seen[-3:]


def test_without_the_accounts_revision_the_page_is_built_at_every_view(app):
    """A database without its counter row (restored from an old dump): nothing tells when the accounts change,
    so /admin is built at each view, never kept."""
    from sqlalchemy import delete

    from auth.db import Database
    from auth.models import Revision

    db = Database(app.env.get("PILOTE_DATABASE_URL") or f"sqlite:///{app.data_dir / 'pilote.db'}")
    try:
        with db.session() as s:
            s.execute(delete(Revision))
        with signed_in(app, ADMIN) as admin:
            assert [view(admin, "/admin")[0] for _ in range(3)] == [None, None, None]
            assert view(admin, "/climat")[0] in ("calcul", "cache")  # the other pages are still kept
    finally:
        with db.session() as s:
            s.add(Revision(name="accounts", n=10**6))
        db.engine.dispose()
