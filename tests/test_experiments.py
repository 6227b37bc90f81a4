"""Every experiment's smoke size runs end to end: sweep, collection, statistics, figures, findings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

CONFIGS = Path(__file__).parents[1] / "configs"
#: every experiment config but the empty one and the inference's report (it needs an inference's posterior: its own
#: smoke test, tests/test_inference_report.py, gives it a synthetic one)
EXPERIMENTS = sorted(p.stem for p in (CONFIGS / "experiment").glob("*.yaml")
                     if p.stem not in ("none", "inference"))
#: experiments whose smoke scale takes over ~15 s on 2 busy cores (many runs, or two stages): in the slow suite; the
#: default suite runs the others (the whole pipeline: sweep, collection, analysis, figures, smoke marks)
#: experiments whose smoke scale runs in the slow suite only (each over ~20 s on 2 cores; history, forecast and
#: coalitions joined in session 7, when the default suite passed 5 minutes; where_violence, ~16 s, with them;
#: screening, ~340 runs even at one trajectory, and projection, three runs to 2019, in session 8);
#: rivalry_dose_response stays in the default suite, which its other tests read
SLOW_SMOKE = {"calibration", "coalitions", "event_study", "factorial", "forecast", "history", "intervention_channels",
              "phase_diagram", "radisson_weights", "radisson_window", "sensitivity", "validation", "where_violence",
              "screening", "projection"}

#: seconds a smoke experiment may take before the test gives up: the screening's smoke is one Morris trajectory
#: over 325 parameters plus its noise rows, ~340 runs one after another (~12 min on 2 busy cores)
SMOKE_TIMEOUT = {"screening": 1800}

#: the experiments about a question of the model: they can run from a posterior, say where their parameters come
#: from, and state their multiple-comparison correction (or that they are exploratory)
QUESTIONS = {"rivalry_dose_response", "factorial", "event_study", "phase_diagram", "radisson_window",
             "radisson_weights", "intervention_channels", "where_violence"}


def run_smoke(name: str, cwd: Path) -> Path:
    return run_smoke_process(name, cwd)[0]


def run_smoke_process(name: str, cwd: Path) -> tuple[Path, subprocess.CompletedProcess]:
    p = subprocess.run([sys.executable, "-m", "sahel_sim", f"experiment={name}", "scale=smoke"], cwd=cwd,
                       capture_output=True, text=True, timeout=SMOKE_TIMEOUT.get(name, 600))
    assert p.returncode == 0, p.stderr[-3000:]
    out = cwd / "outputs" / "experiments" / name / "smoke"
    assert f"wrote its figures, tables and findings.md to {out.resolve()}" in p.stdout
    return out, p


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("experiments")


@pytest.mark.parametrize("name", [pytest.param(n, marks=[pytest.mark.slow] if n in SLOW_SMOKE else [])
                                  for n in EXPERIMENTS])
def test_smoke_experiment_writes_figures_tables_and_findings(name, workdir):
    out = run_smoke(name, workdir)
    pngs = list(out.glob("*.png"))
    assert pngs and all(p.stat().st_size > 20_000 for p in pngs)
    assert all(p.with_suffix(".pdf").exists() for p in pngs)
    tables = list(out.glob("*.csv"))
    assert tables
    for t in tables:
        df = pd.read_csv(t)
        assert len(df) > 0
        numeric = df.select_dtypes("number")
        assert numeric.notna().any().any()
    findings = (out / "findings.md").read_text()
    assert f"sahel-sim experiment={name}" in findings
    # a smoke run's findings say so first, and give no interval from its few seeds
    assert findings.startswith("> **Smoke test: not results.**")
    assert "(95% CI " not in findings
    assert "(5-95% " not in findings and "5-95% over seeds" not in findings  # nor a range over its seeds
    if name in QUESTIONS:  # run at a named point: said at the top, before the question (issue 19, item 6)
        assert "**Parameters: a named point.**" in findings.split("Question:")[0]
        assert "Monte Carlo error only" in findings
        assert "**Multiple comparisons:" in findings


def test_a_validation_below_the_minimum_of_runs_keeps_its_verdicts_but_shows_no_range():
    """Issue 21, item 6: the validation's pattern table from fewer runs than the minimum gives medians and
    verdicts, no 5-95% range over seeds (in the columns or the detail text)."""
    from experiments.validation import _markdown, _without_ranges

    results = pd.DataFrame({"pattern": ["P1", "P7"], "description": ["north", "weeks"], "statistic": ["s", "t"],
                            "record": ["1", "2"], "model_median": [0.5, 3.0], "model_q05": [0.1, 1.0],
                            "model_q95": [0.9, 9.0], "tolerance": ["x", "y"], "pass": [True, False],
                            "detail": ["2012 peak median 0.61 (5-95% 0.40-0.80); fall by 2013",
                                       "largest week median 120 (5-95% 40-300); record 385"]})
    shown = _without_ranges(results)
    assert shown["model_q05"].isna().all() and shown["model_q95"].isna().all()
    assert list(shown["pass"]) == [True, False] and list(shown["model_median"]) == [0.5, 3.0]
    assert list(shown["detail"]) == ["2012 peak median 0.61; fall by 2013", "largest week median 120; record 385"]
    table = "\n".join(_markdown(shown))
    assert "0.1 to 0.9" not in table and "| - |" in table and "**FAIL**" in table


def test_rebuilding_an_experiment_reuses_its_runs_and_gives_the_same_table(workdir):
    out = workdir / "outputs" / "experiments" / "rivalry_dose_response" / "smoke"
    if not out.exists():
        run_smoke("rivalry_dose_response", workdir)
    before = pd.read_csv(out / "dose_response.csv")
    stamps = {p: p.stat().st_mtime_ns for p in (out / "runs").glob("*/summary.json")}
    _, proc = run_smoke_process("rivalry_dose_response", workdir)
    pd.testing.assert_frame_equal(pd.read_csv(out / "dose_response.csv"), before)
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps
    # a finished sweep is not launched again at all (Hydra would compose every job only to find it done)
    assert "already complete: reusing them" in proc.stderr


def test_dose_response_table_is_sane(workdir):
    out = workdir / "outputs" / "experiments" / "rivalry_dose_response" / "smoke"
    if not out.exists():
        run_smoke("rivalry_dose_response", workdir)
    t = pd.read_csv(out / "dose_response.csv")
    assert set(t["camp"]) == {"AQ", "IS"}
    assert (t["runs"] < 5).all() and t["ci_low"].isna().all() and t["ci_high"].isna().all()  # smoke: no interval
    assert (t["mean"] >= 0).all() and (t["mean"] < 20).all()


@pytest.mark.slow  # the calibration's smoke scale (~20 s)
def test_calibration_smoke_outputs_are_sane(workdir):
    out = workdir / "outputs" / "experiments" / "calibration" / "smoke"
    if not out.exists():
        run_smoke("calibration", workdir)
    rows = pd.read_csv(out / "calibration_rows.csv")
    assert len(rows) == 4 and (rows["n_runs"] == 1).all()
    assert rows["distance"].notna().all() and (rows["distance"] >= 0).all()
    assert rows["distance"].map(lambda d: d < float("inf")).all()
    assert rows["accepted"].any()
    assert (rows.loc[rows["accepted"], "distance"].max() <= rows.loc[~rows["accepted"], "distance"].min()
            if (~rows["accepted"]).any() else True)
    # the runs stop with the week of 31 Dec 2016: the record after 2016 is never used
    runs = list((out / "runs").glob("*/world.parquet"))
    assert runs and all(pd.read_parquet(p, columns=["date"])["date"].max() <= pd.Timestamp("2016-12-31")
                        for p in runs)
    # its seeds are not the validation's, so the chosen values are validated on fresh seeds
    from sahel_sim.analysis.sweep import derive_seed

    seeds = set(pd.read_parquet(out / "runs" / "runs.parquet")["seed"].astype(int))
    assert seeds and not seeds & {derive_seed(20151120, r) for r in range(30)}
    post = pd.read_csv(out / "posterior.csv")
    design = yaml.safe_load((CONFIGS / "experiment" / "calibration.yaml").read_text())["design"]
    assert list(post["parameter"]) == list(design)
    assert ((post["prior_low"] <= post["posterior_median"]) & (post["posterior_median"] <= post["prior_high"])).all()
    assert ((post["prior_low"] <= post["best_value"]) & (post["best_value"] <= post["prior_high"])).all()
    findings = (out / "findings.md").read_text()
    assert "```yaml" in findings and "clash_lethality:" in findings


def test_calibration_distance_is_zero_at_the_record_and_large_far_from_it():
    from sahel_sim.analysis import calibration as C
    from sahel_sim.analysis import validation as V

    record = C.record_statistics()
    exact = {**record.to_dict(), "north_peak_2012": 0.8, "north_ratio_2013": 0.2, "south_shift": 0.1,
             "pledges_is": 2.0, "competing_claims": 1.0, "late_spectacular_share": 1.0, "tail_alpha": 2.0}
    far = {**{f"deaths_{y}": 10 * record[f"deaths_{y}"] for y in V.UCDP_YEARS}, "zero_week_share": 0.0,
           "largest_week": record["largest_week"] / 10, "minusma_deaths": 0.0, "north_peak_2012": 0.2,
           "north_ratio_2013": 0.9, "south_shift": -0.1, "pledges_is": 0.0, "competing_claims": 0.0,
           "late_spectacular_share": 0.0, "tail_alpha": float("nan")}
    stats = pd.DataFrame([exact, far], index=pd.Index([0, 1], name="row"))
    d = C.distance(stats)
    death_terms = [f"d_{s}" for s in C.DEATH_STATISTICS]
    assert d.loc[0, death_terms].abs().max() < 1e-12
    assert d.loc[0, "distance"] == pytest.approx(0.0, abs=1e-12)
    assert d.loc[1, "distance"] > 50
    assert (d.loc[1, death_terms] > 0.5).all()
    assert d.loc[1, "d_tail_alpha:min"] == C.MISSING_TERM
    # no spectacular attack in 2015-2016 out of those in 2012-2016: P9's hinge, 0.5 below its threshold / 0.1
    assert d.loc[1, "d_late_spectacular_share:min"] == pytest.approx(25.0)
    # a death count off by the validation's tolerance factor adds exactly one (on the log1p scale)
    one_off = pd.DataFrame([{**exact, "largest_week": (record["largest_week"] + 1) * V.TOL["P7_max_factor"] - 1}])
    assert C.distance(one_off).loc[0, "distance"] == pytest.approx(1.0)
    accepted = C.accept(pd.Series(np.arange(30.0)[::-1]))
    assert accepted.sum() == 5 and accepted.iloc[-5:].all()
    assert C.accept(pd.Series([3.0, 1.0, 2.0])).all()


def test_latin_design_samples_each_stratum_once_inside_the_bounds(tmp_path):
    from sahel_sim.analysis.sensitivity import make_design

    bounds = {"mechanisms.territory.exchange_ratio": (0.1, 0.6),
              "mechanisms.claims.false_claim_probability": (0.1, 0.9)}
    table = make_design("latin", bounds, 10, 3, tmp_path / "d.csv")
    assert list(table["row"]) == list(range(10))
    for name, (lo, hi) in bounds.items():
        x = table[name].to_numpy()
        assert ((lo <= x) & (x <= hi)).all()
        assert sorted(np.floor((x - lo) / (hi - lo) * 10).astype(int)) == list(range(10))
    assert make_design("latin", bounds, 10, 3, tmp_path / "e.csv").equals(table)


def test_factorial_states_the_historical_cells_share_of_late_spectaculars_from_its_cells():
    from experiments.factorial import LATE_LABEL, historical_late_share

    def cell(outcome, mean, r=True, p=True, i="barkhane_minusma"):
        return {"outcome": outcome, "rivalry": r, "peace_process": p, "intervention": i, "mean": mean}

    whole = "AQ-camp spectacular attacks per year"
    # 1 a year over 2012-2017 (6 in all), 1.5 a year over 2015-2017 (4.5): three quarters came late
    cells = pd.DataFrame([cell(whole, 1.0), cell(LATE_LABEL, 1.5), cell(whole, 9.0, r=False),
                          cell(LATE_LABEL, 0.0, i="none")])
    assert historical_late_share(cells) == pytest.approx(0.75)
    assert np.isnan(historical_late_share(cells[cells["outcome"] == whole]))  # runs that stop before 2017
    assert np.isnan(historical_late_share(cells.assign(mean=0.0)))


def test_intervention_channels_switches_the_defaults_on_and_off():
    """The experiment's "on" levels are the default's values: if the default moves (a new calibration), so must
    the sweep, or the experiment would take apart another model than the default."""
    from sahel_sim.faces.api import load_config

    sweep = yaml.safe_load((CONFIGS / "experiment" / "intervention_channels.yaml").read_text())["sweep"]
    attacks = load_config().mechanisms.attacks
    for key, default in (("rule_restraint", attacks.rule_restraint),
                         ("retaliation_weight", attacks.retaliation_weight)):
        levels = [float(v) for v in sweep[f"mechanisms.attacks.{key}"].split(",")]
        assert levels == [0.0, pytest.approx(default)] and default > 0
    assert sweep["intervention"].split(",") == ["none", "barkhane_minusma"]
    assert load_config().mechanisms.minusma.enabled and load_config().mechanisms.barkhane.enabled  # the default


def test_event_study_placebo_weeks_keep_away_from_the_shocks_and_hit_rates_count_attacks_after_them():
    from experiments.event_study import HORIZONS, hit_rates, placebo_window

    weeks = np.arange(100, 200)
    shocks = np.array([120, 150])
    window = placebo_window(weeks, shocks, max(HORIZONS))
    assert len(window) and all(abs(w - s) > max(HORIZONS) for w in window for s in shocks)
    assert set(window) == {w for w in weeks if abs(w - 120) > 12 and abs(w - 150) > 12}
    assert (placebo_window(weeks, np.zeros(0, dtype=int), 12) == weeks).all()
    # an attack 3 weeks after the first shock and none after the second: half the shocks are hit from k = 3
    rates = hit_rates(np.array([123, 300]), shocks, [1, 2, 3, 12])
    assert rates.tolist() == [0.0, 0.0, 0.5, 0.5]
    assert hit_rates(np.array([120]), shocks, [1]).tolist() == [0.0]  # the shock's own week is not after it


def test_the_event_studys_counterfactual_removes_only_the_is_shocks():
    """``is_shock_scale=0`` leaves a run identical up to the first IS shock (Paris, Nov 2015: the same seed and the
    same AQ shock before it), and only the IS shocks move the IS share of global attention."""
    from sahel_sim.core.model import SahelModel
    from sahel_sim.faces.api import load_config

    sweep = yaml.safe_load((CONFIGS / "experiment" / "event_study.yaml").read_text())["sweep"]
    assert sweep["mechanisms.rivalry.is_shock_scale"].split(",") == ["1.0", "0.0"]
    models = [SahelModel(load_config([f"mechanisms.rivalry.is_shock_scale={s}", "calendar.end=2016-01-31"]), rng=3)
              for s in (1.0, 0.0)]
    paris = models[0].calendar.step_of(pd.Timestamp("2015-11-13").date())
    shares = [[], []]
    for m, out in zip(models, shares, strict=True):
        m.run()
        out += m.datacollector.get_model_vars_dataframe()["is_global_share"].tolist()
    assert shares[0][:paris] == shares[1][:paris]
    assert shares[0][paris] > shares[1][paris]
    assert shares[1][paris] == pytest.approx(shares[1][paris - 1], abs=0.02)  # no jump without the shock


def _differences(a, b, path=""):
    """The dotted paths where two nested dicts (asdict of two configs) differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in sorted(set(a) | set(b)) for d in _differences(a.get(k), b.get(k), f"{path}.{k}".lstrip("."))]
    return [] if a == b else [path]


