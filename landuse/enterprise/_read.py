"""Reading enterprise-year tables (企业亩均效益数据) as the tax, statistics and power bureaus send them.

The shared reader body of :mod:`landuse.io` (:func:`landuse.io.read_layer`) loads the rows, maps
the Chinese headers, converts units written in brackets, coerces values and refuses text in
number columns. This module adds what enterprise tables need on top: every money, energy,
emissions and electricity column must state its unit (never assumed), electricity in kWh or
万kWh, the 规上/规下 flag as a boolean, the full GB/T 4754 industry code as text, the year from
``year=`` when the table has none, and the credit codes checked with their check character and
unique per year.
"""

from __future__ import annotations

import dataclasses
import numbers
import os
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import pandas as pd

from landuse import schema
from landuse.enterprise._credit import describe_problems, find_problems, normalise_codes
from landuse.errors import LanduseWarning, SchemaError, format_ids
from landuse.io import ReadReport, read_layer

__all__ = ["ELECTRICITY_UNITS", "ENTERPRISES", "OnInvalid", "read_enterprises"]

OnInvalid = Literal["raise", "coerce"]
_ERRORS = ("raise", "coerce")
#: The industry code is read under this name and renamed afterwards: the shared reader cuts a
#: column called ``industry_code`` to its 2-digit division, enterprise tables keep the full code.
_INDUSTRY = "industry_code_gbt4754"
_ELECTRICITY = "electricity_kwh"

#: Units of electricity use and their factor to kWh (千瓦时, also written 度).
ELECTRICITY_UNITS: dict[str, float] = {
    "千瓦时": 1.0,
    "kwh": 1.0,
    "度": 1.0,
    "万千瓦时": 1e4,
    "万kwh": 1e4,
    "万度": 1e4,
    "亿千瓦时": 1e8,
    "亿kwh": 1e8,
    "兆瓦时": 1e3,
    "mwh": 1e3,
}


def column(
    name: str, kind: schema.Kind, unit: str | None, label: str, *aliases: str
) -> schema.Column:
    """Return a layer column whose Chinese label is also its first alias."""
    return schema.Column(name, kind, unit, label, (label, *aliases))


_col = column


#: The enterprise-year table: one row per enterprise (credit code) and year.
ENTERPRISES = schema.Layer(
    name="enterprises",
    label_zh="企业",
    id_column=None,
    required=("credit_code", "year"),
    unique=("credit_code", "year"),
    geometry=None,
    columns=(
        _col("credit_code", "str", None, "统一社会信用代码", "社会信用代码", "信用代码",
             "统一代码", "纳税人识别号", "uscc", "credit_code"),
        _col("year", "int", "年", "年度", "年份", "统计年度", "year"),
        _col("name", "str", None, "企业名称", "单位名称", "纳税人名称", "公司名称", "企业",
             "enterprise", "company", "name"),
        _col("above_scale", "str", None, "规上/规下", "规上规下", "是否规上", "是否规上企业",
             "是否规模以上", "规模以上", "规上企业", "above_scale"),
        _col(_INDUSTRY, "str", None, "行业代码", "国民经济行业代码", "行业分类代码",
             "所属行业代码", "industry_code", "industry"),
        _col("tax_wan", "float", "万元", "税收", "实缴税金", "实缴税收", "税收总额", "纳税额",
             "税收收入", "tax"),
        _col("revenue_wan", "float", "万元", "主营业务收入", "销售收入", "营业收入", "revenue"),
        _col("value_added_wan", "float", "万元", "工业增加值", "增加值", "value_added"),
        _col("energy_tce", "float", "tce", "综合能耗", "能耗", "综合能源消费量", "energy"),
        _col("emissions_t", "float", "t", "主要污染物排放量", "排放", "排放量", "污染物排放量",
             "emissions"),
        _col("rd_spend_wan", "float", "万元", "研发经费", "研发经费支出", "研发投入", "rd_wan",
             "r&d", "rd"),
        _col("employees", "float", "人", "从业人员", "年平均职工人数", "职工人数",
             "年平均从业人员数", "从业人数", "employees"),
        _col(_ELECTRICITY, "float", None, "用电量", "全年用电量", "用电", "electricity"),
        _col("registered_on", "date", None, "成立日期", "注册日期", "登记日期", "设立日期",
             "成立时间", "注册时间", "registered_on"),
    ),
)  # fmt: skip

_TRUE = {"是", "规上", "规上企业", "规模以上", "规模以上企业", "y", "yes", "true", "1", "√"}
_FALSE = {"否", "规下", "规下企业", "规模以下", "规模以下企业", "n", "no", "false", "0", "×"}


