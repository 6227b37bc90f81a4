"""Where violence happens (issue 18): the shares of attacks and deaths by zone, the kinds of target by camp and the
weekly bursts that experiments/where_violence.py computes, on small hand-made tables with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from experiments.where_violence import (
    burst_statistics,
    burst_table,
    kind_bands,
    kind_shares,
    target_kind,
    zone_bands,
    zone_shares,
)
from sahel_sim.analysis.inference.summaries import record_summaries


def attacks(rows: list[tuple]) -> pd.DataFrame:
    """Attacks from (run, date, zone, camp, target, target_kind, killed, spectacular) tuples."""
    df = pd.DataFrame(rows, columns=["run", "date", "zone", "camp", "target", "target_kind", "killed", "spectacular"])
    df["date"] = pd.to_datetime(df["date"])
    return df


#: run r0 in 2015: three attacks in the north killing 1 each, one in the centre killing 5; run r1 in 2015: one attack
#: in the south killing nothing and one abroad killing 2; nothing in 2014
TABLE = attacks([
    ("r0", "2015-03-02", "north", "AQ", "army", "army_post", 1, False),
    ("r0", "2015-04-06", "north", "AQ", "army", "checkpoint", 1, False),
    ("r0", "2015-05-04", "north", "AQ", "civilian", "", 1, False),
    ("r0", "2015-11-16", "centre", "AQ", "hotel", "hotel", 5, True),
    ("r1", "2015-06-01", "south", "IS", "hotel", "restaurant", 0, True),
    ("r1", "2015-07-06", "abroad", "AQ", "minusma", "un_base", 2, False),
])


def test_an_attack_without_a_site_is_named_by_its_target_type_in_the_groups_own_area():
    assert target_kind(TABLE).tolist() == ["army_post", "checkpoint", "civilian (area)", "hotel", "restaurant",
                                           "un_base"]


def test_each_zone_gets_its_share_of_the_years_attacks_and_of_their_deaths():
    shares = zone_shares(TABLE, ["r0", "r1"], years=(2014, 2015)).set_index(["run", "year", "zone"])
    assert len(shares) == 2 * 2 * 4  # every run, year and zone, zeros included
    r0 = shares.loc[("r0", 2015)]
    assert r0.loc["north", "attacks"] == 3 and r0.loc["north", "deaths"] == 3
    assert r0.loc["north", "attack_share"] == pytest.approx(0.75)
    assert r0.loc["centre", "attack_share"] == pytest.approx(0.25)
    assert r0.loc["centre", "death_share"] == pytest.approx(5 / 8)
    assert r0.loc["south", "attack_share"] == 0.0 and r0.loc["abroad", "death_share"] == 0.0
    r1 = shares.loc[("r1", 2015)]
    assert r1.loc["south", "attack_share"] == pytest.approx(0.5) and r1.loc["abroad", "attack_share"] == 0.5
    assert r1.loc["abroad", "death_share"] == 1.0 and r1.loc["south", "death_share"] == 0.0
    # a year without an attack has nothing to share: NaN, not zero
    assert shares.loc[("r0", 2014), "attack_share"].isna().all()


def test_the_zone_bands_are_medians_over_runs_and_count_the_runs_with_something_to_share():
    bands = zone_bands(zone_shares(TABLE, ["r0", "r1"], years=(2014, 2015))).set_index(["measure", "year", "zone"])
    assert bands.loc[("attacks", 2015, "centre"), "median"] == pytest.approx((0.25 + 0.0) / 2)
    assert bands.loc[("deaths", 2015, "north"), "median"] == pytest.approx((3 / 8 + 0.0) / 2)
    assert bands.loc[("attacks", 2015, "abroad"), "zone_label"] == "neighbours"
    assert bands.loc[("attacks", 2015, "north"), "runs"] == 2 and bands.loc[("attacks", 2014, "north"), "runs"] == 0
    assert bands["q05"].isna().all()  # two runs: no band over seeds


def test_kinds_are_shares_of_each_camps_attacks_in_the_runs_where_the_camp_attacked():
    per_run = kind_shares(TABLE).set_index(["run", "camp", "kind"])
    assert per_run.loc[("r0", "AQ", "army_post"), "share"] == pytest.approx(0.25)
    assert per_run.loc[("r0", "AQ", "hotel"), "spectacular"] == 1
    assert per_run.loc[("r0", "AQ", "hotel"), "spectacular_late"] == 1
    # r1's AQ attack hit a UN base; the kinds AQ hit in r0 are zeros there, so its shares sum to one
    assert per_run.loc[("r1", "AQ", "un_base"), "share"] == 1.0 and per_run.loc[("r1", "AQ", "hotel"), "share"] == 0
    assert per_run.xs("r1", level="run").xs("AQ", level="camp")["share"].sum() == pytest.approx(1.0)
    # the IS camp attacked only in r1: no row of r0 for it
    assert ("r0", "IS") not in per_run.index.droplevel("kind")
    bands = kind_bands(kind_shares(TABLE), n_runs=2).set_index(["camp", "kind"])
    assert bands.loc[("AQ", "army_post"), "pooled_share"] == pytest.approx(1 / 5)
    assert bands.loc[("AQ", "un_base"), "median"] == pytest.approx((0.0 + 1.0) / 2)
    assert bands.loc[("IS", "restaurant"), "runs_with_camp"] == 1
    assert bands.loc[("IS", "restaurant"), "spectacular_2015_2016_per_run"] == pytest.approx(0.5)
    assert bands.loc[("AQ", "hotel"), "attacks_per_run"] == pytest.approx(0.5)


def world(weekly: dict[str, list[float]]) -> pd.DataFrame:
    """Weekly state-based deaths from 2013-01-07, one list per run, and a week of 2011 that does not count."""
    frames = []
    for run, deaths in weekly.items():
        dates = pd.date_range("2013-01-07", periods=len(deaths), freq="7D")
        frames.append(pd.DataFrame({"run": run, "date": [pd.Timestamp("2011-06-06"), *dates],
                                    "state_based_deaths": [500.0, *deaths]}))
    return pd.concat(frames, ignore_index=True)


def test_weekly_bursts_are_the_variance_to_mean_and_quiet_weeks_of_each_run_in_2012_2016():
    per_run = burst_statistics(world({"r0": [0, 0, 10, 0, 2], "r1": [1, 1, 1, 1]}), ["r0", "r1"]).set_index("run")
    # r0: mean 2.4, sample variance 18.8; the 2011 week is left out
    assert per_run.loc["r0", "variance_to_mean"] == pytest.approx(18.8 / 2.4)
    assert per_run.loc["r0", "zero_share"] == pytest.approx(0.6)
    assert per_run.loc["r0", "largest_week"] == 10
    assert per_run.loc["r1", "variance_to_mean"] == 0.0 and per_run.loc["r1", "zero_share"] == 0.0


def test_the_bursts_table_sets_the_record_of_the_inference_summaries_beside_the_model():
    per_run = pd.DataFrame({"run": ["a", "b", "c"], "variance_to_mean": [10.0, 20.0, 30.0],
                            "zero_share": [0.5, 0.6, 0.7], "lag1_autocorrelation": [0.1, 0.2, 0.3],
                            "largest_week": [50.0, 60.0, 70.0]})
    table = burst_table(per_run).set_index("statistic")
    record = record_summaries()
    assert table.loc["variance_to_mean", "record"] == record["weekly_variance_to_mean"]
    assert table.loc["zero_share", "record"] == record["weekly_zero_share"]
    assert table.loc["variance_to_mean", "record"] == pytest.approx(77.9, abs=0.05)  # UCDP GED 20.1, 2012-2016
    assert table.loc["variance_to_mean", "model_median"] == 20.0
    assert np.isnan(table.loc["variance_to_mean", "model_q05"])  # three runs: no range over seeds
    # P16's tolerance: a factor 2 around the record's ratio, +-0.10 around its share of quiet weeks
    assert table.loc["variance_to_mean", "p16_low"] == pytest.approx(record["weekly_variance_to_mean"] / 2)
    assert table.loc["zero_share", "p16_high"] == pytest.approx(record["weekly_zero_share"] + 0.10)


def test_from_a_posterior_each_replicate_runs_a_drawn_parameter_set_to_the_end_of_2016(tmp_path):
    from sahel_sim.analysis.experiment import sweep_command
    from tests.test_propagation import BASE_RATE, experiment, synthetic_posterior

    exp = experiment("where_violence", f"experiment.posterior={synthetic_posterior(tmp_path / 'posterior.parquet')}")
    replicates = exp.scales["full"].replicates
    assert replicates >= 30  # issue 18: at least 30 seeds of the history to 2016
    cmd = sweep_command(exp, "full", tmp_path / "out" / "runs", [])
    assert "calendar.end=2016-12-26" in cmd and f"design.row=range(0,{replicates})" in cmd
    draws = pd.read_csv(tmp_path / "out" / "posterior_draws.csv")
    assert list(draws["replicate"]) == list(range(replicates)) and BASE_RATE in draws.columns


@pytest.mark.slow  # a smoke sweep of three runs to 2016 from a synthetic posterior (~15 s)
def test_the_smoke_experiment_from_a_posterior_says_its_parameters_were_drawn(tmp_path):
    import subprocess
    import sys

    from tests.test_propagation import synthetic_posterior

    posterior = synthetic_posterior(tmp_path / "posterior.parquet")
    p = subprocess.run([sys.executable, "-m", "sahel_sim", "experiment=where_violence", "scale=smoke",
                        f"experiment.posterior={posterior}"], cwd=tmp_path, capture_output=True, text=True,
                       timeout=600)
    assert p.returncode == 0, p.stderr[-3000:]
    out = tmp_path / "outputs" / "experiments" / "where_violence" / "smoke"
    top = (out / "findings.md").read_text().split("Question:")[0]
    assert "drawn from a posterior" in top and "world `both`" in top
    assert (out / "posterior_draws.csv").is_file() and (out / "where_violence_zones.csv").is_file()
