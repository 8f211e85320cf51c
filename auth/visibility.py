"""Which datasets a caller may know of (their names, sizes, states): public ones, and internal ones behind a
page or section the caller may see. Used by /healthz and « Mon espace »."""

from __future__ import annotations

import hmac

import dash
from flask import request

from auth.access import PUBLIC, Principal
from data_access.health import ALL


def visible_datasets(auth, principal: Principal, registry: dict, data) -> set[str]:
    """Keys of the datasets ``principal`` may know of. Pages declare ``roles`` (what they read) and
    ``section_roles`` (what their internal sections read, e.g. ``{"dsp": ["parking.dsp"]}``)."""
    if principal.is_admin:
        return {d.key for d in data.catalog}
    keys = {d.key for d in data.catalog if d.is_public}
    for page in registry.values():
        path = page["path"]
        if page.get("access", PUBLIC) != PUBLIC and auth.policy.allows(principal, path):
            keys |= {data.key_for(role) for role in page.get("roles", [])}
        for section, roles in (page.get("section_roles") or {}).items():
            if auth.policy.allows(principal, f"{path}#{section}"):
                keys |= {data.key_for(role) for role in roles}
    return keys - {None}


def health_scope(app, data, token: str | None):
    """/healthz: everything for the monitoring token (``Authorization: Bearer …``), the visible datasets for a
    signed-in user, the status only for anyone else."""
    sent = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
        return ALL
    principal = app.pilote_auth.principal()
    if not principal.authenticated:
        return None
    return visible_datasets(app.pilote_auth, principal, dash.page_registry, data)
