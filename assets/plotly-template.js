/*
 * The plotly template and the graphs' default config once per visit instead of inside every figure
 * (components/theme.py, lean_figure and lean_config):
 * the server leaves Pilote's default template out of the figures it sends, and this script puts it back in
 * each figure's layout before plotly.js draws it, so graphs, exports and prints look the same. The template is
 * window.PILOTE_TEMPLATE, served by /_pilote/theme.js (from the same Python code as the figures).
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
            if (narrow && step > 1 && (ax.ticklabelstep || 1) < step) {
                update[name + ".ticklabelstep"] = step;
            } else if (!narrow && mine && ax.ticklabelstep === mine) {
                update[name + ".ticklabelstep"] = 1;
            }
        });
        var names = Object.keys(update);
        if (!names.length) { return null; }
        gd.__piloteTickSteps = gd.__piloteTickSteps || {};
        names.forEach(function (key) { gd.__piloteTickSteps[key.split(".")[0]] = update[key] > 1 ? update[key] : 0; });
        return window.Plotly.relayout(gd, update);
    }

    function fitNarrow(gd) {
        var full = gd && gd._fullLayout, host = gd && gd.closest && gd.closest(".dash-graph");
        if (!full || !full._size || !host || window.matchMedia("print").matches) { return gd; }
        var narrow = host.clientWidth < NARROW;
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

    // A map is fitted to what it draws at the size it is drawn: the server's zoom assumes a desktop card, and
    // on a phone it cropped the territory (4 of 65 counting points in view). The box is the figure's
    // layout.meta.bounds (components/maps.py base_map); maplibre fits it to the canvas as it is now.
    var MAP_PADDING = 16;

    function fitMap(gd) {
        var full = gd && gd._fullLayout, subplot = full && full.map && full.map._subplot;
        var box = gd && gd.layout && gd.layout.meta && gd.layout.meta.bounds;
        var map = subplot && subplot.map;
        if (!map || !Array.isArray(box) || box.length !== 4 || typeof map.fitBounds !== "function") { return gd; }
        var canvas = map.getCanvas(), pad = Math.min(MAP_PADDING, canvas.clientWidth / 8, canvas.clientHeight / 8);
        // pad_bottom: what the figure lays across the foot of the map (a colour scale) keeps its points clear
        var below = Math.min(Number(gd.layout.meta.pad_bottom) || 0, canvas.clientHeight / 3);
        try {
            map.fitBounds([[box[0], box[1]], [box[2], box[3]]],
                          {padding: {top: pad, left: pad, right: pad, bottom: pad + below}, animate: false, maxZoom: 16});
            // Kept in the layout too (plotly records only the user's moves): an image export redraws from it.
            var centre = map.getCenter(), view = {center: {lon: centre.lng, lat: centre.lat}, zoom: map.getZoom()};
            [gd.layout.map, full.map, full.map._input].forEach(function (target) {
                if (target) { Object.assign(target, view); }
            });
        } catch (e) { /* the server's view stays */ }
        return gd;
    }

    function fitted(gd) {
        var done = fitNarrow(gd);
        return done && done.then ? done.then(fitMap) : fitMap(gd);
    }

    function wrap(plotly) {
        if (!plotly || plotly.__piloteTemplate) { return; }
        ["react", "newPlot", "plot"].forEach(function (name) {
            var original = plotly[name];
            if (typeof original !== "function") { return; }
            plotly[name] = function () {
                var args = Array.prototype.slice.call(arguments);
                if (args[0] && typeof args[0] === "object") { args[0].__piloteFits = 0; }  // a new drawing
                var data = args[1];
                if (data && !Array.isArray(data) && typeof data === "object") {  // (gd, {data, layout, config})
                    data.layout = withTemplate(data.layout || {});
                    data.config = withConfig(data.config);
                } else if (args.length >= 2) {  // (gd, data, layout, config)
                    args[2] = withTemplate(args[2] || {});
                    args[3] = withConfig(args[3]);
                }
                var drawn = original.apply(this, args);
                return drawn && drawn.then ? drawn.then(fitted) : drawn;
            };
        });
        var resize = plotly.Plots && plotly.Plots.resize;
        if (typeof resize === "function") {  // a window turned to a phone's width (dcc.Graph resizes, not redraws)
            plotly.Plots.resize = function () {
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
