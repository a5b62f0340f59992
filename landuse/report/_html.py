"""Building blocks of landuse's offline HTML pages (zone dossiers, the city report).

Private: the dossier pages (``landuse.report.dossier``) are assembled from these parts. Every
function returns a ``str`` of HTML. Text that came from data goes through the HTML sink
(:func:`landuse._sinks.html_text`): titles, labels, table headers and cells, notes and link
texts are always escaped. ``body`` arguments (of :func:`page`, :func:`section`) and the
``html_columns`` of :func:`table` are HTML that landuse built from these parts; they are
inserted as they are, so only the library may pass them, never text from data.

The page is self-contained: one file, its styles inlined, no web fonts, no request of any kind
(maps are iframes whose document is the offline map page, charts are inline SVG from
:mod:`landuse.report._svg`). It prints on A4 (``@page``), table headers repeat on each page.

CSS classes the page styles, for the parts that have no helper here:

================== ==================================================================
``header``         the page header (``<h1>`` and a ``<p class="muted">`` sub-title)
``nav``            links between pages; hidden when printed
``.charts``        a grid of small charts (``<div class="charts">`` around the ``<svg>``)
``.muted``         secondary text
``.no-print``      hidden when printed
``footer``         the page foot
================== ==================================================================
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import math
import numbers
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import folium
import numpy as np
import pandas as pd

from landuse._checks import Lang, check_lang
from landuse._sinks import html_text
from landuse.mapping import save_map

__all__ = [
    "FONT_STACK",
    "NOTE_KINDS",
    "data_value",
    "esc",
    "facts",
    "link",
    "map_frame",
    "note",
    "number_text",
    "page",
    "section",
    "table",
]

#: Fonts of every page and chart: CJK fonts found on Linux, Windows and macOS, no web font.
FONT_STACK = (
    '"Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Microsoft YaHei", '
    '"PingFang SC", "Hiragino Sans GB", sans-serif'
)
#: The kinds of :func:`note` (info: a remark; warning: a caveat; reason: why a part is empty).
NOTE_KINDS = ("info", "warning", "reason")
MISSING = "—"
_BOOL = {"zh": ("是", "否"), "en": ("yes", "no")}
_NO_DATA = {"zh": "无数据", "en": "no data"}
_HTML_LANG = {"zh": "zh-CN", "en": "en"}
#: Schemes a link may not have (they run code or embed a document when clicked).
_BAD_SCHEMES = ("javascript", "vbscript", "data")
_SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.\-]*):")
# what browsers drop from a URL before reading its scheme (so "java\tscript:" is javascript:)
_URL_IGNORED = re.compile(r"[\x00-\x20\x7f]")

_CSS = """
:root { --ink: #1f2933; --muted: #5f6b76; --line: #d9dee3; --zebra: #f5f7f9; --head: #eef1f4;
  --accent: #d6604d; --link: #2166ac; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0 auto; max-width: 1120px; padding: 24px 32px 48px; font-family: FONTS;
  font-size: 14px; line-height: 1.6; color: var(--ink); background: #fff; }
h1 { font-size: 24px; line-height: 1.3; margin: 0 0 4px; }
h2 { font-size: 18px; line-height: 1.3; margin: 28px 0 12px; padding-bottom: 4px;
  border-bottom: 2px solid var(--accent); }
h3 { font-size: 15px; margin: 18px 0 8px; }
p { margin: 6px 0; }
a { color: var(--link); text-decoration: none; }
a:hover { text-decoration: underline; }
header { border-bottom: 1px solid var(--line); padding-bottom: 12px; margin-bottom: 16px; }
.muted, header p { color: var(--muted); }
nav { font-size: 13px; margin: 0 0 16px; }
nav a { margin-right: 14px; }
footer { margin-top: 32px; padding-top: 8px; border-top: 1px solid var(--line); font-size: 12px;
  color: var(--muted); }
section { margin-bottom: 8px; }
.notice { margin: 0 0 16px; padding: 10px 14px; background: #fff3cd; border: 1px solid #e0b84c;
  border-left: 6px solid #d4a017; font-weight: 600; white-space: pre-line; }
.note { margin: 10px 0; padding: 8px 12px; background: #eef4fa; border-left: 4px solid #4575b4;
  white-space: pre-line; }
.note.warning { background: #fff6e5; border-left-color: #e08e0b; }
.note.reason { background: #f3f3f3; border-left-color: #878787; color: #3d4852; }
.table-wrap { overflow-x: auto; margin: 8px 0 16px; }
table.data { border-collapse: collapse; width: 100%; font-size: 13px;
  font-variant-numeric: tabular-nums; }
table.data caption { caption-side: top; text-align: left; font-weight: 600; padding: 4px 0; }
table.data th, table.data td { padding: 4px 8px; text-align: left; vertical-align: top;
  border-bottom: 1px solid var(--line); }
table.data td { min-width: 3.5em; overflow-wrap: anywhere; }
table.data thead th { background: var(--head); border-bottom: 2px solid #b8c0c8;
  vertical-align: bottom; overflow-wrap: anywhere; }
table.data tbody tr:nth-child(even) { background: var(--zebra); }
table.data .num { text-align: right; white-space: nowrap; }
table.data .code { white-space: nowrap; overflow-wrap: normal; }
table.data thead th.num { white-space: normal; }
table.data td.na { color: var(--muted); }
table.data td.empty { text-align: center; color: var(--muted); }
dl.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr));
  gap: 6px 24px; margin: 8px 0 16px; }
dl.facts > div { border-bottom: 1px dotted var(--line); padding-bottom: 2px; }
dl.facts dt { font-size: 12px; color: var(--muted); }
dl.facts dd { margin: 0; font-weight: 600; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 12px;
  margin: 8px 0 16px; }
.charts > * { min-width: 0; }
svg.chart { display: block; max-width: 100%; height: auto; }
figure { margin: 8px 0 16px; }
figcaption { font-size: 12px; color: var(--muted); margin-top: 4px; }
iframe.map { display: block; width: 100%; border: 1px solid var(--line); }
@page { size: A4; margin: 15mm }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  nav, .no-print { display: none !important; }
  a { color: inherit; }
  h1, h2, h3, caption { break-after: avoid; page-break-after: avoid; }
  tr, figure, svg, .note, .notice, dl.facts > div { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  tfoot { display: table-footer-group; }
  .table-wrap { overflow: visible; }
  table.data { font-size: 9pt; }
  iframe.map { height: 110mm !important; }
  .charts { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  .notice, .note, table.data thead th, table.data tbody tr { -webkit-print-color-adjust: exact;
    print-color-adjust: exact; }
}
""".replace("FONTS", FONT_STACK)


# --- values -----------------------------------------------------------------------------------


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.api.types.is_scalar(value) and pd.isna(value))
    except (TypeError, ValueError):
        return False


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def esc(value: Any) -> str:
    """Return ``value`` as HTML text (escaped); ``None`` and missing values give ``""``.

    Examples
    --------
    >>> esc('<script>alert("x")</script>')
    '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'
    >>> esc(None), esc(float("nan")), esc(3)
    ('', '', '3')
    """
    return "" if _missing(value) else html_text(value)


def number_text(value: Any, *, lang: Lang = "zh") -> str:
    """Return a value as a page shows it (plain text, not escaped).

    Integers with thousands separators; other numbers with thousands separators and up to two
    decimals (trailing zeros dropped, ``-0`` shown as ``0``); booleans 是/否 (``lang="en"``:
    yes/no); missing values ``—``; dates as ``YYYY-MM-DD``; anything else its ``str``.

    Examples
    --------
    >>> number_text(1234567.891), number_text(1234567), number_text(2.5), number_text(-0.001)
    ('1,234,567.89', '1,234,567', '2.5', '0')
    >>> number_text(True), number_text(False, lang="en"), number_text(None)
    ('是', 'no', '—')
    >>> number_text(pd.Timestamp("2021-12-31"))
    '2021-12-31'
    """
    if isinstance(value, (bool, np.bool_)):
        return _BOOL[lang][0 if value else 1]
    if _missing(value):
        return MISSING
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if _is_number(value):
        return _float_text(float(value))
    if isinstance(value, pd.Timestamp) and value == value.normalize() and value.tz is None:
        return value.strftime("%Y-%m-%d")
    if isinstance(value, (dt.date, np.datetime64)):
        return str(pd.Timestamp(value).date()) if not isinstance(value, dt.datetime) else str(value)
    return str(value)


def _float_text(v: float) -> str:
    if math.isinf(v):
        return "∞" if v > 0 else "-∞"
    text = f"{v:,.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def data_value(value: Any) -> str:
    """Return the exact number behind a shown number (``repr(float(v))``; ``""`` when missing).

    Examples
    --------
    >>> data_value(1234567.891), data_value(7), data_value(float("nan"))
    ('1234567.891', '7.0', '')
    """
    return "" if _missing(value) else repr(float(value))


def _cell(value: Any, numeric: bool, lang: Lang) -> str:
    """One ``<td>`` of a value that is not missing: a number right-aligned with its exact value."""
    if _is_number(value):
        return (
            f'<td class="num" data-value="{data_value(value)}">{number_text(value, lang=lang)}</td>'
        )
    return f"<td>{esc(number_text(value, lang=lang))}</td>"


_NUM_MISSING = f'<td class="num" data-value="">{MISSING}</td>'
_NA = f'<td class="na">{MISSING}</td>'
#: a code or an id (printable ASCII without spaces, short): kept on one line
_CODE = re.compile(r"[\x21-\x7e]{1,32}")


def _column(series: pd.Series, numeric: bool, lang: Lang, raw: bool) -> list[str]:
    """Return the ``<td>`` of each value of a column (missing as —; numbers with their value)."""
    missing = series.isna().to_numpy(dtype=bool)
    dtype = series.dtype
    if not raw and (pd.api.types.is_float_dtype(dtype) or pd.api.types.is_integer_dtype(dtype)):
        floats = series.to_numpy(dtype=float, na_value=np.nan).tolist()
        if pd.api.types.is_integer_dtype(dtype):
            ints = series.to_numpy(dtype=object)
            texts = ["" if m else f"{int(v):,}" for v, m in zip(ints, missing, strict=True)]
        else:
            texts = ["" if m else _float_text(v) for v, m in zip(floats, missing, strict=True)]
        return [
            _NUM_MISSING if m else f'<td class="num" data-value="{v!r}">{t}</td>'
            for v, m, t in zip(floats, missing, texts, strict=True)
        ]
    out = []
    for v, m in zip(series.to_numpy(dtype=object), missing, strict=True):
        if m:
            out.append(_NUM_MISSING if numeric else _NA)
        elif raw:
            out.append(f"<td>{v}</td>")
        elif type(v) is str:
            code = ' class="code"' if _CODE.fullmatch(v) else ""
            out.append(f"<td{code}>{html_text(v)}</td>")
        else:
            out.append(_cell(v, numeric, lang))
    return out


# --- parts ------------------------------------------------------------------------------------


def _label(name: Any) -> str:
    if isinstance(name, tuple):
        return " · ".join(str(part) for part in name if not _missing(part) and str(part))
    return "" if _missing(name) else str(name)


def table(
    frame: pd.DataFrame,
    *,
    caption: str | None = None,
    table_id: str | None = None,
    lang: Lang = "zh",
    index: bool = False,
    html_columns: Sequence[str] = (),
) -> str:
    """Return ``frame`` as an HTML table: every header and cell escaped, numbers formatted.

    Numeric cells (class ``num``, right-aligned) show :func:`number_text` and carry the exact
    value in ``data-value`` (:func:`data_value`), so a reader of the page (or a test) gets the
    numbers back. Booleans show as 是/否, missing values as — (class ``na``), an empty frame
    as one row "无数据" ("no data"). Codes and ids (short texts of printable ASCII without
    spaces, such as ``GY2022-010``; class ``code``) stay on one line; other text wraps, also
    inside long words, so a table fits the page width.

    Parameters
    ----------
    frame
        The table, with the column names to show (labels from the catalogue, e.g. through
        :func:`landuse.report.present`).
    caption
        Text above the table.
    table_id
        The ``id`` of the ``<table>`` (a link target).
    lang
        Language of 是/否 and "无数据".
    index
        Show the index as the first column (its name as the header).
    html_columns
        Columns whose values are HTML that landuse built (links from :func:`link`): inserted
        as they are. Only the library may name columns here, never for text from data.

    Returns
    -------
    str
        ``<div class="table-wrap"><table class="data">…</table></div>``.

    Examples
    --------
    >>> t = pd.DataFrame({"名称": ["<b>甲</b>"], "面积（亩）": [1234567.891], "达标": [True]})
    >>> print(table(t))  # doctest: +NORMALIZE_WHITESPACE
    <div class="table-wrap"><table class="data"><thead><tr><th scope="col">名称</th><th
    scope="col" class="num">面积（亩）</th><th scope="col">达标</th></tr></thead><tbody><tr><td>&lt;b&gt;甲&lt;/b&gt;</td><td
    class="num" data-value="1234567.891">1,234,567.89</td><td>是</td></tr></tbody></table></div>
    """
    lang = check_lang(lang, caller="table")
    if not isinstance(frame, pd.DataFrame):
        msg = f"table(): `frame` must be a pandas DataFrame; received {type(frame).__name__}."
        raise TypeError(msg)
    shown = frame.reset_index() if index else frame
    raw = set(html_columns)
    unknown = raw.difference(frame.columns)
    if unknown:
        msg = f"table(): `html_columns` names columns the frame does not have: {sorted(map(str, unknown))}."
        raise ValueError(msg)
    columns = []
    for i, name in enumerate(shown.columns):
        dtype = shown.dtypes.iloc[i]
        numeric = pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
        row_head = index and i < (shown.shape[1] - frame.shape[1])
        columns.append((name, numeric, row_head))
    num = ' class="num"'
    head = "".join(
        f'<th scope="col"{num if numeric else ""}>{esc(_label(name))}</th>'
        for name, numeric, _ in columns
    )
    cells: list[list[str]] = []
    for i, (name, numeric, row_head) in enumerate(columns):
        column = _column(shown.iloc[:, i], numeric, lang, not row_head and name in raw)
        if row_head:
            column = [
                c.replace("<td", '<th scope="row"', 1).replace("</td>", "</th>") for c in column
            ]
        cells.append(column)
    if len(shown):
        body = "".join("<tr>" + "".join(row) + "</tr>" for row in zip(*cells, strict=True))
    else:
        span = max(len(columns), 1)
        body = f'<tr><td class="empty" colspan="{span}">{_NO_DATA[lang]}</td></tr>'
    attrs = f' id="{esc(table_id)}"' if table_id else ""
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    thead = f"<thead><tr>{head}</tr></thead>" if columns else ""
    return f'<div class="table-wrap"><table class="data"{attrs}>{cap}{thead}<tbody>{body}</tbody></table></div>'


def section(title: str, body: str, *, section_id: str | None = None) -> str:
    """Return a ``<section>`` with an escaped ``<h2>`` title and ``body`` (HTML landuse built).

    Examples
    --------
    >>> section("一、概况 <1>", "<p>…</p>", section_id="overview")
    '<section id="overview"><h2>一、概况 &lt;1&gt;</h2><p>…</p></section>'
    """
    attrs = f' id="{esc(section_id)}"' if section_id else ""
    return f"<section{attrs}><h2>{esc(title)}</h2>{body}</section>"


def note(text: str, *, kind: str = "info") -> str:
    """Return a note box: ``info`` (a remark), ``warning`` (a caveat) or ``reason`` (why empty).

    The text is escaped; its line breaks are kept.

    Examples
    --------
    >>> note("无改造项目：<未申报>", kind="reason")
    '<div class="note reason" role="note">无改造项目：&lt;未申报&gt;</div>'
    """
    if kind not in NOTE_KINDS:
        msg = f"note(): `kind` must be one of {', '.join(NOTE_KINDS)}; received {kind!r}."
        raise ValueError(msg)
    return f'<div class="note {kind}" role="note">{esc(text)}</div>'


def link(href: str, text: str) -> str:
    """Return a link; ``href`` and ``text`` escaped, ``javascript:``/``vbscript:``/``data:`` refused.

    Raises
    ------
    ValueError
        If ``href`` has a scheme that runs code (whitespace and control characters inside the
        scheme, which browsers ignore, do not hide it).

    Examples
    --------
    >>> link("zone_QD01.html#bank", "即墨 & 城阳")
    '<a href="zone_QD01.html#bank">即墨 &amp; 城阳</a>'
    >>> link(" JavaScript:alert(1)", "x")
    Traceback (most recent call last):
    ...
    ValueError: link(): `href` with the scheme javascript: is refused (it would run code); received ' JavaScript:alert(1)'.
    """
    href = str(href)
    match = _SCHEME_RE.match(_URL_IGNORED.sub("", href).lower())
    if match and match.group(1) in _BAD_SCHEMES:
        msg = (
            f"link(): `href` with the scheme {match.group(1)}: is refused (it would run code); "
            f"received {href!r}."
        )
        raise ValueError(msg)
    return f'<a href="{esc(href)}">{esc(text)}</a>'


def facts(pairs: Sequence[tuple[str, Any]], *, lang: Lang = "zh") -> str:
    """Return label/value pairs as a ``<dl>`` (escaped; numbers as in :func:`table`).

    Examples
    --------
    >>> facts([("面积（亩）", 1234.5), ("主导产业", "汽车<整车>")])  # doctest: +NORMALIZE_WHITESPACE
    '<dl class="facts"><div><dt>面积（亩）</dt><dd class="num" data-value="1234.5">1,234.5</dd></div><div><dt>主导产业</dt><dd>汽车&lt;整车&gt;</dd></div></dl>'
    """
    lang = check_lang(lang, caller="facts")
    items = []
    for label, value in pairs:
        if _is_number(value):
            dd = f'<dd class="num" data-value="{data_value(value)}">{number_text(value, lang=lang)}</dd>'
        else:
            dd = f"<dd>{esc(number_text(value, lang=lang))}</dd>"
        items.append(f"<div><dt>{esc(label)}</dt>{dd}</div>")
    return f'<dl class="facts">{"".join(items)}</dl>'


def map_frame(m: folium.Map, *, height: int = 420, title: str | None = None) -> str:
    """Return a map as an ``<iframe srcdoc>`` holding its offline page (Leaflet inlined).

    The document is what :func:`landuse.mapping.save_map` writes with ``offline=True`` (so
    the map draws with no network; basemap tiles, if the map has any, still need one),
    attribute-escaped into ``srcdoc``. The iframe is sandboxed to scripts only (its document
    gets an origin of its own). Printed, it is 110 mm high.

    Parameters
    ----------
    m
        A ``folium.Map`` (every landuse ``map_*`` returns one, an ``OfflineMap``); not changed.
    height
        Height on screen, in CSS pixels.
    title
        The iframe's accessible title and a caption under it.

    Raises
    ------
    LanduseError
        If the map holds a plugin whose files cannot be inlined (see ``save_map``).

    Examples
    --------
    >>> import landuse
    >>> from landuse.mapping import map_zones
    >>> frame = map_frame(map_zones(landuse.load_sample().zones, basemap=None), title="集聚区")
    >>> frame.startswith('<figure class="map"><iframe class="map" title="集聚区" srcdoc="&lt;!DOCTYPE html&gt;')
    True
    """
    if not isinstance(m, folium.Map):
        msg = f"map_frame(): `m` must be a folium.Map; received {type(m).__name__}."
        raise TypeError(msg)
    if isinstance(height, bool) or not isinstance(height, numbers.Integral) or height <= 0:
        msg = f"map_frame(): `height` must be a positive number of pixels; received {height!r}."
        raise ValueError(msg)
    with tempfile.TemporaryDirectory(prefix="landuse-map-") as folder:
        doc = save_map(m, Path(folder) / "map.html", offline=True).read_text(encoding="utf-8")
    label = f' title="{esc(title)}"' if title else ""
    frame = (
        f'<iframe class="map"{label} srcdoc="{html_lib.escape(doc, quote=True)}" '
        f'sandbox="allow-scripts" style="height:{int(height)}px"></iframe>'
    )
    caption = f"<figcaption>{esc(title)}</figcaption>" if title else ""
    return f'<figure class="map">{frame}{caption}</figure>'


def page(title: str, body: str, *, lang: Lang = "zh", notice: str | None = None) -> str:
    r"""Return a complete HTML5 document: styles inlined, CJK fonts, an A4 print stylesheet.

    Parameters
    ----------
    title
        The document title (escaped).
    body
        The content: HTML landuse built from the parts of this module.
    lang
        ``"zh"`` (``lang="zh-CN"``) or ``"en"``.
    notice
        Text shown first, highlighted (the example-values notice of an example profile).

    Returns
    -------
    str
        The page; it requests nothing from any network.

    Examples
    --------
    >>> doc = page("青岛 <集聚区>", "<p>正文</p>", notice="示例参数")
    >>> doc.startswith('<!DOCTYPE html>\n<html lang="zh-CN">')
    True
    >>> "<title>青岛 &lt;集聚区&gt;</title>" in doc, '<div class="notice" role="alert">示例参数</div>' in doc
    (True, True)
    """
    lang = check_lang(lang, caller="page")
    banner = f'<div class="notice" role="alert">{esc(notice)}</div>' if notice else ""
    return (
        f'<!DOCTYPE html>\n<html lang="{_HTML_LANG[lang]}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{_CSS}</style>\n</head>\n"
        f"<body>\n{banner}{body}\n</body>\n</html>\n"
    )
