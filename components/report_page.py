"""A report form page, declared once per collaborative dataset: ``ReportPage(...)`` gives the page its layout
and registers its callbacks (submit, options that depend on another field, chosen photos' names, correcting
or deleting one's reports) as callbacks *of that page module*, so the guard authorises them with the page's
groups.

What differs between forms is data: the role written, the options of each select, extra checks across fields
(an odometer lower than the last one), the link to the record, the defaults of an agent, the commune a report
concerns (a group limited to some communes reports on those only, ``auth.access.Policy.communes``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, clientside_callback, dcc, html, no_update
from sqlalchemy import select

from auth.models import FieldReport
from auth.session import _client, current_auth
from components.formats import fmt_datetime
from components.kept_layout import KeptLayouts
from components.notices import unavailable
from components.report_form import CHOOSE, PHOTOS_MAX, FormIds, answer, new_token, outputs, read_states, report_form, states
from data_access import photos as photo_files
from data_access import reports
from data_access.lru import Lru
from data_access.render_cache import page_datasets
from data_access.snapshots import SnapshotMissing
from data_access.territory import today as territory_today

Options = list[dict]
_CHOICES_KEPT = 64  # per form: (data version, communes, chosen site) combinations in use at once
Communes = frozenset[str] | None  # where an agent may report: None for the whole territory


def today(data):
    return territory_today(data.catalog.territory)


@lru_cache(maxsize=1)
def _start_catalog():
    """The catalog as the app starts with it, read once for every form page (their callbacks' fields)."""
    from data_access.catalog import load_catalog
    from data_access.settings import Settings

    settings = Settings.from_env()
    return load_catalog(settings.catalog_path, settings.portal_url, settings.territory_name)


def export_links(data, roles: list[str]) -> html.Div:
    """« Exporter … (CSV) » for each collaborative dataset a dashboard shows: reports and their history in the
    catalog schema, served by ``/exports/<key>.csv`` to those who may see the dataset."""
    links = []
    for role in roles:
        spec = data.catalog.for_role(role)
        if spec is not None and spec.collaborative:
            links.append(html.A(f"Exporter « {spec.title.split(' — ')[-1]} » (CSV)", href=f"/exports/{spec.key}.csv",
                                download=f"{spec.key}.csv", className="me-3", id=f"export-{spec.key}"))
    return html.Div(links, className="small mb-2 pilote-exports")


def with_token(node, token_id: str, token: str):
    """``node`` (a JSON-ready layout) with the store ``token_id`` holding ``token``; copied along the way to it,
    the kept layout untouched."""
    if isinstance(node, list):
        out = None
        for i, child in enumerate(node):
            new = with_token(child, token_id, token)
            if new is not child:
                out = out if out is not None else list(node)
                out[i] = new
        return node if out is None else out
    if not isinstance(node, dict) or not isinstance(node.get("props"), dict):
        return node
    props = node["props"]
    if props.get("id") == token_id:
        return {**node, "props": {**props, "data": token}}
    children = props.get("children")
    new = with_token(children, token_id, token)
    return node if new is children else {**node, "props": {**props, "children": new}}


def last_values(s, spec, author: str) -> dict:
    """The agent's last report of this dataset: where (and with what) they most likely are again."""
    values = s.scalar(select(FieldReport.values).where(FieldReport.author == author, FieldReport.dataset == spec.key,
                                                       FieldReport.deleted_at.is_(None))
                      .order_by(FieldReport.id.desc()).limit(1))
    return json.loads(values) if values else {}


@dataclass
class ReportPage:
    module: str  # the page module's __name__: its callbacks are its own
    form: str  # the form's id prefix
    role: str  # the collaborative dataset written
    title: str
    intro: str
    back: tuple[str, str]  # (href, label) of the dashboard
    record_link: Callable[[dict], str]  # values -> where the record is shown
    # (data, chosen values, communes the agent may report on) -> column -> options
    options: Callable[[object, dict, Communes], dict[str, Options]]
    # Checks across fields, once each one is sound: (data, values, id of the report corrected or None) ->
    # field -> message. May add the fields Pilote sets (``form = false``) to ``values``.
    check: Callable[[object, dict, int | None], dict[str, str]] = lambda data, values, editing: {}  # noqa: E731
    remember: tuple[str, ...] = ()  # fields whose last value the agent's next form starts with
    depends: dict[str, str] = field(default_factory=dict)  # select -> the field its options depend on
    saved: tuple[str, str] = ("Saisie enregistrée", "Cette saisie était déjà enregistrée")  # (new, a retry)
    # The commune a report concerns (values -> INSEE code), and the field that fixes it (where a report out of
    # the agent's communes is refused). Default: the dataset's commune column.
    commune_of: Callable[[object, dict], str | None] | None = None
    commune_field: str | None = None

    def __post_init__(self):
        # The callback's outputs and states are the catalog's fields, fixed when the app starts.
        self.spec = _start_catalog().for_role(self.role)
        self.ids = FormIds(self.form)
        self._memo = Lru(_CHOICES_KEPT)
        self._layouts = KeptLayouts()
        if self.spec is not None:
            self._register()

    def choices(self, data, chosen: dict, communes: Communes) -> dict[str, Options]:
        """``options``, memoised in the process: every agent opening the form asks for the same lists, which change
        only with the page's snapshots (options list sites, vehicles, communes: portal data, never reports), the
        day, the agent's communes and the fields named in ``depends`` (the only chosen values ``options`` sees)."""
        page = dash.page_registry.get(self.module, {})
        key = (tuple((k, data.store.version(k)) for k in page_datasets(page, data)), data.catalog.digest,
               today(data).isoformat(), communes, tuple((f, chosen.get(f)) for f in sorted(set(self.depends.values()))))
        return self._memo.get(key, lambda: self.options(data, {f: chosen.get(f) for f in self.depends.values()},
                                                        communes))

    # -- layout -----------------------------------------------------------------------------------------
    def defaults(self, data, author: str | None, s=None) -> dict:
        """The form's first values; ``s``: a read session the caller already holds."""
        spec = data.catalog.for_role(self.role)
        out = {c.name: c.default for c in reports.form_columns(spec) if c.default and c.default not in ("today", "last")}
        out.update({c.name: today(data).isoformat() for c in reports.form_columns(spec) if c.default == "today"})
        if author and s is None:
            with data.db.read() as s:
                return self.defaults(data, author, s)
        if author:
            last = last_values(s, spec, author)
            out.update({name: last[name] for name in self.remember if last.get(name) is not None})
        return out

    @property
    def path(self) -> str:
        return dash.page_registry[self.module]["path"]

    def communes(self) -> Communes:
        """Where the signed-in agent may report through this form (their groups' communes)."""
        auth = current_auth()
        return auth.policy.communes(auth.principal(), self.path)

    def layout(self, data):
        spec = data.catalog.for_role(self.role)
        if spec is None or self.spec is None:
            return unavailable(f"Le formulaire « {self.title} » n'est pas disponible", "aucun jeu de données")
        principal = current_auth().principal()
        with data.db.read() as s:  # one read for the agent's last values and their reports
            first = self.defaults(data, principal.email, s)
            recent = self._recent(data, spec, principal, s)
        communes = self.communes()
        try:
            options = self.choices(data, first, communes)
            allowed = {name: {o["value"] for o in opts} for name, opts in options.items()}
            kept = {k: v for k, v in first.items() if k not in allowed or v in allowed[k]}  # a last site out of reach
            if kept != first:  # the options that depend on a dropped value change with it
                first, options = kept, self.choices(data, kept, communes)
        except SnapshotMissing as exc:
            return unavailable(f"Le formulaire « {self.title} » n'est pas disponible", exc)
        # Kept for what it shows (components/kept_layout.py); each render still gets its own token.
        ready = self._layouts.get(
            [data.catalog.digest, sorted(communes) if communes is not None else None, principal.is_admin, first,
             recent, options],
            lambda: self._form_layout(data, spec, options, first, communes, principal, recent))
        return with_token(ready, self.ids.token, new_token())

    def _form_layout(self, data, spec, options, first, communes, principal, recent):
        scope = None
        if communes is not None:
            names = {c.code: c.name for c in data.catalog.territory.communes}
            scope = dbc.Alert(f"Vos saisies : {', '.join(sorted(names.get(c, c) for c in communes)) or 'aucune commune'}"
                              " (les communes de vos groupes).", color="info", className="py-2 small",
                              id=f"{self.form}-communes")
        return dbc.Container([
            dcc.Link(f"← {self.back[1]}", href=self.back[0], className="small"),
            scope,
            html.Div(id=self.ids.banner, role="status", **{"aria-live": "polite"}),
            report_form(self.form, spec, options, first, self.title, self.intro),
            self._corrections(principal, recent),
        ], className="px-0", style={"maxWidth": "36rem"})

    # -- correcting and deleting ------------------------------------------------------------------------
    def recent_options(self, data, spec, principal, s=None) -> Options:
        if s is None:
            with data.db.read() as s:
                return self.recent_options(data, spec, principal, s)
        rows = reports.recent(s, spec, principal.email, principal.is_admin)
        shown = [c.name for c in reports.form_columns(spec) if not c.photo][:3]
        out = []
        for report_id, at, author, values in rows:
            summary = " · ".join(str(values.get(name)) for name in shown if values.get(name) not in (None, ""))
            by = f" · {author}" if principal.is_admin and author != principal.email else ""
            out.append({"label": f"n° {report_id} · {fmt_datetime(at)} · {summary}{by}"[:160], "value": str(report_id)})
        return out

    def _corrections(self, principal, recent: Options):
        ids = self.ids
        whose = ("Les dernières saisies, de tous les agents (administrateur)." if principal.is_admin else
                 "Vos saisies des dernières 24 h : vous pouvez les corriger ou les supprimer ; au-delà, "
                 "demandez à un administrateur.")
        return html.Section([
            html.H2("Corriger ou supprimer une saisie", className="h5"),
            html.P(whose, className="small text-body-secondary"),
            dcc.Store(id=ids.editing, data=None), dcc.Store(id=f"{self.form}-defilement"),
            dbc.Label("Saisie", html_for=ids.recent, className="fw-semibold"),
            dbc.Select(id=ids.recent, options=recent, value="", placeholder=CHOOSE, className="form-select-lg mb-2"),
            html.Div([
                dbc.Button("Corriger", id=ids.load, color="secondary", size="lg", className="flex-fill", n_clicks=0),
                dcc.ConfirmDialogProvider(
                    dbc.Button("Supprimer", color="danger", outline=True, size="lg", className="w-100"),
                    id=ids.delete, message="Supprimer cette saisie ? Elle disparaît du tableau de bord ; le journal "
                                           "garde sa trace."),
                dbc.Button("Annuler la correction", id=ids.cancel, color="link", size="lg", disabled=True, n_clicks=0),
            ], className="d-flex flex-wrap gap-2 mb-2"),
            html.Div(id=ids.list_message, role="status", className="mb-4", **{"aria-live": "polite"}),
        ], className="pilote-report-corrections border-top pt-3", **{"aria-label": "Corriger ou supprimer une saisie"})

    def _recent(self, data, spec, principal=None, s=None) -> Options:
        principal = principal or current_auth().principal()
        return self.recent_options(data, spec, principal, s)

    def _chosen_report(self, value) -> int | None:
        return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 12 else None

    def load(self, value):
        """The chosen report's values in the form, for a correction (only if this user may still correct it)."""
        from data_access.context import current

        data, auth = current(), current_auth()
        spec = data.catalog.for_role(self.role)
        principal = auth.principal()
        report_id = self._chosen_report(value)
        keep = (no_update,) * (len(reports.form_columns(spec)) + 3)  # the fields, editing, banner, cancel
        if report_id is None:
            return (*keep, dbc.Alert("Choisissez d'abord une saisie.", color="warning"), no_update)
        try:
            with data.db.read() as s:
                report = reports.editable(s, spec, report_id, principal.email, principal.is_admin, reports.utcnow())
                values = json.loads(report.values)
        except reports.ReportRefused as exc:
            return (*keep, dbc.Alert(f"Impossible : {exc}.", color="danger"), no_update)
        shown = []
        for column in reports.form_columns(spec):
            value = values.get(column.name)
            shown.append(None if column.photo else (["oui"] if value else []) if column.type == "bool" else
                         ("" if value is None else value))
        photos = " Les photos enregistrées sont gardées si vous n'en choisissez pas d'autres." if any(
            c.photo for c in reports.form_columns(spec)) else ""
        banner = dbc.Alert([html.Strong(f"Correction de la saisie n° {report_id}."),
                            f" Modifiez les champs puis « Enregistrer ».{photos}"], color="warning",
                           id=f"{self.form}-edition-en-cours")
        return (*shown, report_id, banner, False, None, None)

    def cancel(self):
        from data_access.context import current

        data = current()
        spec = data.catalog.for_role(self.role)
        fresh = self.defaults(data, current_auth().principal().email)
        values = [None if c.photo else [] if c.type == "bool" else fresh.get(c.name, None)
                  for c in reports.form_columns(spec)]
        return (*values, None, None, True, dbc.Alert("Correction annulée : le formulaire est prêt pour une nouvelle "
                                                    "saisie.", color="secondary"), None)

    def delete(self, value):
        from data_access.context import current

        data, auth = current(), current_auth()
        spec = data.catalog.for_role(self.role)
        principal = auth.principal()
        report_id = self._chosen_report(value)
        unchanged = (no_update,) * 5  # the list, its choice, editing, banner, cancel
        if report_id is None:
            return (dbc.Alert("Choisissez d'abord une saisie.", color="warning"), *unchanged)
        try:
            with data.db.session() as s:
                reports.delete(s, spec, report_id, principal.email, principal.is_admin, client=_client())
            data.reports_changed()
        except reports.ReportRefused as exc:
            return (dbc.Alert(f"Rien n'est supprimé : {exc}.", color="danger"), *unchanged)
        return (dbc.Alert(f"Saisie n° {report_id} supprimée.", color="success", id=f"{self.form}-supprimee"),
                self._recent(data, spec), "", None, None, True)

    # -- checks and writing ----------------------------------------------------------------------------
    def _checked(self, data, raw: dict, uploads: list, names: list, consent: bool, editing: int | None = None):
        spec = data.catalog.for_role(self.role)
        chosen = {k: v for k, v in raw.items() if isinstance(v, str)}
        # Every site of the territory is a known value; one out of the agent's communes is refused below, by name.
        allowed = {name: {o["value"] for o in opts} for name, opts in self.choices(data, chosen, None).items()}
        errors, values, cleaned = {}, {}, []
        try:
            values = reports.clean(spec, raw, today(data), allowed)
        except reports.InvalidReport as exc:
            errors.update(exc.errors)
        if any(c.photo for c in reports.form_columns(spec)):
            try:
                cleaned = [photo_files.accept(blob) for blob in reports.decode_uploads(uploads, names, PHOTOS_MAX)]
            except reports.InvalidReport as exc:
                errors.update(exc.errors)
            except photo_files.PhotoRefused as exc:
                errors["photos"] = str(exc)
        if not errors:
            errors.update(self.check(data, values, editing))  # across fields, once each one is sound
        if not errors:
            errors.update(self._out_of_reach(data, spec, values))
        if errors:
            raise reports.InvalidReport(errors)
        if any(c.photo for c in reports.form_columns(spec)):
            located = next((p.gps for p in cleaned if p.gps), None) if consent else None
            values["photos"] = " ".join(p.sha256 for p in cleaned) or None
            if "lat" in spec.schema:
                values.update(lat=located[0] if located else None, lon=located[1] if located else None)
        return values, cleaned

    def commune(self, data, spec, values: dict) -> str | None:
        if self.commune_of is not None:
            return self.commune_of(data, values)
        return values.get(spec.commune_column) if spec.commune_column else None

    def _out_of_reach(self, data, spec, values: dict) -> dict[str, str]:
        communes = self.communes()
        if communes is None:
            return {}
        commune = self.commune(data, spec, values)
        if commune in communes:
            return {}
        names = {c.code: c.name for c in data.catalog.territory.communes}
        where = names.get(commune, commune or "commune inconnue")
        mine = ", ".join(sorted(names.get(c, c) for c in communes)) or "aucune"
        target = self.commune_field or spec.commune_column or reports.form_columns(spec)[0].name
        return {target: f"{where} n'est pas dans vos communes ({mine}) : demandez l'accès à un administrateur"}

    def submit(self, values: tuple):
        from data_access.context import current

        data, auth = current(), current_auth()
        spec = data.catalog.for_role(self.role)
        principal = auth.principal()
        editing = values[-1] if isinstance(values[-1], int) and not isinstance(values[-1], bool) else None
        raw, uploads, names, consent, token = read_states(spec, values[:-1])
        unchanged = (no_update, no_update, no_update, no_update)  # editing, banner, cancel, recent list
        store = photo_files.PhotoStore(data.settings.data_dir / "photos")
        try:
            reports.check_token(token)
            clean, cleaned = self._checked(data, raw, uploads, names, consent, editing)
            commune = self.commune(data, spec, clean)
            if editing is not None:
                report = reports.amend(data.db, store, spec, editing, clean, cleaned, principal.email,
                                       principal.is_admin, commune, _client())
                stored = reports.Stored(report, True)
            else:
                stored = reports.record(data.db, store, spec, clean, cleaned, principal.email, token, _client(), commune)
            data.reports_changed()
        except reports.InvalidReport as exc:
            return (*answer(spec, dbc.Alert(exc.errors.get("_") or "Rien n'est enregistré : corrigez les champs "
                                            "signalés ci-dessous. Ce que vous avez saisi est conservé.",
                                            color="danger", id=f"{self.form}-refus"), errors=exc.errors), *unchanged)
        except reports.ReportRefused as exc:
            return (*answer(spec, dbc.Alert(f"Rien n'est enregistré : {exc}. Ce que vous avez saisi est conservé.",
                                            color="danger", id=f"{self.form}-refus")), *unchanged)
        except SnapshotMissing as exc:
            return (*answer(spec, unavailable("Rien n'est enregistré", exc)), *unchanged)
        said = ("Correction enregistrée" if editing is not None else self.saved[0] if stored.created
                else self.saved[1])
        message = dbc.Alert([html.Strong(f"{said} (n° {stored.report.id})."), " ",
                             dcc.Link("Voir sur le tableau de bord", href=self.record_link(clean), id=f"{self.form}-lien")],
                            color="success", id=f"{self.form}-enregistre")
        keep = {name: clean.get(name) for name in self.remember}
        return (*answer(spec, message, token=new_token(), reset=self.defaults(data, None) | keep),
                None, None, True, self._recent(data, spec))

    def _register(self) -> None:
        page = self.module

        def own(fn):  # a callback of the page module: the guard gives it the page's access
            fn.__module__ = page
            return fn

        ids, columns = self.ids, reports.form_columns(self.spec)

        def submit(_clicks, *values):
            return self.submit(values)

        edit_outputs = [Output(ids.editing, "data"), Output(ids.banner, "children"), Output(ids.cancel, "disabled")]
        callback(*outputs(self.form, self.spec), *edit_outputs, Output(ids.recent, "options"),
                 Input(ids.submit, "n_clicks"), *states(self.form, self.spec), State(ids.editing, "data"),
                 prevent_initial_call=True)(own(submit))

        # Loading a report for correction, or cancelling, rewrites the fields the submit callback also resets.
        fields = [Output(ids.field(c.name), "contents" if c.photo else "value", allow_duplicate=True) for c in columns]
        again = [Output(o.component_id, o.component_property, allow_duplicate=True) for o in edit_outputs]

        def load(_clicks, value):
            return self.load(value)

        def cancel(_clicks):
            return self.cancel()

        def delete(_submitted, value):
            return self.delete(value)

        said = [Output(ids.list_message, "children", allow_duplicate=True),
                Output(ids.message, "children", allow_duplicate=True)]  # the last answer is no longer current
        callback(*fields, *again, *said, Input(ids.load, "n_clicks"), State(ids.recent, "value"),
                 prevent_initial_call=True)(own(load))
        callback(*fields, *again, *said, Input(ids.cancel, "n_clicks"), prevent_initial_call=True)(own(cancel))
        callback(Output(ids.list_message, "children"), Output(ids.recent, "options", allow_duplicate=True),
                 Output(ids.recent, "value"), *again, Input(ids.delete, "submit_n_clicks"), State(ids.recent, "value"),
                 prevent_initial_call=True)(own(delete))
        # A correction is made in the form above: bring it into view (a phone shows one screen at a time).
        clientside_callback(
            "function(banner) { if (banner) { const form = document.getElementById(%s);"
            " if (form) { form.scrollIntoView({block: 'start'}); } } return null; }" % json.dumps(self.ids.banner),
            Output(f"{self.form}-defilement", "data"), Input(ids.banner, "children"), prevent_initial_call=True)
        for target, source in self.depends.items():
            def options_of(value, target=target, source=source):
                from data_access.context import current

                return self.choices(current(), {source: value if isinstance(value, str) else None},
                                    self.communes())[target]

            options_of.__name__ = f"options_of_{target}"
            callback(Output(self.ids.field(target), "options"), Input(self.ids.field(source), "value"),
                     prevent_initial_call=True)(own(options_of))
        if any(c.photo for c in reports.form_columns(self.spec)):
            def photo_names(names):
                if not isinstance(names, list) or not names:
                    return ""
                return f"{len(names)} photo(s) choisie(s) : " + ", ".join(str(n)[:60] for n in names[:PHOTOS_MAX + 2])

            callback(Output(f"{self.ids.field('photos')}-noms", "children"), Input(self.ids.field("photos"), "filename"),
                     prevent_initial_call=True)(own(photo_names))
