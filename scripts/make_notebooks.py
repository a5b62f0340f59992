"""Write the notebooks (without outputs) from the cell sources below.

Run ``python scripts/make_notebooks.py``; the notebooks are committed and executed by
``tests/test_notebooks.py``. Only notebook 01 is generated here; the others are edited as
notebooks (keep them without outputs: ``tests/test_notebooks.py`` checks).
"""

from __future__ import annotations

from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parents[1] / "notebooks"

GETTING_STARTED = [
    (
        "markdown",
        """# 01 · Getting started: load, validate, reproject, look

This notebook walks through what every later task starts with: reading zone boundaries and
parcels into landuse's data model, checking what the readers did, and looking at the result.
It uses the bundled **synthetic** Qingdao sample, then a small file of "your own" written here,
with Chinese field names in a GBK shapefile without `.cpg` — the most common trouble with
bureau exports.""",
    ),
    (
        "code",
        """import tempfile
from pathlib import Path

import geopandas as gpd
import shapely

import landuse

landuse.__version__""",
    ),
    (
        "markdown",
        """## The sample

`load_sample()` reads the bundled files through the same readers you use on your own data.
Everything comes back in the analysis CRS, EPSG:4549 (CGCS2000 3-degree Gauss-Kruger CM 120E),
in metres.""",
    ),
    (
        "code",
        """s = landuse.load_sample()
{name: len(getattr(s, name)) for name in ["zones", "functional_areas", "parcels", "buildings", "proposals", "zone_stats"]}""",
    ),
    ("code", """s.zones[["zone_id", "name", "district", "leading_industry", "tier_target"]]"""),
    (
        "markdown",
        """Each frame carries a report of what the reader did: which source fields became which
canonical columns, the CRS, repairs. The sample's parcels come with Chinese field names, as a
bureau export would.""",
    ),
    ("code", """print(s.parcels.attrs["landuse_read"].summary())"""),
    (
        "code",
        """s.parcels[["parcel_id", "land_use", "land_use_code", "industry_code", "enterprise", "land_area_m2", "tax_wan", "production_status"]].head()""",
    ),
    (
        "markdown",
        """Areas are in m², money in 万元. 1 亩 = 10000/15 m²; the land in each zone, in 亩:""",
    ),
    (
        "code",
        """zone_area_mu = landuse.m2_to_mu(s.zones.set_index("zone_id").area).round(0)
zone_area_mu.sort_values(ascending=False).head()""",
    ),
    (
        "markdown",
        """## Your own file: a GBK shapefile without `.cpg`

Written here so the notebook runs anywhere. The reader detects the encoding (strict UTF-8
first, then GB18030), maps the Chinese field names, converts `面积(亩)` to m², repairs the
self-intersecting parcel and says so. (A shapefile keeps only 10 bytes of a field name — five
Chinese characters in GBK; a name whose unit is cut off is reported, not guessed.)""",
    ),
    (
        "code",
        """workdir = Path(tempfile.mkdtemp(prefix="landuse_01_"))  # the files this notebook writes
print("files go to", workdir)
x, y = 534_467.46, 3_993_055.81  # central Qingdao in EPSG:4549
bow_tie = shapely.Polygon([(x + 300, y), (x + 400, y + 100), (x + 400, y), (x + 300, y + 100)])
raw = gpd.GeoDataFrame(
    {
        "宗地编号": ["370215-0001", "370215-0002"],
        "企业名称": ["青岛某机械有限公司", "青岛某电子有限公司"],
        "面积(亩)": [15, 7.5],
        "税收": ["300", "无"],
        "生产状态": ["正常生产", "半停产"],
    },
    geometry=[shapely.box(x, y, x + 100, y + 100), bow_tie],
    crs="EPSG:4549",
)
raw.to_file(workdir / "宗地.shp", encoding="gbk")
(workdir / "宗地.cpg").unlink()
sorted(p.name for p in workdir.iterdir())""",
    ),
    (
        "code",
        """import warnings

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    mine = landuse.read_parcels(workdir / "宗地.shp")
for w in caught:  # what the reader repaired or could not map, reported as it read
    print("reader notice:", w.message)
print(mine.attrs["landuse_read"].summary())
mine[["parcel_id", "enterprise", "land_area_m2", "tax_wan", "production_status"]]""",
    ),
    (
        "markdown",
        """## Web-map coordinates (GCJ-02)

Points digitised on Amap/Gaode are in GCJ-02, shifted by about 450–500 m in Qingdao. Read them
with `coord_system="gcj02"`; the shift is removed before projecting.""",
    ),
    (
        "code",
        """lon, lat = 120.3826, 36.0671
wgs = gpd.GeoDataFrame({"宗地编号": ["A"]}, geometry=[shapely.box(lon, lat, lon + 0.002, lat + 0.002)], crs="EPSG:4326")
amap = landuse.wgs84_to_gcj02(wgs)
as_if_wgs = landuse.read_parcels(amap)
fixed = landuse.read_parcels(amap, coord_system="gcj02")
truth = landuse.read_parcels(wgs)
print(f"read naively: {as_if_wgs.centroid[0].distance(truth.centroid[0]):.0f} m off; "
      f"with coord_system='gcj02': {fixed.centroid[0].distance(truth.centroid[0]):.3f} m off")""",
    ),
    (
        "markdown",
        """## The rules, with their sources

Thresholds are data, each with a source and a confidence tag (V verified, S secondary source,
I inferred or a method choice, U unverified, `from-plan`, `user`).""",
    ),
    (
        "code",
        """policy = landuse.load_policy("qingdao-2019")
policy.to_frame().head(12)""",
    ),
    (
        "markdown",
        """A number no source gives never acts by default: `qingdao-2019` ships it without a value, and
the rule it drives reports "not evaluated: set `key`" until you set it (`policy.replace({...})`
or your own TOML profile). These are the values you supply; `qingdao-2019-example` fills some of
them with example values for the demo and the other notebooks, and everything made with it
carries a "示例参数 example values" notice.""",
    ),
    (
        "code",
        """rules = policy.to_frame(include_unset=True)
example = landuse.load_policy("qingdao-2019-example")
to_set = rules[rules["value"].isna()][["key", "unit"]].copy()
to_set["qingdao-2019-example"] = [example.provenance(k).value for k in to_set["key"]]
to_set""",
    ),
    (
        "markdown",
        """## A look at the zones

The map is an HTML file you can share; popups and tooltips show only the chosen fields.""",
    ),
    (
        "code",
        """m = landuse.map_zones(s.zones, functional_areas=s.functional_areas)
landuse.save_map(m, workdir / "zones.html")
m""",
    ),
]


def write(name: str, cells: list[tuple[str, str]]) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    for i, (kind, src) in enumerate(cells):
        cell = (
            nbformat.v4.new_markdown_cell(src)
            if kind == "markdown"
            else nbformat.v4.new_code_cell(src)
        )
        cell["id"] = f"cell-{i:02d}"  # stable ids keep diffs small
        nb.cells.append(cell)
    path = HERE / name
    nbformat.write(nb, path)
    return path


if __name__ == "__main__":
    print(write("01_getting_started.ipynb", GETTING_STARTED))
