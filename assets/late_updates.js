/*
 * What waits for a late answer is dimmed: a chart card's parts (figure, sentence, table) that a selector is
 * updating, and /climat's cards, once their update has waited LATE ms (assets/pilote.css,
 * [data-pilote-waiting]), so old figures do not look current; a quick answer shows no flash. Dash marks each
 * output it is updating with data-dash-is-loading. A stylesheet rule on that mark (a delayed opacity
 * animation) cost every update, quick ones too, 11 % of a car-park change on /stationnement: the three
 * graphs' style and layers were set up as the update started and undone at its end
 * (benchmarks/peers/interaction.py). Here only a timer runs, until an answer is late.
 */
(function () {
    "use strict";

    var LATE = 250;  // ms
    var DIMMED = '.pilote-chart-card [data-dash-is-loading="true"], #climat-cards[data-dash-is-loading="true"]';
    var WAITING = "data-pilote-waiting";  // an attribute, not a class: React owns the components' className
    var since = new WeakMap(), timer = null;

    function dimLate() {
        timer = null;
        var now = performance.now(), next = Infinity;
        document.querySelectorAll(DIMMED).forEach(function (element) {
            var start = since.get(element);
            if (start === undefined) { since.set(element, start = now); }
            if (now - start >= LATE - 1) {
                element.setAttribute(WAITING, "");
            } else {
                next = Math.min(next, start + LATE - now);
            }
        });
        if (next < Infinity) { timer = setTimeout(dimLate, next); }
    }

    function changed(records) {
        records.forEach(function (record) {
            var element = record.target;
            if (element.getAttribute("data-dash-is-loading") === "true") {
                if (!since.has(element) && element.matches(DIMMED)) {
                    since.set(element, performance.now());
                    if (timer === null) { timer = setTimeout(dimLate, LATE); }
                }
            } else {
                since.delete(element);
                if (element.hasAttribute(WAITING)) { element.removeAttribute(WAITING); }
            }
        });
    }

    function start() {
        new MutationObserver(changed).observe(document.body, {
            subtree: true, attributes: true, attributeFilter: ["data-dash-is-loading"]
        });
    }

    if (document.body) { start(); } else { document.addEventListener("DOMContentLoaded", start); }
}());
