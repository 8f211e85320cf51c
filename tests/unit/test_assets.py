"""Nothing in assets/ may load from the internet: the app must work offline (no CDN)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ASSETS = Path(__file__).resolve().parents[2] / "assets"

# Files that are text and that the browser interprets (and could make it fetch something).
SCANNED = {".css", ".js", ".mjs", ".svg", ".html", ".json", ".map"}
URL = re.compile(r"(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}[^\s'\")]*", re.IGNORECASE)
BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
XML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
# XML namespace names are identifiers, never fetched (e.g. inside data:image/svg+xml URIs).
NAMESPACES = ("http://www.w3.org/",)


def _asset_files() -> list[Path]:
    return sorted(p for p in ASSETS.rglob("*") if p.is_file() and p.suffix.lower() in SCANNED)


def _strip_js_line_comments(text: str) -> str:
    # Only whole-line // comments: a naive strip would also eat "https://" inside strings.
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))


def external_urls(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    suffix = path.suffix.lower()
    if suffix in {".css", ".js", ".mjs"}:
        text = BLOCK_COMMENT.sub("", text)
    if suffix in {".js", ".mjs"}:
        text = _strip_js_line_comments(text)
    if suffix in {".svg", ".html"}:
        text = XML_COMMENT.sub("", text)
    found = []
    for match in URL.finditer(text):
        url = match.group(0)
        if not re.match(r"(?i)https?:|//", url):
            continue
        if url.lower().startswith(NAMESPACES):
            continue
        # "//" in regular JS code (e.g. a division or a regex) never looks like //host.tld
        found.append(url)
    return found


def test_assets_folder_has_the_expected_files():
    names = {p.relative_to(ASSETS).as_posix() for p in ASSETS.rglob("*") if p.is_file()}
    for expected in (
        "bootstrap.min.css",
        "pilote.css",
        "plotly-locale-fr.js",
        "favicon.ico",
        "logo.svg",
        "icons/lock.svg",
        "LICENCES-TIERS.txt",
    ):
        assert expected in names


@pytest.mark.parametrize("path", _asset_files(), ids=lambda p: p.relative_to(ASSETS).as_posix())
def test_no_external_url(path):
    assert external_urls(path) == [], f"{path.name} references the internet"


@pytest.mark.parametrize("path", _asset_files(), ids=lambda p: p.relative_to(ASSETS).as_posix())
def test_no_source_map_or_remote_import(path):
    text = path.read_text(encoding="utf-8")
    assert "sourceMappingURL" not in text  # the browser would request a .map that is not shipped
    assert not re.search(r"@import\s+(url\()?['\"]?(https?:)?//", text, re.IGNORECASE)


def test_scanner_catches_urls(tmp_path):
    css = tmp_path / "bad.css"
    css.write_text("/* https://ok.example/licence */ @import url('https://cdn.example.com/x.css');")
    assert external_urls(css) == ["https://cdn.example.com/x.css"]
    js = tmp_path / "bad.js"
    js.write_text("// see https://ok.example\nvar s = '//cdn.example.com/lib.js';\n")
    assert external_urls(js) == ["//cdn.example.com/lib.js"]
    svg = tmp_path / "ok.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg"><!-- https://x.example --></svg>')
    assert external_urls(svg) == []


def test_bootstrap_keeps_its_licence_header():
    head = (ASSETS / "bootstrap.min.css").read_text(encoding="utf-8")[:400]
    assert "Bootstrap  v5.3.8" in head and "Licensed under MIT" in head


def test_locale_script_keeps_mit_licence_and_registers():
    text = (ASSETS / "plotly-locale-fr.js").read_text(encoding="utf-8")
    assert "MIT License" in text and "Plotly Technologies" in text
    assert "module.exports" not in text
    assert "PlotlyLocales" in text and ".register(" in text


def test_third_party_licences_listed():
    text = (ASSETS / "LICENCES-TIERS.txt").read_text(encoding="utf-8")
    for name in ("bootstrap.min.css", "5.3.8", "plotly-locale-fr.js", "plotly.js-locales@3.7.0", "MIT"):
        assert name in text


def test_favicon_is_an_ico():
    data = (ASSETS / "favicon.ico").read_bytes()
    assert data[:4] == b"\x00\x00\x01\x00"  # ICO header, type 1 (icon)
    assert int.from_bytes(data[4:6], "little") >= 2  # 16x16 and 32x32


@pytest.mark.parametrize("name", ["logo.svg", "icons/lock.svg"])
def test_svg_accessible(name):
    text = (ASSETS / name).read_text(encoding="utf-8")
    assert 'role="img"' in text and "<title" in text
