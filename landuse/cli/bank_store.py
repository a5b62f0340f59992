"""``landuse bank-store``: keep the project bank over the years (sync, status, history, summary).

A busy store (another writer holds the lock past ``--timeout``) raises
:class:`~landuse.errors.StoreBusyError`, which the ``landuse`` group turns into exit status 75.
"""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd
import pyogrio

from landuse._checks import Lang
from landuse.bank import ProjectBank
from landuse.cli import _options as opt
from landuse.cli._common import check_outputs, echo, same_file
from landuse.errors import LanduseError
from landuse.report import present, restore_codes

__all__ = ["bank_store"]

#: Statuses a user sets (``resolved_by_data`` is set by sync only), as code, 中文 or English.
STATUS = opt.Category("bank_status", exclude=("resolved_by_data",))


@click.group("bank-store")
def bank_store() -> None:
    """Keep the project bank over the years: sync, status, history, summary (项目库管理).

    --store is a .gpkg path (one file on a shared drive; QGIS opens its layer bank_entries)
    or a postgresql:// DSN (pip install "landuse[postgis]"); it can also come from the
    LANDUSE_BANK_STORE environment variable. Keep the store in its own file, not in the
    candidates file that `landuse bank -o FILE` rewrites on every run. Exit status 75 means
    the store was busy: retry.
    """


@bank_store.command("sync")
@click.argument(
    "candidates_path", metavar="CANDIDATES", type=click.Path(exists=True, path_type=Path)
)
@opt.STORE
@opt.as_of("Date the candidates describe, e.g. 2021-12-31.")
@opt.layer("Layer of CANDIDATES (default: project_bank, or the only layer).")
@click.option("--note", default=None, help="Why this sync (kept in every entry's history).")
@click.option("--by", default=None, help="Who runs it (default: the login name).")
@opt.TIMEOUT
@opt.LANG
def bank_store_sync(
    candidates_path: Path,
    store: str,
    as_of: str,
    layer: str | None,
    note: str | None,
    by: str | None,
    timeout: float,
    lang: Lang,
) -> None:
    """Upsert CANDIDATES (from `landuse bank -o …`) into the bank by parcel.

    Writes into the --store only (entries, their history and the sync log), in one
    transaction.
    """
    if not store.startswith(("postgresql://", "postgres://")) and same_file(
        Path(store), candidates_path
    ):
        msg = (
            "--store must not be the CANDIDATES file (`landuse bank -o` rewrites that file "
            "each run); keep the bank in its own file, e.g. --store bank_store.gpkg"
        )
        raise LanduseError(msg)
    names = [str(n) for n in pyogrio.list_layers(candidates_path)[:, 0]]
    name = layer or ("project_bank" if "project_bank" in names else names[0])
    # `landuse bank -o` writes labels with the codes beside them: the store keeps the codes
    candidates = restore_codes(pyogrio.read_dataframe(candidates_path, layer=name))
    with ProjectBank.open(store, timeout=timeout) as bank:
        report = bank.sync(candidates, as_of=as_of, note=note, by=by)
    echo(report.summary(lang=lang))


@bank_store.command("status")
@click.argument("candidate_ids", metavar="CANDIDATE_ID...", nargs=-1, required=True)
@click.argument("status", type=STATUS, metavar="STATUS")
@opt.STORE
@click.option("--by", required=True, help="Who decided.")
@click.option("--note", default=None, help="Why (kept in the history).")
@opt.TIMEOUT
def bank_store_status(
    candidate_ids: tuple[str, ...],
    status: str,
    store: str,
    by: str,
    note: str | None,
    timeout: float,
) -> None:
    """Move entries to STATUS (all or none), e.g. `status C-P1 C-P2 已核实 --by 王工`.

    STATUS in either language, or its code: 已核实 / Verified / verified, 已批准 / approved,
    实施中 / in_progress, 已完成 / completed, 已否决 / rejected, 已识别 / identified (re-open).
    Writes the new status and a history event into the --store only.
    """
    with ProjectBank.open(store, timeout=timeout) as bank:
        bank.set_status(list(candidate_ids), status, by=by, note=note)  # type: ignore[arg-type]
    echo(f"{len(candidate_ids)} entr{'y' if len(candidate_ids) == 1 else 'ies'} → {status}")


@bank_store.command("history")
@click.argument("candidate_id")
@opt.STORE
@opt.LANG
def bank_store_history(candidate_id: str, store: str, lang: Lang) -> None:
    """Print every event of CANDIDATE_ID: time, user, note, old → new."""
    with ProjectBank.open(store) as bank:
        history = bank.history(candidate_id, lang=lang)
    for row in history.itertuples():
        when = row.at.strftime("%Y-%m-%d %H:%M")
        note = f" ({row.note})" if row.note else ""
        echo(f"{when} {row.event} by {row.by}{note}: {row.description}")


@bank_store.command("summary")
@opt.STORE
@opt.output("Write summary, entries and sync log to this .xlsx workbook.")
@opt.LANG
def bank_store_summary(store: str, output: Path | None, lang: Lang) -> None:
    """Print entries by zone and status (count, 亩, extra floor area, tax); optionally to Excel.

    Writes only with -o: the summary, the entries and the sync log to that .xlsx workbook.
    """
    check_outputs([("-o/--output", output, (".xlsx",))], inputs={"--store": store})
    with ProjectBank.open(store) as bank:
        table = bank.summary()
        if output is not None:
            bank.export_excel(output, lang=lang)
    if not len(table):
        echo("the bank is empty" if lang == "en" else "项目库为空")
        return
    # candidates outside every zone last, under a name rather than NaN
    outside = table["zone_id"].isna()
    table = pd.concat([table[~outside], table[outside]], ignore_index=True)
    table["zone_id"] = table["zone_id"].fillna("（集聚区外）" if lang == "zh" else "(outside)")
    shown, _ = present(table, lang=lang, round_numbers=True)
    shown = shown.drop(columns=[c for c in shown.columns if c.endswith(("代码", " code"))])
    with pd.option_context("display.unicode.east_asian_width", True):
        echo(shown.to_string(index=False))
    if output is not None:
        echo(f"Excel → {output}")