def _needs_unit(col: schema.Column) -> bool:
    """Money, energy, emissions and electricity: values that come in units differing by a factor."""
    return col.name == _ELECTRICITY or schema.has_unit_choice(col)


# --- phases -----------------------------------------------------------------------------------


_EXCEL = {".xlsx", ".xlsm", ".xls"}
#: How many rows above the header a title (``2023年度规上工业企业亩均效益评价表``) may take.
_TITLE_ROWS = 10


def _load_excel(source: object, sheet: str | int | None) -> tuple[object, int]:
    """Read an Excel sheet as text-preserving objects, its header found under any title rows.

    Return the rows (or ``source`` unchanged if it is not an Excel file) and the 0-based row of
    the header: the first of the top rows with a cell naming the credit code (统一社会信用代码
    …), else the first row. Refuse ``sheet=`` for anything but an Excel file.
    """
    if not isinstance(source, (str, os.PathLike)) or Path(source).suffix.lower() not in _EXCEL:
        if sheet is not None:
            what = source if isinstance(source, (str, os.PathLike)) else type(source).__name__
            msg = f"`sheet` passed to read_enterprises() is for Excel files; the source is {what}."
            raise ValueError(msg)
        return source, 0
    path = Path(source)
    if not path.exists():
        msg = f"cannot read enterprises: no file at {str(path)!r}."
        raise FileNotFoundError(msg)
    name = 0 if sheet is None else sheet
    top = pd.read_excel(path, sheet_name=name, header=None, nrows=_TITLE_ROWS, dtype=object)
    keys = {schema.normalise_key(a) for a in ENTERPRISES.column("credit_code").aliases}
    header = next(
        (
            int(i)
            for i, row in top.iterrows()
            if any(schema.normalise_key(str(v)) in keys for v in row if pd.notna(v))
        ),
        0,
    )
    return pd.read_excel(path, sheet_name=name, header=header, dtype=object), header


def _power_keys(units: Mapping[str, str], columns: Mapping[str, str]) -> set[str]:
    """Keys of ``units=`` that name the electricity column (the shared reader has no kWh)."""
    aliases = {schema.normalise_key(a) for a in ENTERPRISES.column(_ELECTRICITY).aliases}
    return {
        k
        for k in units
        if k == _ELECTRICITY
        or columns.get(k) == _ELECTRICITY
        or (k not in columns and schema.normalise_key(k) in aliases)
    }


def _check_units(
    frame: pd.DataFrame, report: ReadReport, units: Mapping[str, str]
) -> dict[str, str]:
    """Refuse unit-bearing columns whose unit is stated nowhere; return the electricity unit.

    A unit is stated by the canonical name itself (``tax_wan``), in brackets in the header
    (``税收（元）``) or by ``units=`` (keyed by the header or the canonical column).
    """
    source_of = {target: src for src, target in report.columns.items()}
    missing: list[tuple[str, schema.Column]] = []
    power: dict[str, str] = {}
    for col in ENTERPRISES.columns:
        if col.name not in frame.columns or not _needs_unit(col):
            continue
        src = source_of.get(col.name, col.name)
        unit = units.get(src) or units.get(col.name) or schema.split_unit(src)[1]
        if unit is None and src == col.name:
            unit = "kWh" if col.name == _ELECTRICITY else col.unit
        if unit is None:
            missing.append((src, col))
        elif col.name == _ELECTRICITY:
            power = {src: unit}
    if missing:
        listed = "; ".join(
            f"{src!r} (`{col.name}`, e.g. {_unit_choices(col)})" for src, col in missing
        )
        example = {src: (col.unit if col.unit else "千瓦时") for src, col in missing[:2]}
        msg = (
            f"enterprises ({report.source}): no unit is stated for {listed}. Money, energy, "
            "emissions and electricity come in units that differ by a factor (元 or 万元, "
            "千瓦时 or 万千瓦时), and landuse never assumes one. Write the unit in the header "
            f"(e.g. '{missing[0][0]}（{example[missing[0][0]]}）') or pass units={example!r}."
        )
        raise SchemaError(msg)
    return power


def _unit_choices(col: schema.Column) -> str:
    if col.name == _ELECTRICITY:
        return "千瓦时 or 万千瓦时"
    factors = schema.unit_factors(col)
    others = [u for u, f in factors.items() if f != 1.0 and not u.isascii()]
    return " or ".join([str(col.unit), *others[:2]])


