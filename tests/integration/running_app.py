"""The real app (`python app.py`) in a subprocess, with accounts made by the real CLI (`python -m auth`).

* ``RunningApp.start(tmp_dir, **env)`` starts the app on a free 127.0.0.1 port with its own
  ``PILOTE_DATA_DIR`` (and nothing else inherited from the caller's ``PILOTE_*`` variables), waits for
  ``/healthz`` within a bounded deadline and is always stopped by ``stop()`` (also a context manager).
* ``app.cli("create-user", ...)`` / ``app.create_accounts(...)`` run ``python -m auth`` with the same
  environment, so the CLI writes to the database the app reads.
* ``login(client, email, password)`` signs an ``httpx.Client`` in as a browser would: GET /login, read the
  CSRF token from the form, POST it back.
* ``HttpDashClient(client)`` is ``benchmarks.dash_client.DashClient`` speaking real HTTP through an
  ``httpx.Client`` (cookies included) instead of Flask's test client.
"""

from __future__ import annotations

import csv
import json
import os
import re
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from tests.services import stop_process
from benchmarks.dash_client import Callback, DashClient
from data_access.render_cache import HEADER

ROOT = Path(__file__).resolve().parents[2]
READY_DEADLINE = 30.0  # seconds for `python app.py` to answer /healthz
CLI_TIMEOUT = 60.0
PASSWORD = "correct-horse-battery-staple"  # >= 12 characters (auth.accounts.MIN_PASSWORD)

_CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def yesterday() -> str:
    return (date.today() - timedelta(days=1)).isoformat()


