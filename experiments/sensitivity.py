"""Global sensitivity: Sobol first- and total-order indices of the headline outputs (SALib)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from experiments.common import MIN_REPLICATES, enough_for_interval, save_figure, save_table
from sahel_sim.analysis.sensitivity import analyse as sobol_indices

OUTPUTS = {"spectacular_by_camp.AQ": "AQ-camp spectacular attacks", "attacks": "attacks",
           "killed_in_attacks": "killed in attacks", "minusma_killed": "MINUSMA killed"}


def analyse(ctx) -> None:
    design = ctx.sweep_dir.parent / "design.csv"
    metrics = ctx.metrics.copy()
    present = [m for m in OUTPUTS if m in set(metrics["metric"])]
    # a run that never saw an AQ spectacular attack has no such metric: count it as zero
    runs = metrics[["run", "design.row"]].drop_duplicates()
    filled = []
    for m in present:
        sel = metrics[metrics["metric"] == m][["run", "value"]]
        f = runs.merge(sel, on="run", how="left").fillna({"value": 0.0})
        f["metric"] = m
        filled.append(f)
    table = pd.concat([sobol_indices(design, pd.concat(filled), m) for m in present], ignore_index=True)
    base_samples = ctx.config.scales[ctx.scale].design_n
    if not enough_for_interval(base_samples):  # SALib's bootstrap over a handful of base samples is no interval
        table[["S1_conf", "ST_conf"]] = np.nan
    save_table(table, ctx.out_dir, "sobol_indices")

    fig, axes = plt.subplots(1, len(present), figsize=(4.2 * len(present), 4.8), sharey=True)
    axes = np.atleast_1d(axes)
    for ax, m in zip(axes, present, strict=True):
        t = table[table["metric"] == m]
        y = np.arange(len(t))
        ax.barh(y + 0.2, t["S1"], height=0.38, color="#444444", xerr=t["S1_conf"], label="first order S1",
                capsize=2)
        ax.barh(y - 0.2, t["ST"], height=0.38, color="#bbbbbb", hatch="//", edgecolor="black", lw=0.3,
                xerr=t["ST_conf"], label="total order ST", capsize=2)
        ax.set_yticks(y, [p.replace("mechanisms.", "") for p in t["parameter"]], fontsize=8)
        ax.axvline(0, color="black", lw=0.5)
        ax.set_title(OUTPUTS[m], fontsize=10)
        ax.set_xlabel("Sobol index (95% CI)")
    axes[0].legend(fontsize=8)
    fig.suptitle(ctx.config.title, fontsize=11)
    save_figure(fig, ctx.out_dir, "sobol_indices", ctx.footer())

    n_rows = len(pd.read_csv(design))
    lines = [f"# {ctx.config.title}", "", f"Design: Saltelli sample of {n_rows} rows over {len(ctx.config.design)} "
             f"parameters (ranges in configs/experiment/sensitivity.yaml), scale={ctx.scale}.", ""]
    for m in present:
        t = table[table["metric"] == m].sort_values("ST", ascending=False)
        top = t.iloc[0]
        interval = (f"95% CI {top['ST'] - top['ST_conf']:.2f} to {top['ST'] + top['ST_conf']:.2f}"
                    if np.isfinite(top["ST_conf"]) else f"no interval: {base_samples} base samples, fewer than "
                    f"{MIN_REPLICATES}")
        lines.append(f"* {OUTPUTS[m]}: largest total-order index {top['parameter']} ST = {top['ST']:.2f} "
                     f"({interval}).")
    lines += ["", "Small designs (smoke) give wide, even negative, intervals: read the full-size run.", "",
              f"Rebuild: `{ctx.rebuild()}`."]
    (ctx.out_dir / "findings.md").write_text("\n".join(lines) + "\n")
