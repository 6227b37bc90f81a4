"""Screening the unsourced parameters (issue 19, item 2) and the inference's fast particle configs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sahel_sim.analysis.inference import screening as S
from sahel_sim.analysis.inference.abc import PRIORS, Simulator, _key


def test_a_default_is_screened_from_half_to_one_and_a_half_times_itself_inside_its_declared_range():
    assert S.screening_range(2.0, 0.0, 50.0, False) == (1.0, 3.0)
    assert S.screening_range(-5.0, -30.0, 10.0, False) == (-7.5, -2.5)
    assert S.screening_range(0.8, 0.0, 1.0, False) == pytest.approx((0.7, 0.9))  # about the complement
    assert S.screening_range(1.0, 0.0, 1.0, False) == (0.5, 1.0)
    assert S.screening_range(0.0, -20.0, 20.0, False) == (-0.5, 0.5)
    assert S.screening_range(0.0, 0.0, 1.0, False) == (0.0, 0.5)  # clipped at the declared range
    assert S.screening_range(3.0, 0.0, 4.0, False) == (1.5, 4.0)
    lo, hi = S.screening_range(2, 0, 10, True)  # integers: whole values, at least two apart
    assert (lo, hi) == (1.0, 3.0)


def test_every_unsourced_parameter_is_screened_and_the_sourced_and_the_dials_are_not():
    ranges = S.screened_parameters()
    assert set(PRIORS) <= set(ranges)
    assert all(ranges[k] == PRIORS[k] for k in PRIORS)  # a parameter with a prior is screened over it
    assert "mechanisms.attacks.alpha" not in ranges  # sourced: Clauset, Young & Gleditsch 2007
    assert "map.mali_population" not in ranges
    assert not set(S.EXCLUDED) & set(ranges)
    assert "mechanisms.attacks.targets.hotel.appeal" in ranges  # dict entries are parameters too
    assert all(lo < hi for lo, hi in ranges.values())
    assert len(ranges) > 250


def test_the_committed_screening_design_is_the_one_the_rule_gives():
    assert S.main(["--check"]) == 0


def _mu(rows: dict[str, list[float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, index=["deaths_2013", "weekly_zero_share"]).T


FLOOR = pd.Series({"deaths_2013": 1.0, "weekly_zero_share": 2.0})


def test_a_parameter_is_influential_only_where_its_effects_exceed_the_noise_floor():
    mu = _mu({"loud": [1.2, 5.0], "quiet": [1.9, 3.8], "unread": [0.0, 0.0], "loud_on_one": [3.0, 0.1]})
    verdict = S.classify(mu, FLOOR).set_index("parameter")
    assert verdict.loc["loud", "verdict"] == "influential"
    assert verdict.loc["loud", "summary"] == "weekly_zero_share"
    assert verdict.loc["loud", "ratio"] == pytest.approx(2.5)
    assert verdict.loc["quiet", "verdict"] == "not shown to matter"  # 1.9x, under the 2x rule
    assert verdict.loc["unread", "verdict"] == "inactive"
    assert verdict.loc["loud_on_one", "verdict"] == "influential"  # one summary is enough


def test_a_floor_of_seeds_that_never_moved_the_runs_is_refused():
    with pytest.raises(ValueError, match="random stream"):
        S.classify(_mu({"a": [1.0, 1.0]}), pd.Series({"deaths_2013": 0.0, "weekly_zero_share": 1.0}))


def test_the_noise_floor_is_the_mean_seed_difference_over_morris_s_step_in_each_summary_s_scale():
    first = pd.DataFrame({"design.row": [0, 0, 1, 1], "metric": ["deaths_2013", "weekly_zero_share"] * 2,
                          "value": [100.0, 0.5, 200.0, 0.6]})
    second = first.assign(value=[130.0, 0.5, 190.0, 0.7])
    floor = S.noise_floor(first, second, {"deaths_2013": 10.0, "weekly_zero_share": 0.1})
    assert floor["deaths_2013"] == pytest.approx((30 + 10) / 2 / S.MORRIS_STEP / 10.0)
    assert floor["weekly_zero_share"] == pytest.approx((0 + 0.1) / 2 / S.MORRIS_STEP / 0.1)


def test_the_rows_run_again_for_the_floor_are_the_same_for_the_same_seed_and_fit_the_design():
    assert S.noise_rows(3270, 5, 10) == S.noise_rows(3270, 5, 10)
    assert len(S.noise_rows(3270, 5, 10)) == 100  # ten per trajectory
    assert len(S.noise_rows(327, 5, 1)) == 10
    assert S.noise_rows(7, 5, 1) == list(range(7))


def test_mu_star_is_put_in_units_of_each_summary_s_scale():
    indices = pd.DataFrame({"parameter": ["a", "a"], "metric": ["deaths_2013", "weekly_zero_share"],
                            "mu_star": [300.0, 0.1]})
    mu = S.scaled_mu_star(indices, {"deaths_2013": 150.0, "weekly_zero_share": 0.05})
    assert mu.loc["a"].tolist() == [2.0, 2.0]


@pytest.mark.parametrize("world", ["both", "global_only", "neither"])
def test_a_particle_s_config_is_the_one_its_values_composed_as_overrides_give(world):
    from sahel_sim.analysis.schema import load_config

    rng = np.random.default_rng(7)
    sim = Simulator(world)
    for _ in range(2):
        params = {_key(k): float(rng.uniform(a, b)) for k, (a, b) in PRIORS.items()}
        params[_key("mechanisms.attacks.retaliation_weight")] = 3.3  # a world that switches it off keeps it off
        assert sim.config(params) == load_config(sim.overrides(params), seed=sim.seed(params))
    if world != "both":
        assert sim.config(params).mechanisms.attacks.retaliation_weight == 0


def test_the_influential_parameters_of_the_screening_get_priors_over_their_screened_ranges(tmp_path):
    from sahel_sim.analysis.inference.abc import screened_priors

    table = tmp_path / "screening.csv"
    pd.DataFrame({"parameter": ["mechanisms.attention.retention", "mechanisms.claims.claim_probability",
                                "mechanisms.alliances.split_base"],
                  "verdict": ["influential", "not shown to matter", "inactive"],
                  "ratio": [3.1, 1.2, 0.0], "low": [0.775, 0.175, 0.0], "high": [0.925, 0.525, 0.001]}
                 ).to_csv(table, index=False)
    assert screened_priors(table) == {"mechanisms.attention.retention": (0.775, 0.925)}
    assert screened_priors(tmp_path / "none.csv") == {}


def test_an_inference_that_would_stop_on_a_negative_time_or_an_impossible_acceptance_is_refused(capsys):
    from sahel_sim.analysis.inference.abc import main

    for args, field in ((["--max-minutes", "-1"], "--max-minutes"), (["--min-acceptance", "1.5"], "--min-acceptance"),
                        (["--population", "0"], "--population")):
        with pytest.raises(SystemExit):
            main(["unused", *args])
        err = capsys.readouterr().err
        assert field in err and "allowed" in err
