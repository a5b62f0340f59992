"""Fixes the readers suggest, carried on their errors and warnings for the CLI to re-word.

A reader's message suggests what the caller can pass, in Python (``columns={'宗地编号':
'zone_id'}``). The same message reaches ``landuse`` command users, who pass ``--columns``
instead. So the reader attaches each suggestion as a :class:`Fix` to the exception or warning
(``obj.landuse_fixes``): the exact Python text in the message plus the mapping it stands for.
The ``landuse`` command's one error handler replaces that text with the CLI options
(:mod:`landuse.cli`); Python callers see the message unchanged.

Also here: the guesses behind the suggestions (which source field most likely holds a missing
column, which unmapped field looks like a canonical one).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from landuse import schema

__all__ = ["Fix", "attach", "guess_source", "looks_like", "python_mapping"]

_T = TypeVar("_T", bound=BaseException | Warning)
#: Unit suffixes of canonical names (``land_area_m2`` is ``land_area`` in m²).
_UNIT_SUFFIXES = ("_per_mu", "_m2", "_wan", "_mu", "_tce", "_t", "_m")


@dataclass(frozen=True)
class Fix:
    """One suggestion in a reader's message, as Python text and as the mapping it stands for.

    Attributes
    ----------
    layer
        Canonical layer of the reader (``"parcels"``): which input the fix is for.
    python
        The exact text of the suggestion in the message, e.g. ``columns={'宗地编号': 'zone_id'}``.
    columns
        ``{source field: canonical column}`` suggested.
    units
        ``{canonical column or source field: unit}`` suggested.
    options
        Reader keywords named without a value (``("layer",)`` for "pass `layer=`").
    """

    layer: str
    python: str
    columns: Mapping[str, str] = field(default_factory=dict)
    units: Mapping[str, str] = field(default_factory=dict)
    options: tuple[str, ...] = ()


def python_mapping(columns: Mapping[str, str], units: Mapping[str, str]) -> str:
    """Write a suggested mapping as Python text, e.g. ``columns={'面积亩': 'land_area_m2'}``.

    Examples
    --------
    >>> python_mapping({"面积亩": "land_area_m2"}, {"land_area_m2": "亩"})
    "columns={'面积亩': 'land_area_m2'}, units={'land_area_m2': '亩'}"
    """
    parts = []
    if columns:
        parts.append(f"columns={dict(columns)!r}")
    if units:
        parts.append(f"units={dict(units)!r}")
    return ", ".join(parts)


def attach(obj: _T, *fixes: Fix) -> _T:
    """Attach ``fixes`` to an exception or warning (``obj.landuse_fixes``) and return it."""
    obj.landuse_fixes = (*getattr(obj, "landuse_fixes", ()), *fixes)  # type: ignore[union-attr]
    return obj


def _keys(col: schema.Column) -> list[str]:
    """Normalised names of ``col``: its aliases, its name, its name without the unit suffix."""
    keys = [schema.normalise_key(a) for a in (*col.aliases, col.name)]
    for suffix in _UNIT_SUFFIXES:
        if col.name.endswith(suffix):
            keys.append(schema.normalise_key(col.name.removesuffix(suffix)))
            break
    return [k for k in dict.fromkeys(keys) if k]


def looks_like(name: str, spec: schema.Layer) -> tuple[str, str | None] | None:
    """Return the canonical column an unmapped field looks like, and the unit it ends in.

    A field looks like a column when its normalised name, once a unit of the column written
    without brackets is stripped from its end, is an alias of the column (``面积亩`` →
    ``面积`` + 亩 → ``land_area_m2``), or when it starts with a Chinese alias (two characters
    or more) or an English one (four letters or more): ``税收2021`` → ``tax_wan``. ``None``
    when nothing fits; the longest alias wins.

    Examples
    --------
    >>> looks_like("面积亩", schema.PARCELS)
    ('land_area_m2', '亩')
    >>> looks_like("备注", schema.PARCELS) is None
    True
    """
    key = schema.normalise_key(name)
    if not key:
        return None
    best: tuple[int, str, str | None] | None = None
    for col in spec.columns:
        units = sorted(schema.unit_factors(col), key=len, reverse=True)
        for alias in _keys(col):
            found: tuple[int, str, str | None] | None = None
            for unit in units:
                u = unit.lower()
                if key.endswith(u) and key[: -len(u)] == alias:
                    found = (len(alias), col.name, unit)
                    break
            long_enough = len(alias) >= (4 if alias.isascii() else 2)
            if found is None and long_enough and key.startswith(alias) and key != alias:
                rest = key[len(alias) :]
                unit = next((u for u in units if u.lower() == rest), None)
                found = (len(alias), col.name, unit)
            if found is not None and (best is None or found[0] > best[0]):
                best = found
    return None if best is None else (best[1], best[2])


def _similarity(name: str, col: schema.Column) -> float:
    """How much field ``name`` resembles ``col``: the longest shared run over any alias."""
    key = schema.normalise_key(name)
    score = 0.0
    for alias in _keys(col):
        match = difflib.SequenceMatcher(None, key, alias).find_longest_match()
        run = match.size
        if run == 0 or (alias.isascii() and run < 2):
            continue
        # a whole alias inside the field counts most; then the share of the field covered
        score = max(score, run + run / max(len(key), 1) + (1.0 if run == len(alias) else 0.0))
    return score


def guess_source(column: schema.Column, fields: Iterable[Any]) -> str | None:
    """Return the field most likely to hold ``column`` (the longest run shared with an alias).

    Examples
    --------
    >>> guess_source(schema.ZONES.column("zone_id"), ["名称", "宗地编号", "面积"])
    '宗地编号'
    >>> guess_source(schema.ZONES.column("zone_id"), ["备注"]) is None
    True
    """
    scored = [(_similarity(str(f), column), str(f)) for f in fields]
    scored = [s for s in scored if s[0] > 0]
    if not scored:
        return None
    return max(scored, key=lambda s: s[0])[1]
