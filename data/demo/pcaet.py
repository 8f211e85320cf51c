"""The climate plan (PCAET) of Grand Paris Seine Ouest: demonstration values on the real indicator definitions.

The indicators are the real regulatory PCAET ones of Territoires en Transitions (``data/sources/
pcaet-indicateurs-definitions_tet.csv``: identifier, title, unit, precision), plus three local indicators of
the municipalities' own assets, which are confidential. Everything else — the plan's axes, the values, the
targets — is generated, deterministically (``random.Random(SEED)``), and flagged ``demo`` in the catalog.

Published facts it reproduces: Issy-les-Moulineaux's territorial emissions (``cae_1.a``, commune 92040) are those
of its budget climat, 130.1 kteq CO2 in 2020 and 104.987 in 2024 (``data/demo/budget_climat.py``), 2021–2023
included. Targets follow the national ones where there is one: −40 % of greenhouse gases by 2030 against 2015
(SNBC), −20 % of final energy, renewables ×3, −50 % NOx (PREPA), −40 % energy of public buildings (décret
tertiaire).

Shape, as Territoires en Transitions stores it: one row per indicator × year × commune (``commune_code``) or
for the whole territory (``commune_code`` null, ``cle_commune`` "territoire"), holding the result and the
objective side by side; the reference is 2015 (its value is the 2015 result), the target year 2030; the
objective is the straight line from the reference to the target, on every year 2015–2030; results run to 2024
at most (2025 is not known yet), with gaps where the source is not yearly (air pollutants every two years,
sequestration every three). The territory's rows are the sum of the communes' (every unit here is additive).

``parent`` is the nearest ancestor of the indicator that is in the plan (the transport sector ``cae_1.e``
hangs from ``cae_1.k`` in the definitions, itself a child of ``cae_1.a``, which is the one in the plan).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from data.demo import budget_climat

SEED = 92_2015
REFERENCE_YEAR, TARGET_YEAR, LAST_RESULT_YEAR = 2015, 2030, 2024
TERRITORY_KEY = "territoire"  # cle_commune of the whole territory's rows (their commune_code is null)
DEFINITIONS = Path(__file__).resolve().parents[1] / "sources" / "pcaet-indicateurs-definitions_tet.csv"

# The 8 communes of GPSO and their populations (rounded): the default split of the territory's values.
POPULATION = {"92012": 121_000, "92040": 69_000, "92048": 45_000, "92075": 28_000, "92072": 23_000,
              "92022": 21_000, "92077": 11_000, "92047": 2_000}
ISSY = budget_climat.COMMUNE
# Woods and parks (ha), which hold the carbon sinks: the forests of Meudon and Fausses-Reposes, the parc de
# Saint-Cloud; the dense communes have parks only. Share of it that is forest, by commune.
GREEN_HA = {"92048": 780, "92047": 320, "92077": 300, "92022": 230, "92072": 210, "92012": 60, "92040": 45,
            "92075": 12}
FOREST_SHARE = {"92048": 0.92, "92047": 0.85, "92077": 0.90, "92022": 0.90, "92072": 0.85, "92012": 0.30,
                "92040": 0.25, "92075": 0.20}

AXES = {
    "1": "Sobriété énergétique et rénovation des bâtiments",
    "2": "Mobilités durables",
    "3": "Énergies renouvelables et de récupération",
    "4": "Qualité de l'air",
    "5": "Nature en ville et séquestration du carbone",
    "6": "Consommation responsable et déchets",
}
SOUS_AXES = {
    "1.1": "Trajectoire énergie-climat du territoire",
    "1.2": "Logements, bureaux et bâtiments publics",
    "2.1": "Réduire les émissions du trafic routier",
    "2.2": "Réduire la consommation d'énergie des transports",
    "3.1": "Production d'énergie renouvelable du territoire",
    "3.2": "Chaleur renouvelable et électricité solaire",
    "4.1": "Oxydes d'azote",
    "4.2": "Particules fines",
    "5.1": "Puits de carbone du territoire",
    "5.2": "Forêts et espaces boisés",
    "6.1": "Réduire les émissions liées aux déchets",
    "6.2": "Valoriser l'énergie des déchets",
}

ANNUAL = tuple(range(REFERENCE_YEAR, LAST_RESULT_YEAR + 1))
ROSE = "ROSE — inventaire énergie et GES d'Île-de-France (démonstration)"
ENR = "ROSE — production d'énergie renouvelable (démonstration)"
AIRPARIF = "Airparif — inventaire des émissions (démonstration)"
ALDO = "ADEME ALDO — séquestration carbone (démonstration)"
PATRIMOINE = "GPSO — suivi énergétique du patrimoine (démonstration, confidentiel)"
TRAJECTOIRE = "PCAET Grand Paris Seine Ouest — trajectoire cible (démonstration)"


@dataclass(frozen=True)
class Indicator:
    """How one indicator of the plan is generated.

    Three kinds: an independent indicator has a territory ``level`` in 2015 and a ``path`` (ratio to 2015 at
    a few years, linear in between) split between the communes by ``weights``; a sector breakdown is a
    ``share`` of its ``parent`` (2015 and 2024, linear in between; per commune where ``share_by_commune``
    says so); a total is the ``sum_of`` other indicators.
    """

    id: str
    sous_axe: str
    ordre: int
    years: tuple[int, ...]  # the years with a result
    source: str
    target: float | None = None  # target / reference in 2030; None: the plan sets no target
    level: float | None = None
    path: dict[int, float] = field(default_factory=dict)
    weights: dict[str, float] | None = None  # default: population
    spread: float = 0.03  # how much a commune's trend may differ from the territory's by the last year
    noise: float = 0.01  # year-to-year noise of a commune's value
    share: tuple[float, float] | None = None
    share_by_commune: dict[str, tuple[float, float]] = field(default_factory=dict)
    sum_of: tuple[str, ...] = ()
    parent: str | None = None
    comment: str | None = None  # on every row of the indicator
    # Local (non-regulatory) indicators carry their own definition; regulatory ones read it from the file.
    confidential: bool = False
    titre: str | None = None
    unite: str | None = None
    precision: int | None = None


PUBLIC = (
    Indicator("cae_1.a", "1.1", 1, ANNUAL, ROSE, target=0.60, level=640.0,
              path={2015: 1.0, 2019: 0.94, 2020: 0.875, 2021: 0.885, 2022: 0.85, 2023: 0.815, 2024: 0.787}),
    Indicator("cae_2.a", "1.1", 2, ANNUAL, ROSE, target=0.80, level=5_900.0,
              path={2015: 1.0, 2019: 0.97, 2020: 0.90, 2021: 0.95, 2022: 0.92, 2023: 0.93, 2024: 0.925}),
    Indicator("cae_1.c", "1.2", 1, ANNUAL, ROSE, target=0.55, parent="cae_1.a", share=(0.33, 0.31),
              share_by_commune={ISSY: (0.30, 0.30)}),
    Indicator("cae_1.d", "1.2", 2, ANNUAL, ROSE, target=0.55, parent="cae_1.a", share=(0.27, 0.28),
              share_by_commune={ISSY: (0.26, 0.275)}),
    Indicator("cae_2.e", "1.2", 3, ANNUAL, ROSE, target=0.75, parent="cae_2.a", share=(0.45, 0.44)),
    Indicator("cae_1.e", "2.1", 1, ANNUAL, ROSE, target=0.50, parent="cae_1.a", share=(0.30, 0.28),
              share_by_commune={ISSY: (0.29, 0.27)}),
    Indicator("cae_2.g", "2.2", 1, ANNUAL, ROSE, target=0.70, parent="cae_2.a", share=(0.22, 0.20)),
    Indicator("cae_3.a", "3.1", 1, ANNUAL[:-1], ENR, target=3.0, sum_of=("cae_24.a", "cae_25.a")),
    Indicator("cae_24.a", "3.2", 1, ANNUAL[:-1], ENR, target=2.8, parent="cae_3.a", level=52_000.0,
              path={2015: 1.0, 2018: 1.4, 2021: 2.0, 2023: 2.45}),
    Indicator("cae_25.a", "3.2", 2, ANNUAL[:-1], ENR, target=6.0, parent="cae_3.a", level=2_400.0,
              path={2015: 1.0, 2019: 1.8, 2023: 3.0}),
    Indicator("cae_4.a", "4.1", 1, ANNUAL[::2], AIRPARIF, target=0.50, level=1_500.0, spread=0.02,
              path={2015: 1.0, 2017: 0.88, 2019: 0.78, 2021: 0.60, 2023: 0.47}),
    Indicator("cae_4.b", "4.2", 1, ANNUAL[::2], AIRPARIF, target=0.60, level=260.0,
              path={2015: 1.0, 2017: 0.93, 2019: 0.86, 2021: 0.80, 2023: 0.76}),
    Indicator("cae_63.a", "5.1", 1, ANNUAL[::3], ALDO, target=1.0, level=-10.8, weights=GREEN_HA,
              spread=0.004, noise=0.003, path={2015: 1.0, 2018: 0.995, 2021: 1.004, 2024: 0.997},
              comment="Objectif : maintenir la séquestration de 2015"),
    Indicator("cae_63.b", "5.2", 1, ANNUAL[::3], ALDO, parent="cae_63.a", share=(0.0, 0.0),
              share_by_commune={c: (s, s) for c, s in FOREST_SHARE.items()},
              comment="Pas d'objectif chiffré dans le plan"),
    Indicator("cae_1.h", "6.1", 1, ANNUAL, ROSE, target=0.70, parent="cae_1.a", share=(0.03, 0.03),
              share_by_commune={ISSY: (0.10, 0.11)}),  # the Isséane waste-to-energy plant is in Issy
    Indicator("cae_2.j", "6.2", 1, ANNUAL, ROSE, target=0.90, parent="cae_2.a", share=(0.01, 0.01),
              share_by_commune={ISSY: (0.04, 0.04)}),
)

INTERNAL = (
    Indicator("local_patrimoine_conso", "1.2", 4, ANNUAL, PATRIMOINE, target=0.60, level=112.0,
              path={2015: 1.0, 2019: 0.93, 2020: 0.84, 2022: 0.80, 2023: 0.76, 2024: 0.74},
              confidential=True, titre="Consommation énergétique du patrimoine bâti communal", unite="GWh",
              precision=2, comment="Objectif du décret tertiaire : −40 % en 2030"),
    Indicator("local_eclairage_conso", "1.2", 5, tuple(y for y in ANNUAL if y != 2020), PATRIMOINE,
              target=0.50, level=21_000.0, path={2015: 1.0, 2019: 0.80, 2022: 0.62, 2024: 0.55},
              confidential=True, titre="Consommation d'électricité de l'éclairage public", unite="MWh",
              precision=0),
    Indicator("local_flotte_ges", "2.1", 2, ANNUAL, PATRIMOINE, target=0.50, level=3_200.0,
              path={2015: 1.0, 2018: 0.97, 2021: 0.90, 2024: 0.86}, confidential=True,
              titre="Émissions de gaz à effet de serre de la flotte de véhicules municipaux",
              unite="teq CO2", precision=0),
)

COLUMNS = {
    "axe": pl.String, "axe_titre": pl.String, "sous_axe": pl.String, "sous_axe_titre": pl.String,
    "ordre": pl.Int64, "indicateur": pl.String, "titre": pl.String, "unite": pl.String, "parent": pl.String,
    "precision": pl.Int64, "commune_code": pl.String, "cle_commune": pl.String, "annee": pl.Int64,
    "resultat": pl.Float64, "objectif": pl.Float64, "annee_reference": pl.Int64, "valeur_reference": pl.Float64,
    "annee_cible": pl.Int64, "valeur_cible": pl.Float64, "source": pl.String, "commentaire": pl.String,
    "confidentiel": pl.Boolean,
}


def definitions() -> dict[str, dict]:
    """The real regulatory definitions, by identifier: titre, unite, precision."""
    frame = pl.read_csv(DEFINITIONS, infer_schema=False)
    return {r["identifiantReferentiel"]: {"titre": r["titre"], "unite": r["unite"], "precision": int(r["precision"])}
            for r in frame.iter_rows(named=True)}


def _interpolate(points: dict[int, float], year: int) -> float:
    years = sorted(points)
    if year <= years[0]:
        return points[years[0]]
    for a, b in zip(years, years[1:]):
        if year <= b:
            return points[a] + (points[b] - points[a]) * (year - a) / (b - a)
    return points[years[-1]]


def issy_emissions(rng: random.Random) -> dict[int, float]:
    """Issy's cae_1.a in kteq CO2: the budget climat results from 2020, generated before (2015 → 2019)."""
    values = {2015: 146.0}
    for year in range(2016, 2020):
        values[year] = round(_interpolate({2015: 146.0, 2019: 138.5}, year) * (1 + rng.uniform(-0.006, 0.006)), 3)
    values.update({year: round(budget_climat.RESULTS[year] / 1000, 3) for year in range(2020, LAST_RESULT_YEAR + 1)})
    return values