def test_each_counterfactual_removes_one_driver_and_changes_nothing_else():
    import dataclasses

    from sahel_sim.faces.api import load_config

    expected = {
        "none": [],
        "no_is_shocks": ["mechanisms.rivalry.is_shock_scale"],
        "no_rivalry": ["mechanisms.rivalry.enabled"],
        "no_peace_meetings": ["mechanisms.peace_process.at_sites"],
        "no_peace_process": ["mechanisms.peace_process.enabled"],
        "no_retaliation": ["mechanisms.attacks.retaliation_weight"],
        "no_intervention": ["mechanisms.barkhane.enabled", "mechanisms.minusma.enabled"],
        "no_rule_restraint": ["mechanisms.attacks.rule_restraint"],
    }
    assert {p.stem for p in (CONFIGS / "counterfactual").glob("*.yaml")} == set(expected)
    default = dataclasses.asdict(load_config())
    for name, keys in expected.items():
        config = load_config([f"counterfactual={name}"])
        assert _differences(default, dataclasses.asdict(config)) == keys, name
        for key in keys:  # each is switched off, or set to nothing
            section = config
            for part in key.split("."):
                section = getattr(section, part)
            assert section in (False, 0.0, []), (name, key, section)
    sweep = yaml.safe_load((CONFIGS / "experiment" / "radisson_window.yaml").read_text())["sweep"]
    from experiments.radisson_window import CONDITIONS

    assert sweep["counterfactual"].split(",") == list(CONDITIONS) and set(CONDITIONS) == set(expected)


