/*
 * Exports of the chart card (components/chart_card.py): CSV of the figures, PNG/SVG of the chart.
 *
 * Clientside callbacks only (window.dash_clientside.pilote), registered with dash.clientside_callback in
 * chart_card.py with pattern-matching ids: nothing reaches the server. The data were authorised when the page
 * that rendered the card was, and are already in the browser.
 *
 * The card carries its table once (table_payload in chart_card.py): headers, the kind of each column and every
 * cell as shown, formatted in French on the server.
 *
 * Each function reads what it needs of its card from the card itself (cardMeta): the title as shown, the source
 * line under the chart, the graph; the card's id comes from the callback's output (pattern-matching ids).
 *
 * show_table(n_clicks, table): the accessible HTML table (caption, th scope="col", the first column as
 *     row headers, numbers right-aligned), built when "Voir les données" is first opened, and again when the
 *     card receives new figures (a selector redrew it in place).
 * download_csv(n_clicks, table): saves the CSV of that table (UTF-8 with BOM, ';', decimal comma, CRLF,
 *     formulas guarded) as <card id>.csv; each cell as csv_from_display does in chart_card.py.
 * download_image(png_clicks, svg_clicks): redraws the chart on screen in a hidden 1200 px wide copy,
 *     with the card title on top and "Source : ... · données du jj/mm/aaaa" at the bottom (the card's
 *     source line, formatted in French on the server), a white background, French separators and locale; then
 *     Plotly.toImage at scale 3 (3600 px wide) for PNG, or SVG; saves it as <card id>.png / .svg.
 *     The chart on screen is not touched.
 *
 * Both return {file, at} (the file name and the time), stored in a dcc.Store: tests wait on it.
 */
