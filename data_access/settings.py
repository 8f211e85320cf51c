"""Runtime settings, read from environment variables prefixed ``PILOTE_``.

Every path defaults to a folder inside the checkout (``var/``) so that a fresh clone runs with no
configuration; production sets them explicitly (see the README table).
"""

from __future__ import annotations

import os
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLED_DATA_DIR = ROOT / "data"
DEFAULT_CATALOG = BUNDLED_DATA_DIR / "catalog.toml"


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(f"PILOTE_{name}")
    return value if value not in (None, "") else default


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    cache_dir: Path
    catalog_path: Path
    portal_url: str | None
    api_key: str | None = field(repr=False)
    database_url: str
    secret_key: str | None = field(repr=False)
    territory_name: str | None
    portal_timeout: float = 30.0
    session_hours: float = 8.0  # a signed-in session ends this long after sign-in
    behind_proxy: bool = False  # trust one reverse proxy's X-Forwarded-For/Proto (client address, HTTPS)
    portal_retries: int = 4  # retries after the first attempt, on 429, 5xx, timeouts and dropped connections
    portal_backoff: float = 0.5  # first wait between retries in seconds, doubled each time (unless Retry-After)
    health_token: str | None = field(default=None, repr=False)  # monitoring: the whole /healthz with a Bearer token
    redis_url: str | None = field(default=None, repr=False)  # shared query cache and sign-in limiter (several hosts)
    login_rate: str = "60 per minute"  # sign-in posts from one address, whatever the account (flask-limiter syntax)

    @classmethod
    def from_env(cls) -> "Settings":
        data_dir = Path(_env("DATA_DIR", str(ROOT / "var"))).resolve()
        return cls(
            data_dir=data_dir,
            cache_dir=Path(_env("CACHE_DIR", str(data_dir / "cache"))).resolve(),
            catalog_path=Path(_env("CATALOG", str(DEFAULT_CATALOG))).resolve(),
            portal_url=_env("PORTAL_URL"),
            api_key=_env("API_KEY"),
            database_url=_env("DATABASE_URL", f"sqlite:///{data_dir / 'pilote.db'}"),
            secret_key=_env("SECRET_KEY"),
            territory_name=_env("TERRITORY"),
            portal_timeout=float(_env("PORTAL_TIMEOUT", "30")),
            session_hours=float(_env("SESSION_HOURS", "8")),
            behind_proxy=_env("BEHIND_PROXY", "0") in ("1", "true", "yes"),
            portal_retries=int(_env("PORTAL_RETRIES", "4")),
            portal_backoff=float(_env("PORTAL_BACKOFF", "0.5")),
            health_token=_env("HEALTH_TOKEN"),
            redis_url=_env("REDIS_URL"),
            login_rate=_env("LOGIN_RATE", "60 per minute"),
        )

    @property
    def snapshot_dir(self) -> Path:
        return self.data_dir / "snapshots"

    def resolve_secret_key(self) -> str:
        """The configured key, else the one generated on first run and kept in the data directory.

        There is deliberately no built-in default: a shared default would let anyone forge sessions.
        """
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            # Written whole under a private name, then linked into place: os.link fails if another worker
            # has placed its key first, and no worker can ever read a created but still empty file (two
            # gunicorn workers starting together did, and signed sessions with an empty key).
            fd, temp = tempfile.mkstemp(dir=self.data_dir, prefix=".secret_key-")
            try:
                with os.fdopen(fd, "w", encoding="ascii") as handle:
                    handle.write(secrets.token_urlsafe(48))
                    handle.flush()
                    os.fsync(handle.fileno())
                os.link(temp, path)
            except FileExistsError:
                pass  # another worker's key is in place: everyone uses that one
            finally:
                os.unlink(temp)
        key = path.read_text(encoding="ascii").strip()
        if not key:
            raise RuntimeError(f"{path} is empty: delete it so that a new key is generated (signed-in users "
                               "will have to sign in again), or set PILOTE_SECRET_KEY")
        return key
