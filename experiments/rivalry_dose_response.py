"""Rivalry dose-response: spectacular attacks per year by camp against the global AQ-IS rivalry strength."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from experiments.common import (
    CAMP_STYLE,
    CORRECTION,
    adjusted_p_values,
    bootstrap_p_value,
    enough_for_interval,
    fmt,
    mean_ci,
    parameter_note,
    per_run,
    save_figure,
    save_table,
    years,
)

PARAM = "mechanisms.rivalry.strength"


def analyse(ctx) -> None:
    rng = np.random.default_rng(0)
    yrs = years(ctx.metrics)
    rows, per_camp = [], {}
    for camp in ("AQ", "IS"):
        runs = per_run(ctx.metrics, f"spectacular_by_camp.{camp}", [PARAM])
        runs["per_year"] = runs["value"] / runs["run"].map(yrs)
        per_camp[camp] = runs
        for level, group in runs.groupby(PARAM):
            mean, lo, hi = mean_ci(group["per_year"].to_numpy(), rng)
            rows.append({"camp": camp, "rivalry_strength": level, "mean": mean, "ci_low": lo, "ci_high": hi,
                         "runs": len(group)})
    table = pd.DataFrame(rows)
    save_table(table, ctx.out_dir, "dose_response")

    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    for camp, style in CAMP_STYLE.items():
        t = table[table["camp"] == camp]
        ax.fill_between(t["rivalry_strength"], t["ci_low"], t["ci_high"], color=style["color"], alpha=0.15)
        ax.plot(t["rivalry_strength"], t["mean"], label=f"{camp}-camp groups", **style)
    ax.axvline(1.0, color="grey", lw=0.8, ls=":")
    ax.annotate("historical series", (1.0, ax.get_ylim()[1] * 0.95), fontsize=8, color="grey", ha="left")
    ax.set_xlabel("global AQ-IS rivalry strength (multiplier on the 2012-2017 intensity series)")
    ax.set_ylabel("spectacular attacks per year")
    ax.set_title("Spectacular attacks against the strength of the global rivalry\n(mean over seeds, 95% "
                 "bootstrap interval)", fontsize=10)
    ax.legend()
    ax.set_ylim(bottom=0)
    save_figure(fig, ctx.out_dir, "dose_response", ctx.footer())

    # effect sizes: slope of the per-run rate on strength (bootstrap over runs) and the 0 -> 1 contrast
    lines = [f"# {ctx.config.title}", "", *parameter_note(ctx), f"Question: {ctx.config.question}", "",
             f"Design: rivalry strength {[float(v) for v in sorted(table['rivalry_strength'].unique())]}, "
             f"{int(table['runs'].min())} replicates per level, 2012-2017 default scenario, scale={ctx.scale}.", ""]
    slope_lines, p_values = [], []
    for camp, runs in per_camp.items():
        x, y = runs[PARAM].to_numpy(float), runs["per_year"].to_numpy(float)
        slopes = []
        for _ in range(2000):
            idx = rng.integers(0, len(x), len(x))
            if np.ptp(x[idx]) > 0:
                slopes.append(np.polyfit(x[idx], y[idx], 1)[0])
        slope = np.polyfit(x, y, 1)[0] if np.ptp(x) > 0 else float("nan")
        per_level = int(runs.groupby(PARAM).size().min())  # replicates at the thinnest level
        lo, hi = (np.quantile(slopes, [0.025, 0.975]) if slopes and enough_for_interval(per_level)
                  else (float("nan"), float("nan")))
        zero, one = y[x == 0], y[np.isclose(x, 1.0)]
        contrast = ""
        if len(zero) and len(one):
            boots = [rng.choice(one, len(one)).mean() - rng.choice(zero, len(zero)).mean() for _ in range(2000)]
            c_lo, c_hi = (np.quantile(boots, [0.025, 0.975]) if enough_for_interval(min(len(zero), len(one)))
                          else (np.nan, np.nan))
            contrast = (f"; no rivalry -> historical rivalry: {fmt(one.mean() - zero.mean(), c_lo, c_hi)} "
                        "spectacular attacks per year")
        verdict = ("no interval" if not np.isfinite(lo) else "no detectable effect" if lo <= 0 <= hi else
                   ("rises with rivalry" if slope > 0 else "falls with rivalry"))
        p = bootstrap_p_value(slopes) if np.isfinite(lo) else float("nan")
        slope_lines.append((f"* {camp}-camp groups: slope {fmt(slope, lo, hi, 3)} spectacular attacks per year per "
                            f"unit of rivalry strength ({verdict}", f"){contrast}."))
        p_values.append(p)
    adjusted = adjusted_p_values(p_values)
    for (head, tail), p, q in zip(slope_lines, p_values, adjusted, strict=True):
        lines.append(head + (f"; bootstrap p = {p:.3f}, Holm-adjusted over the {len(p_values)} slopes "
                             f"p = {q:.3f}" if np.isfinite(q) else "") + tail)
    lines += ["", f"**Multiple comparisons:** the slopes of the {len(p_values)} camps form one family, corrected with "
              f"Holm's step-down correction (`{CORRECTION}`, family-wise error rate); the 95% intervals are not "
              "adjusted, and the contrasts no rivalry -> historical rivalry are descriptive."]
    lines += ["", "Figure: dose_response.png / .pdf; table: dose_response.csv.", "",
              f"Rebuild: `{ctx.rebuild()}`."]
    (ctx.out_dir / "findings.md").write_text("\n".join(lines) + "\n")
