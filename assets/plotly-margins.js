/*
 * A chart drawn once, not twice, when its axes' labels need more room than the template's margins.
 *
 * plotly.js learns how wide an axis' tick labels are only once it has drawn the axes; when they need more
 * margin than the layout gives (the template's 48 px on the left: "20 000" needs 72, a commune's name 260),
 * it draws the whole chart again with the margins grown (plotly.js's doAutoMargin; "would be much better to
 * separate margin calculations from component drawing", plotly/plotly.js#2704). On Pilote's pages that second
 * pass was 15-35 % of a chart's drawing, at every page view and every selector change.
 *
 * So the room each chart's axes took is kept: on the graph for its next drawing (a selector's new data), and
 * in this browser (localStorage, by page, graph and width: numbers of pixels, nothing of the data) for the
 * next visit. A drawing starts with the margins at least that wide; the axes' automargin stays on, so labels
 * that need more still get it (the second pass, as before), and a margin kept wider than the new labels need is
 * narrowed after the drawing (a relayout: rare, when the labels shrink).
 *
 * assets/plotly-template.js calls window.PiloteMargins.preset before a drawing and .keep after it.
 */
(function () {
    "use strict";

    var KEY = "pilote.margins.v1";
    var KEPT = 400;  // entries kept in this browser (the oldest go first)
    var SLACK = 6;  // px: a margin this much wider than its labels need is left as it is
    var SIDES = {l: 0, r: 1, t: 1, b: 0};  // side -> the edge of the plot (in plot fractions) an axis pushes from
    var PLOTLY_DEFAULT = {l: 80, r: 80, t: 100, b: 80};
    var kept = null, saving = null, changed = {};  // changed: the rooms this page measured, not yet written

    function read() {
        try { return JSON.parse(window.localStorage.getItem(KEY) || "{}") || {}; } catch (e) { return {}; }
    }

    function store() {
        if (kept === null) { kept = read(); }
        return kept;
    }

    // What this page measured, over what the browser holds now (another tab may have written since).
    function write() {
        window.clearTimeout(saving);
        saving = null;
        var all = read();
        Object.keys(changed).forEach(function (key) {
            delete all[key];  // last written, last evicted
            all[key] = changed[key];
        });
        changed = {};
        var names = Object.keys(all);
        names.slice(0, Math.max(0, names.length - KEPT)).forEach(function (name) { delete all[name]; });
        try { window.localStorage.setItem(KEY, JSON.stringify(all)); } catch (e) { /* full or refused */ }
    }

    function save(key, room) {
        store()[key] = changed[key] = room;
        if (saving === null) { saving = window.setTimeout(write, 1000); }  // one write for all the graphs of a page
    }

    // A reader leaving within that second (a link, a reload) would lose the room of the last charts drawn.
    window.addEventListener("pagehide", function () { if (saving !== null) { write(); } });

    // The width a drawing had, as plotly.js holds it: reading the host's after a drawing would make the
    // browser lay the page out there and then (2-3 ms a graph), between the drawings of a page's graphs.
    function keyOf(gd) {
        var host = gd && gd.closest && gd.closest(".dash-graph");
        var width = host && ((gd._fullLayout && gd._fullLayout.width) || host.clientWidth);
        return host && host.id && width ? location.pathname + "|" + host.id + "|" + Math.round(width) : null;
    }

    // The margins a drawing of this layout starts from: its own, else its template's, else plotly.js's.
    function baseMargins(layout) {
        var own = layout.margin || {}, template = layout.template && layout.template.layout || {};
        var fallback = template.margin || {}, out = {};
        Object.keys(SIDES).forEach(function (side) {
            var value = own[side] !== undefined ? own[side] : fallback[side];
            out[side] = typeof value === "number" ? value : PLOTLY_DEFAULT[side];
        });
        return out;
    }

    // plotly.js adds a pad to each push: 12 px, or the smallest margin if less (plotly.js's Plots.autoMargin).
    function padOf(margins) {
        return Math.min(12, margins.l, margins.r, margins.t, margins.b);
    }

    // The room the axes' labels took, side by side, in the drawing just done, less plotly.js's pad (it changes
    // with the margins). Their automargin pushes from the plot's edges; a push from inside the plot (a second
    // subplot's axis) is left to plotly.js.
    function axesRoom(full) {
        var pushes = full && full._pushmargin, room = {l: 0, r: 0, t: 0, b: 0};
        if (!pushes || !full.margin) { return null; }
        var pad = padOf(full.margin);
        Object.keys(pushes).forEach(function (id) {
            if (!/\.automargin$/.test(id)) { return; }
            Object.keys(SIDES).forEach(function (side) {
                var push = pushes[id][side], size = push && push.val === SIDES[side] ? push.size - pad : 0;
                if (size > room[side]) { room[side] = Math.ceil(size * 10) / 10; }
            });
        });
        return room;
    }

    // The margins a drawing needs for labels taking ``room``, from ``base``: the widened sides only.
    function widened(base, room) {
        var margins = Object.assign({}, base), wider = {}, any = false;
        for (var round = 0; round < 2; round++) {  // widening a side may raise the pad: once more with it
            var pad = padOf(margins);
            Object.keys(SIDES).forEach(function (side) {
                // rounded as plotly.js rounds its margins: a push within the rounding changes nothing
                var need = room[side] > 0 ? Math.round(room[side] + pad) : 0;
                if (need > margins[side]) { margins[side] = wider[side] = need; any = true; }
            });
        }
        return any ? wider : null;
    }

    function preset(gd, layout) {
        if (!gd || !layout || typeof layout !== "object" || (layout.margin && layout.margin.autoexpand === false)) {
            return layout;
        }
        var key = keyOf(gd);
        var room = (gd._fullLayout && gd.__piloteAxesRoom) || (key && store()[key]);
        gd.__piloteMarginsPreset = null;
        if (!room) { return layout; }
        var base = baseMargins(layout), wider = widened(base, room);
        if (!wider) { return layout; }
        gd.__piloteMarginsPreset = {wider: wider, base: base};
        // a copy: the figure as sent is kept (its own margins are what a later drawing starts from)
        return Object.assign({}, layout, {margin: Object.assign({}, layout.margin, wider)});
    }

    function keep(gd) {
        var full = gd && gd._fullLayout, room = full && axesRoom(full);
        if (!room || !gd.isConnected) { return gd; }
        gd.__piloteAxesRoom = room;
        var key = keyOf(gd);
        if (key) { save(key, room); }
        var preset = gd.__piloteMarginsPreset, narrower = {}, any = false;
        gd.__piloteMarginsPreset = null;
        if (!preset) { return gd; }
        var needed = Object.assign({}, preset.base, widened(preset.base, room) || {});
        Object.keys(preset.wider).forEach(function (side) {
            if (full.margin[side] - needed[side] > SLACK) { narrower["margin." + side] = needed[side]; any = true; }
        });
        if (!any) { return gd; }
        var done = function () { return gd; };
        return window.Plotly.relayout(gd, narrower).then(done, done);
    }

    window.PiloteMargins = {preset: preset, keep: keep};
})();
