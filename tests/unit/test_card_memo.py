"""Chart cards kept between renders (components.card_memo): a refresh of one dataset rebuilds the cards that read
it, and only those; a view that carries computed data is never a key."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from components import card_memo
from components.maps import Outlines


def test_only_plain_views_are_keys():
    plain = card_memo.plain
    with_url = Outlines(type="FeatureCollection", features=[])
    with_url.url = "/_pilote/contours.geojson?commune=all&v=1"
    assert plain({"commune": "92040", "label": "Issy", "outlines": with_url, "names": {"P1": "Gare"}}) == \
        {"commune": "92040", "label": "Issy", "outlines": ["outlines", with_url.url], "names": {"P1": "Gare"}}
    assert plain({"year": date(2026, 1, 1), "goals": [1, 2.5, None]}) == {"year": "2026-01-01", "goals": [1, 2.5, None]}
    unkeyed = card_memo._UNKEYED
    assert plain({"lines": pl.DataFrame({"a": [1]})}) is unkeyed  # computed data: the card may read anything
    assert plain({"outlines": Outlines(type="FeatureCollection", features=[])}) is unkeyed  # no URL to name it
    assert plain({"nested": {"deep": [object()]}}) is unkeyed


@pytest.fixture(scope="module")
def page():
    from app import app
    from benchmarks.dash_client import DashClient

    client = DashClient(app.server)
    data = app.server.extensions["pilote_data"]

    def render() -> str:
        # every theme: the Vélib' and Crit'Air cards on one page
        response = client.client.post("/_dash-update-component", json=client.router_body("/mobilite", "?theme=tout"))
        assert response.status_code == 200
        return response.get_data(as_text=True)

    return render, data


def refresh(data, key: str):
    """A new snapshot of ``key`` (its rows in another order: another version), as a refresh writes it; returns
    how to put the original back."""
    frame, meta = data.store.read(key), data.store.meta(key)
    data.store.write(key, frame.reverse(), source_url=meta.source_url, origin=meta.origin)
    # put back as it was, its date too: a bundled snapshot dated now would be "à jour" for the tests after this
    return lambda: data.store.write(key, frame, source_url=meta.source_url, origin=meta.origin,
                                    fetched_at=meta.fetched_at)


def test_a_refresh_rebuilds_the_cards_of_its_dataset_only(page, monkeypatch):
    from components.figures import mobilite as figures

    render, data = page
    assert '"critair-graph"' in render() and '"velib-map-graph"' in render()
    built = []
    real = figures.critair_figure
    monkeypatch.setattr(figures, "critair_figure", lambda shares: built.append(1) or real(shares))

    put_back = refresh(data, "velib_stations")  # Vélib' refreshes every 5 minutes
    try:
        text = render()
        assert '"critair-graph"' in text and not built  # the Crit'Air card was kept: its data did not change
        assert '"velib-map-graph"' in text
        put_back_critair = refresh(data, "critair_vehicules")
        try:
            assert '"critair-graph"' in render() and built == [1]  # its own refresh rebuilds it
        finally:
            put_back_critair()
    finally:
        put_back()


def test_a_card_kept_for_a_visitor_is_the_card_an_administrator_gets(page, monkeypatch):
    """A card does not depend on who looks (the page, not the card, decides what a viewer may see): an
    administrator's first render of the page takes the cards a visitor's render kept."""
    from app import app
    from benchmarks.__main__ import sign_in_admin
    from benchmarks.dash_client import DashClient
    from components.figures import mobilite as figures

    render, data = page
    data.cache.clear()  # this visitor's render builds the cards
    visitor = render()
    monkeypatch.setattr(figures, "critair_figure", lambda shares: (_ for _ in ()).throw(AssertionError("rebuilt")))
    admin = DashClient(app.server)
    sign_in_admin(app.server, admin.client)
    response = admin.client.post("/_dash-update-component", json=admin.router_body("/mobilite", "?theme=tout"))
    assert response.status_code == 200 and response.headers["X-Pilote-Rendu"] == "calcul"  # another access set
    text = response.get_data(as_text=True)
    card = visitor[visitor.index('{"props":{"children":[{"props":{"children":{"props":{"children":["Répartition du parc'):]
    assert card[:3000] in text  # the same card, not rebuilt (its builder now fails)
