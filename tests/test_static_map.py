"""Static maps (landuse.mapping.static.plot_map): decorations never cover data, a title, the
CJK font found by family without a single findfont warning, the written image's size, an
offline basemap from a local raster."""

from __future__ import annotations

import logging
import struct
import warnings

import geopandas as gpd
import numpy as np
import pytest
import shapely

pytest.importorskip("matplotlib")

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.transforms import Bbox

from landuse.errors import LanduseWarning
from landuse.mapping.static import cjk_font, plot_map

X0, Y0 = 534_000.0, 3_993_000.0  # central Qingdao in EPSG:4549 (metres)


def parcels(n: int = 6) -> gpd.GeoDataFrame:
    """``n`` 100 m squares on a diagonal, so every corner of the frame has data near it."""
    return gpd.GeoDataFrame(
        {
            "parcel_id": [f"P{i}" for i in range(n)],
            "grade": ["A", "B", "C", "D", "A", "B"][:n],
        },
        geometry=[
            shapely.box(X0 + i * 150, Y0 + i * 150, X0 + i * 150 + 100, Y0 + i * 150 + 100)
            for i in range(n)
        ],
        crs="EPSG:4549",
    )


def zone() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"zone_id": ["QD01"], "name": ["即墨汽车产业集聚区"]},
        geometry=[shapely.box(X0 - 50, Y0 - 50, X0 + 900, Y0 + 900)],
        crs="EPSG:4549",
    )


def png_size(path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def drawn(fig):
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def decorations(fig, renderer) -> dict[str, Bbox]:
    """Display-space boxes of the legend, the north arrow (letter and arrow) and the scale bar."""
    ax = fig.axes[0]
    arrow = next(t for t in ax.texts if t.get_text() in ("北", "N"))
    bar_parts = [line.get_window_extent(renderer) for line in ax.lines]
    bar_parts += [t.get_window_extent(renderer) for t in ax.texts if t is not arrow]
    return {
        "legend": ax.get_legend().get_window_extent(renderer),
        "north arrow": Bbox.union(
            [arrow.get_window_extent(renderer), arrow.arrow_patch.get_window_extent(renderer)]
        ),
        "scale bar": Bbox.union(bar_parts),
    }


def data_box(ax, frame: gpd.GeoDataFrame) -> Bbox:
    x0, y0, x1, y1 = frame.total_bounds
    return Bbox(ax.transData.transform([(x0, y0), (x1, y1)]))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_legend_north_arrow_and_scale_bar_cover_no_data(lang):
    data = parcels()
    fig = plot_map(data, column="grade", zones=zone(), lang=lang)
    renderer = drawn(fig)
    ax = fig.axes[0]
    frame_box = ax.get_window_extent(renderer)
    data_extent = data_box(ax, zone())
    figure_box = fig.bbox
    boxes = decorations(fig, renderer)
    assert len(ax.lines) == 3  # the black bar and two white quarters
    for name, box in boxes.items():
        assert box.width > 0, name
        assert box.height > 0, name
        # outside the data and outside the map frame altogether
        assert not box.overlaps(data_extent), name
        assert not box.overlaps(frame_box), name
        # whole on the figure (nothing cut off)
        assert figure_box.contains(box.x0, box.y0), name
        assert figure_box.contains(box.x1, box.y1), name
    names = list(boxes)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert not boxes[a].overlaps(boxes[b]), (a, b)
    # legend to the right of the frame, scale bar and arrow below it (left and right)
    assert boxes["legend"].x0 > frame_box.x1
    assert boxes["scale bar"].y1 < frame_box.y0
    assert boxes["north arrow"].y1 < frame_box.y0
    assert boxes["scale bar"].x1 < boxes["north arrow"].x0
    # every parcel is drawn inside the frame: no geometry hides under a decoration
    assert frame_box.contains(*data_box(ax, data).p0)
    assert frame_box.contains(*data_box(ax, data).p1)


def test_scale_bar_is_metric_and_measures_the_map():
    fig = plot_map(parcels(), column="grade")
    renderer = drawn(fig)
    ax = fig.axes[0]
    # the view: 850 m of parcels + 5 % margin each side = 935 m; a fifth is 187 m -> 100 m
    assert [t.get_text() for t in ax.texts][:2] == ["0", "100 m"]
    black = ax.lines[0]
    (x0, _), (x1, _) = black.get_transform().transform(np.column_stack(black.get_data()))
    metres_per_pixel = 1 / ax.transData.get_matrix()[0, 0]
    assert (x1 - x0) * metres_per_pixel == pytest.approx(100)
    assert black.get_window_extent(renderer).x0 == pytest.approx(ax.get_window_extent(renderer).x0)
    big = parcels().assign(geometry=lambda f: f.geometry.scale(40, 40, origin=(X0, Y0)))
    assert [t.get_text() for t in plot_map(big).axes[0].texts][:2] == ["0", "5 km"]


@pytest.mark.parametrize(
    ("lang", "kwargs", "expected"),
    [
        ("zh", {"column": "grade"}, "宗地 · 亩均效益等级"),
        ("en", {"column": "grade"}, "Parcels · Efficiency grade"),
        ("zh", {}, "宗地"),
        ("zh", {"column": "grade", "title": "即墨 亩均效益"}, "即墨 亩均效益"),
    ],
)
def test_title_from_the_layers_or_given(lang, kwargs, expected):
    fig = plot_map(parcels(), lang=lang, **kwargs)
    renderer = drawn(fig)
    ax = fig.axes[0]
    assert ax.get_title() == expected
    box = ax.title.get_window_extent(renderer)
    assert box.width > 0
    assert box.y0 >= ax.get_window_extent(renderer).y1
    assert box.y1 <= fig.bbox.y1


def test_no_title_when_asked_and_zones_name_a_layer_without_id():
    shapes = parcels().drop(columns=["parcel_id"])
    assert plot_map(shapes, title="").axes[0].get_title() == ""
    assert plot_map(shapes, zones=zone()).axes[0].get_title() == "产业集聚区"
    assert plot_map(shapes).axes[0].get_title() == ""


def test_no_warning_at_all_while_plotting(tmp_path, caplog):
    """Not a Python warning, not a matplotlib ``findfont`` log line, even for bold text."""
    font = cjk_font()
    if font is None:
        pytest.skip("no CJK font installed")
    font_manager.fontManager._findfont_cached.cache_clear()  # findfont logs once per query
    caplog.set_level(logging.DEBUG - 1, logger="matplotlib")
    caplog.set_level(logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for lang in ("zh", "en"):
            fig = plot_map(parcels(), column="grade", zones=zone(), lang=lang,
                           path=tmp_path / f"m_{lang}.png", dpi=60)  # fmt: skip
            drawn(fig)  # drawn again, outside plot_map's font settings
            fig.savefig(tmp_path / f"again_{lang}.svg")
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    # the title and the north arrow's letter are drawn with the CJK font, found by family
    title = fig.axes[0].title
    assert title.get_fontproperties().get_family()[0] == font
    path = font_manager.findfont(title.get_fontproperties(), fallback_to_default=False)
    assert path == font_manager.findfont(font_manager.FontProperties(family=font))


def test_png_has_the_size_asked_for_and_the_default_size(tmp_path):
    out = tmp_path / "m.png"
    fig = plot_map(parcels(), column="grade", zones=zone(), path=out, figsize=(8, 6), dpi=50)
    assert png_size(out) == (400, 300)
    assert out.stat().st_size > 5_000  # not an empty image
    assert fig.get_size_inches().tolist() == [8, 6]
    # default: 6 in of map + 2.8 in for the legend; the data are square: 6 in + 1.4 in
    plot_map(parcels(), column="grade", path=out, dpi=50)
    assert png_size(out) == (440, 370)
    plot_map(parcels(), column="grade", path=out, dpi=50, legend=False)
    assert png_size(out) == (320, 370)


def test_into_given_axes_saves_the_whole_map(tmp_path):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 4), dpi=50)
    ax = fig.add_subplot()
    assert plot_map(parcels(), column="grade", ax=ax, path=tmp_path / "m.png") is fig
    width, height = png_size(tmp_path / "m.png")
    assert width > 0
    assert height > 0


