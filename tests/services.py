"""Real PostgreSQL and Redis servers for the run: started on free loopback ports in throw-away directories the
first time a test asks for them, stopped when the run ends.

`make test` installs Debian's ``postgresql`` and ``redis-server`` when they are missing. Run without them
(plain ``pytest``), the tests that need them fail and say how to install them: they are never skipped.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

READY_DEADLINE = 60.0  # seconds; generous, the machine may be loaded
_INSTALL = "run `make test` once (it installs Debian's postgresql and redis-server), or apt-get install them"


class ServiceMissing(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_process(proc: subprocess.Popen) -> None:
    """Terminate, then kill if it does not end within 10 s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _as_postgres(argv: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run its programs as Debian's ``postgres`` user."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if not found:
        raise ServiceMissing(f"PostgreSQL server not installed: {_INSTALL}")
    return Path(found[-1]).parent


@dataclass
class Postgres:
    root: Path
    port: int
    proc_dir: Path
    _names: count = field(default_factory=lambda: count(1))

    @classmethod
    def start(cls) -> "Postgres":
        bindir = postgres_bin()
        root = Path(tempfile.mkdtemp(prefix="pilote-pg-"))
        data = root / "data"
        if os.geteuid() == 0:
            shutil.chown(root, "postgres", "postgres")
        root.chmod(0o755)
        port = free_port()
        run = lambda *argv: subprocess.run(_as_postgres([str(a) for a in argv]), check=True, capture_output=True,  # noqa: E731
                                           text=True, timeout=READY_DEADLINE, cwd=root)
        run(bindir / "initdb", "-D", data, "-U", "pilote", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync")
        options = (f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
                   " -c full_page_writes=off -c max_connections=200")
        run(bindir / "pg_ctl", "-D", data, "-o", options, "-l", root / "server.log", "-w",
            "-t", str(int(READY_DEADLINE)), "start")
        return cls(root, port, bindir)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://pilote@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database (one per test), and its SQLAlchemy URL."""
        import psycopg

        name = f"pilote_{os.getpid()}_{next(self._names)}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=pilote dbname=postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        subprocess.run(_as_postgres([str(self.proc_dir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate",
                                     "stop"]), capture_output=True, timeout=READY_DEADLINE)
        shutil.rmtree(self.root, ignore_errors=True)


@dataclass
class Redis:
    port: int
    proc: subprocess.Popen
    root: Path
    _dbs: count = field(default_factory=lambda: count(1))

    @classmethod
    def start(cls) -> "Redis":
        server = shutil.which("redis-server")
        if not server:
            raise ServiceMissing(f"redis-server not installed: {_INSTALL}")
        root = Path(tempfile.mkdtemp(prefix="pilote-redis-"))
        port = free_port()
        proc = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                                 "no", "--dir", str(root), "--databases", "64"],
                                stdout=(root / "server.log").open("w"), stderr=subprocess.STDOUT)
        redis = cls(port, proc, root)
        deadline = time.monotonic() + READY_DEADLINE
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return redis
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                redis.stop()
                raise RuntimeError(f"redis-server did not start:\n{(root / 'server.log').read_text()[-2000:]}")
            time.sleep(0.05)

    def url(self) -> str:
        """A Redis database of its own (numbered 1-63; 0 is left alone) for one test or one app."""
        return f"redis://127.0.0.1:{self.port}/{next(self._dbs) % 63 + 1}"

    def stop(self) -> None:
        stop_process(self.proc)
        shutil.rmtree(self.root, ignore_errors=True)
