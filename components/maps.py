"""Offline maps: the commune outlines and the points drawn in SVG, no base layer and nothing fetched from the
internet."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import plotly.graph_objects as go
import polars as pl

from components.formats import MINUS, MISSING
from components.tables import display, kind, payload_kind


OUTLINES_ROUTE = "/_pilote/contours.geojson"  # app.py serves it


class Outlines(dict):
    """A GeoJSON FeatureCollection of commune outlines. With a ``url`` (where the browser fetches the same
    collection), maps name it instead of carrying it: a page of four maps sends the outlines once, and the
    browser keeps them for the next pages."""

    url: str | None = None


def outlines_geojson(communes: pl.DataFrame, url: str | None = None) -> Outlines:
    """The commune outlines snapshot (code, name, geometry as JSON) as a GeoJSON FeatureCollection."""
    out = Outlines(type="FeatureCollection", features=[
        {"type": "Feature", "properties": {"code": code, "nom": name}, "geometry": json.loads(geometry)}
        for code, name, geometry in communes.select("code", "name", "geometry").iter_rows()
    ])
    out.url = url
    return out


def outlines_version(data) -> str | None:
    """The version of the outlines the browser may fetch, or None when the outlines dataset is not public (or
    has no data): maps then carry them."""
    key = data.catalog.territory.outlines
    if not key or data.catalog[key].visibility != "public" or not data.store.meta(key).has_data:
        return None
    return data.store.version(key)


def outlines_url(data, commune: str) -> str | None:
    """Where the browser fetches the outlines of ``commune`` (versioned: cached for good), or None."""
    version = outlines_version(data)
    return None if version is None else f"{OUTLINES_ROUTE}?{urlencode({'commune': commune, 'v': version})}"


def outlines_for(data, commune: str) -> Outlines:
    """The outlines the maps of a page draw for ``commune`` (every commune for the whole territory)."""
    from data_access.mobilite import commune_outlines

    return outlines_geojson(commune_outlines(data, commune), outlines_url(data, commune))


def _bounds(geojson: dict) -> tuple[float, float, float, float]:
    lons, lats = [], []

    def walk(coords):
        if isinstance(coords[0], (int, float)):
            lons.append(coords[0])
            lats.append(coords[1])
        else:
            for c in coords:
                walk(c)

    for feature in geojson["features"]:
        walk(feature["geometry"]["coordinates"])
    return min(lons), min(lats), max(lons), max(lats)


# Nothing to draw: metropolitan France, never one place (west, south, east, north).
FRANCE_BOX = (-5.2, 42.3, 8.3, 51.1)
# A map's legend, under it and from its left edge. At y=0 (not just below it) plotly.js makes room for it: at
# y=-0.02 it kept 9 px for a legend of three rows, which hid the foot of the map.
LEGEND_BELOW = {"orientation": "h", "x": 0, "xanchor": "left", "y": 0, "yanchor": "top"}
MARGIN = 0.06  # of the box's span on each side: a marker at the edge of the territory is drawn whole


def frame_box(geojson: dict, lats=(), lons=()) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of the outlines and the points drawn, or None when there is nothing."""
    lats = [v for v in lats if v is not None and v == v]
    lons = [v for v in lons if v is not None and v == v]
    boxes = [_bounds(geojson)] if geojson["features"] else []
    if lats and lons:
        boxes.append((min(lons), min(lats), max(lons), max(lats)))
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def geo_view(box: tuple[float, float, float, float] | None) -> dict:
    """The ``layout.geo`` ranges that frame ``box`` with a margin. plotly.js fits this range to the map at the
    size it is drawn, a desktop's card or a phone's, so nothing is computed for one width; a single point
    (or none) still gets a neighbourhood around it."""
    west, south, east, north = box or FRANCE_BOX
    span = max(east - west, north - south, 0.01)
    pad_x = max((east - west) * MARGIN, span * MARGIN / 2)
    pad_y = max((north - south) * MARGIN, span * MARGIN / 2)
    return {"lonaxis": {"range": [round(west - pad_x, 5), round(east + pad_x, 5)]},
            "lataxis": {"range": [round(south - pad_y, 5), round(north + pad_y, 5)]}}


def view_for(geojson: dict, lats=(), lons=()) -> dict:
    """The ranges of a map framing the outlines and the points drawn (its territory's outlines when it has
    them, its points otherwise)."""
    return geo_view(frame_box(geojson, lats, lons))


def positions(frame: pl.DataFrame) -> dict:
    """A map trace's ``lat`` and ``lon``, to 5 decimals (about a metre, finer than any marker): sources give up to
    15 digits, which a page sends for every point."""
    return {"lat": frame["lat"].round(5).to_list(), "lon": frame["lon"].round(5).to_list()}


