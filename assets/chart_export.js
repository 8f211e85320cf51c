/*
 * Exports of the chart card (components/chart_card.py): CSV of the figures, PNG/SVG of the chart.
 *
 * Clientside callbacks only (window.dash_clientside.pilote), registered with dash.clientside_callback in
 * chart_card.py with pattern-matching ids: nothing reaches the server. The data were authorised when the page
 * that rendered the card was, and are already in the browser.
 *
 * The card carries its table once (table_payload in chart_card.py): headers, the kind of each column and every
 * cell as shown, formatted in French on the server; a map's rows are its points, read from its figure
 * (pointRows; components/maps.py).
 *
 * Each function reads what it needs of its card from the card itself (cardMeta): the title as shown, the source
 * line under the chart, the graph; the card's id comes from the callback's output (pattern-matching ids).
 *
 * show_table(n_clicks, table): the accessible HTML table (caption, th scope="col", the first column as
 *     row headers, numbers right-aligned), built when "Voir les données" is first opened, and again after the
 *     card's graph has drawn new figures (a selector redrew the card in place: followTable); written into its
 *     slot as plain elements (placeTable). Printing builds every table from the card's store
 *     (PiloteExport.printedTable, used by assets/print.js).
 * download_csv(n_clicks, table): saves the CSV of that table (UTF-8 with BOM, ';', decimal comma, CRLF,
 *     formulas guarded) as <card id>.csv; each cell as csv_from_display does in chart_card.py.
 * download_image(png_clicks, svg_clicks): redraws the chart on screen in a hidden copy as wide as an A4 page
 *     (900 px, every text at least 9 pt there), with the card title on top and under it the place, the period
 *     and the document (the page's #pilote-contexte, the URL's commune, the years of the x axis), and at the
 *     bottom the card's source line with the export date; a white background, French separators and locale;
 *     then Plotly.toImage at scale 4 (3600 px wide) for PNG, or SVG; saves it as
 *     <page>_<card>_<place>_<period>.png / .svg.
 *     The chart on screen is not touched.
 *
 * Both return {file, at} (the file name and the time), stored in a dcc.Store: tests wait on it.
 */
