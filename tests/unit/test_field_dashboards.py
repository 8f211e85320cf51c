"""The pure queries and figures of /aires-de-jeux, /flotte and /nature, on small hand-made frames."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl

from components.figures import aires_de_jeux as fa
from components.figures import flotte as ff
from components.figures import nature as fn
from data_access import aires_de_jeux as qa
from data_access import flotte as qf
from data_access import nature as qn

TODAY = date(2026, 12, 1)


def checks(rows):
    return pl.DataFrame(rows, orient="row", schema={"aire_id": pl.String, "equipement_id": pl.String, "type_controle": pl.String,
                                      "date": pl.Date, "gravite": pl.String, "hors_service": pl.Boolean,
                                      "saisi_le": pl.Datetime("us")})


def test_overdue_checks_come_first_and_a_never_done_check_is_overdue():
    sites = pl.DataFrame({"aire_id": ["A", "B"], "nom": ["Aire A", "Aire B"]})
    done = checks([("A", None, "Visuel de routine", date(2026, 11, 28), "Aucun défaut", False, None),
                   ("A", None, "Fonctionnel", date(2026, 7, 1), "Aucun défaut", False, None),
                   ("A", None, "Principal annuel", date(2026, 3, 1), "Aucun défaut", False, None),
                   ("B", None, "Visuel de routine", date(2026, 11, 10), "Mineur", False, None)])
    due = qa.due_checks(sites, done, TODAY)
    first = due.row(0, named=True)
    assert (first["aire_id"], first["retard"]) in {("B", 9999)}  # B never had a functional or main check
    a = {r["type_controle"]: r["retard"] for r in due.filter(pl.col("aire_id") == "A").iter_rows(named=True)}
    assert a == {"Visuel de routine": 0, "Fonctionnel": (TODAY - date(2026, 7, 1)).days - 90, "Principal annuel": 0}
    b_visual = due.filter((pl.col("aire_id") == "B") & (pl.col("type_controle") == "Visuel de routine"))["retard"][0]
    assert b_visual == 21 - 14


def test_equipment_is_out_of_service_until_a_later_check_puts_it_back():
    rows = checks([("A", "A-E1", "Fonctionnel", date(2026, 9, 1), "Critique", True, None),
                   ("A", "A-E1", "Fonctionnel", date(2026, 10, 1), "Aucun défaut", False, None),
                   ("A", "A-E2", "Visuel de routine", date(2026, 11, 1), "Majeur", True, datetime(2026, 11, 1, 9)),
                   ("A", "A-E2", "Visuel de routine", date(2026, 11, 1), "Majeur", True, None)])
    out = qa.out_of_service(rows)
    assert out["equipement_id"].to_list() == ["A-E2"]
    months = qa.findings_by_month(rows)
    assert months.filter(pl.col("mois") == date(2026, 10, 1))["controles"].sum() == 1
    assert set(months["gravite"]) == set(qa.SEVERITIES)  # zero-filled
    assert "1 avec un défaut majeur" not in fa.findings_summary(months) and "4 contrôles" in fa.findings_summary(months)


def test_a_finding_is_lifted_by_the_next_check_without_defect_and_its_delay_counted():
    d = lambda day: date(2026, 10, day)  # noqa: E731
    rows = checks([
        ("A", "A-E1", "Visuel de routine", d(1), "Majeur", False, None),       # lifted by the site's clean check
        ("A", "A-E2", "Fonctionnel", d(1), "Critique", True, None),            # out of service: its own check only
        ("A", None, "Visuel de routine", d(1), "Mineur", False, None),         # the whole site
        ("A", "A-E3", "Visuel de routine", d(3), "Aucun défaut", False, None),  # lifts nothing of the site's
        ("A", None, "Visuel de routine", d(11), "Aucun défaut", False, None),
        ("A", "A-E2", "Fonctionnel", d(21), "Aucun défaut", False, None),
        ("B", "B-E1", "Visuel de routine", d(5), "Mineur", False, None),        # never lifted
        ("B", "B-E1", "Visuel de routine", d(5), "Aucun défaut", False, None),  # the same day does not count
    ])
    delays = qa.finding_delays(rows, TODAY)
    by = {r["objet"]: r for r in delays.iter_rows(named=True)}
    assert (by["A-E1"]["leve_le"], by["A-E1"]["delai_jours"]) == (d(11), 10)
    assert (by["A-E2"]["leve_le"], by["A-E2"]["delai_jours"]) == (d(21), 20)
    assert (by["A"]["leve_le"], by["A"]["delai_jours"]) == (d(11), 10)
    assert by["B-E1"]["leve_le"] is None and by["B-E1"]["ouvert_depuis"] == (TODAY - d(5)).days
    summary = qa.delays_by_severity(delays)
    assert summary["gravite"].to_list() == ["Critique", "Majeur", "Mineur"]  # the gravest first
    mineur = summary.filter(pl.col("gravite") == "Mineur").row(0, named=True)
    assert (mineur["constats"], mineur["leves"], mineur["ouverts"], mineur["delai_median"]) == (2, 1, 1, 10)
    assert mineur["plus_ancien"] == (TODAY - d(5)).days


def fleet():
    return pl.DataFrame({"vehicule_id": ["V1", "V2", "V3"], "energie": ["Gazole", "Électrique", "Électrique"],
                         "mise_en_circulation": [2015, 2020, 2026], "date_sortie": [date(2025, 6, 1), None, None],
                         "service": ["Voirie", "Voirie", "Propreté"]},
                        schema_overrides={"date_sortie": pl.Date})


def test_the_low_emission_share_follows_arrivals_and_departures():
    share = qf.low_emission_share(fleet(), 2019, 2026)
    by_year = dict(zip(share["annee"], share["part"]))
    assert by_year[2019] == 0.0 and by_year[2020] == 0.5 and by_year[2025] == 1.0 and by_year[2026] == 1.0
    assert "2 véhicules sur 2" in ff.share_summary(share, 0.5, 2030)
    assert ff.share_figure(share, 0.5, 2030).data[1].x == (2026, 2030)  # the target, dashed to its year


def test_consumption_per_100_km_against_the_reference_flags_the_heavy_ones():
    fills = pl.DataFrame({"vehicule_id": ["V1"] * 3 + ["V2"] * 2, "date": [date(2026, m, 1) for m in (3, 4, 5)] +
                          [date(2026, 3, 1), date(2026, 5, 1)], "quantite": [40.0, 30.0, 30.0, 10.0, 20.0],
                          "compteur_km": [10_000, 10_500, 11_000, 500, 600], "cout_eur": [1.0] * 5,
                          "unite": ["L"] * 3 + ["kWh"] * 2, "service": ["Voirie"] * 5,
                          "energie": ["Gazole"] * 3 + ["Électrique"] * 2, "reference_100km": [5.0] * 3 + [17.0] * 2,
                          "co2_kg": [1.0] * 5})
    usage = qf.per_vehicle(fills, date(2026, 1, 1))
    v1, v2 = usage.row(0, named=True), usage.row(1, named=True)
    assert v1["km"] == 1000 and v1["conso_100km"] == 6.0 and v1["ratio"] == 1.2  # 60 L after the first reading
    assert v2["conso_100km"] == 20.0 and round(v2["ratio"], 2) == 1.18
    assert qf.last_odometer(fills, "V1") == (11_000, date(2026, 5, 1))
    assert qf.last_odometer(fills, "V9") is None


def test_equipment_against_goals_and_per_thousand_inhabitants():
    handed = pl.DataFrame({"type_equipement": ["Lombricomposteur", "Lombricomposteur", "Composteur individuel"],
                           "commune_code": ["1", "2", "1"], "date": [date(2026, 3, 1), date(2025, 3, 1), date(2026, 4, 1)],
                           "nombre": [10, 99, 5]})
    year = qn.equipment_year(handed, 2026, {"Lombricomposteur": 160.0, "Récupérateur d'eau de pluie": 180.0})
    assert dict(zip(year["type_equipement"], year["nombre"])) == {"Composteur individuel": 5, "Lombricomposteur": 10,
                                                                  "Récupérateur d'eau de pluie": 0}
    assert "lombricomposteur : 10 sur 160" in fn.goals_summary(year, 2026)
    thousand = qn.per_thousand(handed, {"1": 1000, "2": None}, {"1": "Une", "2": "Deux"})
    assert thousand.row(0, named=True)["pour_mille"] == 15.0 and thousand["pour_mille"][1] is None
