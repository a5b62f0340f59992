"""Parcel grades from an enterprise evaluation (issue 19): the grade of the parcel's holder.

:func:`landuse.enterprise.evaluate_enterprises` grades enterprises (one row per credit code,
with the ``;``-joined ``parcel_ids`` of its land). :func:`parcel_grades` turns that into one
grade per parcel, for :func:`landuse.find_inefficient_land` and
:func:`landuse.build_project_bank` (``enterprise_grades=``):

1. the parcel's holder (``parcels.owner_code``) is graded → the parcel takes its grade;
2. the holder is not graded (out of scope, no data, 不定等级) or not evaluated, but other
   enterprises evaluated on the parcel (tenants, members of a combined unit) are graded → the
   parcel takes the **worst** of their grades (the order of ``mujun.class_cuts``, A before D),
   and the source names that enterprise;
3. nobody on the parcel is graded → no grade (the rules ``grade_d`` / ``grade_c_low_far``
   do not check the parcel); parcels whose ``owner_code`` is missing or matches no row of the
   evaluation are counted and listed (``unmatched``), never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from landuse.efficiency import _common as c
from landuse.efficiency._grading import grade_outcomes
from landuse.efficiency._reasons import Outcome
from landuse.errors import SchemaError, format_ids

_NEEDED = ("grade", "score", "rank", "rank_share", "parcel_ids")


@dataclass
class ParcelGrades:
    """One grade per parcel position, with where it came from."""

    graded: pd.DataFrame  # grade, score, rank, rank_share (positions of the parcels)
    code: np.ndarray  # credit code the grade came from (None: no grade)
    role: np.ndarray  # "holder" | "tenant" | None
    name: np.ndarray
    report: dict[str, Any] = field(default_factory=dict)

    def source(self, pos: np.ndarray, lang: str) -> np.ndarray:
        """Text naming where each parcel's grade came from (``None`` without a grade)."""
        roles = {"holder": ("权利人", "holder"), "tenant": ("用地企业", "enterprise on the parcel")}
        out = np.full(len(pos), None, dtype=object)
        for i, p in enumerate(pos):
            if self.code[p] is None:
                continue
            role = roles[self.role[p]][0 if lang == "zh" else 1]
            name = f" {self.name[p]}" if self.name[p] else ""
            out[i] = (
                f"企业评价：{role}{name}（{self.code[p]}）"
                if lang == "zh"
                else f"enterprise evaluation: {role}{name} ({self.code[p]})"
            )
        return out


def _check(parcels: pd.DataFrame, result: Any, *, caller: str) -> None:
    if not isinstance(result, pd.DataFrame):
        msg = (
            f"`enterprise_grades` passed to {caller}() must be the DataFrame returned by "
            f"landuse.enterprise.evaluate_enterprises, got {type(result).__name__}."
        )
        raise TypeError(msg)
    missing = [col for col in _NEEDED if col not in result.columns]
    if missing:
        msg = (
            f"`enterprise_grades` passed to {caller}() lacks "
            + ", ".join(f"`{col}`" for col in missing)
            + "; pass what landuse.enterprise.evaluate_enterprises returned for the year."
        )
        raise SchemaError(msg)
    if "owner_code" not in parcels.columns:
        msg = (
            f"`parcels` passed to {caller}() has no `owner_code` column, needed with "
            "`enterprise_grades` to find each parcel's holder. Add the right holder's unified "
            "social credit code (权利人统一社会信用代码) as `owner_code` (landuse.read_parcels "
            "reads it), or leave `enterprise_grades` out to grade parcels one by one."
        )
        raise SchemaError(msg)


