"""Reading tenancy tables (租赁情况表): which enterprise rents floor space or land on which parcel.

The shared reader body of :mod:`landuse.io` (:func:`landuse.io.read_layer`) loads the rows, maps
the Chinese headers, converts areas written with a unit in brackets (``租赁用地面积（亩）``) and
parses the dates. This module adds the tenancy rules: the tenant's credit code checked with its
check character, at least one rented area (negative ones are refused by the shared reader),
no tenancy ending before it starts, and one row per (tenant, parcel, start date).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from landuse import schema
from landuse.enterprise._read import OnInvalid, checked_codes
from landuse.enterprise._read import column as _col
from landuse.errors import LanduseWarning, SchemaError, format_ids
from landuse.io import ReadReport, read_layer, to_date

__all__ = ["TENANCIES", "read_tenancies"]

_ERRORS = ("raise", "coerce")
_AREAS = ("rented_floor_m2", "rented_land_m2")


#: The tenancy table: one row per tenant, parcel and tenancy (start date).
TENANCIES = schema.Layer(
    name="tenancies",
    label_zh="租赁",
    id_column=None,
    required=("tenant_code", "parcel_id"),
    geometry=None,
    columns=(
        _col("tenant_code", "str", None, "承租企业统一社会信用代码", "承租方统一社会信用代码",
             "承租人统一社会信用代码", "承租企业信用代码", "承租方信用代码", "统一社会信用代码",
             "tenant_code", "tenant"),
        _col("tenant_name", "str", None, "承租企业名称", "承租企业", "承租方", "承租人",
             "承租单位", "企业名称", "tenant_name"),
        _col("parcel_id", "str", None, "宗地编号", "宗地代码", "地块编号", "不动产单元号",
             "parcel_id", "parcel"),
        _col("rented_floor_m2", "float", "m²", "租赁建筑面积", "承租建筑面积", "租赁厂房面积",
             "出租建筑面积", "rented_floor"),
        _col("rented_land_m2", "float", "m²", "租赁用地面积", "承租用地面积", "租赁土地面积",
             "出租用地面积", "rented_land"),
        _col("start", "date", None, "起租日期", "租赁起始日期", "租赁开始日期", "租期起",
             "start_date", "start"),
        _col("end", "str", None, "到期日期", "租赁到期日期", "租赁截止日期", "租期止",
             "end_date", "end"),
    ),
)  # fmt: skip

_EXCEL = {".xlsx", ".xlsm", ".xls"}
#: How many rows above the header a title (``2023年度企业租赁情况表``) may take.
_TITLE_ROWS = 10


def _load_excel(source: object, sheet: str | int | None) -> tuple[object, int]:
    """Read an Excel sheet as objects, the header found under any title rows.

    The header is the first of the top rows with a cell naming the tenant's code or the parcel
    (``承租企业统一社会信用代码``, ``宗地编号`` …), else the first row.
    """
    if not isinstance(source, (str, os.PathLike)) or Path(source).suffix.lower() not in _EXCEL:
        if sheet is not None:
            what = source if isinstance(source, (str, os.PathLike)) else type(source).__name__
            msg = f"`sheet` passed to read_tenancies() is for Excel files; the source is {what}."
            raise ValueError(msg)
        return source, 0
    path = Path(source)
    if not path.exists():
        msg = f"cannot read tenancies: no file at {str(path)!r}."
        raise FileNotFoundError(msg)
    name = 0 if sheet is None else sheet
    top = pd.read_excel(path, sheet_name=name, header=None, nrows=_TITLE_ROWS, dtype=object)
    keys = {
        schema.normalise_key(a)
        for col in ("tenant_code", "parcel_id")
        for a in TENANCIES.column(col).aliases
    }
    header = next(
        (
            int(i)
            for i, row in top.iterrows()
            if any(schema.normalise_key(str(v)) in keys for v in row if pd.notna(v))
        ),
        0,
    )
    return pd.read_excel(path, sheet_name=name, header=header, dtype=object), header


#: End-date words of a tenancy without an end (and the 9999-… dates registers use for it).
OPEN_ENDS: frozenset[str] = frozenset(
    {"长期", "长期有效", "无固定期限", "无期限", "不定期", "永久", "至今", "open", "indefinite"}
)


def _end_dates(frame: pd.DataFrame, report: ReadReport, errors: str) -> pd.DataFrame:
    """Read the end dates: 长期 / 无固定期限 / 9999-12-31 … are open (missing), noted.

    Any other value that is not a date is refused (``errors="raise"``), naming the rows, or set
    missing and listed in ``report.coerced`` (``"coerce"``).
    """
    if "end" not in frame.columns:
        return frame
    text = frame["end"].astype("str").str.strip()
    open_ = (text.str.lower().isin(OPEN_ENDS) | text.str.match(r"^9999\D?")).to_numpy(
        dtype=bool, na_value=False
    )
    dates, bad = to_date(frame["end"].mask(open_))
    bad = bad.to_numpy(dtype=bool) & ~open_
    if bad.any():
        rows = frame.index[bad]
        if errors == "raise":
            shown = ", ".join(repr(v) for v in pd.unique(frame["end"][bad])[:5])
            msg = (
                f"tenancies ({report.source}): `end` (到期日期): {int(bad.sum())} of "
                f"{len(frame)} values are not dates (e.g. {shown}; rows {format_ids(rows)}). "
                "Write dates as yyyy-mm-dd, or 长期 / 无固定期限 for a tenancy without an end; "
                "or pass errors='coerce' to treat them as missing."
            )
            raise SchemaError(msg)
        report.coerced["end"] = [str(r) for r in rows]
        warnings.warn(
            f"read_tenancies(): `end` (到期日期): {int(bad.sum())} values are not dates and were "
            f"set missing (open-ended), rows {format_ids(rows)}.",
            LanduseWarning,
            stacklevel=3,
        )
    if open_.any():
        words = "、".join(sorted({str(v) for v in text[open_]}))
        report.notes.append(
            f"{int(open_.sum())} tenancies have no end date ({words}): read as open-ended"
        )
    frame = frame.copy()
    frame["end"] = dates.where(~pd.Series(bad | open_, index=frame.index))
    return frame


def _check_values(frame: pd.DataFrame, report: ReadReport) -> None:
    """Refuse a table without rented areas, rows without a parcel, and ends before starts."""
    where = f"tenancies ({report.source})"
    if not any(c in frame.columns for c in _AREAS):
        found = ", ".join(map(str, report.columns)) or "(none)"
        msg = (
            f"{where} have no rented area: give 租赁建筑面积（m²） (`rented_floor_m2`) and/or "
            f"租赁用地面积（m²） (`rented_land_m2`). Fields read: {found}."
        )
        raise SchemaError(msg)
    problems = []
    blank = frame["parcel_id"].isna()
    if blank.any():
        rows = frame.index[blank]
        problems.append(f"{len(rows)} rows have no `parcel_id` (宗地编号) ({format_ids(rows)})")
    if {"start", "end"} <= set(frame.columns):
        back = frame["end"] < frame["start"]
        if back.any():
            rows = frame.index[back]
            problems.append(
                f"the end date is before the start in {len(rows)} rows ({format_ids(rows)})"
            )
    if problems:
        msg = f"{where}: {'; '.join(problems)}. Fix the source."
        raise SchemaError(msg)


def _show(value: object) -> str:
    """Show a key value in a message: a date as ``2021-01-01``, a missing one as ``-``."""
    if pd.isna(value):  # type: ignore[call-overload]
        return "-"
    return value.strftime("%Y-%m-%d") if isinstance(value, pd.Timestamp) else str(value)


def _check_unique(frame: pd.DataFrame, report: ReadReport) -> None:
    """Refuse a (tenant, parcel, start) given on more than one row, naming them and the rows."""
    keys = ["tenant_code", "parcel_id"] + (["start"] if "start" in frame.columns else [])
    dup = frame.duplicated(keys, keep=False)
    if not dup.any():
        return
    groups = frame.loc[dup].groupby(keys, sort=False, dropna=False).groups
    shown = [
        f"{' / '.join(map(_show, key))} (rows {format_ids(rows)})" for key, rows in groups.items()
    ]
    msg = (
        f"tenancies ({report.source}): each tenancy (tenant, parcel, start date) may be given "
        f"once, but {len(groups)} occur on more than one row ({int(dup.sum())} rows): "
        f"{format_ids(shown)}. Remove the duplicates, or add up the areas of one tenancy first."
    )
    raise SchemaError(msg)


def read_tenancies(
    path_or_frame: str | os.PathLike[str] | pd.DataFrame,
    *,
    sheet: str | int | None = None,
    units: Mapping[str, str] | None = None,
    columns: Mapping[str, str] | None = None,
    encoding: str | None = None,
    errors: OnInvalid = "raise",
) -> pd.DataFrame:
    """Read a tenancy table (租赁情况表): which enterprise rents space on which parcel, and when.

    Reads the tables with the Chinese headers the bureaus use: 承租企业统一社会信用代码
    (``tenant_code``), 承租企业名称 (``tenant_name``), 宗地编号 (``parcel_id``), 租赁建筑面积
    (``rented_floor_m2``), 租赁用地面积 (``rented_land_m2``), 起租日期 (``start``) and 到期日期
    (``end``). Other fields are kept under their own names. The result goes to
    :func:`enterprise_land` as ``tenancies=``.

    Areas are converted to m² from the unit written in brackets (``租赁用地面积（亩）`` × 10000/15,
    ``（公顷）`` × 10⁴); a header without a unit is read in m², as :mod:`landuse.io` reads areas
    (a shapefile field whose unit was cut off is refused, never assumed).

    Parameters
    ----------
    path_or_frame
        An Excel file (.xlsx), a CSV file (UTF-8 with or without BOM, or GBK/GB18030:
        detected), or a DataFrame with the bureau's headers.
    sheet
        Excel sheet name or index (default: the first sheet). Title rows above the header are
        skipped: the header is the first of the top 10 rows naming the tenant's code or the
        parcel.
    units
        Units of headers that do not carry one in brackets, ``{header or canonical column:
        unit}``, e.g. ``{"租赁用地面积": "亩"}``.
    columns
        Extra header mapping ``{header: canonical column}`` for names landuse does not know,
        e.g. ``{"承租方代码": "tenant_code"}``.
    encoding
        CSV encoding, overriding the detection.
    errors
        ``"raise"`` (default) on values that cannot be read, or ``"coerce"``: text in number
        or date columns becomes missing and rows with a bad credit code are left out, each
        with a :class:`~landuse.errors.LanduseWarning`.

    Returns
    -------
    pandas.DataFrame
        One row per tenancy, numbered 0…n-1 in the source's order: ``tenant_code``
        (normalised), ``parcel_id`` (text), ``rented_floor_m2`` and/or ``rented_land_m2`` (m²),
        ``start`` and ``end`` (``datetime64``; missing means open: an end of 长期, 长期有效,
        无固定期限, 无期限, 不定期, 永久, 至今 or a 9999-… date is read as open, noted in the
        report). ``.attrs["landuse_read"]``
        holds the :class:`~landuse.io.ReadReport`.

    Raises
    ------
    SchemaError
        Missing ``tenant_code`` or ``parcel_id`` (listing the headers found); neither rented
        area; text in a number or date column (naming the rows); bad credit codes (count,
        rows, what is wrong, the check character expected); a negative area; an end date
        before the start; a (tenant, parcel, start) on more than one row.
    FileNotFoundError
        No file at the path.

    See Also
    --------
    enterprise_land : the land of each enterprise, owned and rented.
    read_enterprises : the enterprise-year table.

    Notes
    -----
    A tenancy counts for a year if it overlaps that calendar year; a missing start or end
    leaves that side open. Rows are counted from 0 at the first row under the header.

    Examples
    --------
    >>> import pandas as pd
    >>> from landuse.enterprise import read_tenancies
    >>> raw = pd.DataFrame({
    ...     "承租企业统一社会信用代码": ["91330201ma282uf146", "91330401MA28ADM67R"],
    ...     "宗地编号": ["P1", "P1"],
    ...     "租赁建筑面积（m²）": ["2,000", "1000"],
    ...     "租赁用地面积（亩）": [None, 1.5],
    ...     "起租日期": ["2021/1/1", "2022年7月1日"],
    ...     "到期日期": ["2025-12-31", None],
    ... })
    >>> leases = read_tenancies(raw)
    >>> leases[["tenant_code", "parcel_id", "rented_floor_m2", "rented_land_m2"]]
              tenant_code parcel_id  rented_floor_m2  rented_land_m2
    0  91330201MA282UF146        P1           2000.0             NaN
    1  91330401MA28ADM67R        P1           1000.0          1000.0
    >>> leases["start"].dt.strftime("%Y-%m-%d").tolist()
    ['2021-01-01', '2022-07-01']
    """
    if errors not in _ERRORS:
        msg = (
            f"`errors` passed to read_tenancies() must be 'raise' or 'coerce'; received {errors!r}."
        )
        raise ValueError(msg)
    rows, header = _load_excel(path_or_frame, sheet)
    frame = read_layer(
        rows,
        TENANCIES,
        caller="read_tenancies",
        columns=columns,
        encoding=encoding,
        on_invalid=errors,
        units=units,
    )
    report: ReadReport = frame.attrs["landuse_read"]
    if rows is not path_or_frame:  # an Excel sheet read here
        report.source = f"{path_or_frame}" + ("" if sheet is None else f" (sheet {sheet!r})")
        if header:
            report.notes.append(f"header in row {header + 1} (title rows above it skipped)")
    frame = _end_dates(frame, report, errors)
    _check_values(frame, report)
    frame = checked_codes(
        frame,
        report,
        errors,
        column="tenant_code",
        names="tenant_name",
        layer="tenancies",
        fix="Check them against the tenant's business licence and fix the source",
    )
    _check_unique(frame, report)
    frame = frame.reset_index(drop=True)
    report.rows_kept = len(frame)
    frame.attrs["landuse_read"] = report
    return frame
