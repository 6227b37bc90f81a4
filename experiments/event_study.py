"""Event study: spectacular AQ-camp attacks in the k weeks after global IS shocks, against placebo weeks."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from experiments.common import fmt, save_figure, save_table

HORIZONS = list(range(1, 13))  # weeks after the event
PLACEBOS_PER_RUN = 50


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


def analyse(ctx) -> None:
    rng = np.random.default_rng(20151113)
    attacks = ctx.read_tables("attacks", ["step", "camp", "spectacular"])
    events = ctx.read_tables("events", ["step", "kind", "other"])
    runs = list(ctx.runs.loc[ctx.runs["status"] == "complete", "run"])
    shocks = events[(events["kind"] == "global_shock") & (events["other"] == "IS")]
    shock_weeks = np.sort(shocks["step"].unique())
    n_weeks = int(ctx.metrics.loc[ctx.metrics["metric"] == "weeks", "value"].max())
    # placebo weeks: drawn from the same period the shocks fall in (2014 on), never a shock week
    window = np.arange(max(0, shock_weeks.min() - 80) if len(shock_weeks) else 0, n_weeks - max(HORIZONS))
    window = window[~np.isin(window, shock_weeks)]
    per_run_shock, per_run_placebo = [], []
    for run in runs:
        weeks = attacks.loc[(attacks["run"] == run) & attacks["spectacular"] & (attacks["camp"] == "AQ"),
                            "step"].to_numpy()
        per_run_shock.append(hit_rates(weeks, shock_weeks, HORIZONS))
        per_run_placebo.append(hit_rates(weeks, rng.choice(window, PLACEBOS_PER_RUN), HORIZONS))
    shock, placebo = np.array(per_run_shock), np.array(per_run_placebo)
    boots = rng.integers(0, len(runs), size=(2000, len(runs)))
    rows = []
    for j, k in enumerate(HORIZONS):
        diff = shock[:, j] - placebo[:, j]
        for name, values in (("after IS shock", shock[:, j]), ("placebo", placebo[:, j]), ("difference", diff)):
            b = values[boots].mean(axis=1)
            rows.append({"horizon_weeks": k, "series": name, "mean": float(values.mean()),
                         "ci_low": float(np.quantile(b, 0.025)), "ci_high": float(np.quantile(b, 0.975)),
                         "runs": len(runs), "shocks": len(shock_weeks)})
    table = pd.DataFrame(rows)
    save_table(table, ctx.out_dir, "event_study")

    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    for name, style in (("after IS shock", dict(color="black", marker="o", ls="-")),
                        ("placebo", dict(color="#888888", marker="s", ls="--"))):
        t = table[table["series"] == name]
        ax.fill_between(t["horizon_weeks"], t["ci_low"], t["ci_high"], color=style["color"], alpha=0.15)
        ax.plot(t["horizon_weeks"], t["mean"], label=name, **style)
    ax.axvline(1, color="#b2182b", lw=0.8, ls=":")
    ax.annotate("Paris -> Bamako: 7 days", (1.1, ax.get_ylim()[1] * 0.9), fontsize=8, color="#b2182b")
    ax.set_xlabel("weeks after the event (k)")
    ax.set_ylabel("P(spectacular AQ-camp attack within k weeks)")
    ax.set_title(f"Spectacular AQ-camp attacks after {len(shock_weeks)} global IS shocks vs placebo weeks\n"
                 "(mean over runs, 95% bootstrap interval)", fontsize=10)
    ax.set_ylim(bottom=0)
    ax.legend()
    save_figure(fig, ctx.out_dir, "event_study", ctx.footer())

    d = table[table["series"] == "difference"].set_index("horizon_weeks")
    lines = [f"# {ctx.config.title}", "", f"Question: {ctx.config.question}", "",
             f"Design: {len(runs)} runs of the 2012-2017 scenario; {len(shock_weeks)} IS shocks (Paris, Brussels, "
             f"Nice); {PLACEBOS_PER_RUN} placebo weeks per run drawn from the same period; scale={ctx.scale}.", ""]
    for k in (1, 4, 12):
        r = d.loc[k]
        verdict = "no detectable difference" if r["ci_low"] <= 0 <= r["ci_high"] else "detectable difference"
        estimate = fmt(r["mean"], r["ci_low"], r["ci_high"], 3)
        lines.append(f"* within {k} week(s): shock minus placebo probability {estimate} ({verdict}).")
    lines += ["", f"Rebuild: `sahel-sim experiment={ctx.name} scale={ctx.scale}`."]
    (ctx.out_dir / "findings.md").write_text("\n".join(lines) + "\n")
