"""Canonical layers and columns of the landuse data model, with units and aliases.

Readers (:mod:`landuse.io`) map the field names found in real files (Chinese or
English, with or without a unit in brackets) onto the canonical names below, and
coerce values to the canonical type. Units are part of the names: ``_m2`` square
metres, ``_wan`` 万元, ``_mu`` 亩, ``_per_mu`` per 亩, ``_tce`` tonnes of standard coal.

The tables here are the single source of truth for column names; analysis
modules import the constants rather than spelling names again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from landuse.errors import SchemaError

__all__ = [
    "AREA_TYPES",
    "BUILDINGS",
    "CATEGORY_COLORS",
    "CATEGORY_LABELS",
    "CODE_COLUMNS",
    "FIELDS",
    "FUNCTIONAL_AREAS",
    "LAND_USES",
    "LAYERS",
    "PARCELS",
    "PRODUCTION_STATUSES",
    "PROPOSALS",
    "TIER_BELOW_COLOR",
    "TIER_COLORS",
    "UNITS",
    "ZONES",
    "ZONE_STATS",
    "Column",
    "Field",
    "Layer",
    "category_label",
    "category_labels",
    "code_column",
    "example_unit",
    "field_info",
    "field_label",
    "has_unit_choice",
    "is_unknown_land_use_code",
    "normalise_area_type",
    "normalise_land_use",
    "normalise_land_use_code",
    "normalise_production_status",
    "parse_category",
    "split_unit",
    "unit_factor",
    "unit_factors",
]

Kind = Literal["str", "float", "int", "date", "category"]

#: Normalised land-use classes (raw code kept in ``land_use_code``).
LAND_USES: tuple[str, ...] = ("industrial", "logistics", "commercial", "residential", "other")
#: Functional areas of a cluster zone: 产业发展区 / 商务服务区 / 居住生活区.
AREA_TYPES: tuple[str, ...] = ("industrial", "business", "residential")
#: Production status of an enterprise on its parcel.
PRODUCTION_STATUSES: tuple[str, ...] = (
    "producing",
    "partly_stopped",
    "stopped",
    "under_construction",
    "not_started",
)


# ---------------------------------------------------------------------------------------------
# THE zh/en label catalogue of every category landuse shows (maps, Excel, CLI, sentences)
# ---------------------------------------------------------------------------------------------

#: ``{category: {value: (Chinese, English)}}`` for every categorical value landuse displays.
#: Maps, workbooks, GeoPackage styles, the CLI and generated sentences all read their labels
#: here, so one category has one name everywhere. Land-use names follow GB/T 21010 and the
#: 2023 用地用海 classes; functional areas and verdicts follow the plan's wording.
CATEGORY_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "land_use": {
        "industrial": ("工业用地", "Industrial"),
        "logistics": ("物流仓储用地", "Logistics and warehousing"),
        "commercial": ("商业服务业用地", "Commercial"),
        "residential": ("居住用地", "Residential"),
        "other": ("其他用地", "Other"),
    },
    "area_type": {
        "industrial": ("产业发展区", "Industrial development area"),
        "business": ("商务服务区", "Business service area"),
        "residential": ("居住生活区", "Residential area"),
    },
    "production_status": {
        "producing": ("正常生产", "Producing"),
        "partly_stopped": ("部分停产", "Partly stopped"),
        "stopped": ("停产", "Stopped"),
        "under_construction": ("在建", "Under construction"),
        "not_started": ("未开工", "Not started"),
    },
    "verdict": {
        "not_industrial_use": ("非工业用途", "Not industrial use"),
        "outside": ("位于集聚区外", "Outside the zones"),
        "straddles_boundary": ("跨集聚区边界", "Straddles a zone boundary"),
        "wrong_functional_area": ("不在产业发展区", "Outside the industrial area"),
        "inside_within_tolerance": ("位于集聚区内（容差内）", "Inside (within tolerance)"),
        "inside": ("位于集聚区内", "Inside"),
    },
    "grade": {
        "A": ("A类", "Grade A"),
        "B": ("B类", "Grade B"),
        "C": ("C类", "Grade C"),
        "D": ("D类", "Grade D"),
    },
    "bank_status": {
        "identified": ("已识别", "Identified"),
        "verified": ("已核实", "Verified"),
        "approved": ("已批准", "Approved"),
        "in_progress": ("实施中", "In progress"),
        "completed": ("已完成", "Completed"),
        "rejected": ("已否决", "Rejected"),
        "resolved_by_data": ("数据销号", "Resolved by data"),
    },
    "route": {
        "acquisition": ("收购储备", "Government acquisition"),
        "relocation": ("腾退", "Relocation"),
        "multistorey": ("工业上楼", "Multi-storey rebuild"),
        "self_upgrade": ("自主提升", "Self-upgrade"),
    },
    "enterprise_category": {
        "owner": ("自有用地企业", "Owner of its land"),
        "tenant": ("租赁企业", "Tenant"),
        "combined": ("合并评价单元", "Combined evaluation unit"),
    },
}


def category_label(category: str, value: object, *, lang: Literal["zh", "en"] = "zh") -> str:
    """Return the display label of one categorical ``value`` (the value itself if unknown).

    Parameters
    ----------
    category
        A key of :data:`CATEGORY_LABELS` (``"verdict"``, ``"land_use"``, …).
    value
        The canonical value (``"outside"``).
    lang
        ``"zh"`` (default) or ``"en"``.

    Examples
    --------
    >>> category_label("verdict", "straddles_boundary")
    '跨集聚区边界'
    >>> category_label("land_use", "commercial", lang="en")
    'Commercial'
    >>> category_label("land_use", "水域")
    '水域'
    """
    pair = CATEGORY_LABELS[category].get(value)  # type: ignore[call-overload]
    if pair is None:
        return "" if value is None else str(value)
    return pair[0] if lang == "zh" else pair[1]


def category_labels(category: str, *, lang: Literal["zh", "en"] = "zh") -> dict[str, str]:
    """Return ``{value: label}`` of a category, e.g. for ``Series.map``.

    Examples
    --------
    >>> category_labels("grade")["A"]
    'A类'
    """
    i = 0 if lang == "zh" else 1
    return {value: pair[i] for value, pair in CATEGORY_LABELS[category].items()}


@dataclass(frozen=True)
class Column:
    """One canonical column.

    Parameters
    ----------
    name
        Canonical name, unit in the suffix.
    kind
        Value type after coercion.
    unit
        Human-readable unit, or ``None`` for unitless / text.
    label_zh
        Chinese label used in tables and maps.
    aliases
        Other field names that mean this column (compared case-insensitively,
        ignoring spaces, underscores and a unit in brackets).
    choices
        Allowed values for a categorical column.
    """

    name: str
    kind: Kind
    unit: str | None
    label_zh: str
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Layer:
    """A canonical layer: its id column, required columns, geometry role."""

    name: str
    label_zh: str
    id_column: str | None
    required: tuple[str, ...]
    columns: tuple[Column, ...]
    geometry: Literal["polygon", None] = "polygon"
    unique: tuple[str, ...] = field(default=())

    @property
    def column_names(self) -> tuple[str, ...]:
        """Canonical column names, in order."""
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        """Return the :class:`Column` called ``name``."""
        for c in self.columns:
            if c.name == name:
                return c
        msg = f"layer `{self.name}` has no canonical column `{name}`"
        raise KeyError(msg)


def _c(
    name: str,
    kind: Kind,
    unit: str | None,
    label_zh: str,
    *aliases: str,
    choices: tuple[str, ...] | None = None,
) -> Column:
    return Column(name, kind, unit, label_zh, (label_zh, *aliases), choices)


ZONES = Layer(
    name="zones",
    label_zh="产业集聚区",
    id_column="zone_id",
    required=("zone_id",),
    columns=(
        _c("zone_id", "str", None, "集聚区编号", "园区编号", "编号", "zone_code", "code", "id"),
        _c("name", "str", None, "集聚区名称", "名称", "园区名称", "zone_name", "mc"),
        _c("district", "str", None, "所在区市", "区市", "区县", "行政区", "county"),
        _c("leading_industry", "str", None, "主导产业", "industry", "leading"),
        _c(
            "leading_industry_codes",
            "str",
            None,
            "主导产业行业代码",
            "主导行业代码",
            "industry_codes",
        ),
        _c("tier_target", "str", None, "目标层级", "层级", "tier"),
    ),
)

FUNCTIONAL_AREAS = Layer(
    name="functional_areas",
    label_zh="功能分区",
    id_column=None,
    required=("zone_id", "area_type"),
    columns=(
        _c("zone_id", "str", None, "集聚区编号", "园区编号", "zone_code"),
        _c(
            "area_type",
            "category",
            None,
            "功能区类型",
            "功能区",
            "分区类型",
            "type",
            choices=AREA_TYPES,
        ),
    ),
)

PARCELS = Layer(
    name="parcels",
    label_zh="宗地",
    id_column="parcel_id",
    required=("parcel_id",),
    columns=(
        _c(
            "parcel_id",
            "str",
            None,
            "宗地编号",
            "宗地代码",
            "地块编号",
            "不动产单元号",
            "zddm",
            "id",
        ),
        _c(
            "land_use",
            "category",
            None,
            "用途",
            "土地用途",
            "用地性质",
            "landuse",
            choices=LAND_USES,
        ),
        _c("land_use_code", "str", None, "地类编码", "用途代码", "dlbm"),
        _c(
            "industry_code", "str", None, "行业代码", "国民经济行业代码", "行业分类代码", "industry"
        ),
        _c("industry_code_version", "str", None, "行业代码版本", "gbt4754_version"),
        _c("enterprise", "str", None, "企业名称", "使用权人", "权利人", "土地使用者", "company"),
        _c(
            "owner_code",
            "str",
            None,
            "权利人统一社会信用代码",
            "土地使用权人信用代码",
            "统一社会信用代码",
            "owner_credit_code",
        ),
        _c("zone_id", "str", None, "集聚区编号", "园区编号"),
        _c(
            "land_area_m2",
            "float",
            "m²",
            "用地面积",
            "宗地面积",
            "出让面积",
            "土地面积",
            "面积",
            "area",
        ),
        _c("floor_area_m2", "float", "m²", "建筑面积", "总建筑面积", "gfa"),
        _c("footprint_m2", "float", "m²", "建筑占地面积", "建(构)筑物及堆场占地面积", "基底面积"),
        _c("admin_living_land_m2", "float", "m²", "行政办公及生活服务设施用地面积", "配套用地面积"),
        _c("green_area_m2", "float", "m²", "绿地面积"),
        _c("investment_wan", "float", "万元", "固定资产投资", "总投资", "投资额", "investment"),
        _c("revenue_wan", "float", "万元", "营业收入", "主营业务收入", "销售收入", "revenue"),
        _c("value_added_wan", "float", "万元", "工业增加值", "增加值", "value_added"),
        _c("tax_wan", "float", "万元", "税收", "实缴税金", "税收总额", "纳税额", "tax"),
        _c("energy_tce", "float", "tce", "综合能耗", "能耗", "energy"),
        _c("emissions_t", "float", "t", "主要污染物排放量", "排放量", "emissions"),
        _c("rd_spend_wan", "float", "万元", "研发经费", "研发投入", "r&d", "rd"),
        _c("employees", "float", "人", "从业人员", "职工人数", "年平均从业人员数", "staff"),
        _c("grant_date", "date", None, "出让日期", "供地日期", "合同签订日期"),
        _c("agreed_start_date", "date", None, "约定开工日期", "合同约定开工日期"),
        _c("actual_start_date", "date", None, "实际开工日期", "开工日期"),
        _c("agreed_completion_date", "date", None, "约定竣工日期", "合同约定竣工日期"),
        _c("completion_date", "date", None, "实际竣工日期", "竣工日期"),
        _c(
            "production_status",
            "category",
            None,
            "生产状态",
            "经营状态",
            "status",
            choices=PRODUCTION_STATUSES,
        ),
        _c("stopped_since", "date", None, "停产日期", "停产时间"),
        _c("tenure_years", "float", "年", "出让年限", "使用年限", "tenure"),
        _c("grant_price_wan", "float", "万元", "出让价款", "成交价", "出让金", "price"),
        _c("developed_area_m2", "float", "m²", "已开发面积", "已动工面积"),
        _c("invested_wan", "float", "万元", "已完成投资", "累计投资"),
        _c("agreed_investment_wan", "float", "万元", "约定投资", "合同约定投资", "承诺投资"),
        _c("agreed_tax_wan", "float", "万元", "约定税收", "承诺税收", "承诺亩均税收总额"),
    ),
)

BUILDINGS = Layer(
    name="buildings",
    label_zh="建筑",
    id_column="building_id",
    required=("building_id",),
    columns=(
        _c("building_id", "str", None, "建筑编号", "楼栋编号", "id"),
        _c("parcel_id", "str", None, "宗地编号"),
        _c("levels", "float", "层", "层数", "地上层数", "building:levels", "floors"),
        _c("height_m", "float", "m", "建筑高度", "高度", "height"),
        _c("storey_height_m", "float", "m", "层高"),
        _c("storey_heights_m", "str", None, "各层层高"),
        _c("floor_area_m2", "float", "m²", "建筑面积"),
    ),
)

PROPOSALS = Layer(
    name="proposals",
    label_zh="拟供地块",
    id_column="proposal_id",
    required=("proposal_id",),
    columns=(
        _c("proposal_id", "str", None, "项目编号", "地块编号", "拟供地块编号", "id"),
        _c("project", "str", None, "项目名称", "name"),
        _c("land_use", "category", None, "用途", "土地用途", "用地性质", choices=LAND_USES),
        _c("land_use_code", "str", None, "地类编码", "用途代码"),
        _c("industry_code", "str", None, "行业代码", "国民经济行业代码"),
        _c("industry_code_version", "str", None, "行业代码版本"),
        _c("district", "str", None, "所在区市", "区市", "行政区"),
        _c("land_area_m2", "float", "m²", "用地面积", "出让面积", "面积", "area"),
        _c("investment_wan", "float", "万元", "计划投资", "总投资", "固定资产投资"),
        _c("expected_tax_wan", "float", "万元", "预计税收", "达产税收"),
        _c("expected_revenue_wan", "float", "万元", "预计营业收入", "达产产值"),
    ),
)

ZONE_STATS = Layer(
    name="zone_stats",
    label_zh="集聚区统计",
    id_column=None,
    required=("zone_id", "year"),
    unique=("zone_id", "year"),
    geometry=None,
    columns=(
        _c("zone_id", "str", None, "集聚区编号", "园区编号"),
        _c("year", "int", "年", "年份", "年度"),
        _c("revenue_wan", "float", "万元", "主营业务收入", "营业收入"),
        _c("tax_wan", "float", "万元", "实缴税金", "税收"),
        _c("new_registered_firms", "float", "家", "新增纳统企业数", "新增纳统企业"),
        _c("investment_projects", "float", "个", "年度招商引资数", "招商引资项目数", "招商项目数"),
        _c("leading_industry_revenue_wan", "float", "万元", "主导产业营业收入", "主导产业收入"),
        _c("new_project_investment_wan", "float", "万元", "新建项目投资", "新建项目投资额"),
        _c("new_project_land_mu", "float", "亩", "新建项目用地", "新建项目用地面积"),
        _c("land_area_mu", "float", "亩", "用地面积", "集聚区面积", "规划面积"),
        _c(
            "fortune500_projects",
            "float",
            "个",
            "世界500强及中国500强项目数",
            "500强项目数",
            "世界500强项目数",
            "引进500强项目数",
        ),
        _c("projects_over_100m", "float", "个", "过亿元项目数", "亿元以上项目数", "过亿项目数"),
        _c("floor_area_m2", "float", "m²", "建筑面积", "总建筑面积"),
    ),
)

#: All canonical layers by name.
LAYERS: dict[str, Layer] = {
    layer.name: layer
    for layer in (ZONES, FUNCTIONAL_AREAS, PARCELS, BUILDINGS, PROPOSALS, ZONE_STATS)
}


# --- units written in field names -------------------------------------------------------------

_UNIT_RE = re.compile(r"^(?P<base>.*?)\s*[\(（\[【]\s*(?P<unit>[^\)）\]】]+)\s*[\)）\]】]\s*$")

#: factor that converts a value in the found unit to the canonical unit, by canonical unit.
_UNIT_FACTORS: dict[str, dict[str, float]] = {
    "m²": {
        "m2": 1.0,
        "m²": 1.0,
        "平方米": 1.0,
        "㎡": 1.0,
        "sqm": 1.0,
        "亩": 10000.0 / 15.0,
        "mu": 10000.0 / 15.0,
        "公顷": 10000.0,
        "ha": 10000.0,
        "hm2": 10000.0,
        "hm²": 10000.0,
        "平方公里": 1e6,
        "km2": 1e6,
        "km²": 1e6,
        "万平方米": 1e4,
        "万m2": 1e4,
        "万m²": 1e4,
        "万㎡": 1e4,
    },
    "亩": {
        "亩": 1.0,
        "mu": 1.0,
        "公顷": 15.0,
        "ha": 15.0,
        "hm2": 15.0,
        "hm²": 15.0,
        "m2": 15.0 / 10000.0,
        "m²": 15.0 / 10000.0,
        "平方米": 15.0 / 10000.0,
        "㎡": 15.0 / 10000.0,
        "平方公里": 1500.0,
        "km2": 1500.0,
        "km²": 1500.0,
    },
    "万元": {"万元": 1.0, "元": 1e-4, "yuan": 1e-4, "亿元": 1e4, "千元": 0.1, "百万元": 100.0},
    "tce": {"tce": 1.0, "吨标准煤": 1.0, "吨标煤": 1.0, "万吨标准煤": 1e4},
    "t": {"t": 1.0, "吨": 1.0, "千克": 1e-3, "kg": 1e-3},
    "m": {"m": 1.0, "米": 1.0},
    "年": {"年": 1.0, "a": 1.0},
    "人": {"人": 1.0},
    "层": {"层": 1.0},
    "家": {"家": 1.0, "个": 1.0},
    "个": {"个": 1.0, "项": 1.0},
}


def unit_factors(column: Column) -> dict[str, float]:
    """``{unit: factor to the canonical unit}`` for the units landuse converts for ``column``.

    Examples
    --------
    >>> list(unit_factors(PARCELS.column("revenue_wan")).items())[:2]
    [('万元', 1.0), ('元', 0.0001)]
    """
    if column.unit is None:
        return {}
    return dict(_UNIT_FACTORS.get(column.unit, {column.unit: 1.0}))


def has_unit_choice(column: Column) -> bool:
    """True if ``column``'s values come in units that differ by a factor (area, money, mass).

    Examples
    --------
    >>> has_unit_choice(PARCELS.column("land_area_m2"))
    True
    >>> has_unit_choice(PARCELS.column("employees"))
    False
    """
    if column.unit is None:
        return False
    return len(set(unit_factors(column).values())) > 1


_EXAMPLE_UNITS = {"m²": "亩", "万元": "亿元", "亩": "公顷", "tce": "吨标准煤", "t": "吨"}


def example_unit(column: Column) -> str:
    """A unit bureaus commonly write for ``column``, for examples in messages.

    Examples
    --------
    >>> example_unit(PARCELS.column("land_area_m2"))
    '亩'
    """
    return _EXAMPLE_UNITS.get(column.unit or "", column.unit or "")


def split_unit(field_name: str) -> tuple[str, str | None]:
    """Split ``"用地面积(亩)"`` into ``("用地面积", "亩")``.

    Examples
    --------
    >>> split_unit("用地面积（公顷）")
    ('用地面积', '公顷')
    >>> split_unit("tax_wan")
    ('tax_wan', None)
    """
    m = _UNIT_RE.match(field_name.strip())
    if m is None:
        return field_name.strip(), None
    return m.group("base"), m.group("unit").strip()


def unit_factor(found_unit: str | None, column: Column) -> float:
    """Factor converting values in ``found_unit`` to ``column``'s canonical unit.

    Parameters
    ----------
    found_unit
        The unit written in the source field name (``"亩"``, ``"亿元"``, …), or ``None``.
    column
        The canonical column the field maps to.

    Returns
    -------
    float
        Multiply source values by this to get canonical units.

    Raises
    ------
    SchemaError
        If the unit is not convertible to the column's unit.

    Examples
    --------
    >>> unit_factor("亿元", PARCELS.column("tax_wan"))
    10000.0
    >>> round(unit_factor("亩", PARCELS.column("land_area_m2")), 3)
    666.667
    """
    if found_unit is None or column.unit is None:
        return 1.0
    key = found_unit.strip().lower().replace(" ", "")
    table = _UNIT_FACTORS.get(column.unit, {column.unit: 1.0})
    for unit, factor in table.items():
        if unit.lower() == key:
            return factor
    msg = (
        f"column `{column.name}` is in {column.unit}, but the source field gives the unit "
        f"{found_unit!r}, which landuse cannot convert. Known units: {', '.join(table)}. "
        f"Convert the column in the file, or rename the field without the unit if it is "
        f"already in {column.unit}."
    )
    raise SchemaError(msg)


def normalise_key(name: str) -> str:
    """Normalise a field name for alias matching (case, spaces, underscores, unit).

    Examples
    --------
    >>> normalise_key(" Land_Area (m2) ")
    'landarea'
    """
    base, _ = split_unit(str(name))
    return re.sub(r"[\s_\-]+", "", base).lower()


# --- value normalisation ----------------------------------------------------------------------

# GB/T 21010-2017 (0601 工业, 0604 仓储, 05xx 商服, 07xx 住宅), 2023 用地用海
# (1001 工业, 1101 物流仓储, 09 商业服务业, 07 居住), GB 50137 (M, W, B, R).
_LAND_USE_CODE_RULES: tuple[tuple[str, str], ...] = (
    (r"^(0601|1001\d*|M\d?|M0)$", "industrial"),
    (r"^(0604|1101\d*|1102\d*|W\d?)$", "logistics"),
    (r"^(05\d\d|09\d*|B\d*)$", "commercial"),
    (r"^(07\d*|R\d*)$", "residential"),
)
_LAND_USE_WORDS: tuple[tuple[str, str], ...] = (
    ("工业", "industrial"),
    ("工矿", "industrial"),
    ("厂房", "industrial"),
    ("industr", "industrial"),
    ("manufactur", "industrial"),
    ("仓储", "logistics"),
    ("物流", "logistics"),
    ("logistic", "logistics"),
    ("warehous", "logistics"),
    ("商", "commercial"),
    ("办公", "commercial"),
    ("commerc", "commercial"),
    ("retail", "commercial"),
    ("office", "commercial"),
    ("business", "commercial"),
    ("住", "residential"),
    ("居", "residential"),
    ("resident", "residential"),
    ("housing", "residential"),
)


_NUMERIC_CODE = re.compile(r"^(\d+)(\.0*)?$")
# code shapes of the three classifications: GB/T 21010 and 用地用海 (01–24, 2/4/6 digits),
# GB 50137 letters (R, A, B, M, W, S, U, G, H, E with an optional number and letter)
_KNOWN_CODE = re.compile(r"^((0[1-9]|1\d|2[0-4])(\d\d){0,2}|[RABMWSUGHE]\d{0,2}[A-Z]?)$")


def normalise_land_use_code(value: object) -> str | None:
    """Canonical text of a land-use code: ``.0`` endings dropped, a lost leading zero restored.

    Excel and DBF number fields turn ``0601`` into ``601`` or ``601.0``; an odd number of
    digits means the leading zero was lost (GB/T 21010 and the 2023 用地用海 codes have 2, 4
    or 6 digits). Letter codes are upper-cased; words are returned stripped.

    Examples
    --------
    >>> [normalise_land_use_code(v) for v in [601, 602.0, "0601.0", "70101", "100101", "m1"]]
    ['0601', '0602', '0601', '070101', '100101', 'M1']
    """
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    m = _NUMERIC_CODE.match(text)
    if m is not None:
        digits = m.group(1)
        return digits.zfill(len(digits) + len(digits) % 2)
    if re.fullmatch(r"[A-Za-z]\d{0,2}[A-Za-z]?", text):
        return text.upper()
    return text or None


def is_unknown_land_use_code(code: str) -> bool:
    """True for a code-like value (with a digit) that no supported classification has.

    Words without digits (``水域``) are not codes and are not reported.

    Examples
    --------
    >>> [is_unknown_land_use_code(c) for c in ["0601", "100101", "M1", "9999", "X7", "水域"]]
    [False, False, False, True, True, False]
    """
    if code in LAND_USES or not re.search(r"\d", code):
        return False
    return _KNOWN_CODE.match(code.upper()) is None


def normalise_land_use(value: object) -> str | None:
    """Map a raw land-use code or word onto one of :data:`LAND_USES`.

    Understands GB/T 21010-2017 codes (``0601`` 工业用地), the 2023 用地用海
    classes (``1001``/``100101`` 工业用地, ``1101`` 物流仓储), GB 50137 letters
    (``M1``, ``W``, ``B``, ``R``) and Chinese or English words.

    Examples
    --------
    >>> [normalise_land_use(v) for v in ["0601", "100102", "M2", "商业用地", "Residential", "水域"]]
    ['industrial', 'industrial', 'industrial', 'commercial', 'residential', 'other']
    >>> normalise_land_use(None) is None
    True

    Numeric codes that lost their leading zero or gained ``.0`` are read as their code
    (:func:`normalise_land_use_code`):

    >>> [normalise_land_use(v) for v in [601, "604.0", "0601.0"]]
    ['industrial', 'logistics', 'industrial']
    """
    text = normalise_land_use_code(value)
    if text is None:
        return None
    if text in LAND_USES:
        return text
    code = text.upper()
    for pattern, use in _LAND_USE_CODE_RULES:
        if re.match(pattern, code):
            return use
    low = text.lower()
    for word, use in _LAND_USE_WORDS:
        if word in low:
            return use
    return "other"


_AREA_TYPE_WORDS: tuple[tuple[str, str], ...] = (
    ("产业", "industrial"),
    ("工业", "industrial"),
    ("制造", "industrial"),
    ("industr", "industrial"),
    ("商务", "business"),
    ("服务", "business"),
    ("商业", "business"),
    ("business", "business"),
    ("居住", "residential"),
    ("生活", "residential"),
    ("resident", "residential"),
)


def normalise_area_type(value: object) -> str | None:
    """Map a functional-area name onto ``industrial`` / ``business`` / ``residential``.

    Returns the input unchanged (as text) when nothing matches, so the reader can
    report it.

    Examples
    --------
    >>> [normalise_area_type(v) for v in ["产业发展区", "商务服务区", "居住生活区", "business"]]
    ['industrial', 'business', 'residential', 'business']
    """
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    low = text.lower()
    for word, kind in _AREA_TYPE_WORDS:
        if word in low:
            return kind
    return text


_STATUS_WORDS: tuple[tuple[str, str], ...] = (
    ("未开工", "not_started"),
    ("未动工", "not_started"),
    ("not_started", "not_started"),
    ("not started", "not_started"),
    ("在建", "under_construction"),
    ("建设中", "under_construction"),
    ("under_construction", "under_construction"),
    ("construction", "under_construction"),
    ("半停产", "partly_stopped"),
    ("部分停产", "partly_stopped"),
    ("partly", "partly_stopped"),
    ("partial", "partly_stopped"),
    ("停产", "stopped"),
    ("停业", "stopped"),
    ("stopped", "stopped"),
    ("正常", "producing"),
    ("在产", "producing"),
    ("生产", "producing"),
    ("producing", "producing"),
    ("operating", "producing"),
)


def normalise_production_status(value: object) -> str | None:
    """Map a production-status word onto one of :data:`PRODUCTION_STATUSES`.

    Returns the input unchanged (as text) when nothing matches, so the reader can
    report it.

    Examples
    --------
    >>> [normalise_production_status(v) for v in ["正常生产", "半停产", "停产", "在建", "未开工"]]
    ['producing', 'partly_stopped', 'stopped', 'under_construction', 'not_started']
    """
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    low = text.lower()
    for word, status in _STATUS_WORDS:
        if word in low:
            return status
    return text


# ---------------------------------------------------------------------------------------------
# THE catalogue of output fields: header in each language, unit, display format, category
# ---------------------------------------------------------------------------------------------

#: Units of output fields: ``{key: (Chinese, English, Excel number format, CSV decimals)}``.
#: The Excel format only changes how a value is shown; CSV values are rounded to the decimals.
UNITS: dict[str, tuple[str, str, str, int]] = {
    "m2": ("平方米", "m²", "#,##0.00", 2),
    "km2": ("平方公里", "km²", "#,##0.00", 4),
    "mu": ("亩", "mu", "#,##0.00", 4),
    "m": ("米", "m", "#,##0.0", 2),
    "wan": ("万元", "10k CNY", "#,##0.00", 2),
    "yi": ("亿元", "100M CNY", "#,##0.00", 4),
    "wan_per_mu": ("万元/亩", "10k CNY/mu", "#,##0.00", 2),
    "yuan_per_m2": ("元/平方米", "CNY/m²", "#,##0.00", 2),
    "tce": ("吨标准煤", "tce", "#,##0.00", 2),
    "t": ("吨", "t", "#,##0.00", 2),
    "years": ("年", "years", "0.0", 2),
    "share": ("%", "%", "0.0%", 4),
    "ratio": ("", "", "0.00", 2),
    "score": ("", "", "0.0", 2),
    "count": ("", "", "#,##0", 0),
    "rank": ("", "", "0", 0),
    "firms": ("家", "firms", "#,##0", 0),
    "projects": ("个", "projects", "#,##0", 0),
    "persons": ("人", "persons", "#,##0", 0),
    "storeys": ("层", "storeys", "0", 0),
    "year": ("", "", "0", 0),
}


@dataclass(frozen=True)
class Field:
    """One output field: what a table, a workbook, a GeoPackage alias or a legend calls it.

    Attributes
    ----------
    name
        Canonical column name (unit in the suffix).
    zh, en
        Header without the unit.
    unit
        A key of :data:`UNITS` (the unit shown in brackets and the number format), or ``None``.
    category
        A key of :data:`CATEGORY_LABELS` when the values are codes shown by their label.
    """

    name: str
    zh: str
    en: str
    unit: str | None = None
    category: str | None = None

    def header(self, lang: Literal["zh", "en"] = "zh") -> str:
        """Return the header with its unit in brackets: ``用地面积（亩）`` / ``Land area (mu)``."""
        text = self.zh if lang == "zh" else self.en
        if self.unit is None:
            return text
        unit = UNITS[self.unit][0 if lang == "zh" else 1]
        if not unit or self.unit == "share":
            return text
        return f"{text}（{unit}）" if lang == "zh" else f"{text} ({unit})"


def _f(name: str, zh: str, en: str, unit: str | None = None, category: str | None = None) -> Field:
    return Field(name, zh, en, unit, category)


#: Every output column landuse writes, by canonical name. Workbooks, CSV files, GeoPackage
#: aliases, QGIS styles, map legends and popups all take their headers from here.
FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        # ids and names
        _f("zone_id", "集聚区编号", "Zone id"),
        _f("name", "名称", "Name"),
        _f("zone_name", "集聚区名称", "Zone"),
        _f("name_zh", "名称", "Name"),
        _f("district", "所在区市", "District"),
        _f("leading_industry", "主导产业", "Leading industry"),
        _f("leading_industry_codes", "主导产业行业代码", "Leading industry codes"),
        _f("tier_target", "目标层级", "Tier target"),
        _f("note", "备注", "Note"),
        _f("notes", "说明", "Notes"),
        _f("parcel_id", "宗地编号", "Parcel id"),
        _f("proposal_id", "项目编号", "Proposal id"),
        _f("project", "项目名称", "Project"),
        _f("building_id", "建筑编号", "Building id"),
        _f("candidate_id", "候选编号", "Candidate id"),
        _f("enterprise", "企业名称", "Enterprise"),
        _f("land_use", "用途", "Land use", category="land_use"),
        _f("land_use_class", "用途类别代码", "Land-use class code"),
        _f("land_use_code", "地类编码", "Land-use code"),
        _f("area_type", "功能分区", "Functional area", category="area_type"),
        _f("industry_code", "行业代码", "Industry code"),
        _f("industry_code_version", "行业代码版本", "Industry code version"),
        _f("production_status", "生产状态", "Production status", category="production_status"),
        _f("year", "年度", "Year", "year"),
        # areas and buildings
        _f("land_area_m2", "用地面积", "Land area", "m2"),
        _f("land_area_mu", "用地面积", "Land area", "mu"),
        _f("area_m2", "面积", "Area", "m2"),
        _f("area_mu", "面积", "Area", "mu"),
        _f("area_km2", "面积", "Area", "km2"),
        _f("floor_area_m2", "建筑面积", "Floor area", "m2"),
        _f("footprint_m2", "建筑占地面积", "Footprint", "m2"),
        _f("admin_living_land_m2", "行政办公及生活服务设施用地面积", "Admin and living land", "m2"),
        _f("green_area_m2", "绿地面积", "Green area", "m2"),
        _f("developed_area_m2", "已开发面积", "Developed area", "m2"),
        _f("levels", "层数", "Storeys", "storeys"),
        _f("height_m", "建筑高度", "Height", "m"),
        _f("storey_height_m", "层高", "Storey height", "m"),
        _f("storey_heights_m", "各层层高", "Storey heights (m, one per storey)", None),
        _f("far", "容积率", "Floor area ratio", "ratio"),
        _f("far_min", "容积率下限", "Minimum FAR", "ratio"),
        _f("target_far", "目标容积率", "Target FAR", "ratio"),
        _f("building_coefficient", "建筑系数", "Building coefficient", "share"),
        _f("building_coefficient_min", "建筑系数下限", "Minimum building coefficient", "share"),
        _f(
            "admin_living_share",
            "行政办公及生活服务设施用地占比",
            "Admin and living share",
            "share",
        ),
        _f(
            "admin_living_share_max",
            "行政办公及生活服务设施用地占比上限",
            "Maximum admin and living share",
            "share",
        ),
        _f("green_ratio", "绿地率", "Green ratio", "share"),
        _f("green_ratio_max", "绿地率上限", "Maximum green ratio", "share"),
        # money and output
        _f("investment_wan", "固定资产投资", "Investment", "wan"),
        _f("invested_wan", "已完成投资", "Invested", "wan"),
        _f("agreed_investment_wan", "约定投资", "Agreed investment", "wan"),
        _f("agreed_tax_wan", "约定税收", "Agreed tax", "wan"),
        _f("revenue_wan", "营业收入", "Revenue", "wan"),
        _f("revenue_yi", "主营业务收入", "Revenue", "yi"),
        _f("value_added_wan", "工业增加值", "Value added", "wan"),
        _f("tax_wan", "税收", "Tax", "wan"),
        _f("rd_spend_wan", "研发经费", "R&D spending", "wan"),
        _f("grant_price_wan", "出让价款", "Grant price", "wan"),
        _f("expected_tax_wan", "预计税收", "Expected tax", "wan"),
        _f("expected_revenue_wan", "预计营业收入", "Expected revenue", "wan"),
        _f("energy_tce", "综合能耗", "Energy use", "tce"),
        _f("emissions_t", "主要污染物排放量", "Emissions", "t"),
        _f("employees", "从业人员", "Employees", "persons"),
        _f("tenure_years", "出让年限", "Tenure", "years"),
        _f("investment_intensity_wan_per_mu", "亩均投资强度", "Investment per mu", "wan_per_mu"),
        _f(
            "investment_intensity_min_wan_per_mu",
            "投资强度下限",
            "Minimum investment per mu",
            "wan_per_mu",
        ),
        _f("revenue_per_mu_wan", "亩均营业收入", "Revenue per mu", "wan_per_mu"),
        _f("tax_per_mu_wan", "亩均税收", "Tax per mu", "wan_per_mu"),
        _f("tax_per_mu", "亩均税收", "Tax per mu", "wan_per_mu"),
        _f("tax_per_mu_min_wan", "亩均税收下限", "Minimum tax per mu", "wan_per_mu"),
        _f("value_added_per_mu_wan", "亩均增加值", "Value added per mu", "wan_per_mu"),
        # dates
        _f("grant_date", "出让日期", "Grant date"),
        _f("agreed_start_date", "约定开工日期", "Agreed start date"),
        _f("actual_start_date", "实际开工日期", "Actual start date"),
        _f("agreed_completion_date", "约定竣工日期", "Agreed completion date"),
        _f("completion_date", "实际竣工日期", "Completion date"),
        _f("stopped_since", "停产日期", "Stopped since"),
        # metric checks
        _f("far_pass", "容积率达标", "FAR met"),
        _f("building_coefficient_pass", "建筑系数达标", "Building coefficient met"),
        _f(
            "admin_living_share_pass",
            "行政办公及生活服务设施用地占比达标",
            "Admin and living share met",
        ),
        _f("green_ratio_pass", "绿地率达标", "Green ratio met"),
        _f("investment_intensity_pass", "投资强度达标", "Investment per mu met"),
        _f("tax_per_mu_pass", "亩均税收达标", "Tax per mu met"),
        # the project bank
        _f("reasons", "认定原因代码", "Reason codes"),
        _f("reason_text", "认定原因", "Reasons"),
        _f("n_reasons", "原因数", "Number of reasons", "count"),
        _f("grade", "亩均效益等级", "Efficiency grade", category="grade"),
        _f("grade_label", "亩均效益等级", "Efficiency grade"),
        _f("mujun_score", "亩均效益得分", "Efficiency score", "score"),
        _f("route", "再开发路径", "Redevelopment route", category="route"),
        _f("route_label", "再开发路径", "Redevelopment route"),
        _f("priority", "优先级得分", "Priority score", "score"),
        _f("priority_rank", "优先序", "Priority rank", "rank"),
        _f("potential_extra_floor_area_m2", "潜在新增建筑面积", "Potential extra floor area", "m2"),
        _f("land_freed_mu", "可腾出土地", "Land freed", "mu"),
        _f(
            "benchmark_tax_wan_per_mu",
            "集聚区亩均税收基准",
            "Zone tax-per-mu benchmark",
            "wan_per_mu",
        ),
        _f("potential_tax_wan", "预期税收", "Potential tax", "wan"),
        _f("tax_gain_wan", "预期新增税收", "Tax gain", "wan"),
        _f("idle_stage", "闲置阶段", "Idle stage"),
        _f("idle_fee_wan", "土地闲置费", "Idle land fee", "wan"),
        _f("status", "状态", "Status", category="bank_status"),
        _f("first_identified", "首次识别日期", "First identified"),
        _f("resolved_on", "销号日期", "Resolved on"),
        _f("status_changed_at", "状态变更时间", "Status changed at"),
        _f("status_by", "状态变更人", "Changed by"),
        _f("updated_at", "更新时间", "Updated at"),
        _f("count", "数量", "Count", "count"),
        _f("event_id", "事件编号", "Event id"),
        _f("event", "事件", "Event"),
        _f("at", "时间", "At"),
        _f("as_of", "数据日期", "As of"),
        _f("by", "操作人", "By"),
        _f("sync_id", "同步编号", "Sync id"),
        _f("added", "新增", "Added", "count"),
        _f("changed", "变化", "Changed", "count"),
        _f("unchanged", "未变", "Unchanged", "count"),
        _f("resolved", "销号", "Resolved", "count"),
        _f("reidentified", "重新识别", "Re-identified", "count"),
        _f("total", "库内总数", "Entries in the bank", "count"),
        _f("landuse_version", "软件版本", "landuse version"),
        _f("description", "变更内容", "Changes"),
        _f("geometry", "图形", "Geometry"),
        # compliance
        _f("share_in_zone", "集聚区内面积占比", "Share inside the zones", "share"),
        _f("area_outside_m2", "集聚区外面积", "Area outside the zones", "m2"),
        _f(
            "share_in_industrial_area",
            "产业发展区内面积占比",
            "Share in the industrial area",
            "share",
        ),
        _f(
            "area_outside_industrial_m2",
            "产业发展区外面积",
            "Area outside the industrial area",
            "m2",
        ),
        _f("distance_to_zone_m", "距集聚区距离", "Distance to the zone", "m"),
        _f("nearest_zone_id", "最近集聚区", "Nearest zone"),
        _f("verdict", "判定结果", "Verdict", category="verdict"),
        _f("proposals", "拟供地块数", "Proposals", "count"),
        _f("outside", "位于集聚区外", "Outside the zones", "count"),
        _f("straddling", "跨集聚区边界", "Straddling a boundary", "count"),
        _f("outside_or_straddling", "区外或跨界合计", "Outside or straddling", "count"),
        _f("area_outside_mu", "集聚区外面积", "Area outside the zones", "mu"),
        _f("share_outside", "集聚区外面积占比", "Share outside the zones", "share"),
        # assessment
        _f("rank", "排名", "Rank", "rank"),
        _f("total_score", "总分", "Total score", "score"),
        _f("stock_score", "存量得分", "Stock score", "score"),
        _f("increment_score", "增量得分", "Increment score", "score"),
        _f("tier", "层级", "Tier"),
        _f("meets_creation_conditions", "符合创建条件", "Meets creation conditions"),
        _f("creation_failures", "未达创建条件情况", "Creation conditions failed"),
        _f("elimination_warning", "淘汰预警", "Elimination warning"),
        _f("elimination_reason", "预警原因", "Warning reason"),
        _f("reward_wan", "奖励资金", "Reward", "wan"),
        _f("meets_targets", "达到预期目标", "Meets expected targets"),
        _f("target_failures", "未达预期目标情况", "Expected targets missed"),
        _f("fortune500_projects", "世界500强及中国500强项目数", "Fortune 500 projects", "projects"),
        _f("projects_over_100m", "过亿元项目数", "Projects over 1 亿元", "projects"),
        _f("attraction_target_met", "招商目标达成", "Attraction target met"),
        _f("zones", "该层级集聚区数", "Zones at the tier"),
        _f("revenue_yi_min", "层级收入门槛", "Tier revenue threshold", "yi"),
        _f("target_met", "达到目标", "Target met"),
        _f("zones_at_or_above", "达到该层级及以上的集聚区数", "Zones at or above the tier"),
        _f("target_count", "目标数量", "Target count"),
        _f("shortfall", "差距", "Shortfall"),
        _f("increment_available", "增量可计算", "Increment available"),
        _f("new_registered_firms", "新增纳统企业数", "New registered firms", "firms"),
        _f("investment_projects", "年度招商引资数", "Investment projects", "projects"),
        _f("leading_industry_revenue_wan", "主导产业营业收入", "Leading-industry revenue", "wan"),
        _f("leading_industry_share", "主导产业占比", "Leading-industry share", "share"),
        _f("new_project_investment_wan", "新建项目投资", "New-project investment", "wan"),
        _f("new_project_land_mu", "新建项目用地", "New-project land", "mu"),
        # supply options
        _f("option", "供地方式代码", "Option code"),
        _f("label", "供地方式", "Option"),
        _f("years", "出让年限", "Term", "years"),
        _f("land_m2", "用地面积", "Land", "m2"),
        _f("land_mu", "用地面积", "Land", "mu"),
        _f("new_land_mu", "新增用地", "New land", "mu"),
        _f("land_saved_mu", "节约用地", "Land saved", "mu"),
        _f("investment_wan_per_mu", "亩均投资", "Investment per mu", "wan_per_mu"),
        _f("tax_wan_per_mu", "亩均税收", "Tax per mu", "wan_per_mu"),
        _f("firm_upfront_wan", "企业首期支出", "Firm's upfront cost", "wan"),
        _f("firm_npv_wan", "企业收支现值", "Firm's net present value", "wan"),
        _f("firm_annual_cost_wan", "企业年均成本", "Firm's equivalent annual cost", "wan"),
        _f("city_revenue_wan", "城市土地收入", "City land revenue", "wan"),
        _f("city_npv_wan", "城市收入现值", "City revenue, present value", "wan"),
        _f("indicators_met", "控制指标达标", "Indicators met"),
        _f("indicators_failed", "未达标指标", "Indicators failed"),
        _f("not_evaluated", "未评价指标", "Not evaluated"),
        _f("feasible", "可行", "Feasible"),
        _f("recommended", "推荐", "Recommended"),
        _f("reason", "说明", "Reason"),
        # raster statistics
        _f("mean", "平均值", "Mean"),
        _f("sum", "总和", "Sum"),
        _f("min", "最小值", "Minimum"),
        _f("max", "最大值", "Maximum"),
        _f("std", "标准差", "Standard deviation"),
        _f("majority", "众数", "Majority"),
        _f("valid_share", "有效像元覆盖占比", "Valid-cell share", "share"),
        _f("builtup_share", "建成面积占比", "Built-up share", "share"),
        _f("activity_index", "活动指数", "Activity index", "ratio"),
        # enterprises (issue 19): enterprise-year tables keyed by the unified social credit code
        _f("credit_code", "统一社会信用代码", "Unified social credit code"),
        _f("above_scale", "规模以上企业", "Above designated size"),
        _f("electricity_kwh", "用电量（千瓦时）", "Electricity use (kWh)"),
        _f("registered_on", "成立日期", "Registered on"),
        # enterprise evaluation (issue 19): evaluate_enterprises, enterprise_history
        _f("owned_area_m2", "自有用地面积", "Owned land", "m2"),
        _f("rented_area_m2", "租赁用地面积", "Rented land", "m2"),
        _f("category", "评价类别", "Evaluation category", category="enterprise_category"),
        _f("unit_id", "评价单元", "Evaluation unit"),
        _f("land_basis", "用地认定依据", "How the land was derived"),
        _f("parcel_ids", "宗地编号", "Parcel ids"),
        _f("zone_ids", "所在集聚区", "Zones"),
        _f("in_scope", "纳入评价", "In scope"),
        _f("scope_reason", "评价范围说明", "Scope decision"),
        _f("provisional", "暂评", "Provisional"),
        _f("provisional_reason", "暂评说明", "Why provisional"),
        _f("variant", "评价类型", "Weights used"),
        _f("score", "综合得分", "Score", "score"),
        _f("rank_share", "排名百分位", "Rank share", "share"),
        _f("not_graded_reason", "不定等级原因", "Why not graded"),
        _f("indicator_tax_per_mu", "亩均税收", "Tax per mu", "wan_per_mu"),
        _f("indicator_value_added_per_mu", "亩均增加值", "Value added per mu", "wan_per_mu"),
        _f("indicator_revenue_per_mu", "亩均营业收入", "Revenue per mu", "wan_per_mu"),
        _f(
            "indicator_value_added_per_energy",
            "单位能耗增加值（万元/吨标准煤）",
            "Value added per energy (10k CNY/tce)",
        ),
        _f(
            "indicator_value_added_per_emission",
            "单位排放增加值（万元/吨）",
            "Value added per emission (10k CNY/t)",
        ),
        _f(
            "indicator_labour_productivity",
            "全员劳动生产率（万元/人）",
            "Labour productivity (10k CNY/person)",
        ),
        _f("indicator_rd_share", "研发经费投入强度", "R&D share of revenue", "share"),
        _f(
            "indicator_tax_per_electricity",
            "单位电耗税收（元/千瓦时）",
            "Tax per electricity (CNY/kWh)",
        ),
        _f(
            "indicator_revenue_per_energy",
            "单位能耗销售收入（万元/吨标准煤）",
            "Revenue per energy (10k CNY/tce)",
        ),
        _f(
            "indicator_revenue_per_emission",
            "单位污染物排放销售收入（万元/吨）",
            "Revenue per emission (10k CNY/t)",
        ),
        _f("benchmark_tax_per_mu", "亩均税收基准值", "Tax per mu benchmark", "wan_per_mu"),
        _f(
            "benchmark_value_added_per_mu",
            "亩均增加值基准值",
            "Value added per mu benchmark",
            "wan_per_mu",
        ),
        _f(
            "benchmark_revenue_per_mu",
            "亩均营业收入基准值",
            "Revenue per mu benchmark",
            "wan_per_mu",
        ),
        _f(
            "benchmark_value_added_per_energy",
            "单位能耗增加值基准值（万元/吨标准煤）",
            "Value added per energy benchmark (10k CNY/tce)",
        ),
        _f(
            "benchmark_value_added_per_emission",
            "单位排放增加值基准值（万元/吨）",
            "Value added per emission benchmark (10k CNY/t)",
        ),
        _f(
            "benchmark_labour_productivity",
            "全员劳动生产率基准值（万元/人）",
            "Labour productivity benchmark (10k CNY/person)",
        ),
        _f("benchmark_rd_share", "研发经费投入强度基准值", "R&D share benchmark", "share"),
        _f(
            "benchmark_tax_per_electricity",
            "单位电耗税收基准值（元/千瓦时）",
            "Tax per electricity benchmark (CNY/kWh)",
        ),
        _f(
            "benchmark_revenue_per_energy",
            "单位能耗销售收入基准值（万元/吨标准煤）",
            "Revenue per energy benchmark (10k CNY/tce)",
        ),
        _f(
            "benchmark_revenue_per_emission",
            "单位污染物排放销售收入基准值（万元/吨）",
            "Revenue per emission benchmark (10k CNY/t)",
        ),
        _f("contribution_tax_per_mu", "亩均税收得分", "Tax per mu points", "score"),
        _f(
            "contribution_value_added_per_mu",
            "亩均增加值得分",
            "Value added per mu points",
            "score",
        ),
        _f("contribution_revenue_per_mu", "亩均营业收入得分", "Revenue per mu points", "score"),
        _f(
            "contribution_value_added_per_energy",
            "单位能耗增加值得分",
            "Value added per energy points",
            "score",
        ),
        _f(
            "contribution_value_added_per_emission",
            "单位排放增加值得分",
            "Value added per emission points",
            "score",
        ),
        _f(
            "contribution_labour_productivity",
            "全员劳动生产率得分",
            "Labour productivity points",
            "score",
        ),
        _f("contribution_rd_share", "研发经费投入强度得分", "R&D share points", "score"),
        _f(
            "contribution_tax_per_electricity",
            "单位电耗税收得分",
            "Tax per electricity points",
            "score",
        ),
        _f(
            "contribution_revenue_per_energy",
            "单位能耗销售收入得分",
            "Revenue per energy points",
            "score",
        ),
        _f(
            "contribution_revenue_per_emission",
            "单位污染物排放销售收入得分",
            "Revenue per emission points",
            "score",
        ),
        _f("previous_grade", "上年等级", "Previous grade", category="grade"),
        _f("grade_change", "等级变化", "Grade change"),
        _f("years_in_grade", "连续同等级年数", "Consecutive years in the grade", "years"),
        _f("years_in_d", "连续D类年数", "Consecutive years in D", "years"),
        _f(
            "surcharge_yuan_per_kwh",
            "差别化电价加价（元/千瓦时）",
            "Electricity surcharge (CNY/kWh)",
        ),
        _f("surcharge_wan", "差别化电价加收电费", "Electricity surcharge", "wan"),
        _f("surcharge_reason", "差别化电价说明", "Electricity surcharge note"),
    )
}

#: The column that keeps a coded column's codes in an output for machines (``verdict`` →
#: ``verdict_code``); ``land_use_code`` already holds the raw land-use code, so the class is
#: kept in ``land_use_class``.
CODE_COLUMNS: dict[str, str] = {"land_use": "land_use_class"}


def code_column(name: str) -> str:
    """Name of the column that keeps the codes of coded column ``name``.

    Examples
    --------
    >>> code_column("verdict"), code_column("land_use")
    ('verdict_code', 'land_use_class')
    """
    return CODE_COLUMNS.get(name, f"{name}_code")


_SUFFIX_UNITS: tuple[tuple[str, str], ...] = (
    # suffix of a name not in FIELDS -> unit key
    ("_wan_per_mu", "wan_per_mu"),
    ("_per_mu_wan", "wan_per_mu"),
    ("_m2", "m2"),
    ("_km2", "km2"),
    ("_mu", "mu"),
    ("_wan", "wan"),
    ("_yi", "yi"),
    ("_tce", "tce"),
    ("_share", "share"),
    ("_score", "score"),
    ("_m", "m"),
)


def field_info(name: str) -> Field:
    """Return the :class:`Field` of an output column.

    For a name not in :data:`FIELDS`, one is made up from the name (its unit from the suffix,
    the name itself as both headers).

    Examples
    --------
    >>> field_info("land_area_mu").header()
    '用地面积（亩）'
    >>> field_info("land_area_mu").header("en")
    'Land area (mu)'
    >>> f = field_info("my_value_wan")
    >>> f.header(), f.unit
    ('my_value_wan（万元）', 'wan')
    """
    known = FIELDS.get(name)
    if known is not None:
        return known
    text = str(name)
    if text.startswith("share_") and len(text) > 6:  # zonal_stats(categories=…): share_<class>
        value = text[6:]
        return Field(text, f"类别 {value} 面积占比", f"Share of class {value}", "share")
    for suffix, unit in _SUFFIX_UNITS:
        if text.endswith(suffix) and len(text) > len(suffix):
            return Field(text, text, text, unit)
    return Field(text, text, text)


def field_label(name: str, lang: Literal["zh", "en"] = "zh") -> str:
    """Return the header of output column ``name`` in ``lang``, with its unit.

    Examples
    --------
    >>> field_label("verdict"), field_label("potential_tax_wan", "en")
    ('判定结果', 'Potential tax (10k CNY)')
    """
    return field_info(name).header(lang)


def parse_category(category: str, text: object) -> str | None:
    """Return the code of a category value given as its code, its Chinese or English label.

    Case and surrounding spaces are ignored; ``None`` when nothing matches.

    Examples
    --------
    >>> parse_category("bank_status", "已核实"), parse_category("bank_status", "Verified")
    ('verified', 'verified')
    >>> parse_category("bank_status", "verified"), parse_category("bank_status", "x") is None
    ('verified', True)
    """
    key = str(text).strip().casefold()
    for code, (zh, en) in CATEGORY_LABELS[category].items():
        if key in (code.casefold(), zh.casefold(), en.casefold()):
            return code
    return None


#: Outline colour of the cluster-zone boundaries (web maps, static maps, QGIS styles).
ZONE_COLOR = "#d6604d"

#: Colours of the zone tiers (百亿级 … 千亿级: a policy's ``tiers.levels``), lowest tier first;
#: a policy's tiers take evenly spaced colours along this ramp (maps, legends).
TIER_COLORS: tuple[str, ...] = ("#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494")
#: Colour of zones below the lowest tier.
TIER_BELOW_COLOR = "#ffffcc"

#: Colours of coded values (maps, legends, QGIS styles): ``{category: {code: colour}}``.
CATEGORY_COLORS: dict[str, dict[str, str]] = {
    "grade": {"A": "#1a9850", "B": "#91cf60", "C": "#fc8d59", "D": "#d73027"},
    "verdict": {
        "inside": "#1a9850",
        "inside_within_tolerance": "#a6d96a",
        "straddles_boundary": "#fdae61",
        "outside": "#d7191c",
        "wrong_functional_area": "#7b3294",
        "not_industrial_use": "#878787",
    },
    "area_type": {"industrial": "#8c510a", "business": "#2166ac", "residential": "#1b7837"},
    "land_use": {
        "industrial": "#bb9674",
        "logistics": "#855ba1",
        "commercial": "#e7298a",
        "residential": "#e6c229",
        "other": "#a6a6a6",
    },
    "production_status": {
        "producing": "#1a9850",
        "partly_stopped": "#fee08b",
        "stopped": "#d73027",
        "under_construction": "#4575b4",
        "not_started": "#878787",
    },
    "route": {
        "acquisition": "#d7301f",
        "relocation": "#fc8d59",
        "multistorey": "#4575b4",
        "self_upgrade": "#91bfdb",
    },
    "bank_status": {
        "identified": "#fdae61",
        "verified": "#f46d43",
        "approved": "#74add1",
        "in_progress": "#4575b4",
        "completed": "#1a9850",
        "rejected": "#878787",
        "resolved_by_data": "#bababa",
    },
}
