from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from landuse import units


def test_mu_is_exactly_a_fifteenth_of_a_hectare():
    assert units.M2_PER_MU * 15 == pytest.approx(10000.0, abs=1e-9)
    assert units.m2_to_mu(10000.0) == pytest.approx(15.0)  # 100 m x 100 m
    assert units.mu_to_m2(15.0) == pytest.approx(10000.0)
    assert units.m2_to_mu(1_000_000.0) == pytest.approx(1500.0)  # 1 km² = 1500 亩


def test_money():
    assert units.yi_to_wan(1.0) == 10_000.0
    assert units.wan_to_yi(10_000.0) == 1.0
    assert units.yuan_to_wan(10_000.0) == 1.0
    # 280 万元/亩 ≈ 4200 元/m² of land (POLICY-FACTS §8)
    assert units.wan_to_yuan(units.per_mu_to_per_m2(280.0)) == pytest.approx(4200.0)


def test_vectorised():
    s = pd.Series([0.0, 10000.0, 20000.0], index=["a", "b", "c"])
    out = units.m2_to_mu(s)
    assert out.index.tolist() == ["a", "b", "c"]
    np.testing.assert_allclose(out.to_numpy(), [0.0, 15.0, 30.0])
