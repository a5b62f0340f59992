"""Policy profiles: every threshold is data, loaded from TOML into frozen dataclasses.

A profile is a TOML file in ``landuse/policy/profiles/`` (or any path). Each parameter is a
table carrying its value and provenance::

    [control.building_coefficient_min]
    value = 0.30
    unit = "share of site area"
    source = "国土资发〔2008〕24号 ...; POLICY-FACTS §1.1"
    confidence = "V"
    note = "..."          # optional

``confidence`` is one of ``V`` (explicit in the source), ``S`` (secondary source), ``I``
(inferred), ``U`` (uncertain), ``from-plan`` (named by the plan, unconfirmed) or ``user``
(supplied by the user). A parameter the user must supply is written without ``value`` and
with ``user_input = true``; its attribute is ``None`` until set (see :meth:`Policy.require`).
A profile may ``extends = "<profile or path>"`` another; its parameters replace the
parent's one by one.

Attribute names carry units: ``_share`` fractions 0–1, ``_years``, ``_m2``, ``_ha``, ``_km2``,
``_wan_per_mu`` (万元/亩), ``_yi`` (亿元); bounds end in ``_min`` / ``_max``.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from landuse.errors import PolicyError
from landuse.policy._schema import (
    CONFIDENCE_META,
    CONFIDENCE_TAGS,
    SECTIONS,
    TEXT_META,
    RECORDER,
    AssessmentRules,
    BankRules,
    ClassCut,
    ControlRules,
    CrosswalkEntry,
    DataQualityRules,
    FarEntry,
    FarRules,
    FieldRules,
    IdleRules,
    InefficientRules,
    LandPriceGrade,
    LandPriceRules,
    MujunRules,
    MultistoreyRules,
    PlanField,
    StandardLandRules,
    SupportingHousingRules,
    SurchargeRow,
    TenureRules,
    Tier,
    TierRules,
    ZoneCreationRules,
    all_keys,
    check_key,
    convert,
    param_meta,
    type_name,
)

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

__all__ = [
    "CONFIDENCE_TAGS",
    "AssessmentRules",
    "BankRules",
    "ClassCut",
    "ControlRules",
    "CrosswalkEntry",
    "FarEntry",
    "FarRules",
    "FieldRules",
    "IdleRules",
    "InefficientRules",
    "LandPriceGrade",
    "DataQualityRules",
    "LandPriceRules",
    "MujunRules",
    "MultistoreyRules",
    "Param",
    "PlanField",
    "Policy",
    "StandardLandRules",
    "SupportingHousingRules",
    "SurchargeRow",
    "TenureRules",
    "Tier",
    "TierRules",
    "ZoneCreationRules",
    "industry_division",
    "list_policies",
    "load_policy",
    "record_keys",
]

logger = logging.getLogger(__name__)

_ENTRY_KEYS = ("value", "unit", "source", "confidence", "note", "user_input")
_TOP_LEVEL_KEYS = ("extends", "description", "example")


@dataclass(frozen=True)
class Param:
    """One policy parameter with its provenance.

    Attributes
    ----------
    value
        The value (``None`` for a user input not yet supplied).
    unit
        Human-readable unit.
    source
        Where the value comes from (document, URL, POLICY-FACTS section).
    confidence
        One of :data:`CONFIDENCE_TAGS`.
    note
        Caveats, or ``None``.
    profile
        The profile that set the value (``None`` for overrides and unset parameters).

    Examples
    --------
    >>> load_policy("national-2008").provenance("idle.fee_share").confidence
    'V'
    """

    value: Any
    unit: str | None
    source: str
    confidence: str
    note: str | None = None
    profile: str | None = None


# --- reading profiles ------------------------------------------------------------------------


def _builtin_dir() -> Traversable:
    return files("landuse.policy").joinpath("profiles")


def list_policies() -> list[str]:
    """List the built-in policy profiles.

    Returns
    -------
    list of str
        Profile names, sorted, usable with :func:`load_policy`.

    Examples
    --------
    >>> list_policies()  # doctest: +NORMALIZE_WHITESPACE
    ['anhui-devzone', 'anhui-jingde', 'national-2008', 'qingdao-2019', 'qingdao-2019-example',
     'shandong-2019']
    """
    return sorted(
        p.name.removesuffix(".toml")
        for p in _builtin_dir().iterdir()
        if p.name.endswith(".toml") and p.is_file()
    )


def _check_name_or_path(name_or_path: Any, *, caller: str) -> str | os.PathLike[str]:
    """Refuse anything but a str or a str path-like, naming what was received."""
    if isinstance(name_or_path, str) or (
        isinstance(name_or_path, os.PathLike) and isinstance(os.fspath(name_or_path), str)
    ):
        return name_or_path
    msg = (
        f"`name_or_path` passed to {caller}() must be a built-in profile name "
        f"({', '.join(list_policies())}) or the path of a TOML profile (str or pathlib.Path); "
        f"received {type(name_or_path).__name__}."
    )
    raise TypeError(msg)


def _locate(name_or_path: str | os.PathLike[str], *, base: Path | None) -> Path | None:
    """Return the file a profile reference names, or ``None`` for a built-in profile.

    One rule for str and path-like alike: a str that is a built-in profile's name is that
    profile; anything else is a file path (relative to ``base``, the directory of the profile
    that ``extends`` it, if any).
    """
    if isinstance(name_or_path, str) and name_or_path in list_policies():
        return None
    path = Path(name_or_path)
    if base is not None and not path.is_absolute():
        path = base / path
    if path.is_file():
        return path
    text = os.fspath(name_or_path)
    looks_like_name = (
        isinstance(name_or_path, str)
        and not text.lower().endswith(".toml")
        and "/" not in text
        and os.sep not in text
    )
    if looks_like_name:
        msg = (
            f"unknown policy profile {text!r}; available: {', '.join(list_policies())}, "
            "or pass the path of a .toml file"
        )
        raise PolicyError(msg)
    msg = f"policy file not found: {path}"
    if path.name in list_policies():
        msg += f' (the built-in profile is named by text: load_policy("{path.name}"))'
    raise PolicyError(msg)


def _parse_toml(text: str, origin: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        detail = str(exc)
        match = re.search(r"line (\d+)", detail)
        if match:
            lines = text.splitlines()
            lineno = int(match.group(1))
            if 0 < lineno <= len(lines):
                detail += f": `{lines[lineno - 1].strip()}`"
        msg = f"{origin}: TOML syntax error: {detail}"
        raise PolicyError(msg) from exc


def _read_profile(
    name_or_path: str | os.PathLike[str], *, base: Path | None
) -> tuple[str, str, Path | None, dict[str, Any]]:
    """Read one profile; return (name, origin, directory for relative extends, data)."""
    path = _locate(name_or_path, base=base)
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            msg = f"{path}: policy files must be UTF-8 text ({exc})"
            raise PolicyError(msg) from exc
        return path.stem, str(path), path.parent, _parse_toml(text, str(path))
    name = str(name_or_path)
    resource = _builtin_dir().joinpath(f"{name}.toml")
    origin = f"built-in profile {name} ({name}.toml)"
    return name, origin, None, _parse_toml(resource.read_text(encoding="utf-8"), origin)


def _parse_params(data: Mapping[str, Any], *, origin: str, profile: str) -> dict[str, Param]:
    params: dict[str, Param] = {}
    for section, entries in data.items():
        if section in _TOP_LEVEL_KEYS:
            continue
        if section not in SECTIONS:
            msg = (
                f"{origin}: unknown section or top-level key `{section}`; sections: "
                f"{', '.join(SECTIONS)}; top-level keys: {', '.join(_TOP_LEVEL_KEYS)}"
            )
            raise PolicyError(msg)
        if not isinstance(entries, Mapping):
            msg = (
                f"{origin}: `{section}` must be a section of parameters, not {type_name(entries)}"
            )
            raise PolicyError(msg)
        for key, entry in entries.items():
            dotted = f"{section}.{key}"
            check_key(dotted, where=origin)
            params[dotted] = _parse_entry(dotted, entry, origin=origin, profile=profile)
    return params


def _parse_entry(dotted: str, entry: Any, *, origin: str, profile: str) -> Param:
    if not isinstance(entry, Mapping):
        msg = (
            f"{origin}: `{dotted}` must be a table with value, unit, source and confidence "
            f"(write it as [{dotted}] followed by value = ...), got {type_name(entry)}"
        )
        raise PolicyError(msg)
    unknown = [k for k in entry if k not in _ENTRY_KEYS]
    if unknown:
        msg = (
            f"{origin}: `{dotted}` has unknown field(s) {', '.join(unknown)}; "
            f"allowed: {', '.join(_ENTRY_KEYS)}"
        )
        raise PolicyError(msg)
    for name in ("source", "confidence"):
        if name not in entry:
            msg = f"{origin}: `{dotted}` has no `{name}`; a parameter needs source and confidence"
            raise PolicyError(msg)
    source = convert(entry["source"], TEXT_META, (origin, f"{dotted}.source"))
    confidence = convert(entry["confidence"], CONFIDENCE_META, (origin, f"{dotted}.confidence"))
    unit = note = None
    if "unit" in entry:
        unit = convert(entry["unit"], TEXT_META, (origin, f"{dotted}.unit"))
    if "note" in entry:
        note = convert(entry["note"], TEXT_META, (origin, f"{dotted}.note"))
    user_input = entry.get("user_input", False)
    if not isinstance(user_input, bool):
        msg = f"{origin}: `{dotted}.user_input` must be true or false, got {type_name(user_input)}"
        raise PolicyError(msg)
    if "value" in entry:
        section, key = dotted.split(".", 1)
        value = convert(entry["value"], param_meta(section, key), (origin, f"{dotted}.value"))
    elif user_input:
        value = None
    else:
        msg = (
            f"{origin}: `{dotted}` has no `value`; add one, or write user_input = true "
            "if the user must supply it"
        )
        raise PolicyError(msg)
    return Param(value, unit, source, confidence, note, profile)


def _load_chain(
    name_or_path: str | os.PathLike[str],
) -> tuple[list[str], str | None, dict[str, Param], bool]:
    """Follow ``extends``; return (chain child-first, description, merged params, example)."""
    layers: list[tuple[str, str, dict[str, Any]]] = []
    seen: set[str] = set()
    target: str | os.PathLike[str] | None = name_or_path
    base: Path | None = None
    while target is not None:
        name, origin, base, data = _read_profile(target, base=base)
        identity = origin if base is None else str(Path(origin).resolve())
        if identity in seen:
            msg = f"{origin}: `extends` loops back to a profile already in the chain"
            raise PolicyError(msg)
        seen.add(identity)
        layers.append((name, origin, data))
        parent = data.get("extends")
        if parent is not None and (not isinstance(parent, str) or not parent):
            msg = f"{origin}: `extends` must be a profile name or a path, got {type_name(parent)}"
            raise PolicyError(msg)
        target = parent
    params: dict[str, Param] = {}
    description = None
    example = False
    for name, origin, data in reversed(layers):
        params.update(_parse_params(data, origin=origin, profile=name))
        desc = data.get("description")
        if desc is not None:
            description = convert(desc, TEXT_META, (origin, "description"))
        flag = data.get("example", False)
        if not isinstance(flag, bool):
            msg = f"{origin}: `example` must be true or false, got {type_name(flag)}"
            raise PolicyError(msg)
        example = example or flag
    return [name for name, _, _ in layers], description, params, example


def load_policy(name_or_path: str | os.PathLike[str] = "qingdao-2019") -> Policy:
    """Load a policy profile: a built-in name or the path of a TOML file.

    Parameters
    ----------
    name_or_path
        A built-in profile (see :func:`list_policies`), or the path of a TOML file written in
        the same format, as a str or any path-like (:class:`pathlib.Path`). One rule for
        both: a str that is a built-in profile's name loads that profile; anything else is a
        file path (a ``pathlib.Path("qingdao-2019")`` is a file, not the built-in profile).
        A file may ``extends`` a built-in profile or another file (relative to itself).
        Defaults to ``"qingdao-2019"``, the plan's rules on top of the national ones.

    Returns
    -------
    Policy
        Frozen; change values with :meth:`Policy.replace`.

    Raises
    ------
    PolicyError
        Unknown profile, missing file, or a malformed file: TOML syntax (with the line), an
        unknown section or key, a parameter without ``value``, ``source`` or ``confidence``,
        an invalid confidence tag, or a value of the wrong type. The message names the file
        and the key.
    TypeError
        ``name_or_path`` is neither a str nor a path-like (``None``, a number, bytes).

    Examples
    --------
    >>> policy = load_policy()
    >>> policy.name, policy.chain
    ('qingdao-2019', ('qingdao-2019', 'national-2008'))
    >>> policy.control.building_coefficient_min
    0.3
    >>> policy.zone_creation.tax_wan_per_mu_min
    20.0
    >>> load_policy("beijing")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    landuse.errors.PolicyError: unknown policy profile 'beijing'; available: anhui-devzone, ...

    A file, named by a str or a Path:

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "my-rules.toml").write_text('extends = "national-2008"', encoding="utf-8")
    >>> load_policy(folder / "my-rules.toml").chain
    ('my-rules', 'national-2008')
    >>> load_policy(str(folder / "my-rules.toml")).chain
    ('my-rules', 'national-2008')
    """
    chain, description, params, example = _load_chain(
        _check_name_or_path(name_or_path, caller="load_policy")
    )
    logger.debug("loaded policy %s (%d parameters)", " <- ".join(chain), len(params))
    return _build_policy(
        chain[0], tuple(chain), description, params, overrides=(), example=example
    )


def _build_policy(
    name: str,
    chain: tuple[str, ...],
    description: str | None,
    params: Mapping[str, Param],
    *,
    overrides: tuple[str, ...],
    example: bool,
) -> Policy:
    sections = {}
    for section, cls in SECTIONS.items():
        kwargs = {}
        for f in dataclasses.fields(cls):
            param = params.get(f"{section}.{f.name}")
            if param is not None:
                kwargs[f.name] = param.value
        sections[section] = cls(**kwargs)
    ordered = {k: params[k] for k in all_keys() if k in params}
    return Policy(
        name=name,
        chain=chain,
        description=description,
        overrides=overrides,
        example=example,
        _params=MappingProxyType(ordered),
        **sections,
    )


def _short(value: Any, limit: int = 60) -> str:
    text = repr(dict(value) if isinstance(value, MappingProxyType) else value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- the Policy ------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class Policy:
    """A resolved policy profile: one frozen section per TOML section.

    Read values as attributes (``policy.idle.fee_share``); ask where a value comes from with
    :meth:`provenance`; list everything with :meth:`to_frame`. Obtain one with
    :func:`load_policy`.

    Attributes
    ----------
    name
        Profile name (file stem for user files).
    chain
        The profile and the profiles it extends, child first.
    description
        Free-text description from the profile.
    overrides
        Keys changed with :meth:`replace`, in order.
    control, far, idle, inefficient, mujun, standard_land, tenure, multistorey, \
