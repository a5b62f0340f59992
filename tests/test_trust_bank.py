"""Issue 14 on the project bank: secrets, concurrent creation, SQL, damaged files, Excel, text.

Every case runs the real store: a GeoPackage file and a throwaway PostGIS cluster
(tests/pgcluster.py); concurrency cases run real processes. Fixtures are built in code
(test_bank_store.candidates: three parcels near Qingdao, 15 亩 each for P1 and P2).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import warnings
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from pgcluster import postgis_server  # noqa: F401  (session fixture)
from test_bank_store import candidates, raw, start_worker, sync_file, wait_for, _WORKERS

from landuse._bank_store import BankError, ProjectBank
from landuse.bank import write_bank_excel
from landuse.errors import LanduseError

SECRET = "s3cretPW"


@pytest.fixture(params=["gpkg", "postgis"])
def target(request, tmp_path):
    """A new, empty bank location on each backend."""
    if request.param == "gpkg":
        return str(tmp_path / "bank.gpkg")
    return request.getfixturevalue("postgis_server").new_database()


@pytest.fixture(autouse=True)
def _no_worker_left_behind():
    yield
    while _WORKERS:
        proc = _WORKERS.pop()
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


def assert_no_secret(*texts: object, secret: str = SECRET) -> None:
    for text in texts:
        assert secret not in str(text), text


# --- D9: the password never leaves ------------------------------------------------------------


@pytest.mark.parametrize(
    ("dsn", "kind"),
    [
        (f"postgresql://u@127.0.0.1:1/db?password={SECRET}", "could not connect"),
        (f"postgresql://u:{SECRET}@127.0.0.1:1/db", "could not connect"),
        (f"postgresql://u@127.0.0.1:1/db?sslmode=disable&password={SECRET}", "could not connect"),
        # libpq quotes the bad token back: the password itself
        (f"postgresql://u:{SECRET}%zz@127.0.0.1:1/db", "not a valid PostgreSQL connection"),
        (f"postgresql://u:{SECRET}@[::1/x", "not a valid PostgreSQL connection"),
        (f"host=127.0.0.1 port=1 password={SECRET}", "must be a GeoPackage path"),
    ],
)
def test_unreachable_server_errors_never_show_the_password(dsn, kind, caplog):
    caplog.set_level(logging.DEBUG)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(LanduseError, match=kind) as info:
            ProjectBank.open(dsn, timeout=1)
    assert_no_secret(str(info.value), repr(info.value), caplog.text, *(w.message for w in caught))
    assert info.value.__context__ is None or SECRET not in str(info.value.__context__)
    assert "***" in str(info.value)


def test_a_malformed_dsn_is_a_bank_error():
    with pytest.raises(BankError, match=r"postgresql://\[::1/x is not a valid PostgreSQL"):
        ProjectBank.open("postgresql://[::1/x", timeout=1)


def test_a_real_server_never_shows_the_password(postgis_server, caplog):  # noqa: F811
    caplog.set_level(logging.DEBUG)
    dsn = postgis_server.new_database() + f"?password={SECRET}"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with ProjectBank.open(dsn) as bank:
            bank.sync(candidates(), as_of="2021-12-31", by="wang")
            shown = [bank.target, repr(bank), bank.entries().attrs["bank"]]
    assert shown[0] == dsn.replace(SECRET, "***")
    assert shown[1] == f"ProjectBank(postgis: {shown[0]})"
    raw(dsn.split("?")[0], "INSERT INTO bank_schema VALUES (2, now(), '9.0')")
    with pytest.raises(BankError, match="newer landuse") as newer:
        ProjectBank.open(dsn)
    # the server quotes the user name back; a password equal to it is masked there too
    user_is_password = dsn.replace("postgres@", f"{SECRET}@")
    with pytest.raises(LanduseError, match=r'role "\*\*\*" does not exist') as role:
        ProjectBank.open(user_is_password)
    assert f'role "{SECRET}"' not in str(role.value)  # (the user name itself stays in the DSN)
    assert_no_secret(*shown, newer.value, caplog.text, *(w.message for w in caught))
    assert f"{postgis_server.port}" in shown[0]


def test_a_keyword_target_is_refused_without_its_password():
    with pytest.raises(BankError, match=r"received 'host=db password=\*\*\* dbname=x'"):
        ProjectBank.open(f"host=db password={SECRET} dbname=x")


# --- D10: a new store created by several processes at once ------------------------------------

OPENER = r"""
import json, os, sys, time
from landuse._bank_store import ProjectBank
folder, me, targets = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
open(os.path.join(folder, f"ready-{me}"), "w").close()
for i, target in enumerate(targets):
    while not os.path.exists(os.path.join(folder, f"go-{i}")):
        time.sleep(0.001)
    with ProjectBank.open(target, timeout=60) as bank:
        print(i, bank.kind, len(bank.entries()), flush=True)
    open(os.path.join(folder, f"done-{i}-{me}"), "w").close()
"""


def _wait_files(paths: list[Path], procs: list[subprocess.Popen]) -> None:
    import time

    end = time.monotonic() + 120
    while not all(p.exists() for p in paths):
        dead = [p for p in procs if p.poll() is not None]
        if dead:
            pytest.fail(f"an opener ended early: {dead[0].communicate()}")
        assert time.monotonic() < end, "openers never got there"
        time.sleep(0.005)


@pytest.mark.parametrize("backend", ["gpkg", "postgis"])
def test_several_processes_create_a_new_store_at_once(backend, tmp_path, request):
    """4 processes open each of 5 new stores at the same moment: all succeed, one schema row."""
    n, trials = 4, 5
    if backend == "gpkg":
        stores = [str(tmp_path / f"race{t}.gpkg") for t in range(trials)]
    else:
        server = request.getfixturevalue("postgis_server")
        stores = [server.new_database() for _ in range(trials)]
        raw(stores[0], "DROP EXTENSION postgis CASCADE")  # one store also creates PostGIS
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", OPENER, str(tmp_path), str(k), json.dumps(stores)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        for k in range(n)
    ]
    _WORKERS.extend(procs)
    _wait_files([tmp_path / f"ready-{k}" for k in range(n)], procs)
    for t in range(trials):
        (tmp_path / f"go-{t}").touch()  # all openers start together
        _wait_files([tmp_path / f"done-{t}-{k}" for k in range(n)], procs)
    kind = "geopackage" if backend == "gpkg" else "postgis"
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert out.split("\n")[:-1] == [f"{t} {kind} 0" for t in range(trials)]
    for store in stores:
        assert raw(store, "SELECT version FROM bank_schema") == [(1,)]
