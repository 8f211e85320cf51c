"""The input gate: what a callback request must look like before Dash (or the guard's decision) reads it.

Dash trusts its renderer: a body it did not write (a probe, a fuzzer, a broken proxy) reaches Dash's dispatcher
and the callbacks, which fail with a 500 and a traceback. Every check here is a pure function of the raw body
or of the parsed JSON and the callback's declared shape; a failure is a short French reason, answered 400.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate

MAX_BODY = 512 * 1024  # bytes of one callback request: the largest real one (a page's stores) is ~40 KiB
UPLOAD_BODY = 12 * 1024 * 1024  # a callback reading a dcc.Upload's contents (photos in base64), once authorised
_OUTPUT_RE = re.compile(rb'^\s*\{\s*"output"\s*:\s*"((?:[^"\\]|\\.){1,2000})"')
MAX_DEPTH = 32  # nesting of arrays and objects; Dash's own requests stay under 10
# Properties that hold text wherever they appear (dcc.Location): callbacks parse them as strings.
TEXT_PROPERTIES = frozenset({"pathname", "search", "hash", "href"})


class Refused(ValueError):
    """The request is not one Dash's renderer would send; the message says why, in French."""


# A JSON string, escapes included (an unterminated one: to the end); the "unrolled loop" form, fast in re.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


_STEP = [1 if b in b"[{" else -1 if b in b"]}" else 0 for b in range(256)]


def json_depth(raw: bytes) -> int:
    """The deepest nesting of arrays and objects in a JSON text, found without parsing it (parsing a
    5,000-deep body is what blows Python's recursion limit). Every callback request pays this, so it runs at
    C speed: strings are dropped (by splitting on quotes when no quote is escaped, else by a regular
    expression), the brackets kept, and their running sum's maximum taken."""
    outside = _STRING.sub(b"", raw) if b'\\"' in raw else b"".join(raw.split(b'"')[::2])
    return max(0, max(accumulate(map(_STEP.__getitem__, outside.translate(None, _NOT_BRACKETS))), default=0))


def peek_output(raw: bytes) -> str | None:
    """The output key of a callback body, read from its first bytes without parsing the rest (Dash's renderer
    writes ``output`` first): a large body is authorised before it is parsed."""
    match = _OUTPUT_RE.match(raw[:4096])
    if not match:
        return None
    try:
        return json.loads(b'"' + match.group(1) + b'"')
    except ValueError:
        return None


def parse_body(raw: bytes, limit: int = MAX_BODY) -> dict:
    """The callback request as a dict, or Refused (too large, too deep, not JSON, not an object)."""
    if len(raw) > limit:
        raise Refused("requête trop volumineuse")
    if json_depth(raw) > MAX_DEPTH:
        raise Refused("requête trop imbriquée")
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        raise Refused("requête JSON illisible") from None
    if not isinstance(body, dict) or not isinstance(body.get("output"), str):
        raise Refused("requête de callback invalide")
    return body


def output_key(outputs) -> str | None:
    """The ``output`` string Dash derives from ``outputs`` (None when an id is a pattern: not derivable)."""
    items = outputs if isinstance(outputs, list) else [outputs]
    flat = [x for o in items for x in (o if isinstance(o, list) else [o])]  # ALL patterns: lists of components
    if not items or not all(isinstance(o, dict) and isinstance(o.get("property"), str) for o in flat):
        raise Refused("sorties du callback invalides")
    if len(flat) != len(items):
        return None
    if any(not isinstance(o.get("id"), str) for o in items):
        if all(isinstance(o.get("id"), (str, dict)) for o in items):
            return None
        raise Refused("sorties du callback invalides")
    keys = [f"{o['id']}.{o['property']}" for o in items]
    return keys[0] if not isinstance(outputs, list) else ".." + "...".join(keys) + ".."


def check_shape(body: dict) -> None:
    """``outputs`` agrees with ``output`` (Dash reads one before the callback and the other after it),
    ``changedPropIds`` is a list of texts, and text properties hold text."""
    if "outputs" not in body:  # Dash's renderer always sends both; Dash needs both
        raise Refused("sorties du callback absentes")
    if "{" not in body["output"] and _has_list(body["outputs"]):  # no pattern id: no list of components
        raise Refused("sorties du callback invalides")
    derived = output_key(body["outputs"])
    if derived is not None and derived != body["output"]:
        raise Refused("sorties du callback incohérentes")
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        raise Refused("changedPropIds invalide")
    for part in ("inputs", "state"):
        for item in _flat(body.get(part, [])):
            if not isinstance(item, dict):
                continue
            if item.get("property") in TEXT_PROPERTIES and not isinstance(item.get("value"), (str, type(None))):
                raise Refused(f"la propriété {item['property']} doit être un texte")
            if item.get("property") == "id" and "value" in item and item["value"] != item.get("id"):
                raise Refused("la propriété id d'un composant est son identifiant")


def _has_list(outputs) -> bool:
    return isinstance(outputs, list) and any(isinstance(o, list) for o in outputs)


def _flat(items):
    for item in items if isinstance(items, list) else []:
        if isinstance(item, list):  # pattern-matching inputs: a list of components
            yield from item
        else:
            yield item


def router_pathname(value) -> str | None:
    """The pathname of a router request if it is one a browser sends (absolute path on this site), else None."""
    if not isinstance(value, str) or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    return value
