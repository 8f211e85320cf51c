/*
 * The plotly template and the graphs' default config once per visit instead of inside every figure
 * (components/theme.py, lean_figure and lean_config):
 * the server leaves Pilote's default template out of the figures it sends, and this script puts it back in
 * each figure's layout before plotly.js draws it, so graphs, exports and prints look the same. The template is
 * window.PILOTE_TEMPLATE, served by /_pilote/theme.js (from the same Python code as the figures). It also draws
 * a map's commune outlines, which the figure names rather than carries.
 *
 * plotly.js arrives after this script (Dash loads it lazily): the wrapping runs from the hook list that
 * assets/plotly-locale-fr.js calls when window.Plotly is set, or at once if plotly.js is already there.
 */
(function () {
    "use strict";

    function withTemplate(layout) {
        var template = window.PILOTE_TEMPLATE;
        if (template && layout && typeof layout === "object" && layout.template === undefined) {
            layout.template = template;
        }
        return layout;
    }

    // Pilote's default config (GRAPH_CONFIG: French locale, no logo, no cloud button, print-quality PNG…), under
    // what the graph says itself (components.theme.lean_config: its file name).
    function withConfig(config) {
        var defaults = window.PILOTE_GRAPH_CONFIG;
        if (!defaults) { return config; }
        var out = Object.assign({}, defaults, config || {});
        Object.keys(defaults).forEach(function (key) {
            var mine = config && config[key];
            if (mine && typeof mine === "object" && !Array.isArray(mine) && typeof defaults[key] === "object") {
                out[key] = Object.assign({}, defaults[key], mine);
            }
        });
        return out;
    }

    // On a phone a legend above the plot (components/theme.py) takes rows from the graph's height: the graph
    // grows by what the plot lacks of MIN_PLOT, so an 11-item legend does not leave a 150 px chart. dcc.Graph
    // is responsive (its figure's height is ignored): the host's height is what grows.
    var NARROW = 576, MIN_PLOT = 240;

    // Tick density: on a narrow plot a label every year or hour crowds the axis (11 years stood on end in
    // 290 px); every 2nd or 3rd tick keeps its label, so labels stay at least LABEL_SPACING apart. Put back
    // when the plot is wide again.
    var LABEL_SPACING = 36;

    function tickSteps(gd, narrow) {
        var full = gd._fullLayout, update = {};
        Object.keys(full).forEach(function (name) {
            var ax = full[name];
            if (!/^xaxis\d*$/.test(name) || !ax || !ax._vals || !ax._length || ax.type === "log" ||
                ax.type === "multicategory" || ax.tickmode === "array") { return; }
            var mine = (gd.__piloteTickSteps || {})[name];
            var step = narrow ? Math.max(1, Math.ceil(LABEL_SPACING * ax._vals.length / ax._length)) : 1;
            var now = ax.ticklabelstep || 1, ours = mine && now === mine;
            if (narrow && step > 1 && now < step) {
                update[name + ".ticklabelstep"] = step;
            } else if (ours && step < now) {  // wider again, or steps put back (presetTickSteps) for fewer ticks
                update[name + ".ticklabelstep"] = step;
            }
        });
        var names = Object.keys(update);
        if (!names.length) { return null; }
        gd.__piloteTickSteps = gd.__piloteTickSteps || {};
        names.forEach(function (key) { gd.__piloteTickSteps[key.split(".")[0]] = update[key] > 1 ? update[key] : 0; });
        return window.Plotly.relayout(gd, update);
    }

    // A graph redrawn at the width it had (a selector changed its data) keeps the steps its axes had: put back
    // before drawing, they spare a relayout after it (and dcc.Graph's round of relayoutData), 15-20 ms of a
    // redraw on a phone's column. tickSteps corrects them after the drawing if the new data need others.
    function presetTickSteps(gd, layout) {
        var steps = gd && gd.__piloteTickSteps, out = layout;
        if (!steps || !gd._fullLayout || !layout || !gd.isConnected) { return layout; }
        Object.keys(steps).forEach(function (name) {
            var axis = layout[name];
            if (steps[name] > 1 && (axis === undefined || (axis && typeof axis === "object" && axis.ticklabelstep === undefined))) {
                if (out === layout) { out = Object.assign({}, layout); }  // copies: the figure as sent is kept
                out[name] = Object.assign({}, axis, {ticklabelstep: steps[name]});
            }
        });
        return out;
    }

    function fitNarrow(gd) {
        var full = gd && gd._fullLayout, host = gd && gd.closest && gd.closest(".dash-graph");
        if (!full || !full._size || !host || window.matchMedia("print").matches) { return gd; }
        var narrow = (full.width || host.clientWidth) < NARROW;  // as drawn: no layout forced (plotly-margins.js keyOf)
        var thinned = tickSteps(gd, narrow);
        if (thinned) {
            return thinned.then(function () { return gd.isConnected ? fitNarrow(gd) : gd; }, function () { return gd; });
        }
        if (!narrow) { return gd; }
        var lack = Math.round(MIN_PLOT - full._size.h);
        gd.__piloteFits = (gd.__piloteFits || 0) + 1;  // a plot that cannot grow is not resized for ever
        if (lack <= 4 || gd.__piloteFits > 3) { return gd; }
        host.style.height = (host.clientHeight + lack) + "px";
        // The page may have moved on since the draw (a link followed): a graph gone is left alone.
        var kept = function () { return gd; };
        return window.Plotly.Plots.resize(gd).then(kept, kept);
    }

    // A map's commune outlines (components/maps.py base_map): the figure names them in layout.meta.outlines, by
    // URL when the browser may fetch them (once for every map of a page, then kept by this visit and the HTTP
    // cache) or as the collection itself; they are drawn as the map's first trace, under its points, in
    // window.PILOTE_OUTLINE_STYLE. Outlines that cannot be fetched leave the map its points.
    var OUTLINES = "pilote-outlines";  // the trace's meta: what the exports and tests recognise it by
    var collections = {};

    function collection(source) {
        if (typeof source !== "string") { return Promise.resolve(source); }
        if (!collections[source]) {
            collections[source] = fetch(source, {credentials: "same-origin"}).then(function (response) {
                if (!response.ok) { throw new Error(response.status); }
                return response.json();
            }).catch(function () {
                delete collections[source];  // tried again at the next drawing
                return null;
            });
        }
        return collections[source];
    }

    function outlineTrace(geojson) {
        var lon = [], lat = [];
        ((geojson && geojson.features) || []).forEach(function (feature) {
            var geometry = feature.geometry || {};
            var polygons = geometry.type === "Polygon" ? [geometry.coordinates] :
                geometry.type === "MultiPolygon" ? geometry.coordinates : [];
            polygons.forEach(function (rings) {
                rings.forEach(function (ring) {
                    ring.forEach(function (point) { lon.push(point[0]); lat.push(point[1]); });
                    lon.push(null);  // a gap: each ring is its own shape
                    lat.push(null);
                });
            });
        });
        return Object.assign({type: "scattergeo", mode: "lines", fill: "toself", lon: lon, lat: lat,
                              hoverinfo: "skip", showlegend: false, name: "Contours", meta: OUTLINES},
                             window.PILOTE_OUTLINE_STYLE || {});
    }

    function hasOutlines(traces) {
        return (traces || []).some(function (trace) { return trace && trace.meta === OUTLINES; });
    }

    // The arguments of a drawing with the map's outlines first, once they are there (null: nothing to add).
    function withOutlines(args) {
        var figure = args[1] && !Array.isArray(args[1]) && typeof args[1] === "object" ? args[1] : null;
        var layout = figure ? figure.layout : args[2];
        var source = layout && layout.meta && layout.meta.outlines;
        var traces = figure ? figure.data : args[1];
        if (!source || hasOutlines(traces)) { return null; }
        return collection(source).then(function (geojson) {
            if (!geojson) { return args; }
            var drawn = [outlineTrace(geojson)].concat(traces || []);  // a new list: the figure as sent is kept
            if (figure) { args[1] = Object.assign({}, figure, {data: drawn}); } else { args[1] = drawn; }
            return args;
        });
    }

    // A map shows the box the server framed (its outlines and points: layout.geo's ranges, components/maps.py),
    // widened to the shape of the plot it is drawn in: plotly.js fits the ranges inside the plot and cuts what
    // lies outside them, so a box of another shape left blank bands and outlines cut straight. Widened before
    // the first drawing from the plot's expected size, and again after a drawing whose plot came out of
    // another shape (a legend's room) or a resize (a phone turned).
    var CLIP_PAD = 1e-3;  // degrees: plotly.js's geo constants.clipPad

    function mercatorY(lat) { return Math.log(Math.tan(Math.PI / 4 + lat * Math.PI / 360)); }

    function latitudeOf(y) { return (2 * Math.atan(Math.exp(y)) - Math.PI / 2) * 180 / Math.PI; }

    function filledBox(box, width, height) {
        var lon = box.lon, lat = box.lat, y0 = mercatorY(lat[0]), y1 = mercatorY(lat[1]);
        var across = (lon[1] - lon[0]) * Math.PI / 180, up = y1 - y0;
        if (!(width > 0 && height > 0 && across > 0 && up > 0)) { return null; }
        if (across / up < width / height) {
            var side = (up * width / height - across) * 90 / Math.PI;
            lon = [Math.max(-180, lon[0] - side), Math.min(180, lon[1] + side)];
        } else {
            var grow = (across * height / width - up) / 2;
            lat = [Math.max(-85, latitudeOf(y0 - grow)), Math.min(85, latitudeOf(y1 + grow))];
        }
        // plotly.js fits the ranges less CLIP_PAD on each side: at a city's scale that zoomed in by 6 %.
        return {lon: [lon[0] - CLIP_PAD, lon[1] + CLIP_PAD], lat: [lat[0] - CLIP_PAD, lat[1] + CLIP_PAD]};
    }

    function serverBox(geo) {
        var lon = geo && geo.lonaxis && geo.lonaxis.range, lat = geo && geo.lataxis && geo.lataxis.range;
        return Array.isArray(lon) && Array.isArray(lat) && lon.length === 2 && lat.length === 2 ?
            {lon: lon.slice(), lat: lat.slice()} : null;
    }

    function widenMap(gd, layout) {
        var box = serverBox(layout && layout.geo);
        if (!gd || !box) { return; }
        gd.__piloteMapBox = box;
        var margin = layout.margin || {}, size = gd._fullLayout && gd._fullLayout._size;
        var width = size ? size.w : gd.clientWidth - (margin.l || 0) - (margin.r || 0);
        var height = size ? size.h : (gd.clientHeight || layout.height || 0) - (margin.t || 0) - (margin.b || 0);
        var filled = filledBox(box, width, height);
        if (filled) {  // a copy: the figure as sent keeps the server's box
            layout.geo = Object.assign({}, layout.geo, {lonaxis: Object.assign({}, layout.geo.lonaxis, {range: filled.lon}),
                                                        lataxis: Object.assign({}, layout.geo.lataxis, {range: filled.lat})});
        }
    }

    function fillMap(gd) {
        var full = gd && gd._fullLayout, geo = full && full.geo, box = gd && gd.__piloteMapBox;
        if (!geo || !box || !full._size || !gd.isConnected) { return gd; }
        var filled = filledBox(box, full._size.w, full._size.h), now = serverBox(geo);
        if (!filled || !now) { return gd; }
        var off = Math.max(Math.abs(filled.lon[0] - now.lon[0]) + Math.abs(filled.lon[1] - now.lon[1]),
                           Math.abs(filled.lat[0] - now.lat[0]) + Math.abs(filled.lat[1] - now.lat[1]));
        if (off < 0.01 * (box.lon[1] - box.lon[0])) { return gd; }
        var kept = function () { return gd; };
        return window.Plotly.relayout(gd, {"geo.lonaxis.range": filled.lon, "geo.lataxis.range": filled.lat})
            .then(kept, kept);
    }

    function then(value, next) {
        return value && value.then ? value.then(next) : next(value);
    }

    // The margins the axes took, kept for the next drawing (assets/plotly-margins.js).
    function presetMargins(gd, layout) {
        return window.PiloteMargins ? window.PiloteMargins.preset(gd, layout) : layout;
    }

    function keepMargins(gd) {
        return window.PiloteMargins ? window.PiloteMargins.keep(gd) : gd;
    }

    // The margins settle first (a kept margin wider than needed is narrowed): the ticks are thinned for the
    // plot's final width.
    function fitted(gd) {
        return then(then(keepMargins(gd), fitNarrow), fillMap);
    }

    function sameSize(gd) {
        var full = gd && gd._fullLayout;
        if (!full || !full.autosize || !gd.isConnected || !gd.clientWidth) { return false; }
        var style = window.getComputedStyle(gd);
        return Math.abs(parseFloat(style.width) - full.width) < 1 && Math.abs(parseFloat(style.height) - full.height) < 1;
    }

    function wrap(plotly) {
        if (!plotly || plotly.__piloteTemplate) { return; }
        ["react", "newPlot", "plot"].forEach(function (name) {
            var original = plotly[name];
            if (typeof original !== "function") { return; }
            plotly[name] = function () {
                var args = Array.prototype.slice.call(arguments);
                var gd = typeof args[0] === "string" ? document.getElementById(args[0]) : args[0];
                if (gd && typeof gd === "object") { gd.__piloteFits = 0; }  // a new drawing
                var data = args[1];
                if (data && !Array.isArray(data) && typeof data === "object") {  // (gd, {data, layout, config})
                    data.layout = withTemplate(data.layout || {});
                    data.config = withConfig(data.config);
                    data.layout = presetMargins(gd, data.layout);
                    widenMap(gd, data.layout);
                    data.layout = presetTickSteps(gd, data.layout);
                } else if (args.length >= 2) {  // (gd, data, layout, config)
                    args[2] = withTemplate(args[2] || {});
                    args[3] = withConfig(args[3]);
                    args[2] = presetMargins(gd, args[2]);
                    widenMap(gd, args[2]);
                    args[2] = presetTickSteps(gd, args[2]);
                }
                var self = this, outlined = withOutlines(args);
                var drawn = outlined ? outlined.then(function (ready) { return original.apply(self, ready); })
                    : original.apply(this, args);
                return drawn && drawn.then ? drawn.then(fitted) : drawn;
            };
        });
        var resize = plotly.Plots && plotly.Plots.resize;
        if (typeof resize === "function") {  // a window turned to a phone's width (dcc.Graph resizes, not redraws)
            plotly.Plots.resize = function (gd) {
                // dcc.Graph resizes every graph after its first drawing and when its size may have changed:
                // at the same size that was a 100 ms timer and a relayout per graph, after the page had drawn.
                if (sameSize(gd)) { return Promise.resolve(gd); }
                var done = resize.apply(this, arguments);
                return done && done.then ? done.then(fitted) : done;
            };
        }
        plotly.__piloteTemplate = true;
    }

    if (window.Plotly) {
        wrap(window.Plotly);
    } else {
        window.PilotePlotlyHooks = window.PilotePlotlyHooks || [];
        window.PilotePlotlyHooks.push(wrap);
    }
})();
