"""Live selectors: when only a page's live parameter changes (the car park of /stationnement), the router
leaves the content on screen and the page's own callback redraws what depends on it; anything else (another
page, a commune, nothing on screen yet) is a full render."""

from __future__ import annotations

import pytest

from components.selectors import shown_record, stays


def test_stays_only_when_the_page_is_on_screen_and_only_live_parameters_changed():
    shown = shown_record("/stationnement", "?parking=ISSY-P01&commune=92040")
    assert stays(shown, "/stationnement", {"parking": "ISSY-P02", "commune": "92040"}, ("parking",))
    assert stays(shown, "/stationnement", {"commune": "92040"}, ("parking",))  # back to every car park
    assert not stays(shown, "/stationnement", {"parking": "ISSY-P02", "commune": "92012"}, ("parking",))
    assert not stays(shown, "/climat", {"commune": "92040"}, ("parking",))
    assert not stays(None, "/stationnement", {}, ("parking",))  # a first load: nothing on screen
    assert not stays({"path": "/stationnement", "query": "forged"}, "/stationnement", {}, ("parking",))


@pytest.fixture(scope="module")
def client():
    from app import app
    from benchmarks.dash_client import DashClient

    return DashClient(app.server)


def router(client, search: str, shown: dict | None) -> dict:
    body = client.router_body("/stationnement", search)
    for item in body.get("state", []):
        if item["id"] == "pilote-shown":
            item["value"] = shown
    response = client.client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()["response"]


def test_the_router_keeps_the_content_when_only_the_car_park_changed(client):
    on_screen = shown_record("/stationnement", "")
    kept = router(client, "?parking=ISSY-P02", on_screen)
    assert "_pages_content" not in kept and "_pages_store" in kept  # content untouched; the title still set
    assert "_pages_content" in router(client, "?parking=ISSY-P02", None)  # a first load renders
    assert "_pages_content" in router(client, "?parking=ISSY-P02", shown_record("/climat", ""))  # navigation
    assert "_pages_content" in router(client, "?parking=ISSY-P02&commune=92012", on_screen)  # not live
    history = shown_record("/stationnement", "?theme=historique")
    assert "_pages_content" not in router(client, "?theme=historique&parking=ISSY-P02", history)
    assert "_pages_content" in router(client, "?theme=comparaison&parking=ISSY-P02", history)  # another theme


def test_the_history_is_redrawn_in_place_for_the_chosen_car_park(client):
    """The selector's answer sets the props of the history cards (figures, sentences, titles, tables), so the
    browser updates the graphs it has (Plotly.react) instead of mounting new ones; and it is kept."""
    cb = client.find("historique-titre", "children")
    outputs = [{"id": d.id, "property": d.clean_prop} for d in cb.outputs]
    body = {"output": cb.key, "outputs": outputs,
            "inputs": [{"id": "parking-select", "property": "value", "value": "ISSY-P03"}],
            "changedPropIds": ["parking-select.value"], "state": []}
    answer = client.client.post("/_dash-update-component", json=body)
    assert answer.status_code == 200 and answer.headers["X-Pilote-Rendu"] in ("calcul", "cache")
    response = answer.get_json()["response"]
    assert "Hôtel de Ville" in response["historique-titre"]["children"]
    for card in ("parking-tendance", "parking-semaine", "parking-pointe"):
        assert response[f"{card}-graph"]["figure"]["data"], card
        assert "Hôtel de Ville" in response[f"{card}-summary"]["children"] or card != "parking-tendance"
        assert f"{card}-image" not in response  # named by its sentence (aria-labelledby): nothing to rewrite
        assert response[f"{card}-title"]["children"]  # the title the exports read from the card
    assert not any(key in response for key in ("parking-history", "comparaison", "temps-reel"))
    text = answer.get_data(as_text=True)
    page = client.client.post("/_dash-update-component", json=client.router_body("/stationnement",
                                                                                 "?parking=ISSY-P03&theme=historique"))
    assert len(text) < 0.8 * len(page.get_data())  # the history cards' props, not the history page
    again = client.client.post("/_dash-update-component", json=body)  # the same car park on the same data: kept
    assert again.headers["X-Pilote-Rendu"] == "cache" and again.get_data(as_text=True) == text
    other = dict(body, inputs=[{"id": "parking-select", "property": "value", "value": "ISSY-P01"}])
    assert client.client.post("/_dash-update-component", json=other).get_json()["response"] != response
