"""Project files: one or more projects and the supply options to compare, from TOML or CSV.

``landuse supply PROJECT.toml|csv`` reads its input with :func:`read_projects`; so can a
script that evaluates many projects with :func:`landuse.supply.evaluate_supply_options`.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from landuse.errors import SchemaError
from landuse.supply._options import (
    ConventionalGrant,
    FlexibleTerm,
    LeaseThenTransfer,
    MultistoreyUnit,
    Option,
    StandardLand,
)
from landuse.supply._project import Project

__all__ = ["ProjectFile", "read_projects"]

#: Option name (``[options.<name>]``, ``--option``) → its class, in the order they are compared.
_OPTIONS: dict[str, type[Option]] = {
    cls.key: cls
    for cls in (ConventionalGrant, StandardLand, FlexibleTerm, LeaseThenTransfer, MultistoreyUnit)
}
#: The top-level keys a TOML project file may hold.
_TOML_KEYS = ("discount_rate", "options", "policy", "project", "projects", "zone_conditions")


class ProjectFile(NamedTuple):
    """What a project file holds (see :func:`read_projects`)."""

    #: The projects, in file order.
    projects: list[Project]
    #: The options to compare, with the terms the file gives them.
    options: list[Option]
    #: ``discount_rate`` of a TOML file (None: not set; a CSV never sets it).
    discount_rate: float | None
    #: ``policy`` of a TOML file: a profile name or TOML path (None: not set).
    policy: str | None
    #: ``[zone_conditions.<zone_id>]`` tables of a TOML file (None: none).
    zone_conditions: dict[str, dict[str, float]] | None


def read_projects(path: str | os.PathLike[str], *, options: Sequence[str] = ()) -> ProjectFile:
    """Read the projects of a TOML or CSV project file, and the supply options to compare.

    A TOML file holds one ``[project]`` table (or ``[[projects]]`` tables) with the fields of
    :class:`~landuse.supply.Project`, and optionally ``discount_rate``, ``policy`` (a profile
    name or TOML path), ``[options.<name>]`` tables with the terms of an option (e.g.
    ``[options.flexible] years = 30``, ``[options.multistorey] price_yuan_m2 = 3000``) and
    ``[zone_conditions.<zone_id>]`` tables. A CSV (UTF-8 or GB18030) holds one project per
    row, with the Project fields as column names; empty cells are missing values.

    Parameters
    ----------
    path
        A ``.toml`` or ``.csv`` file.
    options
        Names of the options to compare (``conventional``, ``standard_land``, ``flexible``,
        ``lease_then_transfer``, ``multistorey``); each takes the terms of its
        ``[options.<name>]`` table, if any. Default: the options of the file's
        ``[options.<name>]`` tables, or all five.

    Returns
    -------
    ProjectFile
        ``projects`` (a list of :class:`~landuse.supply.Project`), ``options`` (option
        objects ready for :func:`~landuse.supply.evaluate_supply_options`), and the file's
        ``discount_rate``, ``policy`` and ``zone_conditions`` (None where it does not set
        them).

    Raises
    ------
    ValueError
        If ``path`` is neither ``.toml`` nor ``.csv``, or ``options`` names an unknown option.
    landuse.errors.SchemaError
        If the file is not valid TOML, has an unknown key, table or option term, no project,
        or a project (a CSV row, a TOML table) with a missing or wrong field: the message
        names the file, the row or table, and the fix.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "p.toml").write_text('''
    ... discount_rate = 0.05
    ... [project]
    ... name = "电子项目"
    ... industry_code = "39"
    ... floor_area_needed_m2 = 9000
    ... investment_wan = 4000
    ... expected_tax_wan = 300
    ... [options.flexible]
    ... years = 30
    ... ''', encoding="utf-8")
    >>> read = read_projects(folder / "p.toml")
    >>> read.projects[0].name, read.options, read.discount_rate
    ('电子项目', [FlexibleTerm(years=30)], 0.05)
    >>> _ = (folder / "p.csv").write_text(
    ...     "name,industry_code,floor_area_needed_m2,investment_wan,expected_tax_wan\\n"
    ...     "A,39,9000,4000,300\\nB,36,7000,4500,200\\n", encoding="utf-8")
    >>> read = read_projects(folder / "p.csv", options=["conventional", "multistorey"])
    >>> [p.name for p in read.projects], [o.key for o in read.options]
    (['A', 'B'], ['conventional', 'multistorey'])
    """
    path = Path(path)
    unknown = [name for name in options if name not in _OPTIONS]
    if unknown:
        msg = (
            f"read_projects: unknown option(s) {', '.join(map(str, unknown))}; "
            f"options: {', '.join(_OPTIONS)}."
        )
        raise ValueError(msg)
    suffix = path.suffix.lower()
    if suffix == ".toml":
        return _read_toml(path, options)
    if suffix == ".csv":
        rows = _csv_rows(path)
        projects = [_project(path, f"row {i}", row) for i, row in enumerate(rows, start=1)]
        return ProjectFile(projects, _options(path, options, {}), None, None, None)
    msg = f"{path}: give a .toml or .csv file (received a {suffix or 'file without suffix'})."
    raise ValueError(msg)


def _read_toml(path: Path, names: Sequence[str]) -> ProjectFile:
    """The project file ``path`` in TOML: check its keys, build its projects and options."""
    try:
        settings = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        msg = f"{path}: not valid TOML ({exc}); fix the file at that line."
        raise SchemaError(msg) from None
    unknown = sorted(set(settings) - set(_TOML_KEYS))
    if unknown:
        msg = (
            f"{path}: unknown top-level key(s) {', '.join(unknown)}; "
            f"allowed: {', '.join(_TOML_KEYS)}."
        )
        raise SchemaError(msg)
    raw = settings.get("projects", settings.get("project"))
    if raw is None:
        msg = (
            f"{path}: no [project] table (or [[projects]] tables); "
            "add one with the project's fields."
        )
        raise SchemaError(msg)
    if isinstance(raw, Mapping):
        projects = [_project(path, "[project]", raw)]
    elif isinstance(raw, list) and raw:
        projects = [_project(path, f"[[projects]] #{i}", t) for i, t in enumerate(raw, start=1)]
    else:
        msg = (
            f"{path}: `project(s)` must be a [project] table or [[projects]] tables; "
            f"received {raw!r}."
        )
        raise SchemaError(msg)
    terms = _table(path, settings, "options")
    return ProjectFile(
        projects,
        _options(path, names, terms),
        _discount_rate(path, settings.get("discount_rate")),
        _policy(path, settings.get("policy")),
        _table(path, settings, "zone_conditions") or None,
    )


def _csv_rows(path: Path) -> list[dict[str, Any]]:
    """The rows of a CSV project file as field → text, empty cells left out."""
    try:
        frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str)
    except UnicodeDecodeError:
        frame = pd.read_csv(path, encoding="gb18030", dtype=str)
    except pd.errors.EmptyDataError:
        frame = pd.DataFrame()
    fields = [f.name for f in dataclasses.fields(Project)]
    unknown = [str(c) for c in frame.columns if c not in fields]
    if unknown:
        msg = (
            f"{path}: unknown column(s) {', '.join(unknown)}; rename or remove them. The "
            f"columns are fields of Project: {', '.join(fields)}."
        )
        raise SchemaError(msg)
    rows = [{k: v for k, v in r.items() if not pd.isna(v)} for r in frame.to_dict("records")]
    if not rows:
        msg = (
            f"{path}: the CSV has no project rows; give a header of Project fields and one "
            "row per project."
        )
        raise SchemaError(msg)
    return rows


def _project(path: Path, where: str, fields: Any) -> Project:
    """One project from a CSV row or TOML table; an error names the file and the row/table."""
    if not isinstance(fields, Mapping):
        msg = f"{path}, {where}: expected a table of project fields; received {fields!r}."
        raise SchemaError(msg)
    try:
        return Project.from_mapping(fields)
    except (ValueError, TypeError) as exc:
        reason = str(exc).removeprefix("Project.from_mapping: ").removeprefix("Project: ")
        msg = f"{path}, {where}: {reason} Fix this project's fields in the file."
        raise SchemaError(msg) from None


def _table(path: Path, settings: Mapping[str, Any], key: str) -> dict[str, Any]:
    """``[key.<name>]`` tables of a TOML file (empty if none)."""
    value = settings.get(key) or {}
    if not isinstance(value, Mapping):
        bad = [key]
    else:
        bad = [f"{key}.{k}" for k, v in value.items() if not isinstance(v, Mapping)]
    if bad:
        msg = f"{path}: `{key}` must hold [{key}.<name>] tables; {', '.join(bad)} is not a table."
        raise SchemaError(msg)
    return dict(value)


def _options(path: Path, names: Sequence[str], terms: Mapping[str, Any]) -> list[Option]:
    """The options to compare, each with the terms of its ``[options.<name>]`` table."""
    for name in terms:
        if name not in _OPTIONS:
            msg = f"{path}: unknown option [options.{name}]; options: {', '.join(_OPTIONS)}."
            raise SchemaError(msg)
    chosen = list(names) or list(terms) or list(_OPTIONS)
    out: list[Option] = []
    for name in chosen:
        cls = _OPTIONS[name]
        given = dict(terms.get(name) or {})
        valid = {f.name for f in dataclasses.fields(cls)}
        wrong = sorted(set(given) - valid)
        if wrong:
            msg = (
                f"{path}: [options.{name}] has unknown key(s) {', '.join(wrong)}; "
                f"valid: {', '.join(sorted(valid))}."
            )
            raise SchemaError(msg)
        out.append(cls(**given))
    return out


def _discount_rate(path: Path, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        msg = (
            f"{path}: discount_rate must be a number, a fraction per year such as 0.05; "
            f"received {value!r}."
        )
        raise SchemaError(msg)
    return float(value)


def _policy(path: Path, value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    msg = f"{path}: policy must be a profile name or TOML path in quotes; received {value!r}."
    raise SchemaError(msg)
