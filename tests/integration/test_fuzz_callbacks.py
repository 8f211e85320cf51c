"""Every callback of the running app, driven over real HTTP with generated payloads: never a 5xx.

Hypothesis builds bodies around each callback's declared shape (from /_dash-dependencies): any JSON value
in any input or state, ids and properties swapped, keys dropped, outputs that disagree with ``output``, odd
``changedPropIds``, text properties holding numbers or objects. The caller is an administrator, so the
bodies reach the callbacks themselves rather than stopping at 401/403. Plus the probe cases of issue 11 as
named regressions.
"""

from __future__ import annotations

import json
import math

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.running_app import Account, RunningApp

TOTAL_PAYLOADS = 2000
ADMIN = Account("fuzz-admin@example.org", "Fuzz", admin=True)
URLS = ["/", "/mobilite", "/climat?axe=2", "/finances?annee=2019", "/stationnement", "/admin", "/404",
        "admin", " /admin", "\\admin", "http://evil.example/admin", "//evil", "?commune=92040", "?commune=x"]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    running = RunningApp.start(tmp_path_factory.mktemp("fuzz"))
    try:
        running.create_accounts([ADMIN])
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def client(app):
    with app.client() as c:
        assert app.login(c, ADMIN.email).status_code in (302, 303)
        yield c


@pytest.fixture(scope="module")
def callbacks(client):
    """The server callbacks (clientside ones never reach the server)."""
    return [d for d in client.get("/_dash-dependencies").json() if not d.get("clientside_function")]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**9, 10**9) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30) | st.sampled_from(URLS),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=10)


def _output_items(output: str) -> list[dict]:
    """The outputs list Dash's renderer sends for an output key (pattern ids become a concrete example)."""
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    items = []
    for part in parts:
        cid, _, prop = part.rpartition(".")
        try:
            cid = json.loads(cid)
            cid = {k: (v if not isinstance(v, list) else "x") for k, v in cid.items()}
        except ValueError:
            pass
        items.append({"id": cid, "property": prop})
    return items


def _items(declared: list[dict], values: list) -> list:
    out = []
    for spec, value in zip(declared, values):
        cid = spec["id"]
        if isinstance(cid, str) and cid.startswith("{"):
            concrete = {k: (v if not isinstance(v, list) else "x") for k, v in json.loads(cid).items()}
            out.append([{"id": concrete, "property": spec["property"], "value": value}])
        else:
            out.append({"id": cid, "property": spec["property"], "value": value})
    return out


@st.composite
def payloads(draw, callback: dict):
    inputs = callback["inputs"]
    state = callback.get("state", [])
    body = {
        "output": callback["output"],
        "outputs": (_output_items(callback["output"]) if callback["output"].startswith("..")
                    else _output_items(callback["output"])[0]),
        "inputs": _items(inputs, draw(st.lists(json_values, min_size=len(inputs), max_size=len(inputs)))),
        "state": _items(state, draw(st.lists(json_values, min_size=len(state), max_size=len(state)))),
        "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"] if inputs else [],
    }
    mutation = draw(st.sampled_from(["none", "none", "none", "drop", "replace", "outputs", "changed", "extra"]))
    if mutation == "drop":
        body.pop(draw(st.sampled_from(sorted(body))))
    elif mutation == "replace":
        body[draw(st.sampled_from(sorted(body)))] = draw(json_values)
    elif mutation == "outputs":
        body["outputs"] = draw(json_values)
    elif mutation == "changed":
        body["changedPropIds"] = draw(st.lists(json_values, max_size=3))
    elif mutation == "extra" and body["inputs"]:
        body["inputs"] = body["inputs"] + [draw(json_values)]
    return body


def test_every_callback_survives_generated_payloads(app, client, callbacks, record_property):
    per_callback = math.ceil(TOTAL_PAYLOADS / len(callbacks))
    sent, errors, statuses = 0, [], {}
    for callback in callbacks:
        @settings(max_examples=per_callback, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(payloads(callback))
        def run(body):
            nonlocal sent
            sent += 1
            response = client.post("/_dash-update-component", json=body)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if response.status_code >= 500:
                errors.append((callback["output"], response.status_code, json.dumps(body)[:300]))

        run()
    record_property("fuzz_callback_payloads", sent)
    record_property("fuzz_callback_5xx", len(errors))
    record_property("fuzz_callback_statuses", dict(sorted(statuses.items())))
    assert statuses.get(200, 0) + statuses.get(204, 0) >= TOTAL_PAYLOADS // 10  # many reach the callbacks
    assert sent >= TOTAL_PAYLOADS
    log = app.log_tail(200_000)
    traceback = log[log.find("Traceback"):][:3000] if "Traceback" in log else ""
    assert not errors, "\n".join(f"{o}: {s} for {b}" for o, s, b in errors[:5]) + "\n" + traceback


# -- the probe cases, by name ------------------------------------------------------------------------------------
def _router(pathname, search=""):
    return {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": pathname},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "state": [{"id": "pilote-shown", "property": "data", "value": None}],
            "changedPropIds": ["_pages_location.pathname"]}


@pytest.mark.parametrize("name, body, status", [
    ("relative pathname", _router("admin"), 400),
    ("pathname with a space", _router(" /admin"), 400),
    ("backslash pathname", _router("\\admin"), 400),
    ("absolute URL", _router("http://evil.example/admin"), 400),
    ("protocol-relative", _router("//evil.example/admin"), 400),
    ("number as search", _router("/mobilite", 5), 400),
    ("object as search", _router("/mobilite", {"a": 1}), 400),
    ("object in changedPropIds", dict(_router("/"), changedPropIds=[{}]), 400),
    ("outputs disagree with output", dict(_router("/"), outputs={"id": "admin-message", "property": "children"}), 400),
    ("a real router request", _router("/mobilite", "?commune=92040"), 200),
])
def test_probe_cases(client, name, body, status):
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == status, (name, response.text[:200])
    if status == 400:
        assert set(response.json()) == {"error"}


def test_deep_large_and_unknown_requests(client, app):
    deep = '{"output": "x", "inputs": ' + "[" * 5000 + "]" * 5000 + "}"
    response = client.post("/_dash-update-component", content=deep, headers={"content-type": "application/json"})
    assert response.status_code == 400 and response.json() == {"error": "requête trop imbriquée"}
    big = b'{"output": "' + b"a" * (20 * 1024 * 1024) + b'"}'
    assert client.post("/_dash-update-component", content=big,
                       headers={"content-type": "application/json"}).status_code == 413
    assert client.get("/_dash-component-suites/dash/nothing-here.js").status_code == 404
    assert "Traceback" not in app.log_tail()


def test_a_number_in_the_admin_group_field_is_a_message(client, callbacks):
    act = next(c for c in callbacks if "admin-message.children" in c["output"])
    values = {("add-member", "n_clicks"): 1, ("edit-email", "value"): ADMIN.email, ("edit-group", "value"): 42}
    body = {"output": act["output"], "outputs": _output_items(act["output"]),
            "inputs": [{"id": i["id"], "property": i["property"], "value": values.get((i["id"], i["property"]))}
                       for i in act["inputs"]],
            "state": [{"id": i["id"], "property": i["property"], "value": values.get((i["id"], i["property"]))}
                      for i in act["state"]],
            "changedPropIds": ["add-member.n_clicks"]}
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.text[:300]
    assert "Impossible" in response.text
