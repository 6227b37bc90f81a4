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
