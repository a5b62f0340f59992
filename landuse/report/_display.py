"""A result table for a notebook: Chinese headers and labels, numbers formatted by their unit.

Private: see :func:`show_table` (exported from :mod:`landuse.report`).
"""

from __future__ import annotations

import pandas as pd
from pandas.io.formats.style import Styler  # jinja2 comes with folium

from landuse._checks import Lang, check_lang
from landuse.report._policy import example_notice
from landuse.report._present import present
from landuse.schema import UNITS, field_label

__all__ = ["show_table"]


def _number_format(unit: str | None, digits: int | None, *, integer: bool) -> str:
    """Return a ``str.format`` spec for numbers in ``unit`` (a key of UNITS) as Excel shows them.

    ``#,##0.00`` → ``{:,.2f}``, ``0.0%`` → ``{:.1%}``; ``digits`` replaces the decimals of
    every unit that has decimals (and of numbers without a unit).
    """
    excel = UNITS[unit][2] if unit in UNITS else ("#,##0" if integer else "#,##0.00")
    decimals = len(excel.split(".", 1)[1].rstrip("%")) if "." in excel else 0
    if digits is not None and (decimals > 0 or (unit not in UNITS and not integer)):
        decimals = digits
    comma = "," if "," in excel else ""
    kind = "%" if excel.endswith("%") else "f"
    return "{:" + comma + "." + str(decimals) + kind + "}"


def show_table(
    frame: pd.DataFrame | pd.Series, *, lang: Lang = "zh", digits: int | None = None
) -> Styler:
    """Show a result table as people read it: headers, labels, rounded numbers.

    Headers and coded values come from the label catalogue (:func:`landuse.report.present`:
    ``verdict`` → 判定结果 / 位于集聚区内, booleans → 是/否); the code columns ``present`` adds
    are left out. Numbers are formatted by the unit of their column
    (:data:`landuse.schema.UNITS`: areas and money with thousands separators and two decimals,
    shares as percentages, counts as integers), missing values are blank. The data are not
    changed: this is a :class:`pandas.io.formats.style.Styler` for display (Jupyter renders
    it as HTML). A result made with an example profile (``attrs["policy"]`` names one, e.g.
    ``qingdao-2019-example``) is captioned with the example-values notice.

    Parameters
    ----------
    frame
        A result table (the geometry column is dropped) or a Series.
    lang
        Headers and labels in Chinese (``"zh"``, default) or English (``"en"``).
    digits
        Decimals for every number with decimals (default: from its unit).

    Returns
    -------
    pandas.io.formats.style.Styler

    Examples
    --------
    >>> t = pd.DataFrame({"verdict": ["inside", "outside"], "share_in_zone": [1.0, 0.2549],
    ...                   "land_area_m2": [12345.678, 9.5]})
    >>> styled = show_table(t)
    >>> styled.data.columns.tolist()
    ['判定结果', '集聚区内面积占比', '用地面积（平方米）']
    >>> html = styled.to_html()
    >>> "25.5%" in html and "12,345.68" in html
    True
    >>> "12,345.7" in show_table(t, lang="en", digits=1).to_html()
    True
    >>> t.attrs["policy"] = "qingdao-2019-example"
    >>> "示例参数 example values" in show_table(t).to_html()
    True
    """
    check_lang(lang, caller="show_table")
    if isinstance(frame, pd.Series):
        frame = frame.to_frame(name=frame.name if frame.name is not None else "value")
    shown, columns = present(frame, lang=lang)
    kept = [c for c in columns if c.kind != "code"]
    shown = shown[[c.header for c in kept]]
    if shown.index.name is not None:
        shown.index.name = field_label(str(shown.index.name), lang)
    formats = {
        c.header: _number_format(
            c.unit, digits, integer=pd.api.types.is_integer_dtype(shown[c.header].dtype)
        )
        for c in kept
        if c.kind == "number"
    }
    styled = shown.style.format(formats, na_rep="")
    notice = example_notice(frame.attrs.get("policy"))
    return styled.set_caption(notice) if notice else styled
