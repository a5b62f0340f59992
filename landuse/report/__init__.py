"""The output layer: every table landuse writes, in the format its file name says.

One function writes a table (:func:`write_table`) and one writes several
(:func:`write_tables`); every writer of the package (project bank, compliance, assessment,
bank store, the CLI) goes through them, so every output looks the same:

============ ===================================================================================
``.xlsx``    one styled sheet per table (xlsxwriter): header row styled, frozen and filtered,
             widths from the content (CJK counted double), number formats by unit (shares as %,
             money with thousands separators and the unit in the header, dates as dates, scores
             to one decimal), long text wrapped; a 说明 sheet with the policy profile, the as-of
             date, the source files, the version and what every column means; a 政策参数
             sheet with every policy parameter the tables were made with (value, unit, source,
             confidence; "not evaluated: set `key`" for a rule whose key is unset). Made with
             an example profile (``qingdao-2019-example``), the 说明 sheet opens with the
             example-values notice, highlighted.
``.csv``     UTF-8 with BOM (Excel on Windows reads it right), CRLF, the formula guard, numbers
             rounded to their unit's precision, shares as percentages; further tables beside it
             as ``<name>_<table>.csv``. A CSV file holds the table only: no notice, no
             parameters (write ``.xlsx`` to keep them with the table).
``.gpkg``    one layer per table, canonical field names with Chinese (or English) aliases in
             ``gpkg_data_columns`` and a QGIS style (``layer_styles``) with the web map's colours;
             made with an example profile, the example-values notice as the layer's
             description (``gpkg_contents``).
``.parquet`` canonical column names (GeoParquet when there is a geometry), for programs.
============ ===================================================================================

With ``lang="zh"`` (the default) every header and every coded value is Chinese, from the one
catalogue (:data:`landuse.schema.FIELDS`, :data:`landuse.schema.CATEGORY_LABELS`); the codes
stay in a column of their own (``verdict_code``) for programs, and :func:`restore_codes`
puts them back when a file is read again. Any other extension is refused (before the analysis
runs, with :func:`check_output_path`). Every file is written atomically.
"""

from __future__ import annotations

import dataclasses
import os
import sqlite3
from collections.abc import Mapping
from contextlib import closing
from pathlib import Path

import geopandas as gpd
import pandas as pd

from landuse._atomic import atomic_path, atomic_paths
from landuse._checks import Lang, check_lang
from landuse._sinks import write_csv
from landuse.errors import LanduseError
from landuse.io import write_layers
from landuse.report._display import show_table
from landuse.report._excel import About, display_width, write_workbook
from landuse.report._gpkg import style_gpkg_layer
from landuse.report._policy import (
    CONFIDENCE_LABELS,
    PARAMETER_SHEET,
    example_notice,
    frames_policy,
    parameter_table,
)
from landuse.report._present import ColumnSpec, present, restore_codes
from landuse.report._qml import layer_qml
from landuse.schema import Field

__all__ = [
    "CONFIDENCE_LABELS",
    "TABLE_SUFFIXES",
    "About",
    "ColumnSpec",
    "OutputError",
    "check_output_path",
    "display_width",
    "example_notice",
    "layer_qml",
    "policy_parameters",
    "present",
    "restore_codes",
    "show_table",
    "style_gpkg_layer",
    "write_table",
    "write_tables",
]

#: The file types a table can be written to; the format follows the extension.
TABLE_SUFFIXES: tuple[str, ...] = (".xlsx", ".csv", ".gpkg", ".parquet")

_BAD_SHEET = str.maketrans({c: "_" for c in "[]:*?/\\"})


class OutputError(LanduseError, ValueError):
    """An output path landuse cannot write (unknown type, a folder…)."""


