"""Event study: spectacular AQ-camp attacks in the k weeks after global IS shocks (Paris, Brussels, Nice).

Two comparisons from the same design:

* **against placebo weeks** of the same runs, drawn from the years the shocks fall in (2015-2017) and at least
  ``max(HORIZONS)`` weeks from every shock: the design an analyst of the record can use, which a time trend in the
  attacks can bias;
* **against the same weeks with the IS shocks removed** (``mechanisms.rivalry.is_shock_scale=0``), seed for seed:
  the counterfactual only a model gives, the shocks' effect in the model. Where the two differ, the placebo
  design's estimate is not the shocks' effect.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from experiments.common import (
    CORRECTION,
    LATE,
    adjusted_p_values,
    bootstrap_p_value,
    correction_note,
    enough_for_interval,
    fmt,
    parameter_note,
    per_run,
    save_figure,
    save_table,
)

HORIZONS = list(range(1, 13))  # weeks after the event
PLACEBOS_PER_RUN = 50
SCALE = "mechanisms.rivalry.is_shock_scale"
SERIES = ("after IS shock", "placebo weeks", "same weeks, IS shocks removed")
#: the two estimates of the shocks' effect: the placebo design's and the counterfactual's
PLACEBO_DIFF = "placebo design: shock minus placebo"
COUNTERFACTUAL_DIFF = "counterfactual: with minus without IS shocks"


def hit_rates(attack_weeks: np.ndarray, events: np.ndarray, horizons: list[int]) -> np.ndarray:
    """For each horizon k: share of events followed by at least one attack in weeks (event, event + k]."""
    if len(events) == 0:
        return np.full(len(horizons), np.nan)
    attack_weeks = np.sort(attack_weeks)
    out = []
    for k in horizons:
        lo = np.searchsorted(attack_weeks, events, side="right")
        hi = np.searchsorted(attack_weeks, events + k, side="right")
        out.append(float(np.mean(hi > lo)))
    return np.array(out)


def placebo_window(weeks: np.ndarray, shock_weeks: np.ndarray, margin: int) -> np.ndarray:
    """The candidate placebo weeks: ``weeks`` farther than ``margin`` weeks from every shock (so that neither a
    placebo week's window nor the weeks before it hold a shock's aftermath)."""
    weeks = np.asarray(weeks)
    if len(shock_weeks) == 0:
        return weeks
    near = (np.abs(weeks[:, None] - np.asarray(shock_weeks)[None, :]) <= margin).any(axis=1)
    return weeks[~near]


def _interval_rows(values: np.ndarray, boots: np.ndarray, name: str, extra: dict) -> list[dict]:
    """Mean over runs and its 95% bootstrap interval, per horizon (``values``: runs x horizons); for the two
    differences (:data:`PLACEBO_DIFF`, :data:`COUNTERFACTUAL_DIFF`) also the bootstrap p-value of no difference."""
    rows = []
    enough = enough_for_interval(len(values))  # no interval from fewer than MIN_REPLICATES runs
    tested = name in (PLACEBO_DIFF, COUNTERFACTUAL_DIFF)
    for j, k in enumerate(HORIZONS):
        b = values[boots, j].mean(axis=1)
        rows.append({"horizon_weeks": k, "series": name, "mean": float(values[:, j].mean()),
                     "ci_low": float(np.quantile(b, 0.025)) if enough else float("nan"),
                     "ci_high": float(np.quantile(b, 0.975)) if enough else float("nan"),
                     "p_value": bootstrap_p_value(b) if enough and tested else float("nan"), **extra})
    return rows


def _quarterly(spectacular: pd.DataFrame, runs: pd.DataFrame, dates: pd.Series) -> pd.DataFrame:
    """AQ-camp spectacular attacks per run in each quarter of the run (``dates``: its weeks), with and without the
    IS shocks: when in the run the shock weeks and the placebo weeks fall."""
    n_runs = runs.groupby(SCALE)["run"].nunique()
    quarters = pd.to_datetime(dates).dt.to_period("Q").astype(str).unique()
    quarter = pd.to_datetime(spectacular["date"]).dt.to_period("Q").astype(str).rename("quarter")
    counts = spectacular.groupby([quarter, spectacular[SCALE].astype(float)]).size().unstack(fill_value=0)
    counts = counts.reindex(index=pd.Index(quarters, name="quarter"), columns=n_runs.index, fill_value=0) / n_runs
    return counts.rename(columns={1.0: "with_is_shocks", 0.0: "without_is_shocks"}).reset_index()


def analyse(ctx) -> None:
    rng = np.random.default_rng(20151113)
    attacks = ctx.read_tables("attacks", ["step", "date", "camp", "spectacular"])
    events = ctx.read_tables("events", ["step", "kind", "other"])
    calendar = ctx.read_tables("world", ["week", "date"]).drop_duplicates("week")
    runs = per_run(ctx.metrics, "weeks", [SCALE])
    runs[SCALE] = runs[SCALE].astype(float)
    shocks = events[(events["kind"] == "global_shock") & (events["other"] == "IS")]
    shock_weeks = np.sort(shocks["step"].unique())
    n_weeks = int(calendar["week"].max()) + 1
    late = calendar.loc[pd.to_datetime(calendar["date"]).dt.year.between(*LATE), "week"].to_numpy()
    window = placebo_window(late[late < n_weeks - max(HORIZONS)], shock_weeks, max(HORIZONS))

    spectacular = attacks[attacks["spectacular"].astype(bool) & (attacks["camp"] == "AQ")]
    weeks_of = {run: w["step"].to_numpy() for run, w in spectacular.groupby("run")}
    with_shocks = runs[runs[SCALE] == 1.0].sort_values("seed")
    without = runs[runs[SCALE] == 0.0].set_index("seed")["run"]
    shock, placebo, removed = [], [], []
    for run, seed in zip(with_shocks["run"], with_shocks["seed"], strict=True):
        weeks = weeks_of.get(run, np.zeros(0))
        shock.append(hit_rates(weeks, shock_weeks, HORIZONS))
        placebo.append(hit_rates(weeks, rng.choice(window, PLACEBOS_PER_RUN), HORIZONS))
        twin = without.get(seed)  # the same seed with the IS shocks removed
        removed.append(hit_rates(weeks_of.get(twin, np.zeros(0)), shock_weeks, HORIZONS) if twin is not None
                       else np.full(len(HORIZONS), np.nan))
    shock, placebo, removed = np.array(shock), np.array(placebo), np.array(removed)
    paired = ~np.isnan(removed).any(axis=1)
    n = len(shock)
    boots = rng.integers(0, n, size=(2000, n))
    pboots = rng.integers(0, int(paired.sum()), size=(2000, int(paired.sum())))
    design = {"runs": n, "paired_runs": int(paired.sum()), "shocks": len(shock_weeks),
              "placebo_weeks_available": len(window)}
    rows = [*_interval_rows(shock, boots, SERIES[0], design), *_interval_rows(placebo, boots, SERIES[1], design),
            *_interval_rows(shock - placebo, boots, PLACEBO_DIFF, design)]
    if paired.any():
        rows += [*_interval_rows(removed[paired], pboots, SERIES[2], design),
                 *_interval_rows(shock[paired] - removed[paired], pboots,
                                 COUNTERFACTUAL_DIFF, design)]
    table = pd.DataFrame(rows)
    # one family: both differences at every horizon (the hit rates themselves are not tests)
    table[f"p_{CORRECTION}"] = adjusted_p_values(table["p_value"])
    table[f"detectable_{CORRECTION}"] = table[f"p_{CORRECTION}"] < 0.05
    save_table(table, ctx.out_dir, "event_study")
    quarterly = _quarterly(spectacular, runs, calendar["date"])
    save_table(quarterly, ctx.out_dir, "event_study_quarterly")

    fig, (ax, bx) = plt.subplots(1, 2, figsize=(13, 4.8))
    styles = {SERIES[0]: dict(color="black", marker="o", ls="-"),
              SERIES[1]: dict(color="#888888", marker="s", ls="--"),
              SERIES[2]: dict(color="#2166ac", marker="^", ls=":"),
              PLACEBO_DIFF: dict(color="#888888", marker="s", ls="--"),
              COUNTERFACTUAL_DIFF: dict(color="#2166ac", marker="^", ls="-")}
    for axis, names in ((ax, SERIES), (bx, (PLACEBO_DIFF, COUNTERFACTUAL_DIFF))):
        for name in names:
            t = table[table["series"] == name]
            if t.empty:
                continue
            axis.fill_between(t["horizon_weeks"], t["ci_low"], t["ci_high"], color=styles[name]["color"],
                              alpha=0.15)
            axis.plot(t["horizon_weeks"], t["mean"], label=name, **styles[name])
        axis.axvline(1, color="#b2182b", lw=0.8, ls=":")
        axis.set_xlabel("weeks after the event (k)")
        axis.legend(fontsize=8, loc="lower right" if axis is ax else "upper left")
    ax.set_ylim(bottom=0)
    ax.annotate("Paris -> Bamako: 7 days", (1.2, ax.get_ylim()[1] * 0.95), fontsize=8, color="#b2182b")
    ax.set_ylabel("P(spectacular AQ-camp attack within k weeks)")
    ax.set_title(f"After {len(shock_weeks)} global IS shocks, at placebo weeks, and at the shock weeks\n"
                 "with the shocks removed (mean over runs, 95% bootstrap interval)", fontsize=10)
    bx.axhline(0, color="black", lw=0.6)
    bx.set_ylabel("difference in probability")
    bx.set_title("The shocks' effect: the placebo design's estimate\nagainst the counterfactual's, seed for seed",
                 fontsize=10)
    save_figure(fig, ctx.out_dir, "event_study", ctx.footer())

    lines = [f"# {ctx.config.title}", "", *parameter_note(ctx), f"Question: {ctx.config.question}", "",
             f"Design: {n} runs of the 2012-2017 scenario with the {len(shock_weeks)} IS shocks (Paris, Brussels, "
             f"Nice) and {int(paired.sum())} with the same seeds and the IS shocks removed "
             f"(`{SCALE}=0`); {PLACEBOS_PER_RUN} placebo weeks per run drawn from {LATE[0]}-{LATE[1]}, at least "
             f"{max(HORIZONS)} weeks from every shock ({len(window)} weeks to draw from); scale={ctx.scale}.", ""]
    for name, what in ((PLACEBO_DIFF, "shock minus placebo weeks (the placebo design)"),
                       (COUNTERFACTUAL_DIFF,
                        "with minus without the IS shocks, same seeds and weeks (the counterfactual)")):
        d = table[table["series"] == name].set_index("horizon_weeks")
        if d.empty:
            continue
        for k in (1, 4, 12):
            r = d.loc[k]
            verdict = ("no interval" if not np.isfinite(r["ci_low"]) else "no detectable difference"
                       if r["ci_low"] <= 0 <= r["ci_high"] else "detectable difference")
            adjusted = (f"; Holm-adjusted p = {r[f'p_{CORRECTION}']:.3f}" if np.isfinite(r[f"p_{CORRECTION}"])
                        else "")
            lines.append(f"* within {k} week(s): {what}: {fmt(r['mean'], r['ci_low'], r['ci_high'], 3)} "
                         f"({verdict}{adjusted}).")
    family = table["series"].isin([PLACEBO_DIFF, COUNTERFACTUAL_DIFF])
    lines += ["", correction_note(f"the two differences at each of the {len(HORIZONS)} horizons (event_study.csv)",
                                  int(family.sum()))]
    lines += ["", "The counterfactual is the shocks' effect in the model; the placebo design is what an analyst of the "
              "record could estimate. Where they differ, the placebo weeks differ from the shock weeks in more than "
              "the shocks."]
    if paired.any():
        bias = (removed[paired] - placebo[paired]).mean(axis=0)
        lines += ["", "Without the shocks, the shock weeks are still followed by a spectacular AQ-camp attack more "
                  "often than the placebo weeks: by " + ", ".join(f"{bias[HORIZONS.index(k)]:+.3f} within {k} week(s)"
                                                                   for k in (1, 4, 12))
                  + ": the part of the placebo design's estimate that is the weeks' timing, not the shocks "
                  "(`event_study_quarterly.csv`: AQ-camp spectacular attacks per run and quarter, with and without "
                  "the shocks)."]
    lines += ["", f"Rebuild: `{ctx.rebuild()}`."]
    (ctx.out_dir / "findings.md").write_text("\n".join(lines) + "\n")
