"""The inference's report, experiment=inference (issue 19, output contract): the worlds, the parameters against
their priors, and the record's summaries predicted from the posterior."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from experiments.inference import parameter_posterior, predictive_check
from sahel_sim.analysis.inference.summaries import CALIBRATION, SUMMARIES, record_summaries
from sahel_sim.analysis.schema import load_config
from sahel_sim.core.params import ConfigError

BASE_RATE, CLASH = "mechanisms.attacks.base_rate", "mechanisms.territory.clash_rate"


def test_a_parameter_the_record_pins_down_contracts_and_one_it_does_not_stays_at_its_prior():
    rng = np.random.default_rng(1)
    n = 4000
    posterior = pd.DataFrame({"world": "both", BASE_RATE: rng.normal(0.25, 0.005, n),
                              CLASH: rng.uniform(0.0, 0.04, n), "weight": 1.0 / n})
    table = parameter_posterior(posterior, {BASE_RATE: [0.15, 0.35], CLASH: [0.0, 0.04]}).set_index("parameter")
    assert table.loc[BASE_RATE, "median"] == pytest.approx(0.25, abs=0.002)
    assert table.loc[BASE_RATE, "contraction"] > 0.9
    assert abs(table.loc[CLASH, "contraction"]) < 0.05


def test_the_predictive_check_says_which_summaries_of_the_record_fall_inside_the_runs_90_percent_range():
    record = record_summaries()
    rows = []
    for k in range(20):
        for s in SUMMARIES:  # deaths of 2013 far from the record, everything else spread around it
            value = record[s.name] * 10 + 1000 if s.name == "deaths_2013" else record[s.name] + (k - 9.5) * s.scale
            rows.append({"run": k, "metric": s.name, "value": value})
    check = predictive_check(pd.DataFrame(rows), record).set_index("summary")
    assert not check.loc["deaths_2013", "inside_90"]
    assert check.loc["deaths_2012", "inside_90"] and check.loc["weekly_largest", "inside_90"]
    assert check.loc["deaths_2012", "role"] == CALIBRATION and check.loc["weekly_largest", "role"] != CALIBRATION
    assert (check["runs"] == 20).all()
    window = predictive_check(pd.DataFrame(rows), record, fitted=["deaths_2012", "deaths_2013"]).set_index("summary")
    assert window.loc["deaths_2013", "role"] == CALIBRATION  # a fit on a window: what it saw is fitted,
    assert window.loc["deaths_2016", "role"] != CALIBRATION  # every other summary held out for it


def test_the_report_without_a_posterior_is_refused_naming_the_field():
    with pytest.raises(ConfigError, match=r"experiment\.posterior.*allowed"):
        load_config(["experiment=inference"])


@pytest.mark.slow
def test_a_smoke_report_from_a_posterior_writes_the_contract_s_tables(tmp_path):
    from tests.test_propagation import synthetic_posterior

    posterior = synthetic_posterior(tmp_path / "posterior.parquet")
    (tmp_path / "inference.json").write_text(json.dumps({
        "generations": 1, "simulations": 12, "population": 6, "summaries": ["deaths_2012"],
        "priors": {BASE_RATE: [0.15, 0.35], CLASH: [0.002, 0.03]},
        "per_generation": [{"t": 0, "epsilon": 2.0, "samples": 12, "acceptance": 0.5,
                            "world_probabilities": {"both": 0.7, "local_only": 0.3}}]}))
    p = subprocess.run([sys.executable, "-m", "sahel_sim", "experiment=inference", "scale=smoke",
                        f"experiment.posterior={posterior}", "calendar.end=2012-12-31"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-3000:]
    out = tmp_path / "outputs" / "experiments" / "inference" / "smoke"
    probabilities = pd.read_csv(out / "model_probabilities.csv")
    assert probabilities.set_index("world")["probability"].to_dict() == pytest.approx(
        {"both": 0.7 / 1.0, "global_only": 0.0, "local_only": 0.3, "neither": 0.0})
    assert pd.read_parquet(out / "posterior.parquet").equals(pd.read_parquet(posterior))
    check = pd.read_csv(out / "posterior_predictive.csv")
    assert set(check["summary"]) == {s.name for s in SUMMARIES} and (check["runs"] == 3).all()
    findings = (out / "findings.md").read_text()
    assert "drawn from a posterior" in findings and "1 generations, 12 simulations" in findings
    for name in ("posterior.png", "posterior_predictive.png"):
        assert (out / name).stat().st_size > 10_000


# --- the output contract's other parts, gathered from their runs ---------------------------------------------------


def test_the_calibrated_range_of_a_coverage_and_wilsons_interval_are_the_textbook_ones():
    from experiments.inference import binomial_band, wilson

    lo, hi = binomial_band(20, 0.9)
    assert (lo, hi) == (0.75, 1.0)  # Binomial(20, 0.9): 2.5% and 97.5% quantiles 15 and 20
    assert binomial_band(100, 0.5) == pytest.approx((0.4, 0.6), abs=0.011)
    a, b = wilson(8, 20)
    assert a == pytest.approx(0.2188, abs=1e-3) and b == pytest.approx(0.6134, abs=1e-3)


def synthetic_recovery(folder, records: int = 20):
    """A recovery run's three tables: parameter a covers its truth as a calibrated method does; b is over-confident;
    records of both worlds attributed right 3 times in 4."""
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"record": [0], "world": ["both"], "parameter": ["a"], "true": [0.5], "lo50": [0.4], "hi50": [0.6],
                  "lo90": [0.2], "hi90": [0.8]}).to_csv(folder / "recovery.csv", index=False)
    pd.DataFrame({"parameter": ["mechanisms.a", "mechanisms.b"], "records": [records, records],
                  "cover50": [0.5, 0.2], "cover90": [0.9, 0.45], "width90_over_prior": [0.9, 0.3]}).to_csv(
        folder / "coverage.csv", index=False)
    worlds = ["both", "neither"] * 4
    attributed = ["both", "neither", "both", "both", "both", "neither", "neither", "neither"]
    pd.DataFrame({"record": range(8), "true_world": worlds, "attributed_world": attributed,
                  "p_both": 0.5, "p_neither": 0.5}).to_csv(folder / "model_recovery.csv", index=False)
    return folder


def test_the_report_gathers_recovery_and_says_which_parameters_are_over_confident(tmp_path):
    from experiments.inference import recovery_report

    out = tmp_path / "out"
    out.mkdir()
    lines = "\n".join(recovery_report(synthetic_recovery(tmp_path / "rec"), out, "footer"))
    assert (out / "recovery.csv").read_bytes() == (tmp_path / "rec" / "recovery.csv").read_bytes()
    assert (out / "recovery.png").stat().st_size > 10_000
    assert "90% intervals of 1 of 2 parameters" in lines and "Over-confident (coverage below that range): 1: " \
        "`mechanisms.b` (0.45)" in lines
    assert "6 of 8 records attributed to the world that made them (0.75" in lines
    assert "Fewer than 20 records" not in lines
    few = "\n".join(recovery_report(synthetic_recovery(tmp_path / "few", records=5), out, "footer"))
    assert "Fewer than 20 records (5)" in few
    assert "right side of" not in lines  # a table of the four worlds: no pair accuracy
    (tmp_path / "rec" / "pair_accuracy.json").write_text('{"pooled": 0.578, "both": 0.42, "neither_channel": 0.81}')
    channel = "\n".join(recovery_report(tmp_path / "rec", out, "footer"))
    assert "the rivalry acts on attack choice" in channel and ": 0.578 (chance 0.5; by world: both 0.42, " \
        "neither channel 0.81)" in channel and "asks 0.65" in channel


def test_the_report_gathers_a_forecast_and_a_projection_and_names_what_it_did_not_gather(tmp_path):
    from types import SimpleNamespace

    from experiments.inference import gathered

    forecast = tmp_path / "forecast"
    forecast.mkdir()
    pd.DataFrame({"target": ["weekly_deaths"], "metric": ["crps"], "model_score": [2.0], "baseline": ["nb_ingarch"],
                  "baseline_score": [1.6], "skill": [-0.25]}).to_csv(forecast / "forecast_scores.csv", index=False)
    (forecast / "findings.md").write_text("# forecast\n")
    projection = tmp_path / "projection"
    projection.mkdir()
    pd.DataFrame({"run": [0], "year": [2018], "battle_deaths": [300.0]}).to_parquet(projection / "projection.parquet")
    pd.DataFrame({"statistic": ["battle_deaths"] * 2, "year": [2016, 2018], "q05": [50.0, 120.0],
                  "q25": [80.0, 200.0], "q50": [100.0, 260.0], "q75": [120.0, 300.0], "q95": [150.0, 410.0]}).to_csv(
        projection / "projection.csv", index=False)
    out = tmp_path / "out"
    out.mkdir()
    ctx = SimpleNamespace(out_dir=out, footer=lambda: "footer", config=SimpleNamespace(
        gather={"recovery": "", "forecast": str(forecast), "projection": str(projection)}))
    text = "\n".join(gathered(ctx))
    assert "skill -0.25 (**the model loses**)" in text and "not an out-of-sample test" in text
    assert "* 2018: 260 (120 to 410)" in text and "2016" not in text.split("## Projection")[1]
    assert "at the named point, not from a posterior" in text
    assert "## Not gathered into this report" in text and "recovery (python -m" in text
    assert (out / "forecast_scores.csv").is_file() and (out / "projection.parquet").is_file()


def test_what_a_report_gathers_is_checked_before_any_run(tmp_path):
    with pytest.raises(ConfigError, match=r"experiment\.gather\.elsewhere.*allowed: recovery, forecast, projection"):
        load_config(["experiment=inference", f"experiment.posterior={tmp_path}/p.parquet",
                     f"+experiment.gather.elsewhere={tmp_path}"])
    with pytest.raises(ConfigError, match=r"experiment\.gather\.recovery.*has no recovery.csv, coverage.csv, "
                                          r"model_recovery.csv"):
        load_config(["experiment=inference", f"experiment.posterior={tmp_path}/p.parquet",
                     f"experiment.gather.recovery={tmp_path}"])
    folder = synthetic_recovery(tmp_path / "rec")
    config = load_config(["experiment=inference", f"experiment.posterior={tmp_path}/p.parquet",
                          f"experiment.gather.recovery={folder}"])
    assert config.experiment.gather == {"recovery": str(folder), "forecast": "", "projection": ""}


def test_a_second_set_fit_counts_what_its_targets_contain_apart_from_the_held_out_checks():
    from experiments.inference import OVERLAPPING, predictive_check
    from sahel_sim.analysis.inference.summaries import (
        CALIBRATION,
        HELD_OUT,
        SECOND_SET_NAMES,
        SUMMARIES,
        record_summaries,
    )

    record = record_summaries()
    long = pd.DataFrame([{"metric": s.name, "value": float(record[s.name])} for s in SUMMARIES for _ in range(3)])
    second = predictive_check(long, record, list(SECOND_SET_NAMES)).set_index("summary")["role"]
    assert second["first_is_pledge"] == second["deaths_2013"] == CALIBRATION
    assert second["spectaculars_2015"] == second["al_mourabitoun_year"] == OVERLAPPING
    assert second["weekly_largest"] == second["spectaculars_2013"] == HELD_OUT
    first = predictive_check(long, record, [s.name for s in SUMMARIES if s.role == CALIBRATION])
    first = first.set_index("summary")["role"]
    assert first["spectaculars_2015"] == first["first_is_pledge"] == HELD_OUT  # a first-set fit never saw them
    assert set(predictive_check(long, record)["role"]) == {CALIBRATION, HELD_OUT}


def test_the_report_names_the_summary_set_an_abc_smc_posterior_was_fitted_on():
    from experiments.inference import abc_smc_basis

    meta = {"generations": 2, "simulations": 40, "population": 8, "summaries": ["a", "b", "c"],
            "priors": {BASE_RATE: [0.15, 0.35]},
            "per_generation": [{"t": 0, "epsilon": 3.0, "acceptance": 0.5, "world_probabilities": {"both": 0.6}},
                               {"t": 1, "epsilon": 2.0, "acceptance": 0.25, "world_probabilities": {"both": 0.8}}]}
    first = abc_smc_basis(meta)  # written before the option existed: the first set
    assert "the 3 calibration summaries" in first and "set's" not in first
    assert "2 generations, 40 simulations" in first and "t=1: both 0.80" in first
    assert abc_smc_basis({**meta, "summary_set": "first"}) == first
    assert "the second set's 3 calibration summaries" in abc_smc_basis({**meta, "summary_set": "second"})
    assert "the third set's 3 calibration summaries" in abc_smc_basis({**meta, "summary_set": "third"})
