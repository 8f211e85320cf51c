"""Figure builders and summary sentences of the financial report: pure ``(frame, options) -> figure | str``.

Amounts arrive in euros; a :class:`Scale` says how they are shown: millions of euros for the whole budget
(one decimal, as financial reports round), euros per inhabitant for the per-inhabitant view.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
import polars as pl

from components.figures.climat import YEAR_AXIS
from components.formats import fmt_number, fmt_percent, fmt_unit
from components.maps import LEGEND_BELOW, positions
from components.theme import COLORS, COLORWAY
from data_access.finances import DEP, F, I, REC, SECTION_LABELS


@dataclass(frozen=True)
class Scale:
    divisor: float
    unit: str
    decimals: int

    def value(self, euros: float | None) -> float | None:
        return None if euros is None else euros / self.divisor

    def text(self, euros: float | None) -> str:
        return fmt_unit(self.value(euros), self.unit, self.decimals)


MILLIONS = Scale(1_000_000, "M€", 1)
SECTION_COLORS = {F: COLORS["primary"], I: "#d4a017"}  # fonctionnement, investissement


def per_inhabitant(population: int) -> Scale:
    return Scale(float(population), "€/hab.", 0)


def scaled(frame: pl.DataFrame, columns: list[str], scale: Scale) -> pl.DataFrame:
    return frame.with_columns([(pl.col(c) / scale.divisor).alias(c) for c in columns])


def _hover(scale: Scale) -> str:
    return f"%{{y:,.{scale.decimals}f}} {scale.unit}"


# ------------------------------------------------------------------------------------------ where from / to


def flow_bars(parts: pl.DataFrame) -> pl.DataFrame:
    """One row per group (chapter, or level-1 function) and section, largest first; a label that both
    sections share says its section (« Enseignement (investissement) »)."""
    groups = (parts.group_by("section", "groupe", "groupe_libelle").agg(pl.col("montant").sum())
              .sort(["montant", "groupe"], descending=[True, False]))
    shared = groups.group_by("groupe_libelle").len().filter(pl.col("len") > 1)["groupe_libelle"].to_list()
    return groups.with_columns(pl.when(pl.col("groupe_libelle").is_in(shared))
                               .then(pl.format("{} ({})", "groupe_libelle",
                                               pl.col("section").replace_strict(SECTION_LABELS).str.to_lowercase()))
                               .otherwise(pl.col("groupe_libelle")).alias("libelle"))


BAR_ROW = 44  # px per bar: the bar, and its label above it


def flows_figure(parts: pl.DataFrame, root: str, scale: Scale) -> go.Figure:
    """Labelled horizontal bars, the largest on top, one colour per section: each label above its bar (the
    full width for long account names, on a phone too), each amount at the end of its bar; the accounts and
    sub-functions are in « Voir les données ». ``root``: what is broken down."""
    bars = flow_bars(parts)
    fig = go.Figure()
    for section in (F, I):
        rows = bars.filter(pl.col("section") == section)
        if rows.is_empty():
            continue
        values = [v / scale.divisor for v in rows["montant"].to_list()]
        fig.add_bar(y=rows["libelle"].to_list(), x=values, orientation="h", name=SECTION_LABELS[section],
                    marker_color=SECTION_COLORS[section], text=[fmt_number(v, scale.decimals) for v in values],
                    textposition="outside", cliponaxis=False,
                    hovertemplate=f"%{{y}} : %{{x:,.{scale.decimals}f}} {scale.unit}<extra>{root}</extra>")
    order = bars["libelle"].to_list()
    labels = [{"x": 0, "xref": "paper", "xanchor": "left", "y": label, "yref": "y", "yanchor": "bottom",
               "yshift": 10, "text": label, "showarrow": False, "align": "left"} for label in order]
    fig.update_layout(height=90 + BAR_ROW * max(len(order), 1), barmode="relative", bargap=0.55,
                      xaxis_title=scale.unit, annotations=labels,
                      yaxis={"categoryorder": "array", "categoryarray": order[::-1], "showticklabels": False},
                      legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0, "xref": "container"},
                      # Fixed margins: a long label above its bar must not push the bars aside (plotly would
                      # widen the left margin for it on a narrow screen).
                      margin={"l": 12, "r": 48, "t": 44, "b": 56, "autoexpand": False})
    return fig


def flows_table(parts: pl.DataFrame, scale: Scale, by: str):
    group, detail = ("Chapitre", "Compte (nature)") if by == "nature" else ("Fonction", "Sous-fonction")
    frame = scaled(parts, ["montant"], scale).with_columns(pl.col("section").replace_strict(SECTION_LABELS))
    return (frame.select("section", "groupe_libelle", "detail", "detail_libelle", "montant"),
            {"section": "Section", "groupe_libelle": group, "detail": "Code", "detail_libelle": detail,
             "montant": f"Montant ({scale.unit})"},
            {"montant": scale.decimals})


def flows_summary(parts: pl.DataFrame, what: str, scale: Scale) -> str:
    if parts.is_empty():
        return f"Aucune ligne de {what} pour ce document et cette année."
    total = float(parts["montant"].sum())
    top = parts.group_by("groupe_libelle").agg(pl.col("montant").sum()).sort("montant", descending=True).row(0)
    return (f"{what.capitalize()} réelles : {scale.text(total)}, dont {scale.text(top[1])} "
            f"({fmt_percent(top[1] / total * 100, 0)}) pour « {top[0]} », premier poste.")


# ------------------------------------------------------------------------------------------ sections


def sections_figure(totals: dict[tuple[str, str], float], scale: Scale) -> go.Figure:
    fig = go.Figure()
    x = [SECTION_LABELS[F], SECTION_LABELS[I]]
    for sens, name, color in ((REC, "Recettes réelles", COLORS["public"]), (DEP, "Dépenses réelles", COLORS["primary"])):
        y = [scale.value(totals[(F, sens)]), scale.value(totals[(I, sens)])]
        fig.add_bar(x=x, y=y, name=name, marker_color=color, text=[fmt_number(v, scale.decimals) for v in y],
                    textposition="outside", hovertemplate=f"{name} %{{x}} : {_hover(scale)}<extra></extra>")
    fig.update_layout(barmode="group", height=380, yaxis_title=scale.unit, hovermode="x unified")
    return fig


def sections_table(totals: dict[tuple[str, str], float], scale: Scale):
    frame = pl.DataFrame([{"section": SECTION_LABELS[s], "recettes": scale.value(totals[(s, REC)]),
                           "depenses": scale.value(totals[(s, DEP)]),
                           "solde": scale.value(totals[(s, REC)] - totals[(s, DEP)])} for s in (F, I)])
    return (frame, {"section": "Section", "recettes": f"Recettes réelles ({scale.unit})",
                    "depenses": f"Dépenses réelles ({scale.unit})", "solde": f"Solde ({scale.unit})"},
            {"recettes": scale.decimals, "depenses": scale.decimals, "solde": scale.decimals})


def sections_summary(totals: dict[tuple[str, str], float], scale: Scale) -> str:
    spending = totals[(F, DEP)] + totals[(I, DEP)]
    return (f"Dépenses réelles : {scale.text(spending)}, dont {scale.text(totals[(F, DEP)])} en fonctionnement et "
            f"{scale.text(totals[(I, DEP)])} en investissement ; recettes réelles : "
            f"{scale.text(totals[(F, REC)] + totals[(I, REC)])}.")


# ------------------------------------------------------------------------------------------ evolution

EVOLUTION_SERIES = [("rf", "Recettes de fonctionnement", COLORS["public"]),
                    ("df", "Dépenses de fonctionnement", COLORS["primary"]),
                    ("ri", "Recettes d'investissement", "#009e73"),
                    ("di", "Dépenses d'investissement", "#e69f00")]


def evolution_figure(evolution: pl.DataFrame, scale_by_year: dict[int, Scale], unit: str, year: int) -> go.Figure:
    years = evolution["annee"].to_list()
    scales = [scale_by_year[y] for y in years]
    decimals = scales[0].decimals if scales else 1
    fig = go.Figure()
    saving = [None if v is None else v / s.divisor for v, s in zip(evolution["epargne_brute"].to_list(), scales)]
    fig.add_bar(x=years, y=saving, name="Épargne brute", marker_color=COLORS["muted"], opacity=0.6,
                hovertemplate=f"Épargne brute %{{x}} : %{{y:,.{decimals}f}} {unit}<extra></extra>")
    for column, name, color in EVOLUTION_SERIES:
        y = [None if v is None else v / s.divisor for v, s in zip(evolution[column].to_list(), scales)]
        fig.add_scatter(x=years, y=y, name=name, mode="lines+markers", line={"color": color, "width": 2.5},
                        hovertemplate=f"{name} %{{x}} : %{{y:,.{decimals}f}} {unit}<extra></extra>")
    if year in years:
        fig.add_vline(x=year, line={"color": COLORS["muted"], "dash": "dot", "width": 1})
    fig.update_layout(height=420, yaxis_title=unit, xaxis={**YEAR_AXIS, "dtick": 1}, hovermode="x unified")
    return fig


def evolution_table(evolution: pl.DataFrame, scale_by_year: dict[int, Scale], unit: str):
    columns = [c for c, _, _ in EVOLUTION_SERIES] + ["epargne_brute"]
    divisors = pl.Series([scale_by_year[y].divisor for y in evolution["annee"].to_list()], dtype=pl.Float64)
    frame = evolution.with_columns([(pl.col(c) / divisors).alias(c) for c in columns])
    decimals = next(iter(scale_by_year.values())).decimals if scale_by_year else 1
    headers = {"annee": "Année", **{c: f"{n} ({unit})" for c, n, _ in EVOLUTION_SERIES},
               "epargne_brute": f"Épargne brute ({unit})"}
    return frame.select("annee", *columns), headers, {"annee": str, **{c: decimals for c in columns}}


def evolution_summary(evolution: pl.DataFrame, what: str) -> str:
    known = evolution.filter(pl.col("df").is_not_null() & (pl.col("df") > 0))
    if known.height < 2:
        return f"Pas assez d'années pour une évolution ({what})."
    first, last = known.row(0, named=True), known.row(-1, named=True)
    change = (last["df"] / first["df"] - 1) * 100
    return (f"De {first['annee']} à {last['annee']} ({what}), les dépenses réelles de fonctionnement évoluent de "
            f"{fmt_percent(change, 1, signed=True)} ; épargne brute {last['annee']} : "
            f"{fmt_unit(last['epargne_brute'] / 1e6, 'M€', 1)}.")


# ------------------------------------------------------------------------------------------ execution


def execution_figure(execution: pl.DataFrame, scale: Scale) -> go.Figure:
    """Horizontal bars (long flow names stay readable in a half-width card), the rate at the end of each."""
    fig = go.Figure()
    rows = execution.reverse()  # plotly draws the first category at the bottom
    y = rows["flux"].to_list()
    voted = [scale.value(v) for v in rows["prevu"].to_list()]
    done = [scale.value(v) for v in rows["realise"].to_list()]
    hover = f"%{{x:,.{scale.decimals}f}} {scale.unit}"
    fig.add_bar(y=y, x=voted, name="Crédits votés", orientation="h", marker_color="#56b4e9",
                hovertemplate=f"Crédits votés : {hover}<extra></extra>")
    fig.add_bar(y=y, x=done, name="Réalisé (compte administratif)", orientation="h", marker_color=COLORS["primary"],
                text=[fmt_percent(t, 0) for t in rows["taux"].to_list()], textposition="outside", cliponaxis=False,
                hovertemplate=f"Réalisé : {hover}<extra></extra>")
    widest = max([v for v in voted + done if v is not None], default=1)
    fig.update_layout(barmode="group", height=400, yaxis={"automargin": True},
                      xaxis={"title": scale.unit, "range": [0, widest * 1.2]},  # room for the rate labels
                      hovermode="y unified")
    return fig


def execution_table(execution: pl.DataFrame, scale: Scale):
    frame = scaled(execution, ["prevu", "realise"], scale)
    return (frame.select("flux", "prevu", "realise", "taux"),
            {"flux": "Flux réels", "prevu": f"Crédits votés ({scale.unit})", "realise": f"Réalisé ({scale.unit})",
             "taux": "Taux d'exécution (%)"}, {"prevu": scale.decimals, "realise": scale.decimals, "taux": 1})


def execution_summary(execution: pl.DataFrame, year: int) -> str:
    rates = {(s, d): t for s, d, t in execution.select("section", "sens", "taux").iter_rows()}
    if not rates:
        return f"Pas de compte administratif {year} : le taux d'exécution se lit quand les comptes sont arrêtés."
    return (f"En {year}, {fmt_percent(rates.get((F, DEP)), 1)} des crédits de fonctionnement votés ont été dépensés, "
            f"et {fmt_percent(rates.get((I, DEP)), 1)} des crédits d'investissement.")


def execution_rates_figure(rates: pl.DataFrame, year: int) -> go.Figure:
    """Execution rate of each real flow per year, against the 100 % line (everything voted, realised)."""
    fig = go.Figure()
    years = rates["annee"].to_list()
    for column, name, color in EVOLUTION_SERIES:
        fig.add_scatter(x=years, y=rates[column].to_list(), name=name, mode="lines+markers",
                        line={"color": color, "width": 2.5},
                        hovertemplate=f"{name} %{{x}} : %{{y:,.1f}} %<extra></extra>")
    fig.add_hline(y=100, line={"color": COLORS["muted"], "dash": "dot", "width": 1})
    if year in years:
        fig.add_vline(x=year, line={"color": COLORS["muted"], "dash": "dot", "width": 1})
    fig.update_layout(height=400, yaxis_title="% des crédits votés", yaxis_ticksuffix=" %",
                      xaxis={**YEAR_AXIS, "dtick": 1}, hovermode="x unified")
    return fig


def execution_rates_table(rates: pl.DataFrame):
    columns = [c for c, _, _ in EVOLUTION_SERIES]
    return (rates.select("annee", *columns),
            {"annee": "Année", **{c: f"{n} (% exécuté)" for c, n, _ in EVOLUTION_SERIES}},
            {"annee": str, **{c: 1 for c in columns}})


def execution_rates_summary(rates: pl.DataFrame) -> str:
    known = rates.filter(pl.col("di").is_not_null())
    if known.is_empty():
        return "Aucun compte administratif : pas de taux d'exécution."
    return (f"De {known['annee'][0]} à {known['annee'][-1]}, les dépenses d'investissement sont exécutées entre "
            f"{fmt_percent(known['di'].min(), 0)} et {fmt_percent(known['di'].max(), 0)} des crédits votés, "
            f"celles de fonctionnement entre {fmt_percent(known['df'].min(), 0)} et "
            f"{fmt_percent(known['df'].max(), 0)}.")


# ------------------------------------------------------------------------------------------ ratios


def ratios_figure(comparison: pl.DataFrame, commune_name: str, stratum_name: str) -> go.Figure:
    """Per-inhabitant ratios side by side: the commune and the same-size average."""
    rows = comparison.filter(pl.col("unite") == "€/hab.").reverse()
    fig = go.Figure()
    fig.add_bar(y=rows["ratio"].to_list(), x=rows["strate"].to_list(), name=stratum_name, orientation="h",
                marker_color=COLORS["muted"], hovertemplate="%{y}<br>%{x:,.0f} €/hab.<extra>Strate</extra>")
    fig.add_bar(y=rows["ratio"].to_list(), x=rows["commune"].to_list(), name=commune_name, orientation="h",
                marker_color=COLORS["primary"],
                hovertemplate=f"%{{y}}<br>%{{x:,.0f}} €/hab.<extra>{commune_name}</extra>")
    fig.update_layout(barmode="group", height=520, xaxis_title="€ par habitant", margin={"l": 8},
                      yaxis={"automargin": True})
    return fig


def ratios_table(comparison: pl.DataFrame, commune_name: str):
    frame = comparison.select("ratio", "unite", "commune", "strate", "ecart_pct", "reference")
    return (frame, {"ratio": "Ratio", "unite": "Unité", "commune": commune_name, "strate": "Moyenne de la strate",
                    "ecart_pct": "Écart à la strate (%)", "reference": "Référence"},
            {"commune": 1, "strate": 1, "ecart_pct": 1})


def ratios_summary(comparison: pl.DataFrame, commune_name: str, year: int) -> str:
    debt = comparison.filter(pl.col("cle") == "encours_hab").row(0, named=True)
    gross = comparison.filter(pl.col("cle") == "epargne_brute").row(0, named=True)
    return (f"En {year}, l'encours de dette de {commune_name} est de {fmt_unit(debt['commune'], '€/hab.', 0)}, "
            f"contre {fmt_unit(debt['strate'], '€/hab.', 0)} en moyenne pour les communes de même taille ; "
            f"épargne brute : {fmt_unit(gross['commune'], '€/hab.', 0)} (moyenne "
            f"{fmt_unit(gross['strate'], '€/hab.', 0)}).")


PEER_LABELS = {"epargne_brute": "Épargne brute", "equipement_hab": "Dépenses d'équipement",
               "encours_hab": "Encours de dette"}


def peers_figure(peers: pl.DataFrame, chosen: str) -> go.Figure:
    """Per-inhabitant savings, investment and debt of the territory's communes; the chosen one outlined."""
    fig = go.Figure()
    names = peers["nom"].to_list()
    outline = [3 if code == chosen else 0 for code in peers["commune"].to_list()]
    for index, (key, label) in enumerate(PEER_LABELS.items()):
        fig.add_bar(x=names, y=peers[key].to_list(), name=label, marker={
            "color": COLORWAY[index], "line": {"width": outline, "color": COLORS["text"]}},
            hovertemplate=f"{label} %{{x}} : %{{y:,.0f}} €/hab.<extra></extra>")
    fig.update_layout(barmode="group", height=420, yaxis_title="€ par habitant", hovermode="x unified",
                      xaxis={"tickangle": -30})
    return fig


