"""Queries of the financial report: budget lines in the SCDL budget schema, comparison aggregates in the
OFGL schema, investment projects. Pure frame functions first, then their memoised wrappers.

Conventions of the analysts, followed here:

- only **real** operations count (``réel``): ordre operations (amortisation, transfers between sections)
  move no money and would count it twice;
- the **budget primitif** (BP) is read in its voted credits (``montant_prevu``), the **compte administratif**
  (CA) in its realisations (``montant_realise``); the execution rate is CA realised / credits voted;
- ratios are computed on the OFGL aggregates (the accounts, i.e. the CA) of the commune and of the average
  of the communes of the same size (OFGL "strate"), so that both sides follow the same definitions.

Published files spell the same things in several ways ("Fonctionnement", "F", "réel", "Réelle", "R"...):
:func:`classify` maps them to one code each and sets aside (and counts) the lines it cannot classify,
instead of guessing. A line without a chapter gets the chapter of its account in the real M57 nomenclature.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import polars as pl

from data_access.cache import query

SOURCES = Path(__file__).resolve().parents[1] / "data" / "sources"
LINES, OFGL, PROJECTS = "finance.budget_lines", "finance.aggregates", "finance.projects"  # dataset roles

BP, CA = "budget primitif", "compte administratif"
DOCUMENTS = {"bp": BP, "ca": CA}  # URL value -> SCDL BGT_NATDEC
F, I = "F", "I"
DEP, REC = "D", "R"
SECTION_LABELS = {F: "Fonctionnement", I: "Investissement"}
SENS_LABELS = {DEP: "Dépenses", REC: "Recettes"}
FLOW_LABELS = {(F, REC): "Recettes de fonctionnement", (F, DEP): "Dépenses de fonctionnement",
               (I, REC): "Recettes d'investissement", (I, DEP): "Dépenses d'investissement"}
NO_FUNCTION = "—"


# ------------------------------------------------------------------------------------------ nomenclature


def _read(name: str) -> list[dict[str, str]]:
    with (SOURCES / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@dataclass(frozen=True)
class Nomenclature:
    """The M57 plan of accounts: accounts (with the chapter of each kind of operation), chapters, functions."""

    accounts: Mapping[str, Mapping[str, str]]
    chapters: Mapping[str, Mapping[str, str]]
    functions: Mapping[str, Mapping[str, str]]

    def chapter_of(self, nature: str, sens: str) -> str | None:
        account = self.accounts.get(nature)
        if account is None:
            return None
        return account["chapitre_depense_reelle_DR" if sens == DEP else "chapitre_recette_reelle_RR"] or None

    def top_function(self, code: str | None) -> str | None:
        """The level-1 function (0 to 9) of a function code, walking up the M57 tree."""
        seen = set()
        while code and code in self.functions and code not in seen:
            seen.add(code)
            parent = self.functions[code]["parent_code"]
            if not parent:
                return code
            code = parent
        return None

    def function_label(self, code: str | None) -> str:
        row = self.functions.get(code or "")
        return row["libelle"] if row else "Fonction non renseignée"

    def chapter_label(self, code: str | None) -> str:
        row = self.chapters.get(code or "")
        return row["libelle"] if row else f"Chapitre {code}" if code else "Chapitre non renseigné"


@lru_cache(maxsize=1)
def nomenclature() -> Nomenclature:
    accounts: dict[str, dict[str, str]] = {}
    for row in _read("m57_comptes.csv"):
        accounts.setdefault(row["code"], row)  # a few codes are listed twice, identically
    chapters = {row["code"]: row for row in _read("m57_chapitres.csv")}
    functions = {row["code"]: row for row in _read("m57_fonctions.csv")}
    return Nomenclature(accounts, chapters, functions)


# ------------------------------------------------------------------------------------------ classification


def _key(value) -> str:
    """Lower case, no accents, no spaces: "Réelle " -> "reelle"."""
    text = unicodedata.normalize("NFKD", str(value or "")).encode("ascii", "ignore").decode()
    return "".join(text.lower().split())


_SECTIONS = {"fonctionnement": F, "f": F, "investissement": I, "i": I}
_OPERATIONS = {"reel": True, "reelle": True, "reelles": True, "r": True, "0": True,
               "ordre": False, "o": False, "1": False, "ordrebudgetaire": False}
_SENS = {"depense": DEP, "depenses": DEP, "d": DEP, "1": DEP, "recette": REC, "recettes": REC, "r": REC, "0": REC}


@dataclass(frozen=True)
class Classified:
    lines: pl.DataFrame  # classified lines: section F/I, reel bool, sens D/R, chapitre, fonction_groupe
    rejected: pl.DataFrame  # lines that could not be classified, with the reason


def classify(lines: pl.DataFrame, m57: Nomenclature | None = None) -> Classified:
    """Section, real/ordre, direction, chapter and level-1 function of each budget line."""
    m57 = m57 or nomenclature()
    rows, rejected = [], []
    for row in lines.iter_rows(named=True):
        sens = _SENS.get(_key(row.get("sens")))
        real = _OPERATIONS.get(_key(row.get("operation")))
        chapter = (row.get("chapitre") or "").strip() or (m57.chapter_of(row.get("nature") or "", sens) if sens else None)
        section = _SECTIONS.get(_key(row.get("section")))
        if section is None and chapter in m57.chapters:
            section = m57.chapters[chapter]["section"] or None  # the chapter says which section it belongs to
        reason = ("sens (recette ou dépense) inconnu" if sens is None else
                  "opération (réelle ou d'ordre) inconnue" if real is None else
                  "section inconnue" if section is None else None)
        if reason:
            rejected.append({**row, "motif": reason})
            continue
        top = m57.top_function(row.get("fonction"))
        rows.append({**row, "section": section, "reel": real, "sens": sens, "chapitre": chapter,
                     "chapitre_libelle": row.get("chapitre_libelle") or m57.chapter_label(chapter),
                     "fonction_groupe": top or NO_FUNCTION,
                     "fonction_groupe_libelle": m57.function_label(top),
                     "fonction_libelle": row.get("fonction_libelle") or m57.function_label(row.get("fonction")),
                     "nature_libelle": row.get("nature_libelle") or
                     (m57.accounts.get(row.get("nature") or "", {}).get("libelle") or f"Compte {row.get('nature')}")})
    schema = {**dict(lines.schema), "reel": pl.Boolean, "chapitre": pl.String, "chapitre_libelle": pl.String,
              "nature_libelle": pl.String, "fonction_libelle": pl.String, "fonction_groupe": pl.String,
              "fonction_groupe_libelle": pl.String}
    classified = pl.DataFrame(rows, schema=schema) if rows else pl.DataFrame(schema=schema)
    reject_schema = {**dict(lines.schema), "motif": pl.String}
    return Classified(classified, pl.DataFrame(rejected, schema=reject_schema) if rejected
                      else pl.DataFrame(schema=reject_schema))


def amount_column(document: str) -> str:
    return "montant_realise" if document == CA else "montant_prevu"


def real_lines(lines: pl.DataFrame, year: int, document: str) -> pl.DataFrame:
    """Real lines of one document of one year, with their amount in ``montant`` (null amounts dropped)."""
    return (lines.filter(pl.col("reel"), pl.col("annee") == year, pl.col("document") == document)
            .with_columns(pl.col(amount_column(document)).alias("montant"))
            .filter(pl.col("montant").is_not_null()))


def totals(real: pl.DataFrame) -> dict[tuple[str, str], float]:
    """{(section, sens): amount} of real lines; every key present (0 when nothing)."""
    sums = {(s, d): float(v) for s, d, v in real.group_by("section", "sens").agg(pl.col("montant").sum()).iter_rows()}
    return {(s, d): sums.get((s, d), 0.0) for s in (F, I) for d in (DEP, REC)}


def breakdown(real: pl.DataFrame, sens: str, by: str) -> pl.DataFrame:
    """Amounts of one direction by section, then group (chapter or level-1 function), then detail (account
    or function): section, groupe, groupe_libelle, detail, detail_libelle, montant; largest first."""
    group, detail = (("chapitre", "nature") if by == "nature" else ("fonction_groupe", "fonction"))
    frame = real.filter(pl.col("sens") == sens).with_columns(pl.col("fonction").fill_null(NO_FUNCTION))
    return (frame.group_by("section", group, detail)
            .agg(pl.col(f"{group}_libelle").first().alias("groupe_libelle"),
                 pl.col(f"{detail}_libelle").first().alias("detail_libelle"), pl.col("montant").sum())
            .rename({group: "groupe", detail: "detail"})
            .select("section", "groupe", "groupe_libelle", "detail", "detail_libelle", "montant")
            .sort(["section", "montant"], descending=[False, True]))


def _per_flow(value) -> list[pl.Expr]:
    """One column per real flow (df, rf, di, ri): ``value(mask)``, where mask selects the flow's lines."""
    return [value((pl.col("section") == s) & (pl.col("sens") == d)).alias(f"{d}{s}".lower())
            for s in (F, I) for d in (DEP, REC)]