def check_output_path(
    path: str | os.PathLike[str],
    *,
    caller: str,
    suffixes: tuple[str, ...] = TABLE_SUFFIXES,
) -> Path:
    """Return ``path`` as a Path if its extension names a format landuse writes; raise if not.

    Call it before the analysis, so a wrong name fails at once and not after minutes of work.

    Parameters
    ----------
    path
        The output file.
    caller
        The public function (or command) named in the error.
    suffixes
        The extensions it accepts (default: :data:`TABLE_SUFFIXES`).

    Raises
    ------
    OutputError
        Unknown extension, or ``path`` is a folder.

    Examples
    --------
    >>> check_output_path("ranking.xlsx", caller="demo").suffix
    '.xlsx'
    >>> check_output_path("ranking.txt", caller="demo")
    Traceback (most recent call last):
    ...
    landuse.report.OutputError: demo: cannot write 'ranking.txt': unknown output type '.txt'; give a file ending in .xlsx, .csv, .gpkg or .parquet.
    """
    target = Path(path)
    if target.is_dir():
        msg = f"{caller}: cannot write {str(target)!r}: it is a folder; give a file name."
        raise OutputError(msg)
    suffix = target.suffix.lower()
    if suffix not in suffixes:
        known = ", ".join(suffixes[:-1]) + (" or " if len(suffixes) > 1 else "") + suffixes[-1]
        msg = (
            f"{caller}: cannot write {str(target)!r}: unknown output type "
            f"{suffix or '(none)'!r}; give a file ending in {known}."
        )
        raise OutputError(msg)
    return target


def _sheet_name(name: str) -> str:
    return str(name).translate(_BAD_SHEET)[:31] or "Sheet"


def policy_parameters(
    result: pd.DataFrame | tuple[pd.DataFrame, ...],
    *,
    policy: object = None,
    lang: Lang = "zh",
) -> pd.DataFrame:
    """List the policy parameters a result was made with, as the 政策参数 sheet shows them.

    One row per key in ``result.attrs["policy_keys"]`` (what the analysis read) and per key a
    rule of ``attrs["not_evaluated"]`` asks to set ("set `section.key`"): the key, its value,
    unit, source, confidence (V 已核实, S 二手来源, I 推断/方法选择, U 未核实, from-plan 计划文本,
    user 用户设定) and note. A key without a value reads "未评价：请设置 `key`" (``"not
    evaluated: set `key`"``).

    Parameters
    ----------
    result
        A result frame (or a tuple of them) of a landuse analysis.
    policy
        The :class:`~landuse.policy.Policy` it was made with; default: the built-in profile
        ``result.attrs["policy"]`` names. Pass the Policy when it was changed with
        :meth:`~landuse.policy.Policy.replace` or read from your own TOML file, so the values
        shown are the ones applied.
    lang
        ``"zh"`` (default) or ``"en"`` headers and labels.

    Returns
    -------
    pandas.DataFrame
        Columns 参数, 取值, 单位, 来源, 可信度, 说明 (Parameter, Value, Unit, Source, Confidence,
        Note), sorted by key.

    Examples
    --------
    >>> t = pd.DataFrame({"x": [1]})
    >>> t.attrs = {"policy": "qingdao-2019", "policy_keys": ("idle.fee_share",),
    ...            "not_evaluated": ["tax floor: set `inefficient.tax_wan_per_mu_min`"]}
    >>> params = policy_parameters(t)
    >>> params[["参数", "取值", "可信度"]].values.tolist()
    [['idle.fee_share', '0.2', 'V 已核实'], ['inefficient.tax_wan_per_mu_min', '未评价：请设置 `inefficient.tax_wan_per_mu_min`', '需用户设定（未设置）']]
    """
    lang = check_lang(lang, caller="policy_parameters")
    frames = result if isinstance(result, tuple) else (result,)
    got = frames_policy(frames)
    return parameter_table(
        policy if policy is not None else got.policy,
        got.keys,
        not_evaluated=got.records,
        lang=lang,
        recorded=None if policy is not None else got.params,
    )


