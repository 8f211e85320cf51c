"""Helpers to fill a report form over real HTTP as the browser does: render the form page, set the fields'
values in the component tree, click "Enregistrer" (the callback's body is built from the tree)."""

from __future__ import annotations

import base64
import io
from contextlib import contextmanager

from PIL import Image

from tests.integration.running_app import HttpDashClient


def jpeg(width: int = 800, height: int = 600, gps: tuple | None = (48.8225, 2.2678), maker: str = "PhoneMaker") -> bytes:
    """A camera-like JPEG: EXIF with the maker and, when given, a GPS position (what phones write)."""
    image = Image.new("RGB", (width, height), (180, 90, 40))
    exif = image.getexif()
    exif[0x010F] = maker
    if gps:
        def dms(value):
            d = int(value)
            m = int((value - d) * 60)
            return (float(d), float(m), round(((value - d) * 60 - m) * 60, 3))

        exif.get_ifd(0x8825).update({1: "N", 2: dms(gps[0]), 3: "E", 4: dms(gps[1])})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


@contextmanager
def signed_in(app, email: str):
    """An HTTP client of ``app`` signed in as ``email`` (an account made by ``app.create_accounts``)."""
    with app.client() as client:
        app.login(client, email)
        yield client


def data_url(blob: bytes, mime: str = "image/jpeg") -> str:
    return f"data:{mime};base64,{base64.b64encode(blob).decode()}"


class FormClient:
    """One agent's phone on one form page."""

    def __init__(self, client, form: str, path: str):
        self.http, self.dash = client, HttpDashClient(client)
        self.form, self.path = form, path
        self.comps = self.dash.render(path)
        assert f"{form}-envoyer" in self.comps.by_id, f"no form {form} on {path}"
        self.callback = self.dash.callback_for(f"{form}-message", "children")

    def token(self) -> str:
        return self.comps.by_id[f"{self.form}-jeton"]["props"]["data"]

    def body(self, values: dict, photos: list[bytes] = (), names: list[str] | None = None, gps: bool = False,
             token: str | None = None, editing=None) -> dict:
        """The request "Enregistrer" posts with these values (``token``: another form's, as after a record;
        ``editing``: the report being corrected, as after "Corriger")."""
        comps = self.comps.copy()
        if token is not None:
            comps.by_id[f"{self.form}-jeton"]["props"]["data"] = token
        if editing is not None:
            comps.by_id[f"{self.form}-edition"]["props"]["data"] = editing
        for name, value in values.items():
            comps.by_id[f"{self.form}-{name}"]["props"]["value"] = value
        if photos:
            upload = comps.by_id[f"{self.form}-photos"]["props"]
            upload["contents"] = [data_url(p) for p in photos]
            upload["filename"] = names or [f"photo{i}.jpg" for i in range(len(photos))]
        if f"{self.form}-gps" in comps.by_id:  # forms with photos only
            comps.by_id[f"{self.form}-gps"]["props"]["value"] = ["oui"] if gps else []
        body = self.dash.trigger_body(self.callback, comps)
        assert body is not None
        return body

    def post(self, body: dict):
        return self.http.post("/_dash-update-component", json=body)

    def submit(self, values: dict, **kwargs):
        return self.post(self.body(values, **kwargs))

    def _on(self, input_id: str, prop: str):
        for cb in self.dash.callbacks:
            if cb.inputs and cb.inputs[0].id == input_id and cb.inputs[0].clean_prop == prop:
                return cb
        raise AssertionError(f"no callback on {input_id}.{prop}")

    def _choose(self, report_id) -> "object":
        comps = self.comps.copy()
        comps.by_id[f"{self.form}-saisies"]["props"]["value"] = str(report_id)
        return comps

    def load(self, report_id):
        """« Corriger » with report ``report_id`` chosen in the list (whatever the list offered)."""
        body = self.dash.trigger_body(self._on(f"{self.form}-corriger", "n_clicks"), self._choose(report_id))
        return self.post(body)

    def cancel(self):
        """« Annuler la correction »."""
        return self.post(self.dash.trigger_body(self._on(f"{self.form}-annuler", "n_clicks"), self.comps))

    def delete(self, report_id):
        """« Supprimer », confirmed, with report ``report_id`` chosen."""
        comps = self._choose(report_id)
        comps.by_id[f"{self.form}-supprimer"]["props"]["submit_n_clicks"] = 1
        body = self.dash.trigger_body(self._on(f"{self.form}-supprimer", "submit_n_clicks"), comps)
        return self.post(body)

    def recent(self) -> list[str]:
        """The reports offered for correction (their numbers), as the page shows them now."""
        comps = self.dash.render(self.path)
        return [o["value"] for o in comps.by_id[f"{self.form}-saisies"]["props"]["options"] if o["value"]]


def errors(response, form: str = "controle") -> dict[str, str]:
    """field -> message of a refused submission (from the callback's answer)."""
    data = response.json()["response"]
    return {key.removeprefix(f"{form}-").removesuffix("-erreur"): props["children"]
            for key, props in data.items() if key.endswith("-erreur") and props.get("children")}


def message_text(response, form: str = "controle") -> str:
    return str(response.json()["response"].get(f"{form}-message", {}).get("children"))


def answered(response, component: str, prop: str = "children"):
    """What a callback answer sets on ``component`` (None if it leaves it alone)."""
    return response.json()["response"].get(component, {}).get(prop)
