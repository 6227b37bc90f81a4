"""Inference (issue 19): the record's summaries and the scored forecasts against statistical baselines."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sahel_sim import run
from sahel_sim.analysis.inference.forecast import (
    fit_nb_ingarch,
    fit_nb_regression,
    forecast_scores,
    moment_matched_log_score,
    score,
)
from sahel_sim.analysis.inference.summaries import (
    CALIBRATION,
    CENSORED_YEAR,
    HELD_OUT,
    SECOND,
    SECOND_SET_NAMES,
    SUMMARIES,
    THIRD,
    decimal_year,
    distance,
    record_summaries,
    run_summaries,
    summary_table,
    weekly_statistics,
)

# --- summaries ---------------------------------------------------------------------------------------------------


def test_weekly_statistics_measure_quiet_weeks_bursts_and_campaigns():
    bursty = np.array([0, 0, 0, 50, 40, 0, 0, 0, 60, 30, 0, 0])
    s = weekly_statistics(bursty)
    assert s["zero_share"] == pytest.approx(8 / 12) and s["largest_week"] == 60
    assert s["variance_to_mean"] > 10  # bursts: far from a Poisson series
    assert s["lag1_autocorrelation"] > 0  # deadly weeks come in pairs: a campaign
    flat = weekly_statistics(np.full(12, 5.0))
    assert flat["variance_to_mean"] == 0 and flat["lag1_autocorrelation"] == 0


def test_the_record_s_summaries_are_the_validation_s_numbers():
    rec = record_summaries()
    assert rec["deaths_2013"] == 720 and rec["deaths_2016"] == 106
    assert rec["weekly_zero_share"] == pytest.approx(0.61, abs=0.005) and rec["weekly_largest"] == 217
    assert rec["spectaculars_2015"] == 3 and rec["minusma_deaths"] == 56


def test_calibration_targets_and_held_out_patterns_never_overlap():
    roles = {s.name: s.role for s in SUMMARIES}
    assert len(roles) == len(SUMMARIES)  # every name once
    assert {CALIBRATION, HELD_OUT, SECOND, THIRD} == set(roles.values())
    table = summary_table()
    assert table["source"].str.len().gt(0).all() and table["scale"].gt(0).all()
    record = record_summaries()  # the third set's record: Radisson Blu after Paris; three after the pledge, one before
    assert record["aq_spectaculars_after_is_shocks"] == 1 and record["aq_spectaculars_pledge_change"] == 2


def test_a_run_is_summarised_by_the_same_names_as_the_record():
    r = run(["calendar.end=2016-12-26"], seed=4)
    s = run_summaries(r.world, r.attacks, r.events)
    assert list(s.index) == list(record_summaries().index)
    # a year never reached, and the change around a pledge that may not come, are missing by design
    maybe = ("al_mourabitoun_year", "aq_spectaculars_pledge_change")
    assert s[[n for n in s.index if n not in maybe]].notna().all()
    assert distance(record_summaries(), record_summaries()) == 0
    assert distance(s, record_summaries()) > 0
    # the second set, read again from the run's own tables
    spectacular = r.attacks[r.attacks["spectacular"].astype(bool)]
    late = spectacular[spectacular["date"].dt.year.between(2015, 2016)]
    assert s["spectaculars_aq_2015_2016"] == (late["camp"] == "AQ").sum()
    assert s["spectaculars_is_2015_2016"] == (late["camp"] == "IS").sum()
    assert s["first_spectacular"] == decimal_year(spectacular["date"].min() if len(spectacular) else None)
    pledges = r.events[(r.events["kind"] == "pledge") & (r.events["other"] == "IS")]
    assert s["first_is_pledge"] == decimal_year(pledges["date"].min() if len(pledges) else None)
    # the third set, read again from the run's own tables
    aq = spectacular[(spectacular["camp"] == "AQ") & (spectacular["date"].dt.year <= 2016)]["date"]
    shocks = r.events[(r.events["kind"] == "global_shock") & (r.events["other"] == "IS")]["date"]
    shocks = shocks[pd.to_datetime(shocks).dt.year <= 2016]
    assert len(shocks) == 3  # Paris, Brussels, Nice: the scenario's input
    after = sum(any(pd.Timedelta(0) <= d - x <= pd.Timedelta(days=56) for x in shocks) for d in aq)
    assert s["aq_spectaculars_after_is_shocks"] == after
    if len(pledges) and pledges["date"].min().year <= 2016:
        p = pledges["date"].min()
        year = pd.Timedelta(days=364)
        assert s["aq_spectaculars_pledge_change"] == (((aq > p) & (aq <= p + year)).sum()
                                                      - ((aq >= p - year) & (aq < p)).sum())
    else:
        assert np.isnan(s["aq_spectaculars_pledge_change"])
    merged = s["al_mourabitoun_year"]
    assert s["al_mourabitoun_merger"] == (merged if merged == merged else CENSORED_YEAR)


def test_the_second_set_is_the_first_plus_what_the_worlds_change_and_no_first_set_fit_sees_it():
    from sahel_sim.analysis.inference.abc import calibration_names
    from sahel_sim.analysis.inference.summaries import window_names

    second = [s.name for s in SUMMARIES if s.role == SECOND]
    assert list(SECOND_SET_NAMES) == [*calibration_names(), *second]
    assert not set(second) & set(calibration_names()) and not set(second) & set(window_names(2014))
    rec = record_summaries()
    assert rec["spectaculars_aq_2015_2016"] == 4 and rec["spectaculars_is_2015_2016"] == 0
    assert rec["first_spectacular"] == pytest.approx(2015.18, abs=0.005)  # La Terrasse, 7 Mar 2015
    assert rec["first_is_pledge"] == pytest.approx(2015.36, abs=0.005)  # al-Sahrawi, ~13 May 2015
    assert rec["al_mourabitoun_merger"] == rec["al_mourabitoun_year"] == pytest.approx(2013.64)
    assert decimal_year(pd.Timestamp("2019-01-01")) == decimal_year(pd.NaT) == CENSORED_YEAR  # not by 2016


# --- forecasts and baselines -------------------------------------------------------------------------------------


def test_the_nb_regression_recovers_a_known_trend_and_dispersion():
    rng = np.random.default_rng(1)
    t = np.arange(520, dtype=float)
    mu = np.exp(1.0 - 0.3 * t / 52 + 0.5 * np.sin(2 * np.pi * t / 52))
    size = 0.8
    y = rng.negative_binomial(size, size / (size + mu))
    fit = fit_nb_regression(y)
    assert fit.params[1] == pytest.approx(-0.3, abs=0.1)
    assert fit.params[2] == pytest.approx(0.5, abs=0.15)
    assert fit.size == pytest.approx(size, rel=0.3)


def test_the_self_exciting_baseline_recovers_its_excitation():
    rng = np.random.default_rng(2)
    omega, alpha, beta, size = 1.0, 0.4, 0.3, 2.0
    y, lam = np.zeros(1500), omega / (1 - alpha - beta)
    for t in range(1, len(y)):
        lam = omega + alpha * y[t - 1] + beta * lam
        y[t] = rng.negative_binomial(size, size / (size + lam))
    fit = fit_nb_ingarch(y)
    assert fit.alpha == pytest.approx(alpha, abs=0.1)
    assert fit.alpha + fit.beta == pytest.approx(alpha + beta, abs=0.1)
    paths = fit.sample(20, 300, rng)
    assert paths.shape == (300, 20) and (paths >= 0).all()


def test_a_sharper_right_forecast_scores_better_than_a_wrong_one():
    rng = np.random.default_rng(3)
    obs = rng.poisson(5, 100)
    right = rng.poisson(5, (200, 100))
    wrong = rng.poisson(20, (200, 100))
    assert score(obs, right)["crps"] < score(obs, wrong)["crps"]
    assert score(obs, right)["log_score"] < score(obs, wrong)["log_score"]
    assert np.isfinite(moment_matched_log_score(obs, np.zeros((50, 100)))).all()  # zeros still give a score


def test_forecast_scores_follow_the_output_contract_and_skill_sign():
    rng = np.random.default_rng(4)
    obs = rng.poisson(5, 104)
    years = np.repeat([2015, 2016], 52)
    good, bad = rng.poisson(5, (100, 104)), rng.poisson(15, (100, 104))
    table = forecast_scores(obs, years, good, {"bad": bad})
    assert {"target", "metric", "model_score", "baseline", "baseline_score", "skill"} <= set(table.columns)
    assert set(table["target"]) == {"weekly_deaths", "yearly_deaths"}
    assert (table["skill"] > 0).all()
    flipped = forecast_scores(obs, years, bad, {"good": good})
    assert (flipped["skill"] < 0).all()
    assert isinstance(table, pd.DataFrame)


# --- ABC-SMC (pyabc) ---------------------------------------------------------------------------------------------


def test_world_probabilities_are_shares_of_the_posterior_weight_with_an_interval():
    from sahel_sim.analysis.inference.abc import model_probabilities

    posterior = pd.DataFrame({"world": ["both"] * 30 + ["neither"] * 10, "weight": np.full(40, 1 / 40)})
    table = model_probabilities(posterior, ["both", "neither", "local_only"])
    p = table.set_index("world")
    assert p.loc["both", "probability"] == pytest.approx(0.75) and p.loc["local_only", "probability"] == 0
    assert (table["lower"] <= table["probability"]).all() and (table["probability"] <= table["upper"]).all()
    assert p.loc["both", "upper"] - p.loc["both", "lower"] > 0.1  # 40 particles leave a wide interval


def test_the_four_worlds_switch_the_two_hypotheses():
    from sahel_sim.analysis.inference.abc import WORLDS, Simulator
    from sahel_sim.faces.api import load_config

    for world in WORLDS:
        cfg = load_config(Simulator(world).overrides({}))
        rivalry = cfg.mechanisms.rivalry.enabled
        local = cfg.mechanisms.peace_process.enabled and cfg.mechanisms.attacks.retaliation_weight > 0
        assert (rivalry, local) == {"both": (True, True), "global_only": (True, False),
                                    "local_only": (False, True), "neither": (False, False)}[world]


def test_the_channel_worlds_keep_the_rivalry_as_context_and_take_away_its_action_on_attacks():
    """local_only_channel: the rivalry runs (intensity, the IS brand for pledges) but outbidding is off, so the
    attack choice feels no outbidding pressure while a group of the lagging camp in `both` does."""
    from sahel_sim import SahelModel
    from sahel_sim.analysis.inference.abc import Simulator
    from sahel_sim.analysis.inference.worlds import CHANNEL_COMPARISON, CHANNEL_WORLDS
    from sahel_sim.faces.api import load_config

    assert set(CHANNEL_WORLDS) <= set(CHANNEL_COMPARISON)
    for world, local in (("local_only_channel", True), ("neither_channel", False)):
        cfg = load_config(Simulator(world).overrides({}))
        assert cfg.mechanisms.rivalry.enabled and not cfg.mechanisms.attacks.outbidding
        assert (cfg.mechanisms.peace_process.enabled and cfg.mechanisms.attacks.retaliation_weight > 0) == local
    pressure = {}
    for world in ("both", "local_only_channel"):
        model = SahelModel(load_config([*Simulator(world).overrides({}), "calendar.end=2015-06-29"]), rng=1)
        model.run()
        choice = next(mech for mech in model.mechanisms if hasattr(mech, "outbid"))
        assert model.rivalry_intensity > 0.5  # the rivalry runs in both worlds
        pressure[world] = max(choice.outbid(g) for g in model.groups())
    assert pressure["both"] > 0 and pressure["local_only_channel"] == 0


def test_a_particle_gives_the_same_summaries_every_time():
    from sahel_sim.analysis.inference.abc import Simulator

    sim = Simulator("both", base=["calendar.end=2016-12-26"])
    params = {"mechanisms__attacks__base_rate": 0.25, "mechanisms__communal__front_threshold": 300.4}
    assert sim(params) == sim(dict(params))
    assert "mechanisms.communal.front_threshold=300" in sim.overrides(params)


def test_a_training_window_sees_only_its_years_and_no_summary_reaching_past_it():
    """Item 5's fit on 2012-2014: its summaries are the yearly deaths of those years and the weekly texture over
    them; the MINUSMA losses (Jul 2013 to Jun 2015) reach into 2015 and are left out; 2016 is the whole set."""
    from sahel_sim.analysis.inference.abc import calibration_names
    from sahel_sim.analysis.inference.summaries import training_years, window_names

    assert window_names(2014) == ["deaths_2012", "deaths_2013", "deaths_2014", "weekly_zero_share",
                                  "weekly_variance_to_mean", "weekly_lag1_autocorrelation"]
    assert "minusma_deaths" in window_names(2015) and window_names(2016) == calibration_names()
    assert training_years(2014) == (2012, 2013, 2014)
    for bad in (2012, 2017, "2014"):
        with pytest.raises(ValueError, match="train_end: .*allowed: a year from 2013 to 2016"):
            training_years(bad)


def test_the_records_window_summaries_are_computed_from_its_own_weeks_only():
    """The record's weekly texture over 2012-2014 is that of those weeks alone (recomputed here from the record's
    table), and differs from 2012-2016's: what the window's fit sees holds nothing of 2015-2016."""
    from sahel_sim.analysis.inference.summaries import record_summaries, training_years, weekly_statistics
    from sahel_sim.analysis.validation import record_weekly

    rec = record_weekly()
    weeks = rec.loc[rec["year"].between(2012, 2014), "battle_deaths"].to_numpy()
    window = record_summaries(training_years(2014))
    expected = weekly_statistics(weeks)
    assert window["weekly_zero_share"] == pytest.approx(expected["zero_share"])
    assert window["weekly_variance_to_mean"] == pytest.approx(expected["variance_to_mean"])
    assert np.isnan(window["deaths_2015"]) and np.isnan(window["deaths_2016"])
    assert window["weekly_zero_share"] != pytest.approx(record_summaries()["weekly_zero_share"])


def test_a_window_fits_runs_end_with_its_last_year_and_return_only_its_summaries():
    from sahel_sim.analysis.inference.abc import Simulator, calendar_end

    assert calendar_end(2016) == ["calendar.end=2016-12-26"] and calendar_end(2014) == ["calendar.end=2014-12-29"]
    assert calendar_end(2013) == ["calendar.end=2013-12-30"]
    sim = Simulator("both", train_end=2013)
    assert sim.base == ["calendar.end=2013-12-30"]
    out = sim({"mechanisms__attacks__base_rate": 0.25})
    assert list(out) == ["deaths_2012", "deaths_2013", "weekly_zero_share", "weekly_variance_to_mean",
                         "weekly_lag1_autocorrelation"]
    assert all(np.isfinite(v) for v in out.values())
    with pytest.raises(ValueError, match="train_end: 2011"):
        Simulator("both", train_end=2011)


def test_the_inference_command_refuses_a_training_window_outside_the_record_in_one_line(capsys):
    from sahel_sim.analysis.inference.abc import main

    with pytest.raises(SystemExit):
        main(["unused", "--train-end", "2017"])
    err = capsys.readouterr().err
    assert "--train-end: 2017; allowed: a year from 2013 to 2016" in err


@pytest.mark.slow
def test_abc_smc_on_the_real_model_resumes_from_its_database(tmp_path):
    """Two worlds, six particles: one generation, then the same call resumes from the database to a second."""
    from sahel_sim.analysis.inference.abc import run_abc, write_outputs
    from sahel_sim.analysis.inference.summaries import record_summaries

    record = record_summaries().to_dict()
    worlds = ["both", "local_only"]
    first = run_abc(tmp_path, record, worlds=worlds, population=6, generations=1)
    assert first.n_populations == 1
    resumed = run_abc(tmp_path, record, worlds=worlds, population=6, generations=2)
    assert resumed.n_populations == 2 and resumed.id == first.id
    paths = write_outputs(resumed, tmp_path, worlds)
    posterior = pd.read_parquet(paths["posterior"])
    assert set(posterior["world"]) <= set(worlds) and posterior["weight"].sum() == pytest.approx(1.0)
    assert "mechanisms.attacks.base_rate" in posterior.columns
    probabilities = pd.read_csv(paths["model_probabilities"])
    assert probabilities["probability"].sum() == pytest.approx(1.0)
    import json

    meta = json.loads(paths["inference"].read_text())
    assert meta["generations"] == 2 and meta["simulations"] == resumed.total_nr_simulations
    assert [g["t"] for g in meta["per_generation"]] == [0, 1]
    assert all(0 < g["acceptance"] <= 1 for g in meta["per_generation"])
    assert all(g["wall_time_s"] > 0 and g["simulations_per_minute"] > 0 for g in meta["per_generation"])
    # each generation's epsilon is a distance under that generation's adaptive weights (and a resumed run
    # recomputes them), so epsilons of different generations are on different scales and need not fall: a check
    # that they did failed on a clean clone (17.5 after 6.4) and was removed (session 9)
    assert all(np.isfinite(g["epsilon"]) and g["epsilon"] > 0 for g in meta["per_generation"])


@pytest.mark.slow
def test_abc_smc_simulates_on_the_workers_of_a_dask_cluster(tmp_path):
    """Issue 20, item 3 (a Dask path where inference needs it): pyabc's Dask sampler, given a scheduler's address,
    runs the particles on a dask.distributed cluster's workers (here two worker processes on this machine); the
    history is the same SQLite database as with one core."""
    from distributed import LocalCluster

    from sahel_sim.analysis.inference.abc import make_sampler, run_abc, write_outputs
    from sahel_sim.analysis.inference.summaries import record_summaries

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        sampler = make_sampler(scheduler=cluster.scheduler_address)
        assert type(sampler).__name__ == "DaskDistributedSampler"
        history = run_abc(tmp_path, record_summaries().to_dict(), worlds=["both", "neither"], population=4,
                          generations=1, sampler=sampler)
        # the particles were tasks of the cluster's scheduler, run by its worker processes
        assert cluster.scheduler.transition_counter > 0
        assert len(cluster.scheduler_info["workers"]) == 2
        sampler.client.close()
    assert history.n_populations == 1 and history.total_nr_simulations >= 4
    posterior = pd.read_parquet(write_outputs(history, tmp_path, ["both", "neither"])["posterior"])
    assert posterior["weight"].sum() == pytest.approx(1.0)


def test_an_inference_without_a_scheduler_at_the_address_is_refused_in_one_line():
    from sahel_sim.analysis.inference.abc import make_sampler

    with pytest.raises(ValueError, match="scheduler: no dask scheduler answers at 'tcp://127.0.0.1:9'"):
        make_sampler(scheduler="tcp://127.0.0.1:9", connect_timeout=2)
    with pytest.raises(ValueError, match="cores: 0; allowed"):
        make_sampler(cores=0)


def _cheap_model(monkeypatch) -> None:
    """The model replaced by a plain function of the particle (no run: microseconds a particle), so that what is
    left random in an inference is pyabc's own draws."""
    from sahel_sim.analysis.inference import abc

    def simulate(self, params: dict) -> dict[str, float]:
        values = [float(v) for _, v in sorted(params.items())]
        return {name: sum(values[i::3]) + (self.world == "both")
                for i, name in enumerate(abc.calibration_names(self.train_end, self.summaries))}

    monkeypatch.setattr(abc.Simulator, "__call__", simulate)


