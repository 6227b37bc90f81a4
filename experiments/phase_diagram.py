"""Phase diagram: spectacular attack rate over rivalry strength x peace-process intensity."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from experiments.common import fmt, mean_ci, parameter_note, per_run, save_figure, save_table, years

RIV, PEACE = "mechanisms.rivalry.strength", "mechanisms.peace_process.strength"


def analyse(ctx) -> None:
    yrs = years(ctx.metrics)
    runs = per_run(ctx.metrics, "spectacular_by_camp.AQ", [RIV, PEACE])
    runs["rate"] = runs["value"] / runs["run"].map(yrs)
    grid = runs.groupby([RIV, PEACE])["rate"].agg(["mean", "std", "count"]).reset_index()
    r_levels, p_levels = sorted(grid[RIV].unique()), sorted(grid[PEACE].unique())
    mean = grid.pivot(index=PEACE, columns=RIV, values="mean").reindex(index=p_levels, columns=r_levels)
    # each driver's contribution at a point: the rate there minus the rate with that driver at zero
    global_part = mean.sub(mean[r_levels[0]], axis=0)
    local_part = mean - mean.loc[p_levels[0]]
    dominant = np.where(global_part.to_numpy() > local_part.to_numpy(), "H-global", "H-local")
    dominant[(global_part.to_numpy() <= 0) & (local_part.to_numpy() <= 0)] = "neither"
    table = grid.rename(columns={RIV: "rivalry_strength", PEACE: "peace_strength", "mean": "rate_mean",
                                 "std": "rate_sd", "count": "runs"})
    dom = pd.DataFrame(dominant, index=p_levels, columns=r_levels).stack().rename("dominant").reset_index()
    dom.columns = ["peace_strength", "rivalry_strength", "dominant"]
    table = table.merge(dom, on=["rivalry_strength", "peace_strength"])
    save_table(table, ctx.out_dir, "phase_diagram")

    fig, ax = plt.subplots(figsize=(7.5, 5.8))
    im = ax.imshow(mean.to_numpy(), origin="lower", cmap="cividis", aspect="auto",
                   extent=[-0.5, len(r_levels) - 0.5, -0.5, len(p_levels) - 0.5])
    for i, _p in enumerate(p_levels):
        for j, _r in enumerate(r_levels):
            tag = {"H-global": "G", "H-local": "L", "neither": "·"}[dominant[i, j]]
            value = mean.iat[i, j]
            shade = "white" if value < np.nanmean(mean.to_numpy()) else "black"
            ax.text(j, i, f"{value:.2f}\n{tag}", ha="center", va="center", fontsize=8, color=shade)
    ax.set_xticks(range(len(r_levels)), [f"{v:g}" for v in r_levels])
    ax.set_yticks(range(len(p_levels)), [f"{v:g}" for v in p_levels])
    ax.set_xlabel("global AQ-IS rivalry strength")
    ax.set_ylabel("peace-process intensity")
    fig.colorbar(im, ax=ax, label="AQ-camp spectacular attacks per year (mean over seeds)")
    ax.set_title("Spectacular attack rate; G: rivalry adds more than the peace process, L: the reverse",
                 fontsize=9)
    save_figure(fig, ctx.out_dir, "phase_diagram", ctx.footer())

    share = pd.Series(dominant.ravel()).value_counts(normalize=True)
    rng = np.random.default_rng(0)
    corners = []
    for r, p in ((r_levels[0], p_levels[0]), (r_levels[-1], p_levels[0]), (r_levels[0], p_levels[-1]),
                 (r_levels[-1], p_levels[-1])):
        values = runs.loc[(runs[RIV] == r) & (runs[PEACE] == p), "rate"].to_numpy()
        m, lo, hi = mean_ci(values, rng)
        ci = fmt(m, lo, hi) if len(values) > 1 else f"{m:.2f} (no interval: 1 run)"
        corners.append(f"* rivalry {r:g}, peace process {p:g}: {ci} AQ-camp spectacular attacks per year")
    lines = [f"# {ctx.config.title}", "", *parameter_note(ctx), f"Question: {ctx.config.question}", "",
             f"Design: {len(r_levels)} x {len(p_levels)} grid, {int(grid['count'].min())} replicate(s) per point, "
             f"scale={ctx.scale}. At each point, rivalry's contribution is the rate there minus the rate without "
             "rivalry at the same peace intensity; the peace process's likewise.", "",
             *corners,
             *(f"* {k}: dominates at {v:.0%} of the grid points." for k, v in share.items()),
             "", "With few replicates per point the labels are noisy; read them with the rate_sd column of the "
             "table.", "",
             "**Multiple comparisons: exploratory.** The map labels every grid point by which driver contributes "
             "more, with no test at any point and no correction for the many points: it shows where to look, and "
             "a claim about one region of the map needs its own designed comparison (e.g. the factorial).", "",
             f"Rebuild: `{ctx.rebuild()}`."]
    (ctx.out_dir / "findings.md").write_text("\n".join(lines) + "\n")
