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
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np
import pandas as pd

__all__ = [
    "CSV_FORMULA_PREFIXES",
    "csv_guard",
    "excel_text_cells",
    "html_text",
    "redact_dsn",
    "script_json",
    "terminal_text",
]

#: First characters that make a spreadsheet read a CSV cell as a formula (OWASP, "CSV Injection").
CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

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

    Examples
    --------
    >>> script_json({"name": "</script><script>alert(1)</script>"})
    '{"name":"\\\\u003c/script\\\\u003e\\\\u003cscript\\\\u003ealert(1)\\\\u003c/script\\\\u003e"}'
    >>> json.loads(script_json(["a&b", "\\u2028"])) == ["a&b", "\\u2028"]
    True
    """
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def excel_text_cells(workbook: Any) -> int:
    """Make every formula cell of an openpyxl workbook a string cell holding the same text.

    openpyxl (and so ``DataFrame.to_excel``) stores any string that starts with ``=`` as a
    formula. landuse never writes formulas, so every such cell came from data: it is turned
    back into the literal text the data held. Call it on a workbook after writing and before
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
                if cell.data_type == "f":
                    cell.data_type = "s"
                    changed += 1
    return changed


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
    for i, column in enumerate(frame.columns):
        series = frame.iloc[:, i]
        if not (
            pd.api.types.is_object_dtype(series.dtype)
            or pd.api.types.is_string_dtype(series.dtype)
            or isinstance(series.dtype, pd.CategoricalDtype)
        ):
            continue
        values = series.astype(object).to_numpy()
        texts = np.fromiter((isinstance(v, str) for v in values), bool, len(values))
        if not texts.any():
            continue
        starts = np.zeros(len(values), dtype=bool)
        starts[texts] = np.char.startswith(values[texts].astype(str), CSV_FORMULA_PREFIXES[0])
        for prefix in CSV_FORMULA_PREFIXES[1:]:
            starts[texts] |= np.char.startswith(values[texts].astype(str), prefix)
        if not starts.any():
            continue
        if out is None:
            out = frame.copy()
        fixed = values.copy()
        fixed[starts] = ["'" + v for v in values[starts]]
        dtype = object if isinstance(series.dtype, pd.CategoricalDtype) else series.dtype
        out.isetitem(i, pd.Series(fixed, index=frame.index, name=column).astype(dtype))
    columns = [_guard_value(c) for c in frame.columns]
    if columns != list(frame.columns):
        out = (frame if out is None else out).copy()
        out.columns = columns
    return frame if out is None else out


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
