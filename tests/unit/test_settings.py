import multiprocessing
import os
import stat
from pathlib import Path

import pytest

from data_access.settings import Settings


def test_defaults_live_in_the_data_dir(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith("PILOTE_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PILOTE_DATA_DIR", str(tmp_path))
    s = Settings.from_env()
    assert s.data_dir == tmp_path and s.cache_dir == tmp_path / "cache"
    assert s.database_url == f"sqlite:///{tmp_path / 'pilote.db'}"
    assert s.catalog_path.name == "catalog.toml" and s.portal_url is None and s.api_key is None


def test_every_setting_is_read_from_its_variable(monkeypatch, tmp_path):
    env = {"DATA_DIR": tmp_path / "d", "CACHE_DIR": tmp_path / "c", "CATALOG": tmp_path / "cat.toml",
           "PORTAL_URL": "https://data.issy.com", "API_KEY": "k3y", "DATABASE_URL": "postgresql://x/y",
           "SECRET_KEY": "s3cret", "TERRITORY": "Issy", "PORTAL_TIMEOUT": "7.5"}
    for key, value in env.items():
        monkeypatch.setenv(f"PILOTE_{key}", str(value))
    s = Settings.from_env()
    assert (s.data_dir, s.cache_dir, s.catalog_path) == (tmp_path / "d", tmp_path / "c", tmp_path / "cat.toml")
    assert (s.portal_url, s.api_key, s.database_url, s.secret_key, s.territory_name, s.portal_timeout) == (
        "https://data.issy.com", "k3y", "postgresql://x/y", "s3cret", "Issy", 7.5)
    assert "k3y" not in repr(s) and "s3cret" not in repr(s)  # secrets stay out of logs
    assert s.resolve_secret_key() == "s3cret"


def test_secret_key_is_generated_once_private_and_stable(monkeypatch, tmp_path):
    monkeypatch.delenv("PILOTE_SECRET_KEY", raising=False)
    monkeypatch.setenv("PILOTE_DATA_DIR", str(tmp_path))
    first = Settings.from_env().resolve_secret_key()
    assert len(first) >= 48
    path = tmp_path / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Settings.from_env().resolve_secret_key() == first  # the next start reuses it
    other = tmp_path / "other"
    monkeypatch.setenv("PILOTE_DATA_DIR", str(other))
    assert Settings.from_env().resolve_secret_key() != first  # no shared default between installations


def _key_of(data_dir: str) -> str:
    return Settings.from_env().__class__(
        data_dir=Path(data_dir), cache_dir=Path(data_dir), catalog_path=Path(data_dir), portal_url=None,
        api_key=None, database_url="", secret_key=None, territory_name=None).resolve_secret_key()


def test_workers_starting_together_share_one_complete_key(tmp_path):
    """gunicorn's workers generate the key at the same instant: each must read the whole key that won, never
    a created but still empty file (one worker then answered /login with 500: no session without a key).
    The earlier code failed about one round in five here."""
    rounds, workers = 150, 4
    failures = []
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for r in range(rounds):
            keys = pool.map(_key_of, [str(tmp_path / str(r))] * workers, chunksize=1)
            if len(set(keys)) != 1 or len(keys[0]) < 48:
                failures.append(keys)
    assert not failures, f"{len(failures)} of {rounds} rounds: {failures[:2]}"
    assert not list(tmp_path.glob("*/.secret_key-*"))  # no temporary file left behind


def test_an_empty_key_file_stops_the_start_with_a_clear_message(tmp_path):
    (tmp_path / "secret_key").write_text("\n")
    with pytest.raises(RuntimeError, match="secret_key is empty: delete it"):
        _key_of(str(tmp_path))