def _raster(path, *, crs="EPSG:4549", x0=X0, y0=Y0 + 1000, size=100, res=10.0, bands=3):
    import rasterio
    from affine import Affine

    values = np.zeros((bands, size, size), dtype="uint8")
    values[0] = 200
    with rasterio.open(
        path, "w", driver="GTiff", width=size, height=size, count=bands, dtype="uint8", crs=crs,
        transform=Affine(res, 0.0, x0, 0.0, -res, y0),  # from_origin warns (affine 3)
    ) as ds:  # fmt: skip
        ds.write(values)
    return path


def test_basemap_from_a_local_raster_is_drawn_underneath(tmp_path):
    # 1 km square from (X0 + 300, Y0 + 500): over the upper right of the map, and beyond it
    tif = _raster(tmp_path / "base.tif", x0=X0 + 300, y0=Y0 + 1500)
    fig = plot_map(parcels(), column="grade", basemap=tif)
    ax = fig.axes[0]
    (image,) = ax.get_images()
    left, right, bottom, top = image.get_extent()
    xlim, ylim = ax.get_xlim(), ax.get_ylim()
    assert (xlim[0], ylim[0]) == (X0 - 42.5, Y0 - 42.5)  # the view did not move
    assert (left, bottom) == (pytest.approx(X0 + 300), pytest.approx(Y0 + 500))
    assert (right, top) == (pytest.approx(xlim[1]), pytest.approx(ylim[1]))
    assert image.get_zorder() < min(c.get_zorder() for c in ax.collections)
    rgba = image.get_array()
    assert rgba.shape[2] == 4
    assert rgba[0, 0, 0] == pytest.approx(200 / 255)
    # a raster in another CRS is reprojected; one that misses the map is reported
    lonlat = _raster(tmp_path / "ll.tif", crs="EPSG:4326", x0=119.0, y0=35.0, res=0.01, bands=1)
    with pytest.warns(LanduseWarning, match="does not cover the map"):
        fig = plot_map(parcels(), basemap=lonlat)
    assert fig.axes[0].get_images() == []


def test_basemap_never_downloads():
    with pytest.raises(ValueError, match="static maps never download"):
        plot_map(parcels(), basemap="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    with pytest.raises(FileNotFoundError, match="`basemap` file not found"):
        plot_map(parcels(), basemap="no_such_basemap.tif")


def test_cli_static_map_has_a_title_and_room_for_its_decorations(tmp_path):
    from click.testing import CliRunner

    from landuse.cli import main

    parcels().to_file(tmp_path / "parcels.gpkg")
    zone().to_file(tmp_path / "zones.gpkg")
    png = tmp_path / "map.png"
    result = CliRunner().invoke(
        main,
        ["map", "--parcels", str(tmp_path / "parcels.gpkg"), "--zones", str(tmp_path / "zones.gpkg"),
         "--column", "grade", "--basemap", "none", "--static", str(png), "-o",
         str(tmp_path / "map.html")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert png_size(png) == (1760, 1480)  # the default size at 200 dpi