def peers_table(peers: pl.DataFrame):
    return (peers.select("nom", "population", *PEER_LABELS),
            {"nom": "Commune", "population": "Population", **{k: f"{v} (€/hab.)" for k, v in PEER_LABELS.items()}},
            {"population": 0, **{k: 0 for k in PEER_LABELS}})


def peers_summary(peers: pl.DataFrame, year: int) -> str:
    if peers.is_empty():
        return f"Pas de comptes {year} pour les communes du territoire."
    low = peers.sort("encours_hab").row(0, named=True)
    high = peers.sort("encours_hab").row(-1, named=True)
    return (f"En {year}, l'encours de dette va de {fmt_unit(low['encours_hab'], '€/hab.', 0)} ({low['nom']}) à "
            f"{fmt_unit(high['encours_hab'], '€/hab.', 0)} ({high['nom']}) parmi les {peers.height} communes.")


# ------------------------------------------------------------------------------------------ projects map


def projects_figure(base: go.Figure, projects: pl.DataFrame) -> go.Figure:
    """Projects on the commune outline: area proportional to the amount, colour by level-1 function."""
    fig = go.Figure(base)
    biggest = float(projects["montant"].max() or 1)
    for index, group in enumerate(sorted(set(projects["fonction_groupe_libelle"].to_list()))):
        rows = projects.filter(pl.col("fonction_groupe_libelle") == group)
        fig.add_scattergeo(
            **positions(rows), name=group, mode="markers",
            marker={"size": [8 + 30 * (v / biggest) ** 0.5 for v in rows["montant"].to_list()],
                    "color": COLORWAY[index % len(COLORWAY)], "opacity": 0.8},
            customdata=list(zip(rows["intitule"].to_list(), [fmt_unit(v / 1e6, "M€", 2) for v in rows["montant"]],
                                rows["statut"].to_list(), rows["annee_debut"].to_list(), rows["annee_fin"].to_list())),
            hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]} · %{customdata[2]}"
                          "<br>%{customdata[3]}–%{customdata[4]}<extra>" + group + "</extra>")
    fig.update_layout(legend=LEGEND_BELOW, showlegend=True)
    return fig


