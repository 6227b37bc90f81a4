"""The projection to 2019's tables (issue 19, item 8): spectacular attacks a year as a mean and a share of runs, and
the yearly bands over runs."""

from __future__ import annotations

import pandas as pd
import pytest

from experiments.projection import bands, spectacular_years


def test_spectacular_attacks_a_year_are_a_mean_a_run_and_a_share_of_runs_with_one_or_more():
    per_run = pd.DataFrame({"run": [0, 1, 2, 3, 0, 1, 2, 3], "year": [2017] * 4 + [2018] * 4,
                            "spectaculars": [0, 0, 1, 3, 0, 0, 0, 0], "battle_deaths": [1, 2, 3, 4, 5, 6, 7, 8]})
    s = spectacular_years(per_run)
    assert s.loc[2017, "mean"] == pytest.approx(1.0) and s.loc[2017, "share_with_one"] == pytest.approx(0.5)
    assert s.loc[2018, "mean"] == 0 and s.loc[2018, "share_with_one"] == 0
    b = bands(per_run).set_index(["year", "statistic"])
    assert b.loc[(2017, "battle_deaths"), "q50"] == pytest.approx(2.5)
    assert b.loc[(2018, "spectaculars"), "q95"] == 0
