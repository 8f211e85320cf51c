"""/admin does what it says, for administrators, and every change lands in the audit log."""

import json
import re
import secrets

import pytest
from sqlalchemy import select

INPUTS = ["create-user", "disable-user", "enable-user", "add-member", "remove-member", "create-group", "grant",
          "revoke", "set-communes", "set-home", "set-expiry", "reset-password"]
STATES = [("new-email", "value"), ("new-name", "value"), ("new-groups", "value"), ("new-expiry", "value"),
          ("new-admin", "value"), ("edit-email", "value"), ("edit-group", "value"), ("grant-group", "value"),
          ("grant-group-name", "value"), ("grant-resource", "value"), ("group-communes", "value"),
          ("group-home", "value"), ("edit-expiry", "value"), ("account-search", "value"), ("account-group", "value"),
          ("account-state", "value"), ("audit-event", "value"), ("audit-search", "value")]


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
    act.tables = json.dumps(response.get_json()["response"]["admin-tables"], ensure_ascii=False)
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
    for meaningless in ("/404", "/admin", "/climat", "/espace-agents"):  # not restricted to groups
        assert "ressource inconnue" in act(admin_client, "grant", grant_group=slug, grant_resource=meaningless)
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


def test_admin_extends_a_partner_resets_a_password_and_finds_accounts_and_events(admin_client):
    """What an administrator does for a partner without the CLI: find the account, move its end of access,
    give it a new password (shown once; the old one and its sessions end); the log says it in French."""
    from app import app as dash_app
    from auth import accounts
    from auth.models import User

    app, _, admin_email, _ = admin_client
    email = f"partenaire-{secrets.token_hex(2)}@bureau-etudes.fr"
    act(admin_client, "create-user", new_email=email, new_name="Bureau d'études", new_expiry="2027-01-31")
    # Found by a word of its name, among partners; not by an unrelated word.
    assert email in act_tables(admin_client, account_search="études", account_state="partenaire")[0]
    assert email not in act_tables(admin_client, account_search="inconnu-xyz")[0]
    assert "Comptes : 1 sur" in act_tables(admin_client, account_search=email)[0]

    assert "31/12/2027" in act(admin_client, "set-expiry", edit_email=email, edit_expiry="2027-12-31")
    assert "Impossible" in act(admin_client, "set-expiry", edit_email=email, edit_expiry="31 décembre")
    text = act(admin_client, "reset-password", edit_email=email)
    assert "affiché une seule fois" in text
    password = json.loads(text)["children"]["props"]["children"][1]["props"]["children"]
    with dash_app.pilote_auth.db.session() as s:
        user = s.scalar(select(User).where(User.email == email))
        assert user.expires_at.date().isoformat() == "2027-12-31"
        assert accounts.authenticate(s, email, password, "test").user.email == email  # the new password works
    # The log, in French, filtered by kind and by word, and as CSV.
    tables = act_tables(admin_client, audit_event="admin_change", audit_search=email)[2]
    assert "Administration" in tables and "set password" in tables and '"admin_change"' in tables  # code as title
    assert "Connexion ralentie" not in tables
    _, client, _, _ = admin_client
    deps = client.get("/_dash-dependencies").get_json()
    export = next(d for d in deps if d["output"] == "audit-csv.data")
    answer = client.post("/_dash-update-component", json={
        "output": export["output"], "outputs": {"id": "audit-csv", "property": "data"},
        "inputs": [{"id": "audit-csv-button", "property": "n_clicks", "value": 1}],
        "state": [{"id": "audit-event", "property": "value", "value": "admin_change"},
                  {"id": "audit-search", "property": "value", "value": email}],
        "changedPropIds": ["audit-csv-button.n_clicks"]})
    assert answer.status_code == 200
    csv_text = answer.get_json()["response"]["audit-csv"]["data"]["content"]
    lines = csv_text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("date (UTC);événement;code;par") and len(lines) >= 4
    assert all(";Administration;admin_change;" + admin_email in line for line in lines[1:])


def act_tables(admin_client, **search) -> list[str]:
    """The tables (accounts, groups, audit log) as the search callback answers for these filters."""
    _, client, _, _ = admin_client
    ids = ["account-search", "account-group", "account-state", "audit-event", "audit-search"]
    deps = client.get("/_dash-dependencies").get_json()
    found = next(d for d in deps if d["output"].startswith("admin-tables.children@"))
    response = client.post("/_dash-update-component", json={
        "output": found["output"], "outputs": {"id": "admin-tables", "property": found["output"].split(".", 1)[1]},
        "inputs": [{"id": i, "property": "value", "value": search.get(i.replace("-", "_"))} for i in ids],
        "changedPropIds": ["account-search.value"]})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return [json.dumps(t, ensure_ascii=False) for t in response.get_json()["response"]["admin-tables"]["children"]]
