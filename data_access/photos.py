"""Photos attached to field reports: checked from their bytes (Pillow), re-encoded without EXIF, stored by
the hash of the cleaned file under the data directory, with a thumbnail.

The GPS position a phone writes in EXIF is read before it is stripped, and returned apart: the form keeps it
as the report's location only if the agent agrees. Nothing else of the original file survives.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 8 * 1024 * 1024  # a phone's photo is 2-5 MB
MAX_PIXELS = 40_000_000  # decompression bombs: refused before decoding
LONG_SIDE = 2048  # stored photos are scaled down to this (enough to see a crack), thumbnails to 320
THUMB_SIDE = 320
FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}  # MPO: what some phones' cameras write (JPEG with a depth map)
_HASH_RE = re.compile(r"^[0-9a-f]{64}$")


class PhotoRefused(ValueError):
    """A file that is not a photo Pilote keeps (French message)."""


@dataclass(frozen=True)
class Photo:
    sha256: str
    jpeg: bytes
    thumbnail: bytes
    width: int
    height: int
    gps: tuple[float, float] | None  # (lat, lon) read from EXIF before stripping, or None


def _gps(image: Image.Image) -> tuple[float, float] | None:
    try:
        info = image.getexif().get_ifd(0x8825)  # GPSInfo
        if not info or 2 not in info or 4 not in info:
            return None

        def degrees(values, ref) -> float:
            d, m, s = (float(v) for v in values)
            value = d + m / 60 + s / 3600
            return -value if ref in ("S", "W") else value

        return round(degrees(info[2], info.get(1, "N")), 6), round(degrees(info[4], info.get(3, "E")), 6)
    except Exception:  # noqa: BLE001 - a malformed EXIF block only loses the position
        return None


def _jpeg(image: Image.Image, side: int, quality: int) -> bytes:
    copy = image.copy()
    copy.thumbnail((side, side))
    out = io.BytesIO()
    copy.save(out, "JPEG", quality=quality, optimize=True)  # no exif= argument: nothing of it is written
    return out.getvalue()


def accept(data: bytes) -> Photo:
    """The cleaned photo, or PhotoRefused saying why (size, type read from the bytes, broken file)."""
    if len(data) > MAX_BYTES:
        raise PhotoRefused(f"photo trop lourde : {len(data) / 1_048_576:.1f} Mo, {MAX_BYTES // 1_048_576} Mo au plus")
    if not data:
        raise PhotoRefused("fichier vide")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            if kind not in FORMATS:
                raise PhotoRefused(f"ce fichier n'est pas une photo (JPEG, PNG ou WebP) : {kind or 'format inconnu'}")
            if probe.width * probe.height > MAX_PIXELS:
                raise PhotoRefused("image trop grande")
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            gps = _gps(image)
            image = ImageOps.exif_transpose(image).convert("RGB")  # upright as taken, then EXIF is dropped
    except PhotoRefused:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise PhotoRefused("ce fichier n'est pas une photo lisible (JPEG, PNG ou WebP)") from None
    jpeg = _jpeg(image, LONG_SIDE, 85)
    with Image.open(io.BytesIO(jpeg)) as stored:
        width, height = stored.size
    return Photo(hashlib.sha256(jpeg).hexdigest(), jpeg, _jpeg(image, THUMB_SIDE, 75), width, height, gps)


class PhotoStore:
    """``<data_dir>/photos/ab/abcdef….jpg`` and ``….thumb.jpg``; written once (same bytes, same name)."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)

    def path(self, sha256: str, thumbnail: bool = False) -> Path:
        if not _HASH_RE.match(sha256 or ""):
            raise FileNotFoundError(sha256)
        return self.directory / sha256[:2] / f"{sha256}{'.thumb' if thumbnail else ''}.jpg"

    def save(self, photo: Photo) -> None:
        for thumbnail, data in ((False, photo.jpeg), (True, photo.thumbnail)):
            target = self.path(photo.sha256, thumbnail)
            if target.exists():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(f".{os.getpid()}-{secrets.token_hex(6)}.tmp")  # unique per writer, threads too
            tmp.write_bytes(data)
            os.replace(tmp, target)  # readers never see half a file

    def read(self, sha256: str, thumbnail: bool = False) -> bytes:
        return self.path(sha256, thumbnail).read_bytes()
