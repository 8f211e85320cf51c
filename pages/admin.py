"""/admin — accounts, groups and grants, and the audit log. Administrators only (page and callbacks)."""

from __future__ import annotations

import functools
import json
from datetime import datetime, timedelta, timezone

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html
from dash._utils import to_json
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from auth import accounts
from auth.models import AuditEvent, Group, User, utcnow
from auth.session import current_auth
from components.formats import fmt_date, fmt_datetime
from components.selectors import dropdown
from components.tables import element
from data_access import render_cache
from data_access.context import current


def kept_under() -> list | None:
    """What the page shows besides its code and catalog: its viewer (never another's entry, though every
    administrator sees the same page) and the accounts' revision, raised by every write to accounts, groups,
    grants or the audit log, in any worker (auth.db). The render cache keeps the page under them."""
    auth = current_auth()
    revision = auth.db.revision()
    return None if revision is None else [auth.principal().email, revision]


dash.register_page(__name__, path="/admin", name="Administration", title="Administration", order=95, nav=False,
                   access="admin", description="Comptes, groupes, accès et journal.", roles=[],
                   render_cache=kept_under)

SOON = timedelta(days=30)


# The audit log's events in French (the code stays in the database and the CSV).
EVENT_LABELS = {
    "login": "Connexion", "login_failed": "Échec de connexion", "throttled": "Connexion ralentie",
    "logout": "Déconnexion", "session_ended": "Sessions closes", "refused": "Accès refusé",
    "admin_change": "Administration", "report_create": "Saisie", "report_correct": "Saisie corrigée",
    "report_delete": "Saisie supprimée",
}
STATES = ("actif", "expire bientôt", "expiré", "désactivé")


def account_state(u: User, now) -> str:
    soon = u.expires_at is not None and now < u.expires_at <= now + SOON
    return "désactivé" if not u.active else "expiré" if u.is_expired(now) else "expire bientôt" if soon else "actif"


def end_date(expires_at) -> str:
    """An end of access as it was set: the day itself (stored as its last second in UTC, which Paris time
    would show as the next day)."""
    return fmt_date(expires_at.date()) if expires_at else "aucune"


def matches(u: User, state: str, words: str | None, group: str | None, wanted: str | None) -> bool:
    """An account kept by the search: its address or name holds ``words``, it is in ``group``, and its
    state is ``wanted`` ("partenaire": an end of access is set)."""
    text = f"{u.email} {u.name}".casefold()
    return ((not words or all(w in text for w in words.casefold().split()))
            and (not group or group in u.group_slugs)
            and (not wanted or (u.expires_at is not None if wanted == "partenaire" else state == wanted)))


def next_change(expiries, now: datetime) -> datetime | None:
    """The first moment after ``now`` when an account of these ends of access changes state (« expire
    bientôt », then « expiré »)."""
    moments = [m for at in expiries if at is not None for m in (at - SOON, at) if m > now]
    return min(moments, default=None)


def users_table(s, words: str | None = None, group: str | None = None, wanted: str | None = None) -> dbc.Table:
    now = utcnow()
    rows, total = [], 0
    users = s.scalars(select(User).options(selectinload(User.groups)).order_by(User.email)).all()
    change = next_change((u.expires_at for u in users), now)
    if change is not None:  # the states shown hold until then: a kept page is not served past it
        render_cache.keep_for((change - datetime.now(timezone.utc).replace(tzinfo=None)).total_seconds())
    for u in users:
        total += 1
        state = account_state(u, now)
        if not matches(u, state, words, group, wanted):
            continue
        rows.append(html.Tr([
            html.Th(u.email, scope="row"), html.Td(u.name), html.Td(", ".join(sorted(u.group_slugs)) or "–"),
            html.Td(end_date(u.expires_at)),
            html.Td(html.Span(state, className="badge pilote-badge-stale" if state != "actif"
                              else "badge pilote-badge-fresh")),
            html.Td("oui" if u.is_admin else ""),
        ], className="table-warning" if state == "expire bientôt" else None))
    shown = f"{len(rows)} sur {total}" if len(rows) != total else str(total)
    return dbc.Table([html.Caption(f"Comptes : {shown} (les fins d'accès à moins de 30 jours sont surlignées)"),
                      html.Thead(html.Tr([html.Th(h, scope="col") for h in
                                          ("Adresse", "Nom", "Groupes", "Fin d'accès", "État", "Admin")])),
                      html.Tbody(rows)], size="sm", hover=True, id="admin-users")


