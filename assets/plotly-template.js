/*
 * The plotly template once per visit instead of inside every figure (components/theme.py, lean_figure):
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

    function wrap(plotly) {
        if (!plotly || plotly.__piloteTemplate) { return; }
        ["react", "newPlot", "plot"].forEach(function (name) {
            var original = plotly[name];
            if (typeof original !== "function") { return; }
            plotly[name] = function () {
                var args = Array.prototype.slice.call(arguments);
                var data = args[1];
                if (data && !Array.isArray(data) && typeof data === "object") {  // (gd, {data, layout, ...})
                    data.layout = withTemplate(data.layout || {});
                } else if (args.length >= 2) {  // (gd, data, layout, config)
                    args[2] = withTemplate(args[2] || {});
                }
                return original.apply(this, args);
            };
        });
        plotly.__piloteTemplate = true;
    }

    if (window.Plotly) {
        wrap(window.Plotly);
    } else {
        window.PilotePlotlyHooks = window.PilotePlotlyHooks || [];
        window.PilotePlotlyHooks.push(wrap);
    }
})();
