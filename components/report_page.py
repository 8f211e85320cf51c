"""A report form page, declared once per collaborative dataset: ``ReportPage(...)`` gives the page its layout
and registers its callbacks (submit, options that depend on another field, chosen photos' names) as callbacks
*of that page module*, so the guard authorises them with the page's groups.

What differs between forms is data: the role written, the options of each select, extra checks across fields
(an odometer lower than the last one), the link to the record, the defaults of an agent.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html
from sqlalchemy import select

from auth.models import FieldReport
from auth.session import _client, current_auth
from components.notices import unavailable
from components.report_form import PHOTOS_MAX, FormIds, answer, new_token, outputs, read_states, report_form, states
from data_access import photos as photo_files
from data_access import reports
from data_access.snapshots import SnapshotMissing
from data_access.territory import today as territory_today

Options = list[dict]


def today(data):
    return territory_today(data.catalog.territory)


@lru_cache(maxsize=1)
def _start_catalog():
    """The catalog as the app starts with it, read once for every form page (their callbacks' fields)."""
    from data_access.catalog import load_catalog
    from data_access.settings import Settings

    settings = Settings.from_env()
    return load_catalog(settings.catalog_path, settings.portal_url, settings.territory_name)


def last_values(data, spec, author: str) -> dict:
    """The agent's last report of this dataset: where (and with what) they most likely are again."""
    with data.db.read() as s:
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
    options: Callable[[object, dict], dict[str, Options]]  # (data, chosen values) -> column -> options
    check: Callable[[object, dict], dict[str, str]] = lambda data, values: {}  # noqa: E731 - cross-field checks
    remember: tuple[str, ...] = ()  # fields whose last value the agent's next form starts with
    depends: dict[str, str] = field(default_factory=dict)  # select -> the field its options depend on
    saved: tuple[str, str] = ("Saisie enregistrée", "Cette saisie était déjà enregistrée")  # (new, a retry)

    def __post_init__(self):
        # The callback's outputs and states are the catalog's fields, fixed when the app starts.
        self.spec = _start_catalog().for_role(self.role)
        self.ids = FormIds(self.form)
        if self.spec is not None:
            self._register()

    # -- layout -----------------------------------------------------------------------------------------
    def defaults(self, data, author: str | None) -> dict:
        spec = data.catalog.for_role(self.role)
        out = {c.name: c.default for c in reports.form_columns(spec) if c.default and c.default not in ("today", "last")}
        out.update({c.name: today(data).isoformat() for c in reports.form_columns(spec) if c.default == "today"})
        if author:
            last = last_values(data, spec, author)
            out.update({name: last[name] for name in self.remember if last.get(name) is not None})
        return out

    def layout(self, data):
        spec = data.catalog.for_role(self.role)
        if spec is None or self.spec is None:
            return unavailable(f"Le formulaire « {self.title} » n'est pas disponible", "aucun jeu de données")
        first = self.defaults(data, current_auth().principal().email)
        try:
            options = self.options(data, first)
        except SnapshotMissing as exc:
            return unavailable(f"Le formulaire « {self.title} » n'est pas disponible", exc)
        return dbc.Container([
            dcc.Link(f"← {self.back[1]}", href=self.back[0], className="small"),
            report_form(self.form, spec, options, first, self.title, self.intro),
        ], className="px-0", style={"maxWidth": "36rem"})

    # -- checks and writing ----------------------------------------------------------------------------
    def _checked(self, data, raw: dict, uploads: list, names: list, consent: bool):
        spec = data.catalog.for_role(self.role)
        chosen = {k: v for k, v in raw.items() if isinstance(v, str)}
        allowed = {name: {o["value"] for o in opts} for name, opts in self.options(data, chosen).items()}
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
            errors.update(self.check(data, values))  # across fields, once each one is sound
        if errors:
            raise reports.InvalidReport(errors)
        if any(c.photo for c in reports.form_columns(spec)):
            located = next((p.gps for p in cleaned if p.gps), None) if consent else None
            values["photos"] = " ".join(p.sha256 for p in cleaned) or None
            if "lat" in spec.schema:
                values.update(lat=located[0] if located else None, lon=located[1] if located else None)
        return values, cleaned

    def submit(self, values: tuple):
        from data_access.context import current

        data, auth = current(), current_auth()
        spec = data.catalog.for_role(self.role)
        raw, uploads, names, consent, token = read_states(spec, values)
        try:
            reports.check_token(token)
            clean, cleaned = self._checked(data, raw, uploads, names, consent)
            stored = reports.record(data.db, photo_files.PhotoStore(data.settings.data_dir / "photos"), spec, clean,
                                    cleaned, auth.principal().email, token, _client())
        except reports.InvalidReport as exc:
            return answer(spec, dbc.Alert(exc.errors.get("_") or "Rien n'est enregistré : corrigez les champs signalés "
                                          "ci-dessous. Ce que vous avez saisi est conservé.",
                                          color="danger", id=f"{self.form}-refus"), errors=exc.errors)
        except SnapshotMissing as exc:
            return answer(spec, unavailable("Rien n'est enregistré", exc))
        said = self.saved[0] if stored.created else self.saved[1]
        message = dbc.Alert([html.Strong(f"{said} (n° {stored.report.id})."), " ",
                             dcc.Link("Voir sur le tableau de bord", href=self.record_link(clean), id=f"{self.form}-lien")],
                            color="success", id=f"{self.form}-enregistre")
        keep = {name: clean.get(name) for name in self.remember}
        return answer(spec, message, token=new_token(), reset=self.defaults(data, None) | keep)

    def _register(self) -> None:
        page = self.module

        def own(fn):  # a callback of the page module: the guard gives it the page's access
            fn.__module__ = page
            return fn

        def submit(_clicks, *values):
            return self.submit(values)

        callback(*outputs(self.form, self.spec), Input(self.ids.submit, "n_clicks"), *states(self.form, self.spec),
                 prevent_initial_call=True)(own(submit))
        for target, source in self.depends.items():
            def options_of(value, target=target, source=source):
                from data_access.context import current

                return self.options(current(), {source: value if isinstance(value, str) else None})[target]

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
