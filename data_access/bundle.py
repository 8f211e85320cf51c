"""Rebuilds the bundled snapshots (``data/snapshots``) from the real source files in ``data/sources``.

The files in ``data/sources`` are real portal exports (see ``data/NOTICE.md``); they go through the same
mapping and validation as a live refresh, so the bundled data is exactly what a refresh would produce.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import polars as pl

from data_access.catalog import Catalog
from data_access.mapping import map_frame
from data_access.portal import read_ods_csv
from data_access.settings import BUNDLED_DATA_DIR
from data_access.snapshots import SnapshotStore
from data_access.validation import validate

SOURCES = BUNDLED_DATA_DIR / "sources"
VELIB_FILE = "velib-disponibilite-en-temps-reel_gpso_2026-04-06.csv"
PCAET_FILE = "pcaet-indicateurs-definitions_tet.csv"
COMMUNES_FILE = "communes-92-hauts-de-seine.geojson"


def geojson_rows(path: Path) -> pl.DataFrame:
    """GeoJSON features as rows: their properties plus the geometry as a JSON string."""
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    return pl.DataFrame([{**f["properties"], "geometry": json.dumps(f["geometry"], separators=(",", ":"))}
                         for f in features])


def parking_aggregates() -> tuple[pl.DataFrame, pl.DataFrame]:
    """(hourly, daily) aggregates of the full-scale parking history (≈105 M observations): generated into a
    temporary directory, pre-aggregated as the refresh step does, then deleted (~10 s, ~90 MB on disk)."""
    import tempfile

    from data.demo import parking_history
    from data_access import stationnement

    with tempfile.TemporaryDirectory(prefix="pilote-parking-") as tmp:
        parking_history.write(tmp)
        hourly, _ = stationnement.preaggregate_frames(stationnement.scan_observations(tmp))
    # The streaming mean of the slots' float rates depends on the summation order (±1e-16 from run to run):
    # every space is observed at every slot here, so the hourly rate is exactly occupied_mean / spaces, an
    # order-free value; the daily table is then derived from it, so that a rebuild is byte-identical.
    hourly = hourly.with_columns((pl.col("occupied_mean") / pl.col("spaces")).alias("occupancy_mean"))
    return hourly, stationnement.daily_from_hourly(hourly)


def _raw_frames(catalog: Catalog) -> dict[str, tuple[pl.DataFrame, str, datetime]]:
    codes = sorted(catalog.territory.codes)
    velib = read_ods_csv((SOURCES / VELIB_FILE).read_bytes())
    velib = velib.filter(pl.col("Code INSEE communes équipées").is_in(codes))
    communes = geojson_rows(SOURCES / COMMUNES_FILE).filter(pl.col("code").is_in(codes))
    from data.demo import accidents, budget_climat, comptages, critair, irve, pcaet

    definitions = pl.read_csv(SOURCES / PCAET_FILE, infer_schema=False)
    pcaet_public, pcaet_internal = pcaet.generate()
    from data.demo import finances, parking_dsp, parking_realtime

    hourly, daily = parking_aggregates()
    from data.demo import aires_de_jeux

    from data.demo import flotte, nature

    people = [(c.code, c.population or 0) for c in catalog.territory.communes]

    fleet = flotte.vehicles(people)
    sites = aires_de_jeux.sites()
    pieces = aires_de_jeux.equipment(sites)
    return {
        # fetched_at is the date of the data itself, so the UI never presents old data as new.
        "pcaet_indicateurs": (definitions, f"data/sources/{PCAET_FILE}", datetime(2026, 8, 7, tzinfo=timezone.utc)),
        "budget_climat": (budget_climat.generate(), "data/demo/budget_climat.py",
                          datetime(2026, 2, 4, tzinfo=timezone.utc)),
        # The plan's values: the last results are those of 2024, published in early 2026 with the budget climat.
        "pcaet_valeurs": (pcaet_public, "data/demo/pcaet.py", datetime(2026, 2, 4, tzinfo=timezone.utc)),
        "pcaet_valeurs_internes": (pcaet_internal, "data/demo/pcaet.py", datetime(2026, 2, 4, tzinfo=timezone.utc)),
        "velib_stations": (velib, f"data/sources/{VELIB_FILE}", datetime(2026, 4, 6, 10, 49, 36, tzinfo=timezone.utc)),
        "communes_contours": (communes, f"data/sources/{COMMUNES_FILE}", datetime(2016, 1, 1, tzinfo=timezone.utc)),
        # Mobility observatory: demonstration points and fleets as of autumn 2026 / 1 January 2025; the real
        # Paris counts end on 8 December 2022; the accident file of 2024 was published in autumn 2025.
        "irve_points": (irve.generate(), "data/demo/irve.py", datetime(2026, 9, 30, tzinfo=timezone.utc)),
        "critair_vehicules": (critair.generate(), "data/demo/critair.py", datetime(2025, 1, 1, tzinfo=timezone.utc)),
        "comptages_horaires": (comptages.hourly(), f"data/sources/{comptages.HOURLY_FILE} + data/demo/comptages.py",
                               datetime(2022, 12, 8, tzinfo=timezone.utc)),
        "comptages_arcs": (comptages.arcs(), f"data/sources/{comptages.ARCS_FILE} + data/demo/comptages.py",
                           datetime(2020, 12, 30, tzinfo=timezone.utc)),
        "accidents": (accidents.generate(), "data/sources/accidents-baac-2024-sample_92.csv + data/demo/accidents.py",
                      datetime(2025, 10, 1, tzinfo=timezone.utc)),
        # Parking (demonstration): the real-time snapshot as of its newest update; the history's aggregates
        # (full scale: 1,000 spaces × 365 days × 288 slots) as of its last day; the delegation's 2025 report.
        "parking_temps_reel": (parking_realtime.generate(), "data/demo/parking_realtime.py",
                               parking_realtime.SNAPSHOT_AT.astimezone(timezone.utc)),
        "parking_horaire": (hourly, "data/demo/parking_history.py + data_access/stationnement.py",
                            datetime(2025, 12, 31, 23, tzinfo=timezone.utc)),
        "parking_journalier": (daily, "data/demo/parking_history.py + data_access/stationnement.py",
                               datetime(2025, 12, 31, 23, tzinfo=timezone.utc)),
        "parking_dsp": (parking_dsp.generate(), "data/demo/parking_dsp.py", datetime(2026, 6, 30, tzinfo=timezone.utc)),
        # Finances (demonstration): the CA 2025 is voted in June 2026; the OFGL publishes it in the autumn.
        "budget_lignes": (finances.lines(), "data/demo/finances.py (nomenclature data/sources/m57_*.csv)",
                          datetime(2026, 6, 30, tzinfo=timezone.utc)),
        "finances_ofgl": (finances.ofgl(), "data/demo/finances.py", datetime(2026, 10, 1, tzinfo=timezone.utc)),
        "projets_investissement": (finances.projects(), "data/demo/finances.py",
                                   datetime(2026, 6, 30, tzinfo=timezone.utc)),
        # Playgrounds: the real sites as published on 13 August 2014; equipment and the inspection history
        # (demonstration) until the day the agents' reports take over.
        "aires_de_jeux": (sites, f"data/sources/{aires_de_jeux.SOURCE.name}", datetime(2014, 8, 13, tzinfo=timezone.utc)),
        "aires_equipements": (pieces, "data/demo/aires_de_jeux.py", datetime(2026, 11, 27, tzinfo=timezone.utc)),
        "aires_controles": (aires_de_jeux.inspections(sites, pieces), "data/demo/aires_de_jeux.py",
                            datetime(2026, 11, 27, tzinfo=timezone.utc)),
        "flotte_vehicules": (fleet, f"data/demo/flotte.py (data/sources/{flotte.SOURCE.name})",
                             datetime(2026, 11, 27, tzinfo=timezone.utc)),
        "flotte_pleins": (flotte.fuel(fleet), "data/demo/flotte.py", datetime(2026, 11, 27, tzinfo=timezone.utc)),
        "flotte_evenements": (flotte.incidents(fleet), "data/demo/flotte.py", datetime(2026, 11, 27, tzinfo=timezone.utc)),
        "nature_ateliers": (nature.workshops(people, nature.HOUSE_COMMUNE), "data/demo/nature.py",
                            datetime(2026, 11, 27, tzinfo=timezone.utc)),
        "nature_distributions": (nature.distributions(people), "data/demo/nature.py",
                                 datetime(2026, 11, 27, tzinfo=timezone.utc)),
    }


def build(catalog: Catalog, target: Path = BUNDLED_DATA_DIR / "snapshots") -> dict[str, int]:
    store = SnapshotStore(target)
    counts = {}
    for key, (raw, source, fetched_at) in _raw_frames(catalog).items():
        spec = catalog[key]
        mapped = map_frame(raw, spec, catalog.territory.codes, bbox=catalog.territory.bbox)
        meta = store.write(key, mapped.frame, source_url=source, origin="bundled", schema_hash=spec.schema_hash,
                           fetched_at=fetched_at, bad_rows=mapped.bad_count, notes=mapped.notes,
                           territory=catalog.territory.identity, dataset=spec.identity,
                           check=lambda frame, spec=spec: validate(frame, spec, catalog.territory.codes))
        counts[key] = meta.rows
    return counts
