"""The fixed texts of the dossier pages (Chinese and English); data never goes in here."""

from __future__ import annotations

from landuse._checks import Lang

__all__ = ["TEXTS", "text"]

#: key → (zh, en). Placeholders are filled with str.format by the caller, then escaped.
TEXTS: dict[str, tuple[str, str]] = {
    "zone_title": ("{name} · 一区一档 {year}", "{name} · zone dossier {year}"),
    "city_title": (
        "青岛市重点工业产业集聚区 {year} 年度报告",
        "Qingdao cluster zones: report {year}",
    ),
    "header": ("基本情况", "Overview"),
    "zone_id": ("集聚区编号", "Zone id"),
    "name": ("名称", "Name"),
    "district": ("所在区市", "District"),
    "leading_industry": ("主导产业", "Leading industry"),
    "tier_target": ("等级目标", "Tier target"),
    "area_km2": ("面积（平方公里）", "Area (km²)"),
    "functional_areas": ("功能分区", "Functional areas"),
    "no_functional_areas": ("未提供功能分区", "no functional areas given"),
    "as_of": ("基准日", "As of"),
    "policy": ("政策配置", "Policy profile"),
    "map": ("地图", "Map"),
    "map_note": (
        "地图离线可用（无底图）：集聚区与功能分区、宗地亩均等级、再开发项目库、新增用地判定。",
        "Offline map (no basemap): zone and functional areas, parcels by grade, the bank, "
        "new land by verdict.",
    ),
    "assessment": ("年度考核", "Annual assessment"),
    "indicators": ("七项指标", "The seven indicators"),
    "indicator": ("指标", "Indicator"),
    "unit": ("单位", "Unit"),
    "value": ("本年值", "Value"),
    "increment": ("较上年增量", "Change on last year"),
    "stock_benchmark": ("存量标杆", "Stock benchmark"),
    "increment_benchmark": ("增量标杆", "Increment benchmark"),
    "target": ("目标/门槛", "Target / threshold"),
    "stock_score": ("存量得分", "Stock score"),
    "increment_score": ("增量得分", "Increment score"),
    "rank": ("排名", "Rank"),
    "total_score": ("总分", "Total score"),
    "tier": ("等级", "Tier"),
    "revenue_yi": ("主营业务收入（亿元）", "Revenue (100m CNY)"),
    "reward_wan": ("奖励（万元）", "Reward (10k CNY)"),
    "elimination_warning": ("淘汰预警", "Elimination warning"),
    "meets_targets": ("达到预期目标", "Meets expected targets"),
    "targets_met": ("达到本区预期目标。", "Meets the zone's expected targets."),
    "targets_missed": (
        "未达到本区预期目标（淘汰预警）：{why}",
        "Misses the zone's expected targets (elimination warning): {why}",
    ),
    "targets_not_given": (
        "按预期目标淘汰未评价：未提供各区预期目标（assess_zones 的 targets=）。",
        "Elimination by expected targets not evaluated: no per-zone targets given "
        "(targets= of assess_zones).",
    ),
    "targets_unknown": (
        "按预期目标淘汰未评价：无本区 {year} 年目标，或本区缺少目标所列指标的数值。",
        "Elimination by expected targets not evaluated: no target for the zone in {year}, or "
        "the zone lacks the values the targets name.",
    ),
    "elimination_reason": ("淘汰预警原因：{why}", "Why the elimination warning: {why}"),
    "attraction": ("招商引资目标", "Investment attraction target"),
    "attraction_rule": (
        "每区每年引进世界500强及中国500强项目不少于 {fortune500} 个、过亿元项目不少于 {over_100m} 个。",
        "Each zone, each year: at least {fortune500} Fortune Global / China 500 project(s) and "
        "{over_100m} projects over 1 亿元 (100m CNY).",
    ),
    "attraction_item": ("项目", "Item"),
    "minimum": ("最低要求", "Minimum"),
    "met": ("是否达到", "Met"),
    "attraction_met": ("达到招商引资目标。", "Meets the investment attraction target."),
    "attraction_not_met": (
        "未达到招商引资目标：{why}",
        "Misses the investment attraction target: {why}",
    ),
    "attraction_unknown": ("招商引资目标{why}", "Investment attraction target {why}"),
    "lacks_columns": (
        "未评价：集聚区统计缺少 {columns} 列。",
        "not evaluated: the zone statistics lack the column(s) {columns}.",
    ),
    "unset_keys": (
        "未评价：政策配置未设定 {keys}。",
        "not evaluated: the policy profile does not set {keys}.",
    ),
    "zone_lacks_values": (
        "未评价：本区 {year} 年统计缺少 {columns} 的数值。",
        "not evaluated: the zone's {year} statistics lack a value of {columns}.",
    ),
    "zones_lack_values": (
        "未评价：各区 {year} 年统计均缺少 {columns} 的数值。",
        "not evaluated: no zone has a {year} value of {columns}.",
    ),
    "attraction_zones_met": ("达到目标的集聚区数", "Zones meeting the target"),
    "zones_evaluated": ("已评价集聚区数", "Zones evaluated"),
    "zones_not_evaluated": ("未评价集聚区数", "Zones not evaluated"),
    "attraction_count": (
        "{n} 个集聚区达到招商引资目标（共评价 {m} 个）。",
        "{n} of the {m} zones evaluated meet the investment attraction target.",
    ),
    "attraction_some_unknown": (
        "{k} 个集聚区未评价：本年统计缺少项目数。",
        "{k} zone(s) not evaluated: their statistics of the year lack the project counts.",
    ),
    "tier_progress": ("层级目标进度", "Progress toward the tier targets"),
    "tier_progress_at_or_above": (
        "各层级集聚区数与 {year} 年目标数量比较；差距按达到该层级及以上的集聚区数计算"
        "（规划未说明较低层级的目标数量是否包含较高层级的集聚区）。",
        "Zones at each tier against the target counts for {year}; the shortfall is counted on "
        "the zones at or above the tier (the plan does not say whether a lower tier's count "
        "includes the higher tiers).",
    ),
    "tier_progress_in_tier": (
        "各层级集聚区数与 {year} 年目标数量比较；差距按各层级本身的集聚区数计算"
        "（规划未说明较低层级的目标数量是否包含较高层级的集聚区）。",
        "Zones at each tier against the target counts for {year}; the shortfall is counted on "
        "the zones of each tier alone (the plan does not say whether a lower tier's count "
        "includes the higher tiers).",
    ),
    "tier_progress_unset": (
        "各层级集聚区数与 {year} 年目标数量比较；差距与是否达到未评价：政策配置未设定 "
        "tiers.count_rule（规划未说明较低层级的目标数量是否包含较高层级的集聚区）。",
        "Zones at each tier against the target counts for {year}; shortfall and target met not "
        "evaluated: the policy profile does not set tiers.count_rule (the plan does not say "
        "whether a lower tier's count includes the higher tiers).",
    ),
    "tier_progress_no_year": ("未设定", "not set"),
    "history": ("历年变化", "History"),
    "no_history": ("仅一年数据，无历年变化", "one year only: no history"),
    "creation": ("创建条件", "Creation conditions"),
    "creation_met": ("满足创建条件", "Meets the creation conditions"),
    "creation_not_met": ("未满足创建条件：{why}", "Does not meet the creation conditions: {why}"),
    "creation_unknown": ("创建条件无法评价：{why}", "Creation conditions not evaluable: {why}"),
    "no_year": (
        "无 {year} 年考核：{why}",
        "No assessment for {year}: {why}",
    ),
    "zone_no_stats": (
        "本区 {year} 年未参与排名：{why}",
        "The zone is not ranked for {year}: {why}",
    ),
    "bank": ("低效用地再开发项目库", "Redevelopment project bank"),
    "bank_by_route": ("按再开发路径与状态", "By route and status"),
    "route": ("再开发路径", "Route"),
    "status": ("状态", "Status"),
    "count": ("宗数", "Count"),
    "land_mu": ("用地面积（亩）", "Land (mu)"),
    "top_candidates": ("优先项目（前 {n} 宗）", "Top {n} candidates"),
    "no_bank": ("本区无再开发候选地块", "No redevelopment candidate in this zone"),
    "bank_missing": ("未生成项目库：{why}", "No project bank: {why}"),
    "bank_source_built": (
        "项目库由 build_project_bank 按基准日 {as_of} 识别（状态均为已识别）。",
        "Bank identified by build_project_bank as of {as_of} (all identified).",
    ),
    "bank_source_store": ("项目库取自 {target}。", "Bank read from {target}."),
    "bank_source_frame": ("项目库为传入的候选表。", "Bank: the candidates given."),
    "new_land": ("新增工业用地", "New industrial land"),
    "verdict": ("判定结果", "Verdict"),
    "no_proposals": ("本区无新增用地申请", "No new-land proposal for this zone"),
    "proposals_missing": ("未提供新增用地申请", "No new-land proposals given"),
    "proposals_list": ("本区相关用地申请", "Proposals of this zone"),
    "standard_land": ("标准地条件", "Standard-land conditions"),
    "standard_land_none": (
        "本区无位于区内的工业用地申请，未做标准地核查",
        "No industrial proposal inside the zone: no standard-land check",
    ),
    "acceptance_note": (
        "验收（竣工验收/达产复核）需要实测值，本报告未提供，未评价。",
        "Acceptance (completion / production review) needs measured values; none given, "
        "not evaluated.",
    ),
    "enterprises": ("企业亩均评价", "Enterprise evaluation"),
    "no_enterprises": ("未提供企业数据，未做企业亩均评价", "No enterprise data: not evaluated"),
    "no_zone_enterprises": (
        "本区无参评企业（企业用地均不在本区）",
        "No enterprise evaluated on land in this zone",
    ),
    "enterprise_error": ("企业评价未完成：{why}", "Enterprise evaluation failed: {why}"),
    "grade": ("等级", "Grade"),
    "grade_counts": ("按等级", "By grade"),
    "ungraded": ("不定等级", "Not graded"),
    "lowest_firms": ("D 类与 C 类企业（前 {n} 家）", "Grade D and C firms (first {n})"),
    "quality": ("数据质量", "Data quality"),
    "quality_ok": ("读取时未修复或剔除任何要素。", "The readers repaired or dropped nothing."),
    "quality_read": ("读取与修复", "What the readers did"),
    "quality_not_evaluated": ("未评价的规则", "Rules not evaluated"),
    "quality_warnings": ("分析提示", "Notes from the analyses"),
    "nothing_not_evaluated": ("各项规则均已评价。", "Every rule was evaluated."),
    "appendix": ("附录：政策参数与来源", "Appendix: policy parameters and sources"),
    "appendix_note": (
        "本页数值由政策配置 {policy} 计算；下表列出所用参数、取值、来源与可信度。",
        "The figures use policy profile {policy}; the table lists each parameter, value, "
        "source and confidence.",
    ),
    "back_to_city": ("返回全市报告", "Back to the city report"),
    "ranking": ("考核排名", "Ranking"),
    "rank_change": ("名次变化", "Rank change"),
    "previous_rank": ("上年排名", "Last year's rank"),
    "previous_tier": ("上年等级", "Last year's tier"),
    "city_map": ("集聚区等级分布图", "Zones by tier"),
    "bank_totals": ("项目库：各集聚区按路径汇总", "Bank totals by zone and route"),
    "outside_land": ("集聚区外新增工业用地（按区市）", "New industrial land outside the zones"),
    "zone_pages": ("各集聚区档案", "Zone pages"),
    "no_outside": ("无集聚区外新增工业用地申请", "No new industrial land outside the zones"),
    "total": ("合计", "Total"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "not_evaluated": ("未评价", "not evaluated"),
    "unranked": ("未排名", "unranked"),
    "below_tiers": ("未入级", "below the tiers"),
    "parameter_none": ("未记录政策参数。", "No policy parameter recorded."),
    "chart_unit_note": ("图：历年数值", "Charts: values by year"),
}


def text(key: str, lang: Lang, **values: object) -> str:
    """Return the fixed text ``key`` in ``lang``, with ``values`` filled in (not escaped).

    Examples
    --------
    >>> text("no_year", "zh", year=2022, why="无统计数据")
    '无 2022 年考核：无统计数据'
    """
    zh, en = TEXTS[key]
    template = zh if lang == "zh" else en
    return template.format(**values) if values else template