(function () {
    "use strict";

    var IMAGE_WIDTH = 1200;   // CSS px; x3 = 3600 px, print quality for a full A4 width
    var MIN_HEIGHT = 500;
    var SCALE = 3;
    var TITLE_SPACE = 64;     // added to the top margin for the title
    var SOURCE_SPACE = 44;    // added to the bottom margin for the source line
    var LINE_HEIGHT = 16;     // per extra line of a long source
    var PAD = 16;             // left padding of the title and the source line
    var MAX_LINE = 150;       // characters per line of the source

    function noUpdate() {
        return window.dash_clientside.no_update;
    }

    function saveUrl(url, filename) {
        var link = document.createElement("a");
        link.href = url;
        link.download = filename;
        link.rel = "noopener";
        link.style.display = "none";
        document.body.appendChild(link);
        link.click();
        document.body.removeChild(link);
    }

    function saveText(text, filename, type) {
        // A JS string goes into a Blob as UTF-8: the leading U+FEFF becomes the bytes EF BB BF (the BOM).
        var url = URL.createObjectURL(new Blob([text], {type: type}));
        saveUrl(url, filename);
        setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
    }

    // Plotly reads "<b>", "<br>"... in texts: show the title and source as they are.
    function escapeText(text) {
        return String(text == null ? "" : text)
            .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    }

    function wrap(text, width) {
        var lines = [];
        var line = "";
        String(text || "").split(" ").forEach(function (word) {
            if (line && (line + " " + word).length > width) {
                lines.push(line);
                line = word;
            } else {
                line = line ? line + " " + word : word;
            }
        });
        if (line) { lines.push(line); }
        return lines;
    }

    // Deep copy of a figure part; typed arrays are copied, plotly's private keys ("_...") dropped.
    function clone(value) {
        if (Array.isArray(value)) { return value.map(clone); }
        if (ArrayBuffer.isView(value)) { return value.slice(); }
        if (value instanceof Date) { return new Date(value.getTime()); }
        if (value && typeof value === "object") {
            var copy = {};
            Object.keys(value).forEach(function (key) {
                if (key.charAt(0) !== "_" && typeof value[key] !== "function") {
                    copy[key] = clone(value[key]);
                }
            });
            return copy;
        }
        return value;
    }

    // The card whose button or table fired the callback: its id is in the output's pattern-matching id.
    function cardMeta() {
        var ctx = window.dash_clientside.callback_context || {};
        var output = ctx.outputs_list || {};
        var card = ((Array.isArray(output) ? output[0] : output) || {}).id;
        card = card && card.card;
        if (!card) { return null; }
        var title = card, heading = document.getElementById(card + "-title");
        if (heading) {  // as shown, without the demonstration badge (the source line says it)
            var copy = heading.cloneNode(true);
            Array.prototype.forEach.call(copy.querySelectorAll(".pilote-badge-demo"), function (badge) {
                badge.parentNode.removeChild(badge);
            });
            title = copy.textContent.replace(/\s+/g, " ").trim();
        }
        var source = document.getElementById(card + "-source");
        return {graph: card + "-graph", table: card + "-table", filename: card, title: title,
                caption: source ? source.textContent.trim() : ""};
    }

    function graphDiv(meta) {
        var host = document.getElementById(meta.graph);
        if (!host) { return null; }
        return host.classList.contains("js-plotly-plot") ? host : host.querySelector(".js-plotly-plot");
    }

    function triggeredFormat() {
        var ctx = window.dash_clientside.callback_context || {};
        var triggered = (ctx.triggered || [])[0] || {};
        return String(triggered.prop_id || "").indexOf("chart-svg-button") >= 0 ? "svg" : "png";
    }

    function exportImage(gd, meta, format) {
        var Plotly = window.Plotly;
        var full = gd._fullLayout || {};
        var data = clone(gd.data || []);
        var layout = clone(gd.layout || {});
        var figureHeight = layout.height || full.height || MIN_HEIGHT;
        var height = Math.max(MIN_HEIGHT, Math.round(figureHeight + TITLE_SPACE + SOURCE_SPACE));
        var margin = layout.margin || {};
        var baseTop = margin.t != null ? margin.t : ((full.margin || {}).t || 40);

        layout.margin = margin;
        layout.margin.t = baseTop + TITLE_SPACE;
        layout.title = {
            text: escapeText(meta.title), font: {size: 20},
            x: 0, xref: "container", xanchor: "left", y: 1, yref: "container", yanchor: "top",
            pad: {t: 20, l: PAD}
        };
        layout.width = IMAGE_WIDTH;
        layout.height = height;
        layout.autosize = false;
        layout.paper_bgcolor = "#ffffff";
        layout.plot_bgcolor = "#ffffff";
        layout.separators = ", ";  // decimal comma, space between thousands (as the pilote template)
        var config = {locale: "fr", staticPlot: true, displayModeBar: false, responsive: false};

        var div = document.createElement("div");
        div.setAttribute("aria-hidden", "true");
        div.style.cssText = "position:fixed;left:-20000px;top:0;visibility:hidden;pointer-events:none;" +
            "width:" + IMAGE_WIDTH + "px;height:" + height + "px";
        document.body.appendChild(div);

        function cleanup() {
            try { Plotly.purge(div); } catch (e) { /* already gone */ }
            if (div.parentNode) { div.parentNode.removeChild(div); }
        }

        return Plotly.newPlot(div, data, layout, config).then(function () {
            // Where the bottom margin ends once plotly has made room for tick labels and legend
            // (automargin): the source goes under it, and the margin grows by the source's height.
            var size = div._fullLayout._size;
            var lines = wrap(meta.caption, MAX_LINE);
            var annotations = (div.layout.annotations || []).slice();
            annotations.push({
                text: lines.map(escapeText).join("<br>"), showarrow: false, align: "left",
                xref: "paper", yref: "paper", x: 0, y: 0, xanchor: "left", yanchor: "top",
                xshift: PAD - size.l, yshift: -(size.b + 8),
                font: {size: 12, color: "#5a6472"}
            });
            return Plotly.relayout(div, {
                "margin.b": size.b + SOURCE_SPACE + LINE_HEIGHT * (lines.length - 1),
                annotations: annotations
            });
        }).then(function () {
            return Plotly.toImage(div, {
                format: format, width: IMAGE_WIDTH, height: height, scale: format === "png" ? SCALE : 1
            });
        }).then(function (url) {
            var file = meta.filename + "." + format;
            saveUrl(url, file);
            cleanup();
            return {file: file, at: Date.now()};
        }, function (error) {
            cleanup();
            console.error("Pilote: export " + format + " de " + meta.filename + " impossible", error);
            return noUpdate();
        });
    }

    // -- the table and its CSV ------------------------------------------------------------------------
    var MISSING = "\u2013", NNBSP = "\u202f", NBSP = "\u00a0", MINUS = "\u2212";
    var FORMULA_START = ["=", "+", "-", "@", "\t", "\r"];

    function csvCell(text, kind) {  // chart_card.csv_from_display
        if (text === MISSING) { return ""; }
        if (kind === "number") {
            return text.split(NNBSP).join("").split(NBSP).join("").split(" ").join("").split(MINUS).join("-");
        }
        if (kind === "datetime") { return text.split(" \u00e0 ").join(" "); }
        if (kind === "text" && FORMULA_START.indexOf(text.charAt(0)) >= 0 && text.length) { return "'" + text; }
        return text;
    }

    function csvField(value) {  // Python's csv.QUOTE_MINIMAL with ';'
        return /[;"\r\n]/.test(value) ? '"' + value.split('"').join('""') + '"' : value;
    }

    function csvText(table) {
        var lines = [table.columns.map(csvField).join(";")];
        table.rows.forEach(function (row) {
            lines.push(row.map(function (text, i) { return csvField(csvCell(text, table.kinds[i])); }).join(";"));
        });
        return "\ufeff" + lines.join("\r\n") + "\r\n";
    }

    function el(type, props, children) {
        var p = Object.assign({}, props || {});
        if (children !== undefined) { p.children = children; }
        return {type: type, namespace: "dash_html_components", props: p};
    }

    function htmlTable(table, meta) {
        var align = table.kinds.map(function (kind) { return kind === "number" ? "text-end" : undefined; });
        var head = el("Thead", {}, el("Tr", {}, table.columns.map(function (label, i) {
            return el("Th", {scope: "col", className: align[i]}, label);
        })));
        var rows = table.rows.map(function (row) {
            return el("Tr", {}, row.map(function (text, i) {
                return i === 0 ? el("Th", {scope: "row", className: align[i]}, text)
                    : el("Td", {className: align[i]}, text);
            }));
        });
        if (!rows.length) { rows = [el("Tr", {}, el("Td", {colSpan: table.columns.length}, "Aucune ligne."))]; }
        return el("Table", {id: meta.table, className: "table table-sm table-hover align-middle mb-0"},
                  [el("Caption", {}, meta.title), head, el("Tbody", {}, rows)]);
    }

    window.dash_clientside = window.dash_clientside || {};
    window.dash_clientside.pilote = Object.assign({}, window.dash_clientside.pilote, {
        csv_text: csvText,  // also for the browser tests: the CSV of a payload

        compact_table: function (table) {  // components.tables.compact_table: a long list, built here
            if (!table) { return noUpdate(); }
            return htmlTable(table, {table: table.id, title: table.caption});
        },

        show_table: function (nClicks, table) {
            // Built at the first opening, and again when a selector sends the card new figures after that.
            var ctx = window.dash_clientside.callback_context;
            var byData = ctx && ctx.triggered && ctx.triggered.some(function (t) { return t.prop_id.indexOf(".data") > 0; });
            var meta = cardMeta();
            if (!table || !meta || !nClicks || (!byData && nClicks !== 1)) { return noUpdate(); }
            return htmlTable(table, meta);
        },

        download_csv: function (nClicks, table) {
            var meta = cardMeta();
            if (!nClicks || !table || !meta) { return noUpdate(); }
            var csv = csvText(table);
            var file = meta.filename + ".csv";
            saveText(csv, file, "text/csv;charset=utf-8");
            return {file: file, at: Date.now()};
        },

        download_image: function (pngClicks, svgClicks) {
            var meta = cardMeta();
            var gd = meta && graphDiv(meta);
            if (!gd || !window.Plotly) { return noUpdate(); }
            return exportImage(gd, meta, triggeredFormat());
        }
    });
}());