def all_groups(s) -> list[Group]:
    return s.scalars(select(Group).options(selectinload(Group.grants), selectinload(Group.members))
                     .order_by(Group.slug)).all()


def groups_table(groups: list[Group], declared: dict, names: dict[str, str]) -> dbc.Table:
    rows = []
    for grp in groups:
        by_code = sorted(r for r, access in declared.items() if isinstance(access, frozenset) and grp.slug in access)
        rows.append(html.Tr([html.Th(grp.slug, scope="row"), html.Td(grp.name), html.Td(grp.direction or "–"),
                             html.Td(len(grp.members), className="text-end"),
                             html.Td(", ".join(sorted(x.resource for x in grp.grants)) or "–"),
                             html.Td(", ".join(by_code) or "–"),
                             html.Td(", ".join(names.get(c, c) for c in sorted(grp.commune_codes)) or "toutes"),
                             html.Td(grp.home or "catalogue")]))
    return dbc.Table([html.Caption("Groupes et accès"),
                      html.Thead(html.Tr([html.Th(h, scope="col") for h in
                                          ("Groupe", "Nom", "Direction", "Membres", "Accès accordés",
                                           "Accès déclarés par les pages", "Saisies : communes", "Accueil")])),
                      html.Tbody(rows)], size="sm", hover=True, id="admin-groups")


