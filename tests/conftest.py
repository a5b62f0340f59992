"""Small exact fixtures built in code (EPSG:4549, metres): a 100 m square is 1 ha = 15 亩."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

#: EPSG:4490 (120.3826 E, 36.0671 N) in EPSG:4549, computed with pyproj (POLICY-FACTS §7.1).
QD_LONLAT = (120.3826, 36.0671)
QD_GK = (534467.46, 3993055.81)


def square(x: float, y: float, size: float = 100.0) -> shapely.Polygon:
    """A size × size square with its lower-left corner at (x, y)."""
    return shapely.box(x, y, x + size, y + size)


@pytest.fixture
def parcels_zh() -> gpd.GeoDataFrame:
    """Three parcels with Chinese field names, as a bureau export would have them."""
    x0, y0 = QD_GK
    return gpd.GeoDataFrame(
        {
            "宗地编号": ["370282-001", "370282-002", "370282-003"],
            "用途": ["0601", "商业用地", "100101"],
            "用地面积": ["10,000", "20000", None],
            "建筑面积": [12000.0, 30000.0, 5000.0],
            "企业名称": ["青岛甲公司", "青岛乙公司", "青岛丙公司"],
            "行业代码": ["C3611", "36", 39],
            "税收": ["300", "无", "12.5"],
            "营业收入": [5000, 8000, 100],
            "固定资产投资": [4200, 9000, 800],
            "出让日期": ["2018-03-01", "2018年3月1日", "2018/3/1"],
            "约定开工日期": ["2018-09-01", None, "2019.03.01"],
            "生产状态": ["正常生产", "停产", "未开工"],
        },
        geometry=[square(x0, y0), square(x0 + 100, y0, 141.4213562373095), square(x0, y0 + 200)],
        crs="EPSG:4549",
    )
