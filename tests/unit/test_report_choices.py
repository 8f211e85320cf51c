"""A form's select options are computed once per data version, not once per agent opening the form: the memo
(``ReportPage.choices``) must follow a new snapshot, the agent's communes and the chosen site, and nothing else."""

from __future__ import annotations

from types import SimpleNamespace

from components.report_page import _CHOICES_KEPT, ReportPage


class Store:
    def __init__(self):
        self.versions = {}

    def version(self, key):
        return self.versions.get(key, "v1")


def counting_form():
    calls = []

    def options(data, chosen, communes):
        calls.append((dict(chosen), communes))
        return {"aire_id": [{"label": f"site of {sorted(communes or [])}", "value": chosen.get("aire_id") or "-"}]}

    # A role no catalog has: the page registers no callback, only its memo is exercised.
    form = ReportPage("tests.unit.no_such_page", "essai", "no.such.role", "Essai", "", ("/", "Accueil"),
                      lambda values: "/", options, depends={"equipement_id": "aire_id"})
    return form, calls


def test_options_are_computed_once_then_again_only_when_what_they_depend_on_changes(catalog):
    form, calls = counting_form()
    data = SimpleNamespace(store=Store(), catalog=catalog)

    first = form.choices(data, {"aire_id": "A", "date": "2026-12-01"}, None)
    again = form.choices(data, {"aire_id": "A", "date": "2026-11-30", "notes": "x"}, None)  # other fields: same lists
    assert again is first and len(calls) == 1
    assert calls[0] == ({"aire_id": "A"}, None)  # options see only the fields named in ``depends``

    form.choices(data, {"aire_id": "B"}, None)  # another site: its own equipment
    form.choices(data, {"aire_id": "A"}, frozenset({"92040"}))  # an agent limited to one commune
    assert len(calls) == 3

    data.store.versions[next(iter(catalog)).key] = "v2"  # a refresh: every list is computed afresh
    refreshed = form.choices(data, {"aire_id": "A"}, None)
    assert len(calls) == 4 and refreshed is not first


def test_the_memo_stays_bounded(catalog):
    form, calls = counting_form()
    data = SimpleNamespace(store=Store(), catalog=catalog)
    for i in range(200):
        form.choices(data, {"aire_id": f"S{i}"}, None)
    assert len(form._memo) <= _CHOICES_KEPT
    form.choices(data, {"aire_id": "S199"}, None)  # the most recent are kept
    assert len(calls) == 200
