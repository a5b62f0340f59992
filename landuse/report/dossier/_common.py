"""Helpers the zone page and the city page share: headers, labels, lists, file names."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from landuse._checks import Lang
from landuse.report import _html
from landuse.report._policy import _texts
from landuse.schema import FIELDS, category_label, field_label

__all__ = [
    "bullet_list",
    "header",
    "labelled",
    "not_evaluated_texts",
    "numbers",
    "zone_file",
    "zone_files",
]

_SAFE = re.compile(r"[^A-Za-z0-9_-]+")


def header(name: str, lang: Lang) -> str:
    """The catalogue's header of column ``name`` (with its unit), else the name itself."""
    return field_label(name, lang) if name in FIELDS else name


def labelled(values: pd.Series, category: str, lang: Lang) -> pd.Series:
    """Coded values shown by their catalogue label (an unknown code as itself, missing as NA)."""
    out = [
        None if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA
        else category_label(category, v, lang=lang)
        for v in values.astype(object)
    ]  # fmt: skip
    return pd.Series(out, index=values.index, dtype=object)


def numbers(values: Any) -> pd.Series:
    """A column as float64 (missing as NaN) so the table formats it as a number."""
    return pd.Series(pd.to_numeric(pd.Series(values), errors="coerce"), dtype="float64")


def bullet_list(items: Iterable[str], *, kind: str = "info") -> str:
    """An escaped ``<ul>`` of texts."""
    body = "".join(f"<li>{_html.esc(item)}</li>" for item in items)
    return f'<ul class="{kind}">{body}</ul>' if body else ""


def not_evaluated_texts(frames: Iterable[pd.DataFrame]) -> list[str]:
    """Every ``attrs["not_evaluated"]`` text of the frames, once each, in order."""
    seen: dict[str, None] = {}
    for frame in frames:
        record = frame.attrs.get("not_evaluated") if isinstance(frame.attrs, Mapping) else None
        if record:
            for item in _texts(record):
                seen.setdefault(str(item), None)
    return list(seen)


def zone_file(zone_id: Any) -> str:
    """The file name of a zone's page: ``zone_<id>.html``, made safe for any id.

    Letters, digits, ``-`` and ``_`` are kept; an id holding anything else is reduced to
    those and given a short hash of the full id, so two ids never share a file.

    Examples
    --------
    >>> zone_file("QD01")
    'zone_QD01.html'
    >>> zone_file("<script>alert(1)</script>")
    'zone_script_alert_1_script_d5f93694.html'
    >>> zone_file("../../etc/passwd")
    'zone_etc_passwd_936d7c04.html'
    """
    text = str(zone_id)
    slug = _SAFE.sub("_", text).strip("_")[:40]
    if slug == text and slug:
        return f"zone_{slug}.html"
    digest = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"zone_{slug}_{digest}.html" if slug else f"zone_{digest}.html"


def zone_files(zone_ids: Iterable[Any]) -> dict[str, str]:
    """``{zone_id: file name}`` for every zone; equal names get a running number."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for zone_id in zone_ids:
        name = zone_file(zone_id)
        n = 1
        while name.lower() in used:
            n += 1
            name = zone_file(zone_id).removesuffix(".html") + f"_{n}.html"
        used.add(name.lower())
        out[str(zone_id)] = name
    return out