def evolution(lines: pl.DataFrame, document: str) -> pl.DataFrame:
    """Per year: real revenue and spending of each section, and the épargne brute (RRF − DRF)."""
    column = amount_column(document)
    real = lines.filter(pl.col("reel"), pl.col("document") == document, pl.col(column).is_not_null())
    wide = real.group_by("annee").agg(*_per_flow(lambda mask: pl.col(column).filter(mask).sum())).sort("annee")
    return wide.with_columns((pl.col("rf") - pl.col("df")).alias("epargne_brute"))


def execution(lines: pl.DataFrame, year: int) -> pl.DataFrame:
    """Credits voted and realised (CA) by section and direction, and the execution rate in %."""
    ca = lines.filter(pl.col("reel"), pl.col("annee") == year, pl.col("document") == CA)
    frame = (ca.group_by("section", "sens")
             .agg(pl.col("montant_prevu").sum().alias("prevu"), pl.col("montant_realise").sum().alias("realise"))
             .with_columns(pl.when(pl.col("prevu") > 0).then(pl.col("realise") / pl.col("prevu") * 100)
                           .alias("taux")))
    order = [(F, REC), (F, DEP), (I, REC), (I, DEP)]
    rows = {(s, d): (p, r, t) for s, d, p, r, t in frame.iter_rows()}
    return pl.DataFrame(
        [{"section": s, "sens": d, "flux": FLOW_LABELS[(s, d)], "prevu": rows[(s, d)][0],
          "realise": rows[(s, d)][1], "taux": rows[(s, d)][2]} for s, d in order if (s, d) in rows],
        schema={"section": pl.String, "sens": pl.String, "flux": pl.String, "prevu": pl.Float64,
                "realise": pl.Float64, "taux": pl.Float64})


