"""One rule per output sink: how text that came from data leaves landuse.

Data files come from enterprises, districts and contractors; any field may hold hostile or odd
text. Every writer in landuse sends such text through the rule of its sink, defined here once:

========== ====================================================================================
sink       rule
========== ====================================================================================
HTML       :func:`html_text`: escaped as text (``&<>"'``); never passed through a template
           engine (Jinja2/branca) after landuse built it, never inserted with ``innerHTML``
           unescaped. The text a reader sees equals the input.
JSON in    :func:`script_json`: JSON with ``<``, ``>``, ``&``, U+2028/9 escaped, safe inside a
``<script>`` ``<script type="application/json">`` element.
Excel      :func:`excel_text_cells`: every text cell is a string cell (``t="s"``/inline), never a
           formula, whatever its first character; the cell shows the input exactly.
CSV        :func:`csv_guard`: the OWASP rule against formula injection: a text cell starting
           with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'``
           (``formula_guard=False`` writes text unchanged, for machine readers). Numbers are
           never changed.
SQL        bound parameters only (``%s`` with psycopg, ``?`` with sqlite3); identifiers through
           ``psycopg.sql.Identifier``. No text from data is ever formatted into a statement.
terminal   :func:`terminal_text`: control characters (C0 except newline, DEL, C1) and the
           Unicode bidirectional overrides are shown as visible escapes (``\\x1b``, ``\\u202e``),
           so a value cannot move the cursor, recolour the screen or reorder a line.
secrets    :func:`redact_dsn`: a password in a connection string (``user:pw@`` or
           ``?password=``) is replaced by ``***`` wherever the string could be shown.
========== ====================================================================================

``SECURITY.md`` at the top of the repository describes the threat model.
"""

from __future__ import annotations

import html
import json
import re
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from landuse._atomic import atomic_path
from landuse.errors import LanduseWarning

__all__ = [
    "CSV_FORMULA_PREFIXES",
    "ExcelBook",
    "csv_guard",
    "excel_text",
    "excel_text_cells",
    "excel_workbook",
    "gpkg_text",
    "html_text",
    "redact_dsn",
    "script_json",
    "terminal_text",
    "write_csv",
]

#: First characters that make a spreadsheet read a CSV cell as a formula (OWASP, "CSV Injection").
CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PREFIXES = pa.array(CSV_FORMULA_PREFIXES, type=pa.string())

# C0 controls but newline, DEL, C1 controls, and the bidi embedding/override/isolate characters.
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def html_text(value: Any) -> str:
    """Return ``value`` as HTML text: it displays as itself and is never markup.

    Parameters
    ----------
    value
        Anything; ``None`` becomes the empty string, other values their ``str``.

    Returns
    -------
    str
        The text with ``& < > " '`` escaped.

    Examples
    --------
    >>> html_text('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    >>> html_text("{{ 7*7 }}")
    '{{ 7*7 }}'
    """
    return "" if value is None else html.escape(str(value), quote=True)


def script_json(obj: Any) -> str:
    """Return JSON that is safe inside a ``<script>`` element (no ``</script>``, no comment open).

    A lone surrogate (text decoded with ``surrogateescape``, which UTF-8 cannot encode) is
    written as its JSON escape (``\\udc80``), so the page can be saved and the string parsed
    back is the one given.

    Examples
    --------
    >>> script_json({"name": "</script><script>alert(1)</script>"})
    '{"name":"\\\\u003c/script\\\\u003e\\\\u003cscript\\\\u003ealert(1)\\\\u003c/script\\\\u003e"}'
    >>> json.loads(script_json(["a&b", "\\u2028"])) == ["a&b", "\\u2028"]
    True
    >>> script_json(["\\udc80"])
    '["\\\\udc80"]'
    """
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
        .encode("utf-8", "backslashreplace")  # lone surrogates -> \udXXX, a JSON escape
        .decode("utf-8")
    )