def test_radisson_window_outcomes_and_paired_effects():
    from experiments.radisson_window import outcomes_per_run, paired_effects

    runs = pd.DataFrame({"run": ["a1", "a2", "b1", "b2"], "seed": [1, 2, 1, 2],
                         "counterfactual": ["none", "none", "no_rivalry", "no_rivalry"]})
    attacks = pd.DataFrame([
        # a1: a spectacular AQ-camp attack in Bamako in the window, and one in March 2015
        dict(run="a1", date="2015-11-16", camp="AQ", spectacular=True, region="bamako"),
        dict(run="a1", date="2015-03-02", camp="AQ", spectacular=True, region="mopti"),
        # a2: one in the window outside Bamako, an IS one and an ordinary one (neither counts)
        dict(run="a2", date="2015-12-28", camp="AQ", spectacular=True, region="gao"),
        dict(run="a2", date="2015-11-23", camp="IS", spectacular=True, region="bamako"),
        dict(run="a2", date="2015-11-23", camp="AQ", spectacular=False, region="bamako"),
        # b1: before the window only (the week before Paris); b2: nothing
        dict(run="b1", date="2015-11-02", camp="AQ", spectacular=True, region="bamako"),
    ])
    attacks["date"] = pd.to_datetime(attacks["date"])
    per = outcomes_per_run(attacks, runs).set_index("run")
    assert per["window_any"].to_dict() == {"a1": 1.0, "a2": 1.0, "b1": 0.0, "b2": 0.0}
    assert per["window_bamako"].to_dict() == {"a1": 1.0, "a2": 0.0, "b1": 0.0, "b2": 0.0}
    assert per["spectaculars_2015"].to_dict() == {"a1": 2.0, "a2": 1.0, "b1": 1.0, "b2": 0.0}
    effects = paired_effects(per.reset_index(), np.random.default_rng(0)).set_index(["condition", "outcome"])
    # seed for seed: seed 1 loses the window attack, seed 2 too; in 2015, 2 -> 1 and 1 -> 0
    assert effects.loc[("no_rivalry", "window_any"), "effect"] == pytest.approx(-1.0)
    assert effects.loc[("no_rivalry", "window_bamako"), "effect"] == pytest.approx(-0.5)
    assert effects.loc[("no_rivalry", "spectaculars_2015"), "effect"] == pytest.approx(-1.0)
    assert effects.loc[("no_rivalry", "window_any"), "paired_runs"] == 2
    assert effects.loc[("no_is_shocks", "window_any"), "paired_runs"] == 0  # a condition without runs: no pairs


