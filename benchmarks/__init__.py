"""Pilote benchmarks: ``python -m benchmarks`` (or ``make bench``).

Prints, for every page of the Dash page registry, the server-side time to answer the callbacks a browser
posts when it opens the page, as a ratio to a no-op callback measured in the same run; then the cold-start
time of a fresh process and its resident memory once every page has been rendered. Figures are printed
(and written as JSON with ``--json PATH``), never asserted: they are for comparing runs on one machine.

Nothing here lists the pages: a page registered with ``dash.register_page`` is measured automatically.
This package is kept free of heavy imports so that the cold-start child process pays only for the app.
"""

import math


def p90(samples: list[float]) -> float:
    """The 90th percentile by nearest rank (every benchmark's p90)."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]
