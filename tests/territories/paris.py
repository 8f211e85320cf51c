"""Ville de Paris, a second test territory over real data: its datasets on a FakePortal, the figures to expect.

``serve(portal)`` registers the real rows of ``../shared/data/real`` (Belib' charge points, the Paris rows of
the BAAC 2024 sample, the hourly counts of arc 5671, the referential of counting arcs) in a
``tests.fake_portal.FakePortal``, shaped as the exports the catalogs of ``tests/territories/*/catalog.toml``
read, and returns the figures a correct refresh must give. Those are computed here from the source rows with
the csv module and plain Python, never with Pilote's code, so that a mapping bug cannot hide behind itself.

``refresh(catalog, data_dir, portal_url)`` runs ``python -m data_access refresh --all`` for a catalog.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[2]  # the repository
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "real"
HERE = Path(__file__).resolve().parent
PARIS_CATALOG = HERE / "paris" / "catalog.toml"
SINGLE_CATALOG = HERE / "single" / "catalog.toml"
EMPTY_CATALOG = HERE / "empty" / "catalog.toml"

IRVE_CSV = "irve_belib_paris/belib-points-de-recharge-pour-vehicules-electriques-donnees-statiques.csv"
ACCIDENTS_CSV = "accidents_baac_2024_sample/accidents_sample.csv"
COUNTS_CSV = "comptages_routiers_paris_horaires/comptages-routiers-permanents_arc5671_convention.csv"
ARCS_CSV = "comptages_routiers_paris_referentiel/referentiel-comptages-routiers.csv"

# Dataset ids on the portal: those of the Paris catalogs.
IRVE_ID = "belib-points-de-recharge-pour-vehicules-electriques-donnees-statiques"
ACCIDENTS_ID = "accidents-corporels-circulation-2024-echantillon"
COUNTS_ID = "comptages-routiers-permanents"
ARCS_ID = "referentiel-comptages-routiers"

ARRONDISSEMENTS = [f"751{n:02d}" for n in range(1, 21)]

# The decision the Paris catalog states for `categorie_gravite` (see the comment there): written again here,
# from the source's own values, so that the test checks the catalog's vocabulary and its application.
SEVERITY_OF_CATEGORY = {
    "Très grave": "Tué",
    "Grave": "Blessé hospitalisé",
    "Léger": "Blessé léger",
    "Matériel uniquement": "Blessé léger",
}
SEVERITIES = ["Tué", "Blessé hospitalisé", "Blessé léger", "Indemne"]

# Power classes of the charging dashboard (upper bound included), in kW.
POWER_CLASSES = [("jusqu'à 7,4 kW", 0, 7.4), ("de 7,4 à 22 kW", 7.4, 22.1), ("de 22 à 100 kW", 22.1, 100),
                 ("plus de 100 kW", 100, 10_000)]

# API field names of the referential's JSON export (ODS JSON exports use field names, not labels). iu_ac,
# libelle, geo_point_2d and geo_shape are those of Paris Data; the others follow its naming and are not read.
ARC_FIELDS = {
    "Identifiant arc": "iu_ac",
    "Libelle": "libelle",
    "Date debut dispo data": "dated",
    "Date fin dispo data": "datef",
    "Identifiant noeud aval": "iu_nd_aval",
    "Libelle noeud aval": "libelle_nd_aval",
    "Identifiant noeud amont": "iu_nd_amont",
    "Libelle noeud amont": "libelle_nd_amont",
    "geo_point_2d": "geo_point_2d",
    "geo_shape": "geo_shape",
}


def _source() -> Path:
    if not SHARED.is_dir():
        raise FileNotFoundError(
            f"the real data these tests are built on is missing: expected {SHARED} (../shared/data/real from the "
            "repository root; see its README.md). These tests are not skipped without it.")
    return SHARED


def _rows(relative: str, delimiter: str) -> list[dict[str, str]]:
    with open(_source() / relative, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def _number(text: str) -> int | float | None:
    if text == "":
        return None
    return int(text) if re.fullmatch(r"-?\d+", text) else float(text)


# ---------------------------------------------------------------------------------------------- records
def irve_records() -> list[dict]:
    """The Belib' label export as it is: every label, every value as text, empty cells empty.

    The first label carries a BOM, so that the CSV export the fake portal builds from these records starts
    with one, as Excel-friendly ODS label exports do (the copied file itself has none)."""
    rows = _rows(IRVE_CSV, ";")
    return [{("\ufeff" + k if i == 0 else k): v for i, (k, v) in enumerate(row.items())} for row in rows]


def paris_accident_rows() -> list[dict[str, str]]:
    return [r for r in _rows(ACCIDENTS_CSV, ",") if r["com"].startswith("75")]


_ACCIDENT_TEXT = {"Num_Acc", "date", "dep", "com"}  # text in the export: "75.0", "75117.0" stay text


def accident_records() -> list[dict]:
    """The 112 Paris rows of the sample as JSON records: numbers as numbers, empty as null, com as text."""
    out = []
    for row in paris_accident_rows():
        record = {}
        for name, value in row.items():
            if value == "":
                record[name] = None
            elif name in _ACCIDENT_TEXT or not re.fullmatch(r"-?\d+(\.\d+)?", value):
                record[name] = value
            else:
                record[name] = _number(value)
        out.append(record)
    return out


_COUNT_NUMBERS = {"Débit horaire", "Taux d'occupation"}


def count_records() -> list[dict]:
    """The hourly counts keyed by label; flows and occupancy as numbers (doubles on the portal), the rest as text
    (dates and timestamps typed by the fake portal from their ISO form), geo_point_2d the "lat,lon" text."""
    return [{k: (_number(v) if k in _COUNT_NUMBERS else (v if v != "" else None)) for k, v in row.items()}
            for row in _rows(COUNTS_CSV, ";")]


def arc_records() -> list[dict]:
    """The referential as JSON records: field names, geo_point_2d as a [lat, lon] list, geo_shape a Feature."""
    out = []
    for row in _rows(ARCS_CSV, ";"):
        record = {ARC_FIELDS[k]: (v if v != "" else None) for k, v in row.items()}
        lat, lon = (float(part) for part in row["geo_point_2d"].split(","))
        record["geo_point_2d"] = [lat, lon]
        record["geo_shape"] = {"type": "Feature", "geometry": json.loads(row["geo_shape"]), "properties": {}}
        out.append(record)
    return out


# ---------------------------------------------------------------------------------------------- expected
def _power_class(kw: float) -> str:
    return next(label for label, low, high in POWER_CLASSES if low < kw <= high)


def _irve_expected() -> dict:
    rows = _rows(IRVE_CSV, ";")
    points = [r for r in rows if r["ID PDC itinérance"].strip()]  # an empty unique key makes a row bad
    by_commune = Counter(r["Code INSEE commune"] for r in points)
    top, top_count = max(by_commune.items(), key=lambda kv: (kv[1], kv[0]))
    powers = [float(r["Puissance max KW"]) for r in points if r["Puissance max KW"]]
    classes = Counter(_power_class(kw) for kw in powers)
    label_mismatch = [r for r in rows if r["Code INSEE commune"]
                      and re.fullmatch(r"\d\de Arrondissement", r["Arrondissement"])
                      and int(r["Arrondissement"][:2]) != int(r["Code INSEE commune"][-2:])]
    return {
        "irve_source_rows": len(rows),
        "irve_rows_without_id": len(rows) - len(points),
        "irve_charge_points": len(points),
        "irve_points_by_commune": dict(sorted(by_commune.items())),
        "irve_commune_with_most_points": top,
        "irve_points_in_that_commune": top_count,
        "irve_points_by_power_class": {label: classes.get(label, 0) for label, _, _ in POWER_CLASSES},
        "irve_points_by_plug": {col: sum(r[label].lower() == "true" for r in points) for col, label in (
            ("prise_type_ef", "Prise type EF"), ("prise_type_2", "Prise type 2"),
            ("prise_type_combo_ccs", "Prise type Combo CCS"), ("prise_type_chademo", "Prise type Chademo"))},
        "irve_points_opened_by_year": dict(sorted(Counter(int(r["Date mise en service"][:4])
                                                          for r in points if r["Date mise en service"]).items())),
        "irve_rows_arrondissement_label_disagrees_with_insee_code": len(label_mismatch),
    }


def _accidents_expected() -> dict:
    rows = paris_accident_rows()
    distinct = list({r["Num_Acc"]: r for r in rows}.values())
    exact_duplicates = len(rows) - len({tuple(r.items()) for r in rows})

    def from_counts(r: dict) -> str:  # severity of the most seriously hurt user: for information
        for field, grade in (("nb_tues", "Tué"), ("nb_blesses_hospitalises", "Blessé hospitalisé"),
                             ("nb_blesses_legers", "Blessé léger")):
            if int(r[field]) > 0:
                return grade
        return "Indemne"

    by_severity = Counter(SEVERITY_OF_CATEGORY[r["categorie_gravite"]] for r in distinct)
    by_counts = Counter(from_counts(r) for r in distinct)
    return {
        "accidents_sample_rows": len(_rows(ACCIDENTS_CSV, ",")),
        "accidents_paris_rows_served": len(rows),
        "accidents_paris_exact_duplicate_rows": exact_duplicates,
        "accidents_paris": len(distinct),
        "accidents_paris_by_severity": {s: by_severity.get(s, 0) for s in SEVERITIES},
        "accidents_paris_by_severity_from_victim_counts": {s: by_counts.get(s, 0) for s in SEVERITIES},
        "accidents_paris_by_source_category": dict(sorted(Counter(r["categorie_gravite"] for r in distinct).items())),
        "accidents_paris_by_commune": dict(sorted(Counter(f"{int(float(r['com'])):05d}" for r in distinct).items())),
        "accidents_paris_killed": sum(int(r["nb_tues"]) for r in distinct),
        "accidents_paris_with_hour": sum(1 for r in distinct if r["heure"] != ""),
        "accidents_paris_by_month": dict(sorted(Counter(int(r["date"][5:7]) for r in distinct).items())),
    }


def _counts_expected() -> dict:
    rows = _rows(COUNTS_CSV, ";")
    paris = ZoneInfo("Europe/Paris")
    instants = [datetime.fromisoformat(r["Date et heure de comptage"]) for r in rows]
    local_days = Counter(i.astimezone(paris).date() for i in instants)
    flows_per_day = Counter(i.astimezone(paris).date() for i, r in zip(instants, rows) if r["Débit horaire"])
    flows = [float(r["Débit horaire"]) for r in rows if r["Débit horaire"]]
    lat, lon = (float(p) for p in rows[0]["geo_point_2d"].split(","))
    return {
        "counts_rows": len(rows),
        "counts_arcs": sorted({r["Identifiant arc"] for r in rows}),
        "counts_days": len(local_days),  # calendar days in Paris time with at least one count
        "counts_days_with_24_hourly_flows": sum(1 for n in flows_per_day.values() if n == 24),
        "counts_hours_with_flow": len(flows),
        "counts_total_vehicles": sum(flows),
        "counts_first_hour_utc": min(instants).astimezone(ZoneInfo("UTC")).isoformat(),
        "counts_last_hour_utc": max(instants).astimezone(ZoneInfo("UTC")).isoformat(),
        "counts_hours_by_traffic_state": dict(sorted(Counter(r["Etat trafic"] for r in rows).items())),
        "counts_arc_lat": lat,
        "counts_arc_lon": lon,
    }


def _arcs_expected() -> dict:
    rows = _rows(ARCS_CSV, ";")
    with_point = [r for r in rows if r["geo_point_2d"].strip()]
    point_5671 = next(r["geo_point_2d"] for r in rows if r["Identifiant arc"] == "5671")
    lat, lon = (float(p) for p in point_5671.split(","))
    return {
        "arcs_rows": len(rows),  # segments: one line each
        "arcs_distinct_ids": len({r["Identifiant arc"] for r in rows}),
        "arcs_rows_with_coordinates": len(with_point),
        "arcs_ids_with_several_segments": sum(1 for n in Counter(r["Identifiant arc"] for r in rows).values() if n > 1),
        "arc_5671_lat": lat,
        "arc_5671_lon": lon,
    }


def expected() -> dict:
    """The figures a correct refresh of the Paris catalog gives, from the source rows."""
    return {**_irve_expected(), **_accidents_expected(), **_counts_expected(), **_arcs_expected()}


# ---------------------------------------------------------------------------------------------- portal
def serve(portal) -> dict:
    """Register the four Paris datasets on ``portal`` (a tests.fake_portal.FakePortal); return ``expected()``."""
    portal.add_dataset(IRVE_ID, irve_records(), title="Belib' - Points de recharge pour véhicules électriques - "
                       "Données statiques", license="Open Database License (ODbL)")
    portal.add_dataset(ACCIDENTS_ID, accident_records(), title="Accidents corporels de la circulation 2024 "
                       "(échantillon)", license="Licence Ouverte v2.0 (Etalab)")
    portal.add_dataset(COUNTS_ID, count_records(), title="Comptage routier - Données trafic issues des capteurs "
                       "permanents", license="Open Database License (ODbL)")
    portal.add_dataset(ARCS_ID, arc_records(), title="Référentiel géographique des comptages routiers",
                       license="Open Database License (ODbL)")
    return expected()


# ---------------------------------------------------------------------------------------------- command line
def cli(args: list[str], catalog_path: Path, data_dir: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    """``python -m data_access <args>`` with this catalog and data directory, nothing else from PILOTE_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PILOTE_")}
    env.update(PILOTE_CATALOG=str(catalog_path), PILOTE_DATA_DIR=str(data_dir))
    return subprocess.run([sys.executable, "-m", "data_access", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def refresh(catalog_path: Path, data_dir: Path, portal_url: str) -> subprocess.CompletedProcess:
    """``python -m data_access refresh --all --portal URL`` for ``catalog_path`` into ``data_dir``."""
    return cli(["refresh", "--all", "--portal", portal_url], catalog_path, data_dir)


def status(catalog_path: Path, data_dir: Path) -> subprocess.CompletedProcess:
    return cli(["status"], catalog_path, data_dir)
