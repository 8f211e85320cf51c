/*
 * Printing a page (or « Enregistrer en PDF » in the browser): assets/pilote.css lays it out as a report; this
 * prepares what CSS cannot. Before printing, each chart is redrawn at the width of an A4 page (190 mm of
 * paper), the data tables already built are shown open, and the lists of indicators by status are opened;
 * after printing, the page is put back as it was.
 */
(function () {
    "use strict";

    var PRINT_WIDTH = 700;  // CSS px: the 190 mm between the margins of an A4 page (@page in pilote.css)
    var touched = [];

    function graphs() {
        return Array.prototype.filter.call(document.querySelectorAll(".js-plotly-plot"),
                                           function (gd) { return gd._fullLayout; });
    }

    window.addEventListener("beforeprint", function () {
        touched = [];
        Array.prototype.forEach.call(document.querySelectorAll("details.pilote-chart-data"), function (d) {
            if (d.querySelector("table")) {  // built when first opened: only those are printed
                touched.push([d, d.open]);
                d.setAttribute("data-pilote-built", "");
                d.open = true;
            }
        });
        Array.prototype.forEach.call(document.querySelectorAll("details.pilote-status-list"), function (d) {
            touched.push([d, d.open]);
            d.open = true;
        });
        if (!window.Plotly) { return; }
        graphs().forEach(function (gd) {
            try { window.Plotly.relayout(gd, {width: PRINT_WIDTH, autosize: false}); } catch (e) { /* drawn as is */ }
        });
    });

    window.addEventListener("afterprint", function () {
        touched.forEach(function (pair) { pair[0].open = pair[1]; });
        touched = [];
        if (!window.Plotly) { return; }
        graphs().forEach(function (gd) {
            try { window.Plotly.relayout(gd, {width: null, autosize: true}); } catch (e) { /* left as is */ }
        });
    });
}());
