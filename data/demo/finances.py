"""Finances of Issy-les-Moulineaux: demonstration budget lines and comparison aggregates.

Published (see data/NOTICE.md): financial report 2019, total budget 167.4 M€, of which fonctionnement
138.1 M€ and investissement 29.3 M€; debt per inhabitant 158 € in 2024 against 1,330 € for communes of the
same size. Everything else is generated, deterministically, and labelled as demonstration data.

Readings of the published facts:

- The financial report of 2019 presents the *compte administratif* 2019, and its "total budget" is the
  **real spending** (dépenses réelles, ordre operations excluded, as analysts do): in the CA 2019 lines
  (``BGT_MTREAL``), real spending is exactly 138,100,000.00 € in fonctionnement and 29,300,000.00 € in
  investissement, 167,400,000.00 € in all. The publication rounds to 0.1 M€; the demonstration makes the
  figures exact (to the cent) so that a page computing them shows the published ones.
- Investissement spending includes the repayment of debt capital (chapter 16), as in the CA.
- Debt per inhabitant is the OFGL aggregate "Encours de dette" divided by the OFGL "Population totale":
  158 € × 69,000 inhabitants in 2024 for Issy; the same-size stratum (OFGL strate 9, 50,000 to 100,000
  inhabitants) has 1,330 € per inhabitant in 2024.

``lines()`` gives the budget lines in the SCDL budget schema (field names ``BGT_*``; values of BGT_SECTION,
BGT_OPBUDG and BGT_CODRD as French words: fonctionnement / investissement, réel / ordre, recette / dépense).
A budget primitif (BP) line carries ``BGT_MTPREV``; a compte administratif (CA) line carries ``BGT_MTREAL``
and, as the CA does, the year's voted credits in ``BGT_MTPREV`` (so the execution rate is MTREAL / MTPREV).
Natures, chapters and functions and their labels come from the real M57 nomenclature (data/sources/m57_*.csv).

``ofgl()`` gives the comparison aggregates in the OFGL label-export schema for the 8 GPSO communes (budget
principal) and the average of the same-size stratum; Issy's own aggregates are computed from its CA lines.
"""

from __future__ import annotations

import csv
import random
from functools import lru_cache
from pathlib import Path

import polars as pl

SOURCES = Path(__file__).resolve().parents[1] / "sources"
COMMUNE = "92040"
SIRET = "21920040900017"  # SIREN 219200409 (the commune's, code INSEE 92040) + NIC 00017: plausible format
NAME = "Issy-les-Moulineaux"
YEARS = range(2019, 2026)
BP, CA = "budget primitif", "compte administratif"
F, I = "fonctionnement", "investissement"
REEL, ORDRE = "réel", "ordre"
DEP, REC = "dépense", "recette"

# Published anchors: real spending of the CA 2019, in cents; debt per inhabitant in 2024.
DRF_2019, DRI_2019 = 138_100_000_00, 29_300_000_00
DEBT_PER_INHABITANT_2024 = 158.0
STRATUM_DEBT_PER_INHABITANT_2024 = 1_330.0
POPULATION = {2019: 68_260, 2020: 68_395, 2021: 68_540, 2022: 68_700, 2023: 68_850, 2024: 69_000, 2025: 69_120}

# Yearly level of each real flow relative to 2019 (2020: the health crisis; investment cycle peaks 2023-2024).
GROWTH = {
    (F, DEP): [1.000, 0.975, 1.010, 1.045, 1.080, 1.100, 1.115],
    (F, REC): [1.000, 0.960, 1.015, 1.050, 1.075, 1.095, 1.105],
    (I, DEP): [1.000, 0.880, 1.050, 1.180, 1.320, 1.280, 1.150],
    (I, REC): [1.000, 0.900, 1.000, 1.150, 1.300, 1.250, 1.100],
}
# Real revenue of 2019: the operating surplus finances part of the investment.
RRF_2019, RRI_2019 = 153_800_000_00, 12_600_000_00
# CA / BP execution rate of each real flow.
EXECUTION = {(F, DEP): 0.962, (F, REC): 1.018, (I, DEP): 0.715, (I, REC): 0.780}

