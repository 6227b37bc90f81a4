"""Experiments run from a world's posterior (issue 19, item 6): each replicate at a parameter set drawn by weight,
applied as a design row; bad posteriors refused before any run; tables of many effects corrected for multiple
comparisons."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sahel_sim.analysis.experiment import sweep_command
from sahel_sim.analysis.inference.propagation import draw_parameters, read_sidecar
from sahel_sim.analysis.schema import load_config
from sahel_sim.core.params import ConfigError

BASE_RATE, CLASH, RIVALRY, RESTRAINT, FLM = ("mechanisms.attacks.base_rate", "mechanisms.territory.clash_rate",
                                             "mechanisms.rivalry.strength", "mechanisms.attacks.rule_restraint",
                                             "factions.flm.fighters")


def synthetic_posterior(path: Path) -> Path:
    """Four particles of world `both` (one with weight 0) and two of `local_only`; no particle of the others."""
    pd.DataFrame({
        "world": ["both", "both", "both", "both", "local_only", "local_only"],
        BASE_RATE: [0.20, 0.25, 0.30, 0.33, 0.22, 0.18],
        CLASH: [0.010, 0.020, 0.005, 0.025, 0.010, 0.015],
        RIVALRY: [0.5, 1.5, 1.0, 2.0, 0.0, 0.0],
        RESTRAINT: [10.0, 40.0, 60.0, 70.0, 20.0, 30.0],
        FLM: [200.0, 300.0, 400.0, 450.0, 250.0, 260.0],
        "weight": [0.3, 0.2, 0.2, 0.0, 0.2, 0.1],
    }).to_parquet(path, index=False)
    return path


@pytest.fixture
def posterior(tmp_path) -> Path:
    return synthetic_posterior(tmp_path / "posterior.parquet")


def experiment(name: str, *overrides: str):
    return load_config([f"experiment={name}", *overrides]).experiment


def test_each_replicate_draws_a_particle_of_its_world_in_proportion_to_its_weight(posterior):
    table = pd.read_parquet(posterior)
    both = table[table["world"] == "both"]
    draws = draw_parameters(both, [BASE_RATE, CLASH], 3000, base_seed=7)
    assert list(draws["replicate"]) == list(range(3000)) and list(draws["row"]) == list(range(3000))
    share = draws[BASE_RATE].value_counts(normalize=True)
    assert 0.33 not in share.index  # a particle of weight 0 is never drawn
    assert share[0.20] == pytest.approx(0.3 / 0.7, abs=0.03)
    assert share[0.25] == pytest.approx(0.2 / 0.7, abs=0.03)
    # replicate k's draw does not depend on how many replicates there are: a smoke scale is a full scale's start
    pd.testing.assert_frame_equal(draw_parameters(both, [BASE_RATE, CLASH], 5, base_seed=7), draws.head(5))


def test_an_experiment_from_a_posterior_sweeps_design_rows_of_drawn_values_and_keeps_its_own_settings(
        posterior, tmp_path):
    """radisson_window sweeps counterfactual=...,no_rule_restraint,...: the restraint its option sets is not drawn,
    so the counterfactual stays a counterfactual; every other parameter is the drawn particle's."""
    exp = experiment("radisson_window", f"experiment.posterior={posterior}")
    cmd = sweep_command(exp, "smoke", tmp_path / "out" / "runs", [])
    replicates = exp.scales["smoke"].replicates
    assert f"design.row=range(0,{replicates})" in cmd
    assert not any(o.startswith("replicate=") for o in cmd)  # row k sets replicate k: one run per row and condition
    table = pd.read_csv(tmp_path / "out" / "posterior_draws.csv")
    assert list(table["replicate"]) == list(range(replicates))
    assert RESTRAINT not in table.columns
    particles = pd.read_parquet(posterior)
    particles = particles[(particles["world"] == "both") & (particles["weight"] > 0)]
    drawn = [BASE_RATE, CLASH, RIVALRY, FLM]
    for _, row in table.iterrows():
        assert ((particles[drawn] == row[drawn]).all(axis=1)).any()
    sidecar = read_sidecar(tmp_path / "out")
    assert sidecar["world"] == "both" and sidecar["draws"] == replicates and sidecar["excluded"] == [RESTRAINT]
    assert len(sidecar["sha256"]) == 64


def test_a_swept_key_is_not_drawn_and_the_worlds_switches_yield_to_the_experiments_own(posterior, tmp_path):
    dose = experiment("rivalry_dose_response", f"experiment.posterior={posterior}", "experiment.world=local_only")
    cmd = sweep_command(dose, "smoke", tmp_path / "dose" / "runs", [])
    assert "mechanisms.rivalry.enabled=false" in cmd  # the local-only world's switch
    assert RIVALRY not in pd.read_csv(tmp_path / "dose" / "posterior_draws.csv").columns
    factorial = experiment("factorial", f"experiment.posterior={posterior}", "experiment.world=local_only")
    cmd = sweep_command(factorial, "smoke", tmp_path / "factorial" / "runs", [])
    assert "mechanisms.rivalry.enabled=false" not in cmd  # the factorial sweeps the rivalry on and off itself
    assert read_sidecar(tmp_path / "factorial")["world_switches_set_by_experiment"] == [
        "mechanisms.rivalry.enabled=false"]


