"""What the cached answers were computed by: a digest of Pilote's code, so that a new release never serves
what the previous one memoised or rendered (the query cache lives a week, in a directory or a Redis shared by
every worker and host). Identical code gives the same digest on every host, so they keep sharing entries."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("auth", "components", "data_access", "pages")


def code_files(root: Path = ROOT) -> list[Path]:
    files = [root / "app.py"] if (root / "app.py").exists() else []
    for package in PACKAGES:
        files += sorted((root / package).rglob("*.py"))
    return files


def digest(files: list[Path], root: Path = ROOT) -> str:
    h = hashlib.sha256()
    for path in files:
        h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:16]


@functools.cache
def code_version() -> str:
    """The digest of the running code, read once per process."""
    return digest(code_files())
