"""Units used in Chinese land administration: 亩 (mu), 公顷, 万元, 亿元.

Canonical units in landuse: areas in m² (``_m2``), money in 万元 (``_wan``),
per-area figures per 亩 (``_per_mu``). 1 亩 = 10000/15 m² exactly, so 15 亩 = 1 ha.
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import pandas as pd

__all__ = [
    "M2_PER_HA",
    "M2_PER_KM2",
    "M2_PER_MU",
    "MU_PER_HA",
    "YUAN_PER_WAN",
    "YUAN_PER_YI",
    "ha_to_m2",
    "m2_to_ha",
    "m2_to_mu",
    "mu_to_m2",
    "per_mu_to_per_m2",
    "wan_to_yi",
    "wan_to_yuan",
    "yi_to_wan",
    "yuan_to_wan",
]

#: Square metres in one 亩 (mu): exactly 10000/15 = 666.666… m².
M2_PER_MU: float = 10000.0 / 15.0
#: Square metres in one hectare (公顷).
M2_PER_HA: float = 10000.0
#: Square metres in one km².
M2_PER_KM2: float = 1_000_000.0
#: 亩 per hectare: exactly 15.
MU_PER_HA: float = 15.0
#: 元 in one 万元.
YUAN_PER_WAN: float = 10_000.0
#: 元 in one 亿元.
YUAN_PER_YI: float = 100_000_000.0

T = TypeVar("T", float, np.ndarray, pd.Series)


def m2_to_mu(area_m2: T) -> T:
    """Convert square metres to 亩.

    Examples
    --------
    >>> m2_to_mu(10000.0)  # a 100 m x 100 m parcel
    15.0
    """
    return area_m2 / M2_PER_MU


def mu_to_m2(area_mu: T) -> T:
    """Convert 亩 to square metres.

    Examples
    --------
    >>> round(mu_to_m2(1.0), 2)
    666.67
    """
    return area_mu * M2_PER_MU


def m2_to_ha(area_m2: T) -> T:
    """Convert square metres to hectares (公顷).

    Examples
    --------
    >>> m2_to_ha(25000.0)
    2.5
    """
    return area_m2 / M2_PER_HA


def ha_to_m2(area_ha: T) -> T:
    """Convert hectares (公顷) to square metres.

    Examples
    --------
    >>> ha_to_m2(2.0)
    20000.0
    """
    return area_ha * M2_PER_HA


def yuan_to_wan(amount_yuan: T) -> T:
    """Convert 元 to 万元.

    Examples
    --------
    >>> yuan_to_wan(2_800_000.0)
    280.0
    """
    return amount_yuan / YUAN_PER_WAN


def wan_to_yuan(amount_wan: T) -> T:
    """Convert 万元 to 元.

    Examples
    --------
    >>> wan_to_yuan(20.0)
    200000.0
    """
    return amount_wan * YUAN_PER_WAN


def yi_to_wan(amount_yi: T) -> T:
    """Convert 亿元 to 万元 (1 亿元 = 10 000 万元).

    Examples
    --------
    >>> yi_to_wan(100.0)
    1000000.0
    """
    return amount_yi * (YUAN_PER_YI / YUAN_PER_WAN)


def wan_to_yi(amount_wan: T) -> T:
    """Convert 万元 to 亿元.

    Examples
    --------
    >>> wan_to_yi(1_000_000.0)
    100.0
    """
    return amount_wan / (YUAN_PER_YI / YUAN_PER_WAN)


def per_mu_to_per_m2(value_per_mu: T) -> T:
    """Convert a per-亩 intensity to per-m² (e.g. 万元/亩 → 万元/m²).

    Examples
    --------
    >>> round(per_mu_to_per_m2(280.0) * 10000, 1)  # 280 万元/亩 in 元/m²
    4200.0
    """
    return value_per_mu / M2_PER_MU