def test_the_same_seed_gives_the_same_abc_posterior_and_another_seed_another(tmp_path, monkeypatch):
    """pyabc draws its priors, jumps and perturbations from numpy's global state: run_abc seeds it (and puts the
    caller's state back), so two runs at one seed write the same posterior.parquet bytes whatever the global state
    before them, a resumed segment too; another seed gives another posterior."""
    from sahel_sim.analysis.inference.abc import derived_seed, run_abc, write_outputs

    _cheap_model(monkeypatch)
    record = record_summaries().to_dict()
    worlds = ["both", "neither"]

    def posterior(folder, seed: int, generations: int, state: int) -> bytes:
        np.random.seed(state)  # the caller's own state: a different one before each run
        before = np.random.get_state()
        history = run_abc(folder, record, worlds=worlds, population=4, generations=generations, seed=seed)
        after = np.random.get_state()
        assert (after[1] == before[1]).all() and after[2] == before[2]  # put back as it was
        return write_outputs(history, folder, worlds)["posterior"].read_bytes()

    first = posterior(tmp_path / "a", 7, 1, 1)
    assert posterior(tmp_path / "b", 7, 1, 2) == first
    assert posterior(tmp_path / "c", 8, 1, 1) != first
    # resumed to a second generation, from (seed, generations done): the same again, and a new posterior
    resumed = posterior(tmp_path / "a", 7, 2, 3)
    assert posterior(tmp_path / "b", 7, 2, 4) == resumed and resumed != first
    assert derived_seed(7, 0) != derived_seed(7, 1)  # a resumed segment does not replay the first one's draws
    with pytest.raises(ValueError, match="seed: -1; allowed: an integer >= 0"):
        run_abc(tmp_path / "d", record, worlds=worlds, population=4, generations=1, seed=-1)
    assert not (tmp_path / "d").exists()