def execution_by_year(lines: pl.DataFrame) -> pl.DataFrame:
    """Execution rate (%) of each real flow, per year of compte administratif: annee, df, rf, di, ri."""
    ca = lines.filter(pl.col("reel"), pl.col("document") == CA)
    rate = lambda mask: (pl.col("montant_realise").filter(mask).sum()  # noqa: E731
                         / pl.col("montant_prevu").filter(mask).sum() * 100)
    return (ca.group_by("annee").agg(*_per_flow(rate))
            .with_columns(pl.all().exclude("annee").fill_nan(None)).sort("annee"))


# ------------------------------------------------------------------------------------------ aggregates, ratios


def aggregates_from_lines(real: pl.DataFrame) -> dict[str, float]:
    """OFGL aggregates (same names) of one year's real lines, in €: what OFGL computes from the accounts.

    Dépenses d'équipement: chapters 20, 21, 23 and 204 (subventions d'équipement versées); remboursements
    d'emprunts hors GAD: chapter 16 without refinancing (166) and drawing lines (16449), the moves of
    active debt management."""

    def total(*conditions: pl.Expr) -> float:
        return float(real.filter(*conditions)["montant"].sum())

    section, sens, chapter, nature = pl.col("section"), pl.col("sens"), pl.col("chapitre"), pl.col("nature")
    values = {
        "Recettes de fonctionnement": total(section == F, sens == REC),
        "Dépenses de fonctionnement": total(section == F, sens == DEP),
        "Frais de personnel": total(section == F, sens == DEP, chapter == "012"),
        "Impôts locaux": total(section == F, sens == REC, nature.str.starts_with("7311")),
        "Dotation globale de fonctionnement": total(section == F, sens == REC, nature.str.starts_with("741")),
        "Charges financières": total(section == F, sens == DEP, chapter == "66"),
        "Dépenses d'équipement": total(section == I, sens == DEP, chapter.is_in(["20", "21", "23", "204"])),
        "Remboursements d'emprunts hors GAD": total(section == I, sens == DEP, chapter == "16",
                                                    ~nature.is_in(["166", "16449"])),
        "Dépenses d'investissement": total(section == I, sens == DEP),
        "Recettes d'investissement": total(section == I, sens == REC),
    }
    values["Epargne brute"] = values["Recettes de fonctionnement"] - values["Dépenses de fonctionnement"]
    values["Epargne nette"] = values["Epargne brute"] - values["Remboursements d'emprunts hors GAD"]
    values["Annuité de la dette"] = values["Charges financières"] + values["Remboursements d'emprunts hors GAD"]
    return values