# (section, sens, nature, fonction, weight): the real lines; weights are shares within (section, sens).
REAL_LINES = [
    (F, DEP, "64111", "020", 14), (F, DEP, "64111", "212", 9), (F, DEP, "64111", "422", 7),
    (F, DEP, "64111", "11", 3), (F, DEP, "64111", "313", 2), (F, DEP, "64131", "020", 4),
    (F, DEP, "64131", "281", 3), (F, DEP, "6451", "020", 6), (F, DEP, "6453", "020", 5),
    (F, DEP, "60612", "020", 2), (F, DEP, "60612", "512", 1), (F, DEP, "611", "281", 5),
    (F, DEP, "611", "722", 3), (F, DEP, "615221", "020", 2), (F, DEP, "6156", "020", 1),
    (F, DEP, "6064", "020", 0.5), (F, DEP, "6262", "020", 0.5), (F, DEP, "6231", "022", 0.7),
    (F, DEP, "6283", "212", 1.3), (F, DEP, "65748", "024", 3), (F, DEP, "65748", "326", 1),
    (F, DEP, "657362", "42", 3), (F, DEP, "65541", "01", 1), (F, DEP, "739211", "01", 12),
    (F, DEP, "66111", "01", 0.2),
    (F, REC, "73111", "01", 44), (F, REC, "73211", "01", 20), (F, REC, "73221", "01", 6),
    (F, REC, "74111", "01", 5), (F, REC, "74834", "01", 1), (F, REC, "7067", "281", 6),
    (F, REC, "7066", "422", 3), (F, REC, "7062", "313", 1), (F, REC, "70323", "845", 3),
    (F, REC, "752", "020", 2), (F, REC, "74718", "422", 2),
    (I, DEP, "2031", "020", 3), (I, DEP, "2111", "581", 6), (I, DEP, "21312", "212", 10),
    (I, DEP, "21318", "321", 6), (I, DEP, "2152", "845", 8), (I, DEP, "2188", "020", 4),
    (I, DEP, "2313", "212", 18), (I, DEP, "2313", "323", 9), (I, DEP, "2315", "845", 14),
    (I, DEP, "2315", "511", 6), (I, DEP, "204182", "555", 4), (I, DEP, "1641", "01", 4),
    (I, REC, "10222", "01", 30), (I, REC, "10226", "01", 12), (I, REC, "1321", "212", 10),
    (I, REC, "1322", "845", 8), (I, REC, "1323", "323", 10), (I, REC, "1641", "01", 12),
    (I, REC, "024", "01", 5),
]
# Ordre lines (amortisation, transfer between sections): in the documents, excluded by analysts.
ORDRE_LINES = [
    (F, DEP, "6811", "01", 9_200_000_00), (I, REC, "28188", "01", 6_100_000_00),
    (I, REC, "281311", "01", 3_100_000_00), (F, DEP, "023", "01", 8_500_000_00),
    (I, REC, "021", "01", 8_500_000_00),
]

LINE_COLUMNS = ["BGT_NATDEC", "BGT_ANNEE", "BGT_SIRET", "BGT_NOM", "BGT_CONTNAT", "BGT_CONTNAT_LABEL",
                "BGT_NATURE", "BGT_NATURE_LABEL", "BGT_FONCTION", "BGT_FONCTION_LABEL", "BGT_SECTION",
                "BGT_OPBUDG", "BGT_CODRD", "BGT_MTPREV", "BGT_MTREAL", "BGT_CODE_INSEE"]


