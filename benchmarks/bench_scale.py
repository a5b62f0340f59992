"""The same analyses in memory (geopandas) and on a Dask cluster (``landuse.scale``), 10 M parcels.

Data (synthetic, seeded, cached in ``--data-dir``): ``--n`` parcels (default 10,000,000) from
``landuse.datasets.synthetic_parcels``, generated in chunks of 500,000 and written straight to a
partitioned GeoParquet directory (``parcels/part.NNNNN.parquet``, ``--rows-per-file`` rows each,
default 250,000), so the generator never holds more than one chunk. Chunks are laid side by side
(rows of chunks stacked northwards) on a strip at most 240 km wide along 120°E, inside one 3°
Gauss-Krüger zone (EPSG:4549): parcels never overlap, and every partition has the same analysis
CRS. Ids are renumbered to stay unique (``P00000001``…, ``N00000001``…). Per chunk,
``synthetic_zones`` (``--zones-per-million``, default 20 per million parcels, with functional
areas) and ``synthetic_proposals`` (``--proposals``, default ``n / 10``, written in files of
``--rows-per-file`` rows like the parcels). No buildings: 20 M footprints would double the data; floor areas come from the
cadastral attributes (``parcel_metrics`` without ``buildings``).

Work (policy ``qingdao-2019``, as of 2021-12-31), each step from the files to a written result:

- ``metrics``: ``parcel_metrics(parcels)``;
- ``inefficient``: ``find_inefficient_land(parcels, zones=…, functional_areas=…)``;
- ``check``: ``check_new_land(proposals, zones=…, functional_areas=…)``.

Paths:

- **in memory**: a fresh process reads the GeoParquet directory with ``geopandas.read_parquet``,
  validates it with ``landuse.read_parcels`` / ``read_proposals``, runs the in-memory function in
  one thread (``check_new_land(n_jobs=1)``) and writes the result to one Parquet file. Its peak
  memory is the process's peak RSS (``VmHWM``). It runs first on ``--calibrate`` rows (default
  1,000,000); when the peak extrapolated linearly to ``--n`` exceeds ``--memory-budget`` (default
  80 % of RAM) it runs on the largest whole number of files that fits instead, and says so.
- **dask**: ``landuse.scale.connect(workers=W, threads_per_worker=1, memory_limit=…)`` (a fresh
  ``LocalCluster`` for each ``W`` in ``--workers``, default ``1,2``), then ``scale.read_parcels``
  / ``read_proposals`` → the ``scale`` function → ``scale.write_parquet``, all timed. Peak memory
  per worker is each worker process's peak RSS during the step (``VmHWM``, reset before the step
  through ``/proc/PID/clear_refs``); worker restarts are counted. The workers import landuse
  before the clock starts (as the in-memory process does); cluster start-up is not timed.

Throughput is input rows ÷ wall seconds of the whole step (read + compute + write). *Per core*
divides by the cores the path uses: 1 for the in-memory path, ``W`` for ``W`` workers (one
thread each). The goal of issue 10: dask rows/s per core ≥ in-memory rows/s per core ÷ 1.5
(printed as ``in-memory per core ÷ dask per core`` ≤ 1.5) and every worker's peak < 4 GB.
Results are compared between the paths (row count, id checksums, sums of every numeric column
and of the geometry areas to 1e-9 relative, counts of every text column with few values), on the
rows both computed.

Other jobs on the machine slow every path: the last column is the CPU that processes other than
the benchmark's own used during each step (in cores, from ``/proc/stat``). Before each step the
benchmark waits (up to ``--wait-idle`` seconds, default 600) until other jobs use less than 0.15
cores; rerun when the column is not near 0, and use ``--repeat`` (the fastest run is reported).

Run: ``python benchmarks/bench_scale.py [--n 10000000] [--quick] [--data-dir DIR]``
(``--quick``: 200,000 parcels, for a smoke run). Needs ``pip install "landuse[scale]"``; about
25 minutes and 20 GB of RAM (the in-memory path) at 10 M parcels on 2 cores, 1.5 GB of disk for
the data and as much for the results (removed at the end unless ``--keep-results``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import warnings
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import shapely

FORMAT = 2  # bump when the generated layout changes (invalidates the cache)
POLICY = "qingdao-2019"
AS_OF = "2021-12-31"
TASKS = ("metrics", "inefficient", "check")
GEN_CHUNK = 500_000
STRIP_X = (380_000.0, 620_000.0)  # EPSG:4549 eastings: 120°E ± about 120 km
ORIGIN_Y = 3_000_000.0
GAP_M = 12.0  # a street between chunks
WAIT_IDLE = 600.0  # s to wait before a step for other jobs to finish (--wait-idle)


# --- data ---------------------------------------------------------------------------------------


def _ids(prefix: str, start: int, n: int) -> pd.Series:
    digits = pc.utf8_lpad(pa.array(np.arange(start, start + n)).cast(pa.string()), 8, "0")
    return pd.Series(pc.binary_join_element_wise(prefix, digits, ""), dtype="str")


def _split_write(frame: Any, folder: Path, first_file: int, rows_per_file: int) -> int:
    """Write ``frame`` as consecutive files of ``rows_per_file`` rows; return the file count."""
    count = 0
    for start in range(0, len(frame), rows_per_file):
        part = frame.iloc[start : start + rows_per_file]
        part.to_parquet(folder / f"part.{first_file + count:05d}.parquet", compression="snappy")
        count += 1
    return count


def ensure_data(
    root: Path,
    *,
    n: int,
    seed: int,
    rows_per_file: int,
    zones_per_million: float,
    n_proposals: int,
) -> tuple[Path, dict[str, Any]]:
    """Generate (or reuse) the partitioned GeoParquet data set; return its folder and manifest."""
    from landuse.datasets import synthetic_parcels, synthetic_proposals, synthetic_zones

    name = f"v{FORMAT}_n{n}_p{n_proposals}_z{zones_per_million:g}_r{rows_per_file}_s{seed}"
    folder = root / name
    manifest_path = folder / "manifest.json"
    if manifest_path.exists():
        return folder, json.loads(manifest_path.read_text())
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".{name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "parcels").mkdir(parents=True)
    (tmp / "proposals").mkdir()
    started = time.perf_counter()
    chunk = max(rows_per_file, GEN_CHUNK // rows_per_file * rows_per_file)
    starts = list(range(0, n, chunk))
    x, y, row_top = STRIP_X[0], ORIGIN_Y, ORIGIN_Y
    zones_all, areas_all = [], []
    files = pfiles = zone_count = prop_done = 0
    pending: list[Any] = []
    for k, start in enumerate(starts):
        size = min(chunk, n - start)
        parcels = synthetic_parcels(size, seed=seed * 10_000 + k, origin=(x, y))
        _, _, maxx, maxy = parcels.total_bounds
        if maxx > STRIP_X[1] and x > STRIP_X[0]:  # start a new row of chunks
            x, y = STRIP_X[0], row_top + GAP_M
            parcels = synthetic_parcels(size, seed=seed * 10_000 + k, origin=(x, y))
            _, _, maxx, maxy = parcels.total_bounds
        row_top = max(row_top, maxy)
        x = maxx + GAP_M
        parcels.index = pd.RangeIndex(start, start + size)
        parcels["parcel_id"] = _ids("P", start + 1, size).set_axis(parcels.index)
        parcels["enterprise"] = f"区块{k:03d}·" + parcels["enterprise"]
        n_z = max(1, round(zones_per_million * size / 1e6))
        zones, areas = synthetic_zones(n_z, seed=seed * 10_000 + k, parcels=parcels)
        zmap = dict(zip(zones["zone_id"], _ids("Z", zone_count + 1, n_z), strict=True))
        zones["zone_id"] = zones["zone_id"].map(zmap)
        zones["name"] = zones["name"] + f"·区块{k:03d}"
        areas["zone_id"] = areas["zone_id"].map(zmap)
        zone_count += n_z
        zones_all.append(zones)
        areas_all.append(areas)
        files += _split_write(parcels, tmp / "parcels", files, rows_per_file)
        del parcels
        n_p = n_proposals - prop_done if k == len(starts) - 1 else n_proposals * size // n
        if n_p:
            props = synthetic_proposals(n_p, zones=zones, seed=seed * 10_000 + k)
            props.index = pd.RangeIndex(prop_done, prop_done + n_p)
            props["proposal_id"] = _ids("N", prop_done + 1, n_p).set_axis(props.index)
            props["project"] = f"区块{k:03d}·" + props["project"]
            pending.append(props)
            prop_done += n_p
            del props
        # proposals: files of rows_per_file rows too (a chunk holds fewer than that)
        buffered = sum(len(f) for f in pending)
        if pending and (buffered >= rows_per_file or k == len(starts) - 1):
            joined = pd.concat(pending)
            whole = (
                len(joined) if k == len(starts) - 1 else buffered // rows_per_file * rows_per_file
            )
            pfiles += _split_write(joined.iloc[:whole], tmp / "proposals", pfiles, rows_per_file)
            pending = [joined.iloc[whole:]] if whole < len(joined) else []
        print(f"  generated {start + size:,} / {n:,} parcels", end="\r", flush=True)
    zones_df = pd.concat(zones_all, ignore_index=True)
    areas_df = pd.concat(areas_all, ignore_index=True)
    zones_df.to_parquet(tmp / "zones.parquet")
    areas_df.to_parquet(tmp / "functional_areas.parquet")
    manifest = {
        "format": FORMAT,
        "n": n,
        "proposals": n_proposals,
        "zones": len(zones_df),
        "functional_areas": len(areas_df),
        "rows_per_file": rows_per_file,
        "parcel_files": files,
        "proposal_files": pfiles,
        "seed": seed,
        "extent": [float(v) for v in zones_df.total_bounds],
        "bytes": sum(p.stat().st_size for p in tmp.rglob("*.parquet")),
        "seconds": round(time.perf_counter() - started, 1),
    }
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1))
    os.replace(tmp, folder)
    print()
    return folder, manifest


def subset_dir(data: Path, kind: str, files: int, total: int) -> Path:
    """A folder of links to the first ``files`` files of ``data/kind`` (the whole folder if all)."""
    if files >= total:
        return data / kind
    folder = data / "subsets" / f"{kind}_{files}"
    if not folder.exists():
        tmp = folder.with_name(folder.name + f".tmp-{os.getpid()}")
        tmp.mkdir(parents=True)
        for src in sorted((data / kind).glob("part.*.parquet"))[:files]:
            (tmp / src.name).symlink_to(src.resolve())
        os.replace(tmp, folder)
    return folder


# --- measuring ----------------------------------------------------------------------------------


def peak_rss(pid: int | str = "self") -> int:
    """Peak resident set size of a process since start or the last :func:`reset_peak`, bytes."""
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    msg = f"no VmHWM in /proc/{pid}/status"
    raise RuntimeError(msg)


def reset_peak(pid: int | str = "self") -> None:
    with open(f"/proc/{pid}/clear_refs", "w") as fh:
        fh.write("5")


class OtherLoad:
    """CPU used by processes other than this benchmark's (and its children) over a block, cores.

    Busy time of the whole machine (``/proc/stat``) minus the CPU time of this process and all
    its children (the in-memory process, the cluster's nannies and workers). Other jobs on the
    machine slow every path; this says how much they ran while a step was timed.
    """

    def _busy(self) -> float:
        with open("/proc/stat") as fh:
            v = [int(x) for x in fh.readline().split()[1:9]]
        user, nice, system, _idle, _iowait, irq, softirq, steal = v
        return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")

    def _ours(self) -> float:
        import psutil

        me = psutil.Process()
        t = me.cpu_times()
        total = t.user + t.system + t.children_user + t.children_system
        for child in me.children(recursive=True):
            try:
                c = child.cpu_times()
            except psutil.Error:
                continue
            total += c.user + c.system + c.children_user + c.children_system
        return total

    def __enter__(self) -> OtherLoad:
        self._t0, self._b0, self._o0 = time.perf_counter(), self._busy(), self._ours()
        return self

    def __exit__(self, *exc: object) -> None:
        wall = time.perf_counter() - self._t0
        other = (self._busy() - self._b0) - (self._ours() - self._o0)
        self.cores = max(other, 0.0) / wall if wall > 0 else 0.0


def wait_idle(max_wait: float, *, threshold: float = 0.15) -> None:
    """Wait (at most ``max_wait`` s) until other jobs use under ``threshold`` cores for 3 s."""
    start = time.perf_counter()
    while True:
        with OtherLoad() as other:
            time.sleep(3.0)
        waited = time.perf_counter() - start
        if other.cores < threshold or waited >= max_wait:
            if waited > 10:
                print(f"  (waited {waited:.0f} s for other jobs; now {other.cores:.2f} cores busy)")
            return


def gb(n: float) -> str:
    return f"{n / 1e9:.2f} GB"


def task_kwargs(task: str, data: Path) -> dict[str, Any]:
    import geopandas as gpd

    import landuse

    policy = landuse.load_policy(POLICY)
    zones = gpd.read_parquet(data / "zones.parquet")
    areas = gpd.read_parquet(data / "functional_areas.parquet")
    if task == "metrics":
        return {"policy": policy}
    if task == "inefficient":
        return {"policy": policy, "as_of": AS_OF, "zones": zones, "functional_areas": areas}
    return {"zones": zones, "functional_areas": areas, "policy": policy}


def run_in_memory(task: str, data: Path, source: Path, out: Path) -> dict[str, Any]:
    """One step on the in-memory path, in this (fresh) process."""
    import resource

    import geopandas as gpd

    import landuse
    from landuse.compliance import check_new_land
    from landuse.efficiency import find_inefficient_land, parcel_metrics

    kwargs = task_kwargs(task, data)
    base = peak_rss()  # interpreter, libraries, zones
    reset_peak()
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    raw = gpd.read_parquet(source)
    frame = landuse.read_proposals(raw) if task == "check" else landuse.read_parcels(raw)
    del raw
    t1 = time.perf_counter()
    if task == "metrics":
        result = parcel_metrics(frame, **kwargs)
    elif task == "inefficient":
        result = find_inefficient_land(frame, **kwargs)
    else:
        result = check_new_land(frame, n_jobs=1, **kwargs)
    t2 = time.perf_counter()
    result.to_parquet(out, index=True)
    t3 = time.perf_counter()
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)
    return {
        "rows": len(frame),
        "rows_out": len(result),
        "read_s": t1 - t0,
        "compute_s": t2 - t1,
        "write_s": t3 - t2,
        "total_s": t3 - t0,
        "cpu_s": cpu,
        "peak": peak_rss(),
        "base": base,
    }


def in_memory(task: str, data: Path, source: Path, out: Path) -> dict[str, Any]:
    """Run :func:`run_in_memory` in a fresh Python process; return its measurements."""
    cmd = [
        sys.executable,
        __file__,
        "--_in-memory",
        json.dumps([task, str(data), str(source), str(out)]),
    ]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            [str(Path(__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")]
        ),
    }
    wait_idle(WAIT_IDLE)
    with OtherLoad() as other:
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        last = done.stderr.strip().splitlines()[-1:] or ["killed (out of memory?)"]
        return {"error": f"exit {done.returncode}: {last[0]}"}
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "other": other.cores}


def _warm_up() -> None:
    import landuse.compliance
    import landuse.efficiency  # noqa: F401


def run_dask(
    client: Any, task: str, data: Path, parcels: Path, proposals: Path, out: Path
) -> dict[str, Any]:
    """One step on the dask path: read + compute + write, timed, with per-worker peak RSS."""
    from landuse import scale

    kwargs = task_kwargs(task, data)
    pids = client.run(os.getpid)
    for pid in pids.values():
        reset_peak(pid)
    wait_idle(WAIT_IDLE)
    with OtherLoad() as other:
        t0 = time.perf_counter()
        if task == "check":
            frame = scale.read_proposals(proposals)
            result = scale.check_new_land(frame, **kwargs)
        else:
            frame = scale.read_parcels(parcels)
            fn = scale.parcel_metrics if task == "metrics" else scale.find_inefficient_land
            result = fn(frame, **kwargs)
        scale.write_parquet(result, out)
        total = time.perf_counter() - t0
    after = client.run(os.getpid)
    peaks = {addr: peak_rss(pid) for addr, pid in after.items() if pids.get(addr) == pid}
    rows = ds.dataset(proposals if task == "check" else parcels, format="parquet").count_rows()
    return {
        "rows": rows,
        "rows_out": ds.dataset(out, format="parquet").count_rows(),
        "total_s": total,
        "peak": max(peaks.values(), default=float("nan")),
        "peaks": sorted(peaks.values()),
        "restarts": len(set(pids.items()) ^ set(after.items())) // 2 + abs(len(pids) - len(after)),
        "other": other.cores,
    }


# --- comparing results --------------------------------------------------------------------------


def checksums(path: Path, *, key_limit: str | int | None = None) -> dict[str, Any]:
    """Order-free checksums of a result (file or folder), optionally only rows up to a key."""
    dataset = ds.dataset(path, format="parquet")
    names = dataset.schema.names
    geo = json.loads((dataset.schema.metadata or {}).get(b"geo", b"{}"))
    geometry = geo.get("primary_column")
    key = next((c for c in ("parcel_id", "proposal_id") if c in names), None)
    if key is None:  # a metric frame: its index
        key = next(
            (c for c in names if c.startswith("__index_level_") or c == "__null_dask_index__"), None
        )
    filt = None
    if key is not None and key_limit is not None:
        filt = ds.field(key) <= key_limit
    sums: dict[str, float] = {}
    counts: dict[str, int] = {}
    values: dict[str, dict[str, int]] = {}
    rows = 0
    id_sum = id_sq = 0
    for batch in dataset.to_batches(filter=filt, batch_size=1_000_000):
        rows += batch.num_rows
        for name in names:
            col = batch.column(name)
            typ = col.type
            if name == key:
                text = pa.types.is_string(typ) or pa.types.is_large_string(typ)
                num = pc.utf8_slice_codeunits(col, 1) if text else col  # "P00000123" -> 123
                x = pc.cast(num, pa.int64()).to_numpy(zero_copy_only=False).astype(np.uint64)
                # sums modulo 2**64 (uint64 wraps): exact, so independent of the row order
                id_sum = (id_sum + int(x.sum(dtype=np.uint64))) % 2**64
                id_sq = (id_sq + int((x * x).sum(dtype=np.uint64))) % 2**64
            elif name.startswith("__"):  # another index column
                continue
            elif name == geometry:
                area = shapely.area(shapely.from_wkb(col.to_numpy(zero_copy_only=False)))
                sums["area(geometry)"] = sums.get("area(geometry)", 0.0) + float(np.nansum(area))
                counts["area(geometry)"] = (
                    counts.get("area(geometry)", 0) + len(col) - col.null_count
                )
            elif pa.types.is_floating(typ) or pa.types.is_integer(typ) or pa.types.is_boolean(typ):
                arr = pc.cast(col, pa.float64())
                arr = pc.if_else(pc.is_nan(arr), None, arr)
                sums[name] = sums.get(name, 0.0) + (pc.sum(arr).as_py() or 0.0)
                counts[name] = counts.get(name, 0) + pc.count(arr).as_py()
            elif (
                pa.types.is_string(typ)
                or pa.types.is_large_string(typ)
                or pa.types.is_dictionary(typ)
            ):
                counts[name] = counts.get(name, 0) + pc.count(col).as_py()
                if len(values.get(name, {})) <= 1000:
                    vc = pc.value_counts(
                        pc.cast(col, pa.string()) if pa.types.is_dictionary(typ) else col
                    )
                    got = values.setdefault(name, {})
                    for v, c in zip(
                        vc.field("values").to_pylist(), vc.field("counts").to_pylist(), strict=True
                    ):
                        got[str(v)] = got.get(str(v), 0) + c
    values = {k: v for k, v in values.items() if len(v) <= 1000}
    return {
        "rows": rows,
        "key": key,
        "id_sum": id_sum,
        "id_sq": id_sq,
        "sums": sums,
        "counts": counts,
        "values": values,
    }


def compare(a: dict[str, Any], b: dict[str, Any]) -> tuple[bool, str]:
    """Are two :func:`checksums` equal (sums to 1e-9 relative)? Return (equal, summary)."""
    problems = []
    if a["rows"] != b["rows"]:
        problems.append(f"rows {a['rows']:,} vs {b['rows']:,}")
    if (a["id_sum"], a["id_sq"]) != (b["id_sum"], b["id_sq"]):
        problems.append("ids differ")
    worst = 0.0
    for name in sorted(set(a["sums"]) | set(b["sums"])):
        if name not in a["sums"] or name not in b["sums"]:
            problems.append(f"column {name} only in one")
            continue
        x, y = a["sums"][name], b["sums"][name]
        rel = abs(x - y) / max(abs(x), abs(y), 1e-300)
        worst = max(worst, rel)
        if rel > 1e-9 or a["counts"][name] != b["counts"][name]:
            problems.append(
                f"{name}: sum {x!r} vs {y!r}, non-null {a['counts'][name]} vs {b['counts'][name]}"
            )
    for name in sorted(set(a["values"]) & set(b["values"])):
        if a["values"][name] != b["values"][name]:
            problems.append(f"{name}: value counts differ")
    summary = f"{a['rows']:,} rows, {len(a['sums'])} numeric sums (max rel. diff {worst:.1e}), {len(a['values'])} text columns"
    return not problems, summary if not problems else "; ".join(problems[:4])


def rows_of(man: dict[str, Any], task: str) -> tuple[int, int, str]:
    """(rows, files, folder) of the input of ``task``."""
    if task == "check":
        return man["proposals"], man["proposal_files"], "proposals"
    return man["n"], man["parcel_files"], "parcels"


def best_of(repeat: int, run: Any) -> dict[str, Any]:
    """Call ``run()`` ``repeat`` times; keep the fastest run that did not fail."""
    got = [run() for _ in range(max(repeat, 1))]
    ok = [r for r in got if "error" not in r]
    return min(ok, key=lambda r: r["total_s"]) if ok else got[-1]


def in_memory_runs(
    tasks: list[str],
    data: Path,
    man: dict[str, Any],
    budget: float,
    calibrate: int,
    repeat: int,
) -> dict[str, list[dict[str, Any]]]:
    """Per task: a run on ``calibrate`` rows, then one on the most files that fit ``budget``."""
    out: dict[str, list[dict[str, Any]]] = {}
    rpf = man["rows_per_file"]
    for task in tasks:
        total, nfiles, kind = rows_of(man, task)
        sizes = [max(1, min(nfiles, calibrate // rpf))]
        runs = out[task] = []
        while sizes:
            files = sizes.pop()
            source = subset_dir(data, kind, files, nfiles)
            out_file = data / "results" / f"mem_{task}_{files}.parquet"
            r = best_of(repeat, partial(in_memory, task, data, source, out_file))
            r["files"] = files
            runs.append(r)
            if "error" in r:
                print(f"  in memory {task} on {files} files: {r['error']}")
                continue
            print(
                f"  in memory {task} on {r['rows']:,} rows: {r['total_s']:.1f} s, "
                f"peak {gb(r['peak'])}"
            )
            if len(runs) == 1 and files < nfiles:
                per_row = (r["peak"] - r["base"]) / r["rows"]
                r["predicted_full"] = r["base"] + per_row * total
                fit = min(nfiles, int((budget - r["base"]) / per_row / rpf))
                if fit > files:
                    sizes.append(fit)
    return out


def dask_runs_all(
    tasks: list[str], workers: list[int], data: Path, memory_limit: str, repeat: int
) -> dict[tuple[str, int], dict[str, Any]]:
    """Every task on a fresh LocalCluster of each size in ``workers``."""
    out: dict[tuple[str, int], dict[str, Any]] = {}
    for w in workers:
        from landuse import scale

        with scale.connect(workers=w, threads_per_worker=1, memory_limit=memory_limit) as client:
            client.run(_warm_up)  # imports, as the in-memory process has them before its clock
            for task in tasks:
                out_dir = data / "results" / f"dask{w}_{task}"
                step = partial(
                    run_dask, client, task, data, data / "parcels", data / "proposals", out_dir
                )
                r = best_of(repeat, step)
                out[(task, w)] = r
                print(
                    f"  dask {w} worker(s) {task}: {r['total_s']:.1f} s, "
                    f"peak per worker {gb(r['peak'])}, restarts {r['restarts']}"
                )
    return out


def compare_paths(
    tasks: list[str],
    workers: list[int],
    data: Path,
    man: dict[str, Any],
    mem_runs: dict[str, list[dict[str, Any]]],
) -> dict[str, tuple[bool, str]]:
    """Checksums of the largest in-memory result against each dask result, on the same rows."""
    checks: dict[str, tuple[bool, str]] = {}
    for task in tasks:
        ok = [r for r in mem_runs.get(task, []) if "error" not in r]
        if not ok:
            continue
        big = ok[-1]
        _, nfiles, _ = rows_of(man, task)
        ref = checksums(data / "results" / f"mem_{task}_{big['files']}.parquet")
        limit: str | int | None = None
        if big["files"] < nfiles:
            prefix = "N" if task == "check" else "P"
            limit = (
                f"{prefix}{big['rows']:08d}"
                if ref["key"] in ("parcel_id", "proposal_id")
                else big["rows"] - 1
            )
        for w in workers:
            got = checksums(data / "results" / f"dask{w}_{task}", key_limit=limit)
            checks[f"{task}, {w} worker(s)"] = compare(ref, got)
    return checks


def print_table(
    tasks: list[str],
    workers: list[int],
    man: dict[str, Any],
    budget: float,
    mem_runs: dict[str, list[dict[str, Any]]],
    dask_runs: dict[tuple[str, int], dict[str, Any]],
    checks: dict[str, tuple[bool, str]],
) -> None:
    print()
    print(
        "| step | path | workers | rows | read s | compute + write s | total s | rows/s "
        "| rows/s per core | peak RSS per worker | in-memory per core ÷ this per core "
        "| other jobs' CPU (cores) |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    notes, goals = [], []
    for task in tasks:
        runs = [r for r in mem_runs.get(task, []) if "error" not in r]
        base = runs[-1]["rows"] / runs[-1]["total_s"] if runs else float("nan")
        for r in mem_runs.get(task, []):
            if "error" in r:
                print(
                    f"| {task} | in memory | 1 | ({r['files']} files) | | | | | | | {r['error']} | |"
                )
                continue
            rate = r["rows"] / r["total_s"]
            print(
                f"| {task} | in memory (CPU {r['cpu_s'] / r['total_s']:.2f} cores) | 1 "
                f"| {r['rows']:,} | {r['read_s']:.1f} | {r['compute_s'] + r['write_s']:.1f} "
                f"| {r['total_s']:.1f} | {rate:,.0f} | {rate:,.0f} | {gb(r['peak'])} "
                f"| {base / rate:.2f} | {r['other']:.2f} |"
            )
            if "predicted_full" in r:
                total = rows_of(man, task)[0]
                last = mem_runs[task][-1]
                ran = (
                    f"ran on all {total:,} rows"
                    if last.get("rows") == total
                    else f"ran on {last.get('rows', last['files'] * man['rows_per_file']):,} rows "
                    f"(the most whole files within the {gb(budget)} budget)"
                )
                notes.append(
                    f"in memory {task}: peak extrapolated to {total:,} rows "
                    f"{gb(r['predicted_full'])}; {ran}"
                )
        for w in workers:
            r = dask_runs[(task, w)]
            rate = r["rows"] / r["total_s"]
            ratio = base / (rate / w)
            print(
                f"| {task} | dask (scale.read → {task} → write_parquet) | {w} | {r['rows']:,} "
                f"| | | {r['total_s']:.1f} | {rate:,.0f} | {rate / w:,.0f} | {gb(r['peak'])} "
                f"| {ratio:.2f} | {r['other']:.2f} |"
            )
            met = ratio <= 1.5 and r["peak"] < 4e9 and r["restarts"] == 0
            goals.append(
                f"goal {task}, {w} worker(s): in-memory per core ÷ dask per core {ratio:.2f} "
                f"(≤ 1.5), peak per worker {gb(r['peak'])} (< 4 GB), {r['restarts']} worker "
                f"restarts: {'met' if met else 'NOT met'}"
            )
        if 1 in workers and 2 in workers:
            t1, t2 = dask_runs[(task, 1)]["total_s"], dask_runs[(task, 2)]["total_s"]
            goals.append(
                f"scaling {task}: 1 → 2 workers {t1:.1f} s → {t2:.1f} s, speed-up "
                f"{t1 / t2:.2f}× (parallel efficiency {t1 / t2 / 2:.0%})"
            )
    print()
    for line in notes + goals:
        print(line)
    for name, (ok, summary) in checks.items():
        print(f"equal results, {name} vs in memory: {'yes' if ok else 'NO'} — {summary}")


# --- main ---------------------------------------------------------------------------------------


def main() -> None:
    global WAIT_IDLE  # one setting, read by both paths
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=10_000_000, help="parcels")
    ap.add_argument("--quick", action="store_true", help="200,000 parcels, 25,000 per file")
    ap.add_argument("--proposals", type=int, default=None, help="proposals (default n / 10)")
    ap.add_argument("--rows-per-file", type=int, default=None, help="default 250,000")
    ap.add_argument("--zones-per-million", type=float, default=20.0)
    ap.add_argument("--data-dir", type=Path, default=Path("/tmp/landuse_bench_scale"))
    ap.add_argument("--workers", default="1,2", help="worker counts, comma-separated")
    ap.add_argument("--memory-limit", default="4GB", help="per worker")
    ap.add_argument("--tasks", default=",".join(TASKS), help=f"subset of {','.join(TASKS)}")
    ap.add_argument(
        "--calibrate", type=int, default=1_000_000, help="rows of the first in-memory run"
    )
    ap.add_argument(
        "--memory-budget",
        type=float,
        default=None,
        help="GB for the in-memory path (default 80%% of RAM)",
    )
    ap.add_argument("--repeat", type=int, default=1, help="runs of each step (best reported)")
    ap.add_argument(
        "--wait-idle",
        type=float,
        default=WAIT_IDLE,
        help="before each step, wait up to this many s for other jobs to stop (0: never)",
    )
    ap.add_argument("--skip-in-memory", action="store_true")
    ap.add_argument("--keep-results", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--_in-memory", dest="in_memory", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    if args.in_memory:
        task, data, source, out = json.loads(args.in_memory)
        print(json.dumps(run_in_memory(task, Path(data), Path(source), Path(out))))
        return

    WAIT_IDLE = args.wait_idle
    if args.quick:
        args.n = 200_000
        args.rows_per_file = args.rows_per_file or 25_000
        args.calibrate = min(args.calibrate, 100_000)
    rows_per_file = args.rows_per_file or 250_000
    n_prop = args.proposals if args.proposals is not None else args.n // 10
    tasks = [t for t in args.tasks.split(",") if t]
    workers = [int(w) for w in args.workers.split(",") if w]
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    budget = (args.memory_budget * 1e9) if args.memory_budget else 0.8 * ram

    print(
        f"{len(os.sched_getaffinity(0))} CPUs, {gb(ram)} RAM; load average {os.getloadavg()[0]:.2f}"
    )
    data, man = ensure_data(
        args.data_dir,
        n=args.n,
        seed=args.seed,
        rows_per_file=rows_per_file,
        zones_per_million=args.zones_per_million,
        n_proposals=n_prop,
    )
    print(
        f"data: {man['n']:,} parcels in {man['parcel_files']} files, {man['proposals']:,} proposals "
        f"in {man['proposal_files']} files, {man['zones']} zones, {man['functional_areas']} functional "
        f"areas; {gb(man['bytes'])} of GeoParquet in {data} (made in {man['seconds']} s; reused if present)"
    )
    results = data / "results"
    shutil.rmtree(results, ignore_errors=True)
    results.mkdir()
    mem_runs = (
        {}
        if args.skip_in_memory
        else in_memory_runs(tasks, data, man, budget, args.calibrate, args.repeat)
    )
    dask_runs = dask_runs_all(tasks, workers, data, args.memory_limit, args.repeat)
    checks = compare_paths(tasks, workers, data, man, mem_runs)
    print_table(tasks, workers, man, budget, mem_runs, dask_runs, checks)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    if not args.keep_results:
        shutil.rmtree(results, ignore_errors=True)


if __name__ == "__main__":
    main()