@dataclass(frozen=True)
class Ratio:
    key: str
    label: str
    unit: str  # "€/hab.", "%", "années", "€"
    value: float | None
    definition: str
    reference: str  # "CGCT R2313-1, 1°" or "analyse financière"


# (key, label, unit, definition, reference); the values are computed by ratios() from the aggregates.
RATIO_DEFINITIONS = [
    ("epargne_brute", "Épargne brute", "€/hab.",
     "Recettes réelles de fonctionnement moins dépenses réelles de fonctionnement : ce que la section de "
     "fonctionnement dégage pour investir et rembourser la dette.", "analyse financière"),
    ("taux_epargne_brute", "Taux d'épargne brute", "%",
     "Épargne brute / recettes réelles de fonctionnement.", "analyse financière"),
    ("epargne_nette", "Épargne nette", "€/hab.",
     "Épargne brute moins le remboursement en capital de la dette (hors gestion active) : l'autofinancement "
     "qui reste pour investir.", "analyse financière"),
    ("desendettement", "Capacité de désendettement", "années",
     "Encours de la dette au 31 décembre / épargne brute : années qu'il faudrait pour rembourser toute la dette "
     "en y consacrant toute l'épargne brute (non calculable si l'épargne brute est nulle ou négative).",
     "analyse financière (loi de programmation 2018–2022 : 12 ans pour les communes)"),
    ("drf_hab", "Dépenses réelles de fonctionnement / population", "€/hab.",
     "Dépenses réelles de fonctionnement par habitant.", "CGCT R2313-1, 1°"),
    ("impots_hab", "Produit des impositions directes / population", "€/hab.",
     "Impôts locaux (contributions directes) par habitant.", "CGCT R2313-1, 2°"),
    ("rrf_hab", "Recettes réelles de fonctionnement / population", "€/hab.",
     "Recettes réelles de fonctionnement par habitant.", "CGCT R2313-1, 3°"),
    ("equipement_hab", "Dépenses d'équipement brut / population", "€/hab.",
     "Immobilisations incorporelles, corporelles, en cours et subventions d'équipement versées (chapitres 20, "
     "21, 23 et 204) par habitant.", "CGCT R2313-1, 4°"),
    ("encours_hab", "Encours de la dette / population", "€/hab.",
     "Capital restant dû au 31 décembre par habitant.", "CGCT R2313-1, 5°"),
    ("dgf_hab", "Dotation globale de fonctionnement / population", "€/hab.",
     "Dotation globale de fonctionnement versée par l'État, par habitant.", "CGCT R2313-1, 6°"),
    ("personnel_drf", "Dépenses de personnel / dépenses réelles de fonctionnement", "%",
     "Part des charges de personnel (chapitre 012) dans les dépenses réelles de fonctionnement.",
     "CGCT R2313-1, 7°"),
    ("marge", "Dépenses réelles de fonctionnement et remboursement de la dette en capital / recettes réelles "
     "de fonctionnement", "%",
     "Au-delà de 100 %, les recettes courantes ne couvrent plus les dépenses courantes et la dette.",
     "CGCT R2313-1, 9°"),
    ("equipement_rrf", "Dépenses d'équipement brut / recettes réelles de fonctionnement", "%",
     "Effort d'équipement rapporté à la richesse courante.", "CGCT R2313-1, 10°"),
    ("encours_rrf", "Encours de la dette / recettes réelles de fonctionnement", "%",
     "Poids de la dette rapporté aux recettes courantes.", "CGCT R2313-1, 11°"),
]
# R2313-1 8° (coefficient de mobilisation du potentiel fiscal) needs the potentiel fiscal, in no dataset here.
RATIO_8_NOTE = ("Le ratio 8° (coefficient de mobilisation du potentiel fiscal) n'est pas affiché : il demande le "
                "potentiel fiscal de la commune, que ni les comptes ni les agrégats OFGL ne donnent.")
# CGCT R2313-1: ratios 1° to 6° from 3,500 inhabitants, 7° to 11° from 10,000.
THRESHOLDS = {"drf_hab": 3_500, "impots_hab": 3_500, "rrf_hab": 3_500, "equipement_hab": 3_500,
              "encours_hab": 3_500, "dgf_hab": 3_500, "personnel_drf": 10_000, "marge": 10_000,
              "equipement_rrf": 10_000, "encours_rrf": 10_000}