def _read(name: str) -> list[dict[str, str]]:
    with (SOURCES / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@lru_cache(maxsize=1)
def nomenclature() -> tuple[dict[str, dict[str, str]], dict[str, str], dict[str, str]]:
    """(accounts by code, chapter labels, function labels) of the real M57 nomenclature."""
    accounts = {}
    for row in _read("m57_comptes.csv"):
        accounts.setdefault(row["code"], row)  # a few codes are listed twice, identically
    chapters = {row["code"]: row["libelle"] for row in _read("m57_chapitres.csv")}
    functions = {row["code"]: row["libelle"] for row in _read("m57_fonctions.csv")}
    return accounts, chapters, functions


def _chapter(nature: str, section: str, operation: str, sens: str) -> str:
    account = nomenclature()[0][nature]
    if operation == REEL:
        return account["chapitre_depense_reelle_DR" if sens == DEP else "chapitre_recette_reelle_RR"]
    if nature in ("021", "023"):
        return nature
    return account["chap_dep_ordre_entre_sections_DOES" if sens == DEP else "chap_rec_ordre_entre_sections_ROES"]


def _split(total: int, weights: list[float], rng: random.Random) -> list[int]:
    """``total`` cents shared along jittered weights; the last share takes the rounding, so sums are exact."""
    jittered = [w * rng.uniform(0.9, 1.1) for w in weights]
    norm = sum(jittered)
    parts = [round(total * w / norm) for w in jittered[:-1]]
    return parts + [total - sum(parts)]


def _real_totals(year_index: int) -> dict[tuple[str, str], int]:
    base = {(F, DEP): DRF_2019, (F, REC): RRF_2019, (I, DEP): DRI_2019, (I, REC): RRI_2019}
    return {key: round(value * GROWTH[key][year_index]) for key, value in base.items()}


def lines() -> pl.DataFrame:
    accounts, chapters, functions = nomenclature()
    rows = []
    for index, year in enumerate(YEARS):
        rng = random.Random(f"finances-{year}")
        totals = _real_totals(index)
        realised: dict[tuple, int] = {}
        for key, total in totals.items():
            group = [line for line in REAL_LINES if line[:2] == key]
            for line, cents in zip(group, _split(total, [w for *_, w in group], rng)):
                realised[(line[0], REEL, line[1], line[2], line[3])] = cents
        for section, sens, nature, fonction, cents in ORDRE_LINES:
            realised[(section, ORDRE, sens, nature, fonction)] = round(cents * (1 + 0.03 * index))
        for (section, operation, sens, nature, fonction), real in realised.items():
            rate = EXECUTION[(section, sens)] if operation == REEL else 1.0
            planned = round(real / (rate * rng.uniform(0.97, 1.03))) if operation == REEL else real
            chapter = _chapter(nature, section, operation, sens)
            common = (year, SIRET, NAME, chapter, chapters.get(chapter, accounts[nature]["libelle"]), nature,
                      accounts[nature]["libelle"], fonction, functions[fonction], section, operation, sens)
            rows.append((BP, *common, planned / 100, None, COMMUNE))
            rows.append((CA, *common, planned / 100, real / 100, COMMUNE))
    schema = {name: pl.String for name in LINE_COLUMNS}
    schema.update(BGT_ANNEE=pl.Int64, BGT_MTPREV=pl.Float64, BGT_MTREAL=pl.Float64)
    return pl.DataFrame(rows, schema=schema, orient="row")


# --- OFGL comparison aggregates ---------------------------------------------------------------------------

# (INSEE code, name, population 2024, OFGL stratum, per-inhabitant level relative to its stratum's average).
GPSO = [
    ("92012", "Boulogne-Billancourt", 121_500, "10", 1.06), ("92022", "Chaville", 20_600, "8", 0.90),
    ("92047", "Marnes-la-Coquette", 1_800, "3", 1.30), ("92048", "Meudon", 46_100, "8", 0.97),
    ("92072", "Sèvres", 23_500, "8", 0.95), ("92075", "Vanves", 27_800, "8", 0.93),
    ("92077", "Ville-d'Avray", 11_200, "7", 0.98),
]
# The other strata of the GPSO communes (OFGL population strata, as in the real export: 3 = 500 to 2,000
# inhabitants... 9 = 50,000 to 100,000): name, per-inhabitant level and debt relative to stratum 9.
OTHER_STRATA = {
    "3": ("Moyenne des communes de 500 à 2 000 habitants", 0.72, 0.50),
    "7": ("Moyenne des communes de 10 000 à 20 000 habitants", 0.84, 0.72),
    "8": ("Moyenne des communes de 20 000 à 50 000 habitants", 0.92, 0.86),
    "10": ("Moyenne des communes de 100 000 habitants et plus", 1.12, 1.18),
}
STRATUM = "9"
STRATUM_KEY = "moyenne-strate-9"
STRATUM_NAME = "Moyenne des communes de 50 000 à 100 000 habitants"
STRATUM_POPULATION_2024 = 66_400  # the average population of the stratum's communes (demonstration)
# Stratum averages of 2024, € per inhabitant (demonstration, except the published debt).
STRATUM_2024 = {
    "Recettes de fonctionnement": 1_520.0, "Dépenses de fonctionnement": 1_360.0, "Frais de personnel": 790.0,
    "Impôts locaux": 690.0, "Dotation globale de fonctionnement": 170.0, "Charges financières": 32.0,
    "Dépenses d'équipement": 360.0, "Remboursements d'emprunts hors GAD": 120.0,
    "Encours de dette": STRATUM_DEBT_PER_INHABITANT_2024,
}
AGGREGATES = ["Recettes de fonctionnement", "Dépenses de fonctionnement", "Epargne brute", "Epargne nette",
              "Frais de personnel", "Impôts locaux", "Dotation globale de fonctionnement", "Charges financières",
              "Dépenses d'équipement", "Remboursements d'emprunts hors GAD", "Dépenses d'investissement",
              "Recettes d'investissement", "Encours de dette", "Annuité de la dette"]
# Issy's debt outstanding relative to 2024 (low and slowly rising with the investment cycle).
ISSY_DEBT = [0.78, 0.80, 0.84, 0.90, 0.96, 1.00, 1.03]
OFGL_COLUMNS = ["Exercice", "Clé", "Code Insee 2024 Commune", "Nom 2024 Commune", "Strate population 2024",
                "Siret Budget", "Type de budget", "Agrégat", "Montant", "Population totale",
                "Montant en € par habitant", "Démonstration"]


def _luhn_digit(digits: str) -> str:
    """The check digit making ``digits`` + digit pass the Luhn test (as SIREN numbers do)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


def _siret(code: str) -> str:
    """A commune's SIRET in the format of Issy's: SIREN "21" + department on 3 digits + commune + check digit,
    then the NIC 00017 (plausible format, not checked against the SIRENE register)."""
    siren = f"21{code[:2]}0{code[2:]}"
    return siren + _luhn_digit(siren) + "00017"


def _derived(values: dict[str, float]) -> dict[str, float]:
    values["Epargne brute"] = values["Recettes de fonctionnement"] - values["Dépenses de fonctionnement"]
    values["Epargne nette"] = values["Epargne brute"] - values["Remboursements d'emprunts hors GAD"]
    values["Annuité de la dette"] = values["Charges financières"] + values["Remboursements d'emprunts hors GAD"]
    return values


# SCDL field -> canonical column of the catalog, for the aggregates computed as the page computes them.
CANONICAL = {"BGT_NATDEC": "document", "BGT_ANNEE": "annee", "BGT_SECTION": "section", "BGT_OPBUDG": "operation",
             "BGT_CODRD": "sens", "BGT_CONTNAT": "chapitre", "BGT_NATURE": "nature", "BGT_FONCTION": "fonction",
             "BGT_MTPREV": "montant_prevu", "BGT_MTREAL": "montant_realise"}


def _issy_aggregates(frame: pl.DataFrame) -> dict[int, dict[str, float]]:
    """Issy's OFGL aggregates (€) from its CA real lines, by the definitions of data_access.finances."""
    from data_access import finances as fin

    classified = fin.classify(frame.select(list(CANONICAL)).rename(CANONICAL)).lines
    out = {}
    for index, year in enumerate(YEARS):
        values = fin.aggregates_from_lines(fin.real_lines(classified, year, fin.CA))
        values["Encours de dette"] = DEBT_PER_INHABITANT_2024 * POPULATION[2024] * ISSY_DEBT[index]
        out[year] = values
    return out


def _stratum_per_inhabitant(year_index: int) -> dict[str, float]:
    drift = 1 + 0.022 * (year_index - 5)  # 2024 is index 5
    values = {name: value * drift for name, value in STRATUM_2024.items()}
    values["Encours de dette"] = STRATUM_DEBT_PER_INHABITANT_2024 * (1 - 0.012 * (year_index - 5))
    values["Dépenses d'investissement"] = values["Dépenses d'équipement"] * 1.12 + values[
        "Remboursements d'emprunts hors GAD"]
    values["Recettes d'investissement"] = values["Dépenses d'investissement"] * 0.85
    return _derived(values)


def _strata(year_index: int) -> dict[str, tuple[str, str, dict[str, float]]]:
    """{stratum code: (key, name, per-inhabitant averages)} of a year: stratum 9 and the GPSO communes' others."""
    base = _stratum_per_inhabitant(year_index)
    out = {STRATUM: (STRATUM_KEY, STRATUM_NAME, base)}
    for code, (name, level, debt) in OTHER_STRATA.items():
        values = {k: v * level for k, v in base.items() if k not in ("Epargne brute", "Epargne nette",
                                                                        "Annuité de la dette")}
        values["Encours de dette"] = base["Encours de dette"] * debt
        out[code] = (f"moyenne-strate-{code}", name, _derived(values))
    return out


def ofgl() -> pl.DataFrame:
    rows = []
    issy = _issy_aggregates(lines())
    for index, year in enumerate(YEARS):
        strata = _strata(index)
        growth = 1 + 0.004 * (index - 5)
        population = POPULATION[year]
        for name in AGGREGATES:
            value = issy[year][name]
            rows.append((year, SIRET, COMMUNE, NAME, STRATUM, SIRET, "Budget principal", name, round(value, 2),
                         population, value / population))
        for code, commune, population_2024, stratum_code, level in GPSO:
            rng = random.Random(f"ofgl-{code}-{year}")
            pop = round(population_2024 * growth)
            siret = _siret(code)
            stratum = strata[stratum_code][2]
            values = {k: v * level * rng.uniform(0.95, 1.05) for k, v in stratum.items()
                      if k not in ("Epargne brute", "Epargne nette", "Annuité de la dette")}
            values["Encours de dette"] = stratum["Encours de dette"] * level * rng.uniform(0.5, 0.9)
            values = _derived(values)
            for name in AGGREGATES:
                amount = round(values[name] * pop, 2)
                rows.append((year, siret, code, commune, stratum_code, siret, "Budget principal", name, amount, pop,
                             amount / pop))
        for code, (key, label, averages) in strata.items():
            for name in AGGREGATES:
                rows.append((year, key, None, label, code, None, "Budget principal", name, None, None,
                             averages[name]))
    schema = {name: pl.String for name in OFGL_COLUMNS}
    schema.update({"Exercice": pl.Int64, "Montant": pl.Float64, "Population totale": pl.Int64,
                   "Montant en € par habitant": pl.Float64, "Démonstration": pl.Boolean})
    frame = pl.DataFrame([(*row, True) for row in rows], schema=schema, orient="row")
    return frame.with_columns(pl.col("Montant en € par habitant").round(2))


# --- Investment projects (map) ----------------------------------------------------------------------------

# (title, M57 function, first year, last year, amount in € excl. VAT): demonstration projects of the kinds that
# the investment lines above finance (schools, sport, roads, green spaces...); places drawn inside Issy.
PROJECTS = [
    ("Rénovation énergétique d'un groupe scolaire", "212", 2019, 2021, 6_800_000),
    ("Extension d'une école élémentaire", "212", 2022, 2024, 9_400_000),
    ("Cours d'école végétalisées (« cours oasis »)", "212", 2021, 2025, 2_100_000),
    ("Restructuration d'un restaurant scolaire", "281", 2023, 2024, 1_900_000),
    ("Construction d'une crèche de 60 berceaux", "422", 2020, 2023, 5_600_000),
    ("Réhabilitation de la piscine municipale", "323", 2022, 2025, 11_800_000),
    ("Gymnase : toiture et isolation", "321", 2019, 2020, 1_450_000),
    ("Terrain de sport synthétique", "321", 2024, 2025, 1_100_000),
    ("Requalification d'une avenue (voirie et pistes cyclables)", "845", 2019, 2022, 7_300_000),
    ("Plan pluriannuel de réfection des chaussées", "845", 2019, 2025, 4_200_000),
    ("Zone de rencontre en centre-ville", "845", 2023, 2025, 2_600_000),
    ("Création d'un parc urbain", "511", 2021, 2024, 4_900_000),
    ("Plantation d'arbres d'alignement", "511", 2019, 2025, 950_000),
    ("Éclairage public à LED", "512", 2020, 2023, 2_300_000),
    ("Médiathèque : modernisation et accessibilité", "313", 2020, 2022, 2_750_000),
    ("Hôtel de ville : mise en accessibilité", "020", 2019, 2021, 1_250_000),
    ("Acquisition foncière pour un équipement public", "581", 2022, 2022, 3_400_000),
    ("Subvention pour la construction de logements sociaux", "555", 2021, 2024, 1_800_000),
    ("Vidéoprotection : extension du réseau", "11", 2023, 2025, 780_000),
    ("Maison de quartier : réhabilitation", "020", 2024, 2025, 1_350_000),
]
PROJECT_COLUMNS = ["projet", "intitule", "fonction", "fonction_libelle", "annee_debut", "annee_fin", "montant",
                   "statut", "lat", "lon", "commune_code", "demonstration"]


def projects(as_of: int = 2025) -> pl.DataFrame:
    """Investment projects of Issy (demonstration): place, function, years, amount, status at ``as_of``."""
    from data.demo.irve import random_point  # the shared "random point inside a commune" helper

    functions = nomenclature()[2]
    rng = random.Random("finances-projets")
    rows = []
    for number, (title, fonction, first, last, amount) in enumerate(PROJECTS, start=1):
        lat, lon = random_point(rng, COMMUNE, margin=0.001)
        status = "livré" if last < as_of else ("en travaux" if first <= as_of else "en études")
        rows.append((f"P{number:03d}", title, fonction, functions[fonction], first, last, float(amount), status,
                     lat, lon, COMMUNE, True))
    schema = {name: pl.String for name in PROJECT_COLUMNS}
    schema.update(annee_debut=pl.Int64, annee_fin=pl.Int64, montant=pl.Float64, lat=pl.Float64, lon=pl.Float64,
                  demonstration=pl.Boolean)
    return pl.DataFrame(rows, schema=schema, orient="row")
