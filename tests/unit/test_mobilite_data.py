"""Data of the mobility observatory: demonstration generators, and real Paris Data / BAAC files mapped to the
canonical columns (label exports with ';', BOMs, "lat,lon" strings, ISO timestamps with offsets)."""

from dataclasses import replace
from datetime import date, datetime, timezone

import polars as pl
import pytest

from data.demo import accidents, comptages, critair, irve
from data_access.mapping import map_frame
from data_access.portal import read_ods_csv
from data_access.validation import validate
from tests.conftest import SHARED_REAL

BELIB = SHARED_REAL / "irve_belib_paris" / "belib-points-de-recharge-pour-vehicules-electriques-donnees-statiques.csv"
CONVENTION = SHARED_REAL / "comptages_routiers_paris_horaires" / "comptages-routiers-permanents_arc5671_convention.csv"
REFERENTIEL = SHARED_REAL / "comptages_routiers_paris_referentiel" / "referentiel-comptages-routiers.csv"
BAAC = SHARED_REAL / "accidents_baac_2024_sample" / "accidents_sample.csv"


@pytest.mark.parametrize("generate", [irve.generate, critair.generate, comptages.demo_hourly, comptages.arcs,
                                      accidents.generate])
def test_generators_are_deterministic(generate):
    assert generate().equals(generate())


# --- IRVE -------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def irve_points(catalog):
    result = map_frame(irve.generate(), catalog["irve_points"], catalog.territory.codes)
    assert result.bad_count == 0
    validate(result.frame, catalog["irve_points"], catalog.territory.codes)
    return result.frame


def test_irve_points_are_inside_their_commune(irve_points, catalog):
    assert 120 <= irve_points.height <= 180
    assert set(irve_points["commune_code"]) == set(catalog.territory.codes)
    for lat, lon, code in irve_points.select("lat", "lon", "commune_code").iter_rows():
        assert irve.point_in_commune(lon, lat, code), (lat, lon, code)
    # and not inside a neighbour's outline
    for lat, lon, code in irve_points.select("lat", "lon", "commune_code").iter_rows():
        assert not any(irve.point_in_commune(lon, lat, other) for other in catalog.territory.codes if other != code)


def test_point_in_polygon_on_a_square_with_a_hole():
    square = [(0, 0), (4, 0), (4, 4), (0, 4), (0, 0)]
    hole = [(1, 1), (3, 1), (3, 3), (1, 3), (1, 1)]
    assert irve._in_ring(0.5, 0.5, square) and not irve._in_ring(5, 2, square)
    assert irve._in_ring(2, 2, hole) and not irve._in_ring(0.5, 2, hole)


def test_irve_powers_plugs_and_dates_are_plausible(irve_points):
    assert set(irve_points["puissance_nominale"]) <= {3.7, 7.0, 22.0, 50.0, 150.0}
    assert {7.0, 22.0, 150.0} <= set(irve_points["puissance_nominale"])
    fast = irve_points.filter(pl.col("puissance_nominale") >= 50)
    assert fast["prise_type_combo_ccs"].all() and not irve_points.filter(
        pl.col("puissance_nominale") < 50)["prise_type_combo_ccs"].any()
    assert irve_points.filter(pl.col("puissance_nominale").is_in([7.0, 22.0]))["prise_type_2"].all()
    opened = irve_points["date_mise_en_service"]
    assert opened.min() >= date(2016, 1, 1) and opened.max() <= date(2026, 9, 30)
    assert fast["date_mise_en_service"].min() >= date(2019, 1, 1)
    per_year = dict(irve_points.group_by(pl.col("date_mise_en_service").dt.year()).len().iter_rows())
    early = sum(per_year.get(y, 0) for y in range(2016, 2020))
    late = sum(per_year.get(y, 0) for y in range(2023, 2027))
    assert late > 2 * early  # the network grows over time
    assert irve_points["id_pdc_itinerance"].str.contains(r"^FR[A-Z0-9]{3}E").all()
    assert irve_points["id_station_itinerance"].str.contains(r"^FR[A-Z0-9]{3}P").all()


