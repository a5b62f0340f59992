"""The same analyses on dask-geopandas partitions and a Dask cluster, with identical results.

A province or the national land survey holds tens of millions of parcels; this module runs
:func:`landuse.parcel_metrics`, :func:`landuse.find_inefficient_land`,
:func:`landuse.check_new_land` and :func:`landuse.zonal_stats` on a partitioned
dask-geopandas frame, on one workstation (:func:`connect` with ``workers=N``) or on a cluster
(``scheduler="tcp://host:8786"``). Nothing here is a parallel engine of its own: each
function runs the in-memory function on every partition (``map_partitions``), with the small
inputs (policy, zones, functional areas, an in-memory buildings layer) broadcast once to every
worker. Every rule of those functions looks at one parcel at a time (a parcel's zone, its
buildings, its own figures), so the result equals the in-memory function on the whole frame:
same rows, same index, same values.

Needs the optional extra ``scale``: ``pip install "landuse[scale]"`` (dask-geopandas and
distributed).

Typical use::

    from landuse import scale

    with scale.connect(workers=4):                       # or scheduler="tcp://host:8786"
        parcels = scale.read_parcels("parcels/")         # partitioned GeoParquet
        found = scale.find_inefficient_land(parcels, zones=zones, as_of="2021-12-31",
                                            policy="qingdao-2019")
        scale.write_parquet(found, "inefficient/")       # or found.compute()

What differs from the in-memory functions
-----------------------------------------
- Results are lazy dask(-geopandas) frames; ``.compute()`` gives the pandas/geopandas frame.
- ``attrs`` that count rows (``rules``, ``checks``, ``buildings``, ``idle_excluded``) are not
  summed over partitions; ``policy``, ``as_of`` and ``not_evaluated`` (the same for every
  partition) are kept on the computed frame.
- Warnings about individual rows raised inside a partition go to the worker's log
  (logger ``landuse.scale``); warnings about the inputs as a whole are raised once, here.
- The bank (:func:`landuse.build_project_bank`) and 亩均 grading rank parcels against each
  other, so they are not partition-local; the ``landuse bank --workers`` command computes
  the per-parcel metrics and zone assignment on the cluster and ranks in memory.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd

from landuse import compliance, efficiency
from landuse import raster as _raster
from landuse._checks import Lang, PolicyLike, resolve_policy
from landuse.efficiency import inputs
from landuse.errors import SchemaError
from landuse.scale import _io as sio
from landuse.scale import _parts as parts
from landuse.scale import _read as sread
from landuse.scale import _run as srun

if TYPE_CHECKING:  # pragma: no cover
    import dask.dataframe as dd
    import dask_geopandas as dgpd
    import distributed

__all__ = [
    "DEFAULT_ROWS_PER_PARTITION",
    "PARQUET_SUFFIXES",
    "check_new_land",
    "connect",
    "find_inefficient_land",
    "from_geopandas",
    "parcel_metrics",
    "read_parcels",
    "read_proposals",
    "write_parquet",
    "write_partitioned",
    "zonal_stats",
    "zone_ids",
]

#: Rows per partition when splitting a layer without a partition count.
DEFAULT_ROWS_PER_PARTITION = sio.DEFAULT_ROWS_PER_PARTITION
#: File suffixes read as (Geo)Parquet; a directory is a partitioned dataset.
PARQUET_SUFFIXES = sio.PARQUET_SUFFIXES


_DEFAULT_USES = ("industrial",)


# --- cluster -----------------------------------------------------------------------------------


@contextlib.contextmanager
def connect(
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    threads_per_worker: int = 1,
    memory_limit: str | None = "4GB",
) -> Iterator[distributed.Client]:
    """Connect to a Dask cluster, or start a local one, for the duration of a ``with`` block.

    Inside the block, ``.compute()`` and :func:`write_parquet` run on the cluster. On exit
    the client is closed, and a local cluster this function started is shut down (a remote
    scheduler is left running).

    Parameters
    ----------
    scheduler
        Address of a running scheduler, e.g. ``"tcp://10.0.0.5:8786"`` (start one with
        ``dask scheduler`` and workers with ``dask worker tcp://10.0.0.5:8786``). The workers
        must be able to import ``landuse`` and read the same paths.
    workers
        Start a local cluster of this many worker processes instead.
    threads_per_worker
        Threads per local worker process. 1 (default): the analyses hold the GIL part of the
        time, so processes scale better than threads.
    memory_limit
        Memory limit of each local worker (``"4GB"``); a worker above it is restarted and its
        tasks rerun elsewhere. ``None``: no limit.

    Both ``scheduler`` and ``workers`` ``None``: a local cluster with one worker per core.

    Yields
    ------
    distributed.Client
        The client, set as the default scheduler inside the block.

    Raises
    ------
    ValueError
        Both ``scheduler`` and ``workers`` given, or a non-positive count.
    ConnectionError
        The scheduler cannot be reached.
    ImportError
        The ``scale`` extra (distributed) is not installed.

    Examples
    --------
    >>> with connect(workers=1, memory_limit=None) as client:
    ...     len(client.scheduler_info()["workers"])
    1
    """
    caller = "connect"
    sio.require(caller)
    try:
        import distributed
    except ImportError as exc:  # pragma: no cover - part of the same extra
        msg = f"{sio.EXTRA_MESSAGE} (distributed); connect() could not import it."
        raise ImportError(msg) from exc
    if scheduler is not None and workers is not None:
        msg = (
            "connect(): give `scheduler` (a running cluster) or `workers` (a local cluster), "
            f"not both; received scheduler={scheduler!r}, workers={workers!r}."
        )
        raise ValueError(msg)
    for name, value in (("workers", workers), ("threads_per_worker", threads_per_worker)):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 1
        ):
            msg = f"`{name}` passed to connect() must be a positive integer; received {value!r}."
            raise ValueError(msg)
    if scheduler is not None:
        if not isinstance(scheduler, str) or not scheduler.strip():
            msg = f'`scheduler` passed to connect() must be an address such as "tcp://host:8786"; received {scheduler!r}.'
            raise ValueError(msg)
        try:
            client = distributed.Client(scheduler)
        except OSError as exc:
            msg = (
                f"connect(): cannot reach the Dask scheduler at {scheduler!r} ({exc}). Check the "
                "address and that `dask scheduler` runs there, or use workers=N for a local cluster."
            )
            raise ConnectionError(msg) from exc
        try:
            yield client
        finally:
            client.close()
        return
    if workers is None:
        try:
            workers = len(os.sched_getaffinity(0))
        except AttributeError:  # pragma: no cover - not on Linux
            workers = os.cpu_count() or 1
    # the scheduler and nannies of a local cluster log to this process; keep their INFO and
    # WARNING chatter (workers starting, stopping, restarting) out of the user's console
    quiet = logging.getLogger("distributed")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    # the workers' spill and lock files go to a directory removed on exit (not /tmp/dask-…)
    scratch = tempfile.TemporaryDirectory(prefix="landuse-dask-", ignore_cleanup_errors=True)
    try:
        cluster = distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=threads_per_worker,
            processes=True,
            dashboard_address=":0",  # any free port: 8787 may be taken
            memory_limit=memory_limit,
            silence_logs=logging.ERROR,
            local_directory=scratch.name,
        )
        try:
            client = distributed.Client(cluster)
            try:
                yield client
            finally:
                client.close()
        finally:
            cluster.close()
    finally:
        quiet.setLevel(level)
        scratch.cleanup()


# --- reading and writing -----------------------------------------------------------------------


def write_partitioned(
    gdf: gpd.GeoDataFrame,
    path: str | os.PathLike[str],
    *,
    npartitions: int | None = None,
    rows_per_partition: int | None = None,
) -> Path:
    """Write a GeoDataFrame as partitioned GeoParquet (``part.0.parquet`` …), atomically.

    The rows are cut, in order, into partitions of about equal size; each file records the
    bounding box of its rows (GeoParquet ``bbox``), which :func:`read_parcels` uses as the
    partition's spatial extent. Write rows in a spatial order (e.g. sorted by zone or
    district, or ``gdf.iloc[gdf.hilbert_distance().argsort()]``) so that partitions are
    compact; that is what makes joins with a partitioned buildings layer cheap.

    Parameters
    ----------
    gdf
        The layer, e.g. from :func:`landuse.read_parcels`. Its index is not written: like the
        in-memory readers, :func:`read_parcels` numbers rows 0, 1, … in file order.
    path
        Directory to write. An existing directory is replaced only if it holds nothing but
        ``part.N.parquet`` files (a previous write).
    npartitions, rows_per_partition
        Number of files, or rows per file (at most one; default 250,000 rows per file).

    Returns
    -------
    pathlib.Path
        The directory.

    Raises
    ------
    TypeError
        ``gdf`` is not a GeoDataFrame.
    SchemaError
        ``gdf`` has no rows.
    FileExistsError
        ``path`` is a file, or a directory holding other files.

    Examples
    --------
    >>> import tempfile, landuse
    >>> parcels = landuse.load_sample().parcels
    >>> out = write_partitioned(parcels, Path(tempfile.mkdtemp()) / "parcels", npartitions=3)
    >>> sorted(p.name for p in out.iterdir())
    ['part.0.parquet', 'part.1.parquet', 'part.2.parquet']
    """
    caller = "write_partitioned"
    if not isinstance(gdf, gpd.GeoDataFrame):
        msg = f"`gdf` passed to {caller}() must be a GeoDataFrame; received {type(gdf).__name__}."
        raise TypeError(msg)
    if len(gdf) == 0:
        msg = f"`gdf` passed to {caller}() has no rows; there is nothing to write."
        raise SchemaError(msg)
    edges = sio.split_points(
        len(gdf), npartitions=npartitions, rows_per_partition=rows_per_partition, caller=caller
    )
    with sio.atomic_dir(path, caller=caller) as tmp:
        names = sio.part_names(len(edges) - 1)
        for name, lo, hi in zip(names, edges[:-1], edges[1:], strict=True):
            part = gdf.iloc[lo:hi]
            part.attrs = {}  # reader reports are not JSON; the reader makes a new one
            part.to_parquet(tmp / name, index=False)
    return Path(path)


_READ_DOC = """\
Parameters
    ----------
    path_or_glob
        A directory of GeoParquet files (e.g. from :func:`write_partitioned`), a glob such as
        ``"{layer}/*.parquet"``, or one file; files are read in natural order (``part.2``
        before ``part.10``). Any other vector file (GeoPackage, Shapefile …) is read in memory
        with the in-memory reader and split.
    npartitions
        Number of partitions. Default: one per file. Fewer: whole files are grouped; more:
        files are cut into row ranges (reading only the row groups needed).
    columns
        Canonical columns to keep (the id and the geometry are always kept); only the source
        fields they come from are read. Default: all.
    validate
        Validate each partition with the in-memory reader (field names mapped, values typed,
        geometry repaired, rows without geometry dropped), and check that ids are unique
        across partitions (this reads the id column once, now). ``False`` takes the files as
        they are (canonical columns already).
    crs
        ``None`` (default): keep the files' CRS, which must be projected in metres;
        ``"auto"``: the analysis CRS for the extent of the whole dataset (as the in-memory
        reader chooses it); or any CRS pyproj accepts, to reproject every partition.

    Returns
    -------
    dask_geopandas.GeoDataFrame
        Lazy; rows numbered 0, 1, … across the files in order (as :func:`landuse.{reader}` numbers
        the rows of one file), known divisions, and spatial partitions from the files'
        bounding boxes where they record one.

    Raises
    ------
    FileNotFoundError
        No file at the path, or none matching the glob / in the directory (the path is named).
    SchemaError
        No rows at all; files with different columns; ids repeated across partitions (they
        are named); values the reader rejects (raised when the partition is computed, naming
        its files and rows).
    CRSError
        A geographic or missing CRS with ``crs=None``; files in different CRSs.
    GeometryError
        Parquet files without GeoParquet metadata.
    ImportError
        The ``scale`` extra is not installed."""


def read_parcels(
    path_or_glob: str | os.PathLike[str],
    *,
    npartitions: int | None = None,
    columns: Sequence[str] | None = None,
    validate: bool = True,
    crs: Any = None,
) -> dgpd.GeoDataFrame:
    """Read partitioned GeoParquet parcels, validated per partition like the in-memory reader.

    Each partition is checked by :func:`landuse.read_parcels` on a worker; ids are checked
    across partitions here.

    %(body)s

    Examples
    --------
    >>> import tempfile, dask, landuse
    >>> sample = landuse.load_sample()
    >>> folder = write_partitioned(sample.parcels, Path(tempfile.mkdtemp()) / "p", npartitions=4)
    >>> parcels = read_parcels(folder, columns=["land_use", "tax_wan"])
    >>> parcels.npartitions, list(parcels.columns)
    (4, ['parcel_id', 'land_use', 'tax_wan', 'geometry'])
    >>> with dask.config.set(scheduler="synchronous"):
    ...     len(parcels.compute())
    4269
    """
    return sread.read_layer(
        path_or_glob,
        layer="parcels",
        npartitions=npartitions,
        columns=columns,
        validate=validate,
        crs=crs,
        caller="read_parcels",
    )


read_parcels.__doc__ = (read_parcels.__doc__ or "") % {
    "body": _READ_DOC.format(reader="read_parcels", layer="parcels")
}


def read_proposals(
    path_or_glob: str | os.PathLike[str],
    *,
    npartitions: int | None = None,
    columns: Sequence[str] | None = None,
    validate: bool = True,
    crs: Any = None,
) -> dgpd.GeoDataFrame:
    """Read partitioned GeoParquet proposals, validated per partition like the in-memory reader.

    Each partition is checked by :func:`landuse.read_proposals` on a worker; ids are checked
    across partitions here.

    %(body)s

    Examples
    --------
    >>> import tempfile, dask, landuse
    >>> sample = landuse.load_sample()
    >>> folder = write_partitioned(sample.proposals, Path(tempfile.mkdtemp()) / "n", npartitions=2)
    >>> proposals = read_proposals(folder)
    >>> with dask.config.set(scheduler="synchronous"):
    ...     got = proposals.compute()
    >>> len(got), got.index.equals(sample.proposals.index)
    (134, True)
    """
    return sread.read_layer(
        path_or_glob,
        layer="proposals",
        npartitions=npartitions,
        columns=columns,
        validate=validate,
        crs=crs,
        caller="read_proposals",
    )


read_proposals.__doc__ = (read_proposals.__doc__ or "") % {
    "body": _READ_DOC.format(reader="read_proposals", layer="proposals")
}


def write_parquet(result: dd.DataFrame | dd.Series, path: str | os.PathLike[str]) -> Path:
    """Compute a result and write it as partitioned (Geo)Parquet, atomically.

    Each partition is computed and written by a worker to ``part.N.parquet`` in a temporary
    sibling directory, which replaces ``path`` once every partition is written. If any
    partition fails, ``path`` keeps its previous content and the temporary directory is
    removed. The index (the parcels' row numbers) is written.

    Parameters
    ----------
    result
        A lazy result of this module (or any dask(-geopandas) frame or series).
    path
        Directory to write. An existing directory is replaced only if it holds nothing but
        ``part.N.parquet`` files (a previous write).

    Returns
    -------
    pathlib.Path
        The directory; read it back with ``geopandas.read_parquet`` (or pandas for tables).

    Raises
    ------
    TypeError
        ``result`` is not a dask collection (call ``.to_parquet`` on in-memory frames).
    FileExistsError
        ``path`` is a file, or a directory holding other files.

    Examples
    --------
    >>> import tempfile, dask, dask_geopandas, geopandas, landuse
    >>> s = landuse.load_sample()
    >>> parcels = dask_geopandas.from_geopandas(s.parcels, npartitions=2)
    >>> found = find_inefficient_land(parcels, zones=s.zones, as_of=s.as_of, policy="qingdao-2019")
    >>> with dask.config.set(scheduler="synchronous"):
    ...     out = write_parquet(found, Path(tempfile.mkdtemp()) / "inefficient")
    >>> sorted(p.name for p in out.iterdir())
    ['part.0.parquet', 'part.1.parquet']
    >>> len(geopandas.read_parquet(out))
    580
    """
    caller = "write_parquet"
    sio.require(caller)
    import dask.dataframe as dd

    if not isinstance(result, (dd.DataFrame, dd.Series)):
        msg = (
            f"`result` passed to {caller}() must be a dask DataFrame or Series (a result of "
            f"landuse.scale); received {type(result).__name__}. Write in-memory frames with "
            ".to_parquet()."
        )
        raise TypeError(msg)
    frame = result.to_frame() if isinstance(result, dd.Series) else result
    import dask

    with sio.atomic_dir(path, caller=caller) as tmp:
        write = dask.delayed(sio.write_part, pure=False)
        parts_ = frame.to_delayed()
        names = sio.part_names(len(parts_))
        tasks = [write(part, str(tmp / name)) for part, name in zip(parts_, names, strict=True)]
        client = _current_client()
        if client is None:
            dask.compute(*tasks)
        else:
            # wait for every partition, failed or not, before the temporary directory is kept
            # or removed: a partition still being written must not land in it afterwards
            import distributed

            futures = client.compute(tasks)
            distributed.wait(futures)
            for future in futures:
                if future.status == "error":
                    future.result()  # raises that partition's error
            client.gather(futures)
    return Path(path)


def _current_client() -> Any:
    """Return the distributed client dask computes on (``connect()`` or the user's), or None."""
    import dask

    if dask.config.get("scheduler", None) != "dask.distributed":
        return None  # no client, or the user chose a local scheduler
    try:
        import distributed
    except ImportError:  # pragma: no cover - part of the scale extra
        return None
    try:
        return distributed.get_client()
    except ValueError:  # no client: dask's local schedulers
        return None


# --- analyses ----------------------------------------------------------------------------------


def parcel_metrics(
    parcels: dgpd.GeoDataFrame,
    *,
    policy: PolicyLike,
    buildings: dgpd.GeoDataFrame | gpd.GeoDataFrame | None = None,
    land_uses: Sequence[str] | None = _DEFAULT_USES,
    storey_height_m: float | None = None,
    default_levels: float | None = None,
) -> dd.DataFrame:
    """:func:`landuse.parcel_metrics` on every partition of a dask-geopandas frame.

    Parameters
    ----------
    parcels
        Partitioned parcels (e.g. from :func:`read_parcels`) in a projected CRS.
    policy
        Policy profile (or its name), broadcast to the workers.
    buildings
        Building footprints: an in-memory GeoDataFrame (broadcast once to every worker; each
        partition takes the buildings meeting its bounding box through the frame's spatial
        index) or a dask-geopandas frame (each parcel partition is paired with the building
        partitions whose extent meets its own; see Notes).
    land_uses, storey_height_m, default_levels
        As in :func:`landuse.parcel_metrics`.

    Returns
    -------
    dask.dataframe.DataFrame
        Lazy; computed, it equals :func:`landuse.parcel_metrics` on the whole frame (same
        index, columns and values; a building straddling parcels in two partitions is split
        by area exactly as in memory, since each share is its footprint inside the parcel ÷
        its whole footprint). ``attrs`` keep ``policy``, ``floor_area_source``,
        ``footprint_source`` and ``not_evaluated``.

    Raises
    ------
    TypeError
        ``parcels`` is not a dask-geopandas frame.
    CRSError, SchemaError, GeometryError, PolicyError
        As the in-memory function, raised now (checked on the frames' metadata and the
        in-memory inputs) or, for values, when computed.

    Notes
    -----
    With dask buildings, both frames need their partitions' extents (``spatial_partitions``:
    from the files' bounding boxes with :func:`read_parcels`, else computed once with
    ``calculate_spatial_partitions``). Each parcel partition takes, from every building
    partition whose extent meets its own, the buildings inside its extent, so a task holds
    only the buildings it needs whatever their order. Parcels whose partitions are not
    spatially compact (the sum of their bounding-box areas is more than twice the area they
    span together, with at least 4 partitions) are first shuffled into Hilbert order (as
    ``spatial_shuffle``), since each such partition spans the whole area. A shuffled parcel
    frame keeps its index but not its order: sort the computed result with ``sort_index()``.
    Writing the parcels in a spatial order (:func:`write_partitioned`) avoids the shuffle.

    Examples
    --------
    >>> import dask, dask_geopandas, landuse, pandas
    >>> s = landuse.load_sample()
    >>> parcels = dask_geopandas.from_geopandas(s.parcels, npartitions=4)
    >>> lazy = parcel_metrics(parcels, buildings=s.buildings, policy="qingdao-2019")
    >>> with dask.config.set(scheduler="synchronous"):
    ...     got = lazy.compute()
    >>> expected = landuse.parcel_metrics(s.parcels, buildings=s.buildings, policy="qingdao-2019")
    >>> pandas.testing.assert_frame_equal(got, expected, check_exact=False, rtol=0, atol=1e-9)
    >>> got.attrs["policy"], round(float(got["far"].mean()), 3)
    ('qingdao-2019', 1.692)
    """
    caller = "parcel_metrics"
    meta_in = srun.check_dask(parcels, "parcels", caller)
    policy = resolve_policy(policy, caller=caller)
    b = srun.resolve_buildings(buildings, meta_in, caller)
    options: dict[str, Any] = {
        "land_uses": land_uses,
        "storey_height_m": storey_height_m,
        "default_levels": default_levels,
    }
    with srun.buildings_notice(buildings, policy, options, caller=caller):
        meta = srun.meta_of(
            efficiency.parcel_metrics(meta_in, buildings=b, policy=policy, **options)
        )
    ctx = {"policy": policy, "options": options}
    return srun.run(parts.metrics, parcels, meta, ctx, buildings)


def find_inefficient_land(
    parcels: dgpd.GeoDataFrame,
    *,
    as_of: Any,
    policy: PolicyLike,
    zones: gpd.GeoDataFrame | None = None,
    functional_areas: gpd.GeoDataFrame | None = None,
    buildings: dgpd.GeoDataFrame | gpd.GeoDataFrame | None = None,
    land_uses: Sequence[str] | None = _DEFAULT_USES,
    exclude_idle: bool = True,
    lang: Lang = "zh",
) -> dgpd.GeoDataFrame:
    """:func:`landuse.find_inefficient_land` on every partition of a dask-geopandas frame.

    Every criterion looks at one parcel: its dates and figures, its FAR (from its own
    buildings), and its zone (the zone holding its largest share, from the broadcast
    ``zones``), so the partitions are independent.

    Parameters
    ----------
    parcels
        Partitioned parcels (e.g. from :func:`read_parcels`) in a projected CRS.
    as_of, policy, zones, functional_areas, land_uses, exclude_idle, lang
        As in :func:`landuse.find_inefficient_land`; ``zones``, ``functional_areas`` and the
        policy are in-memory inputs broadcast once to every worker.
    buildings
        In-memory or dask-geopandas building footprints (see :func:`parcel_metrics`).

    Returns
    -------
    dask_geopandas.GeoDataFrame
        Lazy; computed, it equals :func:`landuse.find_inefficient_land` on the whole frame:
        the same inefficient parcels (index), columns, reasons and values. ``attrs`` keep
        ``policy``, ``as_of`` and ``not_evaluated``.

    Raises
    ------
    TypeError
        ``parcels`` is not a dask-geopandas frame.
    CRSError
        Geographic CRS, or zones in another CRS than the parcels (raised now).
    SchemaError, ValueError
        As the in-memory function.

    Examples
    --------
    >>> import dask, dask_geopandas, landuse
    >>> s = landuse.load_sample()
    >>> parcels = dask_geopandas.from_geopandas(s.parcels, npartitions=4)
    >>> lazy = find_inefficient_land(parcels, zones=s.zones, buildings=s.buildings,
    ...                              as_of=s.as_of, policy="qingdao-2019")
    >>> with dask.config.set(scheduler="synchronous"):
    ...     found = lazy.compute()
    >>> expected = landuse.find_inefficient_land(s.parcels, zones=s.zones, buildings=s.buildings,
    ...                                          as_of=s.as_of, policy="qingdao-2019")
    >>> len(found), found.index.equals(expected.index), found["reasons"].equals(expected["reasons"])
    (580, True, True)
    """
    caller = "find_inefficient_land"
    meta_in = srun.check_dask(parcels, "parcels", caller)
    policy = resolve_policy(policy, caller=caller)
    b = srun.resolve_buildings(buildings, meta_in, caller)
    options: dict[str, Any] = {
        "as_of": as_of,
        "land_uses": land_uses,
        "exclude_idle": exclude_idle,
        "lang": lang,
    }
    with srun.buildings_notice(buildings, policy, {}, caller=caller):
        meta = srun.meta_of(
            efficiency.find_inefficient_land(
                meta_in,
                policy=policy,
                zones=zones,
                functional_areas=functional_areas,
                buildings=b,
                **options,
            )
        )
    ctx = {
        "policy": policy,
        "zones": zones,
        "functional_areas": functional_areas,
        "options": options,
    }
    return srun.run(parts.inefficient, parcels, meta, ctx, buildings)


def check_new_land(
    proposals: dgpd.GeoDataFrame,
    *,
    zones: gpd.GeoDataFrame,
    functional_areas: gpd.GeoDataFrame | None = None,
    policy: PolicyLike,
    tolerance_m2: float | None = None,
    tolerance_share: float | None = None,
    industrial_uses: Sequence[str] = ("industrial",),
    lang: Lang = "zh",
) -> dgpd.GeoDataFrame:
    """:func:`landuse.check_new_land` on every partition of a dask-geopandas frame.

    Each proposal is measured against the zones and functional areas alone, so partitions
    are independent; each runs in one thread (the worker process is the unit of
    parallelism).

    Parameters
    ----------
    proposals
        Partitioned proposals (e.g. from :func:`read_proposals`) in a projected CRS.
    zones, functional_areas, tolerance_m2, tolerance_share, industrial_uses, lang
        As in :func:`landuse.check_new_land`; the layers are broadcast once to every worker.
    policy
        A Policy, a built-in profile name or a TOML path (required), broadcast to the workers.

    Returns
    -------
    dask_geopandas.GeoDataFrame
        Lazy; computed, it equals :func:`landuse.check_new_land` on the whole frame. ``attrs``
        keep ``policy``, ``tolerance_m2``, ``tolerance_share``, ``industrial_uses`` and
        ``not_evaluated``.

    Raises
    ------
    TypeError
        ``proposals`` is not a dask-geopandas frame; ``policy`` is not a policy.
    CRSError, SchemaError, ValueError
        As the in-memory function (raised now); GeometryError for bad proposal geometries
        when the partition holding them is computed.

    Warns
    -----
    LanduseWarning
        ``proposals`` has no ``land_use`` column (once, here).

    Examples
    --------
    >>> import dask, dask_geopandas, landuse
    >>> s = landuse.load_sample()
    >>> proposals = dask_geopandas.from_geopandas(s.proposals, npartitions=3)
    >>> lazy = check_new_land(proposals, zones=s.zones, functional_areas=s.functional_areas,
    ...                       policy="qingdao-2019")
    >>> with dask.config.set(scheduler="synchronous"):
    ...     report = lazy.compute()
    >>> expected = landuse.check_new_land(s.proposals, zones=s.zones,
    ...                                   functional_areas=s.functional_areas,
    ...                                   policy="qingdao-2019")
    >>> report["verdict"].equals(expected["verdict"]), report.attrs["policy"]
    (True, 'qingdao-2019')
    """
    caller = "check_new_land"
    meta_in = srun.check_dask(proposals, "proposals", caller)
    policy = resolve_policy(policy, caller=caller)
    options: dict[str, Any] = {
        "tolerance_m2": tolerance_m2,
        "tolerance_share": tolerance_share,
        "industrial_uses": industrial_uses,
        "lang": lang,
    }
    meta = srun.meta_of(
        compliance.check_new_land(
            meta_in, zones=zones, functional_areas=functional_areas, policy=policy, **options
        )
    )
    ctx = {
        "policy": policy,
        "zones": zones,
        "functional_areas": functional_areas,
        "options": options,
    }
    return srun.run(parts.new_land, proposals, meta, ctx)


def zonal_stats(
    parcels: dgpd.GeoDataFrame,
    raster: str | os.PathLike[str],
    *,
    stats: Sequence[_raster.Stat] = _raster.DEFAULT_STATS,
    categories: Sequence[float] | Mapping[float, str] | None = None,
    band: int = 1,
) -> dd.DataFrame:
    """:func:`landuse.zonal_stats` on every partition of a dask-geopandas frame.

    Each partition reads only the raster windows around its parcels, so the raster is never
    loaded whole; it must be at a path (or GDAL URL) every worker can read.

    Parameters
    ----------
    parcels
        Partitioned polygons with a CRS.
    raster
        Path or GDAL-readable URL of the raster (a relative path is made absolute here).
    stats, categories, band
        As in :func:`landuse.zonal_stats`.

    Returns
    -------
    dask.dataframe.DataFrame
        Lazy; computed, it equals :func:`landuse.zonal_stats` on the whole frame. ``attrs``
        keep ``raster``, ``band``, ``raster_crs`` and ``pixel_size``.

    Raises
    ------
    TypeError
        ``parcels`` is not a dask-geopandas frame; ``raster`` is an open dataset.
    FileNotFoundError, ValueError, CRSError
        As the in-memory function (checked now on the raster).

    Warns
    -----
    LanduseWarning
        No partition's extent overlaps the raster (usually a CRS mistake; checked when the
        frame has spatial partitions).

    Examples
    --------
    >>> import dask, dask_geopandas, landuse
    >>> s = landuse.load_sample()
    >>> parcels = dask_geopandas.from_geopandas(s.parcels.iloc[:200], npartitions=2)
    >>> lazy = zonal_stats(parcels, s.rasters["night_light"], stats=["mean", "count"])
    >>> with dask.config.set(scheduler="synchronous"):
    ...     got = lazy.compute()
    >>> expected = landuse.zonal_stats(s.parcels.iloc[:200], s.rasters["night_light"],
    ...                                stats=["mean", "count"])
    >>> got.equals(expected)
    True
    """
    caller = "zonal_stats"
    meta_in = srun.check_dask(parcels, "parcels", caller)
    if not isinstance(raster, (str, os.PathLike)):
        msg = (
            f"`raster` passed to landuse.scale.{caller}() must be a path or GDAL URL that every "
            f"worker can open; received {type(raster).__name__} (an open dataset cannot be sent "
            "to workers)."
        )
        raise TypeError(msg)
    path = os.fspath(raster)
    if "://" not in path and not path.startswith("/vsi"):
        path = str(Path(path).resolve())
    options: dict[str, Any] = {"stats": list(stats), "categories": categories, "band": band}
    meta = srun.meta_of(_raster.zonal_stats(meta_in, path, **options))
    srun.warn_if_off_raster(parcels, path, caller=caller)
    ctx = {"raster": path, "options": options}
    return srun.run(parts.zonal, parcels, meta, ctx)


# --- building blocks for the command line ------------------------------------------------------


def from_geopandas(gdf: gpd.GeoDataFrame, *, npartitions: int) -> dgpd.GeoDataFrame:
    """Split an in-memory GeoDataFrame into a dask-geopandas frame, keeping its dtypes.

    The pieces travel in the graph (a lost worker's share is recomputed); partitions get their
    bounding boxes as spatial partitions. For large layers write partitioned GeoParquet
    (:func:`write_partitioned`) and use :func:`read_parcels`.

    Parameters
    ----------
    gdf
        The frame.
    npartitions
        Number of partitions.

    Returns
    -------
    dask_geopandas.GeoDataFrame

    Examples
    --------
    >>> import landuse
    >>> s = landuse.load_sample()
    >>> parts = from_geopandas(s.parcels, npartitions=3)
    >>> parts.npartitions, len(parts.spatial_partitions)
    (3, 3)
    """
    sio.require("from_geopandas")
    return sread.from_frame(gdf, npartitions=npartitions)


def zone_ids(
    parcels: dgpd.GeoDataFrame,
    *,
    zones: gpd.GeoDataFrame,
    functional_areas: gpd.GeoDataFrame | None = None,
) -> dd.Series:
    """Each parcel's zone as the efficiency rules place it, lazily (partition by partition).

    A parcel keeps its own ``zone_id``; the others go to the zone holding their largest share
    (as :func:`landuse.find_inefficient_land` and :func:`landuse.build_project_bank` do).

    Parameters
    ----------
    parcels
        Partitioned parcels in a projected CRS.
    zones
        Zones with ``zone_id``, in the parcels' CRS (broadcast to the workers).
    functional_areas
        Optional functional areas, only checked (as by the in-memory functions).

    Returns
    -------
    dask.dataframe.Series
        ``zone_id`` (text, missing outside every zone) on the parcels' index.

    Raises
    ------
    TypeError, CRSError, SchemaError
        Wrong frames, CRS or columns (raised now, on the frames' metadata).

    Examples
    --------
    >>> import dask, landuse
    >>> s = landuse.load_sample()
    >>> parcels = from_geopandas(s.parcels.drop(columns="zone_id", errors="ignore"), npartitions=2)
    >>> with dask.config.set(scheduler="synchronous"):
    ...     zone = zone_ids(parcels, zones=s.zones).compute()
    >>> len(zone) == len(s.parcels), zone.name
    (True, 'zone_id')
    """
    caller = "zone_ids"
    meta_in = srun.check_dask(parcels, "parcels", caller)
    inputs.check_layers(
        meta_in, caller=f"landuse.scale.{caller}", zones=zones, functional_areas=functional_areas
    )
    if "zone_id" not in zones.columns:
        msg = (
            f"`zones` passed to landuse.scale.{caller}() needs a `zone_id` column; received "
            f"columns {list(zones.columns)}. Read the zones with landuse.read_zones."
        )
        raise SchemaError(msg)
    return srun.zone_ids(parcels, zones, functional_areas)
