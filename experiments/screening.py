"""Screening: Morris elementary effects of every unsourced parameter on the record's summaries (issue 19, item 2).

Each run's summaries are computed from its tables exactly as the inference computes them
(:func:`sahel_sim.analysis.inference.summaries.run_summaries`); Morris mu* of each summary (SALib) is put in units of
the summary's scale and held against the seed factor's (the model's own noise); the rule fixed before the run
(:mod:`sahel_sim.analysis.inference.screening`) sorts the parameters into influential, not shown to matter and
inactive.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from experiments.common import save_figure, save_table, summaries_per_run
from sahel_sim.analysis.experiment import design_sweep
from sahel_sim.analysis.inference import screening as S
from sahel_sim.analysis.inference.abc import PRIORS
from sahel_sim.analysis.inference.summaries import CALIBRATION, SUMMARIES
from sahel_sim.analysis.sensitivity import analyse as morris_indices

#: how many parameters the figure shows (largest ratios first)
SHOWN = 45
#: draws of the null calibration (a check added after the first full run: see :func:`null_ratios`)
NULL_DRAWS = 20_000


def null_ratios(first: pd.DataFrame, second: pd.DataFrame, scales: dict[str, float], names: list[str],
                trajectories: int, seed: int, draws: int = NULL_DRAWS) -> np.ndarray:
    """The largest ratio to the noise floor over ``names`` that a parameter **without any effect** would show:
    its ``trajectories`` elementary effects drawn from the paired seeds' noise effects (rows drawn together, so
    the summaries keep their correlation), ``draws`` times. The share above the rule's threshold is the screening's
    false-positive rate; times the parameters read, the number expected to pass by noise alone. (Added after the
    first full run, which it does not change: a check of the rule's power, reported beside it.)"""
    a = first.pivot_table(index="design.row", columns="metric", values="value")
    b = second.pivot_table(index="design.row", columns="metric", values="value")
    rows = a.index.intersection(b.index)
    scale = pd.Series(scales)[names]
    effects = ((b.loc[rows, names] - a.loc[rows, names]).abs() / S.MORRIS_STEP / scale).to_numpy(float)
    floor = effects.mean(axis=0)
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(effects), size=(draws, trajectories))
    return (effects[picks].mean(axis=1) / floor).max(axis=1)