def _electricity(frame: pd.DataFrame, report: ReadReport, power: dict[str, str]) -> pd.DataFrame:
    """Convert electricity use to kWh from the unit stated for it."""
    if not power:
        return frame
    ((src, unit),) = power.items()
    key = str(unit).strip().lower().replace(" ", "")
    factor = ELECTRICITY_UNITS.get(key)
    if factor is None:
        msg = (
            f"enterprises ({report.source}): electricity use {src!r} is given in {unit!r}, "
            f"which landuse cannot convert to kWh. Known units: {', '.join(ELECTRICITY_UNITS)}."
        )
        raise SchemaError(msg)
    if factor != 1.0:
        frame[_ELECTRICITY] = frame[_ELECTRICITY] * factor
        report.units[_ELECTRICITY] = factor
    return frame


def _industry(frame: pd.DataFrame, report: ReadReport) -> pd.DataFrame:
    """Keep the full GB/T 4754 code as text (``C3670``, ``0610``) under ``industry_code``."""
    if _INDUSTRY not in frame.columns:
        return frame
    text = frame[_INDUSTRY].str.translate({0xFF01 + i: 0x21 + i for i in range(94)})
    frame[_INDUSTRY] = text.str.replace(r"\s+", "", regex=True).str.upper()
    report.columns = {
        src: ("industry_code" if target == _INDUSTRY else target)
        for src, target in report.columns.items()
    }
    return frame.rename(columns={_INDUSTRY: "industry_code"})


def _above_scale(frame: pd.DataFrame, report: ReadReport, errors: OnInvalid) -> pd.DataFrame:
    """Read 规上/规下, 是/否, Y/N, 1/0, True/False as a boolean."""
    if "above_scale" not in frame.columns:
        return frame
    text = frame["above_scale"].str.strip().str.lower()
    flag = pd.Series(pd.NA, index=frame.index, dtype="boolean")
    flag[text.isin(_TRUE).fillna(False)] = True
    flag[text.isin(_FALSE).fillna(False)] = False
    bad = text.notna() & flag.isna()
    if bad.any():
        examples = ", ".join(repr(v) for v in frame.loc[bad, "above_scale"].unique()[:3])
        msg = (
            f"enterprises ({report.source}): {int(bad.sum())} of {len(frame)} values of "
            f"`above_scale` (规上/规下) are not 规上/规下, 是/否, Y/N, 1/0 (e.g. {examples}; rows "
            f"{format_ids(frame.index[bad])})"
        )
        if errors == "raise":
            msg += ". Fix them in the source, or pass errors='coerce' to treat them as missing."
            raise SchemaError(msg)
        warnings.warn(msg + "; set to missing (errors='coerce').", LanduseWarning, stacklevel=4)
        report.coerced["above_scale"] = frame.index[bad].tolist()
    frame["above_scale"] = flag
    return frame


def _years(frame: pd.DataFrame, year: int | None, report: ReadReport) -> pd.DataFrame:
    """Take the year from ``year=`` when the table has none; else keep the rows of that year."""
    if year is None:
        return frame
    if isinstance(year, bool) or not isinstance(year, numbers.Integral):
        msg = (
            f"`year` passed to read_enterprises() must be a whole year such as 2023; got {year!r}."
        )
        raise TypeError(msg)
    year = int(year)
    if "year" not in frame.columns:
        frame.insert(1, "year", pd.array([year] * len(frame), dtype="Int64"))
        report.notes.append(f"year {year} from year=")
        return frame
    keep = frame["year"].isna() | (frame["year"] == year)
    if not keep.any():
        found = sorted(int(y) for y in frame["year"].dropna().unique())
        msg = (
            f"enterprises ({report.source}) have no rows of year {year}; the table holds "
            f"years {', '.join(map(str, found))}. Pass one of them, or year=None for all."
        )
        raise SchemaError(msg)
    blank = int(frame["year"].isna().sum())
    if blank:
        report.notes.append(f"{blank} rows without a year taken as {year} (year=)")
    if (~keep).any():
        report.notes.append(f"{int((~keep).sum())} rows of other years left out (year={year})")
    frame = frame.loc[keep].copy()
    frame["year"] = frame["year"].fillna(year)
    return frame


