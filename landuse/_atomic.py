"""Atomic file writes: write beside the target, move into place only on success.

:func:`atomic_path` covers one file; :func:`atomic_paths` covers a command writing several
(``landuse check -o a.gpkg -o a.csv -o a.xlsx``): all of them are written under temporary
names first and moved into place only when every one succeeded, so a failure (or Ctrl-C)
leaves the previous outputs as they were, never a mix of old and new.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_path", "atomic_paths"]


@contextmanager
def atomic_path(path: str | os.PathLike[str], *, keep_existing: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; replace ``path`` with it if the block succeeds.

    By default the temporary file does not exist when the block starts (drivers that refuse
    to overwrite are happy). With ``keep_existing=True`` it starts as a copy of ``path`` when
    that exists, so the block can change a file in place (replace one layer of a GeoPackage)
    and still leave the original untouched on failure. On any exception, including
    KeyboardInterrupt, the temporary file is removed and ``path`` keeps its previous content.

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "a.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("done")
    >>> target.read_text()
    'done'
    >>> with atomic_path(target, keep_existing=True) as tmp:
    ...     _ = tmp.write_text(tmp.read_text() + " twice")
    >>> target.read_text()
    'done twice'
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    tmp.unlink()
    try:
        if keep_existing and target.is_file():
            shutil.copyfile(target, tmp)
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


@contextmanager
def atomic_paths(
    *paths: str | os.PathLike[str], keep_existing: tuple[str, ...] = ()
) -> Iterator[list[Path]]:
    """Yield one temporary path per output; move them all into place only if the block succeeds.

    Each temporary path lies in a hidden staging folder beside its target and has the
    target's file name, so a writer that adds side files next to its output (``a.csv`` and
    ``a_summary.csv``) adds them to the staging folder too; every file found there is moved
    into place after the block. On any exception (including KeyboardInterrupt) nothing is
    moved: every old output stays as it was, and the staging folders are removed.

    The moves themselves are one ``os.replace`` per file, done one after another once all
    files are complete; only an interruption in those few microseconds can leave a mix.

    Parameters
    ----------
    *paths
        The outputs. The same path given twice gets the same temporary path.
    keep_existing
        File suffixes (``(".gpkg",)``) whose temporary file starts as a copy of an existing
        target, for writers that change a file in place (add or replace one layer).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with atomic_paths(folder / "a.txt", folder / "b.txt") as (a, b):
    ...     _ = a.write_text("A")
    ...     _ = b.write_text("B")
    >>> sorted(p.name for p in folder.iterdir())
    ['a.txt', 'b.txt']
    >>> try:
    ...     with atomic_paths(folder / "a.txt", folder / "b.txt") as (a, b):
    ...         _ = a.write_text("new A")
    ...         raise OSError("disk full")
    ... except OSError:
    ...     pass
    >>> (folder / "a.txt").read_text(), sorted(p.name for p in folder.iterdir())
    ('A', ['a.txt', 'b.txt'])
    """
    targets = [Path(p).absolute() for p in paths]
    stages: dict[Path, Path] = {}
    try:
        temps: list[Path] = []
        for target in targets:
            parent = target.parent
            if parent not in stages:
                parent.mkdir(parents=True, exist_ok=True)
                stages[parent] = Path(tempfile.mkdtemp(prefix=".landuse-", dir=parent))
            tmp = stages[parent] / target.name
            if target.suffix.lower() in keep_existing and target.is_file() and not tmp.exists():
                shutil.copyfile(target, tmp)
            temps.append(tmp)
        yield temps
        for parent, stage in stages.items():
            for done in sorted(stage.iterdir()):
                os.replace(done, parent / done.name)
    finally:
        for stage in stages.values():
            shutil.rmtree(stage, ignore_errors=True)