def analyse(ctx) -> None:
    design = ctx.sweep_dir.parent / "design.csv"
    long = summaries_per_run(ctx)
    # a summary a run never produced (e.g. a merger that did not happen) is not an effect: Morris needs every row
    usable = [s.name for s in SUMMARIES if long.loc[long["metric"] == s.name, "value"].notna().all()]
    indices = pd.concat([morris_indices(design, long, m) for m in usable], ignore_index=True)
    save_table(indices, ctx.out_dir, "morris_indices")
    scales = {s.name: s.scale for s in SUMMARIES}
    mu = S.scaled_mu_star(indices, scales)
    calibration = [s.name for s in SUMMARIES if s.role == CALIBRATION and s.name in usable]
    held_out = [s.name for s in SUMMARIES if s.role != CALIBRATION and s.name in usable]

    # the noise floor: some rows again with another seed (replicate 1), a second stage of the same design
    n_rows = len(pd.read_csv(design, usecols=["row"]))
    rows = S.noise_rows(n_rows, ctx.config.base_seed, ctx.config.scales[ctx.scale].design_n)
    nctx = design_sweep(ctx, design, rows, range(1, 2), ctx.out_dir / "noise")
    redrawn = summaries_per_run(nctx)
    floor = S.noise_floor(long[long["design.row"].isin(rows)], redrawn, scales)
    save_table(pd.DataFrame({"summary": floor.index, "floor": floor.to_numpy(),
                             "seed_factor_mu_star": mu.loc[S.NOISE_FACTOR].reindex(floor.index).to_numpy(),
                             "role": [next(s.role for s in SUMMARIES if s.name == m) for m in floor.index]}),
               ctx.out_dir, "noise_floor")
    verdicts = S.classify(mu.drop(index=S.NOISE_FACTOR)[calibration], floor[calibration])
    if held_out:  # reported beside, decides nothing
        ratio_held = mu[held_out].drop(index=S.NOISE_FACTOR).div(floor[held_out], axis=1)
        verdicts["held_out_ratio"] = ratio_held.max(axis=1).reindex(verdicts["parameter"]).to_numpy()
        verdicts["held_out_summary"] = ratio_held.idxmax(axis=1).reindex(verdicts["parameter"]).to_numpy()
    import json

    problem = json.loads((design.with_suffix(".problem.json")).read_text())["problem"]
    ranges = dict(zip(problem["names"], problem["bounds"], strict=True))  # the ranges the runs were drawn over
    verdicts["low"] = [ranges[p][0] for p in verdicts["parameter"]]
    verdicts["high"] = [ranges[p][1] for p in verdicts["parameter"]]
    verdicts["had_prior"] = verdicts["parameter"].isin(list(PRIORS))
    save_table(verdicts, ctx.out_dir, "screening")
    trajectories = ctx.config.scales[ctx.scale].design_n
    null = null_ratios(long[long["design.row"].isin(rows)], redrawn, scales, calibration, trajectories,
                       ctx.config.base_seed)
    read = verdicts[verdicts["verdict"] != "inactive"]
    null_rate = float((null > S.THRESHOLD).mean())
    save_table(pd.DataFrame({"threshold": [1.5, S.THRESHOLD, 2.5, 3.0]}).assign(
        null_pass_rate=lambda t: [(null > x).mean() for x in t["threshold"]],
        expected_by_noise=lambda t: t["null_pass_rate"] * len(read),
        observed=lambda t: [int((read["ratio"] > x).sum()) for x in t["threshold"]]), ctx.out_dir, "null_calibration")

    counts = verdicts["verdict"].value_counts()
    shown = verdicts.head(SHOWN).iloc[::-1]
    fig, (ax, hx) = plt.subplots(1, 2, figsize=(13, 0.2 * len(shown) + 1.6), gridspec_kw={"width_ratios": [3, 2]})
    colours = np.where(shown["verdict"] == "influential", "#333333", "#bbbbbb")
    ax.barh(np.arange(len(shown)), shown["ratio"], color=colours)
    ax.axvline(S.THRESHOLD, color="#b2182b", lw=1, ls="--", label=f"rule: {S.THRESHOLD:g} x the noise floor")
    ax.axvline(1.0, color="black", lw=0.5)
    ax.set_yticks(np.arange(len(shown)), [p.removeprefix("mechanisms.") for p in shown["parameter"]], fontsize=6.5)
    ax.set_xscale("log")
    ax.set_xlabel("largest ratio of mu* to the noise floor over the calibration summaries (log scale)")
    fig.suptitle(ctx.config.title, fontsize=11)
    ax.set_title(f"{counts.get('influential', 0)} influential, {counts.get('not shown to matter', 0)} not shown to "
                 f"matter, {counts.get('inactive', 0)} inactive of {len(verdicts)}; the {len(shown)} largest shown",
                 fontsize=9)
    ax.legend(fontsize=8, loc="lower right")
    bins = np.linspace(0, max(float(read["ratio"].max()), float(np.quantile(null, 0.999))) * 1.05, 40)
    hx.hist(read["ratio"], bins=bins, density=True, color="#777777", label=f"the {len(read)} parameters read")
    hx.hist(null, bins=bins, density=True, histtype="step", color="black", lw=1.2,
            label="a parameter without effect (paired seeds' noise)")
    hx.axvline(S.THRESHOLD, color="#b2182b", lw=1, ls="--")
    hx.set_xlabel("largest ratio of mu* to the noise floor")
    hx.set_yticks([])
    hx.set_title(f"check added after the run: {null_rate:.0%} of parameters\nwithout effect pass the rule "
                 f"(~{null_rate * len(read):.0f} of {len(read)} by noise alone;\n"
                 f"{int((read['ratio'] > S.THRESHOLD).sum())} passed)", fontsize=9)
    hx.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, ctx.out_dir, "screening", ctx.footer())

    trajectories = ctx.config.scales[ctx.scale].design_n
    influential = verdicts[verdicts["verdict"] == "influential"]
    new = influential[~influential["had_prior"]]
    dropped = verdicts[verdicts["had_prior"] & (verdicts["verdict"] != "influential")]
    lines = [f"# {ctx.config.title}", "",
             f"Design: {trajectories} Morris trajectories over {len(verdicts)} parameters and the seed factor "
             f"({len(ctx.run_dirs())} runs of 2012-2016) and {len(rows)} rows again with another seed for the noise "
             f"floor, scale={ctx.scale}. Rule (fixed before the full run): influential when mu* exceeds "
             f"{S.THRESHOLD:g} x the noise floor for at least one calibration summary.", "",
             "The seed factor's mu* against the floor (a check; near 1 when the floor is right): "
             + ", ".join(f"{m} {mu.loc[S.NOISE_FACTOR, m] / floor[m]:.2f}" for m in calibration) + ".", "",
             f"* **{counts.get('influential', 0)} influential** ({len(new)} of them had no prior before): they get "
             "a prior and are inferred.",
             f"* **{counts.get('not shown to matter', 0)} not shown to matter** over their ranges: they stay at "
             "their defaults, with this screening as their evidence.",
             f"* **{counts.get('inactive', 0)} inactive**: every elementary effect exactly zero; the default model "
             "never reads them.", ""]
    if len(dropped):
        lines.append("Parameters that had a prior but are not influential here (kept in the inference, their "
                     "priors were given before the screening): " + ", ".join(f"`{p}`" for p in dropped["parameter"])
                     + ".")
        lines.append("")
    if held_out:
        loud = verdicts[(verdicts["verdict"] != "influential") & (verdicts["held_out_ratio"] > S.THRESHOLD)]
        lines.append(f"Reported, deciding nothing: {len(loud)} parameters not influential on the calibration "
                     "summaries move a held-out summary (spectacular attacks, the largest week, the merger's year) "
                     f"by more than {S.THRESHOLD:g} x the noise; the record's calibration summaries cannot identify "
                     "them (`screening.csv`, `held_out_ratio`).")
        lines.append("")
    lines += ["**A check added after the full run** (it changes no verdict; it says how much they can be trusted): "
              f"a parameter without any effect, its {trajectories} elementary effects drawn from the paired seeds' "
              f"noise, passes the rule with probability {null_rate:.2f}, so about {null_rate * len(read):.0f} of "
              f"the {len(read)} parameters read would pass by noise alone; {int((read['ratio'] > S.THRESHOLD).sum())}"
              " passed (`null_calibration.csv`). "
              + ("At this design's power the screening does not tell single parameters from the model's noise: "
                 "the influential set is what the rule written beforehand selects, not a set of demonstrated "
                 "effects, and 'not shown to matter' is weak evidence of no effect."
                 if null_rate * len(read) >= 0.5 * int((read["ratio"] > S.THRESHOLD).sum()) else
                 "Most of the influential parameters are more than the noise would give."), ""]
    if ctx.smoke:
        lines.append("SMOKE: one trajectory gives one elementary effect per parameter; no verdict here is evidence.")
    lines.append(f"Rebuild: `{ctx.rebuild()}`.")
    (ctx.out_dir / "findings.md").write_text("\n".join(lines) + "\n")
