"""What every command shares: printing a line, loading the policy, checking output paths.

Private to :mod:`landuse.cli`.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path

import click
import pandas as pd

from landuse import report
from landuse._checks import Lang
from landuse._sinks import terminal_text
from landuse.errors import LanduseError, LanduseWarning
from landuse.policy import Policy, load_policy
from landuse.report import TABLE_SUFFIXES, About
from landuse.schema import Field

__all__ = [
    "TABLE_TYPES",
    "check_outputs",
    "cli_policy",
    "echo",
    "same_file",
    "writable_folder",
    "write_table",
]

#: The types a command writing one table accepts for ``-o``; the format follows the extension.
TABLE_TYPES = TABLE_SUFFIXES


def echo(text: str = "", *, err: bool = False) -> None:
    """Print a line; control characters from the data are shown as visible escapes."""
    click.echo(terminal_text(text), err=err)


def cli_policy(name: str | os.PathLike[str]) -> Policy:
    """Load the ``--policy`` profile; an example profile says so on stderr, once per command.

    The notice is a :class:`~landuse.errors.LanduseWarning`, printed by the command group's
    warning printer (``warning: 示例参数 example values: …``), which prints each text once.
    """
    policy = load_policy(name)
    if policy.example_notice:
        warnings.warn(policy.example_notice, LanduseWarning, stacklevel=2)
    return policy


def same_file(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` name the same file, however they are spelled."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        return a.resolve() == b.resolve()
    except OSError:
        return False


def writable_folder(path: Path) -> None:
    """Raise a LanduseError unless a file can be made in ``path`` (or its first existing parent)."""
    folder = path.absolute()
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        msg = f"cannot write {path}: {folder} is a file, not a folder; choose another path."
        raise LanduseError(msg)
    try:
        fd, probe = tempfile.mkstemp(prefix=".landuse-probe-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        msg = (
            f"cannot write {path}: the folder {folder} is not writable ({exc.strerror}); "
            "choose another output folder."
        )
        raise LanduseError(msg) from None


def check_outputs(
    outputs: Iterable[tuple[str, Path | None, tuple[str, ...]]],
    *,
    inputs: Mapping[str, Path | str | None],
) -> None:
    """Check output files before any analysis: known type, folder writable, not an input.

    ``outputs`` holds ``(option, path, suffixes)``; ``inputs`` maps a name to an input path.
    """
    for option, out, suffixes in outputs:
        if out is None:
            continue
        if suffixes and out.suffix.lower() not in suffixes:
            msg = (
                f"{option} {out}: unknown output type {out.suffix or '(none)'!r}; "
                f"give a file ending in {', '.join(suffixes)}."
            )
            raise LanduseError(msg)
        if out.is_dir():
            msg = f"{option} {out} is a folder; give a file name."
            raise LanduseError(msg)
        for name, given in inputs.items():
            if given is not None and same_file(out, Path(given)):
                msg = (
                    f"refusing to write {option} {out}: it is the input {name} ({given}), which "
                    "would be replaced. Write the output to another file."
                )
                raise LanduseError(msg)
        writable_folder(out.parent)


def write_table(
    table: pd.DataFrame,
    path: Path,
    *,
    sheet: str,
    caller: str,
    lang: Lang = "zh",
    about: About | None = None,
    fields: Mapping[str, Field] | None = None,
    formula_guard: bool = True,
) -> None:
    """Write one table in the format its extension names (checked by :func:`check_outputs`).

    Through the one output layer (:func:`landuse.report.write_table`): Chinese (or English)
    headers and labels, the one Excel style with its 说明 sheet, CSV with BOM and rounded
    numbers, styled GeoPackage layers; atomically.
    """
    report.write_table(
        table,
        path,
        name=sheet,
        lang=lang,
        about=about,
        fields=fields,
        formula_guard=formula_guard,
        caller=caller,
    )
