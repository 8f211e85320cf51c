"""/admin does what it says, for administrators, and every change lands in the audit log."""

import json
import re
import secrets

import pytest
from sqlalchemy import select

INPUTS = ["create-user", "disable-user", "enable-user", "add-member", "remove-member", "create-group", "grant",
          "revoke", "set-communes", "set-home"]
STATES = [("new-email", "value"), ("new-name", "value"), ("new-groups", "value"), ("new-expiry", "value"),
          ("new-admin", "value"), ("edit-email", "value"), ("edit-group", "value"), ("grant-group", "value"),
          ("grant-group-name", "value"), ("grant-resource", "value"), ("group-communes", "value"),
          ("group-home", "value")]


@pytest.fixture(scope="module")
def admin_client():
    from app import app
    from auth import accounts

    email, password = f"admin-{secrets.token_hex(3)}@pilote.test", secrets.token_urlsafe(16)
    with app.pilote_auth.db.session() as s:
        accounts.create_user(s, email, "Admin test", password, admin=True)
    client = app.server.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    assert client.post("/login", data={"csrf_token": token, "email": email, "password": password}).status_code == 302
    client.get("/")  # first request: Dash registers its callbacks
    output = next(d["output"] for d in client.get("/_dash-dependencies").get_json()
                  if "admin-message.children" in d["output"])
    return app, client, email, output


def act(admin_client, button: str, **values):
    app, client, _, output = admin_client
    body = {
        "output": output,
        "outputs": [{"id": "admin-message", "property": "children"}, {"id": "admin-tables", "property": "children"}],
        "inputs": [{"id": b, "property": "n_clicks", "value": 1 if b == button else None} for b in INPUTS],
        "state": [{"id": i, "property": p, "value": values.get(i.replace("-", "_"))} for i, p in STATES],
        "changedPropIds": [f"{button}.n_clicks"],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return json.dumps(response.get_json()["response"]["admin-message"], ensure_ascii=False)


def test_admin_creates_a_group_an_account_grants_and_disables(admin_client):
    from auth.models import AuditEvent, Grant, Group, User

    app, _, admin_email, _ = admin_client
    slug = f"voirie-{secrets.token_hex(2)}"
    assert "créé" in act(admin_client, "create-group", grant_group=slug, grant_group_name="Direction de la voirie")
    text = act(admin_client, "create-user", new_email=f"agent@{slug}.fr", new_name="Agent Voirie", new_groups=slug,
               new_expiry="2027-06-30")
    assert "Mot de passe à transmettre" in text
    assert "Accès modifiés" in act(admin_client, "grant", grant_group=slug, grant_resource="/mobilite#exploitation")
    assert "désactivé" in act(admin_client, "disable-user", edit_email=f"agent@{slug}.fr")
    refused = act(admin_client, "grant", grant_group=slug, grant_resource="/nulle-part")
    assert "Impossible" in refused and "ressource inconnue" in refused
    with app.pilote_auth.db.session() as s:
        user = s.scalar(select(User).where(User.email == f"agent@{slug}.fr"))
        assert not user.active and user.expires_at.date().isoformat() == "2027-06-30"
        assert [g.slug for g in user.groups] == [slug]
        group = s.scalar(select(Group).where(Group.slug == slug))
        assert [g.resource for g in s.scalars(select(Grant).where(Grant.group_id == group.id))] == ["/mobilite#exploitation"]
        events = s.scalars(select(AuditEvent).where(AuditEvent.actor == admin_email)).all()
        details = " | ".join(e.detail for e in events)
        assert "create group" in details and "create user" in details and "grant /mobilite#exploitation" in details
        assert "disable" in details


def test_admin_sets_a_group_home_page_among_real_pages(admin_client):
    from auth.models import AuditEvent, Group

    app, _, admin_email, _ = admin_client
    slug = f"elus-{secrets.token_hex(2)}"
    act(admin_client, "create-group", grant_group=slug, grant_group_name="Élus")
    assert "Page d'accueil du groupe" in act(admin_client, "set-home", grant_group=slug, group_home="/climat")
    refused = act(admin_client, "set-home", grant_group=slug, group_home="/404")
    assert "Impossible" in refused and "page inconnue" in refused
    with app.pilote_auth.db.read() as s:
        assert s.scalar(select(Group.home).where(Group.slug == slug)) == "/climat"
        details = [e.detail for e in s.scalars(select(AuditEvent).where(AuditEvent.target == slug))]
        assert "accueil=/climat" in details
    assert "le catalogue" in act(admin_client, "set-home", grant_group=slug, group_home=None)
    with app.pilote_auth.db.read() as s:
        assert s.scalar(select(Group.home).where(Group.slug == slug)) == ""