def test_a_negative_or_changed_seed_is_refused_in_one_line_before_anything_is_written(tmp_path, capsys):
    import json

    from sahel_sim.analysis.inference.abc import main

    with pytest.raises(SystemExit):
        main([str(tmp_path / "new"), "--seed", "-1"])
    assert "--seed: -1; allowed: an integer >= 0" in capsys.readouterr().err
    assert not (tmp_path / "new").exists()
    (tmp_path / "abc.db").write_bytes(b"")
    (tmp_path / "inference.json").write_text(json.dumps({"worlds": ["both"], "seed": 3}))
    with pytest.raises(SystemExit):
        main([str(tmp_path), "--worlds", "both", "--seed", "4"])
    assert "--seed: 4, but the inference stored in" in capsys.readouterr().err
    assert (tmp_path / "abc.db").read_bytes() == b""  # nothing run, nothing written


def test_an_inference_stored_before_the_seed_records_which_generations_were_seeded(tmp_path, monkeypatch):
    """Resuming a folder whose inference.json has no seed (written before --seed): its stored generations drew
    unseeded, and the new inference.json says from which generation on the draws are the seed's."""
    import json

    from sahel_sim.analysis.inference.abc import main, run_abc

    _cheap_model(monkeypatch)
    run_abc(tmp_path, record_summaries().to_dict(), worlds=["both", "neither"], population=4, generations=1)
    (tmp_path / "inference.json").write_text(json.dumps({"worlds": ["both", "neither"]}))
    argv = [str(tmp_path), "--worlds", "both,neither", "--population", "4", "--seed", "2"]
    assert main([*argv, "--generations", "2"]) == 0
    meta = json.loads((tmp_path / "inference.json").read_text())
    assert meta["generations"] == 2 and meta["seed"] == 2 and meta["seeded_from_generation"] == 1
    assert main([*argv, "--generations", "3"]) == 0  # kept when resumed again
    assert json.loads((tmp_path / "inference.json").read_text())["seeded_from_generation"] == 1