def projects_table(projects: pl.DataFrame):
    frame = projects.with_columns((pl.col("montant") / 1e6).alias("montant_m"))
    return (frame.select("intitule", "fonction_groupe_libelle", "fonction_libelle", "annee_debut", "annee_fin",
                         "statut", "montant_m"),
            {"intitule": "Projet", "fonction_groupe_libelle": "Fonction", "fonction_libelle": "Sous-fonction",
             "annee_debut": "Début", "annee_fin": "Fin", "statut": "État", "montant_m": "Montant (M€)"},
            {"annee_debut": str, "annee_fin": str, "montant_m": 2})


def projects_summary(projects: pl.DataFrame, year: int) -> str:
    if projects.is_empty():
        return f"Aucun projet d'investissement en cours en {year}."
    top = projects.row(0, named=True)
    return (f"{projects.height} projets en cours en {year}, pour {fmt_unit(projects['montant'].sum() / 1e6, 'M€', 1)} "
            f"au total ; le plus important : « {top['intitule']} » ({fmt_unit(top['montant'] / 1e6, 'M€', 1)}).")


# ------------------------------------------------------------------------------------------ chart specs
# The charts of /finances, declared once. ``view`` is the page's context: code and name of the commune, year,
# doc (CA/BP), doc_name, scale, per (per inhabitant), population {year: inhabitants}, view ("nature" or
# "fonction"), lines (its classified budget lines), ofgl (the aggregates), outlines, territory_name.