def _independent(ind: Indicator, rng: random.Random) -> dict[str, dict[int, float]]:
    weights = ind.weights or POPULATION
    tilt = {c: weights[c] * (1 + rng.uniform(-0.1, 0.1)) for c in POPULATION}
    total = sum(tilt.values())
    values = {}
    last = max(ind.years)
    for commune in POPULATION:
        base = ind.level * tilt[commune] / total
        drift = rng.uniform(-ind.spread, ind.spread)
        values[commune] = {}
        for year in ind.years:
            ratio = _interpolate(ind.path, year) + drift * (year - REFERENCE_YEAR) / (last - REFERENCE_YEAR)
            noise = 1 + rng.uniform(-ind.noise, ind.noise) if year > REFERENCE_YEAR else 1.0
            values[commune][year] = round(base * ratio * noise, 3)
    return values


def _breakdown(ind: Indicator, parent: dict[str, dict[int, float]], rng: random.Random) -> dict[str, dict[int, float]]:
    values = {}
    for commune in POPULATION:
        start, end = ind.share_by_commune.get(commune, ind.share)
        tilt = 1.0 if commune in ind.share_by_commune else 1 + rng.uniform(-0.05, 0.05)
        values[commune] = {}
        for year in ind.years:
            share = _interpolate({REFERENCE_YEAR: start, LAST_RESULT_YEAR: end}, year) * tilt
            values[commune][year] = round(parent[commune][year] * share * (1 + rng.uniform(-0.004, 0.004)), 3)
    return values


