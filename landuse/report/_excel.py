"""The one Excel style of landuse: every workbook any function or command writes.

Private: see :func:`landuse.report.write_table` and :func:`landuse.report.write_tables`.

Built on xlsxwriter: a styled, frozen header row with an autofilter; widths from the content
(CJK characters counted double); number formats by unit (shares as %, money with thousands
separators and the unit in the header, dates as dates, scores to one decimal); long text
wrapped; a 说明 sheet with the policy profile, the as-of date, the source files, the version
and what every column means. Text from data is always a string cell (never a formula, a URL
or a number), characters a workbook cannot hold are written as visible escapes with a warning
(:func:`landuse._sinks.excel_text`), and a text longer than an Excel cell holds is cut with
a warning.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter

from landuse._atomic import atomic_path
from landuse._checks import Lang
from landuse._sinks import excel_text
from landuse._version import __version__
from landuse.errors import LanduseWarning
from landuse.report._policy import resolve_output_policy
from landuse.report._present import ColumnSpec
from landuse.schema import UNITS

__all__ = ["About", "write_workbook"]

#: Excel's limit on the text in one cell.
MAX_CELL_TEXT = 32767
_MAX_WIDTH = 60
_MIN_WIDTH = 6
_WRAP_OVER = 40  # text columns wider than this are wrapped
_SAMPLE = 500  # rows looked at for widths
_HEADER = {
    "bold": True,
    "text_wrap": True,
    "valign": "vcenter",
    "align": "center",
    "bg_color": "#DDEBF7",
    "border": 1,
    "font_name": "微软雅黑",
}
_FONT = {"font_name": "微软雅黑", "valign": "top"}
#: The example-values notice: bold dark red on yellow, across the 说明 sheet's first row.
_NOTICE = {**_FONT, "bold": True, "font_color": "#9C0006", "bg_color": "#FFEB9C", "border": 1}
_DATE = "yyyy-mm-dd"
_DATETIME = "yyyy-mm-dd hh:mm"
_NUMBER = "#,##0.00##"  # a number whose unit nobody stated: 2 to 4 decimals


@dataclass(frozen=True)
class About:
    """What a workbook's 说明 (About) sheet says about the tables in it.

    Parameters
    ----------
    title
        What the workbook is (``"低效产业用地再开发项目库"``).
    policy
        The policy profile applied (a :class:`landuse.policy.Policy` or its name), if any.
    as_of
        The date the analysis refers to.
    sources
        The input files (paths or names).
    notes
        Further lines (how a figure was derived, what was not evaluated…).
    policy_keys
        Policy keys the tables were made with, besides those their ``attrs["policy_keys"]``
        record; listed with value, unit, source and confidence on the 政策参数 sheet.
    not_evaluated
        ``not_evaluated`` records besides the tables' ``attrs["not_evaluated"]``: a rule
        that asks to "set `section.key`" gets a "not evaluated" row on the 政策参数 sheet.
    """

    title: str = ""
    policy: Any = None
    as_of: Any = None
    sources: Sequence[str] = ()
    notes: Sequence[str] = field(default_factory=tuple)
    policy_keys: Sequence[str] = ()
    not_evaluated: Sequence[Any] = ()


def display_width(text: str) -> int:
    """Columns a text takes in Excel: CJK (wide and full-width) characters count double.

    Examples
    --------
    >>> display_width("企业名称"), display_width("abc")
    (8, 3)
    """
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _policy_text(policy: Any, lang: Lang) -> str:
    if policy is None:
        return ""
    policy = resolve_output_policy(policy) or policy
    name = getattr(policy, "name", None) or str(policy)
    desc = getattr(policy, "description", "") or ""
    chain = getattr(policy, "chain", None)
    parts = [str(name)]
    if chain and len(chain) > 1:
        parts.append(
            ("（继承 " if lang == "zh" else " (extends ")
            + " → ".join(map(str, chain[1:]))
            + ("）" if lang == "zh" else ")")
        )
    if desc:
        parts.append(("：" if lang == "zh" else ": ") + str(desc))
    return "".join(parts)


def _as_of_text(as_of: Any) -> str:
    if as_of is None or (isinstance(as_of, float) and np.isnan(as_of)):
        return ""
    try:
        return pd.Timestamp(as_of).strftime("%Y-%m-%d")
    except (TypeError, ValueError):
        return str(as_of)


class _Sheet:
    """Writes one table to one worksheet in the house style."""

    def __init__(self, book: Any, formats: dict[str, Any], caller: str) -> None:
        self.book = book
        self.formats = formats
        self.caller = caller
        self.cut = 0

    def _format(self, spec: ColumnSpec, *, wrap: bool) -> Any:
        if spec.kind == "date":
            key = _DATE
        elif spec.kind == "datetime":
            key = _DATETIME
        elif spec.kind == "number":
            if spec.unit == "percent":
                key = "0.00"
            else:
                key = UNITS[spec.unit][2] if spec.unit in UNITS else _NUMBER
        else:
            key = "@wrap" if wrap else "@"
        if key not in self.formats:
            props = dict(_FONT)
            if key == "@wrap":
                props["text_wrap"] = True
            elif key != "@":
                props["num_format"] = key
            self.formats[key] = self.book.add_format(props)
        return self.formats[key]

    def _string(self, ws: Any, row: int, col: int, text: str, fmt: Any) -> None:
        if len(text) > MAX_CELL_TEXT:
            self.cut += 1
            text = text[:MAX_CELL_TEXT]
        ws.write_string(row, col, text, fmt)

    def _column(self, ws: Any, col: int, values: pd.Series, spec: ColumnSpec, fmt: Any) -> None:
        if spec.kind == "number":
            nums = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            for row, v in enumerate(nums, start=1):
                if np.isfinite(v):
                    ws.write_number(row, col, float(v), fmt)
            return
        if spec.kind in ("date", "datetime"):
            stamps = pd.to_datetime(values, errors="coerce")
            if isinstance(stamps.dtype, pd.DatetimeTZDtype):
                stamps = stamps.dt.tz_convert(None)
            for row, v in enumerate(stamps, start=1):
                if not pd.isna(v):
                    ws.write_datetime(row, col, v.to_pydatetime(), fmt)
            return
        for row, v in enumerate(values.astype(object), start=1):
            if v is None or v is pd.NA or v == "" or (isinstance(v, float) and np.isnan(v)):
                continue  # an empty cell
            if isinstance(v, (dt.date, pd.Timestamp)):
                v = pd.Timestamp(v).isoformat()
            self._string(ws, row, col, str(v), fmt)

    def write(self, ws: Any, frame: pd.DataFrame, specs: Sequence[ColumnSpec]) -> None:
        header = self.formats["header"]
        frame = excel_text(frame, caller=self.caller)
        n = len(frame)
        for col, (spec, name) in enumerate(zip(specs, frame.columns, strict=True)):
            values = frame.iloc[:, col]
            width = display_width(str(name))
            if spec.kind == "text" or spec.kind == "code":
                sample = values.iloc[:_SAMPLE].dropna().astype(str)
                longest = max((display_width(s) for s in sample), default=0)
                width = max(width, longest)
            elif spec.kind in ("date", "datetime"):
                width = max(width, 10 if spec.kind == "date" else 16)
            else:
                width = max(width, 12)
            wrap = width > _WRAP_OVER and spec.kind == "text"
            fmt = self._format(spec, wrap=wrap)
            ws.set_column(col, col, min(max(width + 2, _MIN_WIDTH), _MAX_WIDTH), fmt)
            self._string(ws, 0, col, str(name), header)
            self._column(ws, col, values, spec, fmt)
        ws.set_row(0, 32)
        first_is_id = bool(specs) and specs[0].name.endswith("_id")
        ws.freeze_panes(1, 1 if first_is_id else 0)
        if len(specs):
            ws.autofilter(0, 0, max(n, 1), len(specs) - 1)


_ABOUT = {
    "zh": {
        "sheet": "说明",
        "item": "项目",
        "value": "内容",
        "title": "表格内容",
        "policy": "政策配置",
        "as_of": "基准日期",
        "sources": "数据来源",
        "made": "生成时间",
        "version": "软件版本",
        "notes": "备注",
        "params": "政策参数",
        "params_text": "见工作表“{sheet}”：{n} 项参数（取值、单位、来源、可信度）{unset}",
        "unset": "，其中 {m} 项未设置、相应规则未评价",
        "columns": "字段说明",
        "sheet_col": "工作表",
        "header": "列名",
        "code": "字段代码",
        "unit": "单位",
        "meaning": "取值说明",
    },
    "en": {
        "sheet": "About",
        "item": "Item",
        "value": "Value",
        "title": "Contents",
        "policy": "Policy profile",
        "as_of": "As of",
        "sources": "Sources",
        "made": "Written at",
        "version": "landuse version",
        "notes": "Notes",
        "params": "Policy parameters",
        "params_text": "see the sheet “{sheet}”: {n} parameters (value, unit, source, confidence){unset}",
        "unset": "; {m} not set, their rules not evaluated",
        "columns": "Columns",
        "sheet_col": "Sheet",
        "header": "Header",
        "code": "Field",
        "unit": "Unit",
        "meaning": "Values",
    },
}


def _about_rows(
    about: About, lang: Lang, parameters: tuple[str, pd.DataFrame] | None
) -> list[tuple[str, str]]:
    t = _ABOUT[lang]
    rows = [(t["title"], about.title)] if about.title else []
    if about.policy is not None:
        rows.append((t["policy"], _policy_text(about.policy, lang)))
    if parameters is not None:
        sheet, table = parameters
        unset = int(table.attrs.get("unset", 0))
        more = t["unset"].format(m=unset) if unset else ""
        rows.append((t["params"], t["params_text"].format(sheet=sheet, n=len(table), unset=more)))
    if about.as_of is not None:
        rows.append((t["as_of"], _as_of_text(about.as_of)))
    for i, src in enumerate(about.sources):
        rows.append((t["sources"] if i == 0 else "", str(src)))
    rows.append((t["made"], dt.datetime.now().strftime("%Y-%m-%d %H:%M")))
    rows.append((t["version"], f"landuse {__version__}"))
    for i, note in enumerate(about.notes):
        rows.append((t["notes"] if i == 0 else "", str(note)))
    return rows


def _unit_text(spec: ColumnSpec, lang: Lang) -> str:
    if spec.unit == "percent":
        return "%"
    if spec.unit in UNITS:
        return UNITS[spec.unit][0 if lang == "zh" else 1]
    return ""


def _write_text_table(
    writer: _Sheet, ws: Any, top: int, table: pd.DataFrame, header: Any, body: Any
) -> None:
    """Write a table of texts at row ``top``: its header row, then one row per record."""
    table = excel_text(table, caller=writer.caller)
    for col, name in enumerate(table.columns):
        writer._string(ws, top, col, str(name), header)
    for r, cells in enumerate(table.itertuples(index=False), start=top + 1):
        for col, text in enumerate(cells):
            if text is not None and text != "":
                writer._string(ws, r, col, str(text), body)


def _write_parameters(
    book: Any, formats: dict[str, Any], name: str, table: pd.DataFrame, caller: str
) -> None:
    """Write the 政策参数 sheet: key, value, unit, source, confidence and note of each key."""
    ws = book.add_worksheet(name)
    wrap = formats.setdefault("about", book.add_format({**_FONT, "text_wrap": True}))
    _write_text_table(_Sheet(book, formats, caller), ws, 0, table, formats["header"], wrap)
    for col, width in enumerate((40, 24, 24, 60, 16, 60)):
        ws.set_column(col, col, width)
    ws.set_row(0, 24)
    ws.freeze_panes(1, 1)
    if len(table):
        ws.autofilter(0, 0, len(table), len(table.columns) - 1)


def _write_about(
    book: Any,
    formats: dict[str, Any],
    about: About,
    sheets: Sequence[tuple[str, Sequence[ColumnSpec]]],
    lang: Lang,
    caller: str,
    *,
    notice: str | None = None,
    parameters: tuple[str, pd.DataFrame] | None = None,
) -> None:
    t = _ABOUT[lang]
    ws = book.add_worksheet(t["sheet"])
    writer = _Sheet(book, formats, caller)
    wrap = formats.setdefault("about", book.add_format({**_FONT, "text_wrap": True}))
    top = 0
    if notice:  # the example notice first, where nobody misses it
        loud = book.add_format({**_NOTICE, "text_wrap": True})
        ws.merge_range(0, 0, 0, 4, "", loud)
        writer._string(ws, 0, 0, notice, loud)
        ws.set_row(0, 48)
        top = 1
    rows = _about_rows(about, lang, parameters)
    table = pd.DataFrame(rows, columns=[t["item"], t["value"]])
    _write_text_table(writer, ws, top, table, formats["header"], wrap)
    start = top + len(rows) + 2
    heads = [t["sheet_col"], t["header"], t["code"], t["unit"], t["meaning"]]
    writer._string(ws, start, 0, t["columns"], formats["header"])
    for col, name in enumerate(heads):
        writer._string(ws, start + 1, col, name, formats["header"])
    dictionary = pd.DataFrame(
        [
            (sheet, spec.header, spec.name, _unit_text(spec, lang), spec.description)
            for sheet, specs in sheets
            for spec in specs
        ],
        columns=heads,
    )
    for r, cells in enumerate(excel_text(dictionary, caller=caller).itertuples(index=False)):
        for col, text in enumerate(cells):
            writer._string(ws, start + 2 + r, col, str(text), wrap)
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 60)
    ws.set_column(2, 2, 30)
    ws.set_column(3, 3, 12)
    ws.set_column(4, 4, 60)
    ws.freeze_panes(top + 1, 0)


def write_workbook(
    path: Path,
    sheets: Mapping[str, tuple[pd.DataFrame, Sequence[ColumnSpec]]],
    *,
    lang: Lang,
    about: About | None,
    caller: str,
    notice: str | None = None,
    parameters: tuple[str, pd.DataFrame] | None = None,
) -> Path:
    """Write presented tables (one sheet each) and the 说明 sheet to ``path``, atomically.

    ``notice`` (the example-values notice) heads the 说明 sheet, highlighted; ``parameters``
    (sheet name, table) is written as a sheet of its own before 说明.
    """
    options = {
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "remove_timezone": True,
        "nan_inf_to_errors": False,
    }
    cut = 0
    with atomic_path(path) as tmp:
        book = xlsxwriter.Workbook(str(tmp), options)
        try:
            formats: dict[str, Any] = {"header": book.add_format(_HEADER)}
            for name, (frame, specs) in sheets.items():
                writer = _Sheet(book, formats, caller)
                writer.write(book.add_worksheet(name), frame, specs)
                cut += writer.cut
            if parameters is not None:
                _write_parameters(book, formats, parameters[0], parameters[1], caller)
            _write_about(
                book,
                formats,
                about or About(),
                [(name, specs) for name, (_, specs) in sheets.items()],
                lang,
                caller,
                notice=notice,
                parameters=parameters,
            )
        finally:
            book.close()
    if cut:
        warnings.warn(
            f"{caller}: {cut} text cell(s) are longer than the {MAX_CELL_TEXT:,} characters an "
            f"Excel cell holds and were cut in {path.name}; write a .csv or .gpkg to keep them "
            "whole.",
            LanduseWarning,
            stacklevel=3,
        )
    return path
