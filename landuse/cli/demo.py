"""``landuse demo``: a tour of the library on the bundled (synthetic) Qingdao sample.

Each step below is one question the library answers, in the order a planner would ask
them; each writes its files to the output folder and prints one line.

The demo applies the EXAMPLE profile ``qingdao-2019-example``: ``qingdao-2019`` leaves the
values no source gives unset (the inefficient-land tax floor and output standard, the 标准地
values, the reward pool and how many zones share it), and the example fills them to show the
methods. Every output says so: the notice heads the summary and goes to stderr once, opens
each workbook's 说明 sheet and titles the map's legend panel. The CSV file cannot carry it.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import click
import geopandas as gpd
import pandas as pd

from landuse._atomic import atomic_path
from landuse.assessment import assess_zones, write_assessment
from landuse.bank import build_project_bank, write_bank, write_bank_excel
from landuse.cli._common import check_outputs, cli_policy, echo
from landuse.compliance import check_new_land, write_compliance
from landuse.datasets import Sample, load_sample
from landuse.efficiency import grade_enterprises
from landuse.errors import LanduseWarning
from landuse.io import write_layers
from landuse.mapping import map_bank, map_compliance, map_parcels, map_zones, save_map, set_legend
from landuse.policy import Policy
from landuse.raster import raster_evidence, rasterize_metric
from landuse.report import About, style_gpkg_layer, write_table
from landuse.schema import category_label
from landuse.supply import MultistoreyUnit, Project, evaluate_supply_options

__all__ = ["demo"]

#: The policy profile the demo applies: qingdao-2019 with example values for its user inputs.
POLICY = "qingdao-2019-example"


@click.command("demo")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("landuse_demo"),
    show_default=True,
    help="Folder for the outputs.",
)
def demo(out_dir: Path) -> None:
    """Run the pipeline on the bundled (synthetic) Qingdao sample.

    Writes eight files to OUT:

    \b
      landuse_sample.gpkg        the validated sample layers (zones, functional_areas,
                                 parcels, buildings, proposals, zone_stats table) with
                                 their QGIS styles (layer_styles) and Chinese aliases
      activity_index.tif         the raster activity index (land cover, night light)
      bank.gpkg                  the redevelopment project bank (layer project_bank,
                                 styled by route for QGIS)
      bank.xlsx                  the project bank as an Excel workbook
      compliance.xlsx            the new-land proposals checked against the zones
      zone_assessment_2021.xlsx  the zones scored, ranked and tiered for 2021
      supply_options.csv         land supply options for one example project
      zones_map.html             a map of zones, parcels, the bank and the verdicts (offline)
    """
    start = time.perf_counter()
    check_outputs([("--out", out_dir / "landuse_sample.gpkg", (".gpkg",))], inputs={})
    sample = load_sample()
    out_dir.mkdir(parents=True, exist_ok=True)
    policy = cli_policy(POLICY)
    echo(f"policy {policy.name}: {policy.example_notice or ''}".rstrip(": "))
    _write_sample(sample, out_dir)
    _demo_pipeline(sample, out_dir, policy=policy)
    example = f"; policy {policy.name}: 示例参数 example values" if policy.example else ""
    echo(f"done in {time.perf_counter() - start:.1f} s (sample data are synthetic{example})")


def _write_sample(sample: Sample, out_dir: Path) -> None:
    """The sample's validated layers → landuse_sample.gpkg, with their row counts."""
    layers = {
        "zones": sample.zones,
        "functional_areas": sample.functional_areas,
        "parcels": sample.parcels,
        "buildings": sample.buildings,
        "proposals": sample.proposals,
        "zone_stats": sample.zone_stats,
    }
    for name, frame in layers.items():
        report = frame.attrs.get("landuse_read")
        echo(
            f"{name:>16}: {len(frame):>6} rows"
            + (f"  ({report.crs})" if report and report.crs else "")
        )
    gpkg = out_dir / "landuse_sample.gpkg"
    # input data: canonical fields and codes (every command reads them back), with Chinese
    # aliases and the web map's colours stored for QGIS
    with atomic_path(gpkg) as tmp:
        write_layers(layers, tmp)
        for name, frame in layers.items():
            if isinstance(frame, gpd.GeoDataFrame):
                style_gpkg_layer(tmp, name, frame=frame)
    echo(f"validated layers → {gpkg}")


def _demo_pipeline(sample: Sample, out_dir: Path, *, policy: Policy) -> None:
    """Run the demo's analysis steps on the sample, each writing its outputs to ``out_dir``."""
    evidence = _raster_evidence(sample, out_dir, policy=policy)
    bank = _project_bank(sample, evidence, out_dir, policy=policy)
    report = _new_land_compliance(sample, out_dir, policy=policy)
    _zone_assessment(sample, out_dir, policy=policy)
    _supply_options(out_dir, policy=policy)
    _combined_map(sample, bank, report, out_dir, policy=policy)