def _workbook_policy(
    tables: Mapping[str, pd.DataFrame], about: About | None, lang: Lang, taken: set[str]
) -> tuple[About, str | None, tuple[str, pd.DataFrame] | None]:
    """Return the 说明 contents, the example notice and the 政策参数 sheet (name, table), if any.

    The policy is ``about.policy``, else the profile the tables' ``attrs["policy"]`` name.
    """
    got = frames_policy(tables.values())
    about = about or About()
    given = about.policy is not None and not isinstance(about.policy, str)
    if about.policy is None and got.policy is not None:
        about = dataclasses.replace(about, policy=got.policy)
    keys = sorted(set(got.keys) | set(about.policy_keys))
    records = [*got.records, *about.not_evaluated]
    notice = example_notice(about.policy) or got.notice
    table = parameter_table(
        about.policy,
        keys,
        not_evaluated=records,
        lang=lang,
        recorded=None if given else got.params,
    )
    if not len(table):
        return about, notice, None
    name = PARAMETER_SHEET[lang]
    while name in taken:
        name = f"{name}_"
    return about, notice, (name, table)


def write_tables(
    tables: Mapping[str, pd.DataFrame],
    path: str | os.PathLike[str],
    *,
    lang: Lang = "zh",
    about: About | None = None,
    fields: Mapping[str, Field] | None = None,
    formula_guard: bool = True,
    caller: str = "write_tables",
) -> list[Path]:
    """Write several tables to one output in the format its extension names, atomically.

    Parameters
    ----------
    tables
        ``{name: table}``: the sheet names of a workbook, the layer names of a GeoPackage;
        for CSV and Parquet the first table goes to ``path`` and each further one beside it
        as ``<stem>_<name><suffix>``. GeoDataFrames keep their geometry in GeoPackage and
        Parquet files; workbooks and CSV files leave it out.
    path
        ``.xlsx``, ``.csv``, ``.gpkg`` or ``.parquet`` (see the module's table).
    lang
        ``"zh"`` (default) Chinese headers and labels; ``"en"`` English.
    about
        What the workbook's 说明 sheet says (policy, as-of date, sources, notes).
    fields
        Extra :class:`landuse.schema.Field` entries for columns the catalogue does not know.
    formula_guard
        CSV only: text starting with ``=``, ``+``, ``-``, ``@`` gets a leading ``'`` (see
        :func:`landuse._sinks.csv_guard`).
    caller
        The public function named in warnings and errors.

    Returns
    -------
    list of pathlib.Path
        The files written.

    Examples
    --------
    >>> import tempfile, openpyxl
    >>> t = pd.DataFrame({"zone_id": ["QD01"], "verdict": ["inside"], "share_in_zone": [0.4548]})
    >>> out = Path(tempfile.mkdtemp()) / "check.xlsx"
    >>> _ = write_tables({"合规": t}, out)
    >>> sheet = openpyxl.load_workbook(out)["合规"]
    >>> [c.value for c in sheet[1]]
    ['集聚区编号', '判定结果', '集聚区内面积占比', '判定结果代码']
    >>> sheet["B2"].value, sheet["C2"].number_format, sheet.freeze_panes, sheet.auto_filter.ref
    ('位于集聚区内', '0.0%', 'B2', 'A1:D2')
    """
    lang = check_lang(lang, caller=caller)
    target = check_output_path(path, caller=caller)
    if not tables:
        msg = f"{caller}: no table to write to {str(target)!r}."
        raise OutputError(msg)
    suffix = target.suffix.lower()
    if suffix == ".xlsx":
        sheets = {}
        for name, table in tables.items():
            sheet = _sheet_name(name)
            if sheet in sheets:
                msg = (
                    f"{caller}: two tables would get the sheet name {sheet!r} (Excel allows 31 "
                    f"characters and no []:*?/\\); received {list(tables)}. Name them apart."
                )
                raise OutputError(msg)
            sheets[sheet] = present(table, lang=lang, fields=fields)
        about, notice, parameters = _workbook_policy(tables, about, lang, set(sheets))
        written = write_workbook(
            target,
            sheets,
            lang=lang,
            about=about,
            caller=caller,
            notice=notice,
            parameters=parameters,
        )
        return [written]
    names = list(tables)
    if suffix == ".gpkg":
        got = frames_policy(tables.values())
        notice = (
            example_notice(about.policy if about and about.policy is not None else got.policy)
            or got.notice
        )
        return [_write_gpkg(tables, target, lang=lang, fields=fields, caller=caller, notice=notice)]
    paths = [target] + [
        target.with_name(f"{target.stem}_{name}{target.suffix}") for name in names[1:]
    ]
    with atomic_paths(*paths) as temps:
        for name, tmp in zip(names, temps, strict=True):
            table = tables[name]
            if suffix == ".csv":
                shown, _ = present(
                    table, lang=lang, fields=fields, share_as="percent", round_numbers=True
                )
                write_csv(shown, tmp, formula_guard=formula_guard)
            else:
                _write_parquet(table, tmp, lang=lang, fields=fields)
    return paths


