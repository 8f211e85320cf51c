"""/admin in a browser, as an administrator finds, extends and resets a partner's account without the CLI: the
search narrows the accounts, the end of access is typed the French way, the new password is shown once, and
the audit log says it in French, filtered."""

from __future__ import annotations

import secrets

import pytest
from dash.testing import wait

pytestmark = pytest.mark.e2e


def type_into(pilote, selector: str, text: str):
    element = pilote.duo.find_element(selector)
    pilote.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element)
    element.clear()
    element.send_keys(text)


def test_an_administrator_finds_extends_and_resets_a_partner(pilote, admin_account):
    from app import app
    from auth import accounts

    email = f"partenaire-{secrets.token_hex(3)}@cabinet-conseil.fr"
    with app.pilote_auth.db.session() as s:
        accounts.create_user(s, email, "Cabinet Conseil", "Ancien-mot-de-passe-1", expires_at="2027-01-31")
    pilote.sign_in(*admin_account, next_path="/admin")
    pilote.wait_h1("Administration")

    # Find it among all accounts by a word of its name (the search runs when the field is left).
    type_into(pilote, "#account-search", "cabinet-conseil\n")
    pilote.duo.wait_for_contains_text("#admin-users caption", "1 sur", timeout=20)
    assert email in pilote.text("#admin-users") and "31/01/2027" in pilote.text("#admin-users")

    # Extend it: the date typed JJ/MM/AAAA.
    type_into(pilote, "#edit-email", email)
    type_into(pilote, "#edit-expiry", "30/06/2027")
    pilote.click("#set-expiry")
    pilote.duo.wait_for_contains_text("#admin-message", "30/06/2027", timeout=20)
    wait.until(lambda: "30/06/2027" in pilote.text("#admin-users"), 20)  # the table keeps the search

    # A new password, shown once.
    pilote.click("#reset-password")
    pilote.duo.wait_for_contains_text("#admin-message", "affiché une seule fois", timeout=20)
    password = pilote.text("#admin-message code")
    assert len(password) >= 12
    with app.pilote_auth.db.session() as s:
        assert accounts.authenticate(s, email, password, "e2e").user is not None

    # The log, in French, narrowed to this account's administration events.
    pilote.choose("#audit-event", "Administration")
    type_into(pilote, "#audit-search", email + "\n")
    wait.until(lambda: "set password" in pilote.text("#admin-audit"), 20)
    log = pilote.text("#admin-audit")
    assert "Administration" in log and "admin_change" not in log and "Connexion" not in log
    assert not pilote.console_errors()