def test_real_belib_label_export_maps_to_the_irve_columns(catalog):
    content = BELIB.read_bytes()
    raw = read_ods_csv(content)
    assert raw.width == 42 and raw.height == 2014  # ';' delimiter, French labels
    assert read_ods_csv(b"\xef\xbb\xbf" + content).equals(raw)  # the same export with a BOM
    # Paris is not a GPSO commune: the territory check is off for this format test.
    result = map_frame(raw, catalog["irve_points"], known_communes=None)
    frame = result.frame
    # The 25 points "En test" have no itinerance id (nor power, plugs, date): reported, not fatal.
    assert result.bad_count == 25 and frame.height == 1989
    assert {b.column for b in result.bad_rows} == {"id_pdc_itinerance"}
    assert "25 bad rows dropped" in result.summary()
    point = frame.filter(pl.col("id_pdc_itinerance") == "FRV75EPX15122").row(0, named=True)
    assert point["lat"] == pytest.approx(48.837364) and point["lon"] == pytest.approx(2.3059905)
    assert point["puissance_nominale"] == 7.0 and point["date_mise_en_service"] == date(2021, 7, 13)
    assert point["prise_type_2"] is True and point["prise_type_combo_ccs"] is False
    assert point["condition_acces"] == "Accès libre" and point["implantation_station"] == "Voirie"
    assert point["commune_code"] == "75115" and point["nom_operateur"] == "TOTALENERGIES"
    # A field holding several values joined with '|' stays one text value.
    assert point["nom_station"] == "Paris | Rue Paul Barruel 44"
    assert set(frame["puissance_nominale"]) == {3.0, 4.0, 7.0, 22.0}
    assert frame["lat"].is_between(48.8, 48.91).all() and frame["lon"].is_between(2.2, 2.42).all()
    # With the territory check on, every Paris row is refused as out of the territory.
    with pytest.raises(Exception, match="commune_code"):
        map_frame(raw, catalog["irve_points"], catalog.territory.codes)


def test_irve_mapping_reports_a_broken_value_without_failing(catalog):
    raw = read_ods_csv(BELIB.read_bytes()).filter(pl.col("ID PDC itinérance").is_not_null()).head(100)
    raw = raw.with_columns(pl.when(pl.int_range(pl.len()) == 3).then(pl.lit("sept"))
                           .otherwise(pl.col("Puissance max KW")).alias("Puissance max KW"))
    result = map_frame(raw, catalog["irve_points"], known_communes=None)
    assert result.bad_count == 1 and result.bad_rows[0].column == "puissance_nominale"
    assert result.bad_rows[0].value == "sept" and result.frame.height == 99


# --- Crit'Air ---------------------------------------------------------------------------------------------

def test_critair_shares_sum_to_100_per_commune_and_year(catalog):
    frame = map_frame(critair.generate(), catalog["critair_vehicules"], catalog.territory.codes).frame
    validate(frame, catalog["critair_vehicules"], catalog.territory.codes)
    assert frame.height == 8 * 7 * 7
    sums = frame.group_by("annee", "commune_code").agg(pl.col("part").sum(), pl.col("vehicules").sum().alias("n"))
    assert sums["part"].is_between(100 - 1e-9, 100 + 1e-9).all()
    territory = frame.group_by("annee", "classe").agg(pl.col("vehicules").sum()).with_columns(
        (100 * pl.col("vehicules") / pl.col("vehicules").sum().over("annee")).alias("share"))
    share = {(y, c): s for y, c, _, s in territory.iter_rows()}
    assert 35 <= share[(2024, "1")] <= 45 and 30 <= share[(2024, "2")] <= 40 and 4 <= share[(2024, "E")] <= 8
    assert [share[(y, "E")] for y in critair.YEARS] == sorted(share[(y, "E")] for y in critair.YEARS)


# --- Comptages routiers -----------------------------------------------------------------------------------

