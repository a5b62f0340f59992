"""``landuse report``: the city report and one dossier page per zone (一区一档), offline HTML."""

from __future__ import annotations

import time
from pathlib import Path

import click

from landuse.cli import _options as opt
from landuse.cli._common import cli_policy, echo, writable_folder
from landuse.cli._read import read_targets

__all__ = ["report_command"]


@click.command("report")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for index.html and the zone pages (created when missing).",
)
@click.option(
    "--year",
    type=int,
    default=None,
    help="The assessed year; default the latest year of the zone statistics.",
)
@opt.policy()
@click.option(
    "--pdf",
    is_flag=True,
    help="Also print each page to PDF with headless Chromium (apt-get install chromium).",
)
@opt.TARGETS
@opt.LANG
@opt.PROGRESS
def report_command(
    out_dir: Path,
    year: int | None,
    policy_name: str,
    pdf: bool,
    targets_arg: str | None,
    lang: str,
    progress: bool,
) -> None:
    """Write the yearly city report (index.html) and one page per zone, linked both ways.

    Runs on the bundled (synthetic) Qingdao sample. Each page is one self-contained HTML file
    (map, charts and styles inlined; opens without network) that prints on A4.
    """
    from landuse.datasets import load_sample
    from landuse.report.dossier import find_chromium, write_report

    start = time.perf_counter()
    writable_folder(out_dir)
    if pdf:
        find_chromium()  # before any work: say at once when Chromium is missing
    targets = read_targets(targets_arg)
    sample = load_sample()
    policy = cli_policy(policy_name)
    if year is None:
        year = int(sample.zone_stats["year"].max())
    written = write_report(
        out_dir,
        data=sample,
        year=year,
        as_of=sample.as_of,
        policy=policy,
        targets=targets,
        lang=lang,  # type: ignore[arg-type]
        pdf=pdf,
        progress=progress,
    )
    pages = [p for p in written if p.suffix == ".html"]
    pdfs = [p for p in written if p.suffix == ".pdf"]
    echo(f"{year} 年报告（政策 {policy.name}；内置青岛样例，合成数据）")
    echo(f"city report → {out_dir / 'index.html'}; {len(pages) - 1} zone pages")
    if pdfs:
        echo(f"PDF: {len(pdfs)} files (one per page)")
    echo(f"done in {time.perf_counter() - start:.1f} s")
