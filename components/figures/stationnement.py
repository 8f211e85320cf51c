"""Figure builders of the parking page: pure ``(DataFrame, options) -> go.Figure`` functions and the
one-sentence summaries that go with them (French formats)."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from components.figures.bars import value_labels
from components.figures.week import week_hour_heatmap
from components.formats import MISSING, WEEKDAYS, fmt_datetime, fmt_int, fmt_number, fmt_percent
from components.maps import LEGEND_BELOW, base_map, positions
from components.theme import COLORS


STATE_COLORS = {"complet": COLORS["danger"], "presque complet": COLORS["warning"], "disponible": COLORS["primary"],
                "données en retard": "#9aa5b1"}
_YEARS = {"tickformat": "d", "hoverformat": "d", "separatethousands": False}


def fill_text(rate) -> str:
    """A fill rate (%) as shown on the page; a late feed (null) reads "–", never full or empty."""
    return MISSING if rate is None else fmt_percent(rate, 0)


# -- real time -------------------------------------------------------------------------------------------------


def realtime_map(status: pl.DataFrame, outlines: dict) -> go.Figure:
    """Car parks on the offline base map, sized by capacity, coloured by state (late feeds in grey)."""
    fig = base_map(outlines, height=380, points=status, fit_points=True)
    for state, color in STATE_COLORS.items():
        part = status.filter(pl.col("state") == state)
        if part.is_empty():
            continue
        text = [
            f"<b>{name}</b><br>"
            + (f"données en retard (dernière mise à jour {fmt_datetime(when)})" if late else
               f"{fmt_int(free)} places libres sur {fmt_int(cap)} · remplissage {fill_text(rate)}")
            for name, free, cap, rate, late, when in part.select(
                "name", "free_spots", "capacity", "fill_rate", "late", "last_update").iter_rows()
        ]
        fig.add_trace(go.Scattergeo(
            **positions(part), mode="markers", name=state.capitalize(),
            marker={"size": [10 + c / 10 for c in part["capacity"].to_list()], "color": color},
            text=text, hovertemplate="%{text}<extra></extra>"))
    # Under the map, not over its points
    fig.update_layout(showlegend=True, legend=LEGEND_BELOW)
    return fig


def realtime_summary(status: pl.DataFrame) -> str:
    if status.is_empty():
        return "Aucun parking dans le flux temps réel."
    fresh = status.filter(~pl.col("late"))
    late = status.height - fresh.height
    full = fresh.filter(pl.col("state") == "complet").height
    text = (f"{fmt_int(fresh['free_spots'].sum())} places libres sur {fmt_int(fresh['capacity'].sum())} dans "
            f"{fmt_int(fresh.height)} parkings à jour ; {fmt_int(full)} complet(s)")
    return text + (f" ; {fmt_int(late)} parking(s) aux données en retard." if late else ".")


# -- history ---------------------------------------------------------------------------------------------------


def trend_figure(trend: pl.DataFrame) -> go.Figure:
    """Daily mean occupancy (%) with the daily maximum as a light band line."""
    dates = trend["date"].to_list()
    # One decimal is what the hover shows: the full float would triple the bytes of 2 × 365 points.
    fig = go.Figure([
        go.Scatter(x=dates, y=(trend["occupancy_max"] * 100).round(1).to_list(), name="Maximum du jour", mode="lines",
                   line={"color": COLORS["warning"], "width": 1},
                   hovertemplate="%{x|%d/%m/%Y} : maximum %{y:.0f} %<extra></extra>"),
        go.Scatter(x=dates, y=(trend["occupancy"] * 100).round(1).to_list(), name="Occupation moyenne", mode="lines",
                   line={"color": COLORS["primary"], "width": 2},
                   hovertemplate="%{x|%d/%m/%Y} : %{y:.1f} %<extra></extra>"),
    ])
    fig.update_layout(height=340, yaxis={"title": "Occupation (%)", "range": [0, 105]},
                      xaxis={"tickformat": "%b %Y"})
    return fig


def trend_summary(trend: pl.DataFrame, label: str) -> str:
    if trend.is_empty():
        return f"Aucun historique pour {label}."
    best = trend.sort("occupancy", descending=True).row(0, named=True)
    low = trend.sort("occupancy").row(0, named=True)
    return (f"{label} : occupation moyenne de {fmt_percent(100 * trend['occupancy'].mean(), 1)} sur la période ; "
            f"journée la plus chargée le {best['date']:%d/%m/%Y} ({fmt_percent(100 * best['occupancy'], 0)}), "
            f"la plus creuse le {low['date']:%d/%m/%Y} ({fmt_percent(100 * low['occupancy'], 0)}).")


def week_heatmap(week: pl.DataFrame) -> go.Figure:
    """Typical week: mean occupancy (%) by weekday (rows, Monday first) and hour (columns)."""
    percent = week.with_columns((100 * pl.col("occupancy")).round(1).alias("occupancy_pct"))
    return week_hour_heatmap(percent, "weekday", "hour", "occupancy_pct", unit="%", hover="%{z:.0f} %",
                             zrange=(0, 100))


def week_summary(week: pl.DataFrame, label: str) -> str:
    known = week.drop_nulls("occupancy")
    if known.is_empty():
        return f"Aucun historique pour {label}."
    top = known.sort("occupancy", descending=True).row(0, named=True)
    low = known.sort("occupancy").row(0, named=True)
    return (f"Semaine type de {label} : plus chargé le {WEEKDAYS[top['weekday'] - 1]} à {top['hour']} h "
            f"({fmt_percent(100 * top['occupancy'], 0)}), plus calme le {WEEKDAYS[low['weekday'] - 1]} "
            f"à {low['hour']} h ({fmt_percent(100 * low['occupancy'], 0)}).")


def peak_hours_figure(hours: pl.DataFrame) -> go.Figure:
    """Mean weekday occupancy (%) by hour of day; the three busiest hours highlighted."""
    top = set(hours.sort("occupancy", descending=True).head(3)["hour"].to_list())
    fig = go.Figure(go.Bar(
        x=[f"{h} h" for h in hours["hour"].to_list()], y=(hours["occupancy"] * 100).to_list(),
        marker_color=[COLORS["danger"] if h in top else COLORS["primary"] for h in hours["hour"].to_list()],
        hovertemplate="%{x} : %{y:.1f} %<extra></extra>"))
    fig.update_layout(height=320, yaxis={"title": "Occupation moyenne (%)", "range": [0, 100]})
    return fig


def peak_hours_summary(hours: pl.DataFrame, label: str) -> str:
    if hours.is_empty():
        return f"Aucun historique pour {label}."
    top = hours.sort(["occupancy", "hour"], descending=[True, False]).head(3)
    listed = ", ".join(f"{h} h ({fmt_percent(100 * o, 0)})" for h, o in top.select("hour", "occupancy").iter_rows())
    return f"Heures de pointe en semaine pour {label} : {listed}."


def saturation_figure(days: pl.DataFrame, names: dict[str, str]) -> go.Figure:
    """Saturated days per car park (≥ 95 % occupied for at least an hour), most first, horizontal."""
    ordered = days.sort(["saturation_days", "parking_id"], descending=[False, True])
    labels = [names.get(p, p) for p in ordered["parking_id"].to_list()]
    fig = go.Figure(go.Bar(x=ordered["saturation_days"].to_list(), y=labels, orientation="h",
                           marker_color=COLORS["danger"], **value_labels(ordered["saturation_days"].to_list()),
                           hovertemplate="%{y} : %{x} jours saturés<extra></extra>"))
    fig.update_layout(height=150 + 30 * max(ordered.height, 1), xaxis_title="Jours saturés", yaxis_title=None)
    return fig


def saturation_summary(days: pl.DataFrame, names: dict[str, str]) -> str:
    if days.is_empty() or not int(days["saturation_days"].sum()):
        return "Aucun parking n'a été saturé sur la période."
    top = days.sort(["saturation_days", "parking_id"], descending=[True, False]).row(0, named=True)
    never = days.filter(pl.col("saturation_days") == 0).height
    return (f"{names.get(top['parking_id'], top['parking_id'])} a été saturé {fmt_int(top['saturation_days'])} jours "
            f"sur {fmt_int(top['days'])} ; {fmt_int(never)} parking(s) jamais saturé(s).")


def comparison_figure(table: pl.DataFrame) -> go.Figure:
    """Mean and maximum occupancy (%) per car park, side by side."""
    ordered = table.sort("occupancy_mean")
    names = ordered["name"].to_list()
    fig = go.Figure([
        go.Bar(name="Occupation moyenne", y=names, x=(ordered["occupancy_mean"] * 100).to_list(), orientation="h",
               marker_color=COLORS["primary"], hovertemplate="%{y} : moyenne %{x:.1f} %<extra></extra>"),
        go.Bar(name="Occupation maximale", y=names, x=(ordered["occupancy_max"] * 100).to_list(), orientation="h",
               marker_color=COLORS["warning"], hovertemplate="%{y} : maximum %{x:.0f} %<extra></extra>"),
    ])
    fig.update_layout(barmode="group", height=160 + 44 * max(ordered.height, 1),
                      xaxis={"title": "Occupation (%)", "range": [0, 105]}, yaxis_title=None)
    return fig


def comparison_summary(table: pl.DataFrame) -> str:
    if table.is_empty():
        return "Aucun parking à comparer."
    top, low = table.row(0, named=True), table.row(-1, named=True)
    return (f"{top['name']} est le plus occupé ({fmt_percent(100 * top['occupancy_mean'], 1)} en moyenne), "
            f"{low['name']} le moins ({fmt_percent(100 * low['occupancy_mean'], 1)}).")


# -- delegation (internal) --------------------------------------------------------------------------------------


def dsp_revenue_figure(dsp: pl.DataFrame) -> go.Figure:
    """Revenue per year (€), hourly tickets and subscriptions stacked."""
    years = dsp["annee"].to_list()
    fig = go.Figure([
        go.Bar(x=years, y=dsp["recettes_horaires_eur"].to_list(), name="Recettes horaires",
               marker_color=COLORS["primary"], hovertemplate="%{x} : %{y:,.0f} € (horaires)<extra></extra>"),
        go.Bar(x=years, y=dsp["recettes_abonnements_eur"].to_list(), name="Abonnements",
               marker_color=COLORS["public"], hovertemplate="%{x} : %{y:,.0f} € (abonnements)<extra></extra>"),
    ])
    fig.update_layout(barmode="stack", height=340, xaxis=_YEARS, yaxis_title="Recettes (€ HT)")
    return fig


def dsp_revenue_summary(dsp: pl.DataFrame) -> str:
    if dsp.is_empty():
        return "Aucun chiffre de la délégation."
    last = dsp.row(-1, named=True)
    return (f"En {last['annee']}, {fmt_number(last['recettes_eur'] / 1e6, 2)} M€ de recettes, dont "
            f"{fmt_percent(last['part_horaire'], 1)} en stationnement horaire et "
            f"{fmt_percent(last['part_abonnements'], 1)} en abonnements.")


def dsp_activity_figure(dsp: pl.DataFrame) -> go.Figure:
    """Occupancy rate (%) as a line, subscriptions and incidents as bars, per year."""
    years = dsp["annee"].to_list()
    fig = go.Figure([
        go.Bar(x=years, y=dsp["abonnements"].to_list(), name="Abonnements (31/12)", marker_color=COLORS["public"],
               hovertemplate="%{x} : %{y} abonnements<extra></extra>"),
        go.Bar(x=years, y=dsp["incidents"].to_list(), name="Incidents", marker_color=COLORS["danger"],
               hovertemplate="%{x} : %{y} incidents<extra></extra>"),
        go.Scatter(x=years, y=dsp["taux_occupation"].to_list(), name="Taux d'occupation (%)", yaxis="y2",
                   mode="lines+markers", line={"color": COLORS["primary"], "width": 3},
                   hovertemplate="%{x} : %{y:.1f} %<extra></extra>"),
    ])
    fig.update_layout(barmode="group", height=340, xaxis=_YEARS, yaxis_title="Nombre",
                      yaxis2={"title": "Occupation (%)", "overlaying": "y", "side": "right", "range": [0, 100],
                              "showgrid": False})
    return fig


def dsp_activity_summary(dsp: pl.DataFrame) -> str:
    if dsp.is_empty():
        return "Aucun chiffre de la délégation."
    first, last = dsp.row(0, named=True), dsp.row(-1, named=True)
    return (f"{fmt_int(last['abonnements'])} abonnements fin {last['annee']} (contre {fmt_int(first['abonnements'])} "
            f"en {first['annee']}), occupation moyenne {fmt_percent(last['taux_occupation'], 1)}, "
            f"{fmt_int(last['incidents'])} incidents.")


# ------------------------------------------------------------------------------------------ chart specs
# The charts of /stationnement, declared once. ``view``: parking (an identifier, or None for every car park),
# label (what the charts are about), names (parking_id -> name).

def _percent(frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
    return frame.with_columns(*(pl.col(c) * 100 for c in columns))


def _specs():
    from components.chart_spec import ChartSpec
    from data_access import stationnement as q

    pct = {"occupancy": 1, "occupancy_max": 1, "occupancy_mean": 1}
    history = [
        ChartSpec("parking-tendance", "Occupation journalière", q.DAILY,
                  lambda ctx, v: q.cached_trend(ctx, v["parking"]),
                  lambda t, v: trend_figure(t), lambda t, v: trend_summary(t, v["label"]),
                  columns=("parking_id", "date", "occupied_mean", "spaces", "occupancy_max"),
                  table=lambda t, v: (_percent(t, "occupancy", "occupancy_max"),
                                      {"date": "Date", "occupancy": "Occupation moyenne (%)",
                                       "occupancy_max": "Occupation maximale (%)"}, pct)),
        ChartSpec("parking-semaine", "Semaine type (occupation moyenne par heure)", q.HOURLY,
                  lambda ctx, v: q.cached_typical_week(ctx, v["parking"]),
                  lambda w, v: week_heatmap(w), lambda w, v: week_summary(w, v["label"]),
                  columns=("parking_id", "hour", "occupied_mean", "spaces"), width=7,
                  table=lambda w, v: (w.with_columns(
                      pl.col("weekday").replace_strict({i + 1: d for i, d in enumerate(WEEKDAYS)},
                                                       return_dtype=pl.String), pl.col("occupancy") * 100),
                      {"weekday": "Jour", "hour": "Heure", "occupancy": "Occupation (%)"}, pct)),
        ChartSpec("parking-pointe", "Heures de pointe en semaine", q.HOURLY,
                  lambda ctx, v: q.cached_peak_hours(ctx, v["parking"]),
                  lambda h, v: peak_hours_figure(h), lambda h, v: peak_hours_summary(h, v["label"]),
                  columns=("parking_id", "hour", "occupied_mean", "spaces"), width=5,
                  table=lambda h, v: (_percent(h, "occupancy"), {"hour": "Heure",
                                                                 "occupancy": "Occupation moyenne (%)"}, pct)),
    ]
    comparison = [
        ChartSpec("parking-saturation", "Jours de saturation par parking (≥ 95 % pendant au moins 1 h)", q.DAILY,
                  lambda ctx, v: q.cached_saturation_days(ctx),
                  lambda s, v: saturation_figure(s, v["names"]), lambda s, v: saturation_summary(s, v["names"]),
                  columns=("parking_id", "date", "saturation_minutes"), width=5,
                  table=lambda s, v: (s.with_columns(pl.col("parking_id").replace_strict(
                      v["names"], default=pl.col("parking_id")).alias("name")),
                      {"name": "Parking", "saturation_days": "Jours saturés", "days": "Jours observés"}, None)),
        ChartSpec("parking-comparaison", "Occupation moyenne et maximale par parking", q.DAILY,
                  lambda ctx, v: q.cached_comparison(ctx),
                  lambda c, v: comparison_figure(c), lambda c, v: comparison_summary(c),
                  columns=("parking_id", "date", "occupied_mean", "spaces", "free_mean", "free_min"), width=7,
                  table=lambda c, v: (_percent(c, "occupancy_mean", "occupancy_max"),
                                      {"name": "Parking", "capacity": "Places",
                                       "occupancy_mean": "Occupation moyenne (%)",
                                       "occupancy_max": "Occupation maximale (%)",
                                       "free_mean": "Places libres (moyenne)", "saturation_days": "Jours saturés"},
                                      {**pct, "free_mean": 1})),
    ]
    years = {"annee": str}
    dsp = [
        ChartSpec("dsp-recettes", "Recettes de la délégation", q.DSP, lambda ctx, v: q.dsp(ctx),
                  lambda f, v: dsp_revenue_figure(f), lambda f, v: dsp_revenue_summary(f), width=6, level=3,
                  columns=("annee", "recettes_eur", "recettes_horaires_eur", "recettes_abonnements_eur"),
                  table=lambda f, v: (f, {"annee": "Année", "recettes_horaires_eur": "Horaires (€ HT)",
                                          "recettes_abonnements_eur": "Abonnements (€ HT)",
                                          "recettes_eur": "Total (€ HT)", "part_horaire": "Part horaire (%)"},
                                      {**years, "recettes_horaires_eur": 0, "recettes_abonnements_eur": 0,
                                       "recettes_eur": 0, "part_horaire": 1})),
        ChartSpec("dsp-activite", "Abonnements, occupation et incidents", q.DSP, lambda ctx, v: q.dsp(ctx),
                  lambda f, v: dsp_activity_figure(f), lambda f, v: dsp_activity_summary(f), width=6, level=3,
                  columns=("annee", "abonnements", "taux_occupation", "incidents"),
                  table=lambda f, v: (f, {"annee": "Année", "abonnements": "Abonnements",
                                          "taux_occupation": "Taux d'occupation (%)", "incidents": "Incidents"},
                                      {**years, "taux_occupation": 1})),
    ]
    return {"history": history, "comparison": comparison, "dsp": dsp}


SPECS = _specs()
