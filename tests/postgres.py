"""A throwaway PostgreSQL cluster for the test session, and a fresh schema per test.

When ``IDEABOT_TEST_POSTGRES`` names a database (a URL) the tests use it; otherwise
the session makes a cluster of its own with Debian's binaries (``initdb`` and
``pg_ctl``) in a temporary folder, listening only on a Unix socket there, and
removes it at the end. PostgreSQL refuses to run as root, so where the tests run
as root its binaries run as the ``postgres`` user (``runuser``); the folder is
theirs. Each test gets a schema of its own (``search_path`` in the URL), so the
tests share one server and never see each other's rows.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg

ENV_URL = "IDEABOT_TEST_POSTGRES"


def binaries() -> Path:
    """The folder of ``initdb`` and ``pg_ctl``: on PATH, else the newest Debian install."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    installs = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not installs:
        raise RuntimeError(
            "PostgreSQL is needed for the tests: install it (Debian/Ubuntu: apt-get install"
            f" postgresql) or set {ENV_URL} to a database URL; `make test` installs it as root"
        )
    return installs[-1]


@dataclass
class Cluster:
    folder: Path
    user: str | None  # who runs the server: "postgres" when the tests run as root

    @property
    def socket(self) -> Path:
        return self.folder / "socket"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@/postgres?host={quote(str(self.socket))}"

    def _run(self, *args: str) -> None:
        command = [str(binaries() / args[0]), *args[1:]]
        if self.user is not None:
            command = ["runuser", "-u", self.user, "--", *command]
        subprocess.run(command, check=True, capture_output=True, text=True)

    def start(self) -> None:
        data = self.folder / "data"
        self.socket.mkdir()
        if self.user is not None:
            shutil.chown(self.folder, self.user)
            shutil.chown(self.socket, self.user)
        self._run("initdb", "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync")
        options = (
            f"-k {self.socket} -c listen_addresses='' -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        log = self.folder / "server.log"
        self._run("pg_ctl", "-D", str(data), "-o", options, "-l", str(log), "-w", "start")

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def start_cluster() -> Cluster:
    # Not under pytest's own temporary folders: those are private to root, and the
    # server's user must reach its folder.
    folder = Path(tempfile.mkdtemp(prefix="ideabot-pg-"))
    user = "postgres" if os.geteuid() == 0 else None
    cluster = Cluster(folder=folder, user=user)
    try:
        cluster.start()
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"could not start PostgreSQL: {exc.stderr or exc}") from None
    return cluster


def with_schema(url: str, schema: str) -> str:
    """``url`` with every connection's ``search_path`` set to ``schema``."""
    option = quote(f"-c search_path={schema}")
    return f"{url}{'&' if '?' in url else '?'}options={option}"


def new_schema(server: str) -> tuple[str, str]:
    """A fresh empty schema on the server: (its name, a URL whose connections use it)."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    return name, with_schema(server, name)


def drop_schema(server: str, name: str) -> None:
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
