"""Labels and the per-proposal ``reason_text`` of :mod:`landuse.compliance`, built vectorised.

Texts are assembled with pyarrow string kernels (no Python loop per row), so a million
proposals get their sentence in well under a second. Chinese by default, English with
``lang="en"``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from landuse._checks import Lang
from landuse.schema import category_labels, field_label
from landuse.units import M2_PER_MU

__all__ = [
    "COLUMN_LABELS",
    "VERDICTS",
    "Facts",
    "encroachment_texts",
    "reason_texts",
]

#: Verdicts in order of precedence (the first that applies is given). Their display labels
#: are :func:`landuse.schema.category_labels` ``("verdict")``.
VERDICTS: tuple[str, ...] = (
    "not_industrial_use",
    "outside",
    "straddles_boundary",
    "wrong_functional_area",
    "inside_within_tolerance",
    "inside",
)

_STR = pa.string()


@dataclass
class Facts:
    """What the sentence of each proposal is made of (one value per proposal)."""

    verdict: np.ndarray  # int codes into VERDICTS
    area_m2: np.ndarray
    zone_id: pa.Array  # null where no zone
    nearest_zone_id: pa.Array
    share_in_zone: np.ndarray
    area_outside_m2: np.ndarray
    share_in_industrial_area: np.ndarray  # NaN where not evaluated
    area_outside_industrial_m2: np.ndarray  # NaN where not evaluated
    area_type: pa.Array  # null where none
    land_use: pa.Array  # normalised, null where unknown
    distance_m: np.ndarray
    areas_state: np.ndarray  # 0 evaluated, 1 no functional areas given, 2 zone has none
    use_known: np.ndarray  # bool

    def rows(self, s: slice) -> Facts:
        """Return the facts of rows ``s`` (a contiguous slice)."""
        start, stop = s.start or 0, s.stop
        out = {}
        for f in fields(self):
            v = getattr(self, f.name)
            out[f.name] = v.slice(start, stop - start) if isinstance(v, pa.Array) else v[s]
        return Facts(**out)


def _num(values: np.ndarray, decimals: int) -> pa.Array:
    return pc.round(pa.array(np.asarray(values, dtype=np.float64)), decimals).cast(_STR)


def _pct(shares: np.ndarray) -> pa.Array:
    return _num(np.asarray(shares, dtype=np.float64) * 100.0, 1)


def _text(values: np.ndarray | pa.Array) -> pa.Array:
    if isinstance(values, pa.Array):
        return values
    return pa.array(np.asarray(values, dtype=object), type=_STR, from_pandas=True)


def _label(values: np.ndarray | pa.Array, category: str, lang: Lang) -> pa.Array:
    """Catalogue labels of ``values`` inside a sentence (unknown values kept as they are).

    The catalogue's English labels are capitalised for tables and legends; inside a
    sentence their first letter is lower-cased ("land use is commercial").
    """
    labels = category_labels(category, lang=lang)
    if lang == "en":
        labels = {k: v[:1].lower() + v[1:] for k, v in labels.items()}
    keys = pa.array(list(labels), type=_STR)
    names = pa.array(list(labels.values()), type=_STR)
    arr = _text(values)
    pos = pc.index_in(arr, value_set=keys)
    out = names.take(pos)
    return pc.coalesce(out, arr)


Text: TypeAlias = "pa.Array | pa.Scalar | str"


def _join(*parts: Text) -> pa.Array:
    return pc.binary_join_element_wise(
        *[p if isinstance(p, (pa.Array, pa.Scalar)) else pa.scalar(p, _STR) for p in parts],
        "",
        null_handling="replace",
        null_replacement="—",
    )


def _when(mask: np.ndarray, text: Text) -> Text:
    """``text`` where ``mask``, else the empty string."""
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return ""
    if mask.all():
        return text
    t = text if isinstance(text, (pa.Array, pa.Scalar)) else pa.scalar(text, _STR)
    return pc.if_else(pa.array(mask), t, pa.scalar("", _STR))


@dataclass(frozen=True)
class _Rows:
    """The proposals of one verdict: positions, language and the tolerance note."""

    f: Facts
    idx: np.ndarray
    zh: bool
    tol: str

    @property
    def zone(self) -> pa.Array:
        return self.f.zone_id.take(pa.array(self.idx))

    @property
    def share_outside(self) -> pa.Array:
        return _pct(1.0 - self.f.share_in_zone[self.idx])


def _inside(r: _Rows) -> Text:
    fa_ok = r.f.areas_state[r.idx] == 0
    if r.zh:
        return _join("全部位于集聚区", r.zone, _when(fa_ok, "的产业发展区"), "内")
    return _join("entirely inside zone ", r.zone, _when(fa_ok, ", in its industrial area"))


def _inside_within_tolerance(r: _Rows) -> Text:
    f, idx = r.f, r.idx
    non_ind = np.nan_to_num(f.area_outside_industrial_m2[idx])
    off_zone = f.area_outside_m2[idx] > 0
    off_ind = (f.areas_state[idx] == 0) & (non_ind > 0)
    out_m2, share_out = _num(f.area_outside_m2[idx], 1), r.share_outside
    non_ind_m2 = _num(non_ind, 1)
    non_ind_pct = _pct(non_ind / f.area_m2[idx])
    if r.zh:
        return _join(
            "位于集聚区", r.zone, "内",
            _when(off_zone, _join("；集聚区外 ", out_m2, " 平方米（", share_out, "%）")),
            _when(off_ind, _join("；产业发展区外 ", non_ind_m2, " 平方米（", non_ind_pct, "%）")),
            "，在容差内", r.tol,
        )  # fmt: skip
    return _join(
        "inside zone ", r.zone,
        _when(off_zone, _join("; ", out_m2, " m² (", share_out, " %) outside the zone")),
        _when(off_ind, _join("; ", non_ind_m2, " m² (", non_ind_pct, " %) outside",
                             " its industrial area")),
        "; within tolerance", r.tol,
    )  # fmt: skip


def _straddles_boundary(r: _Rows) -> Text:
    f, idx, zone, share_out = r.f, r.idx, r.zone, r.share_outside
    mu = _num(f.area_outside_m2[idx] / M2_PER_MU, 2)
    share_in = _pct(f.share_in_zone[idx])
    if r.zh:
        return _join("跨集聚区边界：", share_in, "% 在集聚区", zone, "内，", mu, " 亩（", share_out, "%）在集聚区外")  # fmt: skip
    return _join(
        "straddles the zone boundary: ", share_in, " % inside zone ", zone, ", ", mu,
        " mu (", share_out, " %) outside",
    )  # fmt: skip


def _outside(r: _Rows) -> Text:
    f, idx = r.f, r.idx
    near = f.nearest_zone_id.take(pa.array(idx))
    dist = _num(f.distance_m[idx], 1)
    touching = pa.array(f.distance_m[idx] == 0)
    some_in = f.share_in_zone[idx] > 0
    in_m2 = _num(f.share_in_zone[idx] * f.area_m2[idx], 1)
    if r.zh:
        return _join(
            "位于集聚区外，",
            pc.if_else(
                touching,
                _join("与集聚区", near, "仅边界相接"),
                _join("距最近的集聚区", near, " ", dist, " 米"),
            ),
            _when(some_in, _join("（集聚区内仅 ", in_m2, " 平方米，在容差内）")),
        )  # fmt: skip
    return _join(
        "outside every zone; ",
        pc.if_else(
            touching,
            _join("touches zone ", near, " along its boundary only"),
            _join(dist, " m from the nearest zone, ", near),
        ),
        _when(some_in, _join(" (only ", in_m2, " m² inside, within tolerance)")),
    )


def _wrong_functional_area(r: _Rows) -> Text:
    f, idx, zone = r.f, r.idx, r.zone
    ind = _pct(f.share_in_industrial_area[idx])
    lang: Lang = "zh" if r.zh else "en"
    types = f.area_type.take(pa.array(idx))
    kind = _label(types, "area_type", lang)
    has_kind = pa.array(pc.is_valid(types).to_numpy(zero_copy_only=False))
    none_ind = pa.array(np.nan_to_num(f.share_in_industrial_area[idx]) == 0)
    if r.zh:
        return _join(
            "位于集聚区", zone, "内，但",
            pc.if_else(none_ind, "不在产业发展区", _join("仅 ", ind, "% 在产业发展区")),
            pc.if_else(has_kind, _join("，主要位于", kind), "，且不在任何功能分区内"),
        )  # fmt: skip
    return _join(
        "inside zone ", zone, " but ",
        pc.if_else(
            none_ind, "not in its industrial area", _join("only ", ind, " % in its industrial area")
        ),
        pc.if_else(has_kind, _join("; mostly in the ", kind), "; in no functional area"),
    )  # fmt: skip


def _not_industrial_use(r: _Rows) -> Text:
    f, idx = r.f, r.idx
    ind = _pct(f.share_in_industrial_area[idx])
    use = _label(f.land_use.take(pa.array(idx)), "land_use", "zh" if r.zh else "en")
    enc = np.nan_to_num(f.share_in_industrial_area[idx]) > 0
    if r.zh:
        return _join(
            "用途为", use, "，不是工业用地，不按集聚区供地规则判定",
            _when(enc, _join("；", ind, "% 位于产业发展区，挤占产业空间")),
        )  # fmt: skip
    return _join(
        "land use is ", use, ", not industrial: the zone supply rule does not apply",
        _when(enc, _join("; ", ind, " % lies in an industrial area (encroachment)")),
    )  # fmt: skip


#: The sentence of each verdict.
_SENTENCES: dict[str, Callable[[_Rows], Text]] = {
    "not_industrial_use": _not_industrial_use,
    "outside": _outside,
    "straddles_boundary": _straddles_boundary,
    "wrong_functional_area": _wrong_functional_area,
    "inside_within_tolerance": _inside_within_tolerance,
    "inside": _inside,
}


def reason_texts(f: Facts, *, lang: Lang, tolerance_m2: float, tolerance_share: float) -> pa.Array:
    """One sentence per proposal saying where it stands and by how much (in row order)."""
    pieces: list[pa.Array] = []
    rows: list[np.ndarray] = []
    zh = lang == "zh"
    tol = (
        f"（容差：≤{tolerance_m2:g} 平方米且≤{tolerance_share * 100:g}%）"
        if zh
        else f" (tolerance: ≤ {tolerance_m2:g} m² and ≤ {tolerance_share * 100:g} %)"
    )
    for code, verdict in enumerate(VERDICTS):
        idx = np.flatnonzero(f.verdict == code)
        if not len(idx):
            continue
        text = _SENTENCES[verdict](_Rows(f=f, idx=idx, zh=zh, tol=tol))
        pieces.append(_join(text, _notes(f, idx, verdict, zh)))
        rows.append(idx)
    if not pieces:
        return pa.array([], type=_STR)
    order = np.argsort(np.concatenate(rows), kind="stable")
    return pa.concat_arrays(pieces).take(pa.array(order))


def _notes(f: Facts, idx: np.ndarray, verdict: str, zh: bool) -> pa.Array:
    """Rules that could not be evaluated for these proposals."""
    parts: list[pa.Array] = []
    if verdict in ("inside", "inside_within_tolerance", "straddles_boundary"):
        state = f.areas_state[idx]
        zone = f.zone_id.take(pa.array(idx))
        parts.append(_when(state == 1, "；未提供功能分区，未核对产业发展区" if zh else "; functional areas not given: industrial area not checked"))  # fmt: skip
        parts.append(
            _when(
                state == 2,
                _join("；集聚区", zone, "无功能分区数据，未核对产业发展区")
                if zh
                else _join(
                    "; zone ", zone, " has no functional areas: industrial area not checked"
                ),
            )
        )
    if verdict != "not_industrial_use":
        parts.append(
            _when(
                ~f.use_known[idx],
                "；用途缺失，未核对用途" if zh else "; land use missing: use not checked",
            )
        )
    if not parts:
        return pa.array([""] * len(idx), type=_STR)
    return _join(*parts)


def encroachment_texts(
    uses: pa.Array,
    zone_id: pa.Array,
    area_m2: np.ndarray,
    share: np.ndarray,
    *,
    lang: Lang,
) -> pa.Array:
    """``reason_text`` of :func:`landuse.compliance.find_encroachment`."""
    use = _label(uses, "land_use", lang)
    zone = _text(zone_id)
    mu = _num(np.asarray(area_m2) / M2_PER_MU, 2)
    m2 = _num(area_m2, 1)
    pct = _pct(share)
    if lang == "zh":
        text = _join(use, "位于集聚区", zone, "的产业发展区内 ", m2, " 平方米（", mu, " 亩，占宗地 ", pct, "%），挤占产业空间")  # fmt: skip
    else:
        text = _join(use, " use inside the industrial area of zone ", zone, ": ", m2, " m² (", mu, " mu, ", pct, " % of the parcel)")  # fmt: skip
    return text


#: Chinese / English headers of the result columns in CSV and Excel output.
#: Headers of the report's columns, ``{column: (Chinese, English)}``: a view of the one
#: catalogue, :data:`landuse.schema.FIELDS` (kept for code that imported it).
COLUMN_LABELS: dict[str, tuple[str, str]] = {
    name: (field_label(name, "zh"), field_label(name, "en"))
    for name in (
        "zone_id", "share_in_zone", "area_outside_m2", "share_in_industrial_area", "area_type",
        "distance_to_zone_m", "nearest_zone_id", "verdict", "reason_text", "proposals",
        "outside", "straddling", "outside_or_straddling", "area_mu", "area_outside_mu",
        "share_outside",
    )
}  # fmt: skip
