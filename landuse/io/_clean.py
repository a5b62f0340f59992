"""Checks and repairs behind the readers: field mapping, value coercion, ids, CRS, geometry.

Private: the public entry points are the ``read_*`` functions in :mod:`landuse.io`.
Every check collects all problems of one kind and raises once, naming what is wrong,
what was received (counts and a few ids) and how to fix it.
"""

from __future__ import annotations

import logging
import numbers
import re
import warnings
from collections.abc import Mapping
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from landuse import crs as lcrs
from landuse import schema
from landuse.errors import CRSError, GeometryError, LanduseWarning, SchemaError, format_ids
from landuse.io import _coerce
from landuse.io._hints import Fix, attach, guess_source, looks_like, python_mapping
from landuse.io._report import ReadReport

__all__ = [
    "check_coordinates",
    "check_declared_area",
    "check_ids",
    "check_required",
    "clean_geometry",
    "coerce_values",
    "fill_area",
    "map_columns",
    "polygonal_parts",
    "resolve_crs",
]

log = logging.getLogger("landuse.io")

CoordSystem = Literal["wgs84", "gcj02", "bd09"]
OnInvalid = Literal["raise", "coerce"]
_COORD_SYSTEMS = ("wgs84", "gcj02", "bd09")

# --- columns ----------------------------------------------------------------------------------


