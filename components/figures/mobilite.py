"""Figure builders of the mobility observatory: pure ``(DataFrame, options) -> go.Figure`` functions."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from components.figures.bars import value_labels
from components.figures.week import week_hour_heatmap
from components.formats import WEEKDAYS, fmt_int, fmt_percent
from components.maps import LEGEND_BELOW, base_map, point_cells, points_table, positions
from components.theme import COLORS


def velib_by_commune_bar(table: pl.DataFrame) -> go.Figure:
    """Bikes available per commune, mechanical and electric stacked; horizontal for long names."""
    table = table.sort("capacity")
    fig = go.Figure(
        [
            go.Bar(name="Vélos mécaniques", y=table["commune"].to_list(), x=table["mechanical"].to_list(),
                   orientation="h", marker_color=COLORS["primary"], customdata=table["commune_code"].to_list(),
                   hovertemplate="%{y} : %{x} vélos mécaniques<extra></extra>"),
            go.Bar(name="Vélos électriques", y=table["commune"].to_list(), x=table["ebike"].to_list(),
                   orientation="h", marker_color=COLORS["public"], customdata=table["commune_code"].to_list(),
                   hovertemplate="%{y} : %{x} vélos électriques<extra></extra>"),
        ]
    )
    # The card title names the measure: no axis title.
    fig.update_layout(barmode="stack", xaxis_title=None, yaxis_title=None,
                      height=150 + 34 * max(table.height, 1))
    return fig


def velib_by_commune_summary(table: pl.DataFrame) -> str:
    if table.is_empty():
        return "Aucune station Vélib' sur ce périmètre."
    top = table.sort("capacity", descending=True).row(0, named=True)
    bikes = int(table["mechanical"].sum() + table["ebike"].sum())
    return (f"{fmt_int(bikes)} vélos disponibles dans {fmt_int(int(table['stations'].sum()))} stations ; "
            f"{top['commune']} a la plus grande capacité ({fmt_int(top['capacity'])} places).")


# The stations' table (and the hover's figures): one copy per point, in the map's customdata (components.maps).
VELIB_CELLS = {"name": "Station", "bikes_available": "Vélos disponibles", "ebike": "dont électriques",
               "docks_available": "Bornettes libres", "capacity": "Capacité (places)", "etat": "État"}


def velib_points(stations: pl.DataFrame) -> pl.DataFrame:
    """The stations with their state in words, as the map's table shows it."""
    in_service = pl.col("is_installed").fill_null(False) & pl.col("is_renting").fill_null(False)
    return stations.with_columns(pl.when(in_service).then(pl.lit("en service")).otherwise(pl.lit("hors service"))
                                 .alias("etat"))


def velib_map(stations: pl.DataFrame, outlines: dict) -> go.Figure:
    """Stations on the offline base map, sized by capacity, coloured by bikes available."""
    fig = base_map(outlines, points=stations)
    if stations.is_empty():
        return fig
    stations = velib_points(stations)
    fig.add_trace(
        go.Scattergeo(
            **positions(stations), mode="markers",
            marker={"size": [6 + c / 4 for c in stations["capacity"].to_list()],
                    "color": stations["bikes_available"].to_list(), "colorscale": "Teal", "showscale": True,
                    # Under the map, not down its side: on a phone a side scale took a fifth of it.
                    "colorbar": {"title": {"text": "Vélos disponibles", "side": "top"}, "orientation": "h",
                                 "x": 0.02, "xanchor": "left", "y": 0, "yanchor": "top", "len": 0.45,
                                 "thickness": 8}},
            # "Label : value" needs no plural of its own (1 vélo, 2 vélos) in a template shared by all points.
            hovertemplate="<b>%{customdata[1]}</b><br>Vélos disponibles : %{customdata[2]} (électriques : "
                          "%{customdata[3]})<br>Bornettes libres : %{customdata[4]} · %{customdata[6]}<extra></extra>",
            name="Stations Vélib'",
            customdata=point_cells(stations, VELIB_CELLS),  # [commune code, cells…]: a click filters on it
        )
    )
    # The colour scale's room, under the map; one kind of point needs no legend (the card's title names it)
    fig.update_layout(margin={"b": 56}, showlegend=False)
    return fig


