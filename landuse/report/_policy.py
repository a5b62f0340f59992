"""The policy parameters an output was made with, and the example notice.

Private: see :func:`landuse.report.policy_parameters` and :func:`landuse.report.example_notice`.

Analyses record the policy keys they read in ``result.attrs["policy_keys"]``
(:func:`landuse._checks.records_policy`) and the rules they could not evaluate in
``attrs["not_evaluated"]`` (a rule whose key is unset says "set `section.key`"). This module
turns them into the table a workbook's 政策参数 sheet shows: one row per key with its value,
unit, source and confidence, and a "not evaluated: set `key`" row for an unset key.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import pandas as pd

from landuse._checks import Lang
from landuse.errors import PolicyError
from landuse.policy import Policy, list_policies, load_policy

__all__ = [
    "CONFIDENCE_LABELS",
    "PARAMETER_SHEET",
    "FramesPolicy",
    "example_notice",
    "frames_policy",
    "not_evaluated_keys",
    "parameter_table",
    "resolve_output_policy",
]

#: The confidence codes of a profile entry, as a reader of an output reads them.
CONFIDENCE_LABELS: dict[str, tuple[str, str]] = {
    "V": ("已核实", "verified"),
    "S": ("二手来源", "secondary source"),
    "I": ("推断/方法选择", "inferred / method choice"),
    "U": ("未核实", "unverified"),
    "from-plan": ("计划文本", "plan text"),
    "user": ("用户设定", "set by the user"),
}

#: The name of the workbook sheet that lists the parameters, by language.
PARAMETER_SHEET = {"zh": "政策参数", "en": "Policy parameters"}

_HEADERS = {
    "zh": ("参数", "取值", "单位", "来源", "可信度", "说明"),
    "en": ("Parameter", "Value", "Unit", "Source", "Confidence", "Note"),
}
_NOT_SET = {"zh": "未评价：请设置 `{key}`", "en": "not evaluated: set `{key}`"}
_NOT_RECORDED = {
    "zh": "（取值未记录：政策配置 {name} 不是内置配置；写出时请传入 Policy 对象）",
    "en": "(value not recorded: {name} is not a built-in profile; pass the Policy when writing)",
}
_TABLE = {
    "zh": '表，{n} 行（policy.table("{key}")）',
    "en": 'table of {n} rows (policy.table("{key}"))',
}
_UNSET_CONFIDENCE = {"zh": "需用户设定（未设置）", "en": "user input, not set"}
#: A policy key in backticks, as the ``not_evaluated`` texts name one ("set `idle.fee_share`").
_KEY = re.compile(r"`([a-z][a-z0-9_]*\.[a-z][a-z0-9_]*)`")


def resolve_output_policy(policy: Any) -> Policy | None:
    """Return the Policy an output names: a Policy, or a built-in profile's name; else None.

    A result records its profile by name (``attrs["policy"]``); a name that is not a built-in
    profile (a user's TOML file) cannot be loaded again, and gives ``None``.

    Examples
    --------
    >>> resolve_output_policy("qingdao-2019-example").example
    True
    >>> resolve_output_policy("my-district") is None
    True
    """
    if isinstance(policy, Policy):
        return policy
    if isinstance(policy, str) and policy in list_policies():
        return load_policy(policy)
    return None


def example_notice(policy: Any) -> str | None:
    """Return the "example values" notice of an output made with ``policy``, else ``None``.

    Parameters
    ----------
    policy
        A :class:`~landuse.policy.Policy` or a profile name (what ``result.attrs["policy"]``
        records).

    Examples
    --------
    >>> example_notice("qingdao-2019") is None
    True
    >>> example_notice("qingdao-2019-example").startswith("示例参数 example values")
    True
    """
    resolved = resolve_output_policy(policy)
    return None if resolved is None else resolved.example_notice


def _texts(value: Any) -> Iterator[str]:
    """Every text in a ``not_evaluated`` record (a list of texts, a dict rule → missing…)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            texts = list(_texts(item))
            yield from (f"{key}: {t}" for t in texts) if texts else (str(key),)
    elif isinstance(value, Iterable):
        for item in value:
            yield from _texts(item)


@functools.cache
def _known_keys() -> frozenset[str]:
    return frozenset(load_policy("national-2008").to_frame(include_unset=True)["key"])


def not_evaluated_keys(not_evaluated: Any) -> dict[str, str]:
    """Return the policy keys a ``not_evaluated`` record names (in backticks), with the text.

    A rule waiting for a key says so ("set `section.key`", "policy `section.key`"); words
    in backticks that are not policy keys (columns, arguments) are left out.

    Examples
    --------
    >>> not_evaluated_keys(["attraction target: set `assessment.attraction_projects_over_100m_min`",
    ...                     "no column tax_wan"])
    {'assessment.attraction_projects_over_100m_min': 'attraction target: set `assessment.attraction_projects_over_100m_min`'}
    >>> not_evaluated_keys({"tax_floor": ["set `inefficient.tax_wan_per_mu_min`"]})
    {'inefficient.tax_wan_per_mu_min': 'tax_floor: set `inefficient.tax_wan_per_mu_min`'}
    >>> list(not_evaluated_keys("小户型占比无政策门槛: 设置 `supporting_housing.small_unit_share_min`"))
    ['supporting_housing.small_unit_share_min']
    >>> not_evaluated_keys({"low_output": ["policy `inefficient.output_standard_wan_per_mu`"],
    ...                     "dark": ["argument `raster_evidence` (see landuse.raster_evidence)"]})
    {'inefficient.output_standard_wan_per_mu': 'low_output: policy `inefficient.output_standard_wan_per_mu`'}
    """
    found: dict[str, str] = {}
    for text in _texts(not_evaluated):
        for key in _KEY.findall(text):
            if key in _known_keys():
                found.setdefault(key, text)
    return found


@dataclasses.dataclass(frozen=True)
class FramesPolicy:
    """What result frames record about their policy (see :func:`frames_policy`)."""

    policy: Any
    keys: list[str]
    records: list[Any]
    params: dict[str, Mapping[str, Any]]
    notice: str | None


def frames_policy(frames: Iterable[Any]) -> FramesPolicy:
    """Return the policy name, keys, ``not_evaluated`` records, applied parameters and notice.

    ``attrs["policy_params"]`` (set by :func:`landuse._checks.records_policy`) holds the values
    the analysis applied, overrides and a user's own TOML values included; ``example_notice``
    the notice of an example profile.
    """
    policy = None
    notice = None
    keys: set[str] = set()
    records: list[Any] = []
    params: dict[str, Mapping[str, Any]] = {}
    for frame in frames:
        attrs = getattr(frame, "attrs", None)
        if not isinstance(attrs, Mapping):
            continue
        if policy is None:
            policy = attrs.get("policy")
        notice = notice or attrs.get("example_notice")
        keys.update(str(k) for k in attrs.get("policy_keys") or ())
        recorded = attrs.get("policy_params")
        if isinstance(recorded, Mapping):
            params.update({str(k): v for k, v in recorded.items() if isinstance(v, Mapping)})
        if attrs.get("not_evaluated"):
            records.append(attrs["not_evaluated"])
    return FramesPolicy(policy, sorted(keys), records, params, notice)


def _value_text(value: Any, key: str, lang: Lang) -> str:
    """Return a parameter's value as one line: numbers as written, tables by their size."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.6g}"
    if isinstance(value, Mapping):
        return "; ".join(f"{k} = {_value_text(v, key, lang)}" for k, v in value.items())
    if isinstance(value, (tuple, list)):
        if value and (dataclasses.is_dataclass(value[0]) or isinstance(value[0], Mapping)):
            return _TABLE[lang].format(n=len(value), key=key)
        return ", ".join(_value_text(v, key, lang) for v in value)
    return str(value)


def _confidence_text(code: Any, lang: Lang) -> str:
    label = CONFIDENCE_LABELS.get(code)
    return f"{code} {label[0 if lang == 'zh' else 1]}" if label else ""


def _recorded_row(key: str, p: Mapping[str, Any], lang: Lang) -> tuple[str, ...]:
    """Return the 政策参数 row of a parameter the analysis recorded as applied."""
    return (
        key,
        _value_text(p.get("value"), key, lang),
        str(p.get("unit") or ""),
        str(p.get("source") or ""),
        _confidence_text(p.get("confidence"), lang),
        str(p.get("note") or ""),
    )


def parameter_table(
    policy: Any,
    keys: Sequence[str],
    *,
    not_evaluated: Sequence[Any] = (),
    lang: Lang = "zh",
    recorded: Mapping[str, Mapping[str, Any]] | None = None,
) -> pd.DataFrame:
    """One row per policy key used or left unset: key, value, unit, source, confidence, note.

    ``recorded``: the parameters as the analysis applied them (``attrs["policy_params"]``);
    they win over the profile ``policy`` names, which may have been changed since.

    Private worker of :func:`landuse.report.policy_parameters` (the headers are in ``lang``).
    A key that has no value (a user input not set) shows "not evaluated: set `key`" as its
    value; so does a key named by a ``not_evaluated`` record ("set `key`"), with that record's
    text as the note.
    """
    asked = {}
    for record in not_evaluated:
        for key, text in not_evaluated_keys(record).items():
            asked.setdefault(key, text)
    resolved = resolve_output_policy(policy)
    recorded = recorded or {}
    rows = []
    for key in sorted(set(keys) | set(asked)):
        if key in recorded and recorded[key].get("value") is not None:
            rows.append(_recorded_row(key, recorded[key], lang))
            continue
        if resolved is None:
            name = getattr(policy, "name", policy)
            text = _NOT_RECORDED[lang].format(name=name)
            rows.append((key, text, "", "", "", asked.get(key, "")))
            continue
        try:
            param = resolved.provenance(key)
        except PolicyError:  # a key of another version of landuse: say so, do not fail
            rows.append((key, "", "", "", "", asked.get(key, "")))
            continue
        unset = param.value is None
        value = _NOT_SET[lang].format(key=key) if unset else _value_text(param.value, key, lang)
        label = CONFIDENCE_LABELS.get(param.confidence)
        confidence = f"{param.confidence} {label[0 if lang == 'zh' else 1]}" if label else ""
        if unset:
            confidence = _UNSET_CONFIDENCE[lang]
        why = asked.get(key, "") if unset else ""  # the rule that waits for this key
        note = ("；" if lang == "zh" else "; ").join(t for t in (why, param.note or "") if t)
        rows.append((key, value, param.unit or "", param.source, confidence, note))
    table = pd.DataFrame(rows, columns=list(_HEADERS[lang]), dtype=object)
    table.attrs["unset"] = sum(1 for row in rows if row[4] == _UNSET_CONFIDENCE[lang])
    return table