def base_map(geojson: dict, height: int = 420, points: pl.DataFrame | None = None,
             fit_points: bool = False) -> go.Figure:
    """An empty map of the commune outlines, for ``go.Scattergeo`` traces. ``points`` (with ``lat`` and
    ``lon``): what the map will draw, so that the view frames it (with the outlines, or the points alone with
    ``fit_points``: a few car parks in a large territory).

    Drawn in SVG (plotly's geo subplot, the projection in the template, no base layer: nothing is fetched
    from the internet): a WebGL map took 0.3 to 2.5 s to draw in a browser without a GPU, an SVG one 20 to
    50 ms. The outlines are ``layout.meta.outlines``: their URL when the browser may fetch them (once for
    every map of a page, then kept) or the collection itself; assets/plotly-template.js draws them as the
    map's first trace."""
    if points is not None and {"lat", "lon"} <= set(points.columns):
        located = points.filter(pl.col("lat").is_not_null() & pl.col("lon").is_not_null())
        frame_on = {"type": "FeatureCollection", "features": []} if fit_points and located.height else geojson
        lats, lons = located["lat"].to_list(), located["lon"].to_list()
    else:
        frame_on, lats, lons = geojson, [], []
    fig = go.Figure()
    fig.update_layout(geo=view_for(frame_on, lats, lons), height=height,
                      margin={"l": 0, "r": 0, "t": 0, "b": 0})
    if geojson.get("features"):
        fig.update_layout(meta={"outlines": getattr(geojson, "url", None) or dict(geojson)})
    return fig


# -- a map's data table, made of its points ----------------------------------------------------------------
# A map is no use to a keyboard or a screen reader: its card offers the table of its points and their CSV. A
# point's figures travel once, in its trace's ``customdata`` (its commune's code, then its table cells as shown,
# in French): the hover reads them (``%{customdata[1]}``…) and the browser makes the table and the CSV of them
# (assets/chart_export.js, pointRows), adding the layer (the trace's name), the commune's name and the position.
# The page sends no second copy of a thousand points.

POSITION_HEADERS = ("Latitude", "Longitude")


def point_cells(frame: pl.DataFrame, cells: dict[str, str], formats: dict | None = None) -> list[list[str]]:
    """The ``customdata`` of a map trace: per point, its commune's code (a click filters the page on it),
    then the ``cells`` columns as the table shows them."""
    formats = formats or {}
    kinds = {name: kind(frame.schema[name]) for name in cells}
    codes = frame["commune_code"].to_list() if "commune_code" in frame.columns else [None] * frame.height
    return [[code, *(display(row[name], kinds[name], formats.get(name)) for name in cells)]
            for code, row in zip(codes, frame.select(list(cells)).iter_rows(named=True))]


def points_table(frame: pl.DataFrame, cells: dict[str, str], formats: dict | None = None,
                 layer: str | None = None) -> dict:
    """The table payload of a map whose traces carry :func:`point_cells` of the same ``cells``: headers and
    kinds only (the rows are the figure's). ``layer``: the header of a column holding each point's trace
    name (the severity of an accident…), when the traces are layers of one map."""
    formats = formats or {}
    kinds = [payload_kind(kind(frame.schema[name]), formats.get(name)) for name in cells]
    return {"columns": [*cells.values(), *([layer] if layer else []), "Commune", *POSITION_HEADERS],
            "kinds": [*kinds, *(["text"] if layer else []), "text", "number", "number"],
            "points": {"layer": bool(layer)}}


def coordinate_text(value) -> str:
    """A latitude or longitude as the table shows it (assets/chart_export.js, coordinate): 5 decimals at
    most (about a metre, as sent: :func:`positions`), a decimal comma, a true minus sign."""
    if value is None or value != value:
        return MISSING
    digits = f"{abs(float(value)):.5f}".rstrip("0").rstrip(".")
    return (MINUS if value < 0 else "") + digits.replace(".", ",")


def point_rows(figure: dict, payload: dict, names: dict[str, str]) -> list[list[str]]:
    """The rows the browser makes of a map's points (the Python reference of pointRows in
    assets/chart_export.js): traces in legend order, points in their order; ``names``: communes by code."""
    traces = [t for t in figure.get("data", []) if isinstance(t.get("customdata"), list)]
    traces.sort(key=lambda t: t.get("legendrank", 1000))
    rows = []
    for trace in traces:
        for data, lat, lon in zip(trace["customdata"], trace["lat"], trace["lon"]):
            if not isinstance(data, list):
                continue
            rows.append([*data[1:], *([trace.get("name") or MISSING] if payload["points"]["layer"] else []),
                         names.get(data[0], data[0] or MISSING), coordinate_text(lat), coordinate_text(lon)])
    return rows
