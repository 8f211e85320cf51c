"""``python -m pilote report PAGE --out FICHIER.pdf``: a page of a running Pilote as a PDF report, for cron.
``python -m pilote warm``: every page rendered in advance into the shared cache (after a release; a refresh
warms the pages it changed by itself, ``pilote/warm.py``).

The same export as « Exporter en PDF » (``/_pilote/rapport.pdf``): the command asks the app for it, signed in
with a service account when ``PILOTE_REPORT_EMAIL`` and ``PILOTE_REPORT_PASSWORD`` are set (a report of
internal pages), as a visitor otherwise (public content only). ``--url`` (or ``PILOTE_URL``) names the app,
``http://127.0.0.1:8050`` by default.

    python -m pilote report "/climat?axe=1" --out rapport-climat.pdf
    python -m pilote report "/finances?annee=2019" --graphiques finances-depenses,finances-recettes --tableaux
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

import httpx

from pilote.pdf import ROUTE, ReportError, charts_asked, file_name, target

TIMEOUT = 180.0


def sign_in(client: httpx.Client, email: str, password: str) -> None:
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    if form.status_code != 200 or token is None:
        raise ReportError(f"page de connexion inattendue (HTTP {form.status_code})", 2)
    answer = client.post("/login", data={"csrf_token": token.group(1), "email": email, "password": password})
    if answer.status_code != 302:
        raise ReportError(f"connexion du compte de service {email} refusée (HTTP {answer.status_code})", 2)


def report(url: str, page: str, out: Path, charts: str | None = None, tables: bool = False,
           email: str | None = None, password: str | None = None) -> Path:
    page, asked = target(page), charts_asked(charts)
    params = {"page": page, **({"graphiques": ",".join(asked)} if asked else {}), **({"tableaux": "1"} if tables else {})}
    with httpx.Client(base_url=url.rstrip("/"), timeout=TIMEOUT, follow_redirects=False) as client:
        if email:
            sign_in(client, email, password or "")
        answer = client.get(ROUTE, params=params)
    if answer.status_code == 302:
        raise ReportError(f"{page} demande un compte : définissez PILOTE_REPORT_EMAIL et PILOTE_REPORT_PASSWORD", 2)
    if answer.status_code != 200 or answer.headers.get("content-type") != "application/pdf":
        try:
            reason = answer.json().get("error")
        except ValueError:
            reason = answer.text[:200]
        raise ReportError(f"{page} : HTTP {answer.status_code} — {reason}", 2)
    out.write_bytes(answer.content)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pilote", description="Services de Pilote.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("report", help="une page en PDF (A4), telle que l'application l'affiche")
    p.add_argument("page", help='chemin et sélecteurs, par exemple "/climat?axe=1"')
    p.add_argument("--out", help="fichier PDF à écrire (défaut : pilote-<page>.pdf)")
    p.add_argument("--graphiques", help="identifiants des cartes à garder, séparés par des virgules (défaut : toutes)")
    p.add_argument("--tableaux", action="store_true", help="ajouter les tableaux de données des graphiques")
    p.add_argument("--url", default=os.environ.get("PILOTE_URL", "http://127.0.0.1:8050"), help="adresse de l'application")
    sub.add_parser("warm", help="rendre toutes les pages à l'avance dans le cache partagé (après une mise à jour)")
    args = parser.parse_args(argv)
    if args.command == "warm":
        from pilote.warm import describe, warm_app

        warmed = warm_app(None)
        print(describe(warmed))
        return 0 if all(w.status == 200 for w in warmed) else 1
    try:
        page = target(args.page)
        out = report(args.url, page, Path(args.out or file_name(page)), args.graphiques, args.tableaux,
                     os.environ.get("PILOTE_REPORT_EMAIL"), os.environ.get("PILOTE_REPORT_PASSWORD"))
    except ReportError as exc:
        print(f"rapport non produit : {exc}", file=sys.stderr)
        return 2
    except httpx.HTTPError as exc:
        print(f"rapport non produit : l'application ne répond pas à {args.url} ({exc})", file=sys.stderr)
        return 2
    print(f"{out} ({out.stat().st_size // 1024} Ko)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
