"""Forecast: the model's weekly battle deaths of 2015-2016 against baselines fitted on the record's 2012-2014,
scored with CRPS and the log score (sahel_sim.analysis.inference.forecast).

The test is out of sample for the model only when its parameters come from a posterior fitted on 2012-2014
(``python -m sahel_sim.analysis.inference.abc OUT --train-end 2014``, then ``experiment.posterior=
OUT/posterior.parquet``): :func:`model_window` reads the fit's window from the ``inference.json`` beside the
posterior, and the figure and findings say which case they show."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from experiments.common import parameter_note, save_figure, save_table
from sahel_sim.analysis.inference.forecast import fit_nb_ingarch, fit_nb_regression, forecast_scores
from sahel_sim.analysis.validation import record_weekly

TRAIN = (2012, 2014)
TEST = (2015, 2016)
#: draws of each baseline's predictive distribution
BASELINE_DRAWS = 2000


def aligned_weeks(world: pd.DataFrame, record: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The test window's weekly deaths, the record's and every run's, aligned within each year: (record weeks,
    their years, runs x weeks). Where one side has a 53rd week in a year, it is dropped."""
    obs, years, cols = [], [], []
    runs = sorted(world["run"].unique())
    for year in range(TEST[0], TEST[1] + 1):
        rec = record.loc[record["year"] == year, "battle_deaths"].to_numpy(float)
        w = world[world["date"].dt.year == year]
        per_run = w.pivot_table(index="date", columns="run", values="state_based_deaths", aggfunc="sum")
        n = min(len(rec), len(per_run))
        obs.append(rec[:n])
        years.append(np.full(n, year))
        cols.append(per_run.reindex(columns=runs).to_numpy(float)[:n].T)
    return np.concatenate(obs), np.concatenate(years), np.concatenate(cols, axis=1)


def model_window(out_dir: Path) -> int | None:
    """The last year of the record the model's parameters were fitted on: that of the posterior the runs drew
    from (its ``inference.json``'s ``train_end``; 2016 for a fit before the window existed), or None at a named
    point (the calibrated default, whose calibration saw the record to 2016)."""
    from sahel_sim.analysis.inference.propagation import read_meta, read_sidecar

    drawn = read_sidecar(out_dir)
    if drawn is None:
        return None
    return int(read_meta(drawn["posterior"]).get("train_end", 2016))


def window_statement(train_end: int | None) -> tuple[str, str]:
    """The figure's title note and the findings' paragraph on whether the test is out of sample for the model."""
    if train_end is not None and train_end < TEST[0]:
        return (f" (the model fitted on {TRAIN[0]}-{train_end} only: out of sample)",
                f"**An out-of-sample test.** The model's parameters are draws from a posterior fitted on the "
                f"record's {TRAIN[0]}-{train_end} only (`--train-end {train_end}`), the same window the baselines "
                "are fitted on: neither has seen 2015-2016.")
    seen = "its calibrated default" if train_end is None else f"a posterior fitted on the record to {train_end}"
    return (" (the model's calibration saw 2015-2016)",
            f"**Caveat: this is not an out-of-sample test of the model.** Its parameters are {seen}, which has "
            "seen the window it is scored on, while the baselines have not. A model that loses here loses even "
            "with that advantage; a model that wins has not shown skill. The fair test draws from a posterior "
            "fitted on 2012-2014 only (`python -m sahel_sim.analysis.inference.abc OUT --train-end 2014`, then "
            "`experiment.posterior=OUT/posterior.parquet`).")


def score_lines(scores: pd.DataFrame) -> list[str]:
    """One findings line per target, metric and baseline of ``forecast_scores.csv``: both scores, the skill, and
    who wins."""
    lines = []
    for r in scores.itertuples():
        verdict = "the model wins" if r.skill > 0 else "**the model loses**"
        lines.append(f"* {r.target.replace('_', ' ')}, {r.metric.replace('_', ' ')}: model {r.model_score:.3g}, "
                     f"{r.baseline} {r.baseline_score:.3g}, skill {r.skill:+.2f} ({verdict}).")
    return lines


