"""The inference's report (issue 19): the four worlds' posterior probabilities, the inferred parameters' posterior
against their priors, and the record's summaries predicted from the posterior, both those the inference was fitted
to (calibration) and those it never saw (held out).

The runs of the experiment are draws from the posterior of ``experiment.world`` (the propagation of
:mod:`sahel_sim.analysis.inference.propagation`), each with its own seed: their spread is the posterior predictive
distribution (parameter and simulation uncertainty). A held-out summary inside its 90% predictive interval is a
pattern reproduced out of the fit; one outside is a miss, reported as such.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from experiments.common import parameter_note, save_figure, save_table, summaries_per_run
from sahel_sim.analysis.inference.abc import model_probabilities
from sahel_sim.analysis.inference.propagation import read_posterior
from sahel_sim.analysis.inference.recovery import weighted_quantiles
from sahel_sim.analysis.inference.summaries import CALIBRATION, HELD_OUT, SUMMARIES, record_summaries
from sahel_sim.analysis.inference.worlds import WORLDS

#: the parameters whose marginals the figure shows (those the record narrowed most)
SHOWN = 12
#: fewer generations than this: the report says the posterior is interim, not a result (an ABC-SMC posterior after
#: a generation or two is close to the prior filtered once; four is the least the docs' commands run)
MIN_GENERATIONS = 4


def parameter_posterior(posterior: pd.DataFrame, priors: dict[str, list[float]]) -> pd.DataFrame:
    """Each world's weighted 5/50/95% posterior quantiles of each inferred parameter beside its uniform prior, and
    how much the record narrowed it: ``contraction`` = 1 - (posterior 90% width / prior 90% width) (0: the posterior
    is as wide as the prior; near 1: the record pins it down)."""
    rows = []
    for world, part in posterior.groupby("world", sort=False):
        w = part["weight"].to_numpy(float)
        if w.sum() <= 0:
            continue
        for name, (lo, hi) in priors.items():
            if name not in part:
                continue
            q05, q50, q95 = weighted_quantiles(part[name].to_numpy(float), w, (0.05, 0.5, 0.95))
            prior_width = 0.9 * (hi - lo)
            rows.append({"world": world, "parameter": name, "q05": q05, "median": q50, "q95": q95,
                         "prior_low": lo, "prior_high": hi,
                         "contraction": 1.0 - (q95 - q05) / prior_width if prior_width > 0 else np.nan})
    return pd.DataFrame(rows)


def predictive_check(long: pd.DataFrame, record: pd.Series, fitted: list[str] | None = None) -> pd.DataFrame:
    """Each summary's posterior predictive median and 90% interval over the runs beside the record's value, and
    whether the record falls inside (NaN values, e.g. a merger that never happened, are counted, not dropped).
    ``fitted`` names the summaries the inference saw (its inference.json's; a fit on a training window saw fewer
    than the calibration role): every other summary is held out for this posterior."""
    rows = []
    for s in SUMMARIES:
        v = long.loc[long["metric"] == s.name, "value"].to_numpy(float)
        finite = v[np.isfinite(v)]
        q05, q50, q95 = (np.quantile(finite, [0.05, 0.5, 0.95]) if len(finite) else (np.nan,) * 3)
        rec = float(record[s.name])
        role = s.role if fitted is None else (CALIBRATION if s.name in fitted else HELD_OUT)
        rows.append({"summary": s.name, "role": role, "record": rec, "median": q50, "q05": q05, "q95": q95,
                     "inside_90": bool(q05 <= rec <= q95) if len(finite) else False,
                     "runs": len(v), "runs_without_value": int((~np.isfinite(v)).sum())})
    return pd.DataFrame(rows)


def _inference_meta(posterior_path: Path) -> dict:
    meta = posterior_path.parent / "inference.json"
    return json.loads(meta.read_text()) if meta.is_file() else {}


def analyse(ctx) -> None:
    posterior_path = Path(ctx.config.posterior)
    posterior = read_posterior(posterior_path)
    meta = _inference_meta(posterior_path)
    worlds = [w for w in WORLDS if w in set(posterior["world"])] or list(WORLDS)
    probabilities = model_probabilities(posterior, list(WORLDS))
    shutil.copyfile(posterior_path, ctx.out_dir / "posterior.parquet")
    save_table(probabilities, ctx.out_dir, "model_probabilities")
    priors = meta.get("priors") or {c: [float(posterior[c].min()), float(posterior[c].max())]
                                    for c in posterior.columns if c not in ("world", "weight")}
    params = parameter_posterior(posterior, priors)
    save_table(params, ctx.out_dir, "parameter_posterior")
    long = summaries_per_run(ctx)
    check = predictive_check(long, record_summaries(), meta.get("summaries"))
    interim = bool(meta.get("per_generation")) and len(meta["per_generation"]) < MIN_GENERATIONS
    stamp = f"INTERIM ({len(meta.get('per_generation', []))} generation(s), not a result): " if interim else ""
    save_table(check, ctx.out_dir, "posterior_predictive")

    # figure 1: the worlds and the parameters the record narrowed most
    fig = plt.figure(figsize=(12, 7.5))
    grid = fig.add_gridspec(3, 5)
    ax = fig.add_subplot(grid[:, 0])
    y = np.arange(len(probabilities))
    ax.barh(y, probabilities["probability"], color="#444444",
            xerr=[probabilities["probability"] - probabilities["lower"],
                  probabilities["upper"] - probabilities["probability"]], capsize=3)
    ax.axvline(0.25, color="#888888", ls=":", lw=1, label="prior (0.25 each)")
    ax.set_yticks(y, [w.replace("_", " ") for w in probabilities["world"]])
    ax.set_xlim(0, 1)
    ax.set_xlabel("posterior probability\n(95% interval: Monte Carlo)")
    ax.set_title("the four worlds", fontsize=10)
    ax.legend(fontsize=7, loc="lower right")
    world = ctx.config.world if ctx.config.world in worlds else worlds[0]
    learned = params[params["world"] == world].sort_values("contraction", ascending=False).head(SHOWN)
    part = posterior[posterior["world"] == world]
    for i, row in enumerate(learned.itertuples()):
        a = fig.add_subplot(grid[i // 4, 1 + i % 4])
        a.hist(part[row.parameter], bins=20, range=(row.prior_low, row.prior_high), weights=part["weight"],
               density=True, color="#777777")
        a.axhline(1.0 / (row.prior_high - row.prior_low), color="#b2182b", ls="--", lw=1)
        a.set_title(row.parameter.removeprefix("mechanisms."), fontsize=7)
        a.tick_params(labelsize=6)
        a.set_yticks([])
    fig.suptitle(f"{stamp}{ctx.config.title}\nposterior marginals in world '{world}' of the {len(learned)} "
                 "parameters the record narrowed most (grey) against their uniform priors (red)", fontsize=10)
    fig.tight_layout()
    save_figure(fig, ctx.out_dir, "posterior", ctx.footer())

    # figure 2: every summary predicted from the posterior against the record
    fig, axes = plt.subplots(4, 4, figsize=(12, 9))
    roles = dict(zip(check["summary"], check["role"], strict=True))
    for ax, s in zip(axes.flat, SUMMARIES, strict=False):
        v = long.loc[long["metric"] == s.name, "value"].to_numpy(float)
        v = v[np.isfinite(v)]
        fitted_here = roles[s.name] == CALIBRATION
        if len(v):
            ax.hist(v, bins=20, color="#777777" if fitted_here else "#4393c3")
        ax.axvline(float(record_summaries()[s.name]), color="#b2182b", lw=1.5)
        ax.set_title(f"{s.name} ({'fitted' if fitted_here else 'held out'})", fontsize=8)
        ax.tick_params(labelsize=6)
        ax.set_yticks([])
    for ax in list(axes.flat)[len(SUMMARIES):]:
        ax.axis("off")
    fig.suptitle(f"{stamp}Posterior predictive check, world '{world}': {len(ctx.run_dirs())} draws (grey: "
                 "summaries the inference was fitted to; blue: held out) against the record (red)", fontsize=10)
    fig.tight_layout()
    save_figure(fig, ctx.out_dir, "posterior_predictive", ctx.footer())

    # findings
    fitted = check[check["role"] == CALIBRATION]
    held = check[check["role"] != CALIBRATION]
    best = probabilities.sort_values("probability", ascending=False).iloc[0]
    gens = meta.get("per_generation", [])
    lines = [f"# {ctx.config.title}", "", *parameter_note(ctx)]
    if gens and len(gens) < MIN_GENERATIONS:
        lines += [f"> **Interim, not a result: {len(gens)} generation(s) of ABC-SMC only** (fewer than "
                  f"{MIN_GENERATIONS}). Such a posterior is close to the prior filtered once; the world probabilities "
                  "and intervals below describe that, not what the record says. Resume the inference (the same "
                  "command, same folder) and rebuild this report.", ""]
    if gens:
        last = gens[-1]
        lines += [f"**What the posterior rests on.** ABC-SMC (pyabc) over the four worlds: {meta['generations']} "
                  f"generations, {meta['simulations']:,} simulations, population {meta.get('population', '?')}, "
                  f"{len(meta.get('priors', {}))} inferred parameters, the {len(meta.get('summaries', []))} "
                  f"calibration summaries; last epsilon {last['epsilon']:.3g}, last acceptance rate "
                  f"{last['acceptance']:.3f}. World probabilities by generation: "
                  + "; ".join(f"t={g['t']}: " + ", ".join(f"{k} {v:.2f}" for k, v in g["world_probabilities"].items())
                              for g in gens) + ".", ""]
    lines += ["## The four worlds", "",
              f"* Most probable: **{best['world']}** ({best['probability']:.2f}, 95% interval "
              f"{best['lower']:.2f} to {best['upper']:.2f}; the interval is the Monte Carlo error of the final "
              "population, not the sensitivity to the priors)."]
    lines += [f"* {r.world}: {r.probability:.2f} ({r.lower:.2f} to {r.upper:.2f})" for r in probabilities.itertuples()
              if r.world != best["world"]]
    narrowed = int((params.loc[params["world"] == world, "contraction"] > 0.3).sum())
    lines += ["", "## The parameters", "",
              f"In world '{world}', the record narrowed {narrowed} "
              f"of {int((params['world'] == world).sum())} inferred parameters by more than 30% of their prior's "
              "90% width; the rest stay near their priors (`parameter_posterior.csv`)."]
    lines += [f"* `{r.parameter}`: median {r.median:.3g} (90% {r.q05:.3g} to {r.q95:.3g}; prior {r.prior_low:.3g} "
              f"to {r.prior_high:.3g}; contraction {r.contraction:.2f})" for r in learned.head(6).itertuples()]
    def verdicts(table: pd.DataFrame) -> str:
        return ", ".join(f"{r.summary} {'in' if r.inside_90 else 'OUT'}" for r in table.itertuples())

    lines += ["", "## Predicting the record from the posterior", "",
              f"* Fitted summaries inside their 90% predictive interval: {int(fitted['inside_90'].sum())} of "
              f"{len(fitted)}: {verdicts(fitted)}.",
              f"* Held-out summaries (never seen by the inference) inside: {int(held['inside_90'].sum())} of "
              f"{len(held)}: {verdicts(held)}.",
              "", f"Rebuild: `sahel-sim experiment={ctx.name} scale={ctx.scale} experiment.posterior=...` after the "
              "inference (docs/inference.md)."]
    (ctx.out_dir / "findings.md").write_text("\n".join(lines) + "\n")