def audit_events(s, event: str | None = None, words: str | None = None, limit: int = 100):
    """The latest events, of one kind (a code of EVENT_LABELS) and naming ``words`` (by, target or detail)."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if event in EVENT_LABELS:
        query = query.where(AuditEvent.event == event)
    for word in (words or "").split()[:5]:
        like = f"%{word}%"
        query = query.where(AuditEvent.actor.ilike(like) | AuditEvent.target.ilike(like)
                            | AuditEvent.detail.ilike(like))
    return s.scalars(query.limit(limit)).all()


def audit_table(s, event: str | None = None, words: str | None = None, limit: int = 100) -> dbc.Table:
    events = audit_events(s, event, words, limit)
    kind = f" « {EVENT_LABELS[event]} »" if event in EVENT_LABELS else ""
    return dbc.Table([html.Caption(f"Journal : les {len(events)} derniers événements{kind}"),
                      html.Thead(html.Tr([html.Th(h, scope="col") for h in
                                          ("Date", "Événement", "Par", "Cible", "Adresse", "Détail")])),
                      html.Tbody([element("Tr", [element("Td", fmt_datetime(e.at)),
                                                 element("Td", EVENT_LABELS.get(e.event, e.event), title=e.event),
                                                 element("Td", e.actor or "–"), element("Td", e.target or "–"),
                                                 element("Td", e.client or "–"), element("Td", e.detail)])
                                  for e in events])], size="sm", id="admin-audit")


def commune_names() -> dict[str, str]:
    return {c.code: c.name for c in current().catalog.territory.communes}


def tables(search: dict | None = None, s=None, groups: list[Group] | None = None):
    """The accounts (found by the search), the groups and the audit log (filtered); in ``s`` when given."""
    if s is None:
        with current_auth().db.read() as s:
            return tables(search, s)
    search = search or {}
    return [users_table(s, search.get("words"), search.get("group"), search.get("state")),
            groups_table(all_groups(s) if groups is None else groups, current_auth().policy.rules, commune_names()),
            audit_table(s, search.get("event"), search.get("audit_words"))]


def text_or_none(value) -> str | None:
    """What the browser sent, if it is a short text (anything else counts as no filter)."""
    return value.strip()[:200] or None if isinstance(value, str) else None


def home_options() -> list[dict]:
    """The pages a group may land on, by name (auth.access.home_pages)."""
    from auth.access import home_pages

    paths = home_pages(dash.page_registry)
    return sorted(({"label": f"{p['name']} ({p['path']})", "value": p["path"]} for p in dash.page_registry.values()
                   if p["path"] in paths), key=lambda o: o["value"])


def resource_options() -> list[dict]:
    """The grantable pages and sections, named: « Parc automobile (/flotte) », « Mobilité — section
    exploitation (/mobilite#exploitation) »."""
    names = {p["path"]: p["name"] for p in dash.page_registry.values()}
    options = []
    for resource in current_auth().policy.grantable():
        path, _, section = resource.partition("#")
        name = names.get(path, path) + (f" — section « {section} »" if section else "")
        options.append({"label": f"{name} ({resource})", "value": resource})
    return options


def group_options(groups: list[Group]) -> list[dict]:
    return [{"label": f"{g.name} ({g.slug})", "value": g.slug} for g in groups]


SEARCH = [State("account-search", "value"), State("account-group", "value"), State("account-state", "value"),
          State("audit-event", "value"), State("audit-search", "value")]


def search_of(words, group, state, event, audit_words) -> dict:
    return {"words": text_or_none(words), "group": text_or_none(group), "state": text_or_none(state),
            "event": text_or_none(event), "audit_words": text_or_none(audit_words)}


def date_input(input_id: str) -> dbc.Input:
    """A date typed the French way, whatever the browser's language (a date input shows mm/dd/yyyy in an
    English browser); accounts.parse_expiry reads JJ/MM/AAAA (and AAAA-MM-JJ) and says what is wrong."""
    return dbc.Input(id=input_id, type="text", placeholder="JJ/MM/AAAA", inputMode="numeric", maxLength=10,
                     autoComplete="off")


def field(label, component):
    return dbc.Col([dbc.Label(label, html_for=component.id, className="small mb-0"), component], md=3)


def forms() -> list[dict]:
    """The page's forms, built once per catalog and set of grantable resources (fixed once the app runs) instead
    of at each render, and kept as the JSON Dash sends (the renderer reads components as such dicts): they are
    140 components, building and encoding them was most of the page's cost. Never changed once built."""
    resources = tuple((o["label"], o["value"]) for o in resource_options())
    return _forms(current().catalog.digest, resources)


def as_sent(components) -> list[dict]:
    """Components as the JSON Dash sends them (the renderer reads such dicts as components): built and encoded
    once, then placed as they are in each render."""
    return json.loads(to_json(html.Div(list(components))))["props"]["children"]


@functools.lru_cache(maxsize=8)
def _forms(_catalog_digest: str, resources: tuple) -> list[dict]:
    return as_sent(_form_components([{"label": label, "value": value} for label, value in resources]))


def _form_components(resources: list[dict]) -> tuple:
    return (
        html.H1("Administration", className="h3"),
        html.Div(id="admin-message", role="status"),
        html.H2("Créer un compte", className="h5 mt-3"),
        dbc.Row([field("Adresse", dbc.Input(id="new-email", type="email")),
                 field("Nom", dbc.Input(id="new-name")),
                 field("Groupes (séparés par des virgules)", dbc.Input(id="new-groups")),
                 field("Fin d'accès (partenaires)", date_input("new-expiry"))], className="g-2"),
        dbc.Checkbox(id="new-admin", label="Administrateur", value=False, className="mt-2"),
        dbc.Button("Créer le compte", id="create-user", color="primary", className="mt-2"),
        html.H2("Modifier un compte", className="h5 mt-4"),
        dbc.Row([field("Adresse", dbc.Input(id="edit-email", type="email")),
                 field("Groupe", dbc.Input(id="edit-group")),
                 field("Nouvelle fin d'accès (vide : sans fin)", date_input("edit-expiry"))],
                className="g-2"),
        html.Div([dbc.Button("Désactiver", id="disable-user", color="danger", className="me-2"),
                  dbc.Button("Réactiver", id="enable-user", color="secondary", className="me-2"),
                  dbc.Button("Ajouter au groupe", id="add-member", color="secondary", className="me-2"),
                  dbc.Button("Retirer du groupe", id="remove-member", color="secondary", className="me-2"),
                  dbc.Button("Changer la fin d'accès", id="set-expiry", color="secondary", className="me-2"),
                  dbc.Button("Réinitialiser le mot de passe", id="reset-password", color="warning")],
                 className="mt-2 d-flex flex-wrap gap-2"),
        html.H2("Groupes et accès", className="h5 mt-4"),
        dbc.Row([field("Groupe", dbc.Input(id="grant-group")),
                 field("Nom du nouveau groupe", dbc.Input(id="grant-group-name")),
                 field("Ressource", dropdown(id="grant-resource", options=resources, clearable=True))],
                className="g-2"),
        html.Div([dbc.Button("Créer le groupe", id="create-group", color="secondary", className="me-2"),
                  dbc.Button("Accorder l'accès", id="grant", color="primary", className="me-2"),
                  dbc.Button("Retirer l'accès", id="revoke", color="danger")], className="mt-2"),
        dbc.Row([dbc.Col([dbc.Label("Communes où le groupe peut saisir (aucune : tout le territoire)",
                                    html_for="group-communes", className="small mb-0"),
                          dropdown(id="group-communes", multi=True, placeholder="Tout le territoire",
                                       options=[{"label": n, "value": c} for c, n in commune_names().items()])],
                         md=6)], className="g-2 mt-2"),
        dbc.Button("Limiter les saisies du groupe", id="set-communes", color="secondary", className="mt-2"),
        dbc.Row([dbc.Col([dbc.Label("Page d'accueil du groupe après connexion (aucune : le catalogue)",
                                    html_for="group-home", className="small mb-0"),
                          dropdown(id="group-home", options=home_options(), placeholder="Le catalogue",
                                       clearable=True)], md=6)], className="g-2 mt-2"),
        dbc.Button("Définir la page d'accueil", id="set-home", color="secondary", className="mt-2"),
    )


@functools.lru_cache(maxsize=1)
def search_fields() -> list[dict]:  # nothing of the territory: one per process
    """The search fields but the group's (whose options are the database's groups), built once like ``forms``."""
    return as_sent((
        field("Compte (adresse ou nom)", dbc.Input(id="account-search", type="search", debounce=True)),
        field("État", dropdown(id="account-state", clearable=True, placeholder="Tous les comptes",
                               options=[{"label": "partenaire (fin d'accès fixée)", "value": "partenaire"}]
                               + [{"label": state, "value": state} for state in STATES])),
        field("Journal : événement", dropdown(id="audit-event", clearable=True, placeholder="Tous les événements",
                                             options=[{"label": label, "value": code}
                                                      for code, label in EVENT_LABELS.items()])),
        field("Journal : qui ou quoi", dbc.Input(id="audit-search", type="search", debounce=True)),
        dbc.Button("Exporter le journal (CSV)", id="audit-csv-button", color="secondary", size="sm", className="mt-2"),
        dcc.Download(id="audit-csv"),
    ))


def layout(**_ignored):
    account, state, event, audit_words, export, download = search_fields()
    with current_auth().db.read() as s:  # one read, the groups read once, for the group list and the tables
        groups = all_groups(s)
        shown = tables(None, s, groups)
        chooser = dropdown(id="account-group", options=group_options(groups), clearable=True,
                           placeholder="Tous les groupes")
    return html.Div([
        *forms(),
        html.H2("Rechercher", className="h5 mt-4"),
        dbc.Row([account, field("Groupe", chooser), state, event, audit_words], className="g-2"),
        export, download,
        html.Div(shown, id="admin-tables", className="mt-4 table-responsive"),
    ])


@callback(
    Output("admin-message", "children"), Output("admin-tables", "children"),
    Input("create-user", "n_clicks"), Input("disable-user", "n_clicks"), Input("enable-user", "n_clicks"),
    Input("add-member", "n_clicks"), Input("remove-member", "n_clicks"), Input("create-group", "n_clicks"),
    Input("grant", "n_clicks"), Input("revoke", "n_clicks"), Input("set-communes", "n_clicks"),
    Input("set-home", "n_clicks"), Input("set-expiry", "n_clicks"), Input("reset-password", "n_clicks"),
    State("new-email", "value"), State("new-name", "value"), State("new-groups", "value"),
    State("new-expiry", "value"), State("new-admin", "value"), State("edit-email", "value"),
    State("edit-group", "value"), State("grant-group", "value"), State("grant-group-name", "value"),
    State("grant-resource", "value"), State("group-communes", "value"), State("group-home", "value"),
    State("edit-expiry", "value"), *SEARCH,
    prevent_initial_call=True,
)
def act(*args):
    # The browser may send anything: a field that does not hold text counts as empty (refused with a message).
    (new_email, new_name, new_groups, new_expiry, new_admin, edit_email, edit_group, grant_group,
     grant_group_name, grant_resource, group_communes, group_home) = [
        v if isinstance(v, (str, list)) or v is None else None for v in args[12:24]]
    edit_expiry = text_or_none(args[24])
    search = search_of(*args[25:30])
    group_home = group_home if isinstance(group_home, str) else ""
    group_communes = [c for c in group_communes if isinstance(c, str)] if isinstance(group_communes, list) else []
    new_email, new_name, new_groups, new_expiry, edit_email, edit_group, grant_group, grant_group_name, \
        grant_resource = [v if isinstance(v, str) else None for v in (
            new_email, new_name, new_groups, new_expiry, edit_email, edit_group, grant_group, grant_group_name,
            grant_resource)]
    auth = current_auth()
    actor = auth.principal().email
    action = ctx.triggered_id
    try:
        with auth.db.session() as s:
            if action == "create-user":
                groups = [g.strip() for g in (new_groups or "").split(",") if g.strip()]
                user, password = accounts.create_user(s, new_email or "", new_name or "", None, groups,
                                                      admin=bool(new_admin), expires_at=new_expiry or None,
                                                      actor=actor)
                message = dbc.Alert([f"Compte {user.email} créé. Mot de passe à transmettre (affiché une seule "
                                     "fois) : ", html.Code(password)], color="success")
            elif action in ("disable-user", "enable-user"):
                accounts.set_active(s, edit_email or "", action == "enable-user", actor=actor)
                message = dbc.Alert(f"Compte {edit_email} {'réactivé' if action == 'enable-user' else 'désactivé'}.",
                                    color="success")
            elif action in ("add-member", "remove-member"):
                (accounts.add_member if action == "add-member" else accounts.remove_member)(
                    s, edit_email or "", (edit_group or "").strip(), actor=actor)
                message = dbc.Alert("Appartenance modifiée.", color="success")
            elif action == "create-group":
                accounts.add_group(s, (grant_group or "").strip(), grant_group_name or "", actor=actor)
                message = dbc.Alert(f"Groupe {grant_group} créé.", color="success")
            elif action in ("grant", "revoke"):
                if action == "grant":
                    accounts.grant(s, (grant_group or "").strip(), grant_resource or "",
                                   known=set(auth.policy.grantable()), actor=actor)
                else:
                    accounts.revoke(s, (grant_group or "").strip(), grant_resource or "", actor=actor)
                message = dbc.Alert("Accès modifiés.", color="success")
            elif action == "set-communes":
                accounts.set_communes(s, (grant_group or "").strip(), group_communes, known=commune_names(), actor=actor)
                message = dbc.Alert(f"Saisies du groupe {grant_group} : " + (
                    ", ".join(commune_names()[c] for c in sorted(group_communes)) if group_communes
                    else "tout le territoire") + ".", color="success")
            elif action == "set-expiry":
                accounts.set_expiry(s, edit_email or "", edit_expiry, actor=actor)
                message = dbc.Alert(f"Fin d'accès de {edit_email} : {end_date(accounts.parse_expiry(edit_expiry))}.",
                                    color="success")
            elif action == "reset-password":
                password = accounts.generate_password()
                accounts.set_password(s, edit_email or "", password, actor=actor)
                message = dbc.Alert([f"Mot de passe de {edit_email} réinitialisé, ses sessions sont closes. Nouveau "
                                     "mot de passe à transmettre (affiché une seule fois) : ", html.Code(password)],
                                    color="success")
            elif action == "set-home":
                from auth.access import home_pages

                accounts.set_home(s, (grant_group or "").strip(), group_home, known=home_pages(dash.page_registry),
                                  actor=actor)
                message = dbc.Alert(f"Page d'accueil du groupe {grant_group} : {group_home or 'le catalogue'}.",
                                    color="success")
            else:
                return dash.no_update, dash.no_update
    except accounts.AccountError as exc:
        return dbc.Alert(f"Impossible : {exc}.", color="danger"), tables(search)
    return message, tables(search)


@callback(Output("admin-tables", "children", allow_duplicate=True), Input("account-search", "value"),
          Input("account-group", "value"), Input("account-state", "value"), Input("audit-event", "value"),
          Input("audit-search", "value"), prevent_initial_call=True)
def filter_tables(words, group, state, event, audit_words):
    return tables(search_of(words, group, state, event, audit_words))


AUDIT_CSV_MAX = 10_000


@callback(Output("audit-csv", "data"), Input("audit-csv-button", "n_clicks"), State("audit-event", "value"),
          State("audit-search", "value"), prevent_initial_call=True)
def audit_csv(_clicks, event, audit_words):
    """The audit log as filtered, for a spreadsheet (semicolons, UTF-8 with BOM: Excel in French)."""
    import csv
    import io

    with current_auth().db.read() as s:
        events = audit_events(s, text_or_none(event), text_or_none(audit_words), AUDIT_CSV_MAX)
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";")
        writer.writerow(["date (UTC)", "événement", "code", "par", "cible", "adresse", "détail"])
        writer.writerows([e.at.isoformat(sep=" ", timespec="seconds"), EVENT_LABELS.get(e.event, e.event), e.event,
                          e.actor or "", e.target or "", e.client or "", e.detail or ""] for e in events)
    return {"content": "\ufeff" + out.getvalue(), "filename": "pilote-journal.csv", "type": "text/csv"}
