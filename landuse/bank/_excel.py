"""The project bank table as a workbook (or any table file) through the output layer.

Private: see :func:`landuse.bank.write_bank_excel`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from landuse._checks import Lang, check_lang
from landuse.report import About, check_output_path, write_table
from landuse.schema import category_label

__all__ = ["bank_about", "write_bank", "write_bank_excel"]


def bank_about(bank: pd.DataFrame, *, lang: Lang, sources: Sequence[str] = ()) -> About:
    """Describe the bank for a workbook's 说明 sheet: policy, as-of date, rules not evaluated."""
    zh = lang == "zh"
    notes: list[str] = []
    routes: dict[str, Any] = bank.attrs.get("routes") or {}
    if routes:
        parts = [f"{category_label('route', k, lang=lang)} {v}" for k, v in routes.items()]
        notes.append(("再开发路径：" if zh else "Routes: ") + ("，" if zh else ", ").join(parts))
    for code, missing in (bank.attrs.get("not_evaluated") or {}).items():
        what = "; ".join(map(str, missing))
        notes.append(
            f"未评价规则 {code}：缺少 {what}" if zh else f"rule {code} not evaluated: {what} missing"
        )
    return About(
        title="低效产业用地再开发项目库" if zh else "Redevelopment project bank",
        policy=bank.attrs.get("policy"),
        as_of=bank.attrs.get("as_of"),
        sources=tuple(map(str, sources)),
        notes=tuple(notes),
    )


def write_bank_excel(
    bank: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    lang: Lang = "zh",
    sheet_name: str | None = None,
    sources: Sequence[str] = (),
) -> Path:
    """Write the bank table to a workbook in the one Excel style, atomically.

    Through :func:`landuse.report.write_table`: Chinese headers with units (候选编号,
    用地面积（亩）…), routes, grades, land uses and production statuses by their Chinese
    names with the codes in ``*_code`` columns at the end, the header frozen and filtered,
    number formats by unit, and a 说明 sheet with the policy profile, the as-of date, the
    routes and the rules that were not evaluated. Every text is a string cell holding the
    text exactly, never a formula: an enterprise name ``=HYPERLINK(…)`` stays that text.

    Parameters
    ----------
    bank
        What :func:`build_project_bank` returned (the geometry is left out).
    path
        Target ``.xlsx`` file (replaced if it exists). ``.csv``, ``.gpkg`` and ``.parquet``
        work too (:func:`landuse.report.write_table`).
    lang
        ``"zh"`` (default) Chinese; ``"en"`` English.
    sheet_name
        Worksheet name (default 项目库 / ``project_bank``).
    sources
        Input files named on the 说明 sheet.

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    landuse.report.OutputError
        ``path`` has an extension landuse does not write.
    ValueError
        ``lang`` is unknown.

    Examples
    --------
    >>> import tempfile, openpyxl, landuse
    >>> s = landuse.load_sample()
    >>> from landuse.bank import build_project_bank
    >>> bank = build_project_bank(s.parcels, zones=s.zones, as_of=s.as_of, policy="qingdao-2019")
    >>> out = write_bank_excel(bank, Path(tempfile.mkdtemp()) / "bank.xlsx")
    >>> sheet = openpyxl.load_workbook(out)["项目库"]
    >>> [cell.value for cell in sheet[1]][:4]
    ['候选编号', '宗地编号', '集聚区编号', '企业名称']
    >>> sheet["M2"].value, sheet["M1"].value
    ('收购储备', '再开发路径')
    """
    caller = "write_bank_excel"
    lang = check_lang(lang, caller=caller)
    target = check_output_path(path, caller=caller)
    return write_table(
        bank,
        target,
        name=sheet_name or ("项目库" if lang == "zh" else "project_bank"),
        lang=lang,
        about=bank_about(bank, lang=lang, sources=sources),
        caller=caller,
    )


def write_bank(
    bank: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    lang: Lang = "zh",
    layer: str = "project_bank",
    sources: Sequence[str] = (),
) -> Path:
    """Write the bank in the format its path names: ``.gpkg``, ``.xlsx``, ``.csv``, ``.parquet``.

    A GeoPackage gets layer ``layer`` (replaced; the file's other layers are kept) with
    Chinese field aliases and a QGIS style coloured by redevelopment route; the routes,
    grades, land uses and statuses are written by their labels with the codes in ``*_code``
    fields (:func:`landuse.report.restore_codes` turns a layer read back into codes again).
    Other formats as :func:`write_bank_excel`.

    Examples
    --------
    >>> import tempfile, pyogrio, landuse
    >>> s = landuse.load_sample()
    >>> from landuse.bank import build_project_bank
    >>> bank = build_project_bank(s.parcels, zones=s.zones, as_of=s.as_of, policy="qingdao-2019")
    >>> out = write_bank(bank, Path(tempfile.mkdtemp()) / "bank.gpkg")
    >>> back = pyogrio.read_dataframe(out, layer="project_bank")
    >>> back.loc[0, ["route", "route_code"]].tolist()
    ['收购储备', 'acquisition']
    """
    caller = "write_bank"
    lang = check_lang(lang, caller=caller)
    target = check_output_path(path, caller=caller)
    return write_table(
        bank,
        target,
        name=layer,
        lang=lang,
        about=bank_about(bank, lang=lang, sources=sources),
        caller=caller,
    )