def test_real_hourly_counts_map_to_canonical_columns(catalog):
    raw = read_ods_csv(CONVENTION.read_bytes())  # the full export, 15 columns
    result = map_frame(raw, catalog["comptages_horaires"], catalog.territory.codes)
    frame = result.frame
    assert result.bad_count == 0 and frame.height == 9294
    assert frame["arc_id"].unique().to_list() == ["5671"] and frame["commune_code"].null_count() == 9294
    row = frame.filter(pl.col("heure") == datetime(2021, 12, 2, 20, tzinfo=timezone.utc)).row(0, named=True)
    assert row["debit"] == 683.0 and row["taux_occupation"] == pytest.approx(4.35722)
    assert row["etat_trafic"] == "Fluide" and row["libelle"] == "Convention"
    assert row["lat"] == pytest.approx(48.8386344) and row["lon"] == pytest.approx(2.2932056)
    # +02:00 in summer: 2022-07-01T08:00:00+02:00 is 06:00 UTC.
    assert raw.filter(pl.col("Date et heure de comptage") == "2022-07-01T08:00:00+02:00").height == 1
    assert frame.filter(pl.col("heure") == datetime(2022, 7, 1, 6, tzinfo=timezone.utc)).height == 1
    assert frame["heure"].n_unique() == 9294  # the DST change is no duplicate once in UTC
    # Hours without a measure keep a null flow (state "Inconnu"), they are not bad rows.
    assert frame.filter(pl.col("etat_trafic") == "Inconnu")["taux_occupation"].null_count() == 139


def test_broken_count_values_are_reported_not_fatal(catalog):
    raw = read_ods_csv(CONVENTION.read_bytes()).head(200)
    raw = raw.with_columns(
        pl.when(pl.int_range(pl.len()) == 5).then(pl.lit("n/a")).otherwise(pl.col("Débit horaire"))
        .alias("Débit horaire"),
        pl.when(pl.int_range(pl.len()) == 7).then(pl.lit("hier")).otherwise(pl.col("Date et heure de comptage"))
        .alias("Date et heure de comptage"))
    result = map_frame(raw, catalog["comptages_horaires"], catalog.territory.codes)
    assert result.bad_count == 2 and result.frame.height == 198
    assert {(b.row, b.column, b.value) for b in result.bad_rows} == {(5, "debit", "n/a"), (7, "heure", "hier")}


def test_bundled_counts_keep_the_real_arc_and_add_demo_arcs(catalog):
    frame = map_frame(comptages.hourly(), catalog["comptages_horaires"], catalog.territory.codes).frame
    validate(frame, catalog["comptages_horaires"], catalog.territory.codes)
    real = frame.filter(~pl.col("demonstration"))
    assert real.height == 9294 and set(real["arc_id"]) == {"5671"} and real["commune_code"].null_count() == 9294
    demo = frame.filter(pl.col("demonstration"))
    assert demo["arc_id"].n_unique() == len(comptages.DEMO_ARCS)
    assert demo.group_by("arc_id").len()["len"].to_list() == [8760] * len(comptages.DEMO_ARCS)
    assert demo["commune_code"].null_count() == 0 and set(demo["territoire"]) == {comptages.GPSO}
    local = demo.with_columns(pl.col("heure").dt.convert_time_zone("Europe/Paris").alias("t"))
    by_hour = dict(local.group_by(pl.col("t").dt.hour()).agg(pl.col("debit").mean()).iter_rows())
    assert by_hour[8] > 3 * by_hour[4] and by_hour[18] > 3 * by_hour[4]  # morning and evening peaks
    by_day = dict(local.group_by(pl.col("t").dt.weekday()).agg(pl.col("debit").mean()).iter_rows())
    assert by_day[7] < by_day[2]  # Sundays are quieter
    august = local.filter(pl.col("t").dt.month() == 8)["debit"].mean()
    assert august < 0.85 * local.filter(pl.col("t").dt.month() == 10)["debit"].mean()
    states = set(demo["etat_trafic"])
    assert {"Fluide", "Pré-saturé", "Inconnu"} <= states <= {"Fluide", "Pré-saturé", "Saturé", "Bloqué", "Inconnu"}
    assert demo.filter(pl.col("etat_trafic") == "Inconnu")["debit"].null_count() == demo.filter(
        pl.col("etat_trafic") == "Inconnu").height