def profile_table(profile: pl.DataFrame) -> pl.DataFrame:
    """The typical week as the heatmap shows it: one row per weekday, one column per hour."""
    wide = (profile.with_columns(pl.format("{} h", pl.col("heure")).alias("h"))
            .pivot(on="h", index="jour_semaine", values="debit_moyen").sort("jour_semaine"))
    return wide.with_columns(pl.col("jour_semaine").replace_strict(
        {i + 1: d for i, d in enumerate(WEEKDAYS)}, return_dtype=pl.String))


def velib_map_summary(summary: dict, commune_label: str) -> str:
    if not summary["stations"]:
        return f"Aucune station Vélib' pour {commune_label}."
    out = summary["out_of_service"]
    return (f"Carte des {fmt_int(summary['stations'])} stations Vélib' pour {commune_label} ; "
            + ("toutes sont en service." if not out else f"{fmt_int(out)} hors service."))


# Years are labels: no thousands separator, and no half years between two years.
_YEARS = {"tickformat": "d", "hoverformat": "d", "separatethousands": False}


def _years(values) -> dict:
    """The year axis: every year when there are few (2021, 2022 — not 2021, 2021.5…), else plotly's choice."""
    years = [v for v in values if v is not None]
    few = years and max(years) - min(years) <= 12
    return {**_YEARS, "dtick": 1} if few else _YEARS


def irve_growth_figure(growth: pl.DataFrame) -> go.Figure:
    fig = go.Figure([
        go.Bar(x=growth["annee"].to_list(), y=growth["ouverts"].to_list(), name="Points ouverts dans l'année",
               marker_color=COLORS["public"], hovertemplate="%{x} : %{y} points ouverts<extra></extra>"),
        go.Scatter(x=growth["annee"].to_list(), y=growth["en_service"].to_list(), name="Points en service",
                   mode="lines+markers", line={"color": COLORS["primary"], "width": 3},
                   hovertemplate="Fin %{x} : %{y} points en service<extra></extra>"),
    ])
    fig.update_layout(height=340, xaxis=_years(growth["annee"].to_list()), yaxis_title="Points de recharge")
    return fig


def irve_growth_summary(growth: pl.DataFrame) -> str:
    if growth.is_empty():
        return "Aucun point de recharge recensé."
    last = growth.row(-1, named=True)
    return (f"{fmt_int(last['en_service'])} points de recharge en service fin {last['annee']}, "
            f"dont {fmt_int(last['ouverts'])} ouverts cette année-là.")


def irve_power_figure(classes: pl.DataFrame) -> go.Figure:
    fig = go.Figure(go.Bar(x=classes["points"].to_list(), y=classes["classe"].to_list(), orientation="h",
                           marker_color=COLORS["primary"], **value_labels(classes["points"].to_list()),
                           hovertemplate="%{y} : %{x} points<extra></extra>"))
    fig.update_layout(height=300, yaxis={"autorange": "reversed"}, xaxis_title="Points de recharge")
    return fig


def irve_power_summary(classes: pl.DataFrame) -> str:
    total = int(classes["points"].sum())
    if not total:
        return "Aucun point de recharge recensé."
    top = classes.sort("points", descending=True).row(0, named=True)
    return f"{fmt_int(total)} points de recharge ; la classe la plus fréquente est « {top['classe']} » ({fmt_int(top['points'])} points)."


CRITAIR_COLORS = {"E": "#1b6e3f", "1": "#7b3f98", "2": "#d4a017", "3": "#e07b00", "4": "#8a4a0b", "5": "#5a6472",
                  "Non classé": "#2b2b2b"}


def critair_figure(shares: pl.DataFrame) -> go.Figure:
    fig = go.Figure()
    for classe in shares.sort("ordre")["classe"].unique(maintain_order=True).to_list():
        part = shares.filter(pl.col("classe") == classe)
        label = classe if classe == "Non classé" else f"Crit'Air {classe}"
        fig.add_bar(x=part["annee"].to_list(), y=part["part"].to_list(), name=label,
                    marker_color=CRITAIR_COLORS.get(classe), hovertemplate=f"{label} %{{x}} : %{{y:.1f}} %<extra></extra>")
    fig.update_layout(barmode="stack", height=360, xaxis=_years(shares["annee"].to_list()),
                      yaxis={"title": "% du parc", "range": [0, 100]})
    return fig


