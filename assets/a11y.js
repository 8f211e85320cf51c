/*
 * What the components' own markup gets wrong for assistive technologies, put right in the page as it renders
 * (RGAA; checked by axe-core in tests/e2e/test_accessibility.py):
 * - dcc.Dropdown's invisible focus target is aria-hidden yet in the tab order (aria-hidden-focus), and hands
 *   the focus to the dropdown's button, which is out of it: the button takes its place in the tab order;
 * - a plot's SVG is hidden from screen readers: the chart card's figure is named by its sentence, and the
 *   tick labels read one by one say nothing (components/chart_card.py);
 * - a table wider than its box scrolls: its box is a named region the keyboard can reach and scroll
 *   (scrollable-region-focusable);
 * - dcc.Upload's file input has no name (label): it takes the words of its drop zone;
 * - on a phone a table of three columns or more is read as stacked rows (assets/pilote.css, .pilote-stack):
 *   each cell is given its column's header as data-label, which the stylesheet writes before it.
 * The work is done once per frame after the page changed (outside the charts' SVG), never per mutation.
 */
(function () {
    "use strict";

    var queued = false;

    function label(box) {
        var caption = box.querySelector("caption");
        var text = caption ? caption.textContent.replace(/\s+/g, " ").trim() : "";
        return text ? "Tableau défilant : " + text : "Tableau défilant";
    }

    // Each body row once (a row React redraws is a new row): its cells get their column's header.
    function labelCells(table) {
        var head = table.tHead && table.tHead.rows[0];
        if (!head || head.cells.length < 3) { return; }
        table.classList.add("pilote-stack");
        var headers = Array.prototype.map.call(head.cells, function (cell) {
            return cell.textContent.replace(/\s+/g, " ").trim();
        });
        Array.prototype.forEach.call(table.tBodies, function (body) {
            Array.prototype.forEach.call(body.rows, function (row) {
                if (row.hasAttribute("data-pilote-labels")) { return; }
                row.setAttribute("data-pilote-labels", "");
                Array.prototype.forEach.call(row.cells, function (cell, i) {
                    if (headers[i] && cell.colSpan === 1) { cell.setAttribute("data-label", headers[i]); }
                });
            });
        });
    }

    function fix() {
        queued = false;
        document.querySelectorAll(".dash-dropdown-focus-target[tabindex='0']").forEach(function (input) {
            input.setAttribute("tabindex", "-1");
        });
        document.querySelectorAll(".dash-dropdown-wrapper > button.dash-dropdown[tabindex='-1']:not(:disabled)")
            .forEach(function (button) { button.setAttribute("tabindex", "0"); });
        document.querySelectorAll(".js-plotly-plot svg.main-svg:not([aria-hidden])").forEach(function (svg) {
            svg.setAttribute("aria-hidden", "true");
        });
        document.querySelectorAll(".pilote-upload input[type='file']:not([aria-label])").forEach(function (input) {
            var zone = input.closest(".pilote-upload");
            input.setAttribute("aria-label", zone.textContent.replace(/\s+/g, " ").trim() || "Choisir des fichiers");
        });
        document.querySelectorAll(".table-responsive table").forEach(labelCells);
        document.querySelectorAll(".table-responsive").forEach(function (box) {
            var scrolls = box.scrollWidth > box.clientWidth + 1;
            if (scrolls && !box.hasAttribute("tabindex")) {
                box.setAttribute("tabindex", "0");
                box.setAttribute("role", "region");
                box.setAttribute("aria-label", label(box));
                box.setAttribute("data-pilote-scroll", "");
            } else if (!scrolls && box.hasAttribute("data-pilote-scroll")) {  // wide enough again
                ["tabindex", "role", "aria-label", "data-pilote-scroll"].forEach(function (name) {
                    box.removeAttribute(name);
                });
            }
        });
    }

    function later() {
        if (!queued) {
            queued = true;
            window.requestAnimationFrame(fix);
        }
    }

    // A chart draws inside its SVG, thousands of changes while a page draws: none of them is fixed here (the
    // SVG is made hidden when it is added, a change outside it), and reading the tables' widths after each
    // would force a layout per frame while the charts draw.
    function changed(records) {
        for (var i = 0; i < records.length; i++) {
            if (!(records[i].target instanceof SVGElement)) { later(); return; }
        }
    }

    function start() {
        new MutationObserver(changed).observe(document.body, {
            childList: true, subtree: true, attributes: true, attributeFilter: ["tabindex"]
        });
        window.addEventListener("resize", later);
        later();
    }

    if (document.body) { start(); } else { document.addEventListener("DOMContentLoaded", start); }
}());