def test_arcs_referential_real_neighbours_and_demo_arcs(catalog):
    frame = map_frame(comptages.arcs(), catalog["comptages_arcs"], catalog.territory.codes).frame
    validate(frame, catalog["comptages_arcs"], catalog.territory.codes)
    assert "5671" in set(frame["arc_id"]) and frame.height == frame["arc_id"].n_unique()
    real = frame.filter(~pl.col("demonstration"))
    assert real["lat"].is_between(48.82, 48.85).all() and real["commune_code"].null_count() == real.height
    for arc_id, lat, lon, code in frame.filter(pl.col("demonstration")).select(
            "arc_id", "lat", "lon", "commune_code").iter_rows():
        assert irve.point_in_commune(lon, lat, code), arc_id
    # The whole referential export maps too (duplicate arcs are reported by validation, not by mapping).
    whole = map_frame(read_ods_csv(REFERENTIEL.read_bytes()), catalog["comptages_arcs"], catalog.territory.codes)
    assert whole.bad_count == 0 and whole.frame.height == 3739


# --- Accidents --------------------------------------------------------------------------------------------

def test_real_accident_rows_are_preserved(catalog):
    frame = map_frame(accidents.generate(), catalog["accidents"], catalog.territory.codes).frame
    validate(frame, catalog["accidents"], catalog.territory.codes)
    source = pl.read_csv(BAAC, infer_schema=False).filter(
        pl.col("com").str.replace(r"\.0$", "").is_in(sorted(catalog.territory.codes)))
    real = frame.filter(~pl.col("demonstration"))
    assert real.height == source.height == 7
    for row in source.iter_rows(named=True):
        got = real.filter(pl.col("accident_id") == row["Num_Acc"]).row(0, named=True)
        assert got["date"].isoformat() == row["date"] and got["commune_code"] == row["com"][:5]
        assert got["lat"] == float(row["lat"]) and got["lon"] == float(row["long"])
        for name in ("nb_tues", "nb_blesses_hospitalises", "nb_blesses_legers", "nb_indemnes", "nb_pietons",
                     "nb_vehicules"):
            assert got[name] == int(float(row[name])), name
        assert got["luminosite"] == row["lum_desc"] and got["categorie_route"] == row["catr_desc"]
        assert got["heure"] is None  # the sample has no hour: unknown, not invented
    assert set(real["gravite"]) == {"Blessé léger"}


def test_demo_accidents_have_plausible_patterns(catalog):
    frame = accidents.generate()
    demo = frame.filter(pl.col("demonstration"))
    per_year = dict(frame.group_by("annee").len().iter_rows())
    assert set(per_year) == set(range(2020, 2025)) and all(200 <= n <= 300 for n in per_year.values())
    shares = dict(demo.group_by("gravite").len().with_columns(pl.col("len") / demo.height).iter_rows())
    assert shares["Tué"] < 0.03 and 0.08 < shares["Blessé hospitalisé"] < 0.25 and shares["Blessé léger"] > 0.6
    assert set(demo["categorie_usager"]) == set(accidents.USERS)
    by_month = dict(demo.group_by("mois").len().iter_rows())
    assert by_month[8] < by_month[6]
    by_hour = dict(demo.group_by("heure").len().iter_rows())
    assert by_hour.get(18, 0) > 3 * by_hour.get(3, 0)
    assert (demo["nb_usagers"] == demo["nb_tues"] + demo["nb_blesses_hospitalises"] + demo["nb_blesses_legers"]
            + demo["nb_indemnes"]).all()
    for lat, lon, code in demo.select("lat", "lon", "commune_code").iter_rows():
        assert irve.point_in_commune(lon, lat, code)
    assert frame["accident_id"].n_unique() == frame.height


def test_mixed_datasets_are_flagged_demo_in_the_catalog(catalog):
    for key in ("irve_points", "critair_vehicules", "comptages_horaires", "comptages_arcs", "accidents"):
        spec = catalog[key]
        assert spec.demo and spec.is_public and not spec.refreshable
        assert spec.attribution and spec.licence


def test_territory_check_refuses_a_foreign_commune(catalog):
    spec = catalog["critair_vehicules"]
    frame = critair.generate().with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("75115")).otherwise(pl.col("commune_code"))
        .alias("commune_code"))
    with pytest.raises(Exception, match="commune_code"):
        map_frame(frame, spec, catalog.territory.codes)
    assert map_frame(frame, replace(spec, max_bad_ratio=0.01), catalog.territory.codes).bad_count == 1
