"""20 administrators' browsers × 10 writes each, at once, against gunicorn with 2 workers × 4 threads, on the
SQLite accounts database and on PostgreSQL: every write stored, none lost, no 500, no "database is locked"."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, text

from tests.integration.running_app import Account, RunningApp, gunicorn_threads

WRITERS, WRITES = 20, 10


def gunicorn_on(request, tmp) -> RunningApp:
    """gunicorn on the database of the test's parameter: a SQLite file, or a fresh PostgreSQL database."""
    url = (f"sqlite:///{tmp / 'data' / 'pilote.db'}" if request.param == "sqlite"
           else request.getfixturevalue("postgres").new_database())
    running = RunningApp.start(tmp, argv=gunicorn_threads, PILOTE_DATABASE_URL=url)
    running.database_url = url
    return running


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def app(request, tmp_path_factory):
    running = gunicorn_on(request, tmp_path_factory.mktemp("concurrent"))
    try:
        running.create_accounts([Account(f"admin{i}@example.org", f"Admin {i}", admin=True) for i in range(WRITERS)])
        yield running
    finally:
        running.stop()


def signed_in_clients(app: RunningApp, emails: list[str]) -> list:
    """A signed-in HTTP client per email, the sign-ins (a scrypt check each) 8 at a time before the rush."""
    def signed_in(email: str):
        client = app.client()
        app.login(client, email)  # asserts the 302 and the session cookie
        return client

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(signed_in, emails))


def create_group_body(callbacks: list[dict], slug: str) -> dict:
    act = next(c for c in callbacks if "admin-message.children" in c["output"])
    values = {("create-group", "n_clicks"): 1, ("grant-group", "value"): slug,
              ("grant-group-name", "value"): f"Groupe {slug}"}

    def items(declared):
        return [{"id": d["id"], "property": d["property"], "value": values.get((d["id"], d["property"]))}
                for d in declared]

    return {"output": act["output"],
            "outputs": [{"id": "admin-message", "property": "children"}, {"id": "admin-tables", "property": "children"}],
            "inputs": items(act["inputs"]), "state": items(act["state"]), "changedPropIds": ["create-group.n_clicks"]}


def test_concurrent_admin_writes_are_all_stored_and_answered(app, record_property):
    clients = signed_in_clients(app, [f"admin{i}@example.org" for i in range(WRITERS)])
    callbacks = clients[0].get("/_dash-dependencies").json()
    for client in clients[:4]:  # every worker has set up before the rush
        assert client.get("/admin").status_code == 200

    def write(i: int) -> list[int]:
        out = []
        for k in range(WRITES):
            response = clients[i].post("/_dash-update-component", json=create_group_body(callbacks, f"g{i}-{k}"))
            out.append(response.status_code if response.status_code != 400 else f"400 {response.text[:80]}")
        return out

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        statuses = [code for codes in pool.map(write, range(WRITERS)) for code in codes]
    for client in clients:
        client.close()
    dialect = app.database_url.split(":")[0].split("+")[0]
    record_property(f"concurrent_admin_writes_{dialect}", f"{statuses.count(200)} of {len(statuses)} answered 200")
    assert statuses == [200] * (WRITERS * WRITES), sorted(set(map(str, statuses)))[:5]
    engine = create_engine(app.database_url)
    with engine.connect() as db:
        stored = {slug for (slug,) in db.execute(text("SELECT slug FROM groups WHERE slug LIKE 'g%-%'"))}
    engine.dispose()
    assert stored == {f"g{i}-{k}" for i in range(WRITERS) for k in range(WRITES)}
    assert "database is locked" not in app.log_tail(200_000) and "Traceback" not in app.log_tail(200_000)