supporting_housing, zone_creation, tiers, assessment, fields, land_price, bank, data_quality
        The sections (:class:`ControlRules`, :class:`FarRules`, …).
    example
        ``True`` when a profile of the chain says ``example = true``: its values illustrate
        the method and are not the city's rules; outputs carry :attr:`example_notice`.

    Examples
    --------
    >>> policy = load_policy("qingdao-2019")
    >>> policy.idle.fee_share
    0.2
    >>> policy.tenure.industrial_max_years
    50.0
    >>> [t.name for t in policy.tiers.levels]
    ['百亿级', '三百亿级', '五百亿级', '千亿级']
    """

    name: str
    chain: tuple[str, ...]
    description: str | None
    control: ControlRules
    far: FarRules
    idle: IdleRules
    inefficient: InefficientRules
    mujun: MujunRules
    standard_land: StandardLandRules
    tenure: TenureRules
    multistorey: MultistoreyRules
    supporting_housing: SupportingHousingRules
    zone_creation: ZoneCreationRules
    tiers: TierRules
    assessment: AssessmentRules
    fields: FieldRules
    land_price: LandPriceRules
    bank: BankRules
    data_quality: DataQualityRules
    example: bool = False
    overrides: tuple[str, ...] = ()
    _params: Mapping[str, Param] = field(default_factory=dict, compare=False)

    def __hash__(self) -> int:
        return hash((self.name, self.chain, self.overrides))

    def __repr__(self) -> str:
        extra = f", overrides={list(self.overrides)}" if self.overrides else ""
        n = len(self._params)
        return f"Policy(name={self.name!r}, chain={self.chain!r}, {n} parameters{extra})"

    @property
    def params(self) -> Mapping[str, Param]:
        """Every parameter set by the profile chain or by overrides, by dotted key.

        Examples
        --------
        >>> load_policy("national-2008").params["control.building_coefficient_min"].value
        0.3
        """
        return self._params

    @property
    def example_notice(self) -> str | None:
        """The notice outputs carry when the profile's values are examples, else ``None``.

        Examples
        --------
        >>> load_policy("qingdao-2019").example_notice is None
        True
        >>> print(load_policy("qingdao-2019-example").example_notice)  # doctest: +ELLIPSIS
        示例参数 example values: ...
        """
        if not self.example:
            return None
        return (
            f"示例参数 example values: 政策配置 {self.name} 含示例数值，结果仅演示方法，"
            "不是青岛市的正式规定 (some values of this profile illustrate the method and are "
            "not the city's rules; see policy.to_frame() for each value's source)"
        )

    def provenance(self, key: str) -> Param:
        """Return a parameter with its unit, source, confidence and note.

        Parameters
        ----------
        key
            Dotted key ``"section.name"``, e.g. ``"control.building_coefficient_min"``.

        Returns
        -------
        Param
            For a valid key the profile chain does not set, ``value`` is ``None`` and
            ``confidence`` is ``"user"``.

        Raises
        ------
        PolicyError
            Unknown section or key (the message lists the valid ones).

        Examples
        --------
        >>> p = load_policy().provenance("zone_creation.new_project_investment_wan_per_mu_min")
        >>> p.value, p.confidence, p.profile
        (280.0, 'V', 'qingdao-2019')
        >>> national = load_policy("national-2008")
        >>> national.provenance("zone_creation.tax_wan_per_mu_min").value is None
        True
        """
        check_key(key, where=f"policy {self.name!r}")
        param = self._params.get(key)
        if param is None:
            source = f"not set by profile(s) {', '.join(self.chain)}"
            note = "supply it with Policy.replace() or in your own TOML profile"
            return Param(None, None, source, "user", note, None)
        return param

    def require(self, key: str) -> Any:
        """Return a parameter's value, raising if the profile leaves it to the user.

        Parameters
        ----------
        key
            Dotted key ``"section.name"``.

        Returns
        -------
        Any
            The value, never ``None``.

        Raises
        ------
        PolicyError
            The key is unknown, or it has no value (e.g. a local value such as
            ``multistorey.subdivision_unit_min_m2``); the message says how to set it.

        Examples
        --------
        >>> policy = load_policy()
        >>> policy.require("idle.fee_share")
        0.2
        >>> policy.replace({"multistorey.subdivision_unit_min_m2": 500}).require(
        ...     "multistorey.subdivision_unit_min_m2")
        500.0
        """
        param = self.provenance(key)
        used = RECORDER.get()
        if used is not None and param.value is not None:
            used.add(key)
        if param.value is None:
            why = f" ({param.note})" if param.note else ""
            msg = (
                f"policy {self.name!r} has no value for `{key}`{why}. Set it with "
                f"policy.replace({{{key!r}: ...}}) or in your own TOML profile"
            )
            raise PolicyError(msg)
        return param.value

    def to_frame(self, *, include_unset: bool = False) -> pd.DataFrame:
        """List every parameter with its provenance, one row per key.

        Parameters
        ----------
        include_unset
            Also list valid keys the profile chain does not set (value ``None``), to see
            what could be supplied.

        Returns
        -------
        pandas.DataFrame
            Columns ``key, section, value, unit, source, confidence, note, profile``, in
            section order. Table values are tuples of rows or mappings; see :meth:`table`.

        Examples
        --------
        >>> df = load_policy().to_frame()
        >>> list(df.columns)
        ['key', 'section', 'value', 'unit', 'source', 'confidence', 'note', 'profile']
        >>> df.set_index("key").loc["control.building_coefficient_min", "confidence"]
        'V'
        """
        keys = all_keys() if include_unset else list(self._params)
        rows = []
        for key in keys:
            p = self.provenance(key)
            rows.append(
                {
                    "key": key,
                    "section": key.split(".", 1)[0],
                    "value": p.value,
                    "unit": p.unit,
                    "source": p.source,
                    "confidence": p.confidence,
                    "note": p.note,
                    "profile": p.profile,
                }
            )
        columns = ["key", "section", "value", "unit", "source", "confidence", "note", "profile"]
        df = pd.DataFrame(rows, columns=columns)
        df["value"] = pd.Series([r["value"] for r in rows], index=df.index, dtype=object)
        return df

    def table(self, key: str) -> pd.DataFrame:
        """Return a table-valued parameter as a DataFrame.

        Parameters
        ----------
        key
            Dotted key of a table or mapping, e.g. ``"far.min_far_by_division"`` or
            ``"mujun.weights_above_scale"``.

        Returns
        -------
        pandas.DataFrame
            One row per table row (columns as in the row class), or ``key, value`` columns
            for a mapping.

        Raises
        ------
        PolicyError
            Unknown key, or the parameter is not a table or has no value.

        Examples
        --------
        >>> load_policy().table("mujun.class_cuts")[["grade", "rank_share_max"]].values.tolist()
        [['A', 0.25], ['B', 0.7], ['C', 0.95], ['D', 1.0]]
        """
        value = self.require(key)
        if isinstance(value, Mapping):
            return pd.DataFrame({"key": list(value), "value": list(value.values())})
        if isinstance(value, tuple) and value and dataclasses.is_dataclass(value[0]):
            return pd.DataFrame([dataclasses.asdict(row) for row in value])
        msg = f"`{key}` is not a table (got {_short(value)}); read it with policy.provenance()"
        raise PolicyError(msg)

    def min_far(
        self, industry_code: str, *, code_version: Literal["2017", "2002"] = "2017"
    ) -> float | None:
        """Return the minimum FAR for an industry, applying the code crosswalk if needed.

        Parameters
        ----------
        industry_code
            GB/T 4754 division code, e.g. ``"36"``. A 3- or 4-digit group/class code
            (``"3670"``) or a section-prefixed code (``"C36"``) is reduced to its division.
        code_version
            Edition of ``industry_code``: ``"2017"`` (default, current statistics) or
            ``"2002"`` (the edition of the 2008 table). A 2017 code goes through
            ``far.crosswalk_2017_to_2002``; where it maps to several 2002 divisions the
            lowest FAR is used (the conservative choice for a minimum).

        Returns
        -------
        float or None
            Minimum FAR, or ``None`` for a division without a value (2017 code 43).

        Raises
        ------
        PolicyError
            Unknown code (the message lists the known codes), invalid ``code_version``, or
            no FAR table in the policy.

        Examples
        --------
        >>> policy = load_policy()
        >>> policy.min_far("36")  # 2017 汽车制造 -> 2002 37 交通运输设备
        0.7
        >>> policy.min_far("29")  # 2017 rubber + plastics: 2002 29 (0.8) and 30 (1.0)
        0.8
        >>> policy.min_far("30", code_version="2002")
        1.0
        >>> policy.min_far("43") is None
        True
        """
        if code_version not in ("2017", "2002"):
            msg = f'`code_version` must be "2017" or "2002", got {code_version!r}'
            raise PolicyError(msg)
        table_rows = self.far.min_far_by_division
        if not table_rows:
            msg = f"policy {self.name!r} has no `far.min_far_by_division` table"
            raise PolicyError(msg)
        table = {row.code: row.min_far for row in table_rows}
        table_version = self.far.code_version or "2002"
        code = industry_division(industry_code)
        if code_version == table_version:
            if code not in table:
                msg = (
                    f"unknown GB/T 4754-{code_version} division {code!r} (from "
                    f"{industry_code!r}) in `far.min_far_by_division`; known: {', '.join(table)}"
                )
                raise PolicyError(msg)
            return table[code]
        crosswalk = {row.code_2017: row for row in self.far.crosswalk_2017_to_2002 or ()}
        if code_version != "2017" or table_version != "2002" or not crosswalk:
            msg = (
                f"policy {self.name!r} has no crosswalk from GB/T 4754-{code_version} codes to "
                f"its {table_version} FAR table; pass code_version={table_version!r} codes"
            )
            raise PolicyError(msg)
        if code not in crosswalk:
            msg = (
                f"unknown GB/T 4754-2017 division {code!r} (from {industry_code!r}) in "
                f"`far.crosswalk_2017_to_2002`; known: {', '.join(crosswalk)}"
            )
            raise PolicyError(msg)
        values = [v for c in crosswalk[code].codes_2002 if (v := table.get(c)) is not None]
        return min(values) if values else None

    def replace(self, values: Mapping[str, Any] | None = None, /, **kwargs: Any) -> Policy:
        """Return a copy with some values overridden.

        Parameters
        ----------
        values
            Dotted keys to new values, e.g. ``{"idle.fee_share": 0.25}``.
        **kwargs
            Section name to a mapping of key to value, e.g. ``idle={"fee_share": 0.25}``.
            Tables take lists of rows (dicts or row objects) or mappings. ``None`` unsets.

        Returns
        -------
        Policy
            A new policy; the original is unchanged. Overridden parameters get confidence
            ``"user"``, source ``"user override"`` and a note recording the previous value.

        Raises
        ------
        PolicyError
            Unknown section or key (the message lists the valid keys of the section), or a
            value of the wrong type.

        Examples
        --------
        >>> policy = load_policy()
        >>> stricter = policy.replace(
        ...     {"idle.fee_share": 0.25}, control={"building_coefficient_min": 0.4}
        ... )
        >>> stricter.idle.fee_share, policy.idle.fee_share
        (0.25, 0.2)
        >>> stricter.provenance("control.building_coefficient_min").confidence
        'user'
        >>> policy.replace({"idle.fee": 0.25})  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        landuse.errors.PolicyError: Policy.replace(): unknown key `idle.fee` ...; valid keys: ...
        """
        where = "Policy.replace()"
        updates: dict[str, Any] = {}
        for key, value in (values or {}).items():
            check_key(str(key), where=where)
            updates[str(key)] = value
        for section, mapping in kwargs.items():
            if section not in SECTIONS:
                msg = f"{where}: unknown section `{section}=`; sections: {', '.join(SECTIONS)}"
                raise PolicyError(msg)
            if not isinstance(mapping, Mapping):
                msg = f"{where}: `{section}=` must map keys to values, got {type_name(mapping)}"
                raise PolicyError(msg)
            for name, value in mapping.items():
                check_key(f"{section}.{name}", where=where)
                updates[f"{section}.{name}"] = value
        params = dict(self._params)
        for key, value in updates.items():
            section, name = key.split(".", 1)
            meta = param_meta(section, name)
            new = None if value is None else convert(value, meta, (where, key))
            old = params.get(key)
            note = f"was {_short(old.value)} ({old.confidence}: {old.source})" if old else None
            params[key] = Param(new, old.unit if old else None, "user override", "user", note, None)
        overrides = self.overrides + tuple(k for k in updates if k not in self.overrides)
        return _build_policy(
            self.name,
            self.chain,
            self.description,
            params,
            overrides=overrides,
            example=self.example,
        )


@contextmanager
def record_keys() -> Iterator[set[str]]:
    """Record the policy keys applied inside a ``with`` block.

    Every parameter with a value an analysis reads (a section attribute,
    :meth:`Policy.require`, :meth:`Policy.table`, :meth:`Policy.min_far`) is added to the
    yielded set; a key read and found unset is not (its rule is not evaluated). Blocks nest
    (an inner block's keys are added to the outer one too). Analyses record their keys in the
    result's ``attrs["policy_keys"]`` this way.

    Yields
    ------
    set of str
        Dotted keys ``"section.key"``, filled as the block runs.

    Examples
    --------
    >>> policy = load_policy()
    >>> with record_keys() as used:
    ...     fee = policy.idle.fee_share * 100
    ...     floor = policy.inefficient.tax_wan_per_mu_min  # unset in qingdao-2019: None
    >>> sorted(used)
    ['idle.fee_share']
    """
    outer = RECORDER.get()
    used: set[str] = set()
    token = RECORDER.set(used)
    try:
        yield used
    finally:
        RECORDER.reset(token)
        if outer is not None:
            outer.update(used)


def industry_division(industry_code: Any) -> str:
    """Reduce a GB/T 4754 industry code to its 2-digit division.

    Parameters
    ----------
    industry_code
        A division, group or class code: ``"36"``, ``"C36"`` (with the section letter),
        ``"3670"``, ``36``, ``"6"`` (read as ``"06"``).

    Returns
    -------
    str
        The 2-digit division code, the key of ``far.min_far_by_division``.

    Raises
    ------
    PolicyError
        For anything that is not 1–4 digits (after an optional section letter), or a bool.

    Examples
    --------
    >>> industry_division("C3670"), industry_division(36), industry_division("6")
    ('36', '36', '06')
    >>> industry_division("汽车")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    landuse.errors.PolicyError: `industry_code` must be a GB/T 4754 division code such as ...
    """
    text = str(industry_code).strip().upper()
    if len(text) > 1 and text[0].isalpha():
        text = text[1:]
    if not text.isdigit() or len(text) > 4 or isinstance(industry_code, bool):
        msg = (
            f"`industry_code` must be a GB/T 4754 division code such as '36' "
            f"(or a 3-4 digit group/class code), got {industry_code!r}"
        )
        raise PolicyError(msg)
    return text.zfill(2)[:2]