def test_the_second_set_s_simulator_returns_the_reference_table_s_second_set_names(monkeypatch):
    """The ABC-SMC fits on a pre-registered set by the names the reference table's fit uses for it (one list, in
    summaries.py); a particle's run is the same whichever set it is summarised by (the set is not in its seed)."""
    from sahel_sim.analysis.inference import reference as ref
    from sahel_sim.analysis.inference.abc import Simulator, calibration_names
    from sahel_sim.analysis.inference.summaries import THIRD_SET_NAMES

    params = {"mechanisms__attacks__base_rate": 0.3, "mechanisms__attacks__spectacular__budget_share": 0.25}
    second = Simulator("both", summaries="second")
    assert second.seed(params) == Simulator("both").seed(params)
    tables = second.tables(params)  # one run, summarised by each set
    monkeypatch.setattr(Simulator, "tables", lambda self, p: tables)
    out = second(params)
    assert list(out) == ref.calibration_columns(summary_set="second") == list(SECOND_SET_NAMES)
    assert len(out) > len(calibration_names())
    assert out == {k: float(v) for k, v in run_summaries(tables["world"], tables["attacks"], tables["events"])
                   [list(SECOND_SET_NAMES)].items()}
    first = Simulator("both")(params)
    assert first == {k: out[k] for k in calibration_names()}
    assert list(Simulator("both", summaries="third")(params)) == ref.calibration_columns(summary_set="third")
    assert list(THIRD_SET_NAMES) == calibration_names(summaries="third")
    # the 2012-2014 window: the first set's names are the table's w2014_ columns; the others have no meaning there
    assert [ref.WINDOW + n for n in calibration_names(2014)] == ref.calibration_columns(True)
    for later in ("second", "third"):
        with pytest.raises(ValueError, match=f"summaries: '{later}' with the 2012-2014 window; allowed: 'first'"):
            Simulator("both", train_end=2014, summaries=later)
    with pytest.raises(ValueError, match="summaries: 'fourth'; allowed: first, second, third"):
        Simulator("both", summaries="fourth")


