"""The argument checks every analysis shares: one contract per concept, in one place.

Each public function checks its arguments once, at its top, and passes ``caller`` (its own
name) to these helpers so that a message names the function the user called, never an inner
helper. The contracts:

``policy``
    Every function that applies a policy number takes ``policy`` as a required keyword: a
    :class:`~landuse.policy.Policy`, a built-in profile name (``"qingdao-2019"``,
    ``"national-2008"``) or a path to a TOML profile. :func:`resolve_policy` turns any of them
    into a ``Policy``; nothing else is accepted, and nothing is loaded silently.
``lang``
    ``"zh"`` (the default everywhere) or ``"en"``: :data:`Lang`, :func:`check_lang`.
``as_of``
    The reference date of a date rule: anything :class:`pandas.Timestamp` reads (``"2021-12-31"``,
    a ``date``, a ``Timestamp``), at day resolution, without time zone: :func:`resolve_as_of`.
frames
    :func:`check_frame` requires a (Geo)DataFrame; :func:`check_projected` (from
    :mod:`landuse.crs`) requires a projected CRS in metres.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from typing import Any, Literal, TypeAlias, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd

from landuse.crs import check_projected, check_same_crs
from landuse.policy import Policy, list_policies, load_policy, record_keys

__all__ = [
    "Lang",
    "PolicyLike",
    "check_frame",
    "check_lang",
    "check_projected",
    "check_same_crs",
    "records_policy",
    "resolve_as_of",
    "resolve_policy",
]

#: The languages of every text landuse writes: Chinese (default) or English.
Lang: TypeAlias = Literal["zh", "en"]
#: What ``policy=`` accepts everywhere: a Policy, a built-in profile name, or a TOML path.
PolicyLike: TypeAlias = Policy | str | os.PathLike[str]

_F = TypeVar("_F", bound=Callable[..., Any])
#: The policies :func:`resolve_policy` returned while a :func:`records_policy` call runs.
_RESOLVED: ContextVar[list[Policy] | None] = ContextVar("landuse_resolved", default=None)


def _plain(value: Any) -> Any:
    """Return a policy value as plain data (lists, dicts, numbers, text) for ``attrs``."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


def _applied(policy: Policy, keys: set[str]) -> dict[str, dict[str, Any]]:
    """Return the applied parameters (value, unit, source, confidence, note, profile)."""
    out = {}
    for key in sorted(keys):
        p = policy.provenance(key)
        out[key] = {
            "value": _plain(p.value),
            "unit": p.unit,
            "source": p.source,
            "confidence": p.confidence,
            "note": p.note,
            "profile": p.profile,
        }
    return out


