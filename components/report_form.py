"""One form builder for every collaborative dataset, phone first: a field per asked column of the catalog, in
its order, with large targets (native selects, radio buttons, date pickers), sensible defaults, a French
message under the field at fault, and an idempotency token (a double tap or a retry stores one record).

``report_form(form_id, spec, ...)`` lays the form out; ``field_ids`` / ``outputs`` / ``states`` give the page's
submit callback what to read and write; ``answer`` builds that callback's reply. The callback itself lives in
the page module (the guard ties callbacks to the page that defines them).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import dash_bootstrap_components as dbc
from dash import Output, State, dcc, html, no_update

from data_access.catalog import Column, Dataset
from data_access.reports import form_columns, label

RADIO_MAX = 4  # up to this many choices: radio buttons (one tap), else a native select
PHOTOS_MAX = 4


def new_token() -> str:
    return secrets.token_urlsafe(24)


CHOOSE = "— choisir —"


@dataclass(frozen=True)
class FormIds:
    form: str

    def field(self, name: str) -> str:
        return f"{self.form}-{name}"

    def error(self, name: str) -> str:
        return f"{self.form}-{name}-erreur"

    @property
    def submit(self) -> str:
        return f"{self.form}-envoyer"

    @property
    def token(self) -> str:
        return f"{self.form}-jeton"

    @property
    def message(self) -> str:
        return f"{self.form}-message"

    @property
    def gps(self) -> str:
        return f"{self.form}-gps"

    # Correcting or deleting one's reports (components.report_page).
    @property
    def recent(self) -> str:
        return f"{self.form}-saisies"

    @property
    def load(self) -> str:
        return f"{self.form}-corriger"

    @property
    def delete(self) -> str:
        return f"{self.form}-supprimer"

    @property
    def cancel(self) -> str:
        return f"{self.form}-annuler"

    @property
    def editing(self) -> str:
        return f"{self.form}-edition"

    @property
    def banner(self) -> str:  # above the form: a correction is under way
        return f"{self.form}-edition-message"

    @property
    def list_message(self) -> str:  # under the list: what "Corriger" or "Supprimer" did
        return f"{self.form}-saisies-message"


def _value_prop(column: Column) -> str:
    return "contents" if column.photo else "value"


def _widget(ids: FormIds, column: Column, options: list[dict] | None, default):
    cid = ids.field(column.name)
    if column.photo:
        return dcc.Upload(
            id=cid, multiple=True, accept="image/jpeg,image/png,image/webp", max_size=-1,
            children=html.Div([html.Strong("Prendre ou choisir des photos"), html.Br(),
                               html.Small(f"{PHOTOS_MAX} au plus, 8 Mo chacune")]),
            className="pilote-upload", style_active={"borderColor": "#0b5563"})
    if options is not None:
        # dbc.Select's own placeholder is the empty choice: an option of ours with value "" too would leave the
        # closed select blank (the browser shows the first option of that value, dbc's hidden one).
        return dbc.Select(id=cid, options=options, value=default or "", placeholder=CHOOSE, className="form-select-lg")
    if column.vocabulary:
        choices = [{"label": canonical, "value": canonical} for canonical, _ in column.vocabulary]
        if len(choices) <= RADIO_MAX:
            return dbc.RadioItems(id=cid, options=choices, value=default, className="pilote-radio-big",
                                  inputClassName="me-2", labelClassName="py-2")
        return dbc.Select(id=cid, options=choices, value=default, className="form-select-lg")
    if column.type == "bool":
        return dbc.Checklist(id=cid, options=[{"label": label(column), "value": "oui"}], value=[],
                             switch=True, className="pilote-switch-big")
    if column.type == "date":
        return dbc.Input(id=cid, type="date", value=default, size="lg")
    if column.type in ("int", "float"):
        # No min/max in the browser: an out-of-range number would reach the server as "nothing typed" and be
        # refused as a missing field; the server names the bound instead.
        return dbc.Input(id=cid, type="number", inputMode="decimal" if column.type == "float" else "numeric",
                         value=default, size="lg")
    if column.max_length > 200:
        return dbc.Textarea(id=cid, value=default or "", rows=3, maxLength=column.max_length, size="lg")
    return dbc.Input(id=cid, type="text", value=default or "", maxLength=column.max_length, size="lg")


def report_form(form_id: str, spec: Dataset, choices: dict[str, list[dict]], defaults: dict, title: str,
                intro: str | None = None) -> html.Div:
    """``choices``: column -> options of its select (the sites the agent may report on); ``defaults``:
    column -> first value (today, the agent's last site…)."""
    ids = FormIds(form_id)
    groups = []
    for column in form_columns(spec):
        widget = _widget(ids, column, choices.get(column.name), defaults.get(column.name))
        heading = [] if column.type == "bool" else [
            dbc.Label([label(column), "" if column.required else html.Small(" (facultatif)", className="text-body-secondary")],
                      html_for=ids.field(column.name), className="fw-semibold")]
        extra = []
        if column.photo:
            extra = [html.Div(id=f"{ids.field(column.name)}-noms", className="small mt-1"),
                     dbc.Checklist(id=ids.gps, options=[{"label": "Utiliser la position GPS des photos comme lieu du "
                                                         "contrôle", "value": "oui"}], value=[], switch=True,
                                   className="mt-2")]
        groups.append(html.Div([*heading, widget, *extra,
                                html.Div(id=ids.error(column.name), className="invalid-feedback d-block",
                                         role="alert")], className="mb-3"))
    return html.Div([
        html.H1(title, className="h4"),
        html.P(intro, className="text-body-secondary") if intro else None,
        html.Div(id=ids.message, role="status", **{"aria-live": "polite"}),
        dcc.Store(id=ids.token, data=new_token()),
        *groups,
        dbc.Button("Enregistrer", id=ids.submit, color="primary", size="lg", className="w-100 mb-4", n_clicks=0),
    ], className="pilote-report-form", id=form_id)


def states(form_id: str, spec: Dataset) -> list[State]:
    """The callback's States: every asked field (photos: contents and file names), the consent, the token."""
    ids = FormIds(form_id)
    out = []
    for column in form_columns(spec):
        out.append(State(ids.field(column.name), _value_prop(column)))
        if column.photo:
            out.append(State(ids.field(column.name), "filename"))
    consent = [State(ids.gps, "value")] if any(c.photo for c in form_columns(spec)) else []  # with photos only
    return [*out, *consent, State(ids.token, "data")]


def outputs(form_id: str, spec: Dataset) -> list[Output]:
    """The message, the token (renewed after a record), each field's value (reset after a record) and error."""
    ids = FormIds(form_id)
    values = [Output(ids.field(c.name), _value_prop(c)) for c in form_columns(spec)]
    errors = [Output(ids.error(c.name), "children") for c in form_columns(spec)]
    return [Output(ids.message, "children"), Output(ids.token, "data"), *values, *errors]


def read_states(spec: Dataset, values: tuple) -> tuple[dict, list, list, bool, str]:
    """(raw values by column, photo contents, photo names, GPS consent, token) from the callback's States."""
    raw, photos, names, i = {}, [], [], 0
    for column in form_columns(spec):
        value = values[i]
        i += 1
        if column.photo:
            photos, names = value or [], values[i] or []
            i += 1
            continue
        raw[column.name] = ("oui" in value) if column.type == "bool" and isinstance(value, list) else value
    consent = values[i] if any(c.photo for c in form_columns(spec)) else None
    token = values[-1]
    return raw, photos if isinstance(photos, list) else [], names if isinstance(names, list) else [], \
        isinstance(consent, list) and "oui" in consent, token


def answer(spec: Dataset, message, token=no_update, errors: dict | None = None, reset: dict | None = None) -> tuple:
    """The callback's reply: on success (``reset``: the fields' fresh values) the form is emptied for the next
    report; on failure every typed value stays (no_update) and each field at fault says why."""
    columns = form_columns(spec)
    errors = errors or {}
    values = [(reset.get(c.name) if reset is not None else no_update) for c in columns]
    if reset is not None:
        values = [([] if c.type == "bool" else None if c.photo else v) for c, v in zip(columns, values)]
    return (message, token, *values, *[errors.get(c.name, "") for c in columns])