def critair_summary(shares: pl.DataFrame) -> str:
    if shares.is_empty():
        return "Aucune donnée Crit'Air."
    year = int(shares["annee"].max())
    last = shares.filter(pl.col("annee") == year)
    share = lambda c: float(last.filter(pl.col("classe") == c)["part"].sum())  # noqa: E731
    return (f"En {year}, {fmt_percent(share('E'), 1)} des véhicules sont électriques (Crit'Air E), "
            f"{fmt_percent(share('1') + share('2'), 1)} classés Crit'Air 1 ou 2.")


SEVERITY_COLORS = {"Tué": "#2b2b2b", "Blessé hospitalisé": COLORS["danger"], "Blessé léger": COLORS["warning"],
                   "Indemne": "#9aa5b1"}


def accidents_figure(by_year: pl.DataFrame) -> go.Figure:
    fig = go.Figure()
    for severity, color in SEVERITY_COLORS.items():
        part = by_year.filter(pl.col("gravite") == severity)
        fig.add_bar(x=part["annee"].to_list(), y=part["accidents"].to_list(), name=severity, marker_color=color,
                    hovertemplate=f"{severity} %{{x}} : %{{y}} accidents<extra></extra>")
    fig.update_layout(barmode="stack", height=340, xaxis=_years(by_year["annee"].to_list()),
                      yaxis_title="Accidents (gravité la plus haute)")
    return fig


def accidents_summary(by_year: pl.DataFrame) -> str:
    if by_year.is_empty() or by_year["annee"].is_null().all():
        return "Aucun accident recensé."
    year = int(by_year["annee"].max())
    last = by_year.filter(pl.col("annee") == year)
    total = int(last["accidents"].sum())
    grave = int(last.filter(pl.col("gravite").is_in(["Tué", "Blessé hospitalisé"]))["accidents"].sum())
    return f"{fmt_int(total)} accidents corporels en {year}, dont {fmt_int(grave)} avec un tué ou un blessé hospitalisé."


def daily_flow_figure(monthly: pl.DataFrame) -> go.Figure:
    """Mean daily flow, month by month, one line per counting arc."""
    fig = go.Figure()
    for (arc, label), part in monthly.group_by("arc_id", "libelle", maintain_order=True):
        fig.add_scatter(x=part["mois"].to_list(), y=part["vehicules_par_jour"].to_list(), mode="lines+markers",
                        name=label, hovertemplate=f"{label}, %{{x|%m/%Y}} : %{{y:,.0f}} véhicules/jour<extra></extra>")
    fig.update_layout(height=360, yaxis_title="Véhicules par jour", xaxis={"tickformat": "%m/%Y"})
    return fig


def daily_flow_summary(monthly: pl.DataFrame) -> str:
    if monthly.is_empty():
        return "Aucun comptage complet sur ce périmètre."
    means = (monthly.group_by("libelle").agg((pl.col("vehicules_par_jour") * pl.col("jours")).sum()
                                            / pl.col("jours").sum()).sort("vehicules_par_jour", descending=True))
    top = means.row(0, named=True)
    return (f"{means.height} point(s) de comptage ; le plus chargé, {top['libelle']}, voit passer en moyenne "
            f"{fmt_int(top['vehicules_par_jour'])} véhicules par jour.")


def profile_heatmap(profile: pl.DataFrame) -> go.Figure:
    return week_hour_heatmap(profile, "jour_semaine", "heure", "debit_moyen", unit="véh./h",
                             hover="%{z:,.0f} véhicules/heure", height=320)


def profile_summary(profile: pl.DataFrame) -> str:
    if profile.is_empty():
        return "Aucun comptage sur ce périmètre."
    peak = profile.sort("debit_moyen", descending=True).row(0, named=True)
    return (f"Semaine type : l'heure la plus chargée est le {WEEKDAYS[peak['jour_semaine'] - 1]} à {peak['heure']} h "
            f"({fmt_int(peak['debit_moyen'])} véhicules/heure en moyenne).")


STATE_COLORS = {"Fluide": COLORS["public"], "Pré-saturé": "#d4a017", "Saturé": COLORS["danger"], "Bloqué": "#2b2b2b",
                "Inconnu": "#9aa5b1"}