def test_the_same_posterior_and_seeds_give_the_same_draws_byte_for_byte(posterior, tmp_path):
    tables = []
    for folder, seed in (("a", 20151120), ("b", 20151120), ("c", 1)):
        exp = experiment("factorial", f"experiment.posterior={posterior}", f"experiment.base_seed={seed}")
        sweep_command(exp, "full", tmp_path / folder / "runs", [])
        tables.append((tmp_path / folder / "posterior_draws.csv").read_bytes())
    assert tables[0] == tables[1]
    assert tables[0] != tables[2]  # another base seed, other draws


def test_a_missing_posterior_or_a_world_without_particles_is_refused_naming_the_field(posterior, tmp_path):
    with pytest.raises(ConfigError) as missing:
        sweep_command(experiment("factorial", f"experiment.posterior={tmp_path / 'nope.parquet'}"), "smoke",
                      tmp_path / "out" / "runs", [])
    assert missing.value.field == "experiment.posterior" and "does not exist" in str(missing.value)
    with pytest.raises(ConfigError) as empty:
        sweep_command(experiment("factorial", f"experiment.posterior={posterior}", "experiment.world=neither"),
                      "smoke", tmp_path / "out" / "runs", [])
    assert empty.value.field == "experiment.world"
    assert str(empty.value).endswith("allowed: both, local_only")
    assert not (tmp_path / "out").exists()  # refused before anything is written
    with pytest.raises(ConfigError, match="experiment.posterior"):
        load_config(["experiment=sensitivity", f"experiment.posterior={posterior}"])  # a design sets its own rows


def test_the_command_line_refuses_a_missing_posterior_in_one_line_before_any_run(tmp_path):
    p = subprocess.run([sys.executable, "-m", "sahel_sim", "experiment=rivalry_dose_response", "scale=smoke",
                        "experiment.posterior=missing/posterior.parquet"], cwd=tmp_path, capture_output=True,
                       text=True, timeout=300)
    assert p.returncode != 0
    errors = [line for line in p.stderr.splitlines() if "error" in line]
    assert len(errors) == 1 and "experiment.posterior" in errors[0] and "allowed:" in errors[0]
    assert not list(tmp_path.rglob("summary.json"))


def test_holm_and_benjamini_hochberg_adjust_a_known_family():
    from experiments.common import adjusted_p_values, bootstrap_p_value

    p = [0.01, 0.04, 0.03, 0.005]
    np.testing.assert_allclose(adjusted_p_values(p, "holm"), [0.03, 0.06, 0.06, 0.02])
    np.testing.assert_allclose(adjusted_p_values(p, "fdr_bh"), [0.02, 0.04, 0.04, 0.02])
    # an effect with no test (NaN) stays untested and does not count in the family
    np.testing.assert_allclose(adjusted_p_values([0.01, np.nan, 0.04]), [0.02, np.nan, 0.04])
    assert bootstrap_p_value(np.full(1000, 0.5)) == pytest.approx(2 / 1000)  # every replicate above zero
    assert bootstrap_p_value(np.linspace(-1, 1, 1001)) == pytest.approx(1.0)


def test_the_radisson_windows_effects_carry_holm_adjusted_p_values_over_the_whole_table():
    from statsmodels.stats.multitest import multipletests

    from experiments.radisson_window import CF, CONDITIONS, paired_effects

    rng = np.random.default_rng(1)
    rows = []
    for seed in range(20):
        for cond in CONDITIONS:
            shift = 1.0 if cond == "no_rivalry" else 0.0  # one removal with a large effect, the others none
            rows.append({CF: cond, "seed": seed, "window_any": float(rng.random() < 0.3),
                         "window_bamako": float(rng.random() < 0.1),
                         "spectaculars_2015": rng.poisson(1.0) + shift * 5})
    effects = paired_effects(pd.DataFrame(rows), np.random.default_rng(2))
    assert len(effects) == 3 * (len(CONDITIONS) - 1)
    np.testing.assert_allclose(effects["p_holm"], multipletests(effects["p_value"], method="holm")[1])
    assert (effects["p_holm"] >= effects["p_value"]).all()
    strong = effects[(effects["condition"] == "no_rivalry") & (effects["outcome"] == "spectaculars_2015")].iloc[0]
    assert strong["detectable_holm"]