def write_table(
    table: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    name: str | None = None,
    lang: Lang = "zh",
    about: About | None = None,
    fields: Mapping[str, Field] | None = None,
    formula_guard: bool = True,
    caller: str = "write_table",
) -> Path:
    """Write one table in the format its extension names, atomically.

    ``.xlsx``, ``.csv``, ``.gpkg`` or ``.parquet``; see :func:`write_tables`.

    Parameters
    ----------
    table
        The result to write (a GeoDataFrame keeps its geometry in ``.gpkg``/``.parquet``).
    path
        The output file.
    name
        Sheet or layer name (default: the file's stem).
    lang, about, fields, formula_guard, caller
        As in :func:`write_tables`.

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> import tempfile
    >>> t = pd.DataFrame({"parcel_id": ["P1"], "land_area_mu": [15.0], "route": ["acquisition"]})
    >>> out = write_table(t, Path(tempfile.mkdtemp()) / "bank.csv")
    >>> print(out.read_text(encoding="utf-8-sig"))  # doctest: +NORMALIZE_WHITESPACE
    宗地编号,用地面积（亩）,再开发路径,再开发路径代码
    P1,15.0,收购储备,acquisition
    """
    target = Path(path)
    return write_tables(
        {name or target.stem: table},
        target,
        lang=lang,
        about=about,
        fields=fields,
        formula_guard=formula_guard,
        caller=caller,
    )[0]


def _alias(spec: ColumnSpec, lang: Lang) -> str:
    """Return a GeoPackage field's alias: its header, a share marked as a fraction (0–1)."""
    header = spec.field.header(lang)
    return (
        f"{header}（0–1）"
        if spec.unit == "share" and lang == "zh"
        else (f"{header} (0-1)" if spec.unit == "share" else header)
    )


def _write_gpkg(
    tables: Mapping[str, pd.DataFrame],
    target: Path,
    *,
    lang: Lang,
    fields: Mapping[str, Field] | None,
    caller: str,
    notice: str | None = None,
) -> Path:
    """Write the layers with aliases and QGIS styles; an example notice as their description."""
    layers: dict[str, pd.DataFrame] = {}
    aliases: dict[str, dict[str, str]] = {}
    for name, table in tables.items():
        shown, specs = present(table, lang=lang, fields=fields, headers=False)
        aliases[name] = {spec.name: _alias(spec, lang) for spec in specs}
        if isinstance(table, gpd.GeoDataFrame):
            shown = gpd.GeoDataFrame(shown, geometry=table.geometry.to_numpy(), crs=table.crs)
        layers[name] = shown
    with atomic_path(target, keep_existing=True) as tmp:
        write_layers(layers, tmp)
        for name, layer in layers.items():
            if isinstance(layer, gpd.GeoDataFrame):
                style_gpkg_layer(tmp, name, frame=layer, lang=lang, aliases=aliases[name])
        if notice:  # shown by QGIS as the layer's abstract (gpkg_contents.description)
            with closing(sqlite3.connect(tmp)) as db, db:
                db.executemany(
                    "UPDATE gpkg_contents SET description = ? WHERE table_name = ?",
                    [(notice, name) for name in layers],
                )
    return target


def _write_parquet(
    table: pd.DataFrame, path: Path, *, lang: Lang, fields: Mapping[str, Field] | None
) -> None:
    shown, _ = present(table, lang=lang, fields=fields, headers=False)
    if isinstance(table, gpd.GeoDataFrame):
        gpd.GeoDataFrame(shown, geometry=table.geometry.to_numpy(), crs=table.crs).to_parquet(path)
    else:
        shown.to_parquet(path)