def traffic_states_figure(states: pl.DataFrame) -> go.Figure:
    fig = go.Figure()
    for state, color in STATE_COLORS.items():
        part = states.filter(pl.col("etat_trafic") == state)
        fig.add_bar(y=part["libelle"].to_list(), x=part["part"].to_list(), name=state, orientation="h",
                    marker_color=color, hovertemplate=f"%{{y}} — {state} : %{{x:.1f}} % des heures<extra></extra>")
    fig.update_layout(barmode="stack", height=200 + 40 * max(states["arc_id"].n_unique(), 1),
                      xaxis={"title": "% des heures", "range": [0, 100]})
    return fig


def traffic_states_summary(states: pl.DataFrame) -> str:
    if states.is_empty():
        return "Aucun comptage sur ce périmètre."
    fluid = states.filter(pl.col("etat_trafic") == "Fluide")
    if fluid.is_empty():
        return "Aucune heure fluide sur ce périmètre."
    low = fluid.sort("part").row(0, named=True)
    return f"Trafic fluide la plupart du temps ; l'arc le moins fluide est {low['libelle']} ({fmt_percent(low['part'], 0)} des heures)."


def _kw(power: float) -> str:
    return fmt_int(power) if power == int(power) else str(power).replace(".", ",")


def irve_stations(points: pl.DataFrame) -> pl.DataFrame:
    """One row per station and place: a station's points share its position, drawn one by one they hide each
    other (and the page sent each of them)."""
    key = "id_station_itinerance" if "id_station_itinerance" in points.columns else "nom_station"
    return (points.group_by(key, "lat", "lon", "nom_station", "nom_operateur", "commune_code", maintain_order=True)
            .agg(pl.len().alias("points"), pl.col("puissance_nominale").unique().sort().alias("puissances")))


def irve_map(points: pl.DataFrame, outlines: dict) -> go.Figure:
    """Charge stations on the offline base map, coloured by power class (a station with points of two classes
    has a marker in each), their number of points in the hover."""
    from data_access.mobilite import POWER_CLASSES

    fig = base_map(outlines, height=400, points=points)
    palette = [COLORS["public"], COLORS["primary"], "#d4a017", COLORS["danger"]]
    for (low, high, label), color in zip(POWER_CLASSES, palette):
        part = irve_stations(points.filter((pl.col("puissance_nominale") > low) & (pl.col("puissance_nominale") <= high)))
        if part.is_empty():
            continue
        fig.add_trace(go.Scattergeo(
            **positions(part), mode="markers", name=label,
            marker={"size": 9, "color": color}, customdata=part["commune_code"].to_list(),
            text=[f"<b>{n}</b><br>{fmt_int(k)} point{'s' if k > 1 else ''} de charge · "
                  f"{' / '.join(_kw(p) for p in powers)} kW · {o}"
                  for n, k, powers, o in part.select("nom_station", "points", "puissances", "nom_operateur").iter_rows()],
            hovertemplate="%{text}<extra></extra>"))
    fig.update_layout(legend=LEGEND_BELOW)
    return fig


def irve_map_summary(points: pl.DataFrame, commune_label: str) -> str:
    if points.is_empty():
        return f"Aucun point de recharge pour {commune_label}."
    stations = points["id_station_itinerance"].n_unique()
    fast = points.filter(pl.col("puissance_nominale") > 22.1).height
    return (f"Carte des {fmt_int(points.height)} points de recharge ({fmt_int(stations)} stations) pour "
            f"{commune_label}, dont {fmt_int(fast)} rapides (plus de 22 kW).")


def accidents_calendar_figure(by_month: pl.DataFrame, by_hour: pl.DataFrame) -> go.Figure:
    """Two bar series side by side: per month of the year, per hour of the day."""
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=2, subplot_titles=("Par mois", "Par heure"), horizontal_spacing=0.12)
    fig.add_bar(x=by_month["mois_nom"].to_list(), y=by_month["accidents"].to_list(), name="Par mois",
                marker_color=COLORS["primary"], hovertemplate="%{x} : %{y} accidents<extra></extra>", row=1, col=1)
    fig.add_bar(x=[f"{h} h" for h in by_hour["heure"].to_list()], y=by_hour["accidents"].to_list(), name="Par heure",
                marker_color=COLORS["warning"], hovertemplate="%{x} : %{y} accidents<extra></extra>", row=1, col=2)
    fig.update_layout(height=320, showlegend=False)
    return fig