@pytest.mark.slow  # two smoke sweeps of six short runs each (~35 s)
def test_a_smoke_experiment_runs_from_a_posterior_and_reruns_to_the_same_bytes(tmp_path):
    posterior = synthetic_posterior(tmp_path / "posterior.parquet")
    outs = []
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        p = subprocess.run([sys.executable, "-m", "sahel_sim", "experiment=rivalry_dose_response", "scale=smoke",
                            f"experiment.posterior={posterior}", "calendar.end=2012-06-25"], cwd=tmp_path / folder,
                           capture_output=True, text=True, timeout=600)
        assert p.returncode == 0, p.stderr[-3000:]
        outs.append(tmp_path / folder / "outputs" / "experiments" / "rivalry_dose_response" / "smoke")
    draws = pd.read_csv(outs[0] / "posterior_draws.csv")
    runs = sorted((outs[0] / "runs").glob("*/config.yaml"))
    assert len(runs) == 3 * len(draws)  # three rivalry levels x one draw per replicate
    import yaml

    for path in runs:
        tree = yaml.safe_load(path.read_text())
        row = draws.iloc[tree["design"]["row"]]
        assert tree["replicate"] == row["replicate"]
        assert tree["mechanisms"]["attacks"]["base_rate"] == row[BASE_RATE]
        assert tree["factions"]["flm"]["fighters"] == int(row[FLM])
    findings = (outs[0] / "findings.md").read_text()
    top = findings.split("Question:")[0]
    assert "drawn from a posterior" in top and "world `both`" in top and f"{len(draws)} draws" in top
    for name in ("dose_response.csv", "posterior_draws.csv", "findings.md"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes()


def test_the_worlds_an_experiment_may_name_are_the_worlds_of_the_inference():
    import dataclasses

    from sahel_sim.analysis.experiment_config import ExperimentConfig
    from sahel_sim.analysis.inference.worlds import WORLDS

    world = next(f for f in dataclasses.fields(ExperimentConfig) if f.name == "world")
    assert tuple(world.metadata["choices"]) == tuple(WORLDS)


@pytest.mark.slow  # an ABC generation of four particles on 2012-2014 and a forecast smoke of three runs (~60 s)
def test_the_forecast_from_a_posterior_fitted_on_2012_2014_is_out_of_sample(tmp_path):
    """Item 5 end to end, small: the inference command fits on 2012-2014 only (its inference.json says so), and
    the forecast experiment drawing from that posterior reports an out-of-sample test. The fit is of the forecast's
    world alone: four particles over four worlds leave some worlds empty, and which ones is the sampler's draw."""
    import json

    fit = tmp_path / "fit2014"
    p = subprocess.run([sys.executable, "-m", "sahel_sim.analysis.inference.abc", str(fit), "--train-end", "2014",
                        "--population", "4", "--generations", "1", "--worlds", "both"], capture_output=True, text=True,
                       timeout=900)
    assert p.returncode == 0, p.stderr[-3000:]
    meta = json.loads((fit / "inference.json").read_text())
    assert meta["train_end"] == 2014 and "deaths_2015" not in meta["summaries"]
    assert "minusma_deaths" not in meta["summaries"]
    p = subprocess.run([sys.executable, "-m", "sahel_sim", "experiment=forecast", "scale=smoke",
                        f"experiment.posterior={fit / 'posterior.parquet'}"], cwd=tmp_path, capture_output=True,
                       text=True, timeout=900)
    assert p.returncode == 0, p.stderr[-3000:]
    out = tmp_path / "outputs" / "experiments" / "forecast" / "smoke"
    findings = (out / "findings.md").read_text()
    assert "drawn from a posterior" in findings and "An out-of-sample test" in findings
    assert "not an out-of-sample test" not in findings
    scores = pd.read_csv(out / "forecast_scores.csv")
    assert set(scores["metric"]) == {"crps", "log_score"} and np.isfinite(scores["model_score"]).all()


def test_an_experiments_rebuild_command_names_the_posterior_and_what_it_gathered(posterior, tmp_path):
    from sahel_sim.analysis.experiment import ExperimentContext

    def ctx(*overrides: str) -> ExperimentContext:
        return ExperimentContext("factorial", "full", experiment("factorial", *overrides), tmp_path, tmp_path,
                                 pd.DataFrame(), pd.DataFrame({"seed": [1, 2]}))

    assert ctx().rebuild() == "sahel-sim experiment=factorial scale=full"
    drawn = ctx(f"experiment.posterior={posterior}", "experiment.world=local_only").rebuild()
    assert drawn == (f"sahel-sim experiment=factorial scale=full experiment.posterior={posterior} "
                     "experiment.world=local_only")
    assert f"rebuild: {drawn}" in ctx(f"experiment.posterior={posterior}", "experiment.world=local_only").footer()
