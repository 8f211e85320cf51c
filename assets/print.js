/*
 * Printing a page (or « Enregistrer en PDF » in the browser): assets/pilote.css lays it out as a report; this
 * prepares what CSS cannot. Before printing, each chart is redrawn at the width of an A4 page (190 mm of
 * paper), every data table is shown open (those never opened are built for the paper), and the lists of
 * indicators by status are opened; after printing, the page is put back as it was.
 */
(function () {
    "use strict";

    var PRINT_WIDTH = 700;  // CSS px: the 190 mm between the margins of an A4 page (@page in pilote.css)
    var touched = [];

    function plots() {
        return Array.prototype.filter.call(document.querySelectorAll(".js-plotly-plot"),
                                           function (gd) { return gd._fullLayout; });
    }

    var printedTables = [];  // tables built for the paper only, removed after printing

    // Every data table is printed, opened or not (a server PDF says when it wants none: pilote/pdf.py); one
    // never opened is built now (assets/chart_export.js keeps what it is made of).
    function showTables() {
        var wanted = document.documentElement.dataset.piloteTables !== "non";
        Array.prototype.forEach.call(document.querySelectorAll("details.pilote-chart-data"), function (d) {
            var slot = d.querySelector(".table-responsive");
            if (!d.querySelector("table") && wanted && slot && window.PiloteExport && window.PiloteExport.printedTable) {
                var table = null;
                try { table = window.PiloteExport.printedTable(d.id.replace(/-data$/, "")); } catch (e) { /* none */ }
                if (table) {
                    var box = document.createElement("div");
                    box.className = "pilote-print-table";
                    box.appendChild(table);
                    slot.appendChild(box);
                    printedTables.push(box);
                }
            }
            if (d.querySelector("table")) {
                touched.push([d, d.open, d.hasAttribute("data-pilote-built")]);
                d.setAttribute("data-pilote-built", "");
                d.open = true;
            }
        });
    }

    var prepared = false;  // a print may announce itself twice (a script's event, then the browser's own)

    window.addEventListener("beforeprint", function () {
        if (prepared) { return; }
        prepared = true;
        touched = [];
        printedTables = [];
        // The charts not drawn yet, out of sight (assets/plotly-lazy.js), are drawn for the paper first.
        if (window.PiloteDrawAll) { try { window.PiloteDrawAll(); } catch (e) { /* printed as they are */ } }
        showTables();
        Array.prototype.forEach.call(document.querySelectorAll("details.pilote-status-list"), function (d) {
            touched.push([d, d.open]);
            d.open = true;
        });
        if (!window.Plotly) { return; }
        plots().forEach(function (gd) {
            try { window.Plotly.relayout(gd, {width: PRINT_WIDTH, autosize: false}); } catch (e) { /* drawn as is */ }
        });
    });

    window.addEventListener("afterprint", function () {
        if (!prepared) { return; }
        prepared = false;
        touched.forEach(function (entry) {
            entry[0].open = entry[1];
            if (entry.length > 2 && !entry[2]) { entry[0].removeAttribute("data-pilote-built"); }
        });
        touched = [];
        printedTables.forEach(function (box) { if (box.parentNode) { box.parentNode.removeChild(box); } });
        printedTables = [];
        if (!window.Plotly) { return; }
        plots().forEach(function (gd) {
            try { window.Plotly.relayout(gd, {width: null, autosize: true}); } catch (e) { /* left as is */ }
        });
    });
}());