def accidents_calendar_summary(by_month: pl.DataFrame, by_hour: pl.DataFrame) -> str:
    if by_month.is_empty():
        return "Aucun accident recensé."
    month = by_month.sort("accidents", descending=True).row(0, named=True)
    text = f"Le mois le plus accidentogène est {month['mois_nom']} ({fmt_int(month['accidents'])} accidents)"
    if not by_hour.is_empty():
        hour = by_hour.sort("accidents", descending=True).row(0, named=True)
        text += f" ; l'heure la plus accidentogène, {hour['heure']} h ({fmt_int(hour['accidents'])})"
    return text + "."


# The road-safety categories (BAAC) by their names: a council report does not explain « 2RM » or « VL ».
USER_LABELS = {"2RM": "Deux-roues motorisé", "VL": "Véhicule léger", "VU/PL": "Utilitaire ou poids lourd",
               "EDP motorisé": "Engin de déplacement motorisé (trottinette…)", "Bus/Car": "Bus ou car"}


def user_label(category) -> str:
    return USER_LABELS.get(category, category) if isinstance(category, str) else "Non renseigné"


def accidents_users_figure(by_user: pl.DataFrame) -> go.Figure:
    counts = by_user["accidents"].to_list()
    fig = go.Figure(go.Bar(x=counts, y=[user_label(c) for c in by_user["categorie_usager"].to_list()],
                           orientation="h", marker_color=COLORS["danger"], text=[fmt_int(n) for n in counts],
                           textposition="outside", cliponaxis=False,
                           hovertemplate="%{y} : %{x} accidents<extra></extra>"))
    fig.update_layout(height=120 + 32 * max(by_user.height, 1), yaxis={"autorange": "reversed"},
                      xaxis_title="Accidents")
    return fig


def accidents_users_summary(by_user: pl.DataFrame) -> str:
    if by_user.is_empty():
        return "Aucun accident recensé."
    vulnerable = by_user.filter(pl.col("categorie_usager").is_in(["Piéton", "Cycliste", "EDP motorisé", "2RM"]))
    total = int(by_user["accidents"].sum())
    return (f"{fmt_int(total)} accidents ; {fmt_percent(100 * vulnerable['accidents'].sum() / total, 0)} impliquent "
            "un usager vulnérable (piéton, cycliste, EDP, deux-roues motorisé).")


def points_map(frame: pl.DataFrame, outlines: dict, cells: dict[str, str], name: str, color: str,
               hovertemplate: str) -> go.Figure:
    """Points of one kind; ``cells``: their table's columns, in ``customdata`` for the hover and the table."""
    fig = base_map(outlines, height=380, points=frame)
    if not frame.is_empty():
        fig.add_trace(go.Scattergeo(**positions(frame), mode="markers",
                                    marker={"size": 8, "color": color, "opacity": 0.7}, name=name,
                                    customdata=point_cells(frame, cells), hovertemplate=hovertemplate))
    fig.update_layout(showlegend=False)  # one kind of point: the card's title names it
    return fig


ACCIDENT_CELLS = {"date": "Date", "usager": "Usager"}
ACCIDENT_FORMATS = {"date": lambda d: d.strftime("%d/%m/%Y") if d else "date inconnue"}


def accident_points(crashes: pl.DataFrame) -> pl.DataFrame:
    """The accidents with what the map's table shows: the date and the road user in words."""
    users = crashes["categorie_usager"] if "categorie_usager" in crashes.columns else [None] * crashes.height
    dates = crashes["date"] if "date" in crashes.columns else pl.Series([None] * crashes.height, dtype=pl.Date)
    return crashes.with_columns(date=dates, usager=pl.Series([user_label(u) for u in users], dtype=pl.String))


