"""Administration of accounts: ``python -m auth COMMAND`` (see ``--help``).

Uses the same settings as the app (``PILOTE_DATABASE_URL``, ``PILOTE_DATA_DIR``).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from auth import accounts
from auth.db import Database
from auth.models import AuditEvent, Group, User, utcnow
from data_access.settings import Settings

DEMO_GROUPS = [("mobilite", "Direction de la mobilité", "Mobilité"),
               ("finances", "Direction des finances", "Finances"),
               ("elus", "Élus", "Cabinet"),
               ("partenaires-velo", "Partenaires vélo", "Partenaires"),
               ("espace-public", "Direction de l'espace public", "Patrimoine et espace public"),
               ("flotte", "Gestion du parc automobile", "Moyens généraux"),
               ("nature", "Maison de la nature et de l'arbre", "Développement durable")]
DEMO_HOMES = {"elus": "/climat"}  # an élu lands on the verdict of the climate plan
DEMO_USERS = [("agent.mobilite@demo.pilote.local", "Agent mobilité (démo)", ["mobilite"], False, None),
              ("agent.finances@demo.pilote.local", "Agent finances (démo)", ["finances"], False, None),
              ("elu@demo.pilote.local", "Élu (démo)", ["elus"], False, None),
              ("partenaire@demo.pilote.local", "Partenaire vélo (démo)", ["partenaires-velo"], False, "+90d"),
              ("agent.espace-public@demo.pilote.local", "Agent espace public (démo)", ["espace-public"], False, None),
              ("agent.flotte@demo.pilote.local", "Agent parc automobile (démo)", ["flotte"], False, None),
              ("agent.nature@demo.pilote.local", "Animateur maison de la nature (démo)", ["nature"], False, None),
              ("admin@demo.pilote.local", "Administrateur (démo)", [], True, None)]


def _password(args) -> str | None:
    if getattr(args, "generate", False):
        return None
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Mot de passe : ")
    if first != getpass.getpass("Confirmez : "):
        raise accounts.AccountError("les deux saisies diffèrent")
    return first


def cmd_create_user(s, args):
    user, generated = accounts.create_user(s, args.email, args.name, _password(args), args.group or [],
                                           admin=args.admin, expires_at=args.expires)
    print(f"compte créé : {user.email}")
    if generated:
        print(f"mot de passe (affiché une seule fois) : {generated}")


def cmd_set_password(s, args):
    password = _password(args)
    if password is None:
        password = accounts.generate_password()
        print(f"mot de passe (affiché une seule fois) : {password}")
    accounts.set_password(s, args.email, password)
    print("mot de passe changé ; les sessions ouvertes de ce compte sont fermées")


def cmd_disable(s, args):
    accounts.set_active(s, args.email, False)
    print(f"compte désactivé : {args.email}")


def cmd_enable(s, args):
    accounts.set_active(s, args.email, True)
    print(f"compte réactivé : {args.email}")


def cmd_add_group(s, args):
    accounts.add_group(s, args.slug, args.name, args.direction)
    print(f"groupe créé : {args.slug}")


def cmd_add_member(s, args):
    accounts.add_member(s, args.email, args.slug)
    print(f"{args.email} ajouté au groupe {args.slug}")


def cmd_remove_member(s, args):
    accounts.remove_member(s, args.email, args.slug)
    print(f"{args.email} retiré du groupe {args.slug}")


def _known_resources() -> set[str]:
    import dash

    import app  # noqa: F401  (registers the pages, so that grants name real resources)
    from auth.access import grantable, rules_from_registry

    return set(grantable(rules_from_registry(dash.page_registry)))


def cmd_grant(s, args):
    accounts.grant(s, args.slug, args.resource, known=_known_resources())
    print(f"accès à {args.resource} accordé au groupe {args.slug}")


def cmd_revoke(s, args):
    accounts.revoke(s, args.slug, args.resource)
    print(f"accès à {args.resource} retiré au groupe {args.slug}")


def _territory_communes() -> dict[str, str]:
    from data_access.catalog import load_catalog

    settings = Settings.from_env()
    territory = load_catalog(settings.catalog_path, settings.portal_url, settings.territory_name).territory
    return {c.code: c.name for c in territory.communes}


def cmd_communes(s, args):
    accounts.set_communes(s, args.slug, args.code, known=_territory_communes())
    print(f"groupe {args.slug} : " + (f"communes {' '.join(sorted(args.code))}" if args.code else "tout le territoire"))


def _home_pages() -> set[str]:
    import dash

    import app  # noqa: F401  (registers the pages)
    from auth.access import home_pages

    return home_pages(dash.page_registry)


def cmd_home(s, args):
    accounts.set_home(s, args.slug, args.path or "", known=_home_pages())
    print(f"groupe {args.slug} : page d'accueil {args.path or 'catalogue'}")


def cmd_expire(s, args):
    accounts.set_expiry(s, args.email, None if args.date == "never" else args.date)
    print(f"fin d'accès de {args.email} : {args.date}")


def cmd_list(s, args):
    users = s.scalars(select(User).options(selectinload(User.groups)).order_by(User.email)).all()
    now = utcnow()
    print(f"{len(users)} compte(s)")
    for u in users:
        flags = [f for f, on in (("admin", u.is_admin), ("désactivé", not u.active),
                                  ("expiré", u.is_expired(now))) if on]
        expiry = f" fin {u.expires_at:%d/%m/%Y}" if u.expires_at else ""
        print(f"  {u.email:40} {','.join(sorted(u.group_slugs)) or '-':30}{expiry} {' '.join(flags)}")
    groups = s.scalars(select(Group).options(selectinload(Group.grants)).order_by(Group.slug)).all()
    print(f"{len(groups)} groupe(s)")
    for grp in groups:
        print(f"  {grp.slug:24} {grp.name:36} accès : {', '.join(sorted(x.resource for x in grp.grants)) or '-'}"
              f" communes : {grp.communes or 'toutes'} accueil : {grp.home or 'catalogue'}")


def cmd_import_csv(s, args):
    text = Path(args.file).read_text(encoding="utf-8-sig")

    def progress(done: int, total: int) -> None:  # on stderr: stdout stays the summary
        if done == total or done % 20 == 0:
            print(f"comptes préparés : {done}/{total}", file=sys.stderr, flush=True)

    report = accounts.import_csv(s, text, progress=progress)
    for line, reason in report.errors:
        print(f"ligne {line} rejetée : {reason}", file=sys.stderr)
    print(f"{len(report.created)} compte(s) créé(s), {len(report.errors)} ligne(s) rejetée(s)")
    if report.created and args.passwords:
        with open(args.passwords, "w", encoding="utf-8") as out:
            out.write("email,password\n")
            out.writelines(f"{e},{p}\n" for e, p in report.passwords.items())
        Path(args.passwords).chmod(0o600)
        print(f"mots de passe écrits dans {args.passwords} (à transmettre puis détruire)")
    return 1 if report.errors else 0


def cmd_audit(s, args):
    events = s.scalars(select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(args.limit))
    for e in events:
        print(f"{e.at:%Y-%m-%d %H:%M:%S} {e.event:14} {e.actor or '-':30} {e.target or '-':30} {e.client or '-':15} {e.detail}")


def cmd_demo(s, args):
    """Demonstration accounts, one per role, only when asked; passwords are random and printed once."""
    existing = {g.slug for g in s.scalars(select(Group))}
    for slug, name, direction in DEMO_GROUPS:
        if slug not in existing:
            accounts.add_group(s, slug, name, direction)
    s.flush()
    for slug, path in DEMO_HOMES.items():
        if slug not in existing:
            accounts.set_home(s, slug, path)
    from datetime import timedelta

    for email, name, groups, admin, expiry in DEMO_USERS:
        if s.scalar(select(User).where(User.email == email)):
            print(f"déjà présent : {email}")
            continue
        expires = (utcnow() + timedelta(days=90)) if expiry else None
        _, password = accounts.create_user(s, email, name, None, groups, admin=admin, expires_at=expires)
        print(f"{email:38} {password}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m auth", description="Comptes, groupes et accès de Pilote.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("create-user", help="créer un compte (mot de passe demandé, ou --generate)")
    p.add_argument("email"), p.add_argument("name")
    p.add_argument("--group", action="append", help="groupe (répétable)")
    p.add_argument("--admin", action="store_true"), p.add_argument("--expires", help="fin d'accès AAAA-MM-JJ")
    p.add_argument("--generate", action="store_true", help="générer le mot de passe et l'afficher une fois")
    p = sub.add_parser("set-password")
    p.add_argument("email"), p.add_argument("--generate", action="store_true")
    for name in ("disable", "enable"):
        sub.add_parser(name).add_argument("email")
    p = sub.add_parser("add-group")
    p.add_argument("slug"), p.add_argument("name"), p.add_argument("--direction", default="")
    for name in ("add-member", "remove-member"):
        p = sub.add_parser(name)
        p.add_argument("email"), p.add_argument("slug")
    for name in ("grant", "revoke"):
        p = sub.add_parser(name, help="RESOURCE: chemin d'un tableau (/mobilite) ou d'une section (/mobilite#exploitation)")
        p.add_argument("slug"), p.add_argument("resource")
    p = sub.add_parser("communes", help="limiter les saisies d'un groupe à des communes (codes INSEE ; aucun : "
                                        "tout le territoire)")
    p.add_argument("slug"), p.add_argument("code", nargs="*")
    p = sub.add_parser("home", help="page d'accueil d'un groupe après connexion (/climat ; rien : le catalogue)")
    p.add_argument("slug"), p.add_argument("path", nargs="?")
    p = sub.add_parser("expire", help="date de fin d'accès d'un partenaire (AAAA-MM-JJ, ou never)")
    p.add_argument("email"), p.add_argument("date")
    sub.add_parser("list")
    p = sub.add_parser("import-csv", help="colonnes : email, name, groups (séparés par |), expires_at")
    p.add_argument("file"), p.add_argument("--passwords", help="fichier où écrire les mots de passe générés")
    p = sub.add_parser("audit")
    p.add_argument("--limit", type=int, default=50)
    sub.add_parser("demo", help="comptes de démonstration (un par rôle), mots de passe affichés une fois")
    args = parser.parse_args(argv)

    db = Database(Settings.from_env().database_url)
    db.migrate()
    handler = globals()["cmd_" + args.command.replace("-", "_")]
    try:
        with db.session() as s:
            return handler(s, args) or 0
    except accounts.AccountError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
