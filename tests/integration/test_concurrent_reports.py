"""50 agents' phones × 20 reports each, at once, through the form's HTTP endpoint, against gunicorn (2 workers ×
4 threads), on SQLite and on PostgreSQL: all 1,000 stored, none twice (each posted twice: a retry), no 500."""

from __future__ import annotations

import json
import secrets
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.integration.field_forms import FormClient, message_text
from tests.integration.running_app import Account
from tests.integration.test_concurrent_writes import gunicorn_on, signed_in_clients

AGENTS, REPORTS = 50, 20


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def app(request, tmp_path_factory):
    running = gunicorn_on(request, tmp_path_factory.mktemp("reports-load"))
    try:
        running.create_accounts([Account(f"agent{i}@aires.test", f"Agent {i}", groups=("espace-public",))
                                 for i in range(AGENTS)], groups=[("espace-public", "Espace public")])
        yield running
    finally:
        running.stop()


def send(phone: FormClient, body: dict, attempts: int = 3):
    """Post as a phone does: a connection dropped before the answer (a kept-alive socket the server had just
    closed) is sent again with the same token, which is what makes that safe."""
    for attempt in range(attempts):
        try:
            return phone.post(body)
        except httpx.TransportError:
            if attempt == attempts - 1:
                raise


def test_concurrent_reports_are_all_stored_once(app, record_property):
    phones = [FormClient(client, "controle", "/aires-de-jeux/controle")
              for client in signed_in_clients(app, [f"agent{i}@aires.test" for i in range(AGENTS)])]

    def report(i: int) -> list:
        out = []
        for k in range(REPORTS):
            body = phones[i].body({"aire_id": f"AJ-{1 + (i + k) % 16:02d}", "type_controle": "Visuel de routine",
                                   "gravite": "Aucun défaut", "constat": f"agent {i} rapport {k}"},
                                  token=secrets.token_urlsafe(24))
            for _attempt in range(2):  # every report is sent twice: the retry of a phone that lost the answer
                response = send(phones[i], body)
                out.append(response.status_code if response.status_code != 200 else
                           ("ok" if "enregistré" in message_text(response) else message_text(response)[:120]))
        return out

    with ThreadPoolExecutor(max_workers=AGENTS) as pool:
        answers = [a for per_agent in pool.map(report, range(AGENTS)) for a in per_agent]
    for phone in phones:
        phone.http.close()
    dialect = app.database_url.split(":")[0].split("+")[0]
    record_property(f"concurrent_reports_{dialect}", f"{answers.count('ok')} of {len(answers)} posts answered")
    assert answers == ["ok"] * (AGENTS * REPORTS * 2), sorted(set(map(str, answers)))[:5]
    engine = create_engine(app.database_url)
    with engine.connect() as db:
        rows = db.execute(text("SELECT author, \"values\" FROM field_reports")).all()
    engine.dispose()
    texts = [json.loads(values)["constat"] for _, values in rows]
    assert len(rows) == AGENTS * REPORTS and len(set(texts)) == AGENTS * REPORTS  # all stored, none twice
    log = app.log_tail(500_000)
    assert "database is locked" not in log and "Traceback" not in log