def _raster_evidence(sample: Sample, out_dir: Path, *, policy: Policy) -> pd.DataFrame:
    """Land cover and night light (over part of QD01) as independent evidence of vacant land."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LanduseWarning)
        evidence = raster_evidence(
            sample.parcels,
            landcover=sample.rasters["builtup"],
            builtup_classes=(1,),
            night_light=sample.rasters["night_light"],
            policy=policy,
        )
    for w in caught:  # expected here: say it once, in a line; anything else as it came
        if issubclass(w.category, LanduseWarning) and "lie outside the raster" in str(w.message):
            continue
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    covered = int(evidence["activity_index"].notna().sum())
    echo(
        f"raster evidence: the sample rasters cover part of QD01 ({covered:,} of "
        f"{len(sample.parcels):,} parcels); the others are listed as not checked"
    )
    tif = rasterize_metric(
        sample.parcels.join(evidence[["activity_index"]]),
        "activity_index",
        like=sample.rasters["night_light"],
        out=out_dir / "activity_index.tif",
    )
    n_dark = int(evidence["dark_by_night_light"].sum())
    echo(f"raster evidence: {n_dark} parcels dark at night → {tif.name}")
    return evidence


def _project_bank(
    sample: Sample, evidence: pd.DataFrame, out_dir: Path, *, policy: Policy
) -> gpd.GeoDataFrame:
    """The redevelopment project bank → bank.gpkg and bank.xlsx."""
    bank = build_project_bank(
        sample.parcels,
        zones=sample.zones,
        functional_areas=sample.functional_areas,
        buildings=sample.buildings,
        as_of=sample.as_of,
        policy=policy,
        raster_evidence=evidence,
    )
    write_bank(bank, out_dir / "bank.gpkg", sources=["landuse_sample.gpkg"])
    write_bank_excel(bank, out_dir / "bank.xlsx", sources=["landuse_sample.gpkg"])
    echo(f"redevelopment candidates: {len(bank)} → {out_dir / 'bank.gpkg'}, bank.xlsx")
    return bank


def _new_land_compliance(sample: Sample, out_dir: Path, *, policy: Policy) -> gpd.GeoDataFrame:
    """The proposals checked against the zones → compliance.xlsx."""
    report = check_new_land(
        sample.proposals,
        zones=sample.zones,
        functional_areas=sample.functional_areas,
        policy=policy,
    )
    write_compliance(report, out_dir / "compliance.xlsx", sources=["landuse_sample.gpkg"])
    counts = report["verdict"].astype(str).value_counts()
    text = "，".join(f"{category_label('verdict', k)} {v}" for k, v in counts.items())
    echo(f"new-land compliance of {len(report)} proposals: {text} → compliance.xlsx")
    return report


def _zone_assessment(sample: Sample, out_dir: Path, *, policy: Policy) -> None:
    """The zones scored and ranked for 2021 → zone_assessment_2021.xlsx."""
    # the reward pool and how many zones share it come from the (example) profile
    scores = assess_zones(sample.zone_stats, year=2021, policy=policy, zones=sample.zones)
    write_assessment(scores, out_dir / "zone_assessment_2021.xlsx")
    echo(f"zone assessment 2021 → zone_assessment_2021.xlsx (first: {scores.iloc[0]['zone_id']})")


def _supply_options(out_dir: Path, *, policy: Policy) -> None:
    """Land supply options for one example project → supply_options.csv."""
    project = Project(
        name="示例：电子信息项目",
        industry_code="39",
        floor_area_needed_m2=9_000,
        investment_wan=4_000,
        expected_tax_wan=300,
        land_grade="三级",
        zone_id="QD06",
    )
    options = ["conventional", "standard_land", "flexible", "lease_then_transfer"]
    table = evaluate_supply_options(
        project,
        policy=policy,
        discount_rate=policy.tenure.capitalisation_rate_share,  # illustrative
        options=[*options, MultistoreyUnit()],
    )
    write_table(
        table.reset_index(),
        out_dir / "supply_options.csv",
        about=About(title="供地方案比选：" + (project.name or ""), policy=policy),
        caller="landuse demo",
    )
    echo(f"supply options → supply_options.csv (recommended: {table.attrs.get('recommendation')})")


def _combined_map(
    sample: Sample,
    bank: gpd.GeoDataFrame,
    report: gpd.GeoDataFrame,
    out_dir: Path,
    *,
    policy: Policy,
) -> None:
    """Zones, parcels by grade, the bank and the compliance verdicts → zones_map.html (offline)."""
    graded = sample.parcels.join(grade_enterprises(sample.parcels, policy=policy)[["grade"]])
    m = map_zones(sample.zones, functional_areas=sample.functional_areas)
    m = map_parcels(graded, column="grade", m=m)
    m = map_bank(bank, m=m)
    m = map_compliance(report, zones=sample.zones, m=m)
    if policy.example:  # the legend panel says the figures rest on example values
        m = set_legend(m, title=f"图例 · 示例参数 example values（{policy.name}，非正式规定）")
    html = save_map(m, out_dir / "zones_map.html", offline=True)
    echo(f"combined map (zones, parcels by grade, bank, compliance; opens offline) → {html}")
