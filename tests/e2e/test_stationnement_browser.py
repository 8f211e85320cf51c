"""/stationnement in a browser: the real-time panel refreshes on its own, without reloading the page; the
car-park choice goes to the URL."""

from urllib.parse import parse_qs, urlsplit

import polars as pl
import pytest

pytestmark = pytest.mark.e2e


def test_realtime_panel_refreshes_without_a_reload(pilote, monkeypatch):
    from app import app

    monkeypatch.setenv("PILOTE_REALTIME_SECONDS", "5")
    store = app.server.extensions["pilote_data"].store
    original = store.read("parking_temps_reel")
    pilote.open("/stationnement")
    assert "5 s" in pilote.text("#parking-last-update")
    pilote.driver.execute_script("window.__notReloaded = true")
    before = pilote.text("#parking-list")
    changed = original.with_columns(
        pl.when(pl.col("parking_id") == "ISSY-P02").then(pl.lit(42)).otherwise(pl.col("free_spots")).alias("free_spots"))
    try:
        store.write("parking_temps_reel", changed, source_url="test", origin="portal")  # a refresh happened
        pilote.duo.wait_for_contains_text("#parking-list", "42", timeout=15)
        assert pilote.text("#parking-list") != before
        assert pilote.driver.execute_script("return window.__notReloaded === true")  # same page, updated
    finally:
        store.write("parking_temps_reel", original, source_url="data/demo/parking_realtime.py", origin="bundled")
    assert "en retard" in pilote.text("#parking-realtime").lower()  # late feeds flagged, not shown full/empty
    assert not pilote.console_errors()


def test_car_park_choice_goes_to_the_url(pilote):
    pilote.open("/stationnement?parking=ISSY-P03")
    assert parse_qs(urlsplit(pilote.driver.current_url).query)["parking"] == ["ISSY-P03"]
    pilote.open("/stationnement?parking=NOPE")
    assert "inconnu" in pilote.text("#contenu")