VIEW_LABELS = {"nature": "par nature", "fonction": "par fonction"}


def evolution_scales(evolution: pl.DataFrame, per: bool, population: dict[int, int]):
    """(evolution, scale per year, unit): per inhabitant, only the years whose population is known."""
    if per:
        evolution = evolution.filter(pl.col("annee").is_in(list(population)))
        return evolution, {y: per_inhabitant(population[y]) for y in evolution["annee"].to_list()}, "€/hab."
    return evolution, {y: MILLIONS for y in evolution["annee"].to_list()}, "M€"


def _specs():
    from components.chart_spec import ChartSpec
    from data_access import finances as q

    def real(v):
        return q.real_lines(v["lines"], v["year"], v["doc"])

    def flows(card_id, sens, what, title):
        return ChartSpec(card_id, lambda p, v: f"{title} {VIEW_LABELS[v['view']]}", q.LINES,
                         lambda ctx, v: q.breakdown(real(v), sens, v["view"]),
                         lambda p, v: flows_figure(p, what.capitalize(), v["scale"]),
                         lambda p, v: flows_summary(p, what, v["scale"]), width=6,
                         table=lambda p, v: flows_table(p, v["scale"], v["view"]))

    def evolution(role):
        def data(ctx, v):
            frame = q.evolution(v["lines"], v["doc"]) if role == q.LINES else q.ofgl_evolution(v["ofgl"], v["code"])
            return evolution_scales(frame, v["per"], v["population"])
        what = (lambda v: v["doc_name"]) if role == q.LINES else (lambda v: "comptes, agrégats OFGL")
        return ChartSpec("finances-evolution", lambda d, v: f"Recettes et dépenses réelles par année ({what(v)})",
                         role, data, lambda d, v: evolution_figure(d[0], d[1], d[2], v["year"]),
                         lambda d, v: evolution_summary(d[0], what(v)),
                         table=lambda d, v: evolution_table(*d))

    return {
        "money": [flows("finances-recettes", REC, "recettes", "D'où vient l'argent : recettes réelles"),
                  flows("finances-depenses", DEP, "dépenses", "Où va l'argent : dépenses réelles"),
                  ChartSpec("finances-sections", "Fonctionnement et investissement", q.LINES,
                            lambda ctx, v: q.totals(real(v)), lambda t, v: sections_figure(t, v["scale"]),
                            lambda t, v: sections_summary(t, v["scale"]), table=lambda t, v: sections_table(t, v["scale"]))],
        "evolution_lines": [evolution(q.LINES)],
        "evolution_ofgl": [evolution(q.OFGL)],
        "execution": [
            ChartSpec("finances-execution", lambda e, v: f"Exécution du budget {v['year']} : crédits votés et réalisés",
                      q.LINES, lambda ctx, v: q.execution(v["lines"], v["year"]),
                      lambda e, v: execution_figure(e, v["scale"]), lambda e, v: execution_summary(e, v["year"]),
                      width=6, table=lambda e, v: execution_table(e, v["scale"])),
            ChartSpec("finances-execution-annees", "Taux d'exécution par année", q.LINES,
                      lambda ctx, v: q.execution_by_year(v["lines"]),
                      lambda r, v: execution_rates_figure(r, v["year"]), lambda r, v: execution_rates_summary(r),
                      width=6, table=lambda r, v: execution_rates_table(r))],
        "ratios": [
            ChartSpec("finances-ratios-chart", "Ratios par habitant : la commune et la moyenne de sa strate", q.OFGL,
                      lambda ctx, v: v["comparison"],
                      lambda c, v: ratios_figure(c, v["name"], "Moyenne de la strate"),
                      lambda c, v: ratios_summary(c, v["name"], v["year"]), table=lambda c, v: ratios_table(c, v["name"]))],
        "peers": [
            ChartSpec("finances-communes", lambda p, v: f"Les communes de {v['territory_name']} en {v['year']} "
                      "(par habitant)", q.OFGL, lambda ctx, v: q.peers(v["ofgl"], v["communes"], v["year"]),
                      lambda p, v: peers_figure(p, v["code"]), lambda p, v: peers_summary(p, v["year"]),
                      table=lambda p, v: peers_table(p))],
        "projects": [
            ChartSpec("finances-projets-carte", lambda p, v: f"Projets d'investissement en cours en {v['year']}",
                      q.PROJECTS, lambda ctx, v: q.projects(ctx, v["code"], v["year"]),
                      lambda p, v: projects_figure(_base_map(v["outlines"], p), p),
                      lambda p, v: projects_summary(p, v["year"]), table=lambda p, v: projects_table(p))],
    }


def _base_map(outlines: dict, projects: pl.DataFrame) -> go.Figure:
    from components.maps import base_map

    return base_map(outlines, height=460, points=projects)


SPECS = _specs()
