"""The zone dossier (一区一档) and the yearly city report: one offline HTML page per zone.

Every year the city assesses its cluster zones, updates the redevelopment project bank and
reviews new industrial land. :func:`write_report` puts the result on paper: ``index.html`` (the
city report: ranking with tiers and changes, a map of the zones by tier, progress toward the tier
targets, how many zones meet the investment attraction target, bank totals by zone and route,
new industrial land outside the zones, links to every zone) and one page per zone
(:func:`zone_dossier`: header, an offline map, the seven indicators against benchmark and
target with their history, the expected targets, the creation conditions, the investment
attraction target, the bank, new land, enterprise grades, a data-quality box and the policy
parameters as an appendix), linked both ways.

Each page is one self-contained file (Leaflet, styles and SVG charts inlined; no request to the
network) with a print stylesheet for A4; ``pdf=True`` prints each page with headless Chromium.
Every number is taken from the library's own results (:func:`landuse.assess_zones`,
:func:`landuse.build_project_bank` or the bank store, :func:`landuse.check_new_land`,
:func:`landuse.check_standard_land`, :func:`landuse.evaluate_enterprises`), computed ONCE for all
zones; every text from the data is escaped.

Why not ``landuse.report.zone_dossier``: the table writers of :mod:`landuse.report` are used by
the analyses the dossier reads (assessment, bank, compliance), so the report face cannot import
the dossier without an import cycle; the dossier is its own face, ``landuse.report.dossier``.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from landuse._checks import Lang, PolicyLike
from landuse.report.dossier._city import render_city
from landuse.report.dossier._common import zone_file, zone_files
from landuse.report.dossier._data import Context, ReportData, build_context
from landuse.report.dossier._write import (
    ChromiumError,
    find_chromium,
    pages_progress,
    print_pdfs,
    write_page,
)
from landuse.report.dossier._zone import render_zone, zone_row

__all__ = [
    "ChromiumError",
    "ReportData",
    "city_report",
    "find_chromium",
    "write_report",
    "zone_dossier",
    "zone_file",
]

log = logging.getLogger(__name__)


def zone_dossier(
    zone_id: str,
    *,
    data: ReportData,
    year: int,
    as_of: Any,
    policy: PolicyLike,
    lang: Lang = "zh",
    targets: Any = None,
) -> str:
    """Return one zone's page (一区一档) as a self-contained HTML document.

    Parameters
    ----------
    zone_id
        The zone (``data.zones.zone_id``).
    data
        The layers (:class:`ReportData`; :func:`landuse.load_sample` returns one).
    year
        The assessed year. A year without statistics renders with the reason stated.
    as_of
        Reference date of the bank (idle land, overdue completion …), e.g. ``"2021-12-31"``.
    policy
        A :class:`~landuse.policy.Policy`, a built-in profile name or a TOML path. An example
        profile puts its notice at the top of the page.
    lang
        ``"zh"`` (default) or ``"en"``.
    targets
        The zones' expected targets, as ``targets=`` of :func:`landuse.assess_zones` (a frame
        of ``zone_id``, optional ``year`` and minimum columns, or ``"creation_conditions"``):
        a zone missing one is warned of elimination, the misses shown. ``None`` (default):
        elimination by expected targets is not evaluated, as the page says.

    Returns
    -------
    str
        The HTML page. Its link back to the city report points at ``index.html``.

    Raises
    ------
    ValueError
        Unknown ``zone_id``, bad ``lang`` or ``as_of``.
    TypeError
        ``data`` is not a ReportData.

    Examples
    --------
    >>> import landuse
    >>> s = landuse.load_sample()
    >>> page = zone_dossier("QD01", data=s, year=2021, as_of=s.as_of, policy="qingdao-2019")
    >>> page.startswith("<!DOCTYPE html>"), "即墨汽车制造产业集聚区" in page
    (True, True)
    """
    ctx = build_context(
        data,
        year=year,
        as_of=as_of,
        policy=policy,
        lang=lang,
        caller="zone_dossier",
        targets=targets,
    )
    zone_row(ctx, zone_id)
    return render_zone(ctx, zone_id)


def city_report(
    *,
    data: ReportData,
    year: int,
    as_of: Any,
    policy: PolicyLike,
    lang: Lang = "zh",
    targets: Any = None,
) -> str:
    """Return the city report for ``year`` (ranking, tier map and progress, bank, land outside).

    Parameters are those of :func:`zone_dossier`. Links to the zone pages use the file names
    :func:`write_report` gives them (:func:`zone_file`).

    Examples
    --------
    >>> import landuse
    >>> s = landuse.load_sample()
    >>> page = city_report(data=s, year=2021, as_of=s.as_of, policy="qingdao-2019")
    >>> 'href="zone_QD01.html"' in page
    True
    """
    ctx = build_context(
        data,
        year=year,
        as_of=as_of,
        policy=policy,
        lang=lang,
        caller="city_report",
        targets=targets,
    )
    return render_city(ctx, zone_files(data.zones["zone_id"]))


def write_report(
    out_dir: str | os.PathLike[str],
    *,
    data: ReportData,
    year: int,
    as_of: Any,
    policy: PolicyLike,
    lang: Lang = "zh",
    targets: Any = None,
    pdf: bool = False,
    progress: bool = False,
) -> list[Path]:
    """Write ``index.html`` (the city report) and one page per zone to ``out_dir``.

    The analyses run once for all zones; each page is written atomically. Zone pages are
    named by :func:`zone_file` (``zone_QD01.html``; any id gives a safe file name), each
    links back to ``index.html`` and ``index.html`` links to each.

    Parameters
    ----------
    out_dir
        The folder (created when missing).
    data, year, as_of, policy, lang, targets
        As in :func:`zone_dossier`.
    pdf
        Also print each page to ``<page>.pdf`` with headless Chromium (``chromium`` on the
        PATH or the ``LANDUSE_CHROMIUM`` environment variable).
    progress
        Show a progress bar (tqdm) over the pages.

    Returns
    -------
    list of pathlib.Path
        ``index.html``, then the zone pages in the order of ``data.zones``, then the PDFs.

    Raises
    ------
    ChromiumError
        ``pdf=True`` and Chromium is not installed (checked before anything is written), or
        it failed to print a page.

    Examples
    --------
    >>> import tempfile, landuse
    >>> s = landuse.load_sample()
    >>> out = write_report(tempfile.mkdtemp(), data=s, year=2021, as_of=s.as_of,
    ...                    policy="qingdao-2019")
    >>> [p.name for p in out[:3]], len(out)
    (['index.html', 'zone_QD01.html', 'zone_QD02.html'], 15)
    """
    chromium = find_chromium() if pdf else None
    ctx: Context = build_context(
        data,
        year=year,
        as_of=as_of,
        policy=policy,
        lang=lang,
        caller="write_report",
        targets=targets,
    )
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    files = zone_files(data.zones["zone_id"])
    written = [write_page(folder / "index.html", render_city(ctx, files))]
    for zone_id in pages_progress(list(files), progress=progress, desc="zone pages"):
        written.append(write_page(folder / files[zone_id], render_zone(ctx, zone_id)))
    if chromium is not None:
        written.extend(print_pdfs(list(written), chromium=chromium, progress=progress))
    log.info("wrote %d report files to %s", len(written), folder)
    return written