def parcel_grades(
    parcels: pd.DataFrame, result: pd.DataFrame, *, policy: Any, caller: str
) -> ParcelGrades:
    """Grade each parcel (positions of ``parcels``) from an enterprise evaluation."""
    _check(parcels, result, caller=caller)
    n = len(parcels)
    order = [cut.grade for cut in sorted(policy.mujun.class_cuts or (), key=_share)]
    worst = {g: i for i, g in enumerate(order)}
    codes = result.index.astype(str)
    grades = result["grade"].astype(object).to_numpy()
    graded_row = ~pd.isna(grades)
    row_of = {code: i for i, code in enumerate(codes)}
    # enterprises evaluated on each parcel
    on_parcel: dict[str, list[int]] = {}
    for i, ids in enumerate(result["parcel_ids"].astype(object).to_numpy()):
        if graded_row[i] and isinstance(ids, str):
            for pid in ids.split(";"):
                on_parcel.setdefault(pid.strip(), []).append(i)

    owner = parcels["owner_code"].astype(object).to_numpy()
    pids = parcels["parcel_id"].astype(str).to_numpy() if "parcel_id" in parcels else None
    source_row = np.full(n, -1, dtype=np.int64)
    role = np.full(n, None, dtype=object)
    unmatched: list[Any] = []
    for p in range(n):
        own = owner[p]
        i = row_of.get(str(own).strip().upper(), -1) if not pd.isna(own) else -1
        if i < 0:
            unmatched.append(pids[p] if pids is not None else parcels.index[p])
        if i >= 0 and graded_row[i]:
            source_row[p], role[p] = i, "holder"
            continue
        others = on_parcel.get(pids[p], []) if pids is not None else []
        if others:
            j = max(others, key=lambda k: worst.get(grades[k], len(order)))
            source_row[p], role[p] = j, "tenant"

    has = source_row >= 0
    take = np.where(has, source_row, 0)

    def pick(col: str, dtype: Any = float) -> np.ndarray:
        if col not in result.columns or not len(result):
            return np.full(n, np.nan)
        values = result[col].to_numpy(dtype=dtype, na_value=np.nan)[take]
        return np.where(has, values, np.nan)

    grade = np.where(has, grades[take] if len(result) else None, None)
    graded = pd.DataFrame(
        {
            "grade": grade,
            "score": pick("score"),
            "rank": pick("rank"),
            "rank_share": pick("rank_share"),
        }
    )
    graded.attrs["graded"] = int(has.sum())
    names = result["name"].astype(object).to_numpy() if "name" in result.columns else None
    code = np.where(has, codes.to_numpy(dtype=object)[take] if len(result) else None, None)
    name = np.full(n, None, dtype=object)
    if names is not None and len(result):
        name = np.where(has, names[take], None)
    report = {
        "source": "enterprise",
        "graded_parcels": int(has.sum()),
        "from_holder": int((role == "holder").sum()),
        "from_other_enterprise": int((role == "tenant").sum()),
        "unmatched": {"count": len(unmatched), "ids": [str(u) for u in unmatched[:5]]},
        "rule": (
            "holder's grade; holder not graded → worst grade of the enterprises evaluated "
            "on the parcel; nobody graded → no grade"
        ),
    }
    if unmatched:
        report["unmatched_text"] = (
            f"{len(unmatched)} parcels' owner_code matches no enterprise of "
            f"`enterprise_grades` ({format_ids(unmatched)})"
        )
    return ParcelGrades(graded, code, role, name, report)


def _share(cut: Any) -> float:
    return float(cut.rank_share_max)


def outcomes(
    inp: Any, joined: ParcelGrades, far: np.ndarray, base_target: np.ndarray
) -> list[Outcome]:
    """Build the reasons ``grade_d`` / ``grade_c_low_far`` naming the enterprise graded."""
    found = grade_outcomes(inp, joined.graded, far, base_target)
    return [_with_source(o, joined) for o in found]


def _with_source(outcome: Outcome, joined: ParcelGrades) -> Outcome:
    inner = outcome.text

    def text(pos: np.ndarray, lang: str) -> pa.Array:
        base = inner(pos, lang) if inner is not None else pa.array([""] * len(pos))
        src = c.strings(joined.source(pos, lang))
        return c.concat(base, "（" if lang == "zh" else " (", src, "）" if lang == "zh" else ")")

    return Outcome(outcome.code, outcome.flagged, outcome.checked, outcome.missing, text)
