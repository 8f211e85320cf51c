"""Photos of field reports, served only to those who may see the dataset they belong to (its dashboard's
groups, or an administrator): ``/photos/<sha256>`` and ``/photos/<sha256>/vignette``."""

from __future__ import annotations

import dash
from flask import Blueprint, Response, current_app, jsonify

from auth.models import FieldPhoto
from auth.visibility import visible_datasets
from data_access.photos import PhotoStore

photos_bp = Blueprint("photos", __name__)


def _serve(sha256: str, thumbnail: bool):
    auth = current_app.extensions["pilote_auth"]
    data = current_app.extensions["pilote_data"]
    principal = auth.principal()
    if not principal.authenticated:
        auth.refused(principal, "/photos", 401)
        return jsonify(error="authentification requise"), 401
    with auth.db.read() as s:
        photo = s.get(FieldPhoto, sha256) if len(sha256) == 64 else None
        dataset = photo.dataset if photo is not None else None
    if dataset is None or dataset not in visible_datasets(auth, principal, dash.page_registry, data):
        # Unknown and not allowed look the same: a hash says nothing of what exists.
        auth.refused(principal, "/photos", 404)
        return jsonify(error="photo introuvable"), 404
    try:
        body = PhotoStore(data.settings.data_dir / "photos").read(sha256, thumbnail)
    except OSError:
        return jsonify(error="photo introuvable"), 404
    response = Response(body, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@photos_bp.route("/photos/<sha256>")
def photo(sha256: str):
    return _serve(sha256, False)


@photos_bp.route("/photos/<sha256>/vignette")
def thumbnail(sha256: str):
    return _serve(sha256, True)