def test_radisson_weights_default_levels_are_the_defaults_and_effects_are_paired_within_each_world():
    from experiments.radisson_weights import OUTBID, SPOIL, yearly_fit
    from experiments.radisson_window import paired_effects
    from sahel_sim.faces.api import load_config

    sweep = yaml.safe_load((CONFIGS / "experiment" / "radisson_weights.yaml").read_text())["sweep"]
    attacks_cfg = load_config().mechanisms.attacks
    assert float(sweep[OUTBID].split(",")[0]) == attacks_cfg.outbid_weight
    assert float(sweep[SPOIL].split(",")[0]) == attacks_cfg.spoil_weight
    # two worlds (spoiling 3 and 9), two seeds, history and no meetings: the effects are paired within a world
    per = pd.DataFrame({"run": list("abcdefgh"), "seed": [1, 2] * 4, OUTBID: 3.0,
                        SPOIL: [3.0] * 4 + [9.0] * 4,
                        "counterfactual": ["none", "none", "no_peace_meetings", "no_peace_meetings"] * 2,
                        "window_any": [1, 0, 1, 0, 1, 1, 0, 0], "window_bamako": 0.0, "spectaculars_2015": 0.0})
    effects = paired_effects(per, np.random.default_rng(0), by=[OUTBID, SPOIL])
    effects = effects[(effects["paired_runs"] > 0) & (effects["outcome"] == "window_any")].set_index(SPOIL)
    assert effects.loc[3.0, "effect"] == 0.0 and effects.loc[9.0, "effect"] == -1.0
    # the yearly fit: one spectacular attack a run in 2015 only, against the record's 0, 0, 0, 3, 1, 1
    from sahel_sim.analysis.validation import RECORD_SPECTACULARS

    runs = per[per["counterfactual"] == "none"][["run", OUTBID, SPOIL]].assign(counterfactual="none")
    attacks = pd.DataFrame({"run": runs["run"], "date": pd.Timestamp("2015-06-01"), "spectacular": True})
    years = yearly_fit(attacks, runs)
    assert set(years[SPOIL]) == {3.0, 9.0} and len(years) == 2 * len(RECORD_SPECTACULARS)
    assert years["sq_distance"].tolist() == [(3 - 1) ** 2 + 1 + 1] * len(years)


