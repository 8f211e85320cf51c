/*
 * The charts a reader sees are drawn first. A dashboard has up to 14 charts, of which a screen shows 2 to 4;
 * drawing them all before the first screen was ready took 0.7 s of a 1.4 s page view (plotly.js draws on the
 * browser's one thread, 45-55 ms a chart). So a graph's *first* drawing is put off while it is out of sight:
 * it is drawn as soon as it comes within half a screen of the window (IntersectionObserver), or when the
 * browser is idle, the nearest first, one at a time (requestIdleCallback), so that the whole page is drawn
 * shortly after without holding back the reader's first screen or clicks.
 *
 * Only first drawings wait: a graph already drawn is redrawn at once (a selector's new data). Printing draws
 * every graph at once (beforeprint, and any drawing asked while the page prints: assets/print.js calls
 * window.PiloteDrawAll first). A graph removed from the page before its turn is dropped.
 *
 * The wrapping runs from the hook list that assets/plotly-locale-fr.js calls when window.Plotly is set (this
 * file is loaded before assets/plotly-template.js, whose wrapper is thus outside this one: the template,
 * config and outlines are put in before a drawing is put off).
 */
(function () {
    "use strict";

    var AHEAD = "50%";  // of the window's height, above and below it: drawn before it is reached
    var IDLE_WAIT = 500;  // ms: the longest an out-of-sight graph waits for an idle moment, once its turn comes
    var pending = new Map();  // gd -> {draw: the drawing as asked (the latest), waiting: [{resolve, reject}]}
    var observer = null, idle = null, printing = false;

    function printed() {
        return printing || (window.matchMedia && window.matchMedia("print").matches);
    }

    function inSight(gd) {
        var box = gd.getBoundingClientRect(), height = window.innerHeight || document.documentElement.clientHeight;
        return (box.width > 0 || box.height > 0) && box.bottom >= -height / 2 && box.top <= height * 1.5;
    }

    function settle(job, drawing) {
        job.waiting.forEach(function (w) { drawing.then(w.resolve, w.reject); });
    }

    function draw(gd) {
        var job = pending.get(gd);
        if (!job) { return; }
        pending.delete(gd);
        if (observer) { observer.unobserve(gd); }
        var drawing;
        try { drawing = Promise.resolve(job.draw()); } catch (e) { drawing = Promise.reject(e); }
        settle(job, drawing);
    }

    function distance(gd) {
        var box = gd.getBoundingClientRect(), height = window.innerHeight || 0;
        if (!box.width && !box.height) { return Infinity; }  // hidden (a closed panel): last
        return box.bottom < 0 ? -box.bottom : Math.max(0, box.top - height);
    }

    function drawNearest() {
        var nearest = null, best = Infinity;
        pending.forEach(function (job, gd) {
            if (!gd.isConnected) {  // the page moved on: nothing to draw, dcc.Graph no longer waits for it
                pending.delete(gd);
                if (observer) { observer.unobserve(gd); }
                settle(job, Promise.resolve(gd));
                return;
            }
            var away = distance(gd);
            if (nearest === null || away < best) { nearest = gd; best = away; }
        });
        if (nearest) { draw(nearest); }
    }

    function schedule() {
        if (idle !== null || !pending.size) { return; }
        var later = window.requestIdleCallback || function (run) { return window.setTimeout(run, 50); };
        idle = later(function () {
            idle = null;
            drawNearest();
            schedule();
        }, {timeout: IDLE_WAIT});
    }

    function drawAll() {
        Array.from(pending.keys()).forEach(draw);
    }

    function watch(gd) {
        if (!observer && window.IntersectionObserver) {
            observer = new window.IntersectionObserver(function (entries) {
                entries.forEach(function (entry) { if (entry.isIntersecting) { draw(entry.target); } });
            }, {rootMargin: AHEAD + " 0px"});
        }
        if (observer) { observer.observe(gd); }
    }

    function wrap(plotly) {
        if (!plotly || plotly.__piloteLazy) { return; }
        ["react", "newPlot"].forEach(function (name) {
            var original = plotly[name];
            if (typeof original !== "function") { return; }
            plotly[name] = function () {
                var self = this, args = arguments;
                var gd = typeof args[0] === "string" ? document.getElementById(args[0]) : args[0];
                var job = gd && pending.get(gd);
                var later = gd && gd.nodeType === 1 && !gd._fullLayout && gd.isConnected && !printed() && !inSight(gd);
                if (!job && !later) { return original.apply(self, args); }
                if (!job) {
                    job = {waiting: []};
                    pending.set(gd, job);
                    watch(gd);
                    schedule();
                }
                job.draw = function () { return original.apply(self, args); };  // the latest figure wins
                var waited = new Promise(function (resolve, reject) { job.waiting.push({resolve: resolve, reject: reject}); });
                if (!later) { draw(gd); }  // come into sight, or printing: now
                return waited;
            };
        });
        plotly.__piloteLazy = true;
    }

    window.PiloteDrawAll = drawAll;
    window.addEventListener("beforeprint", function () { printing = true; drawAll(); });
    window.addEventListener("afterprint", function () { printing = false; });

    if (window.Plotly) {
        wrap(window.Plotly);
    } else {
        window.PilotePlotlyHooks = window.PilotePlotlyHooks || [];
        window.PilotePlotlyHooks.push(wrap);
    }
})();