def checked_codes(
    frame: pd.DataFrame,
    report: ReadReport,
    errors: OnInvalid,
    *,
    column: str = "credit_code",
    names: str = "name",
    layer: str = "enterprises",
    fix: str = (
        "Check them against the business licence (a wrong check character usually means one "
        "mistyped character) and fix the source"
    ),
) -> pd.DataFrame:
    """Normalise ``column``'s codes; refuse bad ones (or, with ``errors="coerce"``, drop rows).

    Shared by the enterprise and tenancy readers; ``names`` labels the offending rows.
    """
    raw = frame[column]
    codes = normalise_codes(raw)
    problems = find_problems(raw, codes)
    frame[column] = codes
    if problems.empty:
        return frame
    labels = frame[names] if names in frame.columns else None
    text = describe_problems(problems, total=len(frame), labels=labels)
    if errors == "raise":
        msg = (
            f"{layer} ({report.source}): {text}. {fix}, or pass errors='coerce' to leave those "
            "rows out; landuse.enterprise.validate_credit_code(codes, errors='report') lists "
            "every problem."
        )
        raise SchemaError(msg)
    warnings.warn(
        f"{layer} ({report.source}): {text}; those rows were left out (errors='coerce').",
        LanduseWarning,
        stacklevel=4,
    )
    report.dropped = [*report.dropped, *problems.index.tolist()]
    report.notes.append(f"{len(problems)} rows with a bad credit code left out")
    return frame.drop(index=problems.index)


def _check_unique(frame: pd.DataFrame, report: ReadReport) -> None:
    """Refuse a (credit code, year) pair given on more than one row, naming pairs and rows."""
    dup = frame.duplicated(["credit_code", "year"], keep=False)
    if not dup.any():
        return
    groups = frame.loc[dup].groupby(["credit_code", "year"], sort=False).groups
    shown = [f"{code} / {yr} (rows {format_ids(rows)})" for (code, yr), rows in groups.items()]
    msg = (
        f"enterprises ({report.source}): each enterprise may have one row per year, but "
        f"{len(groups)} (credit_code, year) pairs occur on more than one row ({int(dup.sum())} "
        f"rows): {format_ids(shown)}. Remove the duplicates, or add up the figures of one "
        "enterprise first if the bureau lists its establishments separately."
    )
    raise SchemaError(msg)


# --- the reader -------------------------------------------------------------------------------