def test_radisson_weights_asks_of_a_bamako_hotel_of_the_target_layer_as_radisson_window_does():
    """Since the target layer the weights' history table carries the window at a Bamako hotel, restaurant or bar
    (from the attacks' target kind and city); the meetings' removal is the counterfactual that holds them where no
    group can strike."""
    from experiments.radisson_weights import OUTBID, SPOIL, history_table
    from experiments.radisson_window import CONDITIONS, outcomes_per_run

    assert yaml.safe_load((CONFIGS / "counterfactual" / "no_peace_meetings.yaml").read_text())[
        "mechanisms"]["peace_process"]["at_sites"] is False
    assert "hotel" not in CONDITIONS["no_peace_meetings"][0]
    runs = pd.DataFrame({"run": ["a", "b", "c"], "seed": [1, 2, 1], "counterfactual": ["none", "none", "no_is_shocks"],
                         OUTBID: 3.0, SPOIL: 3.0})
    attacks = pd.DataFrame({"run": ["a", "b", "c"], "date": pd.Timestamp("2015-11-16"), "camp": "AQ",
                            "spectacular": True, "region": ["bamako", "bamako", "gao"],
                            "target_kind": ["hotel", "government", "base"], "city": ["bamako", "bamako", "gao"]})
    history = history_table(outcomes_per_run(attacks, runs)).iloc[0]
    assert history["window_any"] == 1.0 and history["window_bamako"] == 1.0
    assert history["window_bamako_hotel"] == 0.5  # run a struck a hotel in Bamako, run b a government site