def excel_text_cells(workbook: Any) -> int:
    """Make every formula cell of an openpyxl workbook a string cell holding the same text.

    openpyxl (and so ``DataFrame.to_excel``) stores any string that starts with ``=`` as a
    formula, and text such as ``#N/A`` or ``#REF!`` as an error value. landuse writes neither,
    so every such cell came from data: it is turned back into the literal text the data held. Call it on a workbook after writing and before
    saving (``pd.ExcelWriter(...).book``).

    Parameters
    ----------
    workbook
        An ``openpyxl.Workbook``.

    Returns
    -------
    int
        How many cells were turned back into text.

    Examples
    --------
    >>> import openpyxl
    >>> wb = openpyxl.Workbook()
    >>> wb.active["A1"] = '=HYPERLINK("http://x.example","click")'
    >>> wb.active["A1"].data_type
    'f'
    >>> excel_text_cells(wb)
    1
    >>> wb.active["A1"].data_type, wb.active["A1"].value
    ('s', '=HYPERLINK("http://x.example","click")')
    """
    changed = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type in ("f", "e"):  # formula, or error text such as "#N/A"
                    cell.data_type = "s"
                    changed += 1
    return changed


def _text_columns(frame: pd.DataFrame) -> Iterator[tuple[int, Any, np.ndarray]]:
    """(position, name, values as objects) of each column that can hold text."""
    for i, column in enumerate(frame.columns):
        dtype = frame.dtypes.iloc[i]
        if (
            pd.api.types.is_object_dtype(dtype)
            or pd.api.types.is_string_dtype(dtype)
            or isinstance(dtype, pd.CategoricalDtype)
        ):
            yield i, column, frame.iloc[:, i].astype(object).to_numpy()


def _formula_starts(texts: np.ndarray) -> np.ndarray:
    """Whether each text starts with a formula prefix (Arrow; Python for lone surrogates)."""
    try:
        firsts = pc.utf8_slice_codeunits(pa.array(texts, type=pa.string()), 0, 1)
    except (UnicodeEncodeError, pa.ArrowInvalid):  # a lone surrogate is not UTF-8
        return np.fromiter((t.startswith(CSV_FORMULA_PREFIXES) for t in texts), bool, len(texts))
    return pc.is_in(firsts, value_set=_PREFIXES).to_numpy(zero_copy_only=False)