def accidents_map(crashes: pl.DataFrame, outlines: dict) -> go.Figure:
    """One trace per severity, in the colours of the severity chart: the severity is said once per trace (its
    name, in the legend and the hover), not once per point (a third of the bytes). Other or missing
    severities make a last, grey trace."""
    fig = base_map(outlines, height=380, points=crashes)
    if crashes.is_empty():
        return fig
    known = list(SEVERITY_COLORS)
    severity = pl.col("gravite") if "gravite" in crashes.columns else pl.lit(None, pl.String)
    groups = [(name, color, crashes.filter(severity == name)) for name, color in SEVERITY_COLORS.items()]
    groups.append(("Gravité non renseignée", "#c3cbd3", crashes.filter(severity.is_null() | ~severity.is_in(known))))
    # Drawn from the least to the most severe, so that a death is never hidden under minor injuries; the
    # legend keeps the order of the severity chart.
    for rank, (name, color, some) in reversed(list(enumerate(groups))):
        if some.is_empty():
            continue
        fig.add_trace(go.Scattergeo(**positions(some),
                                    mode="markers", marker={"size": 8, "color": color, "opacity": 0.75},
                                    name=name, customdata=point_cells(accident_points(some), ACCIDENT_CELLS,
                                                                      ACCIDENT_FORMATS),
                                    legendrank=rank + 1,
                                    hovertemplate="<b>%{fullData.name}</b><br>%{customdata[1]} · %{customdata[2]}"
                                                  "<extra></extra>"))
    fig.update_layout(legend=LEGEND_BELOW)
    return fig


def arcs_map_summary(arcs: pl.DataFrame) -> str:
    if arcs.is_empty():
        return "Aucun point de comptage sur ce périmètre."
    text = f"{fmt_int(arcs.height)} point{'s' if arcs.height > 1 else ''} de comptage sur la carte"
    if "demonstration" not in arcs.columns or arcs["demonstration"].is_null().all():
        return text + "."
    real = arcs.filter(~pl.col("demonstration").fill_null(False))
    if not real.height or real.height == arcs.height:
        return text + "."
    where = sorted(set(real["territoire"].drop_nulls().to_list())) if "territoire" in real.columns else []
    return text + (f", dont {fmt_int(real.height)} réel{'s' if real.height > 1 else ''}"
                   + (f" ({', '.join(where)})" if where else "") + " ; les autres sont des données de démonstration.")


# ------------------------------------------------------------------------------------------ chart specs
# Each chart of /mobilite, declared once: the role it reads, the canonical columns it needs, its query, figure,
# sentence and table. ``view`` holds the page's choices: commune, label (its name), outlines (GeoJSON).

def _period(frame: pl.DataFrame, column: str = "annee") -> str:
    from data_access.mobilite import year_span

    span = year_span(frame, column)
    if span is None:
        return ""
    return f" ({span[0]})" if span[0] == span[1] else f" ({span[0]}-{span[1]})"


def arc_points(arcs: pl.DataFrame) -> pl.DataFrame:
    """The counting points with what the map's table shows: real or demonstration data, when the dataset says."""
    if "demonstration" not in arcs.columns:
        return arcs
    return arcs.with_columns(pl.when(pl.col("demonstration").fill_null(False)).then(pl.lit("démonstration"))
                             .otherwise(pl.lit("réelles")).alias("donnees"))


def arc_cells(arcs: pl.DataFrame) -> dict[str, str]:
    return {"libelle": "Point de comptage", "arc_id": "Identifiant",
            **({"donnees": "Données"} if "donnees" in arcs.columns else {})}


def arcs_table(arcs: pl.DataFrame) -> dict:
    arcs = arc_points(arcs)
    return points_table(arcs, arc_cells(arcs))


def arcs_map(arcs: pl.DataFrame, outlines: dict) -> go.Figure:
    arcs = arc_points(arcs)
    cells = arc_cells(arcs)
    hover = "<b>%{customdata[1]}</b>" + ("<br>données %{customdata[3]}" if "donnees" in cells else "")
    return points_map(arcs, outlines, cells, "Points de comptage", "#0b5563", hover + "<extra></extra>")
