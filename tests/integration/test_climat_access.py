"""Confidential climate indicators never reach a browser that may not see them (real HTTP, running app)."""

import polars as pl
import pytest

from data.demo.pcaet import generate
from tests.integration.running_app import Account, RunningApp
from tests.integration.test_security import router_post

CONFIDENTIAL = generate()[1]
IDS = sorted(set(CONFIDENTIAL["indicateur"]))
TITLES = sorted(set(CONFIDENTIAL["titre"]))


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    app = RunningApp.start(tmp_path_factory.mktemp("climat"))
    try:
        app.create_accounts([Account("elu@climat.test", "Élu", ("elus",)),
                             Account("agent@climat.test", "Agent", ("mobilite",))],
                            groups=[("elus", "Élus"), ("mobilite", "Mobilité")])
        yield app
    finally:
        app.stop()


def confidential_axes() -> list[str]:
    return sorted(set(CONFIDENTIAL["axe"]))


@pytest.mark.parametrize("axe", confidential_axes())
def test_anonymous_and_other_groups_never_receive_confidential_indicators(served, axe):
    assert IDS and TITLES  # the demonstration plan has confidential indicators to protect
    with served.client() as anonymous, served.client() as agent:
        served.login(agent, "agent@climat.test")
        for client in (anonymous, agent):
            for search in (f"?axe={axe}", f"?axe={axe}&commune=92040", f"?axe={axe}&debut=2015&fin=2030"):
                response = router_post(client, "/climat", search)
                assert response.status_code == 200
                text = response.text
                leaked = [i for i in IDS if i in text] + [t for t in TITLES if t in text]
                assert leaked == [], f"{search}: {leaked}"
            # Asking for a confidential indicator by its id: treated as unknown (the notice repeats what
            # was asked, nothing more), no title, no value.
            response = router_post(client, "/climat", f"?axe={axe}&indicateur={IDS[0]}")
            assert "inconnu" in response.text
            assert [t for t in TITLES if t in response.text] == []
            assert response.text.count(IDS[0]) == 1  # only in the notice


@pytest.mark.parametrize("axe", confidential_axes())
def test_elected_officials_see_them(served, axe):
    expected = CONFIDENTIAL.filter(pl.col("axe") == axe)["indicateur"].unique().to_list()
    with served.client() as elu:
        served.login(elu, "elu@climat.test")
        text = router_post(elu, "/climat", f"?axe={axe}").text
        assert all(i in text for i in expected)