def in_days(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


def gunicorn_threads(port: int, workers: int = 2, threads: int = 4) -> list[str]:
    """gunicorn with threaded workers, as in production (``argv`` of ``RunningApp.start``)."""
    return [sys.executable, "-m", "gunicorn", "app:server", "--workers", str(workers), "--threads", str(threads),
            "--bind", f"127.0.0.1:{port}", "--timeout", "120",
            "--keep-alive", "75"]  # longer than any idle pause of the clients: no close-while-sending race


@dataclass(frozen=True)
class Account:
    email: str
    name: str
    groups: tuple[str, ...] = ()
    admin: bool = False
    expires: str | None = None
    password: str = PASSWORD  # used by create-user (admins); imported accounts get a generated one


class CliError(RuntimeError):
    pass


@dataclass
class RunningApp:
    base_url: str
    data_dir: Path
    env: dict[str, str]
    proc: subprocess.Popen
    log_path: Path
    _log: Any = field(repr=False, default=None)
    passwords: dict[str, str] = field(default_factory=dict)  # email -> password of the accounts made here

    # -- life cycle ------------------------------------------------------------------------------------
    @classmethod
    def start(cls, tmp_dir: Path, argv=None, **extra_env: str) -> "RunningApp":
        """``argv(port)``: the server's command line (default ``python app.py``; e.g. gunicorn)."""
        tmp_dir = Path(tmp_dir)
        tmp_dir.mkdir(parents=True, exist_ok=True)
        data_dir = tmp_dir / "data"
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("PILOTE_")}
        env.update(PORT=str(port), HOST="127.0.0.1", PILOTE_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1")
        env.update(extra_env)
        log_path = tmp_dir / "app.log"
        log = log_path.open("w+")
        command = argv(port) if argv else [sys.executable, "app.py"]
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        app = cls(f"http://127.0.0.1:{port}", data_dir, env, proc, log_path, log)
        try:
            app._wait_ready()
        except BaseException:
            app.stop()
            raise
        return app

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_DEADLINE
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"app.py exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"app.py not ready within {READY_DEADLINE} s:\n{self.log_tail()}")
            time.sleep(0.05)

    def stop(self) -> None:
        stop_process(self.proc)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> "RunningApp":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    # -- HTTP ------------------------------------------------------------------------------------------
    def client(self, **kwargs) -> httpx.Client:
        """A cookie-keeping client that does not follow redirects (tests look at them)."""
        kwargs.setdefault("timeout", 30.0)
        return httpx.Client(base_url=self.base_url, follow_redirects=False, **kwargs)

    # -- the CLI ---------------------------------------------------------------------------------------
    def cli(self, *args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
        """`python -m auth ARGS` against this app's database (same environment)."""
        result = subprocess.run([sys.executable, "-m", "auth", *args], cwd=ROOT, env=self.env, input=stdin or "",
                                capture_output=True, text=True, timeout=CLI_TIMEOUT)
        if check and result.returncode != 0:
            raise CliError(f"python -m auth {' '.join(args)} -> {result.returncode}\n{result.stdout}\n{result.stderr}")
        return result

    def create_user_args(self, account: Account) -> list[str]:
        args = ["create-user", account.email, account.name]
        for group in account.groups:
            args += ["--group", group]
        if account.admin:
            args.append("--admin")
        if account.expires:
            args += ["--expires", account.expires]
        return args

    def create_accounts(self, accounts: list[Account], groups: list[tuple[str, str]] = ()) -> dict[str, str]:
        """Groups (slug, name), then the accounts: ``add-group`` for each group through the CLI (in parallel:
        the app has already migrated the schema, and SQLite waits for the writer lock), one ``import-csv`` for
        every non-admin account (its generated passwords read back from ``--passwords``), the first administrator
        through ``create-user --admin`` (password on stdin). The other administrators, one CLI process each
        (~1.5 s of imports: 30 s for 20), are written here in one session through ``auth.accounts.create_user``,
        which that command calls. Returns and remembers email -> password."""
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(lambda g: self.cli("add-group", g[0], g[1]), groups))
        imported = [a for a in accounts if not a.admin]
        admins = [a for a in accounts if a.admin]
        if imported:
            sheet = self.data_dir.parent / f"accounts-{time.monotonic_ns()}.csv"
            secrets = sheet.with_suffix(".passwords.csv")
            with sheet.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(["email", "name", "groups", "expires_at"])
                writer.writerows([a.email, a.name, "|".join(a.groups), a.expires or ""] for a in imported)
            self.cli("import-csv", str(sheet), "--passwords", str(secrets))
            with secrets.open(encoding="utf-8") as handle:
                self.passwords.update({row["email"]: row["password"] for row in csv.DictReader(handle)})
        # One after the other: import-csv fails with "database is locked" when another process writes to the
        # SQLite database while it runs (see tests/integration/test_security.py).
        if admins:
            first, admins = admins[0], admins[1:]
            self.cli(*self.create_user_args(first), stdin=first.password + "\n")
            self.passwords[first.email] = first.password
        if admins:
            from auth import accounts as account_store
            from auth.db import Database

            db = Database(self.env.get("PILOTE_DATABASE_URL") or f"sqlite:///{self.data_dir / 'pilote.db'}")
            try:
                with db.session() as s:
                    for a in admins:
                        account_store.create_user(s, a.email, a.name, password=a.password, groups=list(a.groups),
                                                  admin=True, expires_at=a.expires or None)
                        self.passwords[a.email] = a.password
            finally:
                db.engine.dispose()
        missing = {a.email for a in accounts} - set(self.passwords)
        assert not missing, f"accounts not created: {missing}"
        return dict(self.passwords)

    def password(self, email: str) -> str:
        return self.passwords[email]

    def login(self, client: httpx.Client, email: str, next_: str | None = None) -> httpx.Response:
        """Sign ``client`` in as an account made by ``create_accounts``. A failure shows the end of the
        app's log: a 500 on a loaded CI machine is otherwise a mystery."""
        try:
            return login(client, email, self.passwords[email], next_)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- end of the app's log ---\n{self.log_tail(4000)}") from None

    def parallel_cli(self, *commands: tuple) -> list[subprocess.CompletedProcess]:
        """Several `python -m auth` commands at once; each is a tuple of args (an optional trailing dict
        gives keyword arguments of ``cli``)."""
        def run(command):
            kwargs = command[-1] if command and isinstance(command[-1], dict) else {}
            args = command[:-1] if kwargs else command
            return self.cli(*args, **kwargs)

        with ThreadPoolExecutor(max_workers=8) as pool:
            return list(pool.map(run, commands))


# -- signing in ------------------------------------------------------------------------------------------
def csrf_token(client: httpx.Client, next_: str | None = None) -> str:
    response = client.get("/login", params={"next": next_} if next_ else None)
    assert response.status_code == 200, f"GET /login answered {response.status_code}"
    match = _CSRF_RE.search(response.text)
    assert match, "no csrf_token in the /login form"
    return match.group(1)


def logout(client: httpx.Client) -> httpx.Response:
    """Sign out as the browser does: GET /logout shows a form, its POST (with the CSRF token) signs out."""
    form = client.get("/logout")
    match = _CSRF_RE.search(form.text)
    assert match, f"no csrf_token in the /logout form (HTTP {form.status_code})"
    return client.post("/logout", data={"csrf_token": match.group(1)})


def post_login(client: httpx.Client, email: str, password: str, next_: str | None = None,
               headers: dict | None = None) -> httpx.Response:
    """GET /login for the token, then POST the form; returns the POST's response (not followed)."""
    token = csrf_token(client, next_)
    form = {"csrf_token": token, "email": email, "password": password}
    if next_ is not None:
        form["next"] = next_
    return client.post("/login", data=form, headers=headers)


def login(client: httpx.Client, email: str, password: str, next_: str | None = None) -> httpx.Response:
    """Sign in; asserts it worked (302 and a session cookie)."""
    response = post_login(client, email, password, next_)
    assert response.status_code == 302, f"sign-in of {email} answered {response.status_code}: {response.text[:500]}"
    assert "pilote_session" in client.cookies, "no session cookie after sign-in"
    return response


# -- Dash over real HTTP ---------------------------------------------------------------------------------
class _Response:
    """The slice of Flask's test response that DashClient uses, over an httpx response."""

    def __init__(self, response: httpx.Response):
        self._response = response
        self.status_code = response.status_code

    def get_json(self):
        return self._response.json()

    def get_data(self, as_text: bool = False):
        return self._response.text if as_text else self._response.content


class _HttpTestClient:
    def __init__(self, client: httpx.Client):
        self.client = client

    def get(self, url: str) -> _Response:
        return _Response(self.client.get(url))

    def post(self, url: str, json: Any = None) -> _Response:
        return _Response(self.client.post(url, json=json))


class _HttpServer:
    def __init__(self, client: httpx.Client):
        self._client = client

    def test_client(self) -> _HttpTestClient:
        return _HttpTestClient(self._client)


class HttpDashClient(DashClient):
    """``DashClient`` (callback list, shell layout, request bodies as the renderer builds them) over HTTP."""

    def __init__(self, client: httpx.Client):
        super().__init__(_HttpServer(client))

    def callback_for(self, output_id: str, prop: str) -> Callback:
        cb = self.find(output_id, prop)
        if cb is None:
            raise AssertionError(f"no callback outputs {output_id}.{prop}")
        return cb


def view(client: httpx.Client, path: str, search: str = "", encoding: str = "identity") -> tuple[str | None, str]:
    """The router's answer for ``path?search`` as the browser posts it: (how it was served: the render cache's
    header, its JSON text)."""
    body = HttpDashClient(client).router_body(path, search)
    response = client.post("/_dash-update-component", json=body, headers={"Accept-Encoding": encoding})
    assert response.status_code == 200, response.text[:300]
    return response.headers.get(HEADER), json.dumps(response.json(), ensure_ascii=False)