def test_an_abc_smc_on_the_second_set_records_it_and_a_resume_with_another_set_is_refused(tmp_path, monkeypatch,
                                                                                         capsys):
    """`--summaries second` at population 4, one generation (the cheap stand-in model): inference.json names the set
    and its summaries, the database holds the record's values of them; resuming the folder with another set is
    refused in one line before anything runs, by the command and by run_abc."""
    import json

    from sahel_sim.analysis.inference.abc import generations_done, main, run_abc

    _cheap_model(monkeypatch)
    out = tmp_path / "second"
    argv = [str(out), "--worlds", "both,neither", "--population", "4", "--generations", "1"]
    assert main([*argv, "--summaries", "second"]) == 0
    meta = json.loads((out / "inference.json").read_text())
    assert meta["summary_set"] == "second" and meta["summaries"] == list(SECOND_SET_NAMES)
    assert "second set's calibration summaries of 2012-2016" in meta["record"] and meta["generations"] == 1
    import pyabc

    stored = pyabc.History(f"sqlite:///{out / 'abc.db'}").observed_sum_stat()
    record = record_summaries()
    assert {k: float(v) for k, v in stored.items()} == {k: float(record[k]) for k in SECOND_SET_NAMES}
    before = (out / "abc.db").read_bytes()
    capsys.readouterr()
    for other in ([], ["--summaries", "first"], ["--summaries", "third"]):
        with pytest.raises(SystemExit):
            main([*argv[:-1], "2", *other])
        err = capsys.readouterr().err.strip().splitlines()
        assert f"--summaries: '{other[-1] if other else 'first'}', but the inference stored in {out} has 'second'" \
            in err[-1]
    with pytest.raises(ValueError, match="summaries: 'third' .*fits on other ones"):
        run_abc(out, record.to_dict(), worlds=["both", "neither"], population=4, generations=2, summaries="third")
    assert (out / "abc.db").read_bytes() == before and generations_done(out) == 1  # nothing run, nothing written
    assert main([*argv[:-1], "2", "--summaries", "second"]) == 0  # the same set resumes
    assert json.loads((out / "inference.json").read_text())["generations"] == 2
    # a folder written before the option existed (no summary_set) is of the first set
    old = tmp_path / "old"
    old.mkdir()
    (old / "abc.db").write_bytes(b"")
    (old / "inference.json").write_text(json.dumps({"worlds": ["both"], "seed": 0}))
    with pytest.raises(SystemExit):
        main([str(old), "--worlds", "both", "--summaries", "second"])
    assert f"--summaries: 'second', but the inference stored in {old} has 'first'" in capsys.readouterr().err
    assert (old / "abc.db").read_bytes() == b""


