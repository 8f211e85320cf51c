"""What field reports offer outside the pages, served only to those who may see their dataset (its
dashboard's groups, or an administrator):

* ``/photos/<sha256>`` and ``/photos/<sha256>/vignette``: a report's photos;
* ``/exports/<key>.csv``: a collaborative dataset in its catalog schema (what the portal harvests).
"""

from __future__ import annotations

import dash
from flask import Blueprint, Response, current_app, jsonify

from auth.models import FieldPhoto
from auth.visibility import visible_datasets
from data_access.photos import PhotoStore

reports_bp = Blueprint("reports", __name__)


def _refusal(route: str, dataset_of, what: str):
    """None when the caller may see the dataset ``dataset_of(auth)`` names, else the answer: 401 anonymous,
    404 otherwise (unknown and not allowed look the same: a name says nothing of what exists)."""
    auth = current_app.extensions["pilote_auth"]
    data = current_app.extensions["pilote_data"]
    principal = auth.principal()
    if not principal.authenticated:
        auth.refused(principal, route, 401)
        return jsonify(error="authentification requise"), 401
    dataset = dataset_of(auth)
    if dataset is None or dataset not in visible_datasets(auth, principal, dash.page_registry, data):
        auth.refused(principal, route, 404)
        return jsonify(error=f"{what} introuvable"), 404
    return None


def _photo_dataset(sha256: str):
    def lookup(auth):
        with auth.db.read() as s:
            photo = s.get(FieldPhoto, sha256) if len(sha256) == 64 else None
            return photo.dataset if photo is not None else None

    return lookup


def _serve(sha256: str, thumbnail: bool):
    refused = _refusal("/photos", _photo_dataset(sha256), "photo")
    if refused:
        return refused
    data = current_app.extensions["pilote_data"]
    try:
        body = PhotoStore(data.settings.data_dir / "photos").read(sha256, thumbnail)
    except OSError:
        return jsonify(error="photo introuvable"), 404
    response = Response(body, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@reports_bp.route("/photos/<sha256>")
def photo(sha256: str):
    return _serve(sha256, False)


@reports_bp.route("/photos/<sha256>/vignette")
def thumbnail(sha256: str):
    return _serve(sha256, True)


@reports_bp.route("/exports/<key>.csv")
def export(key: str):
    from data_access import reports
    from data_access.territory import today

    data = current_app.extensions["pilote_data"]
    spec = data.catalog.datasets.get(key)
    refused = _refusal("/exports", lambda auth: key if spec is not None and spec.collaborative else None, "export")
    if refused:
        return refused
    body = reports.export_csv(data.frame(key), spec)
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{key}_{today(data.catalog.territory)}.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