def _div(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


def ratios(aggregates: Mapping[str, float | None], population: float | None = 1) -> list[Ratio]:
    """The ratios of one commune (aggregates in €, population) or of a stratum (aggregates already per
    inhabitant: population 1). Missing inputs give None, never an error."""
    a = {name: aggregates.get(name) for name in (
        "Recettes de fonctionnement", "Dépenses de fonctionnement", "Frais de personnel", "Impôts locaux",
        "Dotation globale de fonctionnement", "Dépenses d'équipement", "Remboursements d'emprunts hors GAD",
        "Encours de dette")}
    rrf, drf = a["Recettes de fonctionnement"], a["Dépenses de fonctionnement"]
    repay, debt, equip = a["Remboursements d'emprunts hors GAD"], a["Encours de dette"], a["Dépenses d'équipement"]
    gross = None if rrf is None or drf is None else rrf - drf
    net = None if gross is None or repay is None else gross - repay
    per = lambda value: _div(value, population)  # noqa: E731
    pct = lambda x, y: None if _div(x, y) is None else _div(x, y) * 100  # noqa: E731
    values = {
        "epargne_brute": per(gross), "taux_epargne_brute": pct(gross, rrf), "epargne_nette": per(net),
        "desendettement": _div(debt, gross) if gross is not None and gross > 0 else None,
        "drf_hab": per(drf), "impots_hab": per(a["Impôts locaux"]), "rrf_hab": per(rrf),
        "equipement_hab": per(equip), "encours_hab": per(debt), "dgf_hab": per(a["Dotation globale de fonctionnement"]),
        "personnel_drf": pct(a["Frais de personnel"], drf),
        "marge": pct(None if drf is None or repay is None else drf + repay, rrf),
        "equipement_rrf": pct(equip, rrf), "encours_rrf": pct(debt, rrf),
    }
    return [Ratio(key, label, unit, values[key], definition, reference)
            for key, label, unit, definition, reference in RATIO_DEFINITIONS]


def _principal(rows: pl.DataFrame) -> pl.DataFrame:
    """A commune's principal budget, not its annex budgets (water, car parks...), when the export says which."""
    if "type_budget" not in rows.columns:
        return rows
    return rows.filter(pl.col("type_budget").is_null() | (pl.col("type_budget") == "Budget principal"))


def ofgl_aggregates(ofgl: pl.DataFrame, key: str, year: int, per_inhabitant: bool) -> tuple[dict[str, float], int | None]:
    """({agrégat: amount}, population) of one OFGL key (a commune's INSEE code, or the stratum key) and year;
    per inhabitant for a stratum (its rows have no total amount)."""
    rows = _principal(ofgl.filter(pl.col("exercice") == year,
                                  (pl.col("commune_code") == key) | (pl.col("cle") == key)))
    column = "montant_par_habitant" if per_inhabitant else "montant"
    values = {name: value for name, value in rows.select("agregat", column).iter_rows() if value is not None}
    populations = rows["population"].drop_nulls()
    return values, int(populations[0]) if populations.len() else None


def comparison(ofgl: pl.DataFrame, commune: str, stratum_key: str, year: int) -> pl.DataFrame:
    """One row per ratio: label, unit, the commune's value, the stratum's, the gap, definition, reference."""
    mine, population = ofgl_aggregates(ofgl, commune, year, per_inhabitant=False)
    theirs, _ = ofgl_aggregates(ofgl, stratum_key, year, per_inhabitant=True)
    rows = []
    for own, avg in zip(ratios(mine, population), ratios(theirs, 1)):
        applies = population is None or population >= THRESHOLDS.get(own.key, 0)
        gap = None if own.value is None or avg.value is None or avg.value == 0 else (own.value / avg.value - 1) * 100
        rows.append({"cle": own.key, "ratio": own.label, "unite": own.unit, "commune": own.value if applies else None,
                     "strate": avg.value, "ecart_pct": gap if applies else None, "definition": own.definition,
                     "reference": own.reference})
    return pl.DataFrame(rows, schema={"cle": pl.String, "ratio": pl.String, "unite": pl.String,
                                      "commune": pl.Float64, "strate": pl.Float64, "ecart_pct": pl.Float64,
                                      "definition": pl.String, "reference": pl.String})


PEER_RATIOS = ("epargne_brute", "equipement_hab", "encours_hab")


def peers(ofgl: pl.DataFrame, communes: Mapping[str, str], year: int) -> pl.DataFrame:
    """A few per-inhabitant ratios of every commune of the territory in ``year``: commune, nom, population and
    one column per key of PEER_RATIOS (communes without accounts that year are left out)."""
    rows = []
    for code, name in communes.items():
        aggregates, population = ofgl_aggregates(ofgl, code, year, per_inhabitant=False)
        if not aggregates or not population:
            continue
        values = {r.key: r.value for r in ratios(aggregates, population)}
        rows.append({"commune": code, "nom": name, "population": population, **{k: values[k] for k in PEER_RATIOS}})
    schema = {"commune": pl.String, "nom": pl.String, "population": pl.Int64, **{k: pl.Float64 for k in PEER_RATIOS}}
    return pl.DataFrame(rows, schema=schema).sort("population", descending=True)


def ofgl_evolution(ofgl: pl.DataFrame, commune: str) -> pl.DataFrame:
    """The same columns as :func:`evolution`, from a commune's OFGL aggregates (accounts: CA only)."""
    names = {"Recettes de fonctionnement": "rf", "Dépenses de fonctionnement": "df",
             "Recettes d'investissement": "ri", "Dépenses d'investissement": "di", "Epargne brute": "epargne_brute"}
    rows = _principal(ofgl.filter(pl.col("commune_code") == commune, pl.col("agregat").is_in(list(names))))
    if rows.is_empty():
        return pl.DataFrame(schema={"annee": pl.Int64, **{c: pl.Float64 for c in ("df", "rf", "di", "ri", "epargne_brute")}})
    wide = (rows.with_columns(pl.col("agregat").replace_strict(names)).pivot(
        on="agregat", index="exercice", values="montant", aggregate_function="sum").rename({"exercice": "annee"}))
    for column in names.values():
        if column not in wide.columns:
            wide = wide.with_columns(pl.lit(None, dtype=pl.Float64).alias(column))
    return wide.select("annee", "df", "rf", "di", "ri", "epargne_brute").sort("annee")


def populations(ofgl: pl.DataFrame, commune: str) -> dict[int, int]:
    """{year: population} of a commune (OFGL "Population totale")."""
    rows = ofgl.filter(pl.col("commune_code") == commune, pl.col("population").is_not_null())
    return {int(y): int(p) for y, p in rows.group_by("exercice").agg(pl.col("population").first()).iter_rows()}


def stratum_of(ofgl: pl.DataFrame, commune: str) -> tuple[str | None, str | None]:
    """(stratum key, stratum name) of the average row sharing the commune's OFGL stratum, if published."""
    codes = ofgl.filter(pl.col("commune_code") == commune)["strate"].drop_nulls()
    if codes.is_empty():
        return None, None
    averages = ofgl.filter(pl.col("commune_code").is_null(), pl.col("strate") == codes[0])
    if averages.is_empty():
        return None, None
    row = averages.row(0, named=True)
    return row["cle"], row["commune_nom"]


def projects_in(projects: pl.DataFrame, commune: str, year: int) -> pl.DataFrame:
    """Projects of a commune under way during ``year`` (started, not finished before), largest first."""
    m57 = nomenclature()
    rows = projects.filter(pl.col("commune_code") == commune, pl.col("annee_debut") <= year,
                           pl.col("annee_fin") >= year)
    return (rows.with_columns(
        pl.col("fonction").map_elements(lambda c: m57.function_label(m57.top_function(c)), return_dtype=pl.String)
        .alias("fonction_groupe_libelle"))
        .sort("montant", descending=True))


# ------------------------------------------------------------------------------------------ memoised reads


@query(LINES)
def classified_lines(ctx) -> Classified:
    return classify(ctx.role_frame(LINES))


@query(LINES)
def line_years(ctx, commune: str) -> dict[str, list[int]]:
    """{document: years with lines} of a commune (empty when it publishes no budget lines)."""
    lines = classified_lines(ctx).lines.filter(pl.col("commune_code") == commune)
    return {doc: sorted(lines.filter(pl.col("document") == doc)["annee"].unique().to_list()) for doc in (BP, CA)}


@query(LINES)
def commune_lines(ctx, commune: str) -> pl.DataFrame:
    return classified_lines(ctx).lines.filter(pl.col("commune_code") == commune)


@query(OFGL)
def ofgl(ctx) -> pl.DataFrame:
    return ctx.role_frame(OFGL)


@query(PROJECTS)
def projects(ctx, commune: str, year: int) -> pl.DataFrame:
    return projects_in(ctx.role_frame(PROJECTS), commune, year)