def read_enterprises(
    path_or_frame: str | os.PathLike[str] | pd.DataFrame,
    *,
    year: int | None = None,
    sheet: str | int | None = None,
    units: Mapping[str, str] | None = None,
    columns: Mapping[str, str] | None = None,
    encoding: str | None = None,
    errors: OnInvalid = "raise",
) -> pd.DataFrame:
    """Read an enterprise-year table (企业亩均效益数据): one row per enterprise and year.

    Reads the tables the tax, statistics, power and environment bureaus send, with their
    Chinese headers and the unit in brackets: 统一社会信用代码 (``credit_code``), 企业名称
    (``name``), 规上/规下 or 是否规上 (``above_scale``), 行业代码 (``industry_code``), 年度/年份
    (``year``), 税收/实缴税金 (``tax_wan``), 主营业务收入/销售收入 (``revenue_wan``), 工业增加值
    (``value_added_wan``), 综合能耗 (``energy_tce``), 排放/主要污染物排放量 (``emissions_t``),
    研发经费 (``rd_spend_wan``), 从业人员/年平均职工人数 (``employees``), 用电量
    (``electricity_kwh``) and 注册日期/成立日期 (``registered_on``). Other fields are kept under
    their own names.

    Units are converted to the canonical unit of each column: money to 万元 (``税收（元）`` ÷ 10⁴,
    千元, 亿元), energy to tonnes of standard coal (吨标准煤, 万吨标准煤), emissions to tonnes,
    electricity to kWh (千瓦时/度, 万千瓦时). A money, energy, emissions or electricity column
    whose unit is stated nowhere is refused, never assumed.

    Parameters
    ----------
    path_or_frame
        An Excel file (.xlsx), a CSV file (UTF-8 with or without BOM, or GBK/GB18030:
        detected), or a DataFrame with the bureau's headers.
    year
        The year of a table that has no year column (every row gets it). If the table has
        one, only the rows of this year are kept (rows with a blank year are taken to be of
        it). ``None`` (default): the table must have a year column.
    sheet
        Excel sheet name or index (default: the first sheet). Title rows above the header
        (``2023年度规上工业企业亩均效益评价表``) are skipped: the header is the first of the top
        10 rows with a cell naming the credit code.
    units
        Units of headers that do not carry one in brackets, ``{header or canonical column:
        unit}``, e.g. ``{"税收": "万元", "用电量": "万千瓦时"}``.
    columns
        Extra header mapping ``{header: canonical column}`` for names landuse does not know,
        e.g. ``{"纳税总额": "tax_wan"}`` (then state its unit with ``units=``).
    encoding
        CSV encoding, overriding the detection.
    errors
        ``"raise"`` (default) on values that cannot be read, or ``"coerce"``: text in number
        columns and unknown 规上/规下 values become missing, rows with a bad credit code are
        left out, each with a :class:`~landuse.errors.LanduseWarning`.

    Returns
    -------
    pandas.DataFrame
        One row per enterprise and year, numbered 0…n-1 in the source's order, with
        ``credit_code`` (normalised text) and ``year`` (``Int64``) as columns; use
        ``.set_index(["credit_code", "year"])`` for keyed access. Money in 万元 (``_wan``),
        energy in tce, emissions in t, electricity in kWh, ``above_scale`` boolean,
        ``industry_code`` the full GB/T 4754 code as text (leading zeros kept where the source
        kept them as text: a number cell of Excel has lost them), ``registered_on``
        ``datetime64``. ``.attrs["landuse_read"]`` holds the :class:`~landuse.io.ReadReport`:
        source and encoding, ``columns`` (header → column), ``units`` (column → factor applied),
        rows left out and notes.

    Raises
    ------
    SchemaError
        Missing ``credit_code`` (or ``year`` without ``year=``), listing the headers found;
        a money/energy/emissions/electricity column without a unit; text in a number column
        (naming the rows); bad credit codes (count, rows, what is wrong, the check character
        expected); a (credit code, year) pair on more than one row.
    FileNotFoundError
        No file at the path.

    See Also
    --------
    validate_credit_code : the credit code check on its own.
    landuse.io.read_zone_stats : the zone-level statistics table.

    Notes
    -----
    Rows named in messages are counted from 0 at the first row under the header, as pandas
    counts them: row 0 is line 2 of a CSV file or of an Excel sheet. Where a number column is
    wrong the message names the row by its credit code and year instead.

    The result keeps ``credit_code`` and ``year`` as columns, like the other table readers
    (:func:`landuse.io.read_zone_stats`), so that it can be filtered, merged and written as it
    is; the analyses of enterprises index their own results by credit code.

    Examples
    --------
    >>> import pandas as pd
    >>> from landuse.enterprise import read_enterprises
    >>> raw = pd.DataFrame({
    ...     "统一社会信用代码": ["91330201ma282uf146", "91330401MA28ADM67R"],
    ...     "企业名称": ["宁波甲公司", "嘉兴乙公司"],
    ...     "是否规上": ["是", "否"],
    ...     "行业代码": ["C3670", "0610"],
    ...     "税收（元）": ["1,234,500", "80000"],
    ...     "用电量（万千瓦时）": [12.5, 0.8],
    ... })
    >>> firms = read_enterprises(raw, year=2023)
    >>> firms[["credit_code", "year", "above_scale", "tax_wan", "electricity_kwh"]]
              credit_code  year  above_scale  tax_wan  electricity_kwh
    0  91330201MA282UF146  2023         True   123.45         125000.0
    1  91330401MA28ADM67R  2023        False     8.00           8000.0
    >>> firms["industry_code"].tolist()
    ['C3670', '0610']

    A money column without a unit is refused:

    >>> read_enterprises(raw.rename(columns={"税收（元）": "税收"}), year=2023)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    landuse.errors.SchemaError: enterprises (<DataFrame>): no unit is stated for '税收' (`tax_wan`, e.g. 万元 or 元 or 亿元). ...
    """
    if errors not in _ERRORS:
        msg = (
            f"`errors` passed to read_enterprises() must be 'raise' or 'coerce'; "
            f"received {errors!r}."
        )
        raise ValueError(msg)
    stated = dict(units or {})
    power = _power_keys(stated, dict(columns or {}))
    spec = ENTERPRISES
    if year is not None:  # the year may come from year=; (code, year) is checked below
        spec = dataclasses.replace(ENTERPRISES, required=("credit_code",), unique=())
    rows, header = _load_excel(path_or_frame, sheet)
    frame = read_layer(
        rows,
        spec,
        caller="read_enterprises",
        columns=columns,
        encoding=encoding,
        on_invalid=errors,
        units={k: v for k, v in stated.items() if k not in power},
    )
    report: ReadReport = frame.attrs["landuse_read"]
    if rows is not path_or_frame:  # an Excel sheet read here
        report.source = f"{path_or_frame}" + ("" if sheet is None else f" (sheet {sheet!r})")
        if header:
            report.notes.append(f"header in row {header + 1} (title rows above it skipped)")
    frame = _electricity(frame, report, _check_units(frame, report, stated))
    frame = _industry(frame, report)
    frame = _above_scale(frame, report, errors)
    frame = _years(frame, year, report)
    frame = checked_codes(frame, report, errors)
    _check_unique(frame, report)
    frame = frame.reset_index(drop=True)
    report.rows_kept = len(frame)
    frame.attrs["landuse_read"] = report
    return frame