def records_policy(func: _F) -> _F:
    """Decorate a public analysis: its result records the policy keys it applied.

    The keys go to ``result.attrs["policy_keys"]`` (a sorted tuple) when the result has
    ``attrs`` (a DataFrame or GeoDataFrame; for a tuple of frames, each frame), so outputs can
    list the parameters, their sources and confidence, and tests can check that no
    unsourced value was applied. ``attrs["policy_params"]`` keeps each applied parameter as
    plain data (value, unit, source, confidence, note, profile) from the policy the analysis
    resolved — what an override or a user's TOML file set, not the built-in profile of the
    same name; ``attrs["example_notice"]`` is set when that policy is an example profile.

    Examples
    --------
    >>> import pandas as pd
    >>> from landuse.policy import load_policy
    >>> @records_policy
    ... def fee(price: float) -> pd.DataFrame:
    ...     return pd.DataFrame({"fee": [price * load_policy().idle.fee_share]})
    >>> fee(100.0).attrs["policy_keys"]
    ('idle.fee_share',)
    >>> @records_policy
    ... def fee2(price: float, policy: Any) -> pd.DataFrame:
    ...     policy = resolve_policy(policy, caller="fee2")
    ...     return pd.DataFrame({"fee": [price * policy.idle.fee_share]})
    >>> out = fee2(100.0, load_policy().replace({"idle.fee_share": 0.25}))
    >>> p = out.attrs["policy_params"]["idle.fee_share"]
    >>> p["value"], p["confidence"]
    (0.25, 'user')
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        token = _RESOLVED.set([])
        try:
            with record_keys() as used:
                result = func(*args, **kwargs)
            resolved = _RESOLVED.get() or []
        finally:
            _RESOLVED.reset(token)
        outer = _RESOLVED.get()
        if outer is not None:
            outer.extend(resolved)
        policy = resolved[0] if resolved else None
        frames = result if isinstance(result, tuple) else (result,)
        for frame in frames:
            attrs = getattr(frame, "attrs", None)
            if not isinstance(attrs, dict):
                continue
            keys = used | set(attrs.get("policy_keys", ()))
            attrs["policy_keys"] = tuple(sorted(keys))
            if policy is not None:
                params = dict(attrs.get("policy_params") or {})
                params.update(_applied(policy, used))
                attrs["policy_params"] = {k: params[k] for k in sorted(params)}
                if policy.example_notice is not None:
                    attrs["example_notice"] = policy.example_notice
        return result

    return wrapper  # type: ignore[return-value]


#: Layers that have a landuse reader, for the hint in :func:`check_frame`'s message.
_READERS = ("zones", "functional_areas", "parcels", "buildings", "proposals", "zone_stats")


def resolve_policy(policy: Any, *, caller: str) -> Policy:
    """Return the :class:`~landuse.policy.Policy` that ``policy`` names.

    Parameters
    ----------
    policy
        A ``Policy`` (returned as it is), a built-in profile name, or a path to a TOML profile
        (loaded with :func:`landuse.load_policy`).
    caller
        The public function the user called, named in the message.

    Returns
    -------
    Policy

    Raises
    ------
    TypeError
        For anything else (``None`` included), naming the caller and what it received.
    PolicyError
        For an unknown profile name or a malformed file (from :func:`landuse.load_policy`).

    Examples
    --------
    >>> resolve_policy("qingdao-2019", caller="f").name
    'qingdao-2019'
    >>> resolve_policy(None, caller="check_new_land")
    Traceback (most recent call last):
    ...
    TypeError: `policy` passed to check_new_land() must be a landuse.Policy, a built-in profile name (anhui-devzone, anhui-jingde, national-2008, qingdao-2019, qingdao-2019-example, shandong-2019) or a path to a TOML profile; received None. Pass e.g. policy="qingdao-2019".
    """
    if isinstance(policy, (str, os.PathLike)):
        policy = load_policy(policy)
    if isinstance(policy, Policy):
        resolved = _RESOLVED.get()
        if resolved is not None:
            resolved.append(policy)
        return policy
    received = "None" if policy is None else type(policy).__name__
    msg = (
        f"`policy` passed to {caller}() must be a landuse.Policy, a built-in profile name "
        f"({', '.join(list_policies())}) or a path to a TOML profile; received {received}. "
        'Pass e.g. policy="qingdao-2019".'
    )
    raise TypeError(msg)


def check_lang(lang: Any, *, caller: str) -> Lang:
    """Return ``lang`` if it is ``"zh"`` or ``"en"``; raise ValueError naming ``caller`` if not.

    Examples
    --------
    >>> check_lang("en", caller="f")
    'en'
    >>> check_lang("fr", caller="map_parcels")
    Traceback (most recent call last):
    ...
    ValueError: `lang` passed to map_parcels() must be "zh" or "en"; received 'fr'.
    """
    if isinstance(lang, str) and lang in ("zh", "en"):
        return lang  # type: ignore[return-value]
    msg = f'`lang` passed to {caller}() must be "zh" or "en"; received {lang!r}.'
    raise ValueError(msg)


def resolve_as_of(as_of: Any, *, caller: str) -> np.datetime64:
    """Return the reference date ``as_of`` as ``datetime64[D]`` (time and time zone dropped).

    Examples
    --------
    >>> resolve_as_of("2021-12-31", caller="f")
    np.datetime64('2021-12-31')
    >>> resolve_as_of("31/31/2021", caller="find_idle_land")
    Traceback (most recent call last):
    ...
    ValueError: `as_of` passed to find_idle_land() must be a date such as '2021-12-31'; received '31/31/2021'.
    """
    msg = f"`as_of` passed to {caller}() must be a date such as '2021-12-31'; received {as_of!r}."
    if as_of is None or isinstance(as_of, bool):
        raise ValueError(msg)
    try:
        ts = pd.Timestamp(as_of)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValueError(msg) from exc
    if pd.isna(ts):
        raise ValueError(msg)
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    return np.datetime64(ts.date(), "D")


def check_frame(obj: Any, *, name: str, caller: str, geometry: bool = True) -> pd.DataFrame:
    """Return ``obj`` if it is a GeoDataFrame (a DataFrame when ``geometry=False``).

    Parameters
    ----------
    obj
        The argument.
    name
        The argument's name (``"parcels"``); a layer with a landuse reader gets a hint to it.
    caller
        The public function the user called.
    geometry
        Require a GeoDataFrame (default) or any DataFrame.

    Raises
    ------
    TypeError
        Naming the argument, the caller and the type received.

    Examples
    --------
    >>> check_frame([1, 2], name="parcels", caller="parcel_metrics")
    Traceback (most recent call last):
    ...
    TypeError: `parcels` passed to parcel_metrics() must be a GeoDataFrame (e.g. from landuse.read_parcels); received list.
    """
    wanted = gpd.GeoDataFrame if geometry else pd.DataFrame
    if isinstance(obj, wanted):
        return obj
    what = "GeoDataFrame" if geometry else "DataFrame"
    hint = f" (e.g. from landuse.read_{name})" if name in _READERS else ""
    msg = f"`{name}` passed to {caller}() must be a {what}{hint}; received {type(obj).__name__}."
    raise TypeError(msg)
