"""The project bank table as an Excel workbook with Chinese headers.

Private: see :func:`landuse.bank.write_bank_excel`.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import pandas as pd

from landuse._checks import Lang, check_lang
from landuse._sinks import excel_workbook
from landuse.schema import PARCELS

__all__ = ["HEADERS_ZH", "write_bank_excel"]


#: Chinese headers of the bank table (others fall back to the parcel schema's labels).
HEADERS_ZH: dict[str, str] = {
    "candidate_id": "候选编号",
    "parcel_id": "宗地编号",
    "zone_id": "集聚区编号",
    "enterprise": "企业名称",
    "land_use": "用途",
    "industry_code": "行业代码",
    "production_status": "生产状态",
    "reasons": "原因代码",
    "reason_text": "原因",
    "n_reasons": "原因数",
    "grade": "亩均等级",
    "mujun_score": "亩均综合得分",
    "route": "路径代码",
    "route_label": "再开发路径",
    "priority": "优先级",
    "priority_rank": "优先级排名",
    "land_area_m2": "用地面积(平方米)",
    "land_area_mu": "用地面积(亩)",
    "far": "容积率",
    "target_far": "目标容积率",
    "potential_extra_floor_area_m2": "潜在新增建筑面积(平方米)",
    "land_freed_mu": "可腾出土地(亩)",
    "tax_per_mu_wan": "亩均税收(万元/亩)",
    "benchmark_tax_wan_per_mu": "集聚区亩均税收基准(万元/亩)",
    "potential_tax_wan": "预期税收(万元)",
    "tax_gain_wan": "预期新增税收(万元)",
    "idle_stage": "闲置阶段",
    "idle_fee_wan": "土地闲置费(万元)",
}


def write_bank_excel(
    bank: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    lang: Lang = "zh",
    sheet_name: str | None = None,
) -> Path:
    """Write the bank table to an Excel workbook (openpyxl), atomically.

    Every text is a string cell holding the text exactly, never a formula: an enterprise
    name ``=HYPERLINK(…)`` stays that text (:func:`landuse._sinks.excel_text_cells`).

    Parameters
    ----------
    bank
        What :func:`build_project_bank` returned (the geometry is left out).
    path
        Target ``.xlsx`` file (replaced if it exists).
    lang
        ``"zh"`` (default): Chinese headers (e.g. 候选编号, 再开发路径, 可腾出土地(亩));
        ``"en"``: the column names.
    sheet_name
        Worksheet name (default 项目库 / ``project_bank``).

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    ValueError
        ``path`` does not end in ``.xlsx``, or ``lang`` is unknown.

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
    """
    check_lang(lang, caller="write_bank_excel")
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        msg = f"write_bank_excel writes an .xlsx workbook; `path` must end in .xlsx, received {str(path)!r}."
        raise ValueError(msg)
    table = pd.DataFrame(
        bank.drop(columns=[bank.geometry.name]) if isinstance(bank, gpd.GeoDataFrame) else bank
    )
    table.attrs = {}
    if lang == "zh":
        fallback = {col.name: col.label_zh for col in PARCELS.columns}
        table = table.rename(columns=lambda col: HEADERS_ZH.get(col, fallback.get(col, col)))
    sheet = sheet_name or ("项目库" if lang == "zh" else "project_bank")
    with excel_workbook(path, caller="write_bank_excel") as book:
        ws = book.add(table, sheet, freeze_panes=(1, 0))
        for i, col in enumerate(table.columns, start=1):
            width = max(len(str(col)) * 2, 10)
            ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = min(width, 60)
    return path
