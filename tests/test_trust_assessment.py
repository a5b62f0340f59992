"""Issue 14 / D14: assessment edge cases, on the worked example of test_assessment.py.

Zones A, B, C in 2020 and 2021 (see test_assessment.py for the table and the hand-computed
scores: C 65.14, A 64.67, B 42.14 in 2021 with the qingdao-2019 profile).
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from test_assessment import COLUMNS, worked_stats

import landuse
from landuse.assessment import assess_zones
from landuse.errors import LanduseWarning


@pytest.fixture(scope="module")
def policy() -> landuse.Policy:
    return landuse.load_policy("qingdao-2019")


def test_a_single_zone_is_first_and_not_last(policy):
    # A alone is its own benchmark: every stock ratio is 1 and every increment is positive
    # (revenue +200,000, tax +10,000, firms +2, projects +10, share +.1, intensity +100,
    # output +100), so it scores 100; A meets the 2021 creation conditions.
    stats = worked_stats()
    r = assess_zones(stats[stats["zone_id"] == "A"], year=2021, policy=policy)
    assert r["rank"].tolist() == [1]
    assert r["total_score"].tolist() == [pytest.approx(100.0)]
    assert r["elimination_warning"].tolist() == [False]
    assert r["elimination_reason"].isna().tolist() == [True]


@pytest.mark.parametrize(
    ("bottom", "warned"),
    [
        (1, {"B": "in the last 1 place(s) (rank 3 of 3)"}),
        (2, {"A": "in the last 2 place(s) (rank 2 of 3)", "B": "in the last 2 place(s) (rank 3 of 3)"}),
        (3, {}),  # as many places as zones: nobody is "last"
        (5, {}),
    ],
)
def test_the_bottom_rule_never_flags_every_zone(policy, bottom, warned):
    rule = policy.replace(
        {"assessment.elimination_bottom_count": bottom, "assessment.elimination_failed_years": 0}
    )
    r = assess_zones(worked_stats(), year=2021, policy=rule, lang="en").set_index("zone_id")
    assert r["rank"].to_dict() == {"C": 1, "A": 2, "B": 3}
    got = r.loc[r["elimination_warning"], "elimination_reason"].to_dict()
    assert got == warned


def test_all_zero_statistics_score_zero_with_a_warning(policy):
    stats = worked_stats()
    stats[COLUMNS[2:]] = 0.0
    expected = (
        "assess_zones: 10 benchmark(s) for 2021 are not positive or missing (no zone has a "
        "value above 0, or no zone has the indicator at all), so every zone scores 0 on them: "
        "revenue (stock, benchmark 0), tax (stock, benchmark 0), new_registered_firms (stock, "
        "benchmark 0), investment_projects (stock, benchmark 0), leading_industry_share (stock, "
        "benchmark nan), new_project_investment_intensity (stock, benchmark nan), "
        "output_per_land (stock, benchmark nan), leading_industry_share (increment, benchmark "
        "nan), new_project_investment_intensity (increment, benchmark nan), output_per_land "
        "(increment, benchmark nan). Check the statistics of those indicators, or give them "
        "weight 0."
    )
    with pytest.warns(LanduseWarning, match=re.escape(expected)):
        r = assess_zones(stats, year=2021, policy=policy)
    assert r["zone_id"].tolist() == ["A", "B", "C"]
    assert r["rank"].tolist() == [1, 1, 1]  # all tied first …
    for column in ("total_score", "stock_score", "increment_score"):
        assert r[column].tolist() == [0.0, 0.0, 0.0]
    scores = r.filter(like="_score").drop(columns=["total_score", "stock_score", "increment_score"])
    assert scores.shape == (3, 14)
    assert (scores.to_numpy() == 0.0).all()
    assert r["elimination_warning"].tolist() == [False, False, False]  # … so none is "last"


def test_nobody_improving_scores_zero_without_a_warning(policy):
    # investment projects 2021 = 2020 for A and B, C falls: increments 0, 0, -5 -> benchmark 0;
    # an ordinary year, so no warning (filterwarnings = error would fail the test)
    stats = worked_stats()
    stats.loc[stats["year"] == 2021, "investment_projects"] = [10.0, 10.0, 5.0]
    r = assess_zones(stats, year=2021, policy=policy).set_index("zone_id")
    assert r["investment_projects_increment_score"].to_dict() == {"A": 0.0, "B": 0.0, "C": 0.0}


def test_a_zone_without_the_previous_year_stays_unranked_when_a_benchmark_is_zero(policy):
    stats = worked_stats()
    stats[COLUMNS[2:]] = 0.0
    stats = stats[~((stats["zone_id"] == "B") & (stats["year"] == 2020))]
    with pytest.warns(LanduseWarning, match="benchmark"):
        r = assess_zones(stats, year=2021, policy=policy).set_index("zone_id")
    assert r["rank"].isna().to_dict() == {"A": False, "C": False, "B": True}
    assert r.loc[["A", "C"], "rank"].tolist() == [1, 1]
    assert np.isnan(r.loc["B", "increment_score"])
    assert r.loc[["A", "C"], "total_score"].tolist() == [0.0, 0.0]