def _specs():
    from components.chart_spec import ChartSpec
    from data_access import mobilite as q

    years = {"annee": str}
    located = lambda frame: frame.filter(pl.col("lat").is_not_null() & pl.col("lon").is_not_null())  # noqa: E731
    velib = [
        ChartSpec("velib-map", "Stations Vélib'", q.BIKESHARE,
                  lambda ctx, v: q.velib_stations(ctx, v["commune"]),
                  lambda st, v: velib_map(st, v["outlines"]),
                  lambda st, v: velib_map_summary(q.velib_summary(st), v["label"]),
                  columns=("lat", "lon", "capacity", "bikes_available", "ebike", "docks_available"), width=7,
                  table=lambda st, v: points_table(velib_points(st), VELIB_CELLS)),
        ChartSpec("velib-communes", "Vélos disponibles par commune", q.BIKESHARE,
                  lambda ctx, v: (q.velib_commune_table(ctx) if v["commune"] == q.ALL else
                                  q.velib_commune_table(ctx).filter(pl.col("commune_code") == v["commune"])),
                  lambda t, v: velib_by_commune_bar(t), lambda t, v: velib_by_commune_summary(t),
                  columns=("commune_code", "capacity", "mechanical", "ebike"), width=5,
                  table=lambda t, v: (t, {"commune": "Commune", "stations": "Stations", "capacity": "Capacité (places)",
                                          "mechanical": "Vélos mécaniques", "ebike": "Vélos électriques"}, None)),
    ]
    charging = [
        ChartSpec("irve-carte", "Carte des points de recharge", q.CHARGING,
                  lambda ctx, v: q.irve_points(ctx, v["commune"]),
                  lambda p, v: irve_map(located(p), v["outlines"]), lambda p, v: irve_map_summary(p, v["label"]),
                  columns=("lat", "lon", "puissance_nominale", "nom_station", "nom_operateur", "id_station_itinerance"),
                  table=lambda p, v: (q.irve_plugs(p), {"prise": "Type de prise", "points": "Points équipés"}, None)
                  if {"prise_type_2", "prise_type_combo_ccs", "prise_type_chademo", "prise_type_ef"} <= set(p.columns)
                  else None),
        ChartSpec("irve-croissance", "Points de recharge ouverts et en service", q.CHARGING,
                  lambda ctx, v: q.irve_growth(q.irve_points(ctx, v["commune"])),
                  lambda g, v: irve_growth_figure(g), lambda g, v: irve_growth_summary(g),
                  columns=("date_mise_en_service",), width=7,
                  table=lambda g, v: (g, {"annee": "Année", "ouverts": "Ouverts dans l'année",
                                          "en_service": "En service en fin d'année"}, years)),
        ChartSpec("irve-puissance", "Points de recharge par puissance", q.CHARGING,
                  lambda ctx, v: q.irve_power_classes(q.irve_points(ctx, v["commune"])),
                  lambda c, v: irve_power_figure(c), lambda c, v: irve_power_summary(c),
                  columns=("puissance_nominale",), width=5,
                  table=lambda c, v: (c, {"classe": "Puissance", "points": "Points"}, None)),
    ]
    critair = [
        ChartSpec("critair", "Répartition du parc par vignette Crit'Air", q.CRITAIR,
                  lambda ctx, v: q.critair(ctx, v["commune"]),
                  lambda sh, v: critair_figure(sh), lambda sh, v: critair_summary(sh),
                  columns=("annee", "classe", "ordre", "vehicules"),
                  table=lambda sh, v: (sh.select("annee", "classe", "vehicules", "part"),
                                       {"annee": "Année", "classe": "Vignette", "vehicules": "Véhicules",
                                        "part": "Part (%)"}, {"annee": str, "part": 1})),
    ]
    counts_cols = ("arc_id", "libelle", "heure", "debit")
    traffic = [
        ChartSpec("trafic-jour", "Débit journalier moyen, mois par mois", q.COUNTS,
                  lambda ctx, v: q.traffic(ctx, v["commune"])["daily"],
                  lambda d, v: daily_flow_figure(d), lambda d, v: daily_flow_summary(d), columns=counts_cols,
                  table=lambda d, v: (d.select("libelle", "mois", "vehicules_par_jour", "jours"),
                                      {"libelle": "Point de comptage", "mois": "Mois",
                                       "vehicules_par_jour": "Véhicules par jour (moyenne)", "jours": "Jours comptés"},
                                      {"mois": lambda m: m.strftime("%m/%Y"), "vehicules_par_jour": 0})),
        ChartSpec("trafic-semaine", "Semaine type : débit moyen par heure", q.COUNTS,
                  lambda ctx, v: q.traffic(ctx, v["commune"])["profile"],
                  lambda pr, v: profile_heatmap(pr), lambda pr, v: profile_summary(pr), columns=counts_cols, width=7,
                  table=lambda pr, v: (wide := profile_table(pr),
                                       {c: ("Jour" if c == "jour_semaine" else c) for c in wide.columns},
                                       {c: 0 for c in wide.columns if c != "jour_semaine"})),
        ChartSpec("trafic-etats", "État du trafic", q.COUNTS,
                  lambda ctx, v: q.traffic(ctx, v["commune"])["states"],
                  lambda st, v: traffic_states_figure(st), lambda st, v: traffic_states_summary(st),
                  columns=counts_cols + ("etat_trafic",), width=5,
                  table=lambda st, v: (st.select("libelle", "etat_trafic", "heures", "part"),
                                       {"libelle": "Point de comptage", "etat_trafic": "État", "heures": "Heures",
                                        "part": "Part (%)"}, {"part": 1})),
        ChartSpec("trafic-carte", "Carte des points de comptage", q.ARCS,
                  lambda ctx, v: located(q.counting_arcs(ctx, v["commune"])),
                  lambda a, v: arcs_map(a, v["outlines"]),
                  lambda a, v: arcs_map_summary(a), columns=("arc_id", "libelle", "lat", "lon"),
                  table=lambda a, v: arcs_table(a)),
    ]
    accidents = [
        ChartSpec("accidents", lambda by, v: "Accidents corporels par gravité" + _period(by), q.ACCIDENTS,
                  lambda ctx, v: q.accidents_by_year_severity(q.accidents(ctx, v["commune"])),
                  lambda by, v: accidents_figure(by), lambda by, v: accidents_summary(by),
                  columns=("date", "gravite"), width=6,
                  table=lambda by, v: (by, {"annee": "Année", "gravite": "Gravité", "accidents": "Accidents"}, years)),
        # The latest year only: five years of points on one map hide each other and mix years (the years
        # before are in the chart by severity), and the page sends a fifth of the points.
        ChartSpec("accidents-carte", lambda c, v: "Carte des accidents" + _period(c), q.ACCIDENTS,
                  lambda ctx, v: located(q.latest_year(q.accidents(ctx, v["commune"]))),
                  lambda c, v: accidents_map(c, v["outlines"]),
                  lambda c, v: (f"Carte des {fmt_int(c.height)} accidents corporels localisés pour {v['label']}"
                                f"{_period(c)} ; les années précédentes sont comptées dans le graphique par gravité."),
                  columns=("date", "lat", "lon"), width=6,
                  table=lambda c, v: points_table(accident_points(c), ACCIDENT_CELLS, ACCIDENT_FORMATS,
                                                  layer="Gravité")),
        ChartSpec("accidents-calendrier", "Accidents par mois et par heure", q.ACCIDENTS,
                  lambda ctx, v: q.accidents_by_month_hour(q.accidents(ctx, v["commune"])),
                  lambda cal, v: accidents_calendar_figure(cal["month"], cal["hour"]),
                  lambda cal, v: accidents_calendar_summary(cal["month"], cal["hour"]), columns=("date",), width=7,
                  table=lambda cal, v: (cal["month"].select("mois_nom", "accidents"),
                                        {"mois_nom": "Mois", "accidents": "Accidents"}, None)),
        ChartSpec("accidents-usagers", "Accidents par catégorie d'usager", q.ACCIDENTS,
                  lambda ctx, v: q.accidents_by_user(q.accidents(ctx, v["commune"])),
                  lambda u, v: accidents_users_figure(u), lambda u, v: accidents_users_summary(u),
                  columns=("categorie_usager",), width=5,
                  table=lambda u, v: (u.with_columns(pl.col("categorie_usager").map_elements(
                      user_label, return_dtype=pl.String)), {"categorie_usager": "Usager", "accidents": "Accidents"},
                      None)),
    ]
    return {"velib": velib, "charging": charging, "critair": critair, "traffic": traffic, "accidents": accidents}


SPECS = _specs()
