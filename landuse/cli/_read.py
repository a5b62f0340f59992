"""How a command reads its input files: ``--layer``, ``--columns`` and ``--units``, one rule.

Private to :mod:`landuse.cli`. THE RULE, the same in every command that reads a layer:

* ``--layer NAME``, ``--columns SOURCE=COLUMN`` and ``--units COLUMN=UNIT`` are for the
  command's main input (its file argument: PARCELS, PROPOSALS, STATS, SOURCE; in
  ``landuse map``, ``--parcels``, or ``--zones`` when no parcels are given);
* for another input, put its option name and a colon in front: ``--layer zones:园区``,
  ``--columns zones:宗地编号=zone_id``, ``--units buildings:floor_area_m2=万平方米``;
* each option can be repeated.

The readers' suggestions (``columns={'宗地编号': 'zone_id'}``) travel on their errors and
warnings as ``landuse_fixes``; :func:`cli_text` re-words them as these options, with the
prefix of the input they are about, for the one error handler (:mod:`landuse.cli`).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import pandas as pd

from landuse import schema
from landuse.assessment import INDICATORS, TARGET_COLUMNS
from landuse.errors import LanduseError

__all__ = ["META_KEY", "Input", "ReadPlan", "cli_text", "read_plan", "read_targets", "render_fix"]

#: Key in ``click.Context.meta`` of ``{canonical layer: option prefix}`` of the command run.
META_KEY = "landuse.read_prefixes"
_PLACEHOLDER = {"layer": "NAME", "columns": "SOURCE=COLUMN", "units": "COLUMN=UNIT"}
_SHELL_SPECIAL = re.compile(r"[\s'\"\\$`!*?&;|<>(){}\[\]#~]")


@dataclass(frozen=True)
class Input:
    """One input of a command: its prefix (``""`` for the main input), how it is given, its layer."""

    prefix: str
    given_as: str
    spec: schema.Layer
    path: Path | None


@dataclass
class ReadPlan:
    """The reader keywords of each input, by prefix (``""``: the main input)."""

    inputs: dict[str, Input]
    layer: dict[str, str] = field(default_factory=dict)
    columns: dict[str, dict[str, str]] = field(default_factory=dict)
    units: dict[str, dict[str, str]] = field(default_factory=dict)

    def kwargs(self, *prefixes: str) -> dict[str, Any]:
        """``layer=``, ``columns=`` and ``units=`` for the input of ``prefixes`` (default main).

        Several prefixes naming one input (``landuse map --zones`` alone: none and ``zones``)
        are merged.
        """
        names = prefixes or ("",)
        columns = {k: v for p in names for k, v in self.columns.get(p, {}).items()}
        units = {k: v for p in names for k, v in self.units.get(p, {}).items()}
        layer = next((self.layer[p] for p in names if p in self.layer), None)
        return {"layer": layer, "columns": columns or None, "units": units or None}


def _split_prefix(value: str, inputs: Mapping[str, Input]) -> tuple[str, str]:
    """``("zones", "宗地编号=zone_id")`` for ``zones:宗地编号=zone_id``; ``""`` for the main."""
    head, sep, rest = value.partition(":")
    if sep and head in inputs and head:
        return head, rest
    return "", value


def _pair(option: str, value: str, example: str) -> tuple[str, str]:
    left, sep, right = value.rpartition("=")
    if not sep or not left.strip() or not right.strip():
        msg = f"{value!r}: give {_PLACEHOLDER[option[2:]]}, e.g. {option} {example}."
        raise click.BadParameter(msg, param_hint=option)
    return left.strip(), right.strip()


def _input_for(option: str, value: str, inputs: Mapping[str, Input]) -> tuple[str, str, Input]:
    prefix, rest = _split_prefix(value, inputs)
    if prefix not in inputs:
        others = ", ".join(f"{p}:" for p in inputs if p) or "none"
        msg = f"{value!r}: this command has no main input to apply it to (prefixes: {others})."
        raise click.BadParameter(msg, param_hint=option)
    item = inputs[prefix]
    if item.path is None:
        msg = f"{value!r} is for {item.given_as}, which was not given."
        raise click.BadParameter(msg, param_hint=option)
    return prefix, rest, item


def _check_target(option: str, value: str, column: str, item: Input) -> schema.Column:
    if column not in item.spec.column_names:
        msg = (
            f"{value!r}: `{column}` is not a canonical column of the {item.spec.name} "
            f"({item.given_as}). Columns: {', '.join(item.spec.column_names)}."
        )
        raise click.BadParameter(msg, param_hint=option)
    return item.spec.column(column)


def _check_unit(value: str, unit: str, col: schema.Column) -> None:
    factors = schema.unit_factors(col)
    if any(u.lower() == unit.lower().replace(" ", "") for u in factors):
        return
    allowed = ", ".join(factors) if factors else "none: the column has no unit"
    msg = (
        f"{value!r}: landuse cannot convert {unit!r} to `{col.name}` "
        f"({col.unit or 'no unit'}). Allowed units: {allowed}."
    )
    raise click.BadParameter(msg, param_hint="--units")


def read_plan(
    inputs: Iterable[Input],
    *,
    layers: Iterable[str] = (),
    columns: Iterable[str] = (),
    units: Iterable[str] = (),
) -> ReadPlan:
    """Parse ``--layer``, ``--columns`` and ``--units`` by THE RULE; check them before reading.

    Also records ``{canonical layer: prefix}`` in the click context, for :func:`cli_text`.
    """
    by_prefix = {i.prefix: i for i in inputs}
    plan = ReadPlan(by_prefix)
    for value in layers:
        prefix, name, _ = _input_for("--layer", value, by_prefix)
        if not name:
            msg = f"{value!r} names no layer."
            raise click.BadParameter(msg, param_hint="--layer")
        plan.layer[prefix] = name
    for value in columns:
        prefix, rest, item = _input_for("--columns", value, by_prefix)
        source, column = _pair("--columns", rest, "面积亩=land_area_m2")
        _check_target("--columns", value, column, item)
        plan.columns.setdefault(prefix, {})[source] = column
    for value in units:
        prefix, rest, item = _input_for("--units", value, by_prefix)
        key, unit = _pair("--units", rest, "land_area_m2=亩")
        if key in item.spec.column_names:
            _check_unit(value, unit, item.spec.column(key))
        # else a source field (a name cut by the shapefile limit): the reader checks it
        plan.units.setdefault(prefix, {})[key] = unit
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ordered = sorted(by_prefix.values(), key=lambda i: i.prefix == "")  # the main one wins
        ctx.meta[META_KEY] = {i.spec.name: f"{i.prefix}:" if i.prefix else "" for i in ordered}
    return plan


def _arg(text: str) -> str:
    """``text`` as one shell word: quoted only when the shell would split or expand it."""
    return shlex.quote(text) if _SHELL_SPECIAL.search(text) else text


def render_fix(fix: Any, prefix: str = "") -> str:
    """Write a reader's suggestion (a ``Fix`` of ``landuse.io``) as the CLI options.

    Examples
    --------
    >>> from types import SimpleNamespace as Fix
    >>> render_fix(Fix(columns={"面积亩": "land_area_m2"}, units={"land_area_m2": "亩"}))
    '--columns 面积亩=land_area_m2 --units land_area_m2=亩'
    >>> render_fix(Fix(python="`layer=`", columns={}, units={}, options=("layer",)), "zones:")
    '`--layer zones:NAME`'
    """
    words = [f"--columns {_arg(f'{prefix}{s}={c}')}" for s, c in fix.columns.items()]
    words += [f"--units {_arg(f'{prefix}{k}={u}')}" for k, u in fix.units.items()]
    if words:
        return " ".join(words)
    bare = not fix.python.rstrip("`").endswith("=")
    return " or ".join(
        f"`--{o}`" if bare else f"`--{o} {prefix}{_PLACEHOLDER.get(o, 'VALUE')}`"
        for o in fix.options
    )


def cli_text(obj: object, text: str, meta: Mapping[str, Any]) -> str:
    """``text`` (an error's or warning's) with each reader suggestion as the CLI options."""
    prefixes = meta.get(META_KEY, {})
    for fix in getattr(obj, "landuse_fixes", ()):
        text = text.replace(fix.python, render_fix(fix, prefixes.get(fix.layer, "")))
    return text


def read_targets(value: str | None) -> pd.DataFrame | str | None:
    """Read --targets: creation_conditions, or a table with canonical or catalogue headers."""
    if value is None or value == "creation_conditions":
        return value
    path = Path(value)
    if not path.is_file():
        msg = (
            f"--targets {value}: no such file; give a CSV or Excel table of per-zone targets or "
            "the word creation_conditions."
        )
        raise LanduseError(msg)
    # read as text (zone ids keep their leading zeros), then the targets as numbers
    if path.suffix.lower() in (".xlsx", ".xls"):
        table = pd.read_excel(path, dtype=str)
    else:
        table = pd.read_csv(path, encoding="utf-8-sig", dtype=str)
    # headers as the ranking shows them (主营业务收入（万元）) or canonical names (revenue_wan); a
    # unit in brackets must be the indicator's own (targets are never converted silently)
    names: dict[str, tuple[str, set[str]]] = {}
    for ind in INDICATORS:
        for label in (ind.label_zh, ind.label_en, ind.column):
            names[label] = (ind.column, {ind.unit})  # the unit as the ranking states it: 万元
    for column in ("zone_id", "year", *TARGET_COLUMNS):
        for label in (schema.field_info(column).zh, schema.field_info(column).en, column):
            names.setdefault(label, (column, set()))
    renamed = {}
    for header in map(str, table.columns):
        base, unit = schema.split_unit(header)
        column, units = names.get(base, (base, set()))
        if unit is not None and units and unit not in units:
            msg = (
                f"--targets {value}: column {header!r} is in {unit!r}, but the targets of "
                f"`{column}` are compared in {sorted(units)[0]!r}; convert the column or rename it."
            )
            raise LanduseError(msg)
        renamed[header] = column
    table = table.rename(columns=lambda c: renamed[str(c)])
    for column in table.columns:
        if column == "zone_id":
            continue
        numbers = pd.to_numeric(table[column], errors="coerce")
        bad = numbers.isna() & table[column].notna()
        if bad.any():
            shown = ", ".join(repr(v) for v in table[column][bad].head(3))
            msg = (
                f"--targets {value}: column `{column}` holds {int(bad.sum())} value(s) that are "
                f"not numbers ({shown}); targets must be numbers."
            )
            raise LanduseError(msg)
        table[column] = numbers
    return table