def test_an_unknown_set_or_one_without_a_meaning_for_the_window_is_refused_before_anything_is_written(
        tmp_path, monkeypatch, capsys):
    from sahel_sim.analysis.inference import summaries
    from sahel_sim.analysis.inference.abc import main, run_abc
    from sahel_sim.analysis.inference.recovery import main as recovery_main

    out = tmp_path / "new"
    for command in (main, recovery_main):
        with pytest.raises(SystemExit):
            command([str(out), "--summaries", "fourth"])
        err = capsys.readouterr().err.strip().splitlines()[-1]
        assert "--summaries: invalid choice: 'fourth' (choose from" in err
        assert all(f"'{name}'" in err for name in ("first", "second", "third"))
    with pytest.raises(SystemExit):
        main([str(out), "--summaries", "third", "--train-end", "2014"])
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].endswith("--summaries: 'third' with the 2012-2014 window; allowed: 'first' (the third set is of "
                            "2012-2016 only: its spectaculars and pledges fall in 2015-2016)")
    # a record without a summary of the set: refused naming it
    lacking = record_summaries().drop(["first_is_pledge", "al_mourabitoun_merger"])
    monkeypatch.setattr(summaries, "record_summaries", lambda years=None: lacking)
    with pytest.raises(SystemExit):
        main([str(out), "--summaries", "second"])
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.endswith("--summaries: 'second' needs the record's first_is_pledge, al_mourabitoun_merger, which it "
                        "lacks; allowed: a record with a value of every summary of the set")
    for kwargs, expected in (({"summaries": "fourth"}, "summaries: 'fourth'; allowed: first, second, third"),
                             ({"summaries": "second", "train_end": 2015}, "'second' with the 2012-2015 window"),
                             ({"summaries": "second"}, "needs the record's first_is_pledge")):
        with pytest.raises(ValueError, match=expected):
            run_abc(out, lacking.to_dict(), worlds=["both"], population=4, generations=1, **kwargs)
    assert not out.exists()


