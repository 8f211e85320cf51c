"""Sign in → the internal section appears and works → sign out → the page and its callbacks are refused."""

import json
import secrets

import pytest

from tests.e2e.conftest import group_agent

pytestmark = pytest.mark.e2e

FETCH_SECTION = """
const done = arguments[arguments.length - 1];
fetch('/_dash-update-component', {method: 'POST', headers: {'Content-Type': 'application/json'},
  body: arguments[0], credentials: 'same-origin'})
  .then(r => r.text().then(t => done([r.status, t]))).catch(e => done([0, String(e)]));
"""

SECTION_BODY = json.dumps({
    "output": "exploitation-content.children", "outputs": {"id": "exploitation-content", "property": "children"},
    "inputs": [{"id": "exploitation-seuil", "property": "value", "value": "5"}],
    "state": [{"id": "exploitation-commune", "property": "data", "value": "all"}],
    "changedPropIds": ["exploitation-seuil.value"],
})


@pytest.fixture(scope="module")
def mobility_agent():
    return group_agent("mobilite", "Direction de la mobilité", "Camille Mobilité", "mobilite.test")


def section_call(pilote):
    status, text = pilote.driver.execute_async_script(FETCH_SECTION, SECTION_BODY)
    return status, text


def test_sign_in_internal_section_sign_out(pilote, mobility_agent):
    # Anonymous: the public page, without the internal section, whose callback is refused.
    pilote.open("/mobilite")
    assert not pilote.driver.find_elements("css selector", "#exploitation-table")
    assert "réservé à la direction de la mobilité" in pilote.text("#contenu")
    assert section_call(pilote)[0] == 401

    # Signed in as an agent of the mobility direction: the section is there and its callback answers.
    pilote.sign_in(*mobility_agent, next_path="/mobilite")
    pilote.wait_h1("Observatoire de la mobilité")
    pilote.duo.wait_for_element("#exploitation-table", timeout=30)
    before = pilote.text("#exploitation-table caption")
    pilote.click("#exploitation-seuil input[value='5']")
    pilote.duo.wait_for_contains_text("#exploitation-table caption", "seuil : 5", timeout=30)
    pilote.wait_url(lambda u: "seuil=5" in u, what="the threshold in the URL")  # a permalink
    assert pilote.text("#exploitation-table caption") != before
    status, text = section_call(pilote)
    assert status == 200 and "exploitation-table" in text
    assert "Camille Mobilité" in pilote.text("#user-name")

    pilote.open("/espace-agents")
    assert "mobilite" in pilote.text("#my-groups")
    assert "Mobilité — section « exploitation »" in pilote.text("#my-resources")

    # Sign out from the account menu (a POST with the CSRF token): everything internal is refused again.
    pilote.click("#account-menu button")
    pilote.duo.wait_for_element("#logout-link", timeout=30)
    pilote.click("#logout-link")
    pilote.wait_url(lambda u: u.rstrip("/").endswith("/logout"), what="the sign-out page")
    assert "déconnecté" in pilote.text("main")
    assert section_call(pilote)[0] == 401
    pilote.driver.get(pilote.origin + "/espace-agents")
    pilote.wait_url(lambda u: "/login?next=" in u, what="the redirection to /login")
    pilote.open("/mobilite")
    assert not pilote.driver.find_elements("css selector", "#exploitation-table")
    assert pilote.driver.find_elements("css selector", "#login-link")
    assert not [e for e in pilote.console_errors() if "401" not in e.get("message", "")]


def test_agent_of_another_direction_gets_403(pilote, admin_account):
    """Signed in but not granted: the internal page of administrators answers 403, not its content."""
    from app import app
    from auth import accounts

    email, password = f"fin-{secrets.token_hex(4)}@finances.test", "Fin-" + secrets.token_urlsafe(18)
    with app.pilote_auth.db.session() as s:
        accounts.create_user(s, email, "Dominique Finances", password)
    pilote.sign_in(email, password, next_path="/admin")
    assert "Accès refusé" in pilote.text("main")
    assert not pilote.driver.find_elements("css selector", "#admin-users")
