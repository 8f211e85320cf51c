"""The bundled snapshots are exactly what `python -m data_access bundle` builds from data/sources and the
demonstration generators: nobody can ship a hand-edited snapshot."""

import json
from pathlib import Path

import polars as pl
import pytest

from data_access.bundle import build
from data_access.snapshots import SnapshotStore

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "data" / "snapshots"


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory, catalog):
    target = tmp_path_factory.mktemp("bundle")
    counts = build(catalog, target)
    return SnapshotStore(target), counts


def test_every_catalog_dataset_is_bundled(rebuilt, catalog):
    _, counts = rebuilt
    assert set(counts) == set(catalog.datasets)
    assert counts["velib_stations"] == 73 and counts["communes_contours"] == 8
    assert counts["pcaet_indicateurs"] == 97


@pytest.mark.parametrize("key", ["velib_stations", "communes_contours", "pcaet_indicateurs", "budget_climat",
                                 "pcaet_valeurs", "pcaet_valeurs_internes", "irve_points", "critair_vehicules",
                                 "comptages_horaires", "comptages_arcs", "accidents",
                                 "parking_temps_reel", "parking_horaire", "parking_journalier", "parking_dsp",
                                 "budget_lignes", "finances_ofgl", "projets_investissement"])
def test_committed_snapshot_equals_a_rebuild(rebuilt, key):
    store, _ = rebuilt
    committed = SnapshotStore(BUNDLED)
    assert committed.read(key).equals(store.read(key)), f"data/snapshots/{key} differs from a rebuild"
    meta = json.loads((BUNDLED / f"{key}.meta.json").read_text())
    assert meta["origin"] == "bundled" and meta["last_error"] is None
    assert (BUNDLED / meta["file"]).exists()


def test_demo_and_reference_datasets_are_flagged(catalog):
    assert catalog["budget_climat"].demo and not catalog["budget_climat"].refreshable
    assert catalog["pcaet_indicateurs"].bundled_only and not catalog["pcaet_indicateurs"].refreshable
    assert catalog["velib_stations"].refreshable


def test_real_pcaet_definitions_keep_their_tree():
    frame = SnapshotStore(BUNDLED).read("pcaet_indicateurs")
    row = frame.filter(pl.col("identifiant") == "cae_1.c").row(0, named=True)
    assert row["titre"] == "Emissions de gaz à effet de serre - résidentiel"
    assert row["unite"] == "kteq CO2" and row["parents"] == "cae_1.a" and row["precision"] == 2
    assert {"cae_1.a", "cae_2.a", "cae_3.a", "cae_63.a"} <= set(frame["identifiant"])
