"""What a reader sees while a page renders and when a callback fails: a French loading line before Dash has
drawn, and a French message (role="alert") when the server refuses or fails a callback, gone at the next answer
that succeeds (assets/pilote.css, assets/callback_errors.js)."""

from __future__ import annotations

import pytest
from dash.testing import wait

from tests.e2e.test_signin import FETCH_SECTION, SECTION_BODY

pytestmark = pytest.mark.e2e

_LOADING_TEXT = """
const probe = document.createElement('div');
probe.className = '_dash-loading';
document.body.appendChild(probe);
const text = getComputedStyle(probe, '::after').content;
probe.remove();
return text;
"""


def alert(pilote) -> tuple[str, str]:
    return tuple(pilote.driver.execute_script(
        "const b = document.getElementById('pilote-erreur');"
        "return b ? [b.getAttribute('role'), b.innerText, (b.querySelector('a') || {}).href || ''] : ['', '', ''];"))


def test_callbacks_that_fail_say_so_in_french_and_the_next_success_clears_it(pilote):
    pilote.open("/mobilite")
    assert "Chargement" in pilote.driver.execute_script(_LOADING_TEXT)  # not Dash's "Loading..."
    assert alert(pilote) == ("", "", "")

    # Signed out: the internal section's callback is refused (401) and the message offers to sign in again.
    status, _ = pilote.driver.execute_async_script(FETCH_SECTION, SECTION_BODY)
    assert status == 401
    wait.until(lambda: alert(pilote)[0] == "alert", 30)
    role, text, link = alert(pilote)
    assert "session a pris fin" in text and "/login?next=%2Fmobilite" in link

    # A request the server does not know (a page older than the server's release): reload it.
    status, _ = pilote.driver.execute_async_script(FETCH_SECTION, '{"output": "nulle-part.children"}')
    assert status == 400
    wait.until(lambda: "rechargez-la" in alert(pilote)[1], 30)

    # The next callback that succeeds (choosing a commune) takes the message away.
    pilote.choose_commune("Issy-les-Moulineaux")
    wait.until(lambda: alert(pilote) == ("", "", ""), 20)
    assert not [e for e in pilote.console_errors() if "401" not in e["message"] and "400" not in e["message"]]