def _guard_value(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(CSV_FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_guard(frame: pd.DataFrame, *, formula_guard: bool = True) -> pd.DataFrame:
    """Return a copy of ``frame`` whose text cells cannot start a spreadsheet formula.

    The OWASP rule for CSV files that people open in Excel or LibreOffice: a text cell
    beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
    apostrophe, so the program shows it as text. Numeric columns are never changed (a
    negative number stays a number). Column names are guarded the same way.

    Parameters
    ----------
    frame
        The table about to be written.
    formula_guard
        ``False`` returns ``frame`` unchanged: for CSV read by programs, not people.

    Returns
    -------
    pandas.DataFrame
        The guarded copy (or ``frame`` itself when nothing needed guarding).

    Examples
    --------
    >>> t = pd.DataFrame({"name": ["=1+1", "-x", "a-b", "宗地"], "v": [-1.0, 2.0, 3.0, 4.0]})
    >>> csv_guard(t).name.tolist()
    ["'=1+1", "'-x", 'a-b', '宗地']
    >>> csv_guard(t).v.tolist()
    [-1.0, 2.0, 3.0, 4.0]
    >>> csv_guard(t, formula_guard=False) is t
    True
    """
    if not formula_guard:
        return frame
    out = None
    for i, column, values in _text_columns(frame):
        series = frame.iloc[:, i]
        if isinstance(series.dtype, pd.StringDtype):
            texts = series.notna().to_numpy(dtype=bool)  # every present value is a str
        else:
            texts = _text_mask(values)
        if not texts.any():
            continue
        # one pass over the first characters (long texts are not copied once per prefix)
        starts = np.zeros(len(values), dtype=bool)
        starts[texts] = _formula_starts(values[texts])
        if not starts.any():
            continue
        if out is None:
            out = frame.copy()
        fixed = values.copy()
        fixed[starts] = ["'" + v for v in values[starts]]
        dtype = object if isinstance(series.dtype, pd.CategoricalDtype) else series.dtype
        out.isetitem(i, pd.Series(fixed, index=frame.index, name=column, dtype=object).astype(dtype))
    columns = [_guard_value(c) for c in frame.columns]
    if columns != list(frame.columns):
        out = (frame if out is None else out).copy()
        out.columns = columns
    return frame if out is None else out


# Characters XML 1.0 (and so an .xlsx file) cannot hold at all; openpyxl raises on the C0 ones
# and writes U+FFFE/U+FFFF into a workbook that no program can open.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# NUL ends a text value in GDAL (the rest is lost); a lone surrogate is not UTF-8.
_GPKG_ILLEGAL = re.compile("[\x00\ud800-\udfff]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _text_mask(values: np.ndarray) -> np.ndarray:
    return np.fromiter((isinstance(v, str) for v in values), bool, len(values))


def _fix_text_cells(
    frame: pd.DataFrame, pattern: re.Pattern[str], *, crlf: bool = False
) -> tuple[pd.DataFrame, int, list[str]]:
    """Escape ``pattern`` visibly in every text cell, column name and index value of ``frame``.

    With ``crlf``, line breaks ``\\r\\n`` and ``\\r`` become ``\\n`` first. Returns the copy,
    how many cells held an escaped character, and the columns they were in.
    """
    out = frame.copy()
    count = 0
    where: list[str] = []

    def fix(values: np.ndarray) -> tuple[np.ndarray, int]:
        texts = _text_mask(values)
        if not texts.any():
            return values, 0
        strings = pd.Series(values[texts], dtype=object)
        if crlf:
            strings = strings.str.replace("\r\n?", "\n", regex=True)
        bad = strings.str.contains(pattern, regex=True).to_numpy(dtype=bool)
        if bad.any():
            strings[bad] = strings[bad].str.replace(pattern, _visible, regex=True)
        fixed = values.copy()
        fixed[texts] = strings.to_numpy()
        return fixed, int(bad.sum())

    for i, column, values in _text_columns(frame):
        fixed, n = fix(values)
        if n or crlf:
            out.isetitem(i, pd.Series(fixed, index=frame.index, name=column))
        if n:
            count += n
            where.append(str(column))
    names, n = fix(np.asarray(list(frame.columns), dtype=object))
    if n:
        count += n
        where.append("(column names)")
    out.columns = list(names)
    if not isinstance(frame.index, pd.MultiIndex) and pd.api.types.is_object_dtype(frame.index):
        labels, n = fix(frame.index.to_numpy(dtype=object))
        if n:
            count += n
            where.append("(row labels)")
        out.index = pd.Index(labels, name=frame.index.name)
    return out, count, where


def excel_text(frame: pd.DataFrame, *, caller: str) -> pd.DataFrame:
    """Return a copy of ``frame`` whose text an Excel workbook can hold exactly.

    Call it on each table before ``to_excel`` (and :func:`excel_text_cells` on the workbook
    before saving). Two things in text cannot be stored in an ``.xlsx`` file as they are:

    - line breaks ``\\r\\n`` and a lone ``\\r`` are stored as ``\\n`` (what Excel stores for
      a line break in a cell; the XML format turns a raw ``\\r`` into ``\\n`` anyway);
    - control characters XML cannot hold (C0 except tab and line breaks, lone surrogates,
      U+FFFE, U+FFFF) are written as visible escapes (``\\x00``, ``\\ufffe``) with a
      :class:`~landuse.errors.LanduseWarning` saying how many cells and which columns.
      Nothing is dropped silently.

    Every other character (tab, bidi marks, CJK, emoji, quotes, ``=``…) is kept as is.

    Parameters
    ----------
    frame
        A table about to be written to Excel (its column names and row labels are fixed too).
    caller
        The public writer, named in the warning.

    Returns
    -------
    pandas.DataFrame
        The copy.

    Examples
    --------
    >>> t = pd.DataFrame({"name": ["a\\r\\nb", "=1+1"]})
    >>> excel_text(t, caller="demo").name.tolist()
    ['a\\nb', '=1+1']
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     excel_text(pd.DataFrame({"name": ["A\\x00B"]}), caller="demo").name.tolist()
    ['A\\\\x00B']
    >>> print(w[0].message)  # doctest: +ELLIPSIS
    demo: 1 text cell(s) hold control characters an Excel file cannot store (column name)...
    """
    out, count, where = _fix_text_cells(frame, _XML_ILLEGAL, crlf=True)
    if count:
        _warn_escaped(caller, count, where, "an Excel file")
    return out


class ExcelBook:
    """A workbook being written by :func:`excel_workbook`; add sheets with :meth:`add`."""

    def __init__(self, writer: pd.ExcelWriter, caller: str) -> None:
        self.writer = writer
        self.caller = caller

    @property
    def book(self) -> Any:
        """The openpyxl workbook (for formatting after the sheets are added)."""
        return self.writer.book

    def add(
        self,
        frame: pd.DataFrame,
        sheet: str,
        *,
        index: bool = False,
        freeze_panes: tuple[int, int] | None = None,
    ) -> Any:
        """Write ``frame`` to a new sheet through :func:`excel_text`; return the worksheet."""
        excel_text(frame, caller=self.caller).to_excel(
            self.writer, sheet_name=sheet, index=index, freeze_panes=freeze_panes
        )
        return self.writer.sheets[sheet]


@contextmanager
def excel_workbook(path: Any, *, caller: str) -> Iterator[ExcelBook]:
    """Write an Excel workbook by the rule of the Excel sink, atomically.

    Every sheet goes through :func:`excel_text` (characters a workbook cannot hold become
    visible escapes, with a warning) and, before saving, :func:`excel_text_cells` (text is
    never a formula). The file appears at ``path`` only when the block succeeds; on any error
    the previous file stays as it was.

    Parameters
    ----------
    path
        The ``.xlsx`` file to write.
    caller
        The public writer, named in warnings.

    Examples
    --------
    >>> import tempfile, pathlib, openpyxl
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "t.xlsx"
    >>> with excel_workbook(out, caller="demo") as book:
    ...     _ = book.add(pd.DataFrame({"企业名称": ["=1+1"]}), "表")
    >>> cell = openpyxl.load_workbook(out)["表"]["A2"]
    >>> cell.data_type, cell.value
    ('s', '=1+1')
    """
    with atomic_path(path) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        yield ExcelBook(writer, caller)
        excel_text_cells(writer.book)


def gpkg_text(frame: pd.DataFrame, *, caller: str) -> pd.DataFrame:
    """Return a copy of ``frame`` whose text a GeoPackage (GDAL) stores exactly.

    GDAL ends a text value at a NUL character (the rest would be lost silently) and writes
    UTF-8, which cannot hold a lone surrogate. Such characters are written as visible escapes
    (``\\x00``, ``\\udc80``) with a :class:`~landuse.errors.LanduseWarning`; every other
    text round-trips unchanged.

    Examples
    --------
    >>> gpkg_text(pd.DataFrame({"name": ["宗地 1", "a\\tb"]}), caller="demo").name.tolist()
    ['宗地 1', 'a\\tb']
    """
    out, count, where = _fix_text_cells(frame, _GPKG_ILLEGAL)
    if count:
        _warn_escaped(caller, count, where, "a GeoPackage")
    return out if count else frame


def _warn_escaped(caller: str, count: int, where: list[str], sink: str) -> None:
    msg = (
        f"{caller}: {count} text cell(s) hold control characters {sink} cannot store "
        f"(column {', '.join(where)}); they are written as visible escapes such as \\x00. "
        "Clean the source data if they should not be there."
    )
    warnings.warn(msg, LanduseWarning, stacklevel=4)


def write_csv(
    frame: pd.DataFrame,
    path: Any,
    *,
    index: bool = False,
    formula_guard: bool = True,
) -> None:
    """Write ``frame`` as a CSV file people open in Excel: the rule of the CSV sink.

    UTF-8 with a byte-order mark (Excel then reads Chinese text right), CRLF line ends (so a
    line break inside a value is always quoted and cannot split a row), :func:`csv_guard`
    on text cells, column names and row labels (``formula_guard=False`` turns it off), and a
    character UTF-8 cannot hold (a lone surrogate) written as a visible ``\\udc80`` escape.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> write_csv(pd.DataFrame({"name": ["=1+1", "a\\rb"]}), out)
    >>> pd.read_csv(out, encoding="utf-8-sig").name.tolist()
    ["'=1+1", 'a\\rb']
    """
    if index:
        frame = frame.reset_index(names=["" if n is None else n for n in frame.index.names])
    csv_guard(frame, formula_guard=formula_guard).to_csv(
        path, index=False, encoding="utf-8-sig", lineterminator="\r\n", errors="backslashreplace"
    )


def terminal_text(value: Any) -> str:
    """Return ``value`` as text safe to print: control characters become visible escapes.

    Examples
    --------
    >>> terminal_text("P1\\x1b[2J")
    'P1\\\\x1b[2J'
    >>> terminal_text("abc\\u202edef")
    'abc\\\\u202edef'
    >>> terminal_text("宗地 1\\n宗地 2")
    '宗地 1\\n宗地 2'
    """
    text = "" if value is None else str(value)

    def _escape(match: re.Match[str]) -> str:
        ch = match.group(0)
        code = ord(ch)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _CONTROL.sub(_escape, text)


_PASSWORD_KEYS = {"password", "passwd", "pwd"}
_KEYWORD_PASSWORD = re.compile(r"""(?i)\b(password|passwd|pwd)\s*=\s*('(?:[^'\\]|\\.)*'|\S+)""")


def redact_dsn(dsn: str) -> str:
    """Return a connection string with any password replaced by ``***``.

    Handles URLs (``postgresql://user:pw@host/db``, ``…?password=pw``) and keyword strings
    (``host=h password=pw dbname=d``). Text that is not a DSN is returned unchanged.

    Examples
    --------
    >>> redact_dsn("postgresql://bank:s3cret@db.example:5432/landuse")
    'postgresql://bank:***@db.example:5432/landuse'
    >>> redact_dsn("postgresql://bank@db/landuse?sslmode=require&password=s3cret")
    'postgresql://bank@db/landuse?sslmode=require&password=***'
    >>> redact_dsn("host=db dbname=landuse password='a b' user=bank")
    'host=db dbname=landuse password=*** user=bank'
    >>> redact_dsn("bank.gpkg")
    'bank.gpkg'
    """
    text = str(dsn)
    if "://" in text:
        try:
            parts = urlsplit(text)
            netloc = parts.netloc
        except ValueError:
            return _KEYWORD_PASSWORD.sub(lambda m: f"{m.group(1)}=***", re.sub(r":[^:@/]*@", ":***@", text))
        if "@" in netloc:
            userinfo, _, hostport = netloc.rpartition("@")
            if ":" in userinfo:
                userinfo = userinfo.split(":", 1)[0] + ":***"
            netloc = f"{userinfo}@{hostport}"
        query = parts.query
        if query:
            pairs = parse_qsl(query, keep_blank_values=True)
            if any(k.lower() in _PASSWORD_KEYS for k, _ in pairs):
                query = urlencode(
                    [(k, "***" if k.lower() in _PASSWORD_KEYS else v) for k, v in pairs], safe="*"
                )
        return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    return _KEYWORD_PASSWORD.sub(lambda m: f"{m.group(1)}=***", text)


def redact_all(text: str, secrets: Iterable[str]) -> str:
    """Replace every occurrence of each non-empty secret in ``text`` by ``***``.

    For error messages from drivers that may quote a connection string back.

    Examples
    --------
    >>> redact_all("could not connect as bank with s3cret", ["s3cret", ""])
    'could not connect as bank with ***'
    """
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text
