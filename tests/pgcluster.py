"""A throwaway PostgreSQL + PostGIS cluster on loopback, for the project-bank tests and benchmark.

``postgis_server`` (session fixture) runs ``initdb`` into a fresh temporary folder and starts
the server with ``pg_ctl`` on a free loopback port (as the ``postgres`` system user when run as
root — the server refuses root), makes a template database with the ``postgis`` extension,
and stops and removes everything at the end. ``postgis_server.new_database()`` returns the
DSN of a fresh database cloned from the template.

Server binaries are looked up in ``$LANDUSE_PG_BINDIR``, ``/usr/lib/postgresql/*/bin``
(newest first) and ``PATH``. With ``$LANDUSE_TEST_POSTGIS_DSN`` set (a superuser DSN of a
running server) that server is used instead. When neither works: in CI (``CI=true``) the
tests fail; elsewhere they are skipped with the reason.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


class UnavailableError(RuntimeError):
    """PostgreSQL/PostGIS (or psycopg) cannot be used here."""


def _version(bindir: Path) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in bindir.parent.name.split("."))
    except ValueError:
        return (0,)


def find_bindir() -> Path:
    """The folder with ``initdb`` and ``pg_ctl``."""
    candidates = []
    if os.environ.get("LANDUSE_PG_BINDIR"):
        candidates.append(Path(os.environ["LANDUSE_PG_BINDIR"]))
    candidates += sorted(
        (Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin")), key=_version, reverse=True
    )
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).resolve().parent)
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    msg = (
        "PostgreSQL server binaries (initdb, pg_ctl) not found; install them with "
        "`apt-get install postgresql postgresql-15-postgis-3` or set LANDUSE_PG_BINDIR"
    )
    raise UnavailableError(msg)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgCluster:
    """A PostgreSQL server in a temporary folder (or an existing one given by DSN)."""

    def __init__(self, *, fsync: bool = True) -> None:
        self.fsync = fsync
        self.root: Path | None = None
        self.port = 0
        self.bindir: Path | None = None
        self.base_dsn = os.environ.get("LANDUSE_TEST_POSTGIS_DSN", "")
        self._counter = itertools.count()
        self._run_as: dict[str, Any] = {}

    # -- server ------------------------------------------------------------------------------

    def _run(self, *args: str) -> None:
        result = subprocess.run(
            list(args),
            capture_output=True,
            text=True,
            cwd=self.root,
            env={**os.environ, "LC_ALL": "C", "LANG": "C"},
            timeout=120,
            check=False,
            **self._run_as,
        )
        if result.returncode:
            log = ""
            if self.root is not None and (self.root / "server.log").exists():
                log = (self.root / "server.log").read_text()[-2000:]
            msg = f"{' '.join(args)} failed: {result.stdout}{result.stderr}{log}"
            raise UnavailableError(msg)

    def start(self) -> PgCluster:
        """Run initdb and start the server; create the PostGIS template database."""
        try:
            import psycopg  # noqa: F401
        except ImportError as exc:
            msg = 'psycopg is not installed (pip install "landuse[postgis]")'
            raise UnavailableError(msg) from exc
        if not self.base_dsn:
            self.bindir = find_bindir()
            self.root = Path(tempfile.mkdtemp(prefix="landuse-pg-"))
            data = self.root / "data"
            if os.geteuid() == 0:
                try:
                    user = pwd.getpwnam("postgres")
                except KeyError as exc:
                    msg = "running as root but there is no `postgres` system user to run the server"
                    raise UnavailableError(msg) from exc
                os.chown(self.root, user.pw_uid, user.pw_gid)
                self._run_as = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
            self.port = _free_port()
            self._run(
                str(self.bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                "-E", "UTF8", "--no-locale", "--no-sync",
            )  # fmt: skip
            options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root}"
            if not self.fsync:
                options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            self._run(
                str(self.bindir / "pg_ctl"), "-D", str(data), "-l", str(self.root / "server.log"),
                "-o", options, "-w", "-t", "60", "start",
            )  # fmt: skip
            self.base_dsn = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self._make_template()
        return self

    def _make_template(self) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.base_dsn, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS landuse_template")
            conn.execute("CREATE DATABASE landuse_template")
        try:
            with psycopg.connect(self.dsn("landuse_template"), autocommit=True) as conn:
                conn.execute("CREATE EXTENSION postgis")
        except psycopg.Error as exc:
            msg = (
                f"the PostGIS extension is not available on the server ({exc}); install "
                "postgresql-15-postgis-3 (the package matching the server version)"
            )
            raise UnavailableError(msg) from exc
        self._sql = sql

    def dsn(self, dbname: str) -> str:
        """The DSN of database ``dbname`` on this server."""
        base = self.base_dsn.rsplit("/", 1)[0]
        return f"{base}/{dbname}"

    def new_database(self) -> str:
        """A fresh database with PostGIS (cloned from the template); returns its DSN."""
        import psycopg

        name = f"bank_{os.getpid()}_{next(self._counter)}"
        with psycopg.connect(self.base_dsn, autocommit=True) as conn:
            conn.execute(
                self._sql.SQL("CREATE DATABASE {} TEMPLATE landuse_template").format(
                    self._sql.Identifier(name)
                )
            )
        return self.dsn(name)

    def stop(self) -> None:
        """Stop the server (immediately) and remove its folder."""
        if self.root is None or self.bindir is None:
            return
        try:
            self._run(
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.root / "data"),
                "-m",
                "immediate",
                "stop",
            )
        except UnavailableError:
            pass
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None


@pytest.fixture(scope="session")
def postgis_server() -> Iterator[PgCluster]:
    """A running PostgreSQL + PostGIS server for the session (fails in CI if unavailable)."""
    cluster = PgCluster(fsync=False)
    try:
        cluster.start()
    except UnavailableError as exc:
        cluster.stop()
        if IN_CI:
            pytest.fail(f"PostGIS tests must run in CI, but {exc}")
        pytest.skip(f"PostGIS not available here: {exc}")
    try:
        yield cluster
    finally:
        cluster.stop()
