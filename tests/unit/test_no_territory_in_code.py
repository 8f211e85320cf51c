"""The territory is configuration: no commune, city, territory name or INSEE code is written in the code of
pages/, components/, data_access/ or auth/ (they come from the catalog). Checked against every catalog Pilote
ships or tests with, plus the spellings people use for the bundled territory."""

from __future__ import annotations

import re
from pathlib import Path

from data_access.catalog import load_catalog

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("pages", "components", "data_access", "auth")
CATALOGS = [ROOT / "data" / "catalog.toml", *sorted((ROOT / "tests" / "territories").glob("*/catalog.toml"))]
EXTRA = ["GPSO", "Issy", "Seine Ouest", "Seine-Ouest"]
QUOTED_CODE = re.compile(r"""["'`](\d{5}|2[AB]\d{3})[.0"'`]""")  # a quoted INSEE-like code: "92040", '2A004'
# Five-digit strings that are not places of a territory: an M57 account, and the export shapes that
# data_access.mapping's reading rule for codes documents and handles.
NOT_PLACES = {"16449", "01001", "2A004", "92044"}


def forbidden() -> tuple[set[str], set[str]]:
    names, codes = set(EXTRA), set()
    for path in CATALOGS:
        territory = load_catalog(path).territory
        names.add(territory.name)
        for commune in territory.communes:
            names.add(commune.name)
            codes.add(commune.code)
    return names, codes


def sources():
    for folder in FOLDERS:
        yield from sorted((ROOT / folder).rglob("*.py"))


def test_the_catalogs_name_places_to_look_for():
    names, codes = forbidden()
    assert len(CATALOGS) >= 3 and "Issy-les-Moulineaux" in names and "92040" in codes and "75115" in codes


def test_no_territory_is_written_in_the_code():
    names, codes = forbidden()
    found = []
    for path in sources():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            where = f"{path.relative_to(ROOT)}:{number}"
            found += [f"{where}: {name!r}" for name in names if name in line]
            found += [f"{where}: code {m.group(1)}" for m in QUOTED_CODE.finditer(line)
                      if m.group(1) not in NOT_PLACES]
            found += [f"{where}: code {code}" for code in codes if re.search(rf"\b{code}\b", line)]
    assert not found, "territory written in the code:\n" + "\n".join(sorted(set(found)))


def test_the_data_layer_points_one_way():
    """data_access imports nothing from components (presentation) or data.demo (generators)."""
    offending = []
    for path in sorted((ROOT / "data_access").rglob("*.py")):
        if path.name == "bundle.py":  # the maintainers' bundle builder runs the demo generators by design
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.match(r"\s*(from|import)\s+(components|data\.demo)\b", line):
                offending.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offending, "\n".join(offending)