def test_recovery_on_the_second_set_records_it_and_refuses_another_set_on_resume(tmp_path, monkeypatch, capsys):
    """The recovery command takes --summaries as the inference does: its synthetic records are the set's
    summaries, their record.json names the set, and a folder of another set is refused in one line."""
    import json

    from sahel_sim.analysis.inference.recovery import main, recover

    _cheap_model(monkeypatch)
    recover(tmp_path, records=1, worlds=["both"], population=4, generations=1, summaries="second")
    stored = json.loads((tmp_path / "records" / "000" / "record.json").read_text())
    assert stored["summary_set"] == "second" and list(stored["summaries"]) == list(SECOND_SET_NAMES)
    with pytest.raises(SystemExit):
        main([str(tmp_path), "--records", "1", "--population", "4", "--generations", "1"])
    assert f"--summaries: 'first', but the recovery stored in {tmp_path} has 'second'" in capsys.readouterr().err
    with pytest.raises(ValueError, match="summaries: 'third', but the recovery stored"):
        recover(tmp_path, records=1, worlds=["both"], population=4, generations=1, summaries="third")
    first = tmp_path / "first"  # the default writes its records as before the option existed
    recover(first, records=1, worlds=["both"], population=4, generations=1)
    assert "summary_set" not in json.loads((first / "records" / "000" / "record.json").read_text())


@pytest.mark.slow
def test_the_inference_command_at_one_seed_writes_the_same_posterior_in_fresh_processes(tmp_path):
    """Same seed, same bytes, on the real model: the command twice (fresh processes, other hash seeds) writes the
    same posterior.parquet and model_probabilities.csv, and the same inference.json but for its wall times; another
    seed writes another posterior."""
    import json
    import os
    import subprocess
    import sys

    def infer(name: str, seed: int, hash_seed: str) -> tuple[bytes, bytes, dict]:
        out = tmp_path / name
        p = subprocess.run([sys.executable, "-m", "sahel_sim.analysis.inference.abc", str(out), "--population", "4",
                            "--generations", "1", "--worlds", "both,neither", "--seed", str(seed)],
                           env={**os.environ, "PYTHONHASHSEED": hash_seed}, capture_output=True, text=True,
                           timeout=1200)
        assert p.returncode == 0, p.stderr
        meta = json.loads((out / "inference.json").read_text())
        for g in meta["per_generation"]:
            del g["wall_time_s"], g["simulations_per_minute"]
        return (out / "posterior.parquet").read_bytes(), (out / "model_probabilities.csv").read_bytes(), meta

    first = infer("a", 5, "1")
    assert first[2]["seed"] == 5 and first[2]["sampler"] == "SingleCoreSampler"
    assert infer("b", 5, "2") == first
    assert infer("c", 6, "1")[0] != first[0]


# --- recovery (issue 19, item 4) -----------------------------------------------------------------------------------


def test_weighted_quantiles_of_equal_weights_are_the_sample_s_and_weights_move_them():
    from sahel_sim.analysis.inference.recovery import weighted_quantiles

    values = np.arange(1.0, 11.0)
    assert weighted_quantiles(values, np.ones(10), (0.05, 0.5, 0.95)) == pytest.approx([1.0, 5.5, 10.0])
    heavy_top = np.r_[np.ones(9), 91.0]  # 91% of the weight on the largest value, its midpoint at 0.545
    assert weighted_quantiles(values, heavy_top, (0.6, 0.95)) == pytest.approx([10.0, 10.0])
    assert 9.0 < weighted_quantiles(values, heavy_top, (0.5,))[0] < 10.0


def test_coverage_counts_the_truths_inside_each_interval():
    from sahel_sim.analysis.inference.recovery import coverage

    rec = pd.DataFrame({"parameter": ["a"] * 4, "true": [0.5, 0.5, 0.5, 0.9],
                        "lo50": [0.4, 0.6, 0.4, 0.4], "hi50": [0.6, 0.7, 0.6, 0.6],
                        "lo90": [0.1, 0.2, 0.1, 0.1], "hi90": [0.9, 0.9, 0.9, 0.8]})
    row = coverage(rec, {"a": (0.0, 1.0)}).iloc[0]
    assert row["records"] == 4 and row["cover50"] == 0.5 and row["cover90"] == 0.75
    assert row["width90_over_prior"] == pytest.approx((0.8 + 0.7 + 0.8 + 0.7) / 4)


def test_a_synthetic_record_is_the_same_every_time_and_not_a_particle_s_run():
    from sahel_sim.analysis.inference.recovery import draw_truths, synthetic_record

    truth = draw_truths(1, seed=3).iloc[0].to_dict()
    assert draw_truths(1, seed=3).iloc[0].to_dict() == truth
    assert synthetic_record("both", truth, 0) == synthetic_record("both", truth, 0)
    from sahel_sim.analysis.inference.abc import Simulator

    params = {k.replace(".", "__"): v for k, v in truth.items()}
    assert Simulator("both", salt="synthetic-record-0").seed(params) != Simulator("both").seed(params)


