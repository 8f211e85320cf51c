"""The internal DSP section of /stationnement reaches only the mobility direction (real HTTP)."""

import pytest

from tests.integration.running_app import Account, RunningApp
from tests.integration.test_security import router_post


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    app = RunningApp.start(tmp_path_factory.mktemp("stationnement"))
    try:
        app.create_accounts([Account("agent@mobilite.test", "Agent mobilité", ("mobilite",)),
                             Account("agent@finances.test", "Agent finances", ("finances",))],
                            groups=[("mobilite", "Mobilité"), ("finances", "Finances")])
        yield app
    finally:
        app.stop()


def test_dsp_section_only_for_the_mobility_direction(served):
    with served.client() as anonymous, served.client() as finances, served.client() as mobilite:
        served.login(finances, "agent@finances.test")
        served.login(mobilite, "agent@mobilite.test")
        for search in ("?theme=delegation", "?theme=tout"):
            for client in (anonymous, finances):
                text = router_post(client, "/stationnement", search).text
                assert '"id":"dsp"' not in text and "Délégation de service public" not in text
            assert "se connecter" in router_post(anonymous, "/stationnement", search).text  # told to sign in
            text = router_post(mobilite, "/stationnement", search).text
            assert '"id":"dsp"' in text
        assert '"id":"dsp"' not in router_post(mobilite, "/stationnement").text  # real time first
