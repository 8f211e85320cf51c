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


def test_an_elu_lands_on_the_climate_summary_after_signing_in(served):
    """A group's home page (``python -m auth home``, or /admin): where its members land when they asked for
    nothing else; a page they asked for, or a home they may not open, wins over it."""
    served.cli("home", "elus", "/climat")
    served.cli("home", "mobilite", "/flotte")  # a page of another group: its members land on the catalogue
    refused = served.cli("home", "elus", "/nulle-part", check=False)
    assert refused.returncode != 0 and "page inconnue" in refused.stderr + refused.stdout
    with served.client() as elu:
        assert served.login(elu, "elu@climat.test").headers["location"] == "/climat"
        text = router_post(elu, "/climat", "").text
        assert "bilan-verdict" in text and "sous le plafond" in text
    with served.client() as elu:
        assert served.login(elu, "elu@climat.test", next_="/mobilite?commune=92040").headers["location"] == \
            "/mobilite?commune=92040"
    with served.client() as agent:
        assert served.login(agent, "agent@climat.test").headers["location"] == "/"
    assert "accueil : /climat" in served.cli("list").stdout