def test_an_experiment_writes_into_the_run_folder_it_is_given_and_says_where(tmp_path):
    p = subprocess.run([sys.executable, "-m", "sahel_sim", "experiment=history", "scale=smoke",
                        "calendar.end=2012-06-25", "hydra.run.dir=my_experiment"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-3000:]
    out = tmp_path / "my_experiment"
    assert (out / "findings.md").is_file() and (out / "history.png").is_file()
    assert list((out / "runs").glob("*/summary.json"))
    assert not (tmp_path / "outputs").exists()
    assert f"wrote its figures, tables and findings.md to {out.resolve()}" in p.stdout


def test_no_interval_is_given_from_fewer_runs_than_the_stated_minimum():
    from experiments.common import MIN_REPLICATES, fmt, mean_ci

    rng = np.random.default_rng(0)
    few = np.arange(MIN_REPLICATES - 1, dtype=float)
    mean, lo, hi = mean_ci(few, rng)
    assert mean == few.mean() and np.isnan(lo) and np.isnan(hi)
    assert fmt(mean, lo, hi) == f"{mean:.2f} (no interval: fewer than {MIN_REPLICATES} runs)"
    mean, lo, hi = mean_ci(np.arange(MIN_REPLICATES, dtype=float), rng)
    assert lo <= mean <= hi and "95% CI" in fmt(mean, lo, hi)


def test_a_smoke_figure_says_smoke_test_in_its_title(tmp_path):
    import matplotlib.pyplot as plt
    from PIL import Image

    from experiments.common import save_figure
    from sahel_sim.analysis.experiment import SMOKE_MARK

    for footer, marked in ((f"{SMOKE_MARK.upper()} · sahel_sim experiment=x scale=smoke", True),
                           ("sahel_sim experiment=x scale=full", False)):
        fig, ax = plt.subplots()
        fig.suptitle("The question")
        ax.plot([0, 1], [0, 1])
        (png, _) = save_figure(fig, tmp_path, f"figure_{marked}", footer)
        assert fig._suptitle.get_text().startswith(SMOKE_MARK.upper()) is marked
        assert fig._suptitle.get_text().endswith("The question")
        assert Image.open(png).size[0] > 100