def analyse(ctx) -> None:
    rng = np.random.default_rng(0)
    record = record_weekly()
    train = record[record["year"].between(*TRAIN)]["battle_deaths"].to_numpy(float)
    world = ctx.read_tables("world", ["date", "state_based_deaths"])
    obs, years, model = aligned_weeks(world, record)
    nb = fit_nb_regression(train)
    ingarch = fit_nb_ingarch(train)
    t = np.arange(len(train), len(train) + len(obs), dtype=float)
    baselines = {"nb_regression": nb.sample(t, BASELINE_DRAWS, rng),
                 "nb_ingarch": ingarch.sample(len(obs), BASELINE_DRAWS, rng)}
    scores = forecast_scores(obs, years, model, baselines)
    save_table(scores, ctx.out_dir, "forecast_scores")
    params = pd.DataFrame([
        {"baseline": "nb_regression", "parameter": k, "value": float(v)}
        for k, v in zip(("intercept", "trend_per_year", "sin_annual", "cos_annual"), nb.params, strict=True)
    ] + [{"baseline": "nb_regression", "parameter": "size", "value": nb.size}] + [
        {"baseline": "nb_ingarch", "parameter": k, "value": getattr(ingarch, k)}
        for k in ("omega", "alpha", "beta", "size")])
    save_table(params, ctx.out_dir, "forecast_baselines")

    fig, (ax, bx) = plt.subplots(1, 2, figsize=(13, 5.0), gridspec_kw={"width_ratios": [2, 1]})
    fig.subplots_adjust(bottom=0.2)
    x = np.arange(len(obs))
    for name, paths, colour in (("model", model, "#b2182b"), ("NB-INGARCH (self-exciting)", baselines["nb_ingarch"],
                                                              "#0072B2")):
        lo, med, hi = np.quantile(paths, [0.05, 0.5, 0.95], axis=0)
        ax.fill_between(x, lo, hi, color=colour, alpha=0.15, step="mid")
        ax.step(x, med, where="mid", color=colour, label=f"{name}: median, 5-95%")
    ax.step(x, obs, where="mid", color="black", lw=1.2, label="record (UCDP GED 20.1)")
    ax.set_yscale("symlog", linthresh=1)
    ax.set_xlabel("week of 2015-2016")
    ax.set_ylabel("state-based battle deaths a week")
    ax.set_title("Weekly deaths 2015-2016: forecasts and the record", fontsize=10)
    ax.legend(fontsize=8)
    s = scores[scores["metric"] == "crps"]
    short = {"nb_regression": "NB regr.", "nb_ingarch": "INGARCH"}
    labels = [f"{r.target.split('_')[0]}\nvs {short[r.baseline]}" for r in s.itertuples()]
    bx.bar(np.arange(len(s)), s["skill"], color=["#b2182b" if v > 0 else "#4d4d4d" for v in s["skill"]])
    bx.axhline(0, color="black", lw=0.8)
    bx.set_xticks(np.arange(len(s)), labels, fontsize=8)
    bx.set_ylabel("CRPS skill of the model (1 - model / baseline)")
    bx.set_title("Skill > 0: the model beats the baseline", fontsize=10)
    title_note, window_note = window_statement(model_window(ctx.out_dir))
    fig.suptitle(ctx.config.title + title_note, fontsize=11)
    save_figure(fig, ctx.out_dir, "forecast", ctx.footer())

    lines = [f"# {ctx.config.title}", "",
              f"Question: {ctx.config.question}", "", *parameter_note(ctx),
              f"Design: {len(model)} runs of the default scenario to the end of 2016 (scale={ctx.scale}); the "
              f"baselines are fitted on the record's {TRAIN[0]}-{TRAIN[1]} weeks and forecast {TEST[0]}-{TEST[1]} "
              f"({BASELINE_DRAWS} draws each). Scores: mean CRPS and mean log score (a negative binomial matched to "
              "each week's or year's ensemble), lower is better; skill = 1 - model / baseline.", "",
              window_note, ""]
    lines += score_lines(scores)
    lines += ["", f"Baselines fitted on {TRAIN[0]}-{TRAIN[1]}: NB regression trend "
              f"{nb.params[1]:+.2f} log-deaths a year, size {nb.size:.3f}; NB-INGARCH omega {ingarch.omega:.2f}, "
              f"alpha {ingarch.alpha:.2f}, beta {ingarch.beta:.2f}, size {ingarch.size:.3f}.", "",
              "Figure: forecast.png / .pdf; tables: forecast_scores.csv, forecast_baselines.csv.", "",
              f"Rebuild: `{ctx.rebuild()}`."]
    (ctx.out_dir / "findings.md").write_text("\n".join(lines) + "\n")