@pytest.mark.slow
def test_recovery_writes_intervals_coverage_and_attributions_and_resumes(tmp_path):
    """The small version of the recovery experiment: two records, each from another world, tiny populations (the
    numbers mean nothing at this size; the full run is `python -m sahel_sim.analysis.inference.recovery`)."""
    from sahel_sim.analysis.inference.abc import inferred_priors
    from sahel_sim.analysis.inference.recovery import recover

    priors = inferred_priors()  # recovery infers every parameter the final inference infers
    paths = recover(tmp_path, records=1, worlds=["both", "neither"], population=4, generations=1)
    rec = pd.read_csv(paths["recovery"])
    assert set(rec["record"]) == {0, 1} and set(rec["parameter"]) == set(priors)
    mr = pd.read_csv(paths["model_recovery"])
    # four particles over two worlds: a record's own world may get none, and then its intervals are NaN (by design)
    empty = {int(r.record) for r in mr.itertuples() if getattr(r, f"p_{r.true_world}") == 0}
    assert set(rec.loc[rec["lo90"].isna(), "record"]) == empty
    inside = rec.dropna(subset=["lo90"])
    assert (inside["lo90"] <= inside["lo50"]).all() and (inside["lo50"] <= inside["hi50"]).all()
    assert (inside["hi50"] <= inside["hi90"]).all()
    cov = pd.read_csv(paths["coverage"])
    assert cov["cover90"].between(0, 1).all() and set(cov["parameter"]) <= set(priors)
    assert set(cov["parameter"]) == (set(priors) if len(inside) else set())
    assert list(mr["true_world"]) == ["both", "neither"]
    assert mr[["p_both", "p_neither"]].sum(axis=1).to_numpy() == pytest.approx([1.0, 1.0])
    stamp = (tmp_path / "records" / "000" / "abc.db").stat().st_mtime_ns
    again = recover(tmp_path, records=1, worlds=["both", "neither"], population=4, generations=1)
    assert (tmp_path / "records" / "000" / "abc.db").stat().st_mtime_ns == stamp  # finished: not run again
    pd.testing.assert_frame_equal(pd.read_csv(again["recovery"]), rec)


def test_a_widened_prior_stays_inside_what_each_parameter_allows():
    """The prior-sensitivity check widens every range about its centre, but never past a parameter's declared
    range (a particle outside it would be a config the model refuses)."""
    from sahel_sim.analysis.inference.abc import PRIORS, inferred_priors, prior_ranges
    from sahel_sim.analysis.schema import SahelConfig
    from sahel_sim.core.params import declared

    priors = inferred_priors()  # the priors given first and the screening's influential parameters
    assert set(PRIORS) <= set(priors)
    assert prior_ranges() == {k: (float(a), float(b)) for k, (a, b) in priors.items()}
    wide, narrow = prior_ranges(scale=3.0), prior_ranges(scale=0.5)
    for name, (lo, hi) in priors.items():
        meta = declared(name, SahelConfig)[1]
        assert meta["lo"] is None or wide[name][0] >= meta["lo"]
        assert meta["hi"] is None or wide[name][1] <= meta["hi"]
        assert wide[name][0] <= lo and wide[name][1] >= hi
        assert narrow[name] == pytest.approx(((3 * lo + hi) / 4, (lo + 3 * hi) / 4))
    assert wide["mechanisms.attacks.spectacular.min_funds"][0] == 0.0  # 0 - 300 would be negative funds


def test_the_forecast_says_out_of_sample_only_for_a_posterior_fitted_before_2015(tmp_path):
    """The forecast's findings call the test out of sample only when the runs drew from a posterior whose fit
    ended before 2015 (its inference.json's train_end); a named point or an in-sample posterior gets the caveat."""
    import json

    from experiments.forecast import model_window, window_statement
    from sahel_sim.analysis.inference.propagation import SIDECAR

    out = tmp_path / "out"
    out.mkdir()
    assert model_window(out) is None  # no draws: the named point
    fit = tmp_path / "fit"
    fit.mkdir()
    (out / SIDECAR).write_text(json.dumps({"posterior": str(fit / "posterior.parquet")}))
    assert model_window(out) == 2016  # a posterior without inference.json predates the window: in sample
    (fit / "inference.json").write_text(json.dumps({"train_end": 2014}))
    assert model_window(out) == 2014
    assert "out of sample" in window_statement(2014)[0] and "An out-of-sample test" in window_statement(2014)[1]
    for seen in (None, 2015, 2016):
        title, text = window_statement(seen)
        assert "saw 2015-2016" in title and "not an out-of-sample test" in text and "--train-end 2014" in text


def test_a_resumed_inference_must_be_the_stored_one_and_worlds_are_checked(tmp_path, capsys):
    """Resuming into a folder whose stored inference has other worlds, another window or other priors is
    refused in one line before any run (pyabc would otherwise load models that do not match its database)."""
    import json

    from sahel_sim.analysis.inference.abc import main

    (tmp_path / "abc.db").write_bytes(b"")
    (tmp_path / "inference.json").write_text(json.dumps({"worlds": ["both"], "train_end": 2014}))
    for argv, expected in ((["--worlds", "both,neither", "--train-end", "2014"], "--worlds: ['both', 'neither']"),
                           (["--worlds", "both"], "--train-end: 2016, but the inference stored"),
                           (["--worlds", "both", "--train-end", "2014", "--prior-scale", "2"], "--prior-scale: 2.0"),
                           (["--worlds", "both,nowhere"], "--worlds: 'both,nowhere'; allowed: a comma-separated"),
                           (["--worlds", "both,both"], "allowed: a comma-separated list of distinct worlds")):
        with pytest.raises(SystemExit):
            main([str(tmp_path), *argv])
        assert expected in capsys.readouterr().err
    assert (tmp_path / "abc.db").read_bytes() == b""  # nothing run, nothing written