(function () {
    "use strict";

    // The image is laid out at the width of an A4 page (595 pt across): 900 CSS px, where 9 pt is 13.6 px.
    var IMAGE_WIDTH = 900;
    var MIN_FONT = 14;        // px at IMAGE_WIDTH: every text at least 9 pt once the image spans an A4 page
    var MIN_HEIGHT = 480;
    var SCALE = 4;            // x4 = 3600 px wide for PNG: print quality
    var TITLE_SPACE = 92;     // added to the top margin for the title and the line naming place and period
    var SOURCE_SPACE = 48;    // added to the bottom margin for the source line
    var LINE_HEIGHT = 19;     // per extra line of a long source
    var PAD = 16;             // left padding of the title and the source line
    var MAX_LINE = 110;       // characters per line of the source, at MIN_FONT

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
        return metaOf(card && card.card);
    }

    function metaOf(card) {
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
        return {card: card, graph: card + "-graph", table: card + "-table", filename: card, title: title,
                caption: source ? source.textContent.trim() : ""};
    }

    // -- what the image says about itself: place, period, document, export date, file name ----------------
    // A section may name its own place (the budget climat voted by one commune: data-commune on it), else the
    // page's #pilote-contexte, else the URL's commune.
    function pageContext(card) {
        var el = document.getElementById("pilote-contexte");
        var given = el ? el.dataset : {};
        var own = card && document.getElementById(card);
        own = own && own.closest("[data-commune]");
        var places = window.PILOTE_PLACES || {names: {}};
        var code = new URLSearchParams(window.location.search).get("commune") || places["default"];
        var page = window.location.pathname.replace(/^\/+|\/+$/g, "").replace(/\//g, "-") || "accueil";
        return {place: (own && own.dataset.commune) || given.commune || places.names[code] || "",
                period: given.periode || "", document: given.document || "", page: page};
    }

    // The server's PDF reports name the page's place, period and document the same way (pilote/pdf.py).
    window.PiloteExport = {pageContext: function () { return pageContext(null); }};

    // The years a chart spans, from its x values when every one is a year or a date: "2015–2024".
    function figurePeriod(gd) {
        var years = [], other = false;
        (gd.data || []).forEach(function (trace) {
            if (!Array.isArray(trace.x)) { return; }
            trace.x.forEach(function (v) {
                var year = typeof v === "number" ? v
                    : (typeof v === "string" && /^\d{4}(-\d\d){0,2}([ T].*)?$/.test(v) ? parseInt(v.slice(0, 4), 10) : NaN);
                if (year >= 1900 && year <= 2100 && Math.floor(year) === year) { years.push(year); } else if (v != null) { other = true; }
            });
        });
        if (other || !years.length) { return ""; }
        var low = Math.min.apply(null, years), high = Math.max.apply(null, years);
        return low === high ? String(low) : low + "\u2013" + high;
    }

    function slug(text) {
        return String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
            .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
    }

    function exportDate() {
        return new Date().toLocaleDateString("fr-FR", {timeZone: "Europe/Paris", day: "2-digit", month: "2-digit",
                                                       year: "numeric"});
    }

    // Title, the line under it, the source line and the file name of an exported image.
    function imageTexts(gd, meta) {
        var context = pageContext(meta.filename);
        var period = figurePeriod(gd) || context.period;
        var dataYear = (/donn\u00e9es du \d\d\/\d\d\/(\d{4})/.exec(meta.caption) || [])[1] || "";
        var shownPeriod = period && meta.title.indexOf(period) < 0 ? period : "";
        var line = [context.place, shownPeriod, context.document].filter(Boolean).join(" \u00b7 ");
        var name = [context.page, meta.filename, slug(context.place), slug(period || dataYear)].filter(Boolean).join("_");
        return {title: meta.title, line: line, caption: meta.caption + " \u00b7 export\u00e9 le " + exportDate(),
                filename: name};
    }

    // Every font of the copy at least MIN_FONT (tick labels, legends, annotations, texts in bars and sectors,
    // the template's too): the image is read on paper.
    function floorFonts(node) {
        if (Array.isArray(node)) { node.forEach(floorFonts); return; }
        if (!node || typeof node !== "object") { return; }
        Object.keys(node).forEach(function (key) {
            var value = node[key];
            if (/font$/i.test(key) && value && typeof value === "object" && !Array.isArray(value)) {
                if (typeof value.size === "number" && value.size < MIN_FONT) { value.size = MIN_FONT; }
                if (Array.isArray(value.size)) {
                    value.size = value.size.map(function (s) { return typeof s === "number" && s < MIN_FONT ? MIN_FONT : s; });
                }
            }
            floorFonts(value);
        });
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

        var texts = imageTexts(gd, meta);
        floorFonts(layout);
        floorFonts(data);
        layout.font = Object.assign({}, layout.font, {size: Math.max((layout.font || {}).size || 0, MIN_FONT)});
        layout.uniformtext = {minsize: MIN_FONT, mode: "hide"};  // a label that cannot be read is not drawn
        layout.margin = margin;
        layout.margin.t = baseTop + TITLE_SPACE;
        layout.title = {
            text: escapeText(texts.title) + (texts.line ? "<br><span style=\"font-size:16px\">" +
                                             escapeText(texts.line) + "</span>" : ""),
            font: {size: 22},
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
            var lines = wrap(texts.caption, MAX_LINE);
            var annotations = (div.layout.annotations || []).slice();
            annotations.push({
                text: lines.map(escapeText).join("<br>"), showarrow: false, align: "left",
                xref: "paper", yref: "paper", x: 0, y: 0, xanchor: "left", yanchor: "top",
                xshift: PAD - size.l, yshift: -(size.b + 8),
                font: {size: MIN_FONT, color: "#4a5462"}
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
            var file = texts.filename + "." + format;
            saveUrl(url, file);
            cleanup();
            return {file: file, at: Date.now()};
        }, function (error) {
            cleanup();
            console.error("Pilote: export " + format + " de " + texts.filename + " impossible", error);
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

    // A map's table is made of its points (components/maps.py, point_rows is the Python reference): each
    // trace's customdata row is [commune code, cells…]; the layer (the trace's name), the commune's name and
    // the position are added here. Traces in legend order, points in their order.
    function coordinate(value) {
        if (typeof value !== "number" || value !== value) { return MISSING; }
        var digits = Math.abs(value).toFixed(5).replace(/0+$/, "").replace(/\.$/, "");
        return (value < 0 ? MINUS : "") + digits.replace(".", ",");
    }

    function pointRows(table, gd) {
        var names = (window.PILOTE_PLACES || {}).names || {};
        var traces = ((gd && gd.data) || []).filter(function (trace) { return Array.isArray(trace.customdata); });
        traces = traces.map(function (trace, i) { return [trace, i]; }).sort(function (a, b) {
            var ra = a[0].legendrank === undefined ? 1000 : a[0].legendrank;
            var rb = b[0].legendrank === undefined ? 1000 : b[0].legendrank;
            return ra - rb || a[1] - b[1];
        }).map(function (pair) { return pair[0]; });
        var rows = [];
        traces.forEach(function (trace) {
            trace.customdata.forEach(function (data, i) {
                if (!Array.isArray(data)) { return; }
                var row = data.slice(1);
                if (table.points.layer) { row.push(trace.name || MISSING); }
                row.push(names[data[0]] || data[0] || MISSING, coordinate((trace.lat || [])[i]),
                         coordinate((trace.lon || [])[i]));
                rows.push(row);
            });
        });
        return rows;
    }

    // The table of a card: its payload, with its rows read from the map when they live there.
    function withRows(table, meta) {
        if (!table || !table.points) { return table; }
        return Object.assign({}, table, {rows: pointRows(table, graphDiv(meta))});
    }

    // A table is written into its slot as plain elements, not returned as Dash components: Dash's renderer
    // took 28 s to mount the 1,800 cells of a 250-row table (2 s for 61 rows); the browser takes milliseconds.
    // The slot's children stay null for React, which leaves what is written there alone.
    function el(type, props, children) {
        var element = document.createElement(type);
        Object.keys(props || {}).forEach(function (key) {
            var value = props[key];
            if (value === undefined) { return; }
            if (key === "className") { element.className = value; } else { element.setAttribute(key, value); }
        });
        [].concat(children === undefined ? [] : children).forEach(function (child) {
            element.appendChild(child !== null && typeof child === "object" ? child
                : document.createTextNode(child === null ? "" : String(child)));
        });
        return element;
    }

    function htmlTable(table, meta) {
        var align = table.kinds.map(function (kind) { return kind === "number" ? "text-end" : undefined; });
        var head = el("thead", {}, el("tr", {}, table.columns.map(function (label, i) {
            return el("th", {scope: "col", className: align[i]}, label);
        })));
        var rows = table.rows.map(function (row) {
            return el("tr", {}, row.map(function (text, i) {
                return i === 0 ? el("th", {scope: "row", className: align[i]}, text)
                    : el("td", {className: align[i]}, text);
            }));
        });
        if (!rows.length) { rows = [el("tr", {}, el("td", {colspan: table.columns.length}, "Aucune ligne."))]; }
        return el("table", {id: meta.table, className: "table table-sm table-hover align-middle mb-0"},
                  [el("caption", {}, meta.title), head, el("tbody", {}, rows)]);
    }

    function placeTable(slot, table, meta) {
        slot.replaceChildren(htmlTable(withRows(table, meta), meta));
        slot.__pilotePayload = table;  // as the store holds it: what followTable compares
    }

    // -- printing: every table, opened or not (assets/print.js) ----------------------------------------
    // The browser's print does not wait for a callback: the card's payload is read from its store as the
    // renderer holds it (the latest a selector sent), and the table built at once, as on screen.
    var CSV_STORE = "chart-csv";  // the store of a card's table: components/chart_card.py CSV_STORE

    function payloadOf(card) {
        var api = window.dash_component_api, store = null;
        try { store = api && api.getLayout && api.getLayout({type: CSV_STORE, card: card}); } catch (e) { /* none */ }
        return (store && store.props && store.props.data) || null;
    }

    // The slot, once React has put it in the page (an initial call may run before it has).
    function whenThere(find) {
        return new Promise(function (resolve) {
            var tries = 0;
            (function look() {
                var found = find();
                if (found || tries++ > 120) { resolve(found); } else { window.requestAnimationFrame(look); }
            }());
        });
    }

    function cardSlot(meta) {
        var details = document.getElementById(meta.card + "-data");
        return details && details.querySelector(".table-responsive");
    }

    // A selector redraws a card in place: its store and its figure come in the same answer. An opened table is
    // rebuilt once the graph has drawn the new figure (a map's rows are read from its points), from the store as
    // the renderer holds it. The cards whose table was never opened, most of them, run nothing: a callback per
    // card and per change, triggered by its store, took 7 % of a redraw of /stationnement's history section
    // (benchmarks/peers/interaction.py).
    function followTable(card, tries) {
        var meta = metaOf(card), host = meta && document.getElementById(meta.graph);
        if (!host) { return; }  // the page moved on
        var gd = graphDiv(meta);
        if (!gd || typeof gd.on !== "function") {  // not drawn yet: assets/plotly-lazy.js puts off a graph out of sight
            tries = (tries || 0) + 1;
            if (tries < 600) { setTimeout(function () { followTable(card, tries); }, 500); }
            return;
        }
        if (gd.__piloteTableFollows) { return; }
        gd.__piloteTableFollows = true;
        gd.on("plotly_afterplot", function () {
            var now = metaOf(card), slot = now && cardSlot(now), table = payloadOf(card);
            if (slot && table && slot.__pilotePayload !== table) { placeTable(slot, table, now); }
        });
    }

    window.PiloteExport.printedTable = function (card) {
        var meta = metaOf(card), table = payloadOf(card);
        if (!meta || !table) { return null; }
        var built = htmlTable(withRows(table, meta), meta);
        built.removeAttribute("id");  // the screen's table, once opened, has the id
        return built;
    };

    window.dash_clientside = window.dash_clientside || {};
    window.dash_clientside.pilote = Object.assign({}, window.dash_clientside.pilote, {
        csv_text: csvText,  // also for the browser tests: the CSV of a payload

        compact_table: function (table) {  // components.tables.compact_table: a long list, built here
            if (!table) { return noUpdate(); }
            var slotId = JSON.stringify({table: table.id, type: "compact-table"});  // Dash's id, keys sorted
            return whenThere(function () { return document.getElementById(slotId); }).then(function (slot) {
                if (slot) { placeTable(slot, table, {table: table.id, title: table.caption}); }
                return noUpdate();
            });
        },

        show_table: function (nClicks, table) {
            // Built at the first opening; after that the table follows its card (followTable).
            var meta = cardMeta();
            if (!table || !meta || nClicks !== 1) { return noUpdate(); }
            return whenThere(function () { return cardSlot(meta); }).then(function (slot) {
                if (slot) {
                    placeTable(slot, table, meta);
                    followTable(meta.card);
                }
                return noUpdate();
            });
        },

        download_csv: function (nClicks, table) {
            var meta = cardMeta();
            if (!nClicks || !table || !meta) { return noUpdate(); }
            var csv = csvText(withRows(table, meta));
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