def _values(rng: random.Random) -> dict[str, dict[str, dict[int, float]]]:
    """Per indicator, per commune, per year: the results. Totals come last, breakdowns after their parent."""
    values: dict[str, dict[str, dict[int, float]]] = {}
    indicators = PUBLIC + INTERNAL
    for ind in indicators:
        if ind.level is not None:
            values[ind.id] = _independent(ind, rng)
    values["cae_1.a"][ISSY] = issy_emissions(rng)
    for ind in indicators:
        if ind.share is not None:
            values[ind.id] = _breakdown(ind, values[ind.parent], rng)
    for ind in indicators:
        if ind.sum_of:
            values[ind.id] = {c: {y: round(sum(values[part][c][y] for part in ind.sum_of), 3) for y in ind.years}
                              for c in POPULATION}
    for series in values.values():  # the territory is the sum of its communes
        series[None] = {y: round(sum(series[c][y] for c in POPULATION), 3) for y in next(iter(series.values()))}
    return values


def _rows(ind: Indicator, series: dict[str | None, dict[int, float]], definition: dict) -> list[dict]:
    rows = []
    axe = ind.sous_axe.split(".")[0]
    for commune, results in series.items():
        reference = results[REFERENCE_YEAR]
        target = None if ind.target is None else round(reference * ind.target, 3)
        for year in range(REFERENCE_YEAR, TARGET_YEAR + 1):
            result = results.get(year)
            objective = None if target is None else round(
                reference + (target - reference) * (year - REFERENCE_YEAR) / (TARGET_YEAR - REFERENCE_YEAR), 3)
            if result is None and objective is None:
                continue
            comment = ind.comment
            source = ind.source if result is not None else TRAJECTOIRE
            if ind.id == "cae_1.a" and commune == ISSY and result is not None and year >= budget_climat.REFERENCE_YEAR:
                source = "Ville d'Issy-les-Moulineaux — budget climat"
                comment = ("Chiffre publié (budget climat)" if year in (2020, 2024)
                           else "Déduit des chiffres publiés du budget climat" if year in (2021, 2023)
                           else "Budget climat (démonstration)")
            elif year == 2020 and result is not None and ind.source == ROSE:
                comment = "Année de crise sanitaire : activité et trafic réduits"
            rows.append({
                "axe": axe, "axe_titre": AXES[axe], "sous_axe": ind.sous_axe, "sous_axe_titre": SOUS_AXES[ind.sous_axe],
                "ordre": ind.ordre, "indicateur": ind.id, "titre": definition["titre"], "unite": definition["unite"],
                "parent": ind.parent, "precision": definition["precision"], "commune_code": commune,
                "cle_commune": commune or TERRITORY_KEY, "annee": year, "resultat": result, "objectif": objective,
                "annee_reference": REFERENCE_YEAR, "valeur_reference": reference,
                "annee_cible": None if target is None else TARGET_YEAR, "valeur_cible": target,
                "source": source, "commentaire": comment, "confidentiel": ind.confidential,
            })
    return rows


def generate() -> tuple[pl.DataFrame, pl.DataFrame]:
    """(public indicators, confidential indicators), one row per indicator × commune (or territory) × year."""
    rng = random.Random(SEED)
    values = _values(rng)
    regulatory = definitions()
    frames = []
    for indicators in (PUBLIC, INTERNAL):
        rows = []
        for ind in indicators:
            definition = regulatory.get(ind.id) or {"titre": ind.titre, "unite": ind.unite, "precision": ind.precision}
            rows += _rows(ind, values[ind.id], definition)
        frame = pl.DataFrame(rows, schema=COLUMNS, orient="row")
        frames.append(frame.sort(["axe", "sous_axe", "ordre", "cle_commune", "annee"]))
    return frames[0], frames[1]