def map_columns(
    frame: pd.DataFrame,
    spec: schema.Layer,
    columns: Mapping[str, str] | None,
    report: ReadReport,
    *,
    prefix_match: bool = False,
    units: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Rename source fields to canonical columns and record each unit factor in ``report``.

    Phases: check ``columns=`` and ``units=`` against the data; find candidate fields (exact
    canonical names, then aliases, then, for a shapefile, names cut by the 10-byte DBF limit);
    warn about fields whose unit was cut off; give each canonical column one source field
    (``columns=`` first); rename, noting the unit factors.
    """
    given = dict(columns or {})
    stated = dict(units or {})
    _check_mapping_args(frame, spec, given, stated)
    lookup = _alias_lookup(spec)
    geom_name = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    candidates = _alias_candidates(frame, lookup, given, geom_name)
    if prefix_match:
        candidates += _cut_name_candidates(frame, lookup, candidates, given, geom_name, report)
        _refuse_cut_units(candidates, given, stated, spec)
    cut_units = _warn_cut_units(frame, candidates, given, geom_name, spec, report)
    taken = _assign(candidates, given, report)
    rename = _renames(taken, spec, _units_by_field(stated, taken, frame, spec, report), report)
    _report_unmapped(frame, taken, [geom_name, *cut_units], spec, report)
    clash = [t for t in rename.values() if t in frame.columns and t not in rename]
    if clash:
        frame = frame.drop(columns=clash)
    report.columns = dict(rename)
    if report.columns:
        log.info("%s: fields mapped %s", spec.name, report.columns)
    return frame.rename(columns=rename)


def _check_mapping_args(
    frame: pd.DataFrame, spec: schema.Layer, given: Mapping[str, str], stated: Mapping[str, str]
) -> None:
    """Refuse ``units=`` or ``columns=`` naming absent fields, or mapping onto unknown columns.

    A key of ``units=`` is a source field or a canonical column of the layer.
    """
    missing_units = sorted(
        k for k in stated if k not in frame.columns and k not in spec.column_names
    )
    if missing_units:
        msg = (
            f"`units` names source fields {', '.join(map(repr, missing_units))} that are not in "
            f"the {spec.name} data, nor canonical {spec.name} columns. Fields present: "
            f"{', '.join(map(str, frame.columns))}."
        )
        raise attach(SchemaError(msg), Fix(spec.name, "`units`", options=("units",)))
    unknown = sorted(v for v in given.values() if v not in spec.column_names)
    if unknown:
        msg = (
            f"`columns` maps onto {', '.join(map(repr, unknown))}, which are not canonical "
            f"{spec.name} columns. Valid targets: {', '.join(spec.column_names)}."
        )
        raise attach(SchemaError(msg), Fix(spec.name, "`columns`", options=("columns",)))
    missing_src = sorted(k for k in given if k not in frame.columns)
    if missing_src:
        msg = (
            f"`columns` names source fields {', '.join(map(repr, missing_src))} that are not "
            f"in the {spec.name} data. Fields present: {', '.join(map(str, frame.columns))}."
        )
        raise attach(SchemaError(msg), Fix(spec.name, "`columns`", options=("columns",)))


def _alias_lookup(spec: schema.Layer) -> dict[str, str]:
    """Map each normalised alias (and canonical name) to its canonical column."""
    lookup: dict[str, str] = {}
    for col in spec.columns:
        for alias in (*col.aliases, col.name):
            lookup.setdefault(schema.normalise_key(alias), col.name)
        lookup[schema.normalise_key(col.name)] = col.name
    return lookup


def _alias_candidates(
    frame: pd.DataFrame, lookup: Mapping[str, str], given: Mapping[str, str], geom_name: Any
) -> list[tuple[int, str, str]]:
    """``(rank, source field, column)``: rank 0 for a canonical name, 1 for an alias."""
    candidates: list[tuple[int, str, str]] = []
    for src in frame.columns:
        if src in given or src == geom_name:
            continue
        target = lookup.get(schema.normalise_key(str(src)))
        if target is None:
            continue
        exact = 0 if str(src) == target else 1
        candidates.append((exact, str(src), target))
    return candidates


def _cut_name_candidates(
    frame: pd.DataFrame,
    lookup: Mapping[str, str],
    candidates: list[tuple[int, str, str]],
    given: Mapping[str, str],
    geom_name: Any,
    report: ReadReport,
) -> list[tuple[int, str, str]]:
    """Rank-2 candidates: shapefile names cut at 10 bytes (3 Chinese characters in UTF-8)."""
    matched = {src for _, src, _ in candidates} | set(given)
    found: list[tuple[int, str, str]] = []
    for src in frame.columns:
        key = schema.normalise_key(str(src))
        if src in matched or src == geom_name or len(key) < 3:
            continue
        targets = {t for alias, t in lookup.items() if alias.startswith(key)}
        if len(targets) == 1:
            target = targets.pop()
            found.append((2, str(src), target))
            report.notes.append(f"truncated field {src!r} read as `{target}`")
    return found


def _warn_cut_units(
    frame: pd.DataFrame,
    candidates: list[tuple[int, str, str]],
    given: Mapping[str, str],
    geom_name: Any,
    spec: schema.Layer,
    report: ReadReport,
) -> list[str]:
    """Warn about unmatched fields ending in an unclosed bracket: their unit was cut off.

    Return those fields.
    """
    matched = {src for _, src, _ in candidates} | set(given)
    cut_units = [
        str(src)
        for src in frame.columns
        if src not in matched
        and src != geom_name
        and re.search(r"[\(（\[【][^\)）\]】]*$", str(src))
    ]
    if not cut_units:
        return []
    msg = (
        f"{spec.name}: field(s) {', '.join(map(repr, cut_units))} end in an unclosed bracket, "
        "so their unit was cut off (a shapefile keeps only 10 bytes of a field name); they were "
        "not read. Rename them so the name and unit fit (e.g. '面积(亩)'), or map them with "
        "`columns=` if the values are already in the canonical unit."
    )
    report.notes.append(msg)
    warning = attach(LanduseWarning(msg), Fix(spec.name, "`columns=`", options=("columns",)))
    # _warn_cut_units ← map_columns ← read_layer ← read_<layer> ← the user's line
    warnings.warn(warning, stacklevel=5)
    return cut_units


def _assign(
    candidates: list[tuple[int, str, str]], given: Mapping[str, str], report: ReadReport
) -> dict[str, str]:
    """``{column: source field}``: ``columns=`` first, then candidates by rank, in field order."""
    taken: dict[str, str] = {target: src for src, target in given.items()}
    for _, src, target in sorted(candidates, key=lambda t: t[0]):
        if target in taken:
            if taken[target] != src:
                report.notes.append(
                    f"field {src!r} also looks like `{target}`; kept {taken[target]!r}"
                )
            continue
        taken[target] = src
    return taken


def _units_by_field(
    stated: Mapping[str, str],
    taken: Mapping[str, str],
    frame: pd.DataFrame,
    spec: schema.Layer,
    report: ReadReport,
) -> dict[str, str]:
    """``units=`` keyed by source field (a canonical-column key names the field read as it).

    Refuse a unit the column cannot be converted from (listing the ones it can); warn about a
    key naming a column no field is read as, or a field read as no column.
    """
    by_field: dict[str, str] = {}
    source_of = {src: target for target, src in taken.items()}
    unused: list[str] = []
    for key, unit in stated.items():
        if key in frame.columns:
            src, target = key, source_of.get(key)
        else:
            src, target = taken.get(key), key
        if src is None or target is None:
            unused.append(key)
            continue
        _check_unit(key, unit, spec.column(target), spec)
        by_field[src] = unit
    if unused:
        msg = (
            f"{spec.name}: `units` names {', '.join(map(repr, unused))}, but no field of the "
            "data is read as that column (or the field is read as no column), so the unit was "
            "not used. Map the field with `columns=` as well."
        )
        report.notes.append(msg)
        fix = Fix(spec.name, "`columns=`", options=("columns",))
        fix_units = Fix(spec.name, "`units`", options=("units",))
        # _units_by_field ← map_columns ← read_layer ← read_<layer> ← the user's line
        warnings.warn(attach(LanduseWarning(msg), fix, fix_units), stacklevel=5)
    return by_field


def _check_unit(key: str, unit: str, col: schema.Column, spec: schema.Layer) -> None:
    """Refuse ``unit`` for ``col`` unless landuse converts it; the message lists the units."""
    factors = schema.unit_factors(col)
    wanted = str(unit).strip().lower().replace(" ", "")
    if any(u.lower() == wanted for u in factors):
        return
    if not factors:
        msg = (
            f"`units` gives {key!r} the unit {unit!r}, but `{col.name}` has no unit "
            f"({col.label_zh}); drop it from `units`."
        )
    else:
        msg = (
            f"`units` gives {key!r} the unit {unit!r}, which landuse cannot convert to "
            f"`{col.name}` ({col.unit}). Allowed units: {', '.join(factors)}."
        )
    raise attach(SchemaError(msg), Fix(spec.name, "`units`", options=("units",)))


def _report_unmapped(
    frame: pd.DataFrame,
    taken: Mapping[str, str],
    skip: list[Any],
    spec: schema.Layer,
    report: ReadReport,
) -> None:
    """List the fields read as no column; warn about those that look like a missing column."""
    used = set(taken.values())
    report.unmapped = [
        str(c) for c in frame.columns if c not in used and c not in skip and c not in taken
    ]
    columns: dict[str, str] = {}
    units: dict[str, str] = {}
    found: list[str] = []
    for name in report.unmapped:
        like = looks_like(name, spec)
        if like is None or like[0] in taken or like[0] in columns.values():
            continue
        target, unit = like
        columns[name] = target
        report.lookalikes[name] = target
        col = spec.column(target)
        if unit is not None and schema.unit_factor(unit, col) != 1.0:
            units[target] = unit
        what = f"`{target}` ({col.label_zh}" + (f", in {unit})" if unit else ")")
        found.append(f"{name!r} looks like {what}")
    if not columns:
        return
    python = python_mapping(columns, units)
    choice = [
        t for t in columns.values() if t not in units and schema.has_unit_choice(spec.column(t))
    ]
    unit_note = (
        f" (and state the unit with `units=` if the values of "
        f"{', '.join(f'`{t}`' for t in choice)} are not in "
        f"{', '.join(str(spec.column(t).unit) for t in choice)})"
        if choice
        else ""
    )
    filled = (
        " (land_area_m2 is then taken from the geometry)"
        if "land_area_m2" in columns.values()
        else ""
    )
    msg = (
        f"{spec.name}: {'; '.join(found)}, but its name is not one landuse knows, so it was "
        f"not read{filled}. Map it with {python}{unit_note}."
    )
    # _report_unmapped ← map_columns ← read_layer ← read_<layer> ← the user's line
    fixes = [Fix(spec.name, python, columns, units)]
    if choice:
        fixes.append(Fix(spec.name, "`units=`", options=("units",)))
    warning = attach(LanduseWarning(msg), *fixes)
    warnings.warn(warning, stacklevel=5)


def _renames(
    taken: Mapping[str, str], spec: schema.Layer, stated: Mapping[str, str], report: ReadReport
) -> dict[str, str]:
    """``{source field: column}`` for fields that change name; unit factors into ``report``."""
    rename: dict[str, str] = {}
    for target, src in taken.items():
        col = spec.column(target)
        unit = stated.get(src, schema.split_unit(src)[1])
        factor = schema.unit_factor(unit, col)
        if factor != 1.0:
            report.units[target] = factor
        if src != target:
            rename[src] = target
    return rename


def _refuse_cut_units(
    candidates: list[tuple[int, str, str]],
    given: Mapping[str, str],
    stated: Mapping[str, str],
    spec: schema.Layer,
) -> None:
    """A cut field name (prefix match) whose column has several possible units needs ``units=``.

    Also fields mapped by ``columns=`` onto such a column whose name was cut (no unit in
    brackets and not an alias).
    """
    cut = [(src, target) for rank, src, target in candidates if rank == 2]
    cut += [
        (src, target)
        for src, target in given.items()
        if schema.split_unit(src)[1] is None
        and schema.normalise_key(src)
        not in {schema.normalise_key(a) for a in spec.column(target).aliases}
        and schema.normalise_key(src) != schema.normalise_key(target)
        and any(
            schema.normalise_key(a).startswith(schema.normalise_key(src))
            for a in spec.column(target).aliases
        )
    ]
    unclear = [
        (s, t)
        for s, t in cut
        if s not in stated and t not in stated and schema.has_unit_choice(spec.column(t))
    ]
    if not unclear:
        return
    found = "; ".join(
        f"{s!r} looks like `{t}` (a cut {_first_alias(spec.column(t))}…; {spec.column(t).unit} "
        f"or e.g. {', '.join(_other_units(spec.column(t)))})"
        for s, t in unclear
    )
    example = {s: schema.example_unit(spec.column(t)) for s, t in unclear}
    python = python_mapping({}, example)
    msg = (
        f"{spec.name}: the field name(s) were cut by the shapefile's 10-byte limit before their "
        f"unit, so landuse cannot tell the unit: {found}. State the unit of each with `units=`, "
        f"e.g. {python} (use the canonical unit, e.g. 'm2' or '万元', if the values are "
        "already in it), or save the data as a GeoPackage, which keeps full field names."
    )
    units = {t: schema.example_unit(spec.column(t)) for _, t in unclear}
    raise attach(
        SchemaError(msg),
        Fix(spec.name, python, units=units),
        Fix(spec.name, "`units=`", options=("units",)),
    )


def _first_alias(col: schema.Column) -> str:
    return next((a for a in col.aliases if not a.isascii()), col.name)


def _other_units(col: schema.Column) -> list[str]:
    """A few units of ``col`` that differ from its canonical unit by a factor."""
    factors = schema.unit_factors(col)
    return [u for u, f in factors.items() if f != 1.0 and not u.isascii()][:3] or [
        u for u, f in factors.items() if f != 1.0
    ][:3]


def check_required(
    frame: pd.DataFrame, spec: schema.Layer, source_fields: list[str], report: ReadReport
) -> None:
    """Refuse a layer missing required columns; suggest the field most like each of them."""
    missing = [c for c in spec.required if c not in frame.columns]
    if not missing:
        return
    hints = "; ".join(
        f"`{c}` (also read from: {', '.join(spec.column(c).aliases[:4])})" for c in missing
    )
    free = [f for f in source_fields if f not in report.columns and f not in spec.column_names]
    guesses: dict[str, str] = {}
    for col in missing:
        src = guess_source(spec.column(col), [f for f in free if f not in guesses])
        guesses[src or ("FIELD" if "FIELD" not in guesses else f"FIELD{len(guesses) + 1}")] = col
    python = python_mapping(guesses, {})
    msg = (
        f"{spec.name} are missing required columns: {hints}. Fields received: "
        f"{', '.join(map(str, source_fields)) or '(none)'}. Rename the fields, or map them, "
        f"e.g. {python}."
    )
    raise attach(SchemaError(msg), Fix(spec.name, python, columns=guesses))


_COERCERS = {
    "float": _coerce.to_number,
    "date": _coerce.to_date,
    "str": _coerce.to_text,
}


def coerce_values(
    frame: pd.DataFrame,
    spec: schema.Layer,
    *,
    ids: pd.Series,
    on_invalid: OnInvalid,
    report: ReadReport,
) -> pd.DataFrame:
    problems: list[str] = []
    for col in spec.columns:
        if col.name not in frame.columns:
            continue
        raw = frame[col.name]
        if col.name == "industry_code":
            values, invalid = _coerce.to_industry_code(raw)
        elif col.name == "leading_industry_codes":
            values, invalid = _coerce.to_industry_codes(raw)
        elif col.name == "owner_code":
            values, invalid = _credit_code_text(raw)
        elif col.kind == "category":
            norm = {
                "land_use": schema.normalise_land_use,
                "area_type": schema.normalise_area_type,
                "production_status": schema.normalise_production_status,
            }[col.name]
            if col.name == "land_use":
                raw = _land_use_codes(frame, raw, report)
            values, invalid = _coerce.to_category(raw, norm, col.choices or ())
        elif col.kind == "int":
            values, invalid = _coerce.to_number(raw)
            invalid = invalid | _impossible(values, col.name)
            values = values.mask(invalid)
            frac = values.notna() & (values != np.round(values))
            invalid = invalid | frac
            values = values.where(~frac).round().astype("Int64")
        else:
            values, invalid = _COERCERS[col.kind](raw)
        if col.kind in ("float", "int"):
            invalid = invalid | _impossible(values, col.name)
            values = values.mask(invalid)
        if col.kind == "float" and col.name in report.units:
            values = values * report.units[col.name]
        if invalid.any():
            bad_ids = ids[invalid].tolist()
            examples = ", ".join(repr(v) for v in raw[invalid].astype(str).unique()[:3])
            expected = {
                "float": f"numbers ({_number_rule(col.name)})",
                "date": f"dates ({_coerce.DATE_RULES})",
                "category": f"one of {', '.join(col.choices or ())}",
                "str": "codes",
                "int": "whole numbers",
            }[col.kind if "industry_code" not in col.name else "str"]
            if col.name == "owner_code":
                expected = (
                    "text (credit codes stored as numbers lose their digits after the 15th in "
                    "Excel: format the column as text and re-enter them)"
                )
            problems.append(
                f"`{col.name}`: {int(invalid.sum())} of {len(raw)} values are not {expected} "
                f"(e.g. {examples}; ids {format_ids(bad_ids)})"
            )
            report.coerced[col.name] = bad_ids
        frame[col.name] = values
    if problems:
        msg = f"{spec.name} ({report.source}) have values that cannot be read: " + "; ".join(
            problems
        )
        if on_invalid == "raise":
            msg += ". Fix them in the source, or pass on_invalid='coerce' to treat them as missing."
            raise SchemaError(msg)
        warnings.warn(
            msg + ". They were set to missing (on_invalid='coerce').", LanduseWarning, stacklevel=4
        )
    return frame


def _credit_code_text(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Return credit codes as text; numbers are refused (Excel keeps only 15 digits)."""
    values, invalid = _coerce.to_text(raw)
    numeric = raw.map(lambda v: isinstance(v, numbers.Number) and not isinstance(v, bool))
    numeric = numeric & raw.notna()
    return values.mask(numeric), invalid | numeric.astype(bool)


def _impossible(values: pd.Series, name: str) -> pd.Series:
    """Infinite numbers anywhere; negative areas; a zero land area."""
    num = pd.to_numeric(values, errors="coerce").astype("float64")
    bad = np.isinf(num)
    if name.endswith(("_m2", "_mu")):
        bad = bad | (num < 0)
    if name == "land_area_m2":
        bad = bad | (num == 0)
    return pd.Series(bad, index=values.index).fillna(False).astype(bool)


def _number_rule(name: str) -> str:
    if name == "land_area_m2":
        return "finite, above 0"
    if name.endswith(("_m2", "_mu")):
        return "finite, 0 or more"
    return "finite"


def _land_use_codes(frame: pd.DataFrame, raw: pd.Series, report: ReadReport) -> pd.Series:
    """Keep the canonical code in ``land_use_code``; warn once about unknown codes."""
    text = _coerce.to_text(raw)[0]
    # each distinct code is normalised once (a layer holds few codes and many rows)
    canonical = {v: schema.normalise_land_use_code(v) for v in text.dropna().unique()}
    codes = text.map(canonical)
    if "land_use_code" not in frame.columns:
        frame["land_use_code"] = pd.Series(codes.astype(object), index=raw.index, dtype="str")
        raw = frame["land_use_code"]
    counts = codes.dropna().value_counts()
    unknown = {str(c): int(n) for c, n in counts.items() if schema.is_unknown_land_use_code(str(c))}
    if unknown:
        report.unknown_codes = dict(sorted(unknown.items(), key=lambda kv: (-kv[1], kv[0])))
        listed = ", ".join(f"{c!r} ({n})" for c, n in report.unknown_codes.items())
        warnings.warn(
            f"{report.layer} ({report.source}): {len(unknown)} unknown land-use codes "
            f"({sum(unknown.values())} rows) read as 'other': {listed}. landuse knows GB/T "
            "21010, the 2023 用地用海 classes and GB 50137 letters; fix the codes, or map them to industrial / logistics / commercial / "
            "residential / other before reading.",
            LanduseWarning,
            stacklevel=5,
        )
    return raw


def check_ids(frame: pd.DataFrame, spec: schema.Layer, report: ReadReport) -> None:
    keys = [spec.id_column] if spec.id_column else list(spec.unique)
    if not keys:
        return
    label = " + ".join(f"`{k}`" for k in keys)
    null = frame[keys].isna().any(axis=1)
    if null.any():
        rows = frame.index[null].tolist()
        msg = (
            f"{spec.name} ({report.source}): {int(null.sum())} of {len(frame)} rows have no {label} "
            f"(rows {format_ids(rows)}). Every row needs one; fill them or drop those rows."
        )
        raise SchemaError(msg)
    dup = frame.duplicated(keys, keep=False)
    if dup.any():
        values = frame.loc[dup, keys].drop_duplicates()
        shown = [" / ".join(map(str, row)) for row in values.itertuples(index=False)]
        msg = (
            f"{spec.name} ({report.source}): {label} must be unique, but {len(values)} values occur "
            f"more than once ({int(dup.sum())} rows): {format_ids(shown)}. Remove the duplicates "
            "or give them distinct ids."
        )
        raise SchemaError(msg)


# --- CRS --------------------------------------------------------------------------------------


def resolve_crs(
    gdf: gpd.GeoDataFrame,
    spec: schema.Layer,
    *,
    crs: Any,
    source_crs: Any,
    coord_system: CoordSystem,
    report: ReadReport,
) -> gpd.GeoDataFrame:

    if coord_system not in _COORD_SYSTEMS:
        msg = (
            f"`coord_system` must be one of {', '.join(_COORD_SYSTEMS)}; received {coord_system!r}."
        )
        raise ValueError(msg)
    explicit = crs not in ("auto", "equal-area", None)
    if source_crs is not None:
        new = CRS.from_user_input(source_crs)
        if gdf.crs is not None and not CRS.from_user_input(gdf.crs).equals(new):
            warnings.warn(
                f"{spec.name}: the file declares {lcrs.crs_label(gdf.crs)}, but source_crs="
                f"{lcrs.crs_label(new)} was given; using source_crs.",
                LanduseWarning,
                stacklevel=4,
            )
        gdf = gdf.set_crs(new, allow_override=True)
    elif gdf.crs is None:
        prefix = lcrs.detect_zone_prefix(gdf)
        if explicit and prefix is None:
            gdf = gdf.set_crs(CRS.from_user_input(crs))
            report.notes.append(
                f"no CRS in the source; taken to be crs={lcrs.crs_label(gdf.crs)} as given"
            )
        else:
            # raises with a suggestion for zone-prefixed eastings
            lcrs.fix_zone_prefix(gdf, name=spec.name, caller=f"read_{spec.name}")
            minx, miny, maxx, maxy = gdf.total_bounds
            guess = (
                "the coordinates look like longitude/latitude, e.g. source_crs='EPSG:4490' (CGCS2000)"
                " or 'EPSG:4326' (WGS84)"
                if -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90
                else "e.g. source_crs='EPSG:4549' (CGCS2000 / 3-degree Gauss-Kruger CM 120E)"
            )
            msg = (
                f"{spec.name} ({report.source}) have no CRS (no .prj or CRS definition); bounds "
                f"are x {minx:.6g}…{maxx:.6g}, y {miny:.6g}…{maxy:.6g}. Say what they are with "
                f"`source_crs=`: {guess}."
            )
            raise CRSError(msg)
    report.crs_source = lcrs.crs_label(gdf.crs)
    source = CRS.from_user_input(gdf.crs)
    if source.is_geographic and len(gdf):
        minx, miny, maxx, maxy = gdf.total_bounds
        if not (-180.5 <= minx <= maxx <= 360.5 and -90.5 <= miny <= maxy <= 90.5):
            msg = (
                f"{spec.name} ({report.source}) declare the geographic CRS {lcrs.crs_label(source)}, "
                f"but coordinates reach x {maxx:.6g}, y {maxy:.6g}, which are not degrees: the .prj "
                "is probably wrong. Pass the real CRS with `source_crs=` (e.g. 'EPSG:4549')."
            )
            raise CRSError(msg)
    else:
        gdf = lcrs.fix_zone_prefix(gdf, name=spec.name, caller=f"read_{spec.name}")
    if coord_system != "wgs84":
        if not CRS.from_user_input(gdf.crs).is_geographic:
            msg = (
                f"coord_system={coord_system!r} means longitude/latitude from a web map, but "
                f"{spec.name} are in the projected {lcrs.crs_label(gdf.crs)}. Drop coord_system, "
                "or give the lon/lat data."
            )
            raise CRSError(msg)
        convert = lcrs.gcj02_to_wgs84 if coord_system == "gcj02" else lcrs.bd09_to_wgs84
        gdf = convert(gdf)
        report.coord_system = coord_system
    # "auto", "equal-area", None or a CRS; checked for scale at the data (landuse.crs.target_crs)
    target = lcrs.target_crs(gdf, crs=crs, name=spec.name, caller=f"read_{spec.name}")
    if not CRS.from_user_input(gdf.crs).equals(target):
        gdf = gdf.to_crs(target)
    report.crs = lcrs.crs_label(gdf.crs)
    log.info("%s: CRS %s → %s", spec.name, report.crs_source, report.crs)
    return gdf


# --- geometry ---------------------------------------------------------------------------------


#: No CRS in metres or degrees has coordinates this large (zone-prefixed Gauss-Krüger
#: eastings reach ~4.5e7 m); beyond it a file is corrupt or in a wrong unit.
MAX_COORDINATE = 1e9
_COORD_CHUNK = 100_000


def check_coordinates(
    gdf: gpd.GeoDataFrame, spec: schema.Layer, *, ids: pd.Series, report: ReadReport
) -> None:
    """Refuse layers with no geometry at all, non-finite coordinates, or absurd magnitudes."""
    raw = np.asarray(gdf.geometry.array, dtype=object)
    missing = shapely.is_missing(raw) | shapely.is_empty(raw)
    if missing.all():
        msg = (
            f"none of the {len(raw)} {spec.name} ({report.source}) has a geometry: every "
            "feature's geometry is missing or empty. Give the layer that holds the shapes (a "
            "table exported without geometry has none)."
        )
        raise GeometryError(msg)
    non_finite = np.zeros(len(raw), dtype=bool)
    huge = np.zeros(len(raw), dtype=bool)
    for start in range(0, len(raw), _COORD_CHUNK):  # bounded memory on large layers
        coords, owner = shapely.get_coordinates(
            raw[start : start + _COORD_CHUNK], return_index=True
        )
        owner = owner + start
        finite = np.isfinite(coords).all(axis=1)
        non_finite[owner[~finite]] = True
        huge[owner[finite & (np.abs(coords) > MAX_COORDINATE).any(axis=1)]] = True
    bad_rows = {
        "non-finite coordinates (NaN or infinity)": non_finite,
        f"coordinates beyond {MAX_COORDINATE:.0e} (no CRS in metres or degrees reaches that)": huge,
    }
    problems = []
    for what, rows in bad_rows.items():
        if rows.any():
            problems.append(
                f"{int(rows.sum())} of {len(raw)} geometries have {what} "
                f"(ids {format_ids(ids[rows].tolist())})"
            )
    if problems:
        msg = (
            f"{spec.name} ({report.source}): " + "; ".join(problems) + ". The file is probably "
            "damaged or was exported in a wrong unit; fix or drop those features in the source."
        )
        raise GeometryError(msg)


def clean_geometry(
    gdf: gpd.GeoDataFrame, spec: schema.Layer, *, ids: pd.Series, repair: bool, report: ReadReport
) -> gpd.GeoDataFrame:
    geoms = gdf.geometry.array
    raw = np.asarray(geoms, dtype=object)
    missing = shapely.is_missing(raw) | shapely.is_empty(raw)
    type_ids = shapely.get_type_id(raw)
    polygonal = np.isin(type_ids, (3, 6))  # Polygon, MultiPolygon
    collection = type_ids == 7
    if collection.any():
        parts = shapely.get_parts(raw[collection], return_index=True)
        keep = np.isin(shapely.get_type_id(parts[0]), (3, 6))
        has_poly = np.zeros(collection.sum(), dtype=bool)
        has_poly[np.unique(parts[1][keep])] = True
        polygonal[np.flatnonzero(collection)[has_poly]] = True
    wrong = ~missing & ~polygonal
    if wrong.any():
        names = pd.Series(shapely.get_type_id(raw[wrong])).map(
            {
                0: "Point",
                1: "LineString",
                2: "LinearRing",
                4: "MultiPoint",
                5: "MultiLineString",
                7: "GeometryCollection",
            }
        )
        counts = ", ".join(f"{n} {t}" for t, n in names.value_counts().items())
        msg = (
            f"{spec.name} must be polygons, but {int(wrong.sum())} of {len(raw)} features are not "
            f"({counts}; ids {format_ids(ids[wrong].tolist())}). Give the polygon layer "
            "(e.g. the parcel boundaries, not their centroids or outlines)."
        )
        raise GeometryError(msg)
    invalid = ~missing & ~shapely.is_valid(raw)
    needs = invalid | collection
    fixed = raw.copy()
    if invalid.any() and not repair:
        reasons = shapely.is_valid_reason(raw[invalid])
        msg = (
            f"{spec.name}: {int(invalid.sum())} of {len(raw)} geometries are invalid "
            f"(ids {format_ids(ids[invalid].tolist())}; first: {reasons[0]}). Pass repair=True "
            "to fix them with make_valid, or fix them in the source."
        )
        raise GeometryError(msg)
    if needs.any():
        made = shapely.make_valid(raw[needs]) if invalid.any() else raw[needs]
        fixed[needs] = polygonal_parts(made)
    after_empty = shapely.is_missing(fixed) | shapely.is_empty(fixed)
    if invalid.any():
        report.repaired = ids[invalid & ~after_empty].tolist()
        if report.repaired:
            warnings.warn(
                f"{spec.name}: repaired {len(report.repaired)} invalid geometries with make_valid "
                f"(ids {format_ids(report.repaired)}); only their polygonal parts are kept.",
                LanduseWarning,
                stacklevel=4,
            )
    drop = after_empty
    if drop.any():
        report.dropped = ids[drop].tolist()
        warnings.warn(
            f"{spec.name}: dropped {int(drop.sum())} of {len(raw)} features with empty or missing "
            f"geometry (ids {format_ids(report.dropped)}).",
            LanduseWarning,
            stacklevel=4,
        )
    out = gdf.copy()
    out[gdf.geometry.name] = gpd.GeoSeries(fixed, index=gdf.index, crs=gdf.crs)
    out = out.loc[~drop]
    if out.empty:
        msg = f"{spec.name} ({report.source}) have no features with a usable geometry."
        raise GeometryError(msg)
    return out


def polygonal_parts(geoms: np.ndarray) -> np.ndarray:
    """Keep only the polygons of each geometry: a Polygon, a MultiPolygon, or None if none.

    Shared by the readers and :mod:`landuse.io.osm`. A geometry with no polygonal part (e.g. a
    zero-area triangle that ``make_valid`` collapses to a line) gives None, wherever it is.

    Examples
    --------
    >>> line_and_box = shapely.GeometryCollection([shapely.LineString([(0, 0), (1, 0)]),
    ...     shapely.box(0, 0, 1, 1)])
    >>> [None if g is None else g.geom_type for g in polygonal_parts(np.array(
    ...     [shapely.LineString([(0, 0), (1, 0)]), line_and_box], dtype=object))]
    [None, 'Polygon']
    """
    parts, index = shapely.get_parts(geoms, return_index=True)
    # MultiPolygons inside collections: flatten once more
    sub, sub_idx = shapely.get_parts(parts, return_index=True)
    index = index[sub_idx]
    polygon = shapely.get_type_id(sub) == 3
    sub, index = sub[polygon], index[polygon]
    out = np.full(len(geoms), None, dtype=object)
    if len(sub):
        # out= keeps positions with no polygon as None (without it shapely refuses the gaps)
        shapely.multipolygons(sub, indices=index, out=out)
        single = np.bincount(index, minlength=len(geoms)) == 1
        out[single] = shapely.get_geometry(out[single], 0)
    return out


def check_declared_area(
    gdf: gpd.GeoDataFrame, spec: schema.Layer, *, factor: float | None, report: ReadReport
) -> None:
    """Warn where ``land_area_m2`` differs from the geometry area by more than ``factor``."""
    if factor is None or "land_area_m2" not in gdf.columns:
        return
    if not (isinstance(factor, (int, float)) and factor > 1):
        msg = f"`area_check_factor` must be a number above 1 or None; received {factor!r}."
        raise ValueError(msg)
    if not CRS.from_user_input(gdf.crs).is_projected:
        return
    declared = gdf["land_area_m2"].to_numpy(dtype=float, na_value=np.nan)
    drawn = shapely.area(np.asarray(gdf.geometry.array, dtype=object))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = declared / drawn
    off = (ratio > factor) | (ratio < 1 / factor)
    if not off.any():
        return
    id_col = spec.id_column or "proposal_id"
    report.area_mismatch = gdf.loc[off, id_col].tolist()
    worst = np.nanmax(np.maximum(ratio[off], 1 / ratio[off]))
    msg = (
        f"{int(off.sum())} of {len(gdf)} {spec.name} declare a land_area_m2 more than "
        f"{factor:g}× (or less than 1/{factor:g} of) their geometry area (ids "
        f"{format_ids(report.area_mismatch)}; worst ×{worst:.4g}). A ratio near 666.7 means "
        "亩 read as m², near 10,000 公顷; check the area field's unit (`units=`) or the shapes. "
        "The values were kept. (area_check_factor=None turns this check off.)"
    )
    report.notes.append(msg)
    warnings.warn(msg, LanduseWarning, stacklevel=4)


def fill_area(gdf: gpd.GeoDataFrame, report: ReadReport) -> gpd.GeoDataFrame:
    if not CRS.from_user_input(gdf.crs).is_projected:
        report.notes.append("land_area_m2 not filled from geometry: the CRS is not projected")
        return gdf
    area = gdf.geometry.area
    if "land_area_m2" not in gdf.columns:
        gdf["land_area_m2"] = area.astype("float64")
        report.notes.append("land_area_m2 taken from the geometry area (no area field)")
        return gdf
    empty = gdf["land_area_m2"].isna()
    if empty.any():
        id_col = "parcel_id" if "parcel_id" in gdf.columns else "proposal_id"
        report.filled_area = gdf.loc[empty, id_col].tolist()
        gdf.loc[empty, "land_area_m2"] = area[empty]
    return gdf
